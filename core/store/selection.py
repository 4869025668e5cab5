"""Which completions: the filter behind the Completions, Label and Judge views (CompletionQuery; its URL codec is
views/filters.Filter) and what reads through it — a page of cards, ids, the labelling queue, the table mode and its
export — plus the completions of one problem through training. Verdict filters read each completion's verdict bits."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import pandas as pd

from yardstick.store.queries import bit_masks, instrument_names
from yardstick.store.store import Store

VerdictName = Literal["correct", "wrong", "no answer"]


QUEUE_WINDOW = 131_072  # ids per step of the labelling queue's scan (about one DuckDB row group)


@dataclass(frozen=True)
class CompletionQuery:
    """Which completions to read: the filter of the Completions, Label and Judge views (their URL codec is
    yardstick.views.filters.Filter), plus what the labelling queue adds."""

    run_ids: tuple[str, ...] = ()
    step: int | None = None
    phase: str | None = None  # train | eval | final
    decoding: str | None = None  # sampled | greedy
    problem_id: str | None = None
    verdicts: tuple[tuple[str, VerdictName], ...] = ()  # e.g. (("lenient", "correct"), ("strict_tag", "wrong"))
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
    where, params = _where(q, bit_masks(store))
    order, order_params = _order(q)
    cur = store.cursor()
    total = cur.execute(f"SELECT count(*) FROM completions c WHERE {where}", params).fetchone()[0]
    page = cur.execute(
        f"SELECT c.completion_id, c.run_id, c.step, c.phase, c.decoding, c.sample, c.problem_id, p.question, "
        f"p.gold, c.text, c.reward FROM completions c JOIN problems p USING (problem_id) WHERE {where} "
        f"ORDER BY {order} LIMIT ? OFFSET ?", params + order_params + [q.page_size, q.page * q.page_size]).df()
    return page, total


def completion_ids(store: Store, q: CompletionQuery, limit: int = 100_000) -> list[int]:
    where, params = _where(q, bit_masks(store))
    return [r[0] for r in store.cursor().execute(
        f"SELECT completion_id FROM completions c WHERE {where} ORDER BY completion_id LIMIT ?",
        params + [limit]).fetchall()]


def completion(store: Store, completion_id: int) -> dict | None:
    """One completion with its question and gold, or None."""
    page, _ = completions_page(store, CompletionQuery(completion_id=completion_id, page_size=1))
    return page.iloc[0].to_dict() if len(page) else None


def next_to_label(store: Store, q: CompletionQuery, labeller: str) -> dict | None:
    """The labelling queue's next item for `labeller`, skipping `q.exclude`: the first in queue order
    (ids are sequential, so that is run/step order; or the seeded random order)."""
    where, params = _where(replace(q, unlabelled_by=labeller), bit_masks(store))
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
    where, params = _where(replace(q, unlabelled_by=None, exclude=()), bit_masks(store))
    return store.cursor().execute(f"SELECT count(*) FROM completions c WHERE {where}", params).fetchall()[0][0]


def labelled_in_queue(store: Store, q: CompletionQuery, labeller: str) -> int:
    """How many of a queue's completions `labeller` has labelled (starts from their labels: fast)."""
    where, params = _where(replace(q, unlabelled_by=None, exclude=()), bit_masks(store))
    return store.cursor().execute(
        f"SELECT count(*) FROM completions c WHERE c.completion_id IN (SELECT completion_id FROM labels "
        f"WHERE labeller = ?) AND {where}", [labeller] + params).fetchall()[0][0]


def completions_by_id(store: Store, completion_ids: list[int]) -> pd.DataFrame:
    return store.cursor().execute(
        "SELECT c.completion_id, c.completion_key, c.run_id, p.question, p.gold, c.text FROM completions c "
        "JOIN problems p USING (problem_id) WHERE c.completion_id IN (SELECT unnest(?)) ORDER BY c.completion_id",
        [completion_ids]).df()


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


def shared_problems(store: Store, limit: int = 200) -> pd.DataFrame:
    """Problems answered by more than one run, for the side-by-side view."""
    return store.cursor().execute(
        "SELECT problem_id, any_value(p.question) AS question, count(DISTINCT run_id) AS runs FROM completions "
        "JOIN problems p USING (problem_id) GROUP BY problem_id HAVING count(DISTINCT run_id) > 1 "
        "ORDER BY problem_id LIMIT ?", [limit]).df()


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

