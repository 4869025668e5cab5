"""Instruments: named functions that read a completion. See registry.py (the one registry), builtin.py (the
built-ins) and batch.py (`read_all`, the one batch path for ingest, backfill and `yardstick score`)."""
from __future__ import annotations

from yardstick.instruments.registry import (
                                       Extraction,
                                       Instrument,
                                       Reading,
                                       all_instruments,
                                       check,
                                       extractor,
                                       get,
                                       unregister,
)

__all__ = ["Extraction", "Instrument", "Reading", "all_instruments", "check", "extractor", "get", "unregister"]
