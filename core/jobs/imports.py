"""Import jobs: a path imported in the background by the process that holds the store (the app: DuckDB allows one
writer), owned through a job folder like every other job — its progress (rows, rate, ETA), result or error are in
the folder's status, so the Overview page shows them in every browser and can cancel, and they outlive the app.

An import stops between chunks when cancelled: each chunk is committed whole, and importing the same path again adds
only what is missing. One whose app stopped reads as crashed; "Import again" finishes it the same way.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

from yardstick import home
from yardstick.errors import BadInput, StoreUnavailable, YardstickError
from yardstick.jobs import queue
from yardstick.record.config import slug
from yardstick.record.folder import LIVE, RunFolder
from yardstick.store.ingest import Progress

REPORT_S = 0.5


def submit(store: Any, path: str | Path, data: str | Path | None = None) -> str:
    """Start importing `path` off the caller's thread; returns the job's id. One import at a time per home."""
    running = [j for j in jobs() if j["live"]]
    if running:
        raise BadInput("An import is running", f"{running[0]['path']} is still being imported; wait for it to finish "
                       "or cancel it.")
    job = f"{time.strftime('%Y%m%d-%H%M%S')}-import-{slug(Path(path).name)[:40] or 'path'}"
    folder = RunFolder(home.jobs_dir() / job)
    folder.path.mkdir(parents=True)
    folder.claim()  # this process runs it: no one else
    folder.create("import", {"path": str(path), "data": str(data) if data else None},
                  status={"state": "running", "pid": os.getpid(), "host": socket.gethostname(),
                          "started_at": time.time()})
    threading.Thread(target=_run, args=(store, folder), name=f"yardstick-import-{job}", daemon=True).start()
    return job


def jobs() -> list[dict[str, Any]]:
    """Every import job of this home, newest first (read from the folders)."""
    return [{"job": folder.run_id, "path": config.get("path"), "data": config.get("data"),
             "state": status.get("state"), "live": status.get("state") in LIVE,
             **{k: status.get(k) for k in ("done", "total", "added", "rate", "eta_s", "recognised", "result")},
             "error": status.get("error")} for folder, status, config in queue.listing("import")]


def _run(store: Any, folder: RunFolder) -> None:
    from yardstick.importers import import_path

    config = folder.config()
    progress = Progress()
    stop = threading.Event()

    def report() -> None:
        eta = progress.eta_s()
        folder.set_status(done=progress.done, total=progress.total, added=progress.added,
                          rate=round(progress.rate(), 1), eta_s=None if eta is None else round(eta, 1))

    def watch() -> None:
        while not stop.wait(REPORT_S):
            if folder.cancel_requested():
                progress.stop.set()
            report()

    watcher = threading.Thread(target=watch, daemon=True, name=f"{threading.current_thread().name}-report")
    watcher.start()
    with folder.heartbeat():
        try:
            kind, result = import_path(store, config["path"], data=config.get("data"), progress=progress)
            outcome: dict[str, Any] = {"recognised": kind, "result": str(result),
                                       "state": "cancelled" if progress.stop.is_set() else "finished"}
        except StoreUnavailable as exc:  # the app's advice (reload this page), not the command line's
            outcome = {"state": "failed", "error": {"title": exc.title, "message": exc.app_message}}
        except YardstickError as exc:
            outcome = {"state": "failed", "error": exc.as_dict()}
        except Exception as exc:  # noqa: BLE001  (shown as a titled error, not lost in a thread)
            outcome = {"state": "failed", "error": {"title": "Import failed", "message": f"{type(exc).__name__}: {exc}"}}
        finally:
            stop.set()
            watcher.join()
    report()
    folder.set_status(finished_at=time.time(), **outcome)
