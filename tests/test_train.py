"""Training on tiny models the tests build: real TRL GRPO, the recorder, the worker, bad configs, kill -9."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import CASES, REPO

from yardstick import home
from yardstick.importers import import_path
from yardstick.jobs import queue, scheduler
from yardstick.jobs.sync import sync
from yardstick.record.folder import RunFolder
from yardstick.store import queries
from yardstick.store.store import Store

MINI = {"n_train": 16, "n_eval": 6, "prompts_per_step": 2, "num_generations": 4,
        "max_completion_length": 16, "eval_samples": 1}


def test_grpo_on_a_tiny_model_changes_weights_and_records_every_completion(tmp_path, tiny_model):
    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from yardstick.record.recorder import Recorder
    from yardstick.train import setup

    model, tok = setup.load_model(tiny_model)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train, _ = setup.load_problems("pocket", 8, 2, 0, 2)
    rec = Recorder(str(tmp_path / "run"), "0.7*format + 0.3*lenient", config={"model": tiny_model})
    trainer = GRPOTrainer(
        model=model, processing_class=tok, reward_funcs=rec.reward_funcs(), callbacks=[rec.callback()],
        train_dataset=Dataset.from_list([{**r, "prompt": setup.prompt(tok, r["question"])} for r in train]),
        args=GRPOConfig(output_dir=str(tmp_path / "out"), max_steps=3, per_device_train_batch_size=8,
                        num_generations=4, max_completion_length=16, learning_rate=1e-2, use_cpu=True, bf16=False,
                        report_to="none", save_strategy="no", logging_steps=1, reward_weights=rec.reward_weights,
                        disable_tqdm=True))
    assert [f.__name__ for f in rec.reward_funcs()] == ["format", "lenient"]  # TRL keys its logs by these
    trainer.train()
    after = model.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before), "GRPO must change the weights"
    store = Store(tmp_path / "s.duckdb")
    kind, result = import_path(store, tmp_path / "run")
    assert kind == "run folder" and result.completions == 3 * 8  # every completion of every step
    rows = store.cursor().execute("SELECT step, reward, reward_components FROM completions ORDER BY step").fetchall()
    assert {r[0] for r in rows} == {1, 2, 3}
    comps = json.loads(rows[0][2])
    assert rows[0][1] == pytest.approx(0.7 * comps["format"] + 0.3 * comps["lenient"])
    names = set(queries.metrics(store, ["run"])["name"])
    assert {"reward", "frac_reward_zero_std", "rewards/format/mean", "train/format", "train/last_number"} <= names


def write_config(tmp_path, **over) -> str:  # over holds the model
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**MINI, **over}))
    return str(path)


@pytest.mark.slow
def test_worker_runs_evaluates_and_finishes(tmp_path, isolated_env, tiny_model):
    proc = subprocess.run([sys.executable, "-m", "yardstick", "train", write_config(
                              tmp_path, model=tiny_model, steps=4, eval_every=2, reward="format")],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (run,) = queue.folders()
    assert run.status()["state"] == "finished" and run.status()["step"] == 4
    store = Store(isolated_env / "yardstick.duckdb")
    import_path(store, run.path)
    steps = store.cursor().execute("SELECT DISTINCT step, decoding FROM completions WHERE phase = 'eval' "
                                   "ORDER BY 1, 2").fetchall()
    assert steps == [(s, d) for s in (0, 2, 4) for d in ("greedy", "sampled")]
    m = queries.metrics(store, [run.run_id])
    assert set(m[m["name"] == "last_number"]["decoding"]) == {"greedy", "sampled"}


BAD = [json.loads(line) for line in (CASES / "bad_configs.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("case", BAD, ids=[c["file"] for c in BAD])
def test_bad_config_is_titled_names_the_field_and_starts_nothing(case, isolated_env):
    proc = subprocess.run([sys.executable, "-m", "yardstick", "train", str(CASES / "bad_configs" / case["file"])],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: {case['title']}") and case["names"] in proc.stderr, proc.stderr
    assert queue.folders() == []


@pytest.mark.slow
def test_kill_9_mid_run_shows_crashed_and_keeps_what_was_written(tmp_path, isolated_env, tiny_model):
    (run_id,) = queue.submit({**MINI, "model": tiny_model, "steps": 2000, "eval_every": 1000})
    assert scheduler.pump() == [run_id]
    folder = RunFolder(home.runs_dir() / run_id)
    deadline = time.time() + 300
    while len(list((folder.path / "completions").glob("train-*"))) < 3:
        assert time.time() < deadline and folder.status()["state"] in ("starting", "running"), folder.status()
        time.sleep(0.5)
    os.kill(folder.status()["pid"], signal.SIGKILL)
    time.sleep(0.5)
    assert folder.status()["state"] == "crashed"
    store = Store(isolated_env / "yardstick.duckdb")
    sync(store)
    written = sum(len(__import__("pandas").read_parquet(p)) for p in (folder.path / "completions").glob("*.parquet"))
    assert queries.summary(store)["completions"] == written > 0
    assert store.run_status(run_id) == "crashed"
    before = store.revision()
    assert sync(store).changed == [] and store.revision() == before  # a second ingest adds nothing
    runs = queries.runs(store).set_index("run_id")
    assert runs.loc[run_id, "status"] == "crashed"
