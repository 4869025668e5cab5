"""Ingest as a stream: completions enter as Arrow chunks; while one chunk is written (its own short transaction, so
labels and judgments interleave), the next is read by the instruments and the one after is being prepared.

The Store (store.py) owns the transactions; this module owns the shape of a chunk on its way there, the per-cell
reading counts kept beside it, and the progress a page shows (rows done, rate, ETA).
"""
from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from yardstick.instruments import Instrument
from yardstick.instruments.numbers import normalize
from yardstick.instruments.vectorised import read_arrow
from yardstick.store import ids

CHUNK_ROWS = 100_000
COMPLETION_FIELDS = ("completion_id", "completion_key", "run_id", "step", "phase", "decoding", "problem_id", "sample",
                     "text", "n_tokens", "reward", "reward_components", "reference_correct", "right_bits", "wrong_bits",
                     "answered_bits")
MAX_BITS = 63  # instruments with a verdict bit on each completion (the rest are filtered through their readings)
# Each completion's verdicts as bits, one per instrument (instrument_bits): right, wrong, answered.
BITS_SQL = """
    SELECT e.completion_id, bit_or(CASE WHEN e.verdict THEN 1::BIGINT << i.bit ELSE 0 END) AS right_bits,
           bit_or(CASE WHEN NOT e.verdict THEN 1::BIGINT << i.bit ELSE 0 END) AS wrong_bits,
           bit_or(CASE WHEN e.answer IS NOT NULL THEN 1::BIGINT << i.bit ELSE 0 END) AS answered_bits
    FROM {extractions} e JOIN instrument_bits i USING (instrument) {where} GROUP BY 1"""
# The per-(run, step, phase, decoding, instrument) counts that Overview and Curves read instead of every reading.
COUNTS_SQL = """
    SELECT c.run_id, c.step, c.phase, c.decoding, e.instrument, count(*) AS n,
           count(*) FILTER (WHERE e.verdict) AS n_true, count(*) FILTER (WHERE NOT e.verdict) AS n_false,
           count(e.answer) AS n_answered
    FROM {extractions} e JOIN {completions} c USING (completion_id) {where} GROUP BY ALL"""
ADD_COUNTS = ("INSERT INTO reading_counts BY NAME " + COUNTS_SQL + " ON CONFLICT DO UPDATE SET n = n + excluded.n, "
              "n_true = n_true + excluded.n_true, n_false = n_false + excluded.n_false, "
              "n_answered = n_answered + excluded.n_answered")


@dataclass
class Progress:
    """How far a running ingest is: written by the ingest, read by a page (plain fields: safe across threads)."""

    total: int | None = None  # completions expected, when known
    done: int = 0  # completions looked at (new or already there)
    added: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: bool = False
    error: str | None = None
    stop: threading.Event = field(default_factory=threading.Event)  # set: stop after the chunk being written

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.started, 1e-9)

    def eta_s(self) -> float | None:
        if not self.total or not self.done:
            return None
        return max(self.total - self.done, 0) / max(self.rate(), 1e-9)

    def fraction(self) -> float | None:
        return min(self.done / self.total, 1.0) if self.total else None


@dataclass
class Chunk:
    """One transaction's worth: completions prepared (keys, problem ids), then the new ones' readings."""

    completions: pd.DataFrame | None
    problems: pd.DataFrame | None
    runs: list[dict] = field(default_factory=list)  # a batch's runs, with its first chunk
    extras: Any = None  # the Batch whose metrics/labels/judgments/meta go in with this, its last chunk
    readings: pa.Table | None = None  # extraction rows; `row` = position in `completions`
    seen: int = 0  # completions in the chunk before those already stored were dropped


