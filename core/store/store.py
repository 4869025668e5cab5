"""The Store: one DuckDB file, the only writer of it, and the one place that turns batches into rows.

Every write is one transaction that commits at once; ingest is idempotent (stable ids, insert-if-new), and
instruments' readings are computed on ingest and backfilled when an instrument is added or its version changes.
"""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import duckdb
import numpy as np
import pandas as pd

from core.errors import BadInput
from core.instruments import Instrument, all_instruments
from core.instruments.batch import read_all
from core.instruments.numbers import normalize
from core.store import ids, trouble
from core.store.migrations import LATEST, migrate, version
from core.store.schema import VIEWS

RUN_FIELDS = ("run_id", "name", "source", "model", "reward_spec", "seed", "seed_group", "status", "config",
              "notes", "created_at", "error", "eval_set")
USER_RUN_FIELDS = ("name", "notes", "created_at")  # set once by the importer, then the user's to edit
COMPLETION_FIELDS = ("completion_id", "completion_key", "run_id", "step", "phase", "decoding", "problem_id", "sample", "text",
                     "n_tokens", "reward", "reward_components", "reference_correct")
BACKFILL_CHUNK = 50_000


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
    def ingest(self, batch: Batch, instruments: Sequence[Instrument] | None = None) -> IngestResult:
        """Add a batch in one transaction; rows already present are left alone."""
        result = IngestResult()
        if batch.empty:
            return result  # no write: the revision (and the app's caches) stay as they are
        cur = self.cursor()
        completions, problems = self._prepare_completions(batch)
        new = completions
        if completions is not None and len(completions):
            new = completions[~completions["completion_key"].isin(self._known_keys(cur, completions))]
        extractions = self._read(new, instruments) if new is not None and len(new) else None
        with self._write() as cur:
            for run in batch.runs:
                row = {k: run.get(k) for k in RUN_FIELDS}
                row["config"] = json.dumps(row["config"] or {})
                row["error"] = json.dumps(row["error"]) if row["error"] else None
                row["created_at"] = row["created_at"] or now()
                refreshed = ", ".join(f"{k} = excluded.{k}" for k in RUN_FIELDS[1:] if k not in USER_RUN_FIELDS)
                cur.execute(f"INSERT INTO runs ({', '.join(RUN_FIELDS)}) VALUES ({', '.join('?' * len(RUN_FIELDS))}) "
                            f"ON CONFLICT (run_id) DO UPDATE SET {refreshed}", list(row.values()))
            result.runs = len(batch.runs)
            if problems is not None:
                self._insert_frame(cur, "problems", problems, "INSERT OR IGNORE")
            if new is not None and len(new):
                new, extractions = self._drop_added_meanwhile(cur, new, extractions)
            if new is not None and len(new):
                # Sequential ids, in run/step order, assigned under the write lock.
                first = cur.execute("SELECT coalesce(max(completion_id), 0) + 1 FROM completions").fetchall()[0][0]
                new = new.assign(completion_id=range(first, first + len(new)))
                self._insert_frame(cur, "completions", new[list(COMPLETION_FIELDS)])
                self._insert_frame(cur, "extractions", self._with_ids(extractions, new["completion_id"]))
                result.completions = len(new)
            if batch.metrics is not None and len(batch.metrics):
                metrics = batch.metrics.assign(n=batch.metrics["n"] if "n" in batch.metrics else None)[
                    ["run_id", "step", "name", "value", "phase", "decoding", "n"]]
                self._insert_frame(cur, "metrics", metrics, "INSERT OR REPLACE")
                result.metrics = len(metrics)
            result.labels = self._insert_once(cur, "labels", batch.labels, "labeller")
            result.judgments = self._insert_once(cur, "judgments", batch.judgments, "model")
            self._put_meta(cur, batch.meta)
        return result

    @classmethod
    def _drop_added_meanwhile(cls, cur: duckdb.DuckDBPyConnection, new: pd.DataFrame,
                              extractions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Under the write lock: drop rows another writer inserted since they were found new (two syncs of one
        live run), with their readings; `row` in the readings is re-pointed to the rows kept."""
        known = cls._known_keys(cur, new)
        if not len(known):
            return new, extractions
        keep = ~new["completion_key"].isin(known).to_numpy()
        position = np.cumsum(keep) - 1
        rows = extractions["row"].to_numpy()
        mask = keep[rows]
        return new[keep], extractions[mask].assign(row=position[rows[mask]])

    @staticmethod
    def _known_keys(cur: duckdb.DuckDBPyConnection, df: pd.DataFrame) -> Any:
        cur.register("_incoming", df[["completion_key"]])
        try:
            return cur.execute("SELECT completion_key FROM _incoming SEMI JOIN completions USING (completion_key)"
                               ).fetchnumpy()["completion_key"]
        finally:
            cur.unregister("_incoming")

    @staticmethod
    def _prepare_completions(batch: Batch) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        df = batch.completions
        if df is None or not len(df):
            return None, None
        df = df.copy()
        for column, default in (("n_tokens", None), ("reward", None), ("reward_components", None),
                                ("reference_correct", None), ("sample", 0)):
            if column not in df:
                df[column] = default
        col = {name: df[name].tolist() for name in ("run_id", "phase", "decoding", "step", "question", "gold",
                                                       "sample")}  # plain lists: iterating pandas columns is slow
        col["gold"] = [normalize(g) for g in col["gold"]]
        col["problem_id"] = [ids.problem_id(q, g) for q, g in zip(col["question"], col["gold"])]
        df["gold"], df["problem_id"] = col["gold"], col["problem_id"]
        df["completion_key"] = [ids.completion_key(*key) for key in zip(
            col["run_id"], col["phase"], col["decoding"], col["step"], col["problem_id"], col["sample"])]
        df = df.drop_duplicates("completion_key").sort_values(["run_id", "step", "phase", "decoding",
                                                                 "problem_id", "sample"], kind="stable")
        problems = df.drop_duplicates("problem_id")[["problem_id", "question", "gold"]].assign(
            source=batch.problem_source)
        return df, problems

    @staticmethod
    def _read(df: pd.DataFrame, instruments: Sequence[Instrument] | None) -> pd.DataFrame:
        """Every instrument's reading of `df`'s completions, as rows of the extractions table."""
        columns = read_all(df["text"].tolist(), df["gold"].tolist(), instruments)
        frames = []
        for name, col in columns.items():
            frames.append(pd.DataFrame({
                "row": range(len(df)),  # the position in df; see _with_ids
                "instrument": name, "answer": col.answers,
                "span_start": pd.array(col.starts, dtype="Int32"), "span_end": pd.array(col.ends, dtype="Int32"),
                "verdict": col.verdicts}))
        return pd.concat(frames, ignore_index=True)

    @staticmethod
    def _with_ids(readings: pd.DataFrame, completion_ids: Any) -> pd.DataFrame:
        """Readings from _read, keyed by the completions' ids instead of their positions."""
        rows = readings.pop("row").to_numpy()
        return readings.assign(completion_id=np.asarray(completion_ids)[rows])

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
        """Backfill readings for instruments that are new or whose version changed; returns rows written."""
        cur = self.cursor()
        stored = dict(cur.execute("SELECT instrument, version FROM instrument_versions").fetchall())
        stale = [i for i in (instruments or all_instruments()) if stored.get(i.name) != i.version]
        written: dict[str, int] = {}
        for inst in stale:
            total = cur.execute("SELECT count(*) FROM completions").fetchone()[0]
            frames = []
            for offset in range(0, total, BACKFILL_CHUNK):
                chunk = cur.execute("SELECT c.completion_id, c.text, p.gold FROM completions c "
                                    "JOIN problems p USING (problem_id) ORDER BY completion_id "
                                    "LIMIT ? OFFSET ?", [BACKFILL_CHUNK, offset]).df()
                frames.append(self._with_ids(self._read(chunk, [inst]), chunk["completion_id"]))
            with self._write() as tx:
                tx.execute("DELETE FROM extractions WHERE instrument = ?", [inst.name])
                for frame in frames:
                    self._insert_frame(tx, "extractions", frame)
                tx.execute("INSERT OR REPLACE INTO instrument_versions VALUES (?, ?, ?, ?)",
                           [inst.name, inst.version, inst.kind, inst.description])
            written[inst.name] = sum(len(f) for f in frames)
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
        """Append one judge verdict (a core.judge.Verdict); committed at once."""
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
        ids = "(SELECT completion_id FROM completions WHERE run_id = $run)"
        steps = [("labels", f"DELETE FROM labels WHERE completion_id IN {ids}"),
                 ("judgments", f"DELETE FROM judgments WHERE completion_id IN {ids}"),
                 ("readings", f"DELETE FROM extractions WHERE completion_id IN {ids}"),
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
