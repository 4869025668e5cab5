"""Reads of what people and the judge said: labels (by labeller, the reference of each completion), judgments and
their cost, the audit's pairs of verdicts, the backup exports, and the pinned findings."""
from __future__ import annotations

import pandas as pd

from yardstick.store.queries import instrument_names
from yardstick.store.store import Store

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


def hand_labelled_ids(store: Store) -> list[int]:
    return [r[0] for r in store.cursor().execute("SELECT DISTINCT completion_id FROM labels ORDER BY 1").fetchall()]


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

