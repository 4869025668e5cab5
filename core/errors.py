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


class StoreUnavailable(YardstickError):
    """The store cannot be used now; nothing in it was lost. `message` is the advice for the command line,
    `app_message` the advice for the app (the fix differs: one is told to use the app, the other to reload)."""

    def __init__(self, title: str, message: str, app_message: str) -> None:
        super().__init__(title, message)
        self.app_message = app_message


class StoreBusy(StoreUnavailable):
    """The DuckDB file is held by another process."""


class DiskFull(StoreUnavailable):
    """A write to the store found no room (disk full, quota, or file-size limit); the store is as it was."""
