"""How often flags fire on noise: synthetic runs whose independent metric is flat (binomial noise, n = 50
problems, 4 samples each) while the reward rises — every 'diverging' flag is a false positive — and, for power,
runs whose metric truly falls. Prints the rates; the target is ≤ 5% of null runs flagged diverging.

    python bench/flags_null.py [--runs 400]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import simulate  # noqa: E402
from core.flags import flags  # noqa: E402


def rate(n_runs: int, seeds: int, drop: float, rng_seed: int) -> float:
    metrics, per_problem = simulate.runs(n_runs, seeds=seeds, drop=drop, rng_seed=rng_seed)
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


if __name__ == "__main__":
    main()
