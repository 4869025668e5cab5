"""The recorder in a user's job under `accelerate launch` with two processes (CPU, gloo): every completion of both
processes recorded exactly once, and only the main process writes the run folder."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pandas as pd
import pytest
from conftest import REPO
from tiny import random_llama

from yardstick.importers import import_path
from yardstick.store.store import Store


@pytest.mark.slow
def test_two_processes_record_every_completion_once_and_only_the_main_one_writes(tmp_path):
    model = tmp_path / "model"
    problems = random_llama(model)
    (model / "problems.jsonl").write_text("\n".join(json.dumps(p) for p in problems))
    out = tmp_path / "out"
    out.mkdir()
    run = tmp_path / "gpu-run"
    proc = subprocess.run(
        [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines",
         "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0",
         str(REPO / "tests/recorder_job.py"), str(model), str(run), str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]

    seen = {rank: [json.loads(line) for line in (out / f"seen-{rank}.jsonl").read_text().splitlines()]
            for rank in (0, 1)}
    assert len(seen[0]) == len(seen[1]) == 2 * 4  # each process scored its own 4 completions at each of 2 steps
    shards = sorted((run / "completions").glob("*.parquet"))
    assert len(shards) == 2  # one per step: written once, by the main process
    status = json.loads((run / "status.json").read_text())
    assert status["pid"] == seen[0][0]["pid"] != seen[1][0]["pid"]
    assert status["state"] == "finished" and status["final_step"] == 2  # the recorder ends the run it started
    written = pd.concat([pd.read_parquet(p) for p in shards])
    saw = Counter((r["step"], r["prompt"], r["text"]) for rows in seen.values() for r in rows)
    assert Counter(zip(written["step"], written["question"], written["text"])) == saw

    store = Store(tmp_path / "s.duckdb")
    kind, result = import_path(store, run)
    assert kind == "run folder" and result.completions == 16
    assert store.cursor().execute("SELECT count(DISTINCT (step, problem_id, sample)) FROM completions").fetchone()[0] \
        == 16
