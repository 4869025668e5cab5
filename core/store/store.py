"""The Store: one DuckDB file, the only writer of it, and the one place that turns batches into rows.

Every write is one transaction that commits at once; ingest is idempotent (stable ids, insert-if-new), and
instruments' readings are computed on ingest and backfilled when an instrument is added or its version changes.
"""
from __future__ import annotations

import functools
import json
import os
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from yardstick.errors import BadInput
from yardstick.instruments import Instrument, all_instruments
from yardstick.instruments.numbers import normalize
from yardstick.store import ingest, trouble
from yardstick.store.ingest import Progress
from yardstick.store.migrations import LATEST, migrate, version
from yardstick.store.schema import VIEWS

RUN_FIELDS = ("run_id", "name", "source", "model", "reward_spec", "seed", "seed_group", "status", "config",
              "notes", "created_at", "error", "eval_set")
USER_RUN_FIELDS = ("name", "notes", "created_at")  # set once by the importer, then the user's to edit
BACKFILL_CHUNK = 50_000
MEMORY_LIMIT = "1536MB"  # DuckDB's share of the app's memory (the rest: Python, pandas, Streamlit)


@dataclass
class Batch:
    """What an importer or a run folder hands the store. Completions carry `question` and `gold`;
    labels and judgments carry a `completion_key` made with `ids.completion_key`."""

    runs: list[dict] = field(default_factory=list)
    completions: pd.DataFrame | None = None
    metrics: pd.DataFrame | None = None
    labels: pd.DataFrame | None = None
    judgments: pd.DataFrame | None = None
    problem_source: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # e.g. which files of a growing source were read

    @property
    def empty(self) -> bool:
        return not (self.runs or self.meta) and all(df is None or not len(df) for df in (
            self.completions, self.metrics, self.labels, self.judgments))


