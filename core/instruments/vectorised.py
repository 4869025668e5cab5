"""Bulk reading for the store: each instrument's vectorised form (a DuckDB expression, sqlforms.py) where it
decides, its Python function where it does not (NULL), merged into Arrow columns in input order.

The Python function stays the definition; the form only makes ingest and backfill fast. Instruments without a
form, and `vectorised=False`, take the plain path (batch.read_all) for every completion.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from yardstick.instruments.batch import Column, read_all, read_parts
from yardstick.instruments.numbers import normalize
from yardstick.instruments.registry import Instrument, all_instruments

_LOCAL = threading.local()
BATCH_ROWS = 16_384  # Arrow record batches: DuckDB's threads share a batch by these


@dataclass
class Readings:
    """One instrument's readings of a batch as Arrow arrays (the extractions table's columns)."""

    answers: pa.Array
    starts: pa.Array
    ends: pa.Array
    verdicts: pa.Array


def normalize_golds(golds: pa.Array) -> pa.Array:
    """numbers.normalize of each gold, computed once per distinct value."""
    encoded = pa.chunked_array([golds]).combine_chunks().dictionary_encode() if len(golds) else golds
    if not len(golds):
        return pa.array([], pa.string())
    canon = pa.array([normalize(g) for g in encoded.dictionary.to_pylist()], pa.string())
    return canon.take(encoded.indices)


def read_arrow(texts: pa.Array, golds: pa.Array, instruments: Sequence[Instrument] | None = None,
               vectorised: bool = True) -> dict[str, Readings]:
    """Every instrument's readings of every (text, gold); `golds` already normalised."""
    chosen = list(instruments) if instruments is not None else all_instruments()
    fast = [i for i in chosen if i.sql and vectorised and len(texts)]
    decided = _run_sql(fast, texts, golds) if fast else {}
    plain = [i for i in chosen if i not in fast]
    out: dict[str, Readings] = {}
    if plain:
        columns = read_all(texts.to_pylist(), golds.to_pylist(), plain)
        for inst in plain:
            col = columns[inst.name]
            out[inst.name] = _readings(inst, pa.array(col.answers, pa.string()), pa.array(col.starts, pa.int32()),
                                       pa.array(col.ends, pa.int32()), pa.array(col.verdicts, pa.bool_()), golds)
    undecided = {inst.name: decided[inst.name].is_null() for inst in fast}
    todo = {name: pc.indices_nonzero(mask) for name, mask in undecided.items()}
    parts = [(inst, texts.take(todo[inst.name]).to_pylist(), golds.take(todo[inst.name]).to_pylist())
             for inst in fast if len(todo[inst.name])]
    filled = dict(zip([inst.name for inst, _, _ in parts], read_parts(parts)))
    for inst in fast:
        out[inst.name] = _merge(inst, decided[inst.name], undecided[inst.name], filled.get(inst.name), golds)
    return {inst.name: out[inst.name] for inst in chosen}


def _run_sql(instruments: list[Instrument], texts: pa.Array, golds: pa.Array) -> dict[str, pa.Array]:
    """Each form over the batch (DuckDB uses every core); NULL where a form declines."""
    con = getattr(_LOCAL, "con", None)
    if con is None:
        con = _LOCAL.con = duckdb.connect()
        con.execute("SET enable_progress_bar = false; SET memory_limit = '512MB'")
    batch = pa.Table.from_batches(pa.table({"text": texts, "gold": golds}).to_batches(max_chunksize=BATCH_ROWS))
    con.register("batch", batch)
    try:
        return {inst.name: con.sql(inst.sql).to_arrow_table().column(0).combine_chunks() for inst in instruments}
    finally:
        con.unregister("batch")


def _merge(inst: Instrument, values: pa.Array, undecided: pa.Array, column: Column | None,
           golds: pa.Array) -> Readings:
    """The form's readings, with the Python function's (`column`) where the form declined."""
    def patched(array: pa.Array, python: list, kind: pa.DataType) -> pa.Array:
        return pc.replace_with_mask(array, undecided, pa.array(python, kind)) if column is not None else array

    if inst.kind == "check":
        verdicts = patched(values, column.verdicts if column else [], pa.bool_())
        nothing = pa.nulls(len(values), pa.string())
        return Readings(nothing, pa.nulls(len(values), pa.int32()), pa.nulls(len(values), pa.int32()), verdicts)
    return _readings(inst, patched(values.field("answer"), column.answers if column else [], pa.string()),
                     patched(values.field("span_start"), column.starts if column else [], pa.int32()),
                     patched(values.field("span_end"), column.ends if column else [], pa.int32()), None, golds)


def _readings(inst: Instrument, answers: pa.Array, starts: pa.Array, ends: pa.Array, verdicts: pa.Array | None,
              golds: pa.Array) -> Readings:
    if inst.kind == "check":
        return Readings(answers, starts, ends, verdicts)
    # The Arrow form of batch.is_right: an answer, equal to gold; no gold reads as no verdict (null), not "wrong".
    right = pc.if_else(pc.is_null(golds), pa.scalar(None, pa.bool_()), pc.fill_null(pc.equal(answers, golds), False))
    return Readings(answers, starts, ends, right)
