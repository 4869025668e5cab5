"""Users' own TRL runs: a real GRPOTrainer run with log_completions on a tiny model, imported from its output folder,
again after it went on (only what is new), with gold from --data, and through `yardstick import` / `yardstick runs`."""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import REPO
from tiny import random_llama

from yardstick.importers import import_path, trl_table
from yardstick.instruments import all_instruments
from yardstick.store import queries
from yardstick.store.store import Store
from yardstick.views.cards import verdict_line

RUN = "trl-out"


def digits(completions, **kwargs):
    """Share of digits in the completion."""
    return [sum(ch.isdigit() for ch in c) / max(len(c), 1) for c in completions]


def spaces(completions, answer, log_extra=None, **kwargs):
    """Share of spaces; logs the gold answer as a log_extra column (what TRL's accuracy_reward does)."""
    if log_extra is not None:
        log_extra("answer", [str(a) for a in answer])
    return [c.count(" ") / max(len(c), 1) for c in completions]


def train(out, steps: int, resume: bool = False) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    model_dir = out.parent / "tiny-model"
    problems = random_llama(model_dir) if not model_dir.exists() else None
    problems = problems or [json.loads(line) for line in (model_dir / "problems.jsonl").read_text().splitlines()]
    (model_dir / "problems.jsonl").write_text("\n".join(json.dumps(p) for p in problems))
    args = GRPOConfig(output_dir=str(out), max_steps=steps, per_device_train_batch_size=8, num_generations=4,
                      max_completion_length=16, learning_rate=1e-4, use_cpu=True, bf16=False, report_to="none",
                      save_strategy="steps", save_steps=1, logging_steps=1, log_completions=True,
                      num_completions_to_print=1, disable_tqdm=True, reward_weights=[0.5, 2.0], seed=0)
    GRPOTrainer(model=AutoModelForCausalLM.from_pretrained(model_dir),
                processing_class=AutoTokenizer.from_pretrained(model_dir, padding_side="left"),
                reward_funcs=[digits, spaces], train_dataset=Dataset.from_list(problems),
                args=args).train(resume_from_checkpoint=resume or None)


def logged(out) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in sorted((out / "completions").glob("*.parquet"))])


