"""Run folders (from the Launch page's workers, or from a user's own GPU job through the recorder).

Shards already ingested are remembered in the store, so polling a live run reads only what is new; the status
is refreshed every time (running → finished, or crashed when the heartbeat went stale).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.runfolder import RunFolder, is_run_folder
from core.store.store import IngestResult, Store

KIND = "run folder"
LOOKS_LIKE = "a folder with config.json and status.json (written by a Yardstick worker or recorder)"


def recognises(path: Path) -> bool:
    return is_run_folder(path)


@dataclass(frozen=True)
class Seen:
    """What the store already holds of run folders: the shards ingested and each run's status."""

    shards: frozenset[str]
    statuses: dict[str, str]

    @classmethod
    def of(cls, store: Store) -> "Seen":
        return cls(frozenset(store.meta_keys("shard:")), store.run_statuses())


def ingest(store: Store, path: Path, seen: Seen | None = None) -> IngestResult:
    folder = RunFolder(path)
    seen = seen or Seen.of(store)
    prefix = f"shard:{folder.run_id}/"
    done = {key.removeprefix(prefix) for key in seen.shards if key.startswith(prefix)}
    batch, read = folder.to_batch(skip=done)
    if not read and seen.statuses.get(folder.run_id) == batch.runs[0]["status"]:
        return IngestResult()  # nothing new: no write, so the app's caches stay valid
    result = store.ingest(batch)
    store.set_meta_many({prefix + name: "1" for name in read})
    return result
