"""Sharing what a view showed: findings (pinned views with their snapshot) and the ways out of a View besides the
page — html.py (the self-contained report), markdown.py, text.py (the command line) — each one table of renderers
keyed by block kind."""
