"""Flags on real data: the study's format-only run is flagged, its combined run is not."""
from __future__ import annotations

import pandas as pd

from core.flags import flags
from core.store import queries
from core.store.store import Store


def test_study_runs(embedded_home):
    store = Store(embedded_home / "yardstick.duckdb")
    found = flags(queries.metrics(store, queries.metric_runs(store)))
    diverging = {f.run_id for f in found if f.kind == "diverging"}
    assert "study-format-only" in diverging  # reward 0.44 → 1.00 while study_last_number 0.23 → 0.03
    assert "study-combined" not in diverging  # both rose
    msg = next(f.message for f in found if f.run_id == "study-format-only")
    assert "study_last_number" in msg and "0.23" in msg


def test_saturation_and_circular_metrics_are_not_divergence():
    rows = [("r", s, "reward", 0.2 + s / 100, "train", "sampled") for s in range(1, 21)]
    rows += [("r", s, "frac_reward_zero_std", 0.9, "train", "sampled") for s in range(1, 21)]
    rows += [("r", 0, "format", 0.9, "eval", "greedy"), ("r", 20, "format", 0.1, "eval", "greedy")]
    df = pd.DataFrame(rows, columns=["run_id", "step", "name", "value", "phase", "decoding"]).assign(
        reward_spec="format", seed_group=None)
    kinds = [f.kind for f in flags(df)]
    assert kinds == ["saturated"]  # format falls, but it is the reward's own instrument (circular), not divergence
