"""Every read the app and CLI make of the store, in one module. Pages never build SQL."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from yardstick.instruments import all_instruments
from yardstick.store.store import Store

Verdict = Literal["correct", "wrong", "no answer"]
QUEUE_WINDOW = 131_072  # ids per step of the labelling queue's scan (about one DuckDB row group)


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
    import json

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


LABELLER_VERDICTS = ("SELECT l.completion_id, $labeller AS reference, coalesce(NOT l.is_none AND l.answer = p.gold, "
                     "false) AS correct, l.answer FROM labeller_labels l JOIN completions c USING (completion_id) "
                     "JOIN problems p USING (problem_id) WHERE l.labeller = $labeller")


def audit_pairs(store: Store, reference: str, run_ids: list[str] | None = None,
                labeller: str | None = None) -> pd.DataFrame:
    """One row per (completion, extractor) that has a `reference` verdict: the extractor's and the reference's.
    The hand reference is each completion's first labeller's label, or, with `labeller`, that person's labels."""
    verdicts = f"({LABELLER_VERDICTS})" if reference == "hand" and labeller else "reference_verdicts"
    return store.cursor().execute(
        "SELECT e.completion_id, e.instrument, e.verdict, e.answer, r.correct AS reference, "
        "r.answer AS reference_answer, c.run_id FROM extractions e "
        f"JOIN {verdicts} r ON r.completion_id = e.completion_id AND (r.reference = $reference OR $labeller IS NOT "
        "NULL) JOIN completions c ON c.completion_id = e.completion_id "
        "WHERE e.instrument IN (SELECT unnest($names)) AND e.verdict IS NOT NULL "  # no gold: nothing to audit
        "AND ($runs IS NULL OR c.run_id IN (SELECT unnest($runs)))",
        {"reference": reference, "labeller": labeller if reference == "hand" else None,
         "names": instrument_names("extractor"), "runs": run_ids}).df()


def labellers(store: Store) -> pd.DataFrame:
    """Everyone who has labelled: how many completions, and how many of those they labelled first (where their
    label is the reference)."""
    return store.cursor().execute(
        "SELECT l.labeller, count(DISTINCT l.completion_id) AS completions, "
        "count(DISTINCT r.completion_id) AS reference FROM labels l LEFT JOIN latest_labels r "
        "ON r.completion_id = l.completion_id AND r.labeller = l.labeller GROUP BY 1 ORDER BY 2 DESC, 1").df()


def labeller_pairs(store: Store, first: str, second: str) -> pd.DataFrame:
    """Completions both labellers labelled: each one's latest answer and verdict against gold, side by side."""
    return store.cursor().execute(
        "SELECT a.completion_id, c.run_id, p.gold, a.answer AS first_answer, b.answer AS second_answer, "
        "coalesce(NOT a.is_none AND a.answer = p.gold, false) AS first_correct, "
        "coalesce(NOT b.is_none AND b.answer = p.gold, false) AS second_correct FROM labeller_labels a "
        "JOIN labeller_labels b ON b.completion_id = a.completion_id AND b.labeller = ? "
        "JOIN completions c ON c.completion_id = a.completion_id JOIN problems p USING (problem_id) "
        "WHERE a.labeller = ? ORDER BY a.completion_id", [second, first]).df()


def references(store: Store) -> pd.DataFrame:
    return store.cursor().execute(
        "SELECT reference, count(*) AS n FROM reference_verdicts GROUP BY 1 ORDER BY 1").df()


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
    bits = _bits(store)
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


@dataclass(frozen=True)
class CompletionQuery:
    """Which completions to read: the filter of the Completions, Label and Judge views (their URL codec is
    yardstick.views.filters.Filter), plus what the labelling queue adds."""

    run_ids: tuple[str, ...] = ()
    step: int | None = None
    phase: str | None = None  # train | eval | final
    decoding: str | None = None  # sampled | greedy
    problem_id: str | None = None
    verdicts: tuple[tuple[str, Verdict], ...] = ()  # e.g. (("lenient", "correct"), ("strict_tag", "wrong"))
    disagree: tuple[str, ...] = ()  # instruments whose verdicts must not all agree
    search: str = ""
    completion_id: int | None = None
    unlabelled_by: str | None = None  # the labelling queue: only completions this labeller has not labelled
    exclude: tuple[int, ...] = ()  # e.g. skipped in this labelling session
    random_seed: int | None = None  # a seeded random order (a random sample) instead of run/step order
    page: int = 0
    page_size: int = 50


