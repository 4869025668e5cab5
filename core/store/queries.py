"""Reads of runs and their numbers: the runs table, metrics over steps (logged, and each instrument's accuracy from
the readings), per-problem accuracies for paired comparisons, final evaluations. Pages never build SQL; completions
are read through store/selection.py, labels, judgments and findings through store/reviews.py."""
from __future__ import annotations

import json

import pandas as pd

from yardstick.instruments import all_instruments
from yardstick.store.store import Store


def summary(store: Store) -> dict[str, int]:
    cur = store.cursor()
    return {table: cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("runs", "problems", "completions", "metrics", "labels", "judgments", "findings")}


def runs(store: Store) -> pd.DataFrame:
    """Every run with what it holds: completions (from the reading counts: no scan of completions), steps (of
    completions or, for runs imported with metrics only, of its metrics), the last step, and its logged metrics."""
    return store.cursor().execute(
        "WITH c AS (SELECT run_id, max(n) AS completions, max(steps) AS steps, max(last_step) AS last_step FROM ("
        "  SELECT run_id, instrument, sum(n) AS n, count(DISTINCT step) AS steps, max(step) AS last_step "
        "  FROM reading_counts GROUP BY ALL) GROUP BY run_id), "
        "m AS (SELECT run_id, count(DISTINCT step) AS metric_steps, max(step) AS last_metric_step, "
        "      list(DISTINCT name ORDER BY name) AS metric_names FROM metrics GROUP BY 1) "
        "SELECT r.run_id, r.name, r.tags, r.source, r.model, r.reward_spec, r.seed, r.seed_group, r.status, r.notes, "
        "r.created_at, r.eval_set, coalesce(c.completions, 0)::BIGINT AS completions, "
        "greatest(coalesce(c.steps, 0), coalesce(m.metric_steps, 0)) AS steps, "
        "greatest(c.last_step, m.last_metric_step) AS last_step, coalesce(m.metric_steps, 0) AS metric_steps, "
        "m.last_metric_step, coalesce(m.metric_names, []) AS metric_names FROM runs r LEFT JOIN c USING (run_id) "
        "LEFT JOIN m USING (run_id) ORDER BY r.created_at, r.run_id").df()


def run_config(store: Store, run_id: str) -> dict:
    row = store.cursor().execute("SELECT config FROM runs WHERE run_id = ?", [run_id]).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def instrument_names(kind: str | None = None) -> list[str]:
    return [i.name for i in all_instruments() if kind is None or i.kind == kind]


def run_accuracy(store: Store) -> pd.DataFrame:
    """Each run's share of completions each instrument calls correct (a check: share that pass); completions
    without a verdict are left out of the share, as avg() leaves out NULL."""
    wide = store.cursor().execute(
        "SELECT run_id, instrument, sum(n_true) / nullif(sum(n_true + n_false), 0) AS rate, sum(n) AS n "
        "FROM reading_counts WHERE instrument IN (SELECT unnest(?)) GROUP BY ALL", [instrument_names()]).df()
    if wide.empty:
        return wide
    table = wide.pivot(index="run_id", columns="instrument", values="rate")
    table.insert(0, "n", wide.groupby("run_id")["n"].max())
    return table[["n"] + [n for n in instrument_names() if n in table]].reset_index()


def metrics(store: Store, run_ids: list[str]) -> pd.DataFrame:
    """Metrics over steps: those logged (training reward, loss, …) and each instrument's accuracy per (step, phase,
    decoding) computed from the readings — for runs with completions at more than one step, or a final
    evaluation — so a metric and the browser's verdicts can never disagree. Eval and final metrics are named after
    the instrument; training ones are prefixed "train/". An eval or final accuracy is the mean of per-problem means
    and its `n` the number of problems (read from the completions' verdict bits); a training one comes from the
    reading counts (no n: training points are not compared); logged metrics carry the n their source stated."""
    evals = by_problem(store, run_ids, ("eval", "final"))
    evals = evals.groupby(["run_id", "step", "name", "phase", "decoding"], as_index=False) \
        .agg(value=("value", "mean"), n=("value", "count"))
    train = store.cursor().execute(
        "WITH chosen AS (SELECT unnest(?) AS run_id), "
        "multi AS (SELECT run_id FROM reading_counts WHERE run_id IN (SELECT run_id FROM chosen) "
        "          GROUP BY 1 HAVING count(DISTINCT step) > 1) "
        "SELECT run_id, step, 'train/' || instrument AS name, sum(n_true) / nullif(sum(n_true + n_false), 0) AS value, "
        "phase, decoding, NULL::INTEGER AS n FROM reading_counts WHERE run_id IN (SELECT run_id FROM multi) "
        "AND phase = 'train' AND instrument IN (SELECT unnest(?)) GROUP BY ALL", [run_ids, instrument_names()]).df()
    logged = store.cursor().execute(
        "SELECT run_id, step, name, value, phase, decoding, n FROM metrics WHERE run_id IN (SELECT unnest(?))",
        [run_ids]).df()
    evals = evals[evals["run_id"].isin(set(metric_runs(store)))]
    frames = [f for f in (logged, evals, train) if len(f)]
    out = pd.concat(frames, ignore_index=True) if frames else logged
    info = store.cursor().execute("SELECT run_id, reward_spec, seed_group FROM runs WHERE run_id IN "
                                  "(SELECT unnest(?))", [run_ids]).df()
    return out.merge(info, on="run_id").sort_values(["run_id", "name", "decoding", "phase", "step"],
                                                    ignore_index=True)