def prepare(df: pd.DataFrame, problem_source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalised gold, problem ids and completion keys, one row per key, in run/step order."""
    df = df.copy()
    for column, default in (("n_tokens", None), ("reward", None), ("reward_components", None),
                            ("reference_correct", None), ("sample", 0)):
        if column not in df:
            df[column] = default
    canon: dict = {}
    golds = [canon[g] if g in canon else canon.setdefault(g, normalize(g)) for g in df["gold"].tolist()]
    problem: dict = {}
    df["gold"] = golds
    df["problem_id"] = [problem[k] if k in problem else problem.setdefault(k, ids.problem_id(*k))
                        for k in zip(df["question"].tolist(), golds)]
    columns = [df[c].tolist() for c in ("run_id", "phase", "decoding", "step", "problem_id", "sample")]
    df["completion_key"] = [ids.completion_key(*key) for key in zip(*columns)]
    df = df.drop_duplicates("completion_key").sort_values(["run_id", "step", "phase", "decoding", "problem_id",
                                                           "sample"], kind="stable")
    problems = df.drop_duplicates("problem_id")[["problem_id", "question", "gold"]].assign(source=problem_source)
    return df, problems


def readings(df: pd.DataFrame, instruments: Sequence[Instrument] | None, vectorised: bool = True) -> pa.Table:
    """Every instrument's readings of `df`'s completions as extraction rows keyed by position (`row`)."""
    texts = pa.array(df["text"], pa.string())
    golds = pa.array(df["gold"], pa.string())
    rows = pa.array(np.arange(len(df), dtype=np.int64))
    parts = []
    for name, r in read_arrow(texts, golds, instruments, vectorised).items():
        parts.append(pa.table({"row": rows, "instrument": pa.array(np.full(len(df), name, dtype=object), pa.string()),
                               "answer": r.answers, "span_start": r.starts, "span_end": r.ends,
                               "verdict": r.verdicts}))
    if not parts:
        return pa.table({"row": pa.array([], pa.int64()), "instrument": pa.array([], pa.string()),
                         "answer": pa.array([], pa.string()), "span_start": pa.array([], pa.int32()),
                         "span_end": pa.array([], pa.int32()), "verdict": pa.array([], pa.bool_())})
    return pa.concat_tables(parts)


def with_ids(table: pa.Table, completion_ids: np.ndarray) -> pa.Table:
    """Readings keyed by their completions' ids instead of positions."""
    rows = table.column("row").to_numpy()
    return table.drop_columns(["row"]).append_column("completion_id", pa.array(completion_ids[rows]))


def keep_rows(table: pa.Table, keep: np.ndarray) -> pa.Table:
    """Readings of the rows kept (`keep`: a mask over the completions), re-pointed to their new positions."""
    position = np.cumsum(keep) - 1
    rows = table.column("row").to_numpy()
    mask = keep[rows]
    kept = table.filter(pa.array(mask))
    return kept.set_column(kept.schema.get_field_index("row"), "row", pa.array(position[rows[mask]]))


def chunks(batches: Iterable[Any], rows: int | None = None) -> Iterator[Chunk]:
    """Each batch's completions cut into chunks; its runs ride with its first chunk, the rest with its last."""
    rows = rows or CHUNK_ROWS
    for batch in batches:
        df = batch.completions if batch.completions is not None and len(batch.completions) else None
        starts = range(0, len(df), rows) if df is not None else [0]
        for i, start in enumerate(starts):
            part = df.iloc[start:start + rows] if df is not None else None
            prepared, problems = prepare(part, batch.problem_source) if part is not None else (None, None)
            yield Chunk(prepared, problems, runs=batch.runs if i == 0 else [],
                        extras=batch if i == len(starts) - 1 else None)


def pipeline(source: Iterator[Chunk], stages: list[Callable[[Chunk], Chunk]], depth: int = 2) -> Iterator[Chunk]:
    """Run `source` and each stage in its own thread, `depth` chunks in flight between them; yields in order.
    An error in any thread stops the others and is raised here."""
    stop = threading.Event()
    done = object()

    def feed(items: Iterator, out: queue.Queue, fn: Callable | None) -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                _put(out, fn(item) if fn else item, stop)
            _put(out, done, stop)
        except BaseException as exc:  # noqa: BLE001  (handed to the consumer)
            _put(out, exc, stop)

    def drain(q: queue.Queue) -> Iterator:
        while True:
            try:
                item = q.get(timeout=0.1)
            except queue.Empty:
                if stop.is_set():
                    return
                continue
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    queues = [queue.Queue(depth) for _ in range(len(stages) + 1)]
    threads = [threading.Thread(target=feed, args=(source, queues[0], None), daemon=True)]
    threads += [threading.Thread(target=feed, args=(drain(queues[i]), queues[i + 1], stage), daemon=True)
                for i, stage in enumerate(stages)]
    for t in threads:
        t.start()
    try:
        yield from drain(queues[-1])
    finally:
        stop.set()
        for t in threads:  # each finishes the item in hand: none may die inside DuckDB when the process exits
            t.join(timeout=60)


def _put(q: queue.Queue, item: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            q.put(item, timeout=0.1)
            return
        except queue.Full:
            continue
