"""Errors users read: every failure core raises has a short title and a sentence that says what to do."""
from __future__ import annotations


class YardstickError(Exception):
    """A failure with a title (what went wrong) and a message (why, and the fix)."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(f"{title}: {message}")
        self.title = title
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "message": self.message}


class BadInput(YardstickError):
    """Input a user gave (a file, a config, a spec) cannot be used; nothing was changed."""


class StoreBusy(YardstickError):
    """The DuckDB file is held by another process."""
