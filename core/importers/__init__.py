"""Importers: recognise what a path holds by its content and turn it into one store Batch (see base.Importer).

Each importer parses and validates everything before the store is touched, so bad input changes nothing. A long
import runs off the page's thread (`start_import`): the store commits it chunk by chunk, so pages keep working.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from core import jsontext
from core.errors import BadInput, YardstickError
from core.importers import completions_jsonl, gsm8k, runfolder, study, trl, wandb_run
from core.importers.base import Importer, Seen
from core.store.ingest import Progress
from core.store.store import IngestResult, Store

# The first that recognises a path wins.
IMPORTERS: list[Importer] = [runfolder, study, trl, wandb_run, gsm8k, completions_jsonl]


def recognise(path: Path) -> Importer:
    for importer in IMPORTERS:
        if importer.recognises(path):
            return importer
    raise BadInput("Unrecognised import", f"{path.name} is none of: " + "; ".join(
        f"{i.KIND} ({i.LOOKS_LIKE})" for i in IMPORTERS) + ".")


def import_path(store: Store, path: str | Path, seen: Seen | None = None,
                data: str | Path | None = None, progress: Progress | None = None) -> tuple[str, IngestResult]:
    """Import one path; returns the kind recognised and what was added (nothing, when nothing is new).
    `data`: a JSONL or parquet file of prompts and answers, for runs whose logs carry no gold (TRL, W&B);
    `progress` follows a long import (rows, rate, ETA)."""
    path = Path(path)
    if not path.exists():
        raise BadInput("Nothing to import", f"{path} does not exist.")
    if path.is_file():
        jsontext.sniff(path)  # a UTF-16 or latin-1 file is named as such, not "unrecognised"
    importer = recognise(path)
    seen = seen or Seen.of(store)
    if data is not None:
        if not getattr(importer, "JOINS_DATA", False):
            raise BadInput("--data does not apply", f"{path.name} is a {importer.KIND}, which carries its own gold "
                           "answers; --data is for TRL output folders and W&B runs.")
        if not Path(data).is_file():
            raise BadInput("No such data file", f"{data} does not exist.")
    batch = importer.load(path, seen, data=Path(data)) if data is not None else importer.load(path, seen)
    if progress is not None and batch.completions is not None:
        progress.total = len(batch.completions)
    return importer.KIND, store.ingest(batch, progress=progress)


@dataclass
class ImportJob:
    """An import running in a background thread: its progress, then its result or its error."""

    path: str
    progress: Progress = field(default_factory=Progress)
    result: tuple[str, IngestResult] | None = None
    error: YardstickError | None = None
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


_JOBS: dict[str, ImportJob] = {}  # the store's path → its latest import (one at a time per store)
_JOBS_LOCK = threading.Lock()


def start_import(store: Store, path: str | Path) -> ImportJob:
    """Start importing `path` off the caller's thread; a second import of the same store waits for the first."""
    with _JOBS_LOCK:
        job = _JOBS.get(str(store.path))
        if job is not None and job.running:
            raise BadInput("An import is running", f"{job.path} is still being imported; wait for it to finish.")
        job = _JOBS[str(store.path)] = ImportJob(str(path))

    def run() -> None:
        try:
            job.result = import_path(store, path, progress=job.progress)
        except YardstickError as exc:
            job.error = exc
        except Exception as exc:  # noqa: BLE001  (shown to the user as a titled error, not lost in a thread)
            job.error = YardstickError("Import failed", f"{type(exc).__name__}: {exc}")
        finally:
            job.progress.finished = True

    job.thread = threading.Thread(target=run, name=f"import {path}", daemon=True)
    job.thread.start()
    return job


def current_import(store: Store) -> ImportJob | None:
    """The store's latest import (running or done), if any."""
    return _JOBS.get(str(store.path))
