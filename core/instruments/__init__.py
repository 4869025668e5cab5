"""Instruments: named functions that read a completion. See registry.py (the one registry) and builtin.py.

`read_all` is the one batch path: the store's ingest and backfill and `yardstick score` all call it.
"""
from __future__ import annotations

from typing import Sequence

from core.instruments.numbers import normalize
from core.instruments.registry import (Extraction, Instrument, Reading, all_instruments, check, extractor,
                                       get, unregister)

__all__ = ["Extraction", "Instrument", "Reading", "all_instruments", "check", "extractor", "get",
           "unregister", "read_all"]


def read_all(texts: Sequence[str], golds: Sequence[str | None],
             instruments: Sequence[Instrument] | None = None) -> dict[str, list[Reading]]:
    """Every instrument's Reading of every (text, gold), keyed by instrument name, in input order."""
    from core.instruments.isolation import run_isolated

    chosen = list(instruments) if instruments is not None else all_instruments()
    golds = [normalize(g) for g in golds]  # once, not once per instrument
    out: dict[str, list[Reading]] = {}
    for inst in chosen:
        if inst.isolated:
            raws = run_isolated(inst.name, list(zip(texts, golds)), inst.time_limit_s, failed=Extraction(None))
        elif inst.needs_gold:
            raws = [inst.fn(text, gold) for text, gold in zip(texts, golds)]
        else:
            raws = [inst.fn(text) for text in texts]
        out[inst.name] = [inst.reading_from(raw, gold) for raw, gold in zip(raws, golds)]
    return out
