"""Numbered schema migrations: the only way the store's tables change.

A store records its schema version in `meta`; opening it applies every later migration in order, each in its own
transaction with the version bump, so an interrupted upgrade leaves the store at a whole version. A store made by
a newer release is refused rather than guessed at. Add a migration by appending to MIGRATIONS (never edit one that
has shipped) and extend tests/test_migrations.py.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb

from yardstick.errors import YardstickError
from yardstick.store.schema import TABLES_V1


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version this migration produces
    why: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, "findings keep a frozen snapshot of their view and an order; runs keep user tags and their own "
                 "error field (release 1 stored a worker's error JSON in notes)",
              """
              ALTER TABLE findings ADD COLUMN snapshot JSON;
              ALTER TABLE findings ADD COLUMN revision BIGINT;
              ALTER TABLE findings ADD COLUMN position DOUBLE;
              ALTER TABLE findings ADD COLUMN kind VARCHAR DEFAULT 'view';
              UPDATE findings SET position = finding_id, kind = 'view';
              ALTER TABLE runs ADD COLUMN tags VARCHAR[] DEFAULT [];
              ALTER TABLE runs ADD COLUMN error JSON;
              UPDATE runs SET tags = [];
              UPDATE runs SET error = notes, notes = NULL
                  WHERE source = 'run folder' AND starts_with(notes, '{"title"');
              """),
    Migration(3, "metrics carry the n they rest on (intervals from a stated n); runs name their eval set; the study's "
                 "final greedy evaluation is phase 'final' (release 1 filed it as 'eval')",
              """
              ALTER TABLE metrics ADD COLUMN n INTEGER;
              ALTER TABLE runs ADD COLUMN eval_set VARCHAR;
              UPDATE metrics SET phase = 'final'
                  WHERE run_id IN ('study-sc-lenient', 'study-sc-last-number', 'study-sc-strict-tag')
                  AND decoding = 'greedy' AND phase = 'eval';
              UPDATE metrics SET n = 50 WHERE starts_with(run_id, 'study-') AND phase IN ('eval', 'final');
              """),
    Migration(4, "per-(run, step, phase, decoding, instrument) reading counts, kept on ingest and backfill, so "
                 "Overview's rates and Curves' metrics read thousands of rows instead of every reading; and each "
                 "completion's verdicts as bits (one per instrument), so verdict and disagreement filters read the "
                 "completions alone",
              """
              CREATE TABLE instrument_bits (instrument VARCHAR PRIMARY KEY, bit INTEGER UNIQUE);
              INSERT INTO instrument_bits SELECT instrument, (row_number() OVER (ORDER BY instrument) - 1)::INTEGER
                  FROM (SELECT DISTINCT instrument FROM extractions) LIMIT 63;
              ALTER TABLE completions ADD COLUMN right_bits BIGINT DEFAULT 0;
              ALTER TABLE completions ADD COLUMN wrong_bits BIGINT DEFAULT 0;
              ALTER TABLE completions ADD COLUMN answered_bits BIGINT DEFAULT 0;
              UPDATE completions SET right_bits = b.r, wrong_bits = b.w, answered_bits = b.a FROM (
                  SELECT e.completion_id, bit_or(CASE WHEN e.verdict THEN 1::BIGINT << i.bit ELSE 0 END) AS r,
                         bit_or(CASE WHEN NOT e.verdict THEN 1::BIGINT << i.bit ELSE 0 END) AS w,
                         bit_or(CASE WHEN e.answer IS NOT NULL THEN 1::BIGINT << i.bit ELSE 0 END) AS a
                  FROM extractions e JOIN instrument_bits i USING (instrument) GROUP BY 1) b
                  WHERE completions.completion_id = b.completion_id;
              CREATE TABLE reading_counts (
                  run_id VARCHAR, step INTEGER, phase VARCHAR, decoding VARCHAR, instrument VARCHAR, n BIGINT,
                  n_true BIGINT, n_false BIGINT, n_answered BIGINT,
                  PRIMARY KEY (run_id, step, phase, decoding, instrument));
              INSERT INTO reading_counts
                  SELECT c.run_id, c.step, c.phase, c.decoding, e.instrument, count(*),
                         count(*) FILTER (WHERE e.verdict), count(*) FILTER (WHERE NOT e.verdict), count(e.answer)
                  FROM extractions e JOIN completions c USING (completion_id) GROUP BY ALL;
              """),
)
LATEST = MIGRATIONS[-1].version if MIGRATIONS else 1


class StoreTooNew(YardstickError):
    """The store was written by a newer Yardstick than this one."""


def version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 1


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Bring the store on `con` to LATEST; returns the versions applied (empty when already current)."""
    con.execute(TABLES_V1)
    con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', '1'), ('revision', '0')")
    current = version(con)
    if current > LATEST:
        raise StoreTooNew("Store made by a newer Yardstick", f"This store has schema version {current}; this "
                          f"Yardstick knows up to {LATEST}. Update Yardstick (git pull), or point YARDSTICK_HOME "
                          "at another folder.")
    applied = []
    for m in MIGRATIONS:
        if m.version <= current:
            continue
        con.begin()
        try:
            con.execute(m.sql)
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(m.version)])
            con.commit()
        except BaseException:
            con.rollback()
            raise
        applied.append(m.version)
    return applied
