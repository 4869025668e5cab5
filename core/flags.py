"""Flags: the signature of "the reward went up but the model did not get better", found in a run's metrics.

A run is flagged when its training reward rose while an independent metric (one that shares no instrument with the
reward) fell, or when the reward saturated (most groups' rewards all equal, so GRPO stops learning).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core import stats
from core.rewardspec import metric_role

MIN_CHANGE = 0.05


@dataclass(frozen=True)
class Flag:
    run_id: str
    kind: str  # "diverging" | "saturated"
    message: str


def flags(metrics: pd.DataFrame) -> list[Flag]:
    """Flags for every run in `metrics` (rows of queries.metrics)."""
    found: list[Flag] = []
    for run, rows in metrics.groupby("run_id", sort=True):
        spec = rows["reward_spec"].iloc[0]
        reward = rows[rows["name"] == "reward"]
        if len(reward) >= 2:
            (_, r0), (_, r1) = stats.endpoints(reward)
            for (name, decoding), line in rows[rows["phase"] == "eval"].groupby(["name", "decoding"]):
                if len(line) < 2 or metric_role(name, spec) != "independent":
                    continue
                (_, m0), (_, m1) = stats.endpoints(line)
                if r1 - r0 >= MIN_CHANGE and m0 - m1 >= MIN_CHANGE:
                    found.append(Flag(run, "diverging", f"reward {r0:.2f} → {r1:.2f} while {name} ({decoding}) "
                                                        f"{m0:.2f} → {m1:.2f}"))
        saturation = rows[rows["name"] == "frac_reward_zero_std"].sort_values("step")
        if len(saturation) >= 10:
            tail = float(saturation["value"].iloc[-max(len(saturation) // 5, 1):].mean())
            if tail >= 0.5:
                found.append(Flag(run, "saturated", f"in the last fifth of training {tail:.0%} of groups had "
                                                    "identical rewards: little gradient left"))
    return found


def store_flags(store, run_ids: list[str] | None = None) -> list[Flag]:
    """Flags for these runs (default: every run with metrics)."""
    from core.store import queries

    return flags(queries.metrics(store, run_ids if run_ids is not None else queries.metric_runs(store)))
