"""Reading job folders into the store: what every run folder has written since last time, ingested by the process
that holds the store (the app, or a command). Cheap when nothing changed: no write at all, so caches stay valid."""
from __future__ import annotations

from dataclasses import dataclass, field

from yardstick.importers import recorded
from yardstick.importers.base import Seen
from yardstick.jobs import queue


@dataclass
class SyncResult:
    changed: list[str] = field(default_factory=list)  # runs with new rows or a new status
    problems: list[str] = field(default_factory=list)  # "run: what went wrong" for folders that could not be read


def sync(store) -> SyncResult:
    """Ingest what every run folder and job folder has written since last time (cheap when nothing changed: no
    write at all). A folder that cannot be read is reported and skipped; the others go on."""
    result = SyncResult()
    seen = Seen.of(store)  # one look at what the store has, not two queries per folder
    for folder in queue.folders() + queue.jobs():
        try:
            if folder.status().get("state") == "queued":
                continue
            if any(vars(store.ingest(recorded.load(folder.path, seen))).values()):
                result.changed.append(folder.run_id)
        except Exception as exc:  # noqa: BLE001  (one bad folder must not hide the others)
            result.problems.append(f"{folder.run_id}: {type(exc).__name__}: {exc}"[:300])
    return result