VERDICT_NAMES = ("correct", "wrong", "no answer")
_VERDICT_SQL = {"correct": "verdict", "wrong": "NOT verdict AND answer IS NOT NULL",
                "no answer": "coalesce(NOT verdict, true) AND answer IS NULL"}  # NULL verdict: no gold
# The same, on a completion's verdict bits (ingest.BITS_SQL) for an instrument's bit mask ("no answer": neither
# answered nor right, which also holds a failed check and an unanswered completion without gold).
_VERDICT_BITS = {"correct": "c.right_bits & {m} <> 0", "wrong": "c.wrong_bits & c.answered_bits & {m} <> 0",
                 "no answer": "c.answered_bits & {m} = 0 AND c.right_bits & {m} = 0"}


def _bits(store: Store) -> dict[str, int]:
    """Each instrument's verdict bit mask on completions (instruments past the first 63 have none)."""
    return {name: 1 << bit for name, bit in store.cursor().execute("SELECT * FROM instrument_bits").fetchall()}


def _where(q: CompletionQuery, bits: dict[str, int]) -> tuple[str, list]:
    clauses, params = ["TRUE"], []
    simple = [(list(q.run_ids), "c.run_id IN (SELECT unnest(?))"), (q.step, "c.step = ?"),
              (q.phase, "c.phase = ?"), (q.decoding, "c.decoding = ?"), (q.problem_id, "c.problem_id = ?"),
              (q.search, "contains(lower(c.text), lower(?))"),
              (q.completion_id, "c.completion_id = ?"),
              (q.unlabelled_by, "c.completion_id NOT IN (SELECT completion_id FROM labels WHERE labeller = ?)"),
              (list(q.exclude), "c.completion_id NOT IN (SELECT unnest(?))")]
    for value, clause in simple:
        if value is not None and value != "" and value != []:
            clauses.append(clause)
            params.append(value)
    for name, verdict in q.verdicts:
        if name in bits:  # the completion's own bits: no readings to join
            clauses.append("(" + _VERDICT_BITS[verdict].format(m=bits[name]) + ")")
            continue
        clauses.append(f"c.completion_id IN (SELECT completion_id FROM extractions "
                       f"WHERE instrument = ? AND {_VERDICT_SQL[verdict]})")
        params.append(name)
    if len(q.disagree) >= 2:
        # "Some say correct and some say not".
        mask = sum(bits[name] for name in q.disagree if name in bits)
        rest = [name for name in q.disagree if name not in bits]
        if not rest:
            clauses.append(f"(c.right_bits & {mask} <> 0 AND c.wrong_bits & {mask} <> 0)")
        else:  # some instruments have no bit: every one through its readings, as two plain semi-joins
            for verdict in ("verdict", "NOT verdict"):
                clauses.append(f"c.completion_id IN (SELECT completion_id FROM extractions WHERE instrument IN "
                               f"(SELECT unnest(?)) AND {verdict})")
                params.append(list(q.disagree))
    return " AND ".join(clauses), params


def _order(q: CompletionQuery) -> tuple[str, list]:
    if q.random_seed is not None:
        return "hash(c.completion_id, ?)", [q.random_seed]
    return "c.run_id, c.step DESC, c.problem_id, c.sample", []


def completions_page(store: Store, q: CompletionQuery) -> tuple[pd.DataFrame, int]:
    """One page of matching completions (newest step first) and the total number that match."""
    where, params = _where(q, _bits(store))
    order, order_params = _order(q)
    cur = store.cursor()
    total = cur.execute(f"SELECT count(*) FROM completions c WHERE {where}", params).fetchone()[0]
    page = cur.execute(
        f"SELECT c.completion_id, c.run_id, c.step, c.phase, c.decoding, c.sample, c.problem_id, p.question, "
        f"p.gold, c.text, c.reward FROM completions c JOIN problems p USING (problem_id) WHERE {where} "
        f"ORDER BY {order} LIMIT ? OFFSET ?", params + order_params + [q.page_size, q.page * q.page_size]).df()
    return page, total


def completion_ids(store: Store, q: CompletionQuery, limit: int = 100_000) -> list[int]:
    where, params = _where(q, _bits(store))
    return [r[0] for r in store.cursor().execute(
        f"SELECT completion_id FROM completions c WHERE {where} ORDER BY completion_id LIMIT ?",
        params + [limit]).fetchall()]


