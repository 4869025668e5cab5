"""Reading many completions at once: the one batch path behind ingest, backfill and `yardstick score`.

Results are column-wise (the store's shape). Large batches are split across CPU cores in spawned worker
processes; instruments with a time limit run in their own killable workers (isolation.py).
"""
from __future__ import annotations

import importlib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence

from yardstick.instruments.isolation import run_isolated
from yardstick.instruments.numbers import normalize
from yardstick.instruments.registry import Extraction, Instrument, Reading, all_instruments, get
from yardstick.instruments.workers import pool as spawn_pool

PARALLEL_MIN = 20_000  # below this, starting worker processes costs more than it saves


@dataclass
class Column:
    """One instrument's readings of a batch, column-wise."""

    answers: list[str | None] = field(default_factory=list)
    starts: list[int | None] = field(default_factory=list)
    ends: list[int | None] = field(default_factory=list)
    verdicts: list[bool | None] = field(default_factory=list)  # None: an extractor's reading with no gold

    def extend(self, other: "Column") -> None:
        for name in ("answers", "starts", "ends", "verdicts"):
            getattr(self, name).extend(getattr(other, name))

    def __len__(self) -> int:
        return len(self.verdicts)

    def __getitem__(self, i: int) -> Reading:
        span = (self.starts[i], self.ends[i]) if self.starts[i] is not None else None
        return Reading(self.answers[i], span, self.verdicts[i])


def read_all(texts: Sequence[str], golds: Sequence[str | None],
             instruments: Sequence[Instrument] | None = None, workers: int | None = None) -> dict[str, Column]:
    """Every instrument's readings of every (text, gold), keyed by instrument name, in input order."""
    chosen = list(instruments) if instruments is not None else all_instruments()
    golds = [normalize(g) for g in golds]  # once, not once per instrument
    workers = workers or min(os.cpu_count() or 1, 4)
    out: dict[str, Column] = {}
    portable = [i.name for i in chosen if not i.isolated and _importable(i)]
    if len(texts) >= PARALLEL_MIN and workers > 1 and portable:
        step = -(-len(texts) // workers)
        pool = _pool(workers)
        parts = [pool.submit(_columns, portable, texts[i:i + step], golds[i:i + step])
                 for i in range(0, len(texts), step)]
        out = {name: Column() for name in portable}
        for part in parts:
            for name, column in part.result().items():
                out[name].extend(column)
    for inst in chosen:
        if inst.name in out:
            continue
        if inst.isolated:
            raws = run_isolated(inst.name, list(zip(texts, golds)), inst.time_limit_s, failed=Extraction(None))
        else:
            raws = _raws(inst, texts, golds)
        out[inst.name] = _column(inst, raws, golds)
    return {inst.name: out[inst.name] for inst in chosen}


def read_parts(parts: Sequence[tuple[Instrument, Sequence[str], Sequence[str | None]]],
               workers: int | None = None) -> list[Column]:
    """Each (instrument, texts, normalised golds) part read with its Python function, all parts spread over the
    worker pool at once (inline when there is little to read, or the instrument exists only in this process)."""
    workers = workers or min(os.cpu_count() or 1, 4)
    pool = _pool(workers) if workers > 1 and sum(len(t) for _, t, _ in parts) >= PARALLEL_MIN // 10 else None
    pending = []
    for inst, texts, golds in parts:
        if pool is None or inst.isolated or not _importable(inst):
            pending.append([read_all(texts, golds, [inst], workers=1)[inst.name]])
            continue
        step = max(-(-len(texts) // workers), 1)
        pending.append([pool.submit(_columns, [inst.name], texts[i:i + step], golds[i:i + step])
                        for i in range(0, len(texts), step)])
    out = []
    for (inst, _, _), pieces in zip(parts, pending):
        column = Column()
        for piece in pieces:
            column.extend(piece if isinstance(piece, Column) else piece.result()[inst.name])
        out.append(column)
    return out


_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, kept between batches: spawning workers costs ~0.4 s, a batch of 100k ~4 s."""
    pool = _POOLS.get(workers)
    if pool is None or getattr(pool, "_broken", False):
        pool = _POOLS[workers] = spawn_pool(workers)
    return pool


def _raws(inst: Instrument, texts: Sequence[str], golds: Sequence[str | None]) -> list:
    if inst.needs_gold:
        return [inst.fn(text, gold) for text, gold in zip(texts, golds)]
    return [inst.fn(text) for text in texts]


def _column(inst: Instrument, raws: list, golds: Sequence[str | None]) -> Column:
    col = Column()
    if inst.kind == "check":
        col.verdicts = [bool(r) for r in raws]
        col.answers = col.starts = col.ends = [None] * len(raws)
        return col
    col.answers = [normalize(r.answer) for r in raws]
    col.starts = [r.span[0] if r.span else None for r in raws]
    col.ends = [r.span[1] if r.span else None for r in raws]
    col.verdicts = [is_right(a, g) for a, g in zip(col.answers, golds)]
    return col


def is_right(answer: str | None, gold: str | None) -> bool | None:
    """An extractor's verdict: it read an answer, and that answer is gold (both normalised); None when there is no
    gold to compare with ("no gold", not "wrong")."""
    return None if gold is None else answer is not None and answer == gold


def _columns(names: list[str], texts: Sequence[str], golds: Sequence[str | None]) -> dict[str, Column]:
    """Worker side: read one slice with the named instruments."""
    return {name: _column(get(name), _raws(get(name), texts, golds), golds) for name in names}


def _importable(inst: Instrument) -> bool:
    """Only instruments defined at module level exist in a spawned worker (not ones made inside a function)."""
    try:
        module = importlib.import_module(inst.fn.__module__)
    except ImportError:
        return False
    return getattr(module, inst.fn.__name__, None) is inst.fn
