"""Synthetic runs with known truth, for calibrating flags: a rising training reward, and eval metrics measured on
the same problems at every eval step — flat (the null: any flag is a false positive) or falling by `drop`.

Problems differ in difficulty (each has its own chance of being solved), samples of a problem are Bernoulli draws
of that chance, so the per-problem pairing that flags rely on is as real as it is in a training run.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def runs(n_runs: int, seeds: int = 1, drop: float = 0.0, problems: int = 50, samples: int = 4,
         steps: int = 100, eval_every: int = 20, rng_seed: int = 0,
         seed_drift: float = 0.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metrics, per_problem) frames shaped like queries.metrics and queries.by_problem: `n_runs` experiments of
    `seeds` seeds each (seeds share problems), reward `format`, independent metric `last_number`. `seed_drift` is
    the sd of each seed's own drift over training (real seeds wander apart; on average they do not move)."""
    rng = np.random.default_rng(rng_seed)
    metric_rows, problem_rows = [], []
    eval_steps = list(range(0, steps + 1, eval_every))
    for r in range(n_runs):
        base = rng.beta(2, 3, size=problems)  # each problem's chance of being solved (mean 0.4)
        for s in range(seeds):
            wander = rng.normal(0, seed_drift) if seed_drift else 0.0
            run, group = f"sim-{r}-s{s}", (f"sim-{r}" if seeds > 1 else None)
            for step in range(1, steps + 1):
                reward = 0.3 + 0.5 * step / steps + rng.normal(0, 0.15)
                metric_rows.append((run, step, "reward", float(np.clip(reward, 0, 1)), "train", "sampled", None,
                                    group))
            for step in eval_steps:
                p = np.clip(base + (wander - drop) * step / steps, 0, 1)
                values = rng.binomial(samples, p) / samples
                problem_rows += [(run, step, "eval", "sampled", "last_number", f"p{i}", float(v), samples)
                                 for i, v in enumerate(values)]
                metric_rows.append((run, step, "last_number", float(values.mean()), "eval", "sampled", problems,
                                    group))
    metrics = pd.DataFrame(metric_rows, columns=["run_id", "step", "name", "value", "phase", "decoding", "n",
                                                 "seed_group"]).assign(reward_spec="format")
    per_problem = pd.DataFrame(problem_rows, columns=["run_id", "step", "phase", "decoding", "name", "problem_id",
                                                      "value", "samples"])
    return metrics, per_problem
