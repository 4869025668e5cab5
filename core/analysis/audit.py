"""Auditing instruments against a reference: confusion counts, precision/recall/F1 with bootstrap 95% intervals,
and answer-level agreement. Pure functions over `reviews.audit_pairs` rows, so the CLI and pages share them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from yardstick.analysis import stats

COLUMNS = ["instrument", "n", "tp", "fp", "fn", "tn", "precision", "recall", "f1"]


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        f1 = 2 * tp / (2 * tp + fp + fn)
    return precision, recall, f1


def cells(rows: pd.DataFrame) -> np.ndarray:
    """(4 × rows) 0/1 indicators tp, fp, fn, tn of rows with a `verdict` and a `reference`, for bootstrapping."""
    said, truth = rows["verdict"].to_numpy(bool), rows["reference"].to_numpy(bool)
    return np.stack([said & truth, said & ~truth, ~said & truth, ~said & ~truth]).astype(float)


def f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray | None = None) -> np.ndarray:
    """F1 from confusion counts (tn is accepted and unused, so summed `cells` can be passed as they are)."""
    return _prf(tp, fp, fn)[2]


def table(pairs: pd.DataFrame, bootstrap: int = 0, answers: bool = False, seed: int = 0) -> pd.DataFrame:
    """Per instrument: n, tp, fp, fn, tn, precision, recall, f1; with `bootstrap`, 95% intervals; with
    `answers` (references that give an answer: hand, judge), the share whose extracted answer equals it."""
    rows = []
    for name, group in pairs.groupby("instrument", sort=False):
        counts = cells(group)
        tp, fp, fn, tn = counts.sum(axis=1)
        precision, recall, f1 = _prf(np.array(tp), np.array(fp), np.array(fn))
        row = {"instrument": name, "n": len(group), "tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(tn),
               "precision": float(precision), "recall": float(recall), "f1": float(f1)}
        if bootstrap:
            intervals = stats.bootstrap_counts(counts, lambda tp, fp, fn, tn: _prf(tp, fp, fn), bootstrap, seed)
            for key, (lo, hi) in zip(("precision", "recall", "f1"), intervals):
                row[f"{key}_ci"] = (round(lo, 3), round(hi, 3))
        if answers:
            same = same_answer(group["answer"], group["reference_answer"])
            row["answer_agreement"] = float(same.mean())
        rows.append(row)
    return pd.DataFrame(rows)


def disagreements(pairs: pd.DataFrame, instrument: str) -> pd.DataFrame:
    """The completions where `instrument`'s verdict differs from the reference's."""
    rows = pairs[(pairs["instrument"] == instrument) & (pairs["verdict"] != pairs["reference"])]
    return rows.assign(kind=np.where(rows["verdict"], "false positive", "false negative"))


def same_answer(a: pd.Series, b: pd.Series) -> pd.Series:
    """Row by row, do two answers agree? Both "no committed answer" (null) agree."""
    return a.fillna("∅") == b.fillna("∅")


def agreement(answers: tuple[pd.Series, pd.Series], correct: tuple[pd.Series, pd.Series]) -> dict[str, float]:
    """Two raters on the same completions: how often their answers agree (both "none" agrees), and Cohen's κ on the
    correct/incorrect verdicts their answers imply."""
    n = len(answers[0])
    if n == 0:
        return {"n": 0}
    same = same_answer(*answers)
    a, b = correct[0].to_numpy(bool), correct[1].to_numpy(bool)
    return {"n": n, "answers_agree": int(same.sum()), "answer_agreement": float(same.mean()),
            "verdict_agreement": float((a == b).mean()), "kappa": stats.kappa(a, b)}


def labeller_agreement(pairs: pd.DataFrame) -> dict[str, float]:
    """Two labellers (rows of reviews.labeller_pairs)."""
    return agreement((pairs["first_answer"], pairs["second_answer"]), (pairs["first_correct"], pairs["second_correct"]))


def judge_validation(pairs: pd.DataFrame) -> dict[str, float]:
    """The judge against hand labels (rows of reviews.hand_vs_judge), with the hand labels' base rate of "correct"."""
    out = agreement((pairs["hand_answer"], pairs["judge_answer"]), (pairs["hand_correct"], pairs["judge_correct"]))
    return {**out, "base_rate": float(pairs["hand_correct"].to_numpy(bool).mean())} if out["n"] else out