def test_a_real_trl_run_imports_with_its_metrics_and_then_only_what_is_new(tmp_path):
    out = tmp_path / "out"
    train(out, steps=2)
    store = Store(tmp_path / "s.duckdb")
    kind, first = import_path(store, out)
    assert kind == "TRL output folder"
    rows = logged(out)
    assert first.completions == len(rows) == 16 and first.runs == 1
    stored = store.cursor().execute("SELECT step, count(*) FROM completions WHERE run_id = ? GROUP BY 1 ORDER BY 1",
                                    [RUN]).fetchall()
    assert stored == [(1, 8), (2, 8)]  # every logged completion, at its step

    run = queries.runs(store).set_index("run_id").loc[RUN]
    config = json.loads(store.cursor().execute("SELECT config FROM runs WHERE run_id = ?", [RUN]).fetchone()[0])
    assert run["source"] == "TRL output folder" and run["reward_spec"] == "external: digits, spaces"
    assert config["reward_functions"] == ["digits", "spaces"] and config["reward_weights"] == [0.5, 2.0]
    comps = store.cursor().execute("SELECT reward, reward_components, p.gold FROM completions JOIN problems p "
                                   "USING (problem_id) WHERE run_id = ?", [RUN]).fetchall()
    for reward, components, gold in comps:  # each function's value kept; the total is TRL's weighted sum
        c = json.loads(components)
        assert reward == pytest.approx(0.5 * c["digits"] + 2.0 * c["spaces"])
        assert gold is not None  # from the log_extra "answer" column

    names = set(queries.metrics(store, [RUN])["name"])
    assert {"reward", "rewards/digits/mean", "rewards/spaces/mean", "frac_reward_zero_std",
            "completions/clipped_ratio", "entropy", "loss"} <= names  # TRL's log_history, as on Curves
    assert {"train/last_number", "train/lenient", "train/format"} <= names  # instruments on the same completions
    n_readings = store.cursor().execute("SELECT count(*) FROM extractions JOIN completions USING (completion_id) "
                                        "WHERE run_id = ?", [RUN]).fetchone()[0]
    assert n_readings == 16 * len(all_instruments())
    assert run["metric_steps"] == 2 and run["last_metric_step"] == 2 and "reward" in list(run["metric_names"])

    from transformers import AutoModelForCausalLM  # each checkpoint is a model the final evaluation can load

    assert [c["step"] for c in config["checkpoints"]] == [1, 2]
    AutoModelForCausalLM.from_pretrained(config["checkpoints"][-1]["path"])

    revision = store.revision()
    _, again = import_path(store, out)
    assert not any(vars(again).values()) and store.revision() == revision  # nothing new: nothing written

    train(out, steps=4, resume=True)  # the run went on (as if copied over again from a GPU)
    _, more = import_path(store, out)
    assert more.completions == len(logged(out)) - len(rows) == 16
    assert sorted(store.cursor().execute("SELECT DISTINCT step FROM metrics WHERE run_id = ?", [RUN]).fetchall()) \
        == [(1,), (2,), (3,), (4,)]
    assert more.metrics == sum(1 for _ in trl_table.metrics(
        [e for e in json.loads((out / "checkpoint-4/trainer_state.json").read_text())["log_history"]
         if e["step"] > 2], RUN).itertuples())  # only the newer log entries
    assert queries.summary(store)["completions"] == 32

    no_gold = tmp_path / "no-gold"  # the same run logged without its answers: gold from --data, else "no gold"
    (no_gold / "completions").mkdir(parents=True)
    for p in (out / "completions").glob("*.parquet"):
        pd.read_parquet(p).drop(columns="answer").to_parquet(no_gold / "completions" / p.name)
    bare = Store(tmp_path / "bare.duckdb")
    import_path(bare, no_gold)
    assert bare.cursor().execute("SELECT count(*) FROM extractions WHERE instrument = 'last_number' AND verdict "
                                 "IS NULL").fetchone()[0] == 32  # not "wrong": there is nothing to compare with
    answer = bare.cursor().execute("SELECT answer FROM extractions WHERE instrument = 'last_number' AND answer "
                                   "IS NOT NULL LIMIT 1").fetchone()[0]
    assert verdict_line("last_number", answer, None, None, False) == f"last_number → {answer} (no gold)"
    data = tmp_path / "problems.jsonl"
    data.write_text("\n".join(json.dumps({"prompt": q, "answer": a}) for q, a in
                              logged(out)[["prompt", "answer"]].drop_duplicates().itertuples(index=False)))
    joined = Store(tmp_path / "joined.duckdb")
    import_path(joined, no_gold, data=data)
    assert joined.cursor().execute("SELECT count(*) FROM completions JOIN problems USING (problem_id) WHERE gold IS "
                                   "NULL").fetchone()[0] == 0


