"""Views: each page is a State (its URL) built into a View."""
