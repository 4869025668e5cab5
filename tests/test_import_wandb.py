"""Users' W&B runs, without an account or the network: an offline run written by the real wandb package (in a
subprocess), copied while it was still logging and again after it finished; and a synced run's folder built from
W&B's documented file formats with a history CSV exported from the UI."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from yardstick.importers import import_path, wandb_run
from yardstick.store import queries
from yardstick.store.store import Store

pytest.importorskip("wandb")

# Logs the way TRL's GRPOTrainer does through transformers' WandbCallback: metrics as train/… and eval/… with
# train/global_step, then the completions table (chat prompts, one column per reward function, a log_extra column).
OFFLINE_RUN = r"""
import shutil, sys, time
import pandas as pd
import wandb

out, copy = sys.argv[1], sys.argv[2]
run = wandb.init(project="gsm8k-grpo", name="qwen-format", dir=out, mode="offline",
                 config={"model_name_or_path": "Qwen/Qwen2.5-0.5B-Instruct", "learning_rate": 1e-6})

def table(step, texts):
    return wandb.Table(dataframe=pd.DataFrame({
        "step": [step] * len(texts),
        "prompt": [[{"role": "system", "content": "Answer in tags."}, {"role": "user", "content": f"{step}+2?"}]] * len(texts),
        "completion": texts, "format": [float("<answer>" in t) for t in texts], "length_penalty": [-0.1] * len(texts),
        "answer": [str(step + 2)] * len(texts), "advantage": [0.0] * len(texts)}))

for step in range(1, 5):
    texts = [f"<answer>{step + 2}</answer>", f"It is {step + 3}."]
    wandb.log({"train/reward": 0.5 * (step % 2) - 0.1, "train/rewards/format/mean": 0.5 * (step % 2),
               "train/rewards/length_penalty/mean": -0.1, "train/frac_reward_zero_std": 0.0,
               "train/global_step": step, "train/epoch": step / 4})
    wandb.log({"completions": table(step, texts)})
    if step == 2:  # copied while running: the tables are there, the log (written in large blocks) not yet
        time.sleep(1)
        shutil.copytree(out, copy, symlinks=True)
    if step == 4:
        wandb.log({"eval/reward": 0.25, "train/global_step": step})
        wandb.log({"completions": table(step, ["<answer>6</answer>"])})
run.finish()
"""


def offline_run(tmp_path, monkeypatch):
    for name in ("WANDB_CACHE_DIR", "WANDB_CONFIG_DIR", "WANDB_DATA_DIR", "WANDB_ARTIFACT_DIR"):
        monkeypatch.setenv(name, str(tmp_path / "wandb-home" / name.lower()))
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("WANDB_MODE", "offline")
    proc = subprocess.run([sys.executable, "-c", OFFLINE_RUN, str(tmp_path / "live"), str(tmp_path / "copied")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return tmp_path / "live", tmp_path / "copied"


def test_an_offline_wandb_run_imports_and_a_second_copy_adds_only_what_is_new(tmp_path, monkeypatch):
    live, copied = offline_run(tmp_path, monkeypatch)
    store = Store(tmp_path / "s.duckdb")
    kind, first = import_path(store, copied)  # copied mid-run: its log ends wherever the copy caught it
    assert kind == "W&B run"
    (run_id,) = queries.runs(store)["run_id"]
    assert run_id.startswith("wandb-") and first.completions == 4  # steps 1 and 2

    shutil.copytree(live, copied, dirs_exist_ok=True, symlinks=True,  # the finished run, copied over the same place
                    ignore=shutil.ignore_patterns("*.log", "latest-run"))
    _, second = import_path(store, copied)
    assert second.completions == 5 and second.metrics > 0  # steps 3 and 4 and step 4's eval batch; the log
    again = import_path(store, copied)[1]
    assert not any(vars(again).values())

    run = queries.runs(store).set_index("run_id").loc[run_id]
    assert run["model"] == "Qwen/Qwen2.5-0.5B-Instruct"  # (the name is set once, by the first import: the run id)
    fresh = Store(tmp_path / "fresh.duckdb")
    import_path(fresh, live)
    assert queries.runs(fresh)["name"].tolist() == ["qwen-format"]  # the run's display name, from its log
    assert run["reward_spec"] == "external: format, length_penalty"  # length_penalty is no instrument
    assert run["completions"] == 9 and run["metric_steps"] == 4
    m = queries.metrics(store, [run_id])
    reward = m[m["name"] == "reward"].sort_values("step")
    assert reward["step"].tolist() == [1, 2, 3, 4] and reward["value"].tolist() == pytest.approx([0.4, -0.1, 0.4, -0.1])
    assert {"rewards/format/mean", "frac_reward_zero_std", "epoch", "eval_reward", "train/strict_tag"} <= set(m["name"])
    rows = store.cursor().execute(
        "SELECT c.step, c.phase, p.question, p.gold, c.text, c.reward, c.reward_components FROM completions c "
        "JOIN problems p USING (problem_id) ORDER BY c.step, c.phase, c.sample").fetchall()
    assert [(r[0], r[1]) for r in rows if r[0] == 4] == [(4, "eval"), (4, "train"), (4, "train")]
    assert rows[0][2:5] == ("1+2?", "3", "<answer>3</answer>")  # chat prompt shown as its user message
    assert rows[0][5] is None  # imported before the log could tell TRL's reward weights: no total is guessed
    step3 = next(r for r in rows if r[0] == 3)
    assert step3[5] == pytest.approx(0.9) and json.loads(step3[6]) == {"format": 1.0, "length_penalty": -0.1}


SUMMARY = {"train/reward": 0.748, "train/global_step": 3, "_step": 7, "_runtime": 61.2,
           "completions": {"_type": "table-file", "path": "media/table/completions_6_0a1b2c3d4e5f6a7b8c9d.table.json"}}
CONFIG_YAML = """_wandb:
  value:
    cli_version: 0.31.0
