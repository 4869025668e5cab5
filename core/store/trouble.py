"""What the store says when it cannot be used: another process holds the DuckDB file, or a write found no room.
DuckDB's own errors become StoreBusy / DiskFull with advice for each context (command line, app)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import NoReturn

from yardstick.errors import DiskFull, StoreBusy, StoreUnavailable

NO_ROOM = re.compile(r"No space left on device|File too large|Disk quota exceeded", re.IGNORECASE)
HOLDER = re.compile(r"\(PID (\d+)\)")


def translate(path: Path, exc: Exception) -> StoreUnavailable | None:
    """The user-facing error for a DuckDB failure, or None when it is neither a lock nor a full disk."""
    text = str(exc)
    if "Could not set lock" in text or "Conflicting lock" in text:
        holder = _holder(text)
        return StoreBusy(
            "Store is in use",
            f"{path} is held by another process ({holder}). Only one process can use a store: if that is the app, "
            "do this in the app (Overview → Import, the Audit page) or stop it first; or set YARDSTICK_HOME to "
            "use another store.",
            f"{path} is held by another process ({holder}). Only one app or command can use a store at a time: use "
            "the app that has it open, stop that process, or start this app with another YARDSTICK_HOME; then "
            "reload this page.")
    found = NO_ROOM.search(text)
    if found:
        why = f"{found.group(0).lower()} while writing {path.name}"
        return DiskFull(
            "Disk full",
            f"There was no room to write the store ({why}). Nothing was lost: the store is as it was before this "
            "command. Free some space (old run folders, $YARDSTICK_HOME/imports), then run the command again.",
            f"There was no room to write the store ({why}). Nothing was lost: the store is as it was before the "
            "last change. Free some space on that disk (old run folders, $YARDSTICK_HOME/imports), then reload "
            "this page and try again.")
    return None


def reraise(path: Path, exc: Exception) -> NoReturn:
    """Inside `except`: raise the user-facing error for `exc`, or `exc` itself."""
    problem = translate(path, exc)
    if problem is None:
        raise exc
    raise problem from exc


def _holder(text: str) -> str:
    found = HOLDER.search(text)
    if not found:
        return "another program"
    try:
        cmdline = Path(f"/proc/{found.group(1)}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return f"PID {found.group(1)}"
    return f"PID {found.group(1)}: {cmdline.strip()[:160]}"