def hand_labelled_ids(store: Store) -> list[int]:
    return [r[0] for r in store.cursor().execute("SELECT DISTINCT completion_id FROM labels ORDER BY 1").fetchall()]


def completion(store: Store, completion_id: int) -> dict | None:
    """One completion with its question and gold, or None."""
    page, _ = completions_page(store, CompletionQuery(completion_id=completion_id, page_size=1))
    return page.iloc[0].to_dict() if len(page) else None


def next_to_label(store: Store, q: CompletionQuery, labeller: str) -> dict | None:
    """The labelling queue's next item for `labeller`, skipping `q.exclude`: the first in queue order
    (ids are sequential, so that is run/step order; or the seeded random order)."""
    where, params = _where(replace(q, unlabelled_by=labeller), _bits(store))
    cur = store.cursor()
    if q.random_seed is not None:
        order, order_params = _order(q)
        found = cur.execute(f"SELECT c.completion_id FROM completions c WHERE {where} ORDER BY {order} LIMIT 1",
                            params + order_params).fetchall()
        return completion(store, found[0][0]) if found else None
    # In id order, look one window of ids at a time: each window's scans touch only its own row groups, and
    # the first window usually holds the answer (4x faster than filtering the whole store on 1M completions).
    top = cur.execute("SELECT coalesce(max(completion_id), 0) FROM completions").fetchall()[0][0]
    for low in range(0, top + 1, QUEUE_WINDOW):
        found = cur.execute(f"SELECT min(c.completion_id) FROM completions c WHERE c.completion_id BETWEEN ? AND ? "
                            f"AND {where}", [low, low + QUEUE_WINDOW - 1] + params).fetchall()[0][0]
        if found is not None:
            return completion(store, found)
    return None


def queue_size(store: Store, q: CompletionQuery) -> int:
    """How many completions a labelling queue holds (changes only when completions are added)."""
    where, params = _where(replace(q, unlabelled_by=None, exclude=()), _bits(store))
    return store.cursor().execute(f"SELECT count(*) FROM completions c WHERE {where}", params).fetchall()[0][0]


def labelled_in_queue(store: Store, q: CompletionQuery, labeller: str) -> int:
    """How many of a queue's completions `labeller` has labelled (starts from their labels: fast)."""
    where, params = _where(replace(q, unlabelled_by=None, exclude=()), _bits(store))
    return store.cursor().execute(
        f"SELECT count(*) FROM completions c WHERE c.completion_id IN (SELECT completion_id FROM labels "
        f"WHERE labeller = ?) AND {where}", [labeller] + params).fetchall()[0][0]


def completions_by_id(store: Store, completion_ids: list[int]) -> pd.DataFrame:
    return store.cursor().execute(
        "SELECT c.completion_id, c.completion_key, c.run_id, p.question, p.gold, c.text FROM completions c "
        "JOIN problems p USING (problem_id) WHERE c.completion_id IN (SELECT unnest(?)) ORDER BY c.completion_id",
        [completion_ids]).df()


def label_history(store: Store, completion_id: int) -> pd.DataFrame:
    """Every label given to a completion, newest first (the newest is the one that counts)."""
    return store.cursor().execute(
        "SELECT created_at, labeller, coalesce(answer, 'none') AS answer, note, source FROM labels "
        "WHERE completion_id = ? ORDER BY created_at DESC, label_id DESC", [completion_id]).df()


EXPORTABLE = {"labels": "label_id", "judgments": "judgment_id"}  # table → its id column


def export(store: Store, table: str) -> pd.DataFrame:
    """Every label or judgment ever made, with its completion's run, step, question, gold and text: the backup of
    what exists only in the store."""
    order = EXPORTABLE[table]
    return store.cursor().execute(
        f"SELECT t.*, c.run_id, c.step, p.question, p.gold, c.text FROM {table} t JOIN completions c "
        f"USING (completion_id) JOIN problems p USING (problem_id) ORDER BY t.created_at, t.{order}").df()


def findings(store: Store) -> pd.DataFrame:
    return store.cursor().execute(
        "SELECT finding_id, created_at, title, note, page, state, snapshot, revision, kind FROM findings "
        "ORDER BY position, finding_id").df()