model_name_or_path:
  desc: null
  value: Qwen/Qwen2.5-0.5B-Instruct
reward:
  value: 0.3*format + 0.7*lenient
"""
UI_EXPORT = ('"Step","qwen-s1 - train/reward","qwen-s1 - train/reward__MIN","qwen-s1 - train/reward__MAX",'
             '"qwen-s1 - train/rewards/format/mean","qwen-s1 - train/rewards/lenient/mean"\n'
             '1,0.311,0.3,0.32,0.5,0.23\n2,0.499,0.4,0.6,0.8,0.37\n3,0.748,0.7,0.8,1.0,0.64\n')


def synced_run(root):
    """A synced run's folder as W&B documents it (no .wandb log kept), with a UI history export put beside it."""
    run_dir = root / "wandb" / "run-20250101_120000-abc123"
    tables = run_dir / "files" / "media" / "table"
    tables.mkdir(parents=True)
    (run_dir / "files" / "wandb-summary.json").write_text(json.dumps(SUMMARY))
    (run_dir / "files" / "config.yaml").write_text(CONFIG_YAML)
    (run_dir / "files" / "wandb-metadata.json").write_text(json.dumps({"program": "train_grpo.py"}))
    (tables / "completions_6_0a1b2c3d4e5f6a7b8c9d.table.json").write_text(json.dumps({
        "columns": ["step", "prompt", "completion", "format", "lenient", "solution", "advantage"],
        "data": [[3, "Q: 10-3?", "<answer>7</answer>", 1.0, 1.0, "#### 7", 0.5],
                 [3, "Q: 10-3?", "I get 6.", 0.0, 0.0, "#### 7", -0.5]]}))
    return run_dir


def test_a_synced_wandb_folder_and_its_ui_history_export(tmp_path):
    run_dir = synced_run(tmp_path)
    store = Store(tmp_path / "s.duckdb")
    assert import_path(store, tmp_path)[0] == "W&B run"
    m = queries.metrics(store, ["wandb-abc123"])
    assert m[m["name"] == "reward"][["step", "value"]].values.tolist() == [[3, 0.748]]  # the summary alone
    assert not any(vars(import_path(store, tmp_path)[1]).values())
    (run_dir / "wandb_export_2025-01-02.csv").write_text(UI_EXPORT)
    _, result = import_path(store, tmp_path)
    assert result.metrics == 9 and result.completions == 0  # the history replaces the summary's stand-in
    m = queries.metrics(store, ["wandb-abc123"])
    assert sorted(m[m["name"] == "reward"]["step"]) == [1, 2, 3]
    run = queries.runs(store).set_index("run_id").loc["wandb-abc123"]
    assert run["reward_spec"] == "0.3*format + 0.7*lenient"  # weights recovered from the logged means
    assert run["model"] == "Qwen/Qwen2.5-0.5B-Instruct"
    verdicts = store.cursor().execute("SELECT c.text, e.verdict FROM extractions e JOIN completions c "
                                      "USING (completion_id) WHERE instrument = 'strict_tag' ORDER BY 1").fetchall()
    assert verdicts == [("<answer>7</answer>", True), ("I get 6.", False)]  # gold from the "solution" column


def test_a_history_export_alone_is_a_run_with_metrics(tmp_path):
    export = tmp_path / "run-xyz789-history.csv"
    export.write_text(UI_EXPORT)
    assert wandb_run.recognises(export)
    store = Store(tmp_path / "s.duckdb")
    kind, result = import_path(store, export)
    assert kind == "W&B run" and result.metrics == 9 and result.completions == 0
    run = queries.runs(store).set_index("run_id").loc["wandb-xyz789"]
    assert run["completions"] == 0 and run["metric_steps"] == 3 and run["last_metric_step"] == 3
    assert list(run["metric_names"]) == ["reward", "rewards/format/mean", "rewards/lenient/mean"]


def test_a_nesting_bomb_in_config_yaml_or_a_logged_value_is_a_titled_error(tmp_path):
    """yaml.safe_load and the .wandb log's values recursed without limit: a RecursionError, not a titled error."""
    from types import SimpleNamespace

    from yardstick.errors import BadInput
    from yardstick.importers import wandb_log

    run_dir = synced_run(tmp_path)
    (run_dir / "files" / "config.yaml").write_text("[" * 5000 + "]" * 5000)
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(BadInput) as err:
        import_path(store, tmp_path)
    assert err.value.title == "Too deeply nested" and "config.yaml" in err.value.message
    assert queries.summary(store)["runs"] == 0
    item = SimpleNamespace(nested_key=[], key="train/reward", value_json="[" * 100_000 + "]" * 100_000)
    with pytest.raises(BadInput) as err:
        wandb_log._items([item])
    assert err.value.title == "Too deeply nested" and "train/reward" in err.value.message
    fine = [SimpleNamespace(nested_key=[], key="train/reward", value_json="0.5"),
            SimpleNamespace(nested_key=[], key="odd", value_json="not json")]
    assert wandb_log._items(fine) == {"train/reward": 0.5}  # a value that is not JSON is skipped, as before
