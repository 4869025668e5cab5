"""Sharing: findings (pinned views) and their renderers (HTML, Markdown, text)."""
