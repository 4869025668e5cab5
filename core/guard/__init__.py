"""Guarding against hostile input: escaping for each renderer, bounded JSON, who may use the app."""
