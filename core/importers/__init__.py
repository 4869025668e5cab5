"""Importers: recognise what a path holds by its content and turn it into one store Batch (see base.Importer).

Each importer parses and validates everything before the store is touched, so bad input changes nothing. A long
import runs as a job (jobs/imports.py): the store commits it chunk by chunk, so pages keep working.
"""
from __future__ import annotations

from pathlib import Path

from yardstick.errors import BadInput
from yardstick.guard import jsontext
from yardstick.importers import completions_jsonl, gsm8k, recorded, study, trl, wandb_run
from yardstick.importers.base import Importer, Seen
from yardstick.store.ingest import Progress
from yardstick.store.store import IngestResult, Store

# The first that recognises a path wins.
IMPORTERS: list[Importer] = [recorded, study, trl, wandb_run, gsm8k, completions_jsonl]


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
