"""The study's claims as data, and the rules that test them on a replication's runs.

Each claim is a list of tests; each test gives an estimate with its 95% interval (seeds and problems resampled
together, or the paired interval of a difference) and a verdict — "held", "reversed" or "not resolved at this n" —
computed, never typed. A claim holds when every test holds and is reversed when any test is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yardstick.analysis import audit, final, stats

HELD, REVERSED, UNRESOLVED = "held", "reversed", "not resolved at this n"
# The study's experiments, with its exact instrument definitions as the rewards (core/instruments/builtin.py).
EXPERIMENTS = {"format only": "study_format", "lenient": "study_lenient",
               "0.3·format + 0.7·lenient": "0.3*study_format + 0.7*study_lenient",
               "last_number": "study_last_number", "strict_tag": "study_strict_tag"}


@dataclass(frozen=True)
class Test:
    rule: str  # change | faithful | worst_reward | flip
    experiment: str | None = None
    metric: str | None = None
    direction: str | None = None  # up | down


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    study: str  # the study's own numbers, where it printed them
    table: str
    tests: tuple[Test, ...]


CLAIMS: tuple[Claim, ...] = (
    Claim("format-only", "format-only reward: format rises and last-number accuracy falls below baseline",
          "format 0.438 → 1.000; last-number 0.228 → 0.025", "Table 1",
          (Test("change", "format only", "study_format", "up"), Test("change", "format only", "study_last_number",
                                                                     "down"))),
    Claim("lenient", "lenient reward: accuracy rises, format falls", "lenient 0.377 → 0.498; format 0.390 → 0.062",
          "Table 1", (Test("change", "lenient", "study_lenient", "up"),
                      Test("change", "lenient", "study_format", "down"))),
    Claim("combined", "0.3·format + 0.7·lenient: both format and accuracy rise",
          "format 0.390 → 0.838; last-number 0.258 → 0.325", "Table 1",
          (Test("change", "0.3·format + 0.7·lenient", "study_format", "up"),
           Test("change", "0.3·format + 0.7·lenient", "study_last_number", "up"))),
    Claim("strict-tag-proxy", "strict_tag reward: strict_tag accuracy rises mostly through format",
          "strict_tag 0.100 → 0.270; format 0.417 → 0.890; last-number flat (~0.27)", "Table 5",
          (Test("change", "strict_tag", "study_strict_tag", "up"), Test("change", "strict_tag", "study_format", "up"))),
    Claim("faithful", "last_number is the most faithful extractor (F1 against the reference)",
          "F1: last_number 0.938, lenient 0.813, strict_tag 0.473 (n = 500, judge)", "Table 2",
          (Test("faithful", metric="last_number"),)),
    Claim("not-best-reward", "the most faithful extractor is not the best reward: last_number trains the worst model",
          "final greedy judge accuracy: last_number 0.320 vs lenient 0.460, strict_tag 0.480", "Tables 3, 6",
          (Test("worst_reward", "last_number"),)),
    Claim("decoding-flip", "greedy and sampled decoding rank the runs differently", "Table 6 vs Table 4 orders",
          "Tables 4, 6", (Test("flip"),)),
)


@dataclass
class Outcome:
    verdict: str
    ours: str  # pooled estimate with its interval
    per_seed: str
    n: str
    how: str


def _verdict(est: stats.Estimate, direction: str) -> str:
    if np.isnan(est.lo):
        return UNRESOLVED
    up = est.lo > 0
    down = est.hi < 0
    if direction == "up":
        return HELD if up else REVERSED if down else UNRESOLVED
    return HELD if down else REVERSED if up else UNRESOLVED


def _change(rows: pd.DataFrame, runs: list[str], metric: str, direction: str) -> Outcome:
    """A metric's change from the first eval to the last (sampled), pooled over seeds with a bootstrap over seeds
    and problems (paired: the same problems at both steps)."""
    mine = rows[rows["run_id"].isin(runs) & (rows["name"] == metric) & (rows["phase"] == "eval")
                & (rows["decoding"] == "sampled")]
    if mine.empty:
        return Outcome(UNRESOLVED, "–", "–", "0", "no eval completions yet")
    first, last = mine["step"].min(), mine["step"].max()
    start = mine[mine["step"] == first].pivot_table(index="run_id", columns="problem_id", values="value")
    end = mine[mine["step"] == last].pivot_table(index="run_id", columns="problem_id", values="value")
    start, end = start.align(end, join="inner")
    if last == first or start.shape[1] < 2:
        return Outcome(UNRESOLVED, "–", "–", str(start.shape[1]), "needs two eval steps")
    est = stats.paired(start.to_numpy(), end.to_numpy())
    seeds = (end - start).mean(axis=1)
    levels = f"{np.nanmean(start.to_numpy()):.3f} → {np.nanmean(end.to_numpy()):.3f}"
    return Outcome(_verdict(est, direction), f"{metric} {levels} ({est.text()})",
                   ", ".join(f"{v:+.2f}" for v in seeds), f"{len(seeds)} seeds × {start.shape[1]} problems",
                   f"step {first} → {last}, {est.method}")


def _reference(store: Any, runs: list[str]) -> tuple[str, pd.DataFrame]:
    from yardstick.store import reviews

    for reference in ("judge", "hand"):
        pairs = reviews.audit_pairs(store, reference, runs)
        if len(pairs):
            return reference, pairs
    return "", pd.DataFrame()


def _faithful(store: Any, runs: list[str], extractor: str) -> Outcome:
    """Is `extractor`'s F1 against the reference (judge, else hand labels) above every other extractor's, beyond a
    paired bootstrap over completions? Reversed when some other extractor is clearly more faithful."""
    reference, pairs = _reference(store, runs)
    if pairs.empty:
        return Outcome(UNRESOLVED, "–", "–", "0", "no reference verdicts on these completions: run the judge or "
                       "hand-label some final completions")
    mine = pairs[pairs["instrument"] == extractor].set_index("completion_id")
    gaps = {}
    for other in sorted(set(pairs["instrument"]) - {extractor}):
        theirs = pairs[pairs["instrument"] == other].set_index("completion_id").reindex(mine.index)
        both = np.concatenate([audit.cells(mine), audit.cells(theirs)])
        point = float(audit.f1(*both[:4].sum(axis=1)) - audit.f1(*both[4:].sum(axis=1)))
        (lo, hi), = stats.bootstrap_counts(both, lambda *s: (audit.f1(*s[:4]) - audit.f1(*s[4:]),))
        gaps[other] = (point, lo, hi)
    verdict = HELD if all(lo > 0 for _, lo, _ in gaps.values()) else \
        REVERSED if any(hi < 0 for _, _, hi in gaps.values()) else UNRESOLVED
    rival = min(gaps, key=lambda o: gaps[o][0])
    scores = audit.table(pairs).set_index("instrument")["f1"].sort_values(ascending=False)
    point, lo, hi = gaps[rival]
    return Outcome(verdict, ", ".join(f"{k} {v:.3f}" for k, v in scores.head(4).items()), "–",
                   f"{len(mine)} completions", f"F1 against the {reference}; closest rival {rival}: "
                   f"{point:+.3f} [{lo:+.3f}, {hi:+.3f}] (paired bootstrap)")


def _worst_reward(store: Any, rows: pd.DataFrame, units: dict[str, list[str]], experiment: str) -> Outcome:
    """Is the model trained on `experiment`'s reward worse than those trained on lenient and strict_tag, at the final
    greedy evaluation? Judged by the judge where it scored these completions, else by the study's own two
    independent rulers (last-number and lenient), both of which must agree."""
    others = [e for e in ("lenient", "strict_tag") if e in units]
    judged = rows[(rows["name"] == "judge") & (rows["phase"] == "final")]
    rulers = ["judge"] if judged["run_id"].isin(units.get(experiment, [])).any() else ["study_last_number",
                                                                                         "study_lenient"]
    verdicts, texts, n = [], [], 0
    for ruler in rulers:
        part = rows[(rows["name"] == ruler) & (rows["phase"] == "final") & (rows["decoding"] == "greedy")]
        mine = part[part["run_id"].isin(units.get(experiment, []))].groupby("problem_id")["value"].mean()
        for other in others:
            theirs = part[part["run_id"].isin(units[other])].groupby("problem_id")["value"].mean()
            a, b = mine.align(theirs, join="inner")
            if len(a) < 2:
                continue
            est = stats.paired(b.to_numpy(), a.to_numpy())  # ours − theirs
            verdicts.append(_verdict(est, "down"))
            texts.append(f"{ruler}: vs {other} {est.text()}")
            n = max(n, len(a))
    if not verdicts:
        return Outcome(UNRESOLVED, "–", "–", "0", "needs the final evaluation of these runs")
    verdict = HELD if all(v == HELD for v in verdicts) else REVERSED if all(v == REVERSED for v in verdicts) \
        else UNRESOLVED
    return Outcome(verdict, "; ".join(texts), "–", f"{n} problems", "final greedy accuracy, paired over problems "
                   "(seeds averaged); ruler: " + " and ".join(rulers))


def _flip(rows: pd.DataFrame, units: dict[str, list[str]]) -> Outcome:
    unit_of = {run: experiment for experiment, runs in units.items() for run in runs}
    finals = rows[rows["phase"] == "final"]
    finals = finals[finals["run_id"].isin(unit_of)]
    if finals.empty:
        return Outcome(UNRESOLVED, "–", "–", "0", "needs the final evaluation of these runs")
    flips = final.flips(finals, unit_of)
    flips = flips[flips["first"].str.endswith("greedy") & flips["second"].str.endswith("sampled")]  # decoding only
    significant = flips[flips["flip"] == "significant"]
    n = int(finals["problem_id"].nunique())
    verdict = HELD if len(significant) else REVERSED if flips.empty else UNRESOLVED
    ours = f"{len(flips)} pair(s) change order, {len(significant)} beyond noise" if len(flips) else \
        "no pair changes order between greedy and sampled"
    example = f"; e.g. {significant.iloc[0]['pair']} ({significant.iloc[0]['first']})" if len(significant) else ""
    return Outcome(verdict, ours + example, "–", f"{n} problems", "orders per instrument, greedy vs sampled; a flip "
                   "counts when both paired differences are clear of zero")


def table(store: Any, units: dict[str, list[str]]) -> pd.DataFrame:
    """The claims table for a replication: `units` maps each experiment to its runs (seeds)."""
    from yardstick.store import queries

    runs = [r for rs in units.values() for r in rs]
    rows = queries.by_problem(store, runs, ("eval", "final"), judge=True) if runs else pd.DataFrame(
        columns=["run_id", "step", "phase", "decoding", "name", "problem_id", "value"])
    out = []
    for claim in CLAIMS:
        outcomes = []
        for t in claim.tests:
            if t.rule == "change":
                outcomes.append(_change(rows, units.get(t.experiment, []), t.metric, t.direction))
            elif t.rule == "faithful":
                outcomes.append(_faithful(store, runs, t.metric))
            elif t.rule == "worst_reward":
                outcomes.append(_worst_reward(store, rows, units, t.experiment))
            else:
                outcomes.append(_flip(rows, units))
        verdicts = [o.verdict for o in outcomes]
        verdict = HELD if all(v == HELD for v in verdicts) else REVERSED if REVERSED in verdicts else UNRESOLVED
        out.append({"verdict": verdict, "claim": claim.text, "study": f"{claim.study} ({claim.table})",
                    "ours (pooled, 95% CI)": " · ".join(o.ours for o in outcomes),
                    "per seed": " · ".join(o.per_seed for o in outcomes), "n": " · ".join(o.n for o in outcomes),
                    "how": " · ".join(o.how for o in outcomes)})
    return pd.DataFrame(out)
