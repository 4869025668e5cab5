"""Run folders (from the Launch page's workers, or from a user's own GPU job through the recorder).

Shards already ingested are remembered in the store, so polling a live run reads only what is new; the status
is refreshed every time (running → finished, or crashed when the heartbeat went stale).
"""
from __future__ import annotations

from pathlib import Path

from core.runfolder import RunFolder, is_run_folder
from core.store.store import IngestResult, Store

KIND = "run folder"
LOOKS_LIKE = "a folder with config.json and status.json (written by a Yardstick worker or recorder)"


def recognises(path: Path) -> bool:
    return is_run_folder(path)


def ingest(store: Store, path: Path) -> IngestResult:
    folder = RunFolder(path)
    prefix = f"shard:{folder.run_id}/"
    done = {key.removeprefix(prefix) for key in store.meta_keys(prefix)}
    batch, read = folder.to_batch(skip=done)
    if not read and store.run_status(folder.run_id) == batch.runs[0]["status"]:
        return IngestResult()  # nothing new: no write, so the app's caches stay valid
    result = store.ingest(batch)
    store.set_meta_many({prefix + name: "1" for name in read})
    return result
