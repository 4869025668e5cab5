"""How often flags fire on noise: synthetic runs whose independent metric is flat (binomial noise, n = 50
problems, 4 samples each) while the reward rises — every 'diverging' flag is a false positive — also when each
seed drifts on its own (seeds wander apart, on average flat), and, for power, runs whose metric truly falls. Prints the rates; the target is ≤ 5% of null runs flagged diverging.

    python bench/flags_null.py [--runs 400]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from yardstick.analysis import simulate, stats  # noqa: E402
from yardstick.analysis.flags import flags  # noqa: E402


def rate(n_runs: int, seeds: int, drop: float, rng_seed: int, seed_drift: float = 0.0) -> float:
    metrics, per_problem = simulate.runs(n_runs, seeds=seeds, drop=drop, rng_seed=rng_seed, seed_drift=seed_drift)
    flagged = {f.unit for f in flags(metrics, per_problem) if f.kind == "diverging"}
    return len(flagged) / n_runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=400)
    args = ap.parse_args()
    for seeds in (1, 3):
        null = rate(args.runs, seeds, 0.0, 1)
        power = {drop: rate(args.runs // 4, seeds, drop, 2) for drop in (0.1, 0.2)}
        print(f"{seeds} seed(s): false-positive rate (flat metric) {null:.1%} of {args.runs} runs; "
              f"power: metric −0.10 → {power[0.1]:.0%}, −0.20 → {power[0.2]:.0%}")
    for drift in (0.08, 0.15):
        print(f"3 seeds that wander apart (each seed's own drift, sd {drift}, mean 0): flags' false-positive rate "
              f"{rate(args.runs, 3, 0.0, 5, seed_drift=drift):.1%}; one 95% paired interval (as a claim uses) "
              f"excludes 0 in {claim_rate(args.runs, drift):.1%} of {args.runs} runs")


def claim_rate(n_runs: int, drift: float) -> float:
    """How often the paired 95% interval of a flat metric's first-to-last change excludes zero (a claim's test)."""
    _, per_problem = simulate.runs(n_runs, seeds=3, rng_seed=5, seed_drift=drift)
    ends = per_problem[per_problem["step"].isin([0, 100])]
    wrong = 0
    for r in range(n_runs):
        part = ends[ends["run_id"].str.startswith(f"sim-{r}-")]
        first, last = (part[part["step"] == s].pivot_table(index="run_id", columns="problem_id", values="value")
                       for s in (0, 100))
        est = stats.paired(first.to_numpy(), last.to_numpy(), resamples=400)
        wrong += est.excludes_zero
    return wrong / n_runs


if __name__ == "__main__":
    main()