def hand_vs_judge(store: Store) -> pd.DataFrame:
    """Completions with both a hand label and a scored judgment: both answers, both verdicts, side by side."""
    return store.cursor().execute(
        "SELECT h.completion_id, c.run_id, p.question, p.gold, c.text, h.answer AS hand_answer, "
        "h.correct AS hand_correct, j.answer AS judge_answer, j.correct AS judge_correct, lj.model, lj.raw "
        "FROM reference_verdicts h JOIN reference_verdicts j ON j.completion_id = h.completion_id "
        "AND j.reference = 'judge' JOIN latest_judgments lj ON lj.completion_id = h.completion_id "
        "JOIN completions c ON c.completion_id = h.completion_id JOIN problems p USING (problem_id) "
        "WHERE h.reference = 'hand' ORDER BY c.run_id, c.sample").df()


def judged(store: Store, model: str, prompt_version: str, completion_ids: list[int]) -> set[int]:
    """Which of these completions already have a judgment (scored or unscored) from this model and prompt."""
    return {r[0] for r in store.cursor().execute(
        "SELECT DISTINCT completion_id FROM judgments WHERE model = ? AND prompt_version = ? "
        "AND status IN ('scored', 'unscored') AND completion_id IN (SELECT unnest(?))",
        [model, prompt_version, completion_ids]).fetchall()}


def judge_costs(store: Store) -> pd.DataFrame:
    return store.cursor().execute(
        "SELECT model, prompt_version, status, count(*) AS n, sum(cost_usd) AS cost_usd FROM judgments "
        "GROUP BY ALL ORDER BY model, prompt_version, status").df()


def readings(store: Store, completion_ids: list[int]) -> pd.DataFrame:
    """Every registered instrument's reading of these completions."""
    return store.cursor().execute(
        "SELECT completion_id, instrument, answer, span_start, span_end, verdict FROM extractions "
        "WHERE completion_id IN (SELECT unnest(?)) AND instrument IN (SELECT unnest(?))",
        [completion_ids, instrument_names()]).df()


def prompt_strip(store: Store, problem_id: str, run_ids: list[str] | None = None) -> pd.DataFrame:
    """Every completion of one problem across these runs (None: all) and all their steps, eval and train (one
    prompt through training), in run, step, phase, decoding, sample order; readings come from `readings`."""
    return store.cursor().execute(
        "SELECT c.completion_id, c.run_id, c.step, c.phase, c.decoding, c.sample, c.problem_id, p.question, p.gold, "
        "c.text, c.reward FROM completions c JOIN problems p USING (problem_id) WHERE c.problem_id = ? "
        "AND (? IS NULL OR c.run_id IN (SELECT unnest(?))) ORDER BY c.run_id, c.step, c.phase, c.decoding, c.sample",
        [problem_id, run_ids, run_ids or []]).df()


def run_steps(store: Store, run_ids: list[str]) -> list[int]:
    return [r[0] for r in store.cursor().execute(
        "SELECT DISTINCT step FROM completions WHERE run_id IN (SELECT unnest(?)) ORDER BY 1", [run_ids]).fetchall()]


def shared_problems(store: Store, limit: int = 200) -> pd.DataFrame:
    """Problems answered by more than one run, for the side-by-side view."""
    return store.cursor().execute(
        "SELECT problem_id, any_value(p.question) AS question, count(DISTINCT run_id) AS runs FROM completions "
        "JOIN problems p USING (problem_id) GROUP BY problem_id HAVING count(DISTINCT run_id) > 1 "
        "ORDER BY problem_id LIMIT ?", [limit]).df()



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


def completions_table(store: Store, q: CompletionQuery, limit: int = 500) -> pd.DataFrame:
    """The filtered completions as one compact row each: where it comes from, its reward and length, and each
    instrument's answer and verdict ("none" for no answer) — the table mode and its CSV / Parquet export."""
    rows, _ = completions_page(store, replace(q, page=0, page_size=limit))
    if rows.empty:
        return rows
    reads = readings(store, rows["completion_id"].tolist())
    answers = reads.pivot(index="completion_id", columns="instrument", values="answer")
    verdicts = reads.pivot(index="completion_id", columns="instrument", values="verdict")
    table = rows[["completion_id", "run_id", "step", "phase", "decoding", "problem_id", "sample", "gold", "reward"]]
    table = table.assign(chars=rows["text"].str.len())
    for name in instrument_names():
        if name in answers:
            table[f"{name}"] = table["completion_id"].map(answers[name]).fillna("none")
            table[f"{name} ✓"] = table["completion_id"].map(verdicts[name])
    return table.reset_index(drop=True)