def by_problem(store: Store, run_ids: list[str], phases: tuple[str, ...] = ("eval", "final"),
               judge: bool = False) -> pd.DataFrame:
    """Each instrument's per-problem accuracy at every (run, step, phase, decoding) — and, with `judge`, the judge's
    (named "judge", over the judged completions): what paired comparisons (flags, the final evaluation) resample.
    Runs of one experiment share problem ids, so rows pair up. Read from the completions' verdict bits (no scan of
    the readings); instruments without a bit are read from their readings."""
    bits = bit_masks(store)
    names = instrument_names()
    with_bits = [n for n in names if n in bits]
    rest = [n for n in names if n not in bits]
    parts = [
        "SELECT c.run_id, c.step, c.phase, c.decoding, b.instrument AS name, c.problem_id, "
        "CASE WHEN c.right_bits & (1::BIGINT << b.bit) <> 0 THEN 1 WHEN c.wrong_bits & (1::BIGINT << b.bit) <> 0 "
        "THEN 0 END AS v FROM completions c, instrument_bits b WHERE c.run_id IN (SELECT unnest($1)) "
        "AND c.phase IN (SELECT unnest($2)) AND b.instrument IN (SELECT unnest($3))"]
    if rest:
        parts.append("SELECT c.run_id, c.step, c.phase, c.decoding, e.instrument, c.problem_id, e.verdict::INT "
                     "FROM completions c JOIN extractions e USING (completion_id) WHERE c.run_id IN (SELECT unnest($1)) "
                     "AND c.phase IN (SELECT unnest($2)) AND e.instrument IN (SELECT unnest($4))")
    if judge:
        parts.append("SELECT c.run_id, c.step, c.phase, c.decoding, 'judge', c.problem_id, r.correct::INT FROM "
                     "completions c JOIN reference_verdicts r ON r.completion_id = c.completion_id AND r.reference = "
                     "'judge' WHERE c.run_id IN (SELECT unnest($1)) AND c.phase IN (SELECT unnest($2))")
    return store.cursor().execute(
        "SELECT run_id, step, phase, decoding, name, problem_id, avg(v) AS value, count(*)::INTEGER AS samples FROM ("
        + " UNION ALL ".join(parts) + ") GROUP BY ALL ORDER BY ALL",
        [run_ids, list(phases), with_bits] + ([rest] if rest else [])).df()


def metric_runs(store: Store) -> list[str]:
    return [r[0] for r in store.cursor().execute(
        "SELECT DISTINCT run_id FROM metrics UNION SELECT run_id FROM reading_counts GROUP BY run_id "
        "HAVING count(DISTINCT step) > 1 OR bool_or(phase = 'final') ORDER BY 1").fetchall()]


def bit_masks(store: Store) -> dict[str, int]:
    """Each instrument's verdict bit mask on completions (instruments past the first 63 have none)."""
    return {name: 1 << bit for name, bit in store.cursor().execute("SELECT * FROM instrument_bits").fetchall()}


def run_steps(store: Store, run_ids: list[str]) -> list[int]:
    return [r[0] for r in store.cursor().execute(
        "SELECT DISTINCT step FROM completions WHERE run_id IN (SELECT unnest(?)) ORDER BY 1", [run_ids]).fetchall()]


def instrument_versions(store: Store) -> dict[str, str]:
    """Each registered instrument's version as the store last computed it (what its readings come from)."""
    stored = dict(store.cursor().execute("SELECT instrument, version FROM instrument_versions").fetchall())
    return {name: stored[name] for name in instrument_names() if name in stored}


def reward_specs(store: Store, run_ids: list[str]) -> dict[str, str | None]:
    return dict(store.cursor().execute("SELECT run_id, reward_spec FROM runs WHERE run_id IN (SELECT unnest(?)) "
                                       "ORDER BY run_id", [run_ids]).fetchall())


def final_runs(store: Store) -> list[str]:
    """Runs with a final evaluation (completions, or summary numbers from an import)."""
    return [r[0] for r in store.cursor().execute(
        "SELECT DISTINCT run_id FROM completions WHERE phase = 'final' UNION "
        "SELECT DISTINCT run_id FROM metrics WHERE phase = 'final' ORDER BY 1").fetchall()]


def final_summary(store: Store, run_ids: list[str]) -> pd.DataFrame:
    """Final numbers stored as metrics (imported summaries), with the n their source stated."""
    return store.cursor().execute(
        "SELECT run_id, name, decoding, value, n FROM metrics WHERE phase = 'final' AND run_id IN (SELECT unnest(?)) "
        "ORDER BY ALL", [run_ids]).df()