@dataclass
class IngestResult:
    runs: int = 0
    completions: int = 0
    metrics: int = 0
    labels: int = 0
    judgments: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{v} {k}" for k, v in vars(self).items())


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Store:
    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        """Open (and create) the store; `read_only` opens an existing one for commands that only read."""
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            if read_only:
                self.con = duckdb.connect(str(self.path), read_only=True)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.con = duckdb.connect(str(self.path))
        except duckdb.Error as exc:
            trouble.reraise(self.path, exc)  # held by another process, or no room
        # DuckDB caches up to 80% of RAM by default; the app must stay small beside the user's other work.
        self.con.execute("SET memory_limit = ?", [os.environ.get("YARDSTICK_MEMORY_LIMIT", MEMORY_LIMIT)])
        try:
            if read_only:
                current = version(self.con)
                if current != LATEST:
                    raise BadInput("Store needs upgrading" if current < LATEST else "Store made by a newer Yardstick",
                                   f"{self.path} has schema version {current}; this Yardstick reads {LATEST}. Open "
                                   "it once with the app or `yardstick import` (which upgrade it), then try again.")
                self.migrated: list[int] = []
                self.con.execute(VIEWS.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW"))
                return
            self.migrated = migrate(self.con)
        except BaseException:
            self.con.close()
            raise
        self.con.execute(VIEWS)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for this thread: one DuckDB connection must not be used by two threads at once."""
        return self.con.cursor()

    def close(self) -> None:
        self.con.close()

    def revision(self) -> int:
        """Bumped by every write; pages key their caches on it."""
        return int(self.cursor().execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])

    @contextmanager
    def _write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: serialised within the process (judge threads, the page), committed at once,
        and bumping the revision that pages key their caches on."""
        with self._lock:
            cur = self.cursor()
            cur.begin()
            try:
                yield cur
                cur.execute("UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                            "WHERE key = 'revision'")
                cur.commit()
            except duckdb.Error as exc:
                with suppress(duckdb.Error):
                    cur.rollback()
                trouble.reraise(self.path, exc)  # no room: the store is as it was
            except BaseException:
                cur.rollback()
                raise

    # --- ingest ---------------------------------------------------------------------------------
    def ingest(self, batch: Batch, instruments: Sequence[Instrument] | None = None,
               progress: Progress | None = None) -> IngestResult:
        """Add a batch; rows already present are left alone (see ingest_stream)."""
        return self.ingest_stream([batch], instruments, progress)

    def ingest_stream(self, batches: Iterable[Batch], instruments: Sequence[Instrument] | None = None,
                      progress: Progress | None = None, vectorised: bool = True) -> IngestResult:
        """Add batches as a stream of chunks, each chunk in its own transaction (labels and judgments written
        meanwhile go in between): a batch's runs come with its first chunk; its metrics, labels, judgments and meta
        with its last, so a source is recorded as read only once all of it is in. `vectorised=False` reads every
        completion with the instruments' Python functions (the definition) instead of their vectorised forms."""
        result, progress = IngestResult(), progress or Progress()
        read = functools.partial(self._read_chunk, instruments=instruments, vectorised=vectorised)
        try:
            for chunk in ingest.pipeline(ingest.chunks(b for b in batches if not b.empty), [read]):
                if progress.stop.is_set():
                    break  # every chunk so far is committed whole; importing again adds what is missing
                self._write_chunk(chunk, result)
                progress.done += chunk.seen
                progress.added = result.completions
        except BaseException as exc:
            progress.error = str(exc) or type(exc).__name__
            raise
        finally:
            progress.finished = True
        return result

    def _read_chunk(self, chunk: ingest.Chunk, instruments: Sequence[Instrument] | None,
                    vectorised: bool) -> ingest.Chunk:
        """Off the write lock: drop completions already stored, read the rest with every instrument."""
        if chunk.completions is not None:
            chunk.seen = len(chunk.completions)
            known = self._known_keys(self.cursor(), chunk.completions)
            chunk.completions = chunk.completions[~chunk.completions["completion_key"].isin(known)]
            if len(chunk.completions):
                chunk.readings = ingest.readings(chunk.completions, instruments, vectorised)
        return chunk

    def _write_chunk(self, chunk: ingest.Chunk, result: IngestResult) -> None:
        new, extras = chunk.completions, chunk.extras
        if not chunk.runs and extras is None and (new is None or not len(new)):
            return  # nothing new: no write, so the revision (and the app's caches) stay as they are
        with self._write() as cur:
            for run in chunk.runs:
                row = {k: run.get(k) for k in RUN_FIELDS}
                row["config"] = json.dumps(row["config"] or {})
                row["error"] = json.dumps(row["error"]) if row["error"] else None
                row["created_at"] = row["created_at"] or now()
                refreshed = ", ".join(f"{k} = excluded.{k}" for k in RUN_FIELDS[1:] if k not in USER_RUN_FIELDS)
                cur.execute(f"INSERT INTO runs ({', '.join(RUN_FIELDS)}) VALUES ({', '.join('?' * len(RUN_FIELDS))}) "
                            f"ON CONFLICT (run_id) DO UPDATE SET {refreshed}", list(row.values()))
            result.runs += len(chunk.runs)
            if chunk.problems is not None:
                self._insert_frame(cur, "problems", chunk.problems, "INSERT OR IGNORE")
            if new is not None and len(new):
                self._add_completions(cur, new, chunk.readings, result)
            if extras is not None:
                if extras.metrics is not None and len(extras.metrics):
                    metrics = extras.metrics.assign(n=extras.metrics["n"] if "n" in extras.metrics else None)[
                        ["run_id", "step", "name", "value", "phase", "decoding", "n"]]
                    self._insert_frame(cur, "metrics", metrics, "INSERT OR REPLACE")
                    result.metrics += len(metrics)
                result.labels += self._insert_once(cur, "labels", extras.labels, "labeller")
                result.judgments += self._insert_once(cur, "judgments", extras.judgments, "model")
                self._put_meta(cur, extras.meta)

    def _add_completions(self, cur: duckdb.DuckDBPyConnection, new: pd.DataFrame, readings: pa.Table,
                         result: IngestResult) -> None:
        """Under the write lock: sequential ids in run/step order, then the rows, their readings and the counts.
        Rows another writer added since they were found new (two syncs of one live run) are dropped first."""
        known = self._known_keys(cur, new)
        if len(known):
            keep = ~new["completion_key"].isin(known).to_numpy()
            new, readings = new[keep], ingest.keep_rows(readings, keep)
            if not len(new):
                return
        first = cur.execute("SELECT coalesce(max(completion_id), 0) + 1 FROM completions").fetchall()[0][0]
        completion_ids = np.arange(first, first + len(new), dtype=np.int64)
        extractions = ingest.with_ids(readings, completion_ids)
        self._give_bits(cur, extractions.column("instrument").unique().to_pylist())
        cur.register("_ex", extractions)
        try:
            bits = cur.execute(ingest.BITS_SQL.format(extractions="_ex", where="") + " ORDER BY 1").df()
            new = new.assign(completion_id=completion_ids)
            for column in ("right_bits", "wrong_bits", "answered_bits"):
                new[column] = bits[column].to_numpy() if len(bits) == len(new) else 0
            self._insert_frame(cur, "completions", new[list(ingest.COMPLETION_FIELDS)])
            self._insert_frame(cur, "extractions", extractions)
            cur.register("_co", new[["completion_id", "run_id", "step", "phase", "decoding"]])
            cur.execute(ingest.ADD_COUNTS.format(extractions="_ex", completions="_co", where=""))
        finally:
            cur.unregister("_ex")
            cur.unregister("_co")
        result.completions += len(new)

    @staticmethod
    def _give_bits(cur: duckdb.DuckDBPyConnection, names: list[str]) -> None:
        """A verdict bit for each of these instruments that has none yet, while bits last."""
        for name in names:
            cur.execute("INSERT INTO instrument_bits SELECT ?, count(*) FROM instrument_bits "
                        f"HAVING count(*) < {ingest.MAX_BITS} AND NOT bool_or(instrument = ?) IS TRUE", [name, name])

    @staticmethod
    def _known_keys(cur: duckdb.DuckDBPyConnection, df: pd.DataFrame) -> Any:
        """The keys of `df` already stored. A key names its run, so only those runs' rows are looked at (runs sit
        together on disk: the scan skips the rest of a large store)."""
        cur.register("_incoming", df[["completion_key", "run_id"]])
        try:
            return cur.execute("SELECT completion_key FROM _incoming SEMI JOIN (SELECT completion_key FROM completions "
                               "WHERE run_id IN (SELECT DISTINCT run_id FROM _incoming)) USING (completion_key)"
                               ).fetchnumpy()["completion_key"]
        finally:
            cur.unregister("_incoming")

    @staticmethod
    def _insert_frame(cur: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, verb: str = "INSERT") -> None:
        cur.register("_frame", df)
        try:
            cur.execute(f"{verb} INTO {table} BY NAME SELECT * FROM _frame")
        finally:
            cur.unregister("_frame")

    @classmethod
    def _insert_once(cls, cur: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame | None, who: str) -> int:
        """Append imported labels/judgments unless the same (completion, labeller or model, source) is there."""
        if df is None or not len(df):
            return 0
        df = df.copy()
        df["created_at"] = df["created_at"] if "created_at" in df else now()
        cur.register("_incoming", df)
        try:
            fresh = cur.execute(f"SELECT c.completion_id, i.* EXCLUDE (completion_key) FROM _incoming i "
                                "JOIN completions c USING (completion_key) "
                                f"ANTI JOIN {table} t ON t.completion_id = c.completion_id AND t.{who} = i.{who} "
                                "AND t.source = i.source").df()
        finally:
            cur.unregister("_incoming")
        if len(fresh):
            cls._insert_frame(cur, table, fresh)
        return len(fresh)

    # --- instruments ----------------------------------------------------------------------------
    def sync_instruments(self, instruments: Iterable[Instrument] | None = None) -> dict[str, int]:
        """Backfill readings (and their counts) for instruments that are new or whose version changed; returns
        rows written."""
        cur = self.cursor()
        stored = dict(cur.execute("SELECT instrument, version FROM instrument_versions").fetchall())
        stale = [i for i in (instruments or all_instruments()) if stored.get(i.name) != i.version]
        written: dict[str, int] = {}
        for inst in stale:
            low, high = cur.execute("SELECT coalesce(min(completion_id), 0), coalesce(max(completion_id), -1) "
                                    "FROM completions").fetchone()
            tables = []
            for start in range(low, high + 1, BACKFILL_CHUNK):
                chunk = cur.execute("SELECT c.completion_id, c.text, p.gold FROM completions c JOIN problems p "
                                    "USING (problem_id) WHERE c.completion_id BETWEEN ? AND ? ORDER BY completion_id",
                                    [start, start + BACKFILL_CHUNK - 1]).df()
                if len(chunk):
                    tables.append(ingest.with_ids(ingest.readings(chunk, [inst]), chunk["completion_id"].to_numpy()))
            with self._write() as tx:
                tx.execute("DELETE FROM extractions WHERE instrument = ?", [inst.name])
                for table in tables:
                    self._insert_frame(tx, "extractions", table)
                self._give_bits(tx, [inst.name])
                tx.execute("UPDATE completions SET right_bits = (completions.right_bits & ~m) | b.right_bits, "
                           "wrong_bits = (completions.wrong_bits & ~m) | b.wrong_bits, "
                           "answered_bits = (completions.answered_bits & ~m) | b.answered_bits FROM ("
                           + ingest.BITS_SQL.format(extractions="extractions", where="WHERE e.instrument = ?")
                           + ") b, (SELECT 1::BIGINT << bit AS m FROM instrument_bits WHERE instrument = ?) "
                           "WHERE completions.completion_id = b.completion_id", [inst.name, inst.name])
                tx.execute("DELETE FROM reading_counts WHERE instrument = ?", [inst.name])
                tx.execute("INSERT INTO reading_counts BY NAME " + ingest.COUNTS_SQL.format(
                    extractions="extractions", completions="completions", where="WHERE e.instrument = ?"), [inst.name])
                tx.execute("INSERT OR REPLACE INTO instrument_versions VALUES (?, ?, ?, ?)",
                           [inst.name, inst.version, inst.kind, inst.description])
            written[inst.name] = sum(len(t) for t in tables)
        return written

    # --- labels, judgments, findings ------------------------------------------------------------
    def add_label(self, completion_id: int, answer: str | None, labeller: str, note: str = "") -> None:
        """Append a hand label: the number the completion committed to, or None for "no answer"."""
        value = None if answer is None or str(answer).strip() == "" else normalize(answer)
        if answer not in (None, "") and value is None:
            raise BadInput("Not a number", f"{str(answer)[:40]!r} is not a number; type the number the "
                           "completion committed to, or mark it 'none'.")
        if not labeller.strip():
            raise BadInput("Who is labelling?", "Enter your name before labelling: labels keep who made them.")
        with self._write() as cur:
            cur.execute("INSERT INTO labels (completion_id, answer, is_none, note, labeller, source, created_at) "
                        "VALUES (?, ?, ?, ?, ?, 'app', ?)", [completion_id, value, value is None, note, labeller,
                                                             now()])

    def add_judgment(self, completion_id: int, model: str, prompt_version: str, verdict: Any) -> None:
        """Append one judge verdict (a yardstick.instruments.judge.Verdict); committed at once."""
        with self._write() as cur:
            cur.execute("INSERT INTO judgments (completion_id, model, prompt_version, status, answer, is_none, "
                        "reason, raw, cost_usd, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'app', ?)",
                        [completion_id, model, prompt_version, verdict.status, verdict.answer,
                         verdict.answer is None, verdict.reason, verdict.raw, verdict.cost_usd, now()])

    def add_note_block(self, text: str) -> int:
        """A text block between findings (context for a meeting), appended at the end of the report."""
        if not text.strip():
            raise BadInput("Empty text block", "Write something for the block, or leave it out.")
        return self.add_finding(text.strip().split("\n")[0][:80], text, "", {}, kind="text")

    def edit_finding(self, finding_id: int, title: str, note: str) -> None:
        if not title.strip():
            raise BadInput("A finding needs a title", "Say in a few words what this view shows.")
        with self._write() as cur:
            cur.execute("UPDATE findings SET title = ?, note = ? WHERE finding_id = ?", [title.strip(), note,
                                                                                       finding_id])

    def move_finding(self, finding_id: int, offset: int) -> None:
        """Move a finding `offset` places up (−) or down (+) in the report's order."""
        with self._write() as cur:
            order = [r[0] for r in cur.execute("SELECT finding_id FROM findings ORDER BY position, finding_id")
                     .fetchall()]
            if finding_id not in order:
                return
            i = order.index(finding_id)
            order.insert(max(0, min(len(order) - 1, i + offset)), order.pop(i))
            for position, fid in enumerate(order):
                cur.execute("UPDATE findings SET position = ? WHERE finding_id = ?", [position, fid])

    def delete_finding(self, finding_id: int) -> None:
        with self._write() as cur:
            cur.execute("DELETE FROM findings WHERE finding_id = ?", [finding_id])

    def edit_run(self, run_id: str, name: str | None = None, tags: list[str] | None = None,
                 notes: str | None = None) -> None:
        """Rename, tag or annotate a run (the user's fields: a later ingest of its folder leaves them alone)."""
        if name is not None and not name.strip():
            raise BadInput("A run needs a name", "Give the run a name, or leave it as it was.")
        with self._write() as cur:
            for column, value in (("name", name and name.strip()), ("tags", tags), ("notes", notes)):
                if value is not None:
                    cur.execute(f"UPDATE runs SET {column} = ? WHERE run_id = ?", [value, run_id])

    def delete_run(self, run_id: str) -> dict[str, int]:
        """Remove a run and everything recorded of it (completions, their readings, labels and judgments, metrics,
        the record of ingested files), in one transaction; returns what was removed, table by table."""
        of_run = "(SELECT completion_id FROM completions WHERE run_id = $run)"
        steps = [("labels", f"DELETE FROM labels WHERE completion_id IN {of_run}"),
                 ("judgments", f"DELETE FROM judgments WHERE completion_id IN {of_run}"),
                 ("readings", f"DELETE FROM extractions WHERE completion_id IN {of_run}"),
                 ("reading counts", "DELETE FROM reading_counts WHERE run_id = $run"),
                 ("completions", "DELETE FROM completions WHERE run_id = $run"),
                 ("metrics", "DELETE FROM metrics WHERE run_id = $run"),
                 ("ingested files", "DELETE FROM meta WHERE starts_with(key, 'shard:' || $run || '/')"),
                 ("runs", "DELETE FROM runs WHERE run_id = $run")]
        removed = {}
        with self._write() as cur:
            for what, sql in steps:
                removed[what] = cur.execute(sql, {"run": run_id}).fetchone()[0]
        return removed

    def set_meta(self, key: str, value: str) -> None:
        self.set_meta_many({key: value})

    def set_meta_many(self, values: dict[str, str]) -> None:
        if values:
            with self._write() as cur:
                self._put_meta(cur, values)

    @classmethod
    def _put_meta(cls, cur: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
        if values:
            cls._insert_frame(cur, "meta", pd.DataFrame({"key": list(values), "value": list(values.values())}),
                              "INSERT OR REPLACE")

    def run_statuses(self) -> dict[str, str]:
        return dict(self.cursor().execute("SELECT run_id, status FROM runs").fetchall())

    def run_status(self, run_id: str) -> str | None:
        return self.run_statuses().get(run_id)

    def meta_keys(self, prefix: str) -> set[str]:
        return {r[0] for r in self.cursor().execute("SELECT key FROM meta WHERE starts_with(key, ?)",
                                                    [prefix]).fetchall()}

    def add_finding(self, title: str, note: str, page: str, state: dict, snapshot: dict | None = None,
                    revision: int | None = None, kind: str = "view") -> int:
        """Pin a view (its page, URL state and a snapshot of what it showed) with a note, for the report."""
        if not title.strip():
            raise BadInput("A finding needs a title", "Say in a few words what this view shows.")
        with self._write() as cur:
            return cur.execute(
                "INSERT INTO findings (title, note, page, state, snapshot, revision, position, kind, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM findings), ?, ?) "
                "RETURNING finding_id", [title.strip(), note, page, json.dumps(state),
                                         json.dumps(snapshot, default=str) if snapshot else None, revision, kind,
                                         now()]).fetchone()[0]
