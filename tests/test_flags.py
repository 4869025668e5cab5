"""Flags with a noise model: on the study's published curves, on synthetic runs whose truth is known, and through
`yardstick flags --json`."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
from conftest import REPO

from yardstick.analysis import simulate
from yardstick.analysis.flags import Flag, flags, store_flags
from yardstick.store.store import Store


def test_study_runs(embedded_home):
    store = Store(embedded_home / "yardstick.duckdb")
    found = store_flags(store)
    diverging = {(f.unit, f.metric) for f in found if f.kind == "diverging"}
    assert ("study-format-only", "study_last_number") in diverging  # reward 0.44 → 1.00, last-number 0.23 → 0.03
    assert ("study-lenient", "study_format") in diverging  # format 0.39 → 0.06 under the lenient reward
    assert not any(u == "study-combined" for u, _ in diverging)  # both rose
    assert not any(f.metric in ("study_lenient", "lenient") and "lenient" in f.reward for f in found
                   if f.kind == "diverging")  # never independent of a lenient-family reward
    proxy = [f for f in found if f.kind == "proxy gain"]
    assert [f.unit for f in proxy] == ["study-sc-strict-tag"]  # strict_tag 0.10 → 0.27 while format 0.42 → 0.89
    fo = next(f for f in found if f.unit == "study-format-only")
    assert "0.23 → 0.03" in fo.message and "n = 50" in fo.message and fo.hi < 0
    assert fo.n == 50 and f"[{fo.lo:+.2f}, {fo.hi:+.2f}]" in fo.headline and "n = 50" in fo.headline


def test_circular_metrics_and_saturation():
    rows = [("r", s, "reward", 0.2 + s / 100, "train", "sampled", None) for s in range(1, 21)]
    rows += [("r", s, "frac_reward_zero_std", 0.9, "train", "sampled", None) for s in range(1, 21)]
    rows += [("r", 0, "format", 0.9, "eval", "greedy", 50), ("r", 20, "format", 0.1, "eval", "greedy", 50)]
    df = pd.DataFrame(rows, columns=["run_id", "step", "name", "value", "phase", "decoding", "n"]).assign(
        reward_spec="format", seed_group=None)
    kinds = [f.kind for f in flags(df)]
    assert kinds == ["saturated"]  # format falls, but it is the reward's own instrument (circular), not divergence
    few = pd.DataFrame([("r", s, "frac_reward_zero_std", v, "train", "sampled", None) for s, v in
                        zip(range(1, 7), (0.9, 0.9, 0.9, 1.0, 0.55, 1.0))] + [("r", 1, "reward", 0.1, "train", "sampled", None)],
                       columns=df.columns[:7]).assign(reward_spec="format", seed_group=None)
    saturated = flags(few)[0]
    assert saturated.hi == 1.0 and saturated.lo >= 0  # a share's t interval over 3 steps ran to 150%
    assert saturated.headline == "r: the reward saturated (85% of groups had identical rewards; [20%, 100%], 95% CI, " \
                                 "n = 3)"


def test_flags_fire_on_signal_and_rarely_on_noise():
    null = flags(*simulate.runs(100, rng_seed=7))
    assert len({f.unit for f in null if f.kind == "diverging"}) <= 5  # ≤ 5% of null runs
    falling = flags(*simulate.runs(20, drop=0.25, rng_seed=8))
    assert len({f.unit for f in falling if f.kind == "diverging"}) >= 18
    grouped = flags(*simulate.runs(5, seeds=3, drop=0.25, rng_seed=9))
    assert {f.unit for f in grouped if f.kind == "diverging"} == {f"sim-{r}" for r in range(5)}  # one per group


def test_flags_command_prints_json(embedded_home):
    proc = subprocess.run([sys.executable, "-m", "yardstick", "flags", "--json"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    first = next(r for r in rows if r["unit"] == "study-format-only")
    assert {"unit", "kind", "reward", "metric", "start", "end", "lo", "hi", "strength", "message"} <= first.keys()


def test_metrics_falling_together_under_one_reward_are_one_finding():
    """Five instruments falling under one reward read as one line naming them all; its link opens Curves on the
    reward and those metrics; each flag's rule and interval stay in the hover."""
    from yardstick.views.curves import flag_links

    def flag(metric: str, strength: float, unit: str = "fo", kind: str = "diverging") -> Flag:
        return Flag(unit, ("fo-1", "fo-2"), kind, "format", metric, "sampled", 0.5, 0.3, -0.3, -0.1, "paired",
                    strength, f"{metric} rule and interval", 50, 0.975)

    found = [flag("lenient", 2.0), flag("last_number", 3.0), flag("strict_tag", 1.0, unit="other")]
    (line, page, params, hover), (single, *_) = flag_links(found)
    assert line == "fo: the reward went up while 2 independent metrics (2 instrument families) fell (sampled): " \
                   "last_number 0.50 → 0.30 (Δ [-0.30, -0.10], 97.5% CI, n = 50); " \
                   "lenient 0.50 → 0.30 (Δ [-0.30, -0.10], 97.5% CI, n = 50)"
    assert page == "curves" and params == {"run": ["fo-1", "fo-2"], "metric": ["reward", "last_number", "lenient"]}
    assert "last_number rule and interval" in hover and "lenient rule and interval" in hover
    proxy = [flag("study_strict_tag", 1.0, kind="proxy gain"), flag("strict_tag", 2.0, kind="proxy gain")]
    assert flag_links(proxy)[0][0] == "fo: strict_tag (Δ [-0.30, -0.10], 97.5% CI, n = 50); study_strict_tag " \
                                      "(Δ [-0.30, -0.10], 97.5% CI, n = 50) rose mostly through format"
    assert single == found[2].headline == "other: strict_tag (sampled) fell 0.50 → 0.30 (Δ [-0.30, -0.10], " \
                                          "97.5% CI, n = 50) while the reward went up"