def test_the_command_line_imports_with_data_and_lists_runs(tmp_path, isolated_env):
    folder = tmp_path / "gpu-run"
    (folder / "completions").mkdir(parents=True)
    pd.DataFrame({"step": [5, 5], "prompt": [[{"role": "system", "content": "Be brief."},
                                              {"role": "user", "content": "2+2?"}]] * 2,
                  "completion": [[{"role": "assistant", "content": "<answer>4</answer>"}],
                                 [{"role": "assistant", "content": "5"}]],
                  "format": [1.0, 0.0], "advantage": [0.7, -0.7]}).to_parquet(
        folder / "completions/completions_00005.parquet")
    (folder / "problems.jsonl").write_text(json.dumps({"prompt": "2+2?", "answer": "#### 4"}) + "\n")
    cli = [sys.executable, "-m", "yardstick"]
    proc = subprocess.run(cli + ["import", str(folder), "--data", str(folder / "problems.jsonl")], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "TRL output folder: 1 runs, 2 completions" in proc.stdout, proc.stderr
    proc = subprocess.run(cli + ["runs", "--json"], cwd=REPO, capture_output=True, text=True, timeout=120)
    (run,) = json.loads(proc.stdout)
    assert run["run_id"] == "trl-gpu-run" and run["source"] == "TRL output folder" and run["completions"] == 2
    assert run["reward_spec"] == "format"  # a registry instrument: the circularity check can use it
    store = Store(isolated_env / "yardstick.duckdb")
    assert store.cursor().execute("SELECT DISTINCT question, gold FROM problems").fetchall() == [("2+2?", "4")]
    assert store.cursor().execute("SELECT text FROM completions ORDER BY sample").fetchall() == [
        ("<answer>4</answer>",), ("5",)]
    store.close()
    proc = subprocess.run(cli + ["runs"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "trl-gpu-run" in proc.stdout and "TRL output folder" in proc.stdout


def test_trl_table_pieces():
    from yardstick.record import chat

    assert chat.prompt_text([{"role": "system", "content": "S"}, {"role": "user", "content": [
        {"type": "text", "text": "What is "}, {"type": "image"}, {"type": "text", "text": "2+2?"}]}]) == "What is 2+2?"
    # the recorder reads what TRL hands a reward function the same way (content blocks raised TypeError there)
    assert chat.completion_text([{"role": "assistant", "content": [{"type": "text", "text": "<answer>4</answer>"}]}]) \
        == "<answer>4</answer>"
    assert trl_table.gold_text("He has 3 + 4 = 7 apples.\n#### 7") == "7" and trl_table.gold_text(float("nan")) is None
    entries = [{"step": s, "reward": 0.3 * a + 0.7 * b, "rewards/format/mean": a, "rewards/lenient/mean": b}
               for s, (a, b) in enumerate([(0.1, 0.5), (0.4, 0.2), (0.9, 0.9)], 1)]
    found = trl_table.weights(entries, ["format", "lenient"])
    assert found == [0.3, 0.7] and trl_table.reward_spec(["format", "lenient"], found) == "0.3*format + 0.7*lenient"
    assert trl_table.weights(entries[:1], ["format", "lenient"]) is None  # one step cannot pin two weights
    assert trl_table.reward_spec(["format", "my_reward"], None) == "external: format, my_reward"


def test_watch_imports_what_a_live_copy_adds_until_interrupted(tmp_path, isolated_env):
    import io
    import queue
    import signal
    import threading

    folder = tmp_path / "live-run"
    (folder / "completions").mkdir(parents=True)

    def table(step: int) -> pd.DataFrame:
        return pd.DataFrame({"step": [step] * 2, "prompt": ["2+2?"] * 2, "completion": ["4", "<answer>4</answer>"],
                             "format": [0.0, 1.0], "answer": ["4"] * 2, "advantage": [-0.5, 0.5]})

    table(1).to_parquet(folder / "completions/completions_00001.parquet")
    watcher = subprocess.Popen([sys.executable, "-m", "yardstick", "import", "--watch", str(folder), "--every", "0.2"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    for stream in (watcher.stdout, watcher.stderr):
        threading.Thread(target=lambda s=stream: [lines.put(line) for line in s], daemon=True).start()

    def next_line(containing: str) -> str:
        while True:
            line = lines.get(timeout=120)
            if containing in line:
                return line

    try:
        assert "2 completions" in next_line("TRL output folder")
        buf = io.BytesIO()
        table(2).to_parquet(buf)
        partial = folder / "completions/completions_00002.parquet"
        partial.write_bytes(buf.getvalue()[:100])  # caught mid-copy: said, and read whole on a later round
        assert "Unreadable parquet" in next_line("Unreadable parquet")
        partial.write_bytes(buf.getvalue())
        assert "2 completions" in next_line("TRL output folder")
    finally:
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=60) == 0
    store = Store(isolated_env / "yardstick.duckdb")
    assert store.cursor().execute("SELECT step, count(*) FROM completions GROUP BY 1 ORDER BY 1").fetchall() == [
        (1, 2), (2, 2)]
