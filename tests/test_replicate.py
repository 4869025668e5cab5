"""`yardstick replicate`: a miniature replication end to end through the CLI — killed half-way and run again, it
finishes without repeating a finished run — and the claims table it prints."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO

from yardstick import home
from yardstick.jobs import queue

MINI = ["replicate", "--steps", "1", "--seeds", "1", "--samples", "1", "--out", "mini",
        "--set", "n_eval=4", "--set", "n_train=4", "--set", "eval_every=1", "--set", "eval_samples=1",
        "--set", "num_generations=2", "--set", "prompts_per_step=1", "--set", "max_completion_length=8"]


def finished() -> dict[str, float]:
    return {f.run_id: f.status()["finished_at"] for f in queue.folders() if f.status().get("state") == "finished"
            and "--final-evaluation--" not in f.run_id and f.run_id.startswith("mini--")}


@pytest.mark.slow
def test_a_miniature_replication_survives_a_kill_and_prints_its_claims(isolated_env, tiny_model):
    mini = [*MINI, "--model", tiny_model]
    first = subprocess.Popen([sys.executable, "-m", "yardstick", *mini], cwd=REPO, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.time() + 900
    while len(finished()) < 3:
        assert time.time() < deadline and first.poll() is None, "the first half did not get going"
        time.sleep(1)
    os.kill(first.pid, signal.SIGKILL)  # the replication's own process dies half-way (its current worker goes on)
    first.wait(timeout=30)
    before = finished()

    proc = subprocess.run([sys.executable, "-m", "yardstick", *mini, "--json"], cwd=REPO, capture_output=True, text=True,
                          timeout=1500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    claims = json.loads(proc.stdout)
    assert len(claims) == 7 and {c["verdict"] for c in claims} <= {"held", "reversed", "not resolved at this n"}
    assert {"claim", "study", "ours (pooled, 95% CI)", "per seed", "n", "verdict"} <= set(claims[0])
    assert all(finished()[run] == at for run, at in before.items())  # nothing finished was run again
    folders = [f.run_id for f in queue.folders() if f.run_id.startswith("mini--")]
    runs = [f for f in folders if "--final-evaluation--" not in f and not f.startswith("base-")]
    assert len(runs) == 5 and all(f.endswith("--a1") for f in runs)  # 5 experiments × 1 seed, one attempt each
    assert (home.home() / "replications" / "mini.html").exists()
