"""Auditing instruments against a reference: confusion counts, precision/recall/F1 with bootstrap 95% intervals,
and answer-level agreement. Pure functions over `queries.audit_pairs` rows, so the CLI and pages share them."""
from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["instrument", "n", "tp", "fp", "fn", "tn", "precision", "recall", "f1"]


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        f1 = 2 * tp / (2 * tp + fp + fn)
    return precision, recall, f1


def table(pairs: pd.DataFrame, bootstrap: int = 0, answers: bool = False, seed: int = 0) -> pd.DataFrame:
    """Per instrument: n, tp, fp, fn, tn, precision, recall, f1; with `bootstrap`, 95% intervals; with
    `answers` (references that give an answer: hand, judge), the share whose extracted answer equals it."""
    rows = []
    rng = np.random.default_rng(seed)
    for name, group in pairs.groupby("instrument", sort=False):
        said, truth = group["verdict"].to_numpy(bool), group["reference"].to_numpy(bool)
        cells = np.stack([said & truth, said & ~truth, ~said & truth, ~said & ~truth]).astype(float)
        tp, fp, fn, tn = cells.sum(axis=1)
        precision, recall, f1 = _prf(np.array(tp), np.array(fp), np.array(fn))
        row = {"instrument": name, "n": len(group), "tp": int(tp), "fp": int(fp), "fn": int(fn), "tn": int(tn),
               "precision": float(precision), "recall": float(recall), "f1": float(f1)}
        if bootstrap:
            idx = rng.integers(0, len(group), size=(bootstrap, len(group)))
            counts = cells[:, idx].sum(axis=2)  # (4, bootstrap)
            for key, values in zip(("precision", "recall", "f1"), _prf(counts[0], counts[1], counts[2])):
                lo, hi = np.nanpercentile(values, [2.5, 97.5])
                row[f"{key}_ci"] = (round(float(lo), 3), round(float(hi), 3))
        if answers:
            same = group["answer"].fillna("∅") == group["reference_answer"].fillna("∅")
            row["answer_agreement"] = float(same.mean())
        rows.append(row)
    return pd.DataFrame(rows)


def disagreements(pairs: pd.DataFrame, instrument: str) -> pd.DataFrame:
    """The completions where `instrument`'s verdict differs from the reference's."""
    rows = pairs[(pairs["instrument"] == instrument) & (pairs["verdict"] != pairs["reference"])]
    return rows.assign(kind=np.where(rows["verdict"], "false positive", "false negative"))


def judge_validation(pairs: pd.DataFrame) -> dict[str, float]:
    """Judge against hand labels (rows of queries.hand_vs_judge): answer-level agreement (both "none" agrees),
    and Cohen's kappa on the correct/incorrect verdicts with the hand labels' base rate of "correct"."""
    n = len(pairs)
    if n == 0:
        return {"n": 0}
    same = pairs["hand_answer"].fillna("∅") == pairs["judge_answer"].fillna("∅")
    hand, judged = pairs["hand_correct"].to_numpy(bool), pairs["judge_correct"].to_numpy(bool)
    observed = float((hand == judged).mean())
    p_hand, p_judge = hand.mean(), judged.mean()
    chance = p_hand * p_judge + (1 - p_hand) * (1 - p_judge)
    kappa = (observed - chance) / (1 - chance) if chance < 1 else float("nan")
    return {"n": n, "answers_agree": int(same.sum()), "answer_agreement": float(same.mean()),
            "verdict_agreement": observed, "kappa": float(kappa), "base_rate": float(p_hand)}
