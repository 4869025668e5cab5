"""The final evaluation: final checkpoints and the base model, greedy and sampled, every instrument, with
intervals; ranking flips reported with their paired intervals."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

from yardstick import home
from yardstick.analysis import final
from yardstick.jobs import queue
from yardstick.jobs.scheduler import claim_and_run
from yardstick.record.folder import RunFolder
from yardstick.views import launch

TINY = {"steps": 1, "n_train": 4, "n_eval": 6, "num_generations": 2, "prompts_per_step": 1,
        "max_completion_length": 8, "eval_samples": 0, "eval_every": 1}


def cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "yardstick", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc


@pytest.mark.slow
def test_evaluate_runs_and_base_gives_a_table_per_instrument_and_decoding(tmp_path, isolated_env, tiny_model):
    runs = []
    for reward in ("format", "lenient"):  # trained here (`yardstick train` itself is tested in test_train.py)
        (run,) = queue.submit({**TINY, "model": tiny_model, "reward": reward})
        assert claim_and_run(RunFolder(home.runs_dir() / run)) == 0
        runs.append(run)
    assert all((RunFolder(home.runs_dir() / r).path / "model" / "config.json").exists() for r in runs)
    out = json.loads(cli("evaluate", *runs, "--base", "--samples", "2", "--json").stdout)
    table = pd.DataFrame(out["table"])
    assert len(set(table["unit"])) == 3  # two experiments and the base model
    shape = table.groupby("unit").apply(lambda t: set(zip(t["instrument"], t["decoding"])), include_groups=False)
    expected = {(n, d) for n in ("last_number", "strict_tag", "lenient", "format", "math_verify")
                for d in ("greedy", "sampled")}
    assert all(expected <= cells for cells in shape)
    assert (table["n"] == 6).all() and (table["lo"] <= table["value"]).all() and (table["value"] <= table["hi"]).all()
    assert {"pair", "first", "second", "flip"} <= set(pd.DataFrame(out["flips"], columns=[
        "pair", "first", "second", "difference (first)", "difference (second)", "flip", "n"]).columns)
    listed = launch.build(None, launch.State()).get("runs").frame.set_index("run_id")  # the Launch page's list
    base = listed.loc[[r for r in listed.index if r.startswith("base-")][0]]
    assert base["what"] == f"base: {tiny_model}" and not base["training"]  # an evaluation job, not "reward nan"
    assert listed.loc[runs[0], "what"] == "reward format" and listed.loc[runs[0], "training"]
    job = listed.loc[[r for r in listed.index if r.endswith("final-evaluation")][0]]
    assert job["what"] == "final evaluation of 3 model(s)" and not job["training"]


def test_a_constructed_ranking_flip_is_reported_with_its_intervals():
    rng = np.random.default_rng(0)
    rows = []
    for unit, greedy, sampled in (("A", 0.8, 0.2), ("B", 0.2, 0.8), ("C", 0.5, 0.5)):
        for decoding, p in (("greedy", greedy), ("sampled", sampled)):
            rows += [(unit, 100, "final", decoding, "last_number", f"p{i}", float(rng.random() < p), 1)
                     for i in range(60)]
    rows = pd.DataFrame(rows, columns=["run_id", "step", "phase", "decoding", "name", "problem_id", "value", "samples"])
    flips = final.flips(rows, {"A": "A", "B": "B", "C": "C"})
    ab = flips[flips["pair"] == "A vs B"].iloc[0]
    assert ab["first"] == "last_number · greedy" and ab["second"] == "last_number · sampled"
    assert ab["flip"] == "significant"
    orders = final.orders(final.table(rows, {"A": "A", "B": "B", "C": "C"}))
    assert orders.set_index("decoding").loc["greedy", "order"].startswith("A > ")


def test_the_study_final_table_shows_its_judge_flip(embedded_home):
    from yardstick.store.store import Store
    from yardstick.views import build

    view = build(Store(embedded_home / "yardstick.duckdb"), "final", {})
    table = view.get("table").frame.set_index("unit")
    assert table.loc["study-sc-last-number", "judge · greedy"].startswith("0.320 [")
    flips = view.get("flips").frame
    assert len(flips) and set(flips["flip"]) <= {"significant", "within noise"}
