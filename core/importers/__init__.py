"""Importers: recognise what a path holds by its content and turn it into one store Batch.

Each importer parses and validates everything before the store is touched, so bad input changes nothing.
"""
from __future__ import annotations

from pathlib import Path

from core import jsontext
from core.errors import BadInput
from core.importers import completions_jsonl, gsm8k, runfolder, study
from core.store.store import IngestResult, Store

# First whose `recognises` says yes wins. Each has `load(path) -> Batch`, or `ingest(store, path)` when it
# reads incrementally (run folders remember which shards they have ingested).
IMPORTERS = [runfolder, study, gsm8k, completions_jsonl]


def import_path(store: Store, path: str | Path) -> tuple[str, IngestResult]:
    """Import one path; returns the kind recognised and what was added."""
    path = Path(path)
    if not path.exists():
        raise BadInput("Nothing to import", f"{path} does not exist.")
    if path.is_file():
        jsontext.sniff(path)  # a UTF-16 or latin-1 file is named as such, not "unrecognised"
    for importer in IMPORTERS:
        if importer.recognises(path):
            if hasattr(importer, "ingest"):
                return importer.KIND, importer.ingest(store, path)
            return importer.KIND, store.ingest(importer.load(path))
    raise BadInput("Unrecognised import", f"{path.name} is none of: " + "; ".join(
        f"{i.KIND} ({i.LOOKS_LIKE})" for i in IMPORTERS) + ".")
