"""Importers: recognise what a path holds by its content and turn it into one store Batch (see base.Importer).

Each importer parses and validates everything before the store is touched, so bad input changes nothing.
"""
from __future__ import annotations

from pathlib import Path

from core import jsontext
from core.errors import BadInput
from core.importers import completions_jsonl, gsm8k, runfolder, study, trl, wandb_run
from core.importers.base import Importer, Seen
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
                data: str | Path | None = None) -> tuple[str, IngestResult]:
    """Import one path; returns the kind recognised and what was added (nothing, when nothing is new).
    `data`: a JSONL or parquet file of prompts and answers, for runs whose logs carry no gold (TRL, W&B)."""
    path = Path(path)
    if not path.exists():
        raise BadInput("Nothing to import", f"{path} does not exist.")
    if path.is_file():
        jsontext.sniff(path)  # a UTF-16 or latin-1 file is named as such, not "unrecognised"
    importer = recognise(path)
    seen = seen or Seen.of(store)
    if data is None:
        return importer.KIND, store.ingest(importer.load(path, seen))
    if not getattr(importer, "JOINS_DATA", False):
        raise BadInput("--data does not apply", f"{path.name} is a {importer.KIND}, which carries its own gold "
                       "answers; --data is for TRL output folders and W&B runs.")
    if not Path(data).is_file():
        raise BadInput("No such data file", f"{data} does not exist.")
    return importer.KIND, store.ingest(importer.load(path, seen, data=Path(data)))
