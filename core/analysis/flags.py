"""Flags: the signature of "the reward went up but the model did not get better", with a noise model.

One flag per (run or seed group, reward, metric), each stating its rule, numbers and interval in one sentence:
- diverging: the reward's trend over training (early vs late window of steps, never one step) rises while an
  independent metric's eval trend (first eval vs the last third of evals) falls beyond its 95% interval — paired
  over the same problems (and seeds) where per-problem readings exist, else from the n the source stated; that
  interval is widened for the number of metrics tested (Bonferroni), so a run with many metrics is not flagged by
  chance;
- saturated: in the last fifth of training most GRPO groups had identical rewards (little gradient left);
- proxy gain: a reward's own instrument rises while no independent accuracy does, and a check (format) rises more:
  the "gain" is the instrument reading more completions, not more correct answers.
A metric of the reward's own instrument family is circular and is never tested as independent.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from yardstick.analysis import stats
from yardstick.instruments.registry import family
from yardstick.instruments.rewardspec import metric_role, reward_instruments

WINDOW = 0.2  # share of training steps in the early and late reward windows
MIN_WINDOW = 3
SATURATED = 0.5
LEVEL = 0.95


@dataclass(frozen=True)
class Flag:
    unit: str  # the run, or the seed group
    runs: tuple[str, ...]
    kind: str  # diverging | saturated | proxy gain
    reward: str
    metric: str
    decoding: str
    start: float
    end: float
    lo: float  # the interval of the change that triggered the flag
    hi: float
    method: str
    strength: float  # for ranking: how far the evidence is from "no change"
    message: str
    n: int = 0  # what the interval was computed over (problems, seeds, or logged steps)
    level: float = LEVEL  # the interval's level (wider than 95% when several metrics were tested)

    @property
    def interval(self) -> str:
        """The flag's interval with its level and n, e.g. "Δ [-0.30, -0.10], 95% CI, n = 50": the change that
        triggered a diverging or proxy-gain flag; for saturation, the mean share over the last steps."""
        fmt = "{:.0%}" if self.kind == "saturated" else "{:+.2f}"
        prefix = "" if self.kind == "saturated" else "Δ "
        return f"{prefix}[{fmt.format(self.lo)}, {fmt.format(self.hi)}], {self.level * 100:.3g}% CI, n = {self.n}"

    @property
    def headline(self) -> str:
        """The flag in a few words, with its interval (the message has the rule and method)."""
        if self.kind == "diverging":
            return f"{self.unit}: {self.metric} ({self.decoding}) fell {self.start:.2f} → {self.end:.2f} " \
                   f"({self.interval}) while the reward went up"
        if self.kind == "saturated":
            return f"{self.unit}: the reward saturated ({self.end:.0%} of groups had identical rewards; " \
                   f"{self.interval})"
        return f"{self.unit}: {self.metric} rose ({self.interval}) mostly through format"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "runs": list(self.runs)}


def flags(metrics: pd.DataFrame, per_problem: pd.DataFrame | None = None) -> list[Flag]:
    """Flags for every run or seed group in `metrics` (rows of queries.metrics), using per-problem readings
    (queries.by_problem) for paired intervals where they exist. Ranked: strongest first, grouped by unit."""
    per_problem = per_problem if per_problem is not None else pd.DataFrame(
        columns=["run_id", "step", "phase", "decoding", "name", "problem_id", "value"])
    group = metrics["seed_group"].where(metrics["seed_group"].notna() & (metrics["seed_group"] != ""),
                                        metrics["run_id"])
    found: list[Flag] = []
    for unit, rows in metrics.assign(unit=group).groupby("unit", sort=True):
        runs = tuple(sorted(rows["run_id"].unique()))
        found += _unit_flags(str(unit), runs, rows, per_problem[per_problem["run_id"].isin(runs)])
    strongest = {u: max(f.strength for f in found if f.unit == u) for u in {f.unit for f in found}}
    return sorted(found, key=lambda f: (-strongest[f.unit], f.unit, -f.strength))


def _unit_flags(unit: str, runs: tuple[str, ...], rows: pd.DataFrame, per_problem: pd.DataFrame) -> list[Flag]:
    spec = rows["reward_spec"].dropna().iloc[0] if rows["reward_spec"].notna().any() else None
    if not spec:
        return []
    found = _saturated(unit, runs, spec, rows)
    reward = _reward_trend(rows)
    if reward is None:
        return found
    evals = rows[rows["phase"] == "eval"]
    tested = [(n, d) for (n, d), line in evals.groupby(["name", "decoding"])
              if line["step"].nunique() >= 2 and metric_role(n, spec) == "independent"]
    level = 1 - (1 - LEVEL) / max(len(tested), 1)
    trends = {(n, d): _metric_trend(evals, per_problem, n, d, level) for n, d in tested}
    if reward.value > 0:
        for (name, decoding), (start, end, change) in trends.items():
            if change.hi < 0:
                found.append(Flag(unit, runs, "diverging", spec, name, decoding, start, end, change.lo, change.hi,
                                  change.method, -change.hi, f"{unit}: the reward went up ({_says(reward)}) while "
                                  f"{name} ({decoding}) fell {start:.2f} → {end:.2f} ({_says(change)}"
                                  + (f"; {level:.1%} interval: {len(tested)} metrics tested" if len(tested) > 1
                                     else "") + ").", change.n, level))
    found += _proxy(unit, runs, spec, evals, per_problem, trends, level)
    return found


def _says(e: stats.Estimate) -> str:
    return f"{e.text()}, {e.method}"


def _reward_trend(rows: pd.DataFrame) -> stats.Estimate | None:
    """The reward's change over training: early vs late window of training steps (Welch), or — where only eval
    points of the reward exist, as in the imported study — first vs last eval from the stated n."""
    train = rows[(rows["name"] == "reward") & (rows["phase"] == "train")].sort_values("step")
    steps = sorted(train["step"].unique())
    if len(steps) >= 2 * MIN_WINDOW:
        width = max(MIN_WINDOW, math.ceil(len(steps) * WINDOW))
        early = train[train["step"].isin(steps[:width])]["value"].to_numpy()
        late = train[train["step"].isin(steps[-width:])]["value"].to_numpy()
        est = stats.welch(early, late, LEVEL)
        return stats.Estimate(est.value, est.lo, est.hi, est.n, f"Welch, steps {steps[0]}–{steps[width - 1]} vs "
                              f"{steps[-width]}–{steps[-1]}")
    evals = rows[(rows["name"] == "reward") & (rows["phase"] == "eval")]
    if evals["step"].nunique() >= 2:
        return _metric_trend(evals, evals.iloc[0:0], "reward", evals["decoding"].iloc[0], LEVEL)[2]
    return None


def _metric_trend(evals: pd.DataFrame, per_problem: pd.DataFrame, name: str, decoding: str,
                  level: float) -> tuple[float, float, stats.Estimate]:
    """(start, end, change) of an eval metric: the first eval step vs the mean of the last third of eval steps."""
    line = evals[(evals["name"] == name) & (evals["decoding"] == decoding)]
    steps = sorted(line["step"].unique())
    last = steps[-max(1, math.ceil((len(steps) - 1) / 3)):]
    mine = per_problem[(per_problem["name"] == name) & (per_problem["decoding"] == decoding)
                       & (per_problem["phase"] == "eval")] if len(per_problem) else per_problem
    start_v = float(line[line["step"] == steps[0]]["value"].mean())
    end_v = float(line[line["step"].isin(last)]["value"].mean())
    if len(mine) and mine["step"].isin([steps[0]]).any():
        start = mine[mine["step"] == steps[0]].pivot_table(index="run_id", columns="problem_id", values="value")
        end = mine[mine["step"].isin(last)].pivot_table(index="run_id", columns="problem_id", values="value")
        start, end = start.align(end, join="inner")
        if start.shape[1] >= 2:
            return start_v, end_v, stats.paired(start.to_numpy(), end.to_numpy(), level)
    n = line["n"].dropna()
    if len(n):
        return start_v, end_v, stats.newcombe(start_v, int(n.min()), end_v, int(n.min()), level)
    return start_v, end_v, stats.Estimate(end_v - start_v, -1.0, 1.0, 0, "no n: cannot tell")


def _saturated(unit: str, runs: tuple[str, ...], spec: str, rows: pd.DataFrame) -> list[Flag]:
    zero = rows[rows["name"] == "frac_reward_zero_std"].sort_values("step")
    steps = sorted(zero["step"].unique())
    if len(steps) < 2 * MIN_WINDOW:
        return []
    tail_steps = steps[-max(MIN_WINDOW, math.ceil(len(steps) * WINDOW)):]
    tail = zero[zero["step"].isin(tail_steps)]["value"].to_numpy()
    est = stats.mean_t(tail)
    if est.value < SATURATED:
        return []
    lo, hi = max(est.lo, 0.0), min(est.hi, 1.0)  # a share: t's interval can overrun [0, 1] on a few steps
    return [Flag(unit, runs, "saturated", spec, "frac_reward_zero_std", "sampled", float(zero["value"].iloc[0]),
                 est.value, lo, hi, "mean over the last steps", est.value,
                 f"{unit}: in steps {tail_steps[0]}–{tail_steps[-1]}, {est.value:.0%} [{lo:.0%}, {hi:.0%}] "
                 f"of GRPO groups had identical rewards (95% t interval over n = {len(tail)} logged step values): "
                 "little gradient left (the reward saturated).", len(tail))]


def _proxy(unit: str, runs: tuple[str, ...], spec: str, evals: pd.DataFrame, per_problem: pd.DataFrame,
           trends: dict, level: float) -> list[Flag]:
    """A reward instrument that rises while no independent accuracy does, and a check rises more."""
    reward_families = {family(i) for i in reward_instruments(spec)}
    checks = [(n, d) for (n, d) in evals.groupby(["name", "decoding"]).groups if family(n) == "format"]
    accuracies = {k: v for k, v in trends.items() if family(k[0]) not in ("format",)}
    check_trends: dict[tuple[str, str], stats.Estimate] = {}  # each check's bootstrap once, not once per instrument
    found = []
    for (name, decoding), line in evals.groupby(["name", "decoding"]):
        if family(name) not in reward_families or family(name) == "format" or line["step"].nunique() < 2:
            continue
        own = _metric_trend(evals, per_problem, name, decoding, LEVEL)[2]
        others = [t for (n, d), t in accuracies.items() if d == decoding]
        for key in [c for c in checks if c[1] == decoding and c not in check_trends]:
            check_trends[key] = _metric_trend(evals, per_problem, *key, LEVEL)[2]
        rising = [c for (n, d), c in check_trends.items() if d == decoding and c.value > own.value and c.lo > 0]
        if own.lo > 0 and others and not any(t[2].lo > 0 for t in others) and rising:
            check = max(rising, key=lambda c: c.value)
            found.append(Flag(unit, runs, "proxy gain", spec, name, decoding, own.value, check.value, own.lo, own.hi,
                              own.method, own.lo, f"{unit}: {name} ({decoding}) rose ({_says(own)}) but no independent "
                              f"accuracy did, while format rose more ({check.text()}): the gain is {name} reading "
                              "more completions, not more correct answers.", own.n))
    return found


def grouped(found: list[Flag]) -> list[list[Flag]]:
    """Flags as a reader scans them: one group per run (or seed group), kind and decoding, strongest first — five
    instruments falling under one reward are one finding with five pieces of evidence, not five findings."""
    groups: dict[tuple[str, str, str], list[Flag]] = {}
    for f in sorted(found, key=lambda f: -f.strength):
        groups.setdefault((f.unit, f.kind, f.decoding), []).append(f)
    return list(groups.values())


def group_headline(group: list[Flag]) -> str:
    """One line for a group of flags (a group of one reads as its flag's headline)."""
    first = group[0]
    if len(group) == 1:
        return first.headline
    if first.kind == "diverging":
        falls = "; ".join(f"{f.metric} {f.start:.2f} → {f.end:.2f} ({f.interval})" for f in group)
        families = len({family(f.metric) for f in group})  # study_last_number is last_number again, not new evidence
        return f"{first.unit}: the reward went up while {len(group)} independent metrics ({families} instrument " \
               f"famil{'y' if families == 1 else 'ies'}) fell ({first.decoding}): {falls}"
    rises = "; ".join(f"{f.metric} ({f.interval})" for f in group)
    return f"{first.unit}: {rises} rose mostly through format"


def store_flags(store: Any, run_ids: list[str] | None = None) -> list[Flag]:
    """Flags for these runs (default: every run with metrics)."""
    from yardstick.store import queries

    runs = run_ids if run_ids is not None else queries.metric_runs(store)
    return flags(queries.metrics(store, runs), queries.by_problem(store, runs, ("eval",)))
