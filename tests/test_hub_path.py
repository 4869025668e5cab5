"""The real path for users with hubs (Qwen/Qwen2.5-0.5B-Instruct, openai/gsm8k), exercised on a local model folder
and a GSM8K-style JSONL the test makes, with the hub offline."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, SHARED

from yardstick.importers import import_path
from yardstick.jobs import queue
from yardstick.store.store import Store


def tiny_chat_model(path) -> None:
    """A random Llama with a chat template, saved like a hub model (the pocket tokenizer underneath)."""
    from tiny import pocket_tokenizer
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = pocket_tokenizer()
    tok.chat_template = ("{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                         "{% if add_generation_prompt %}assistant:{% endif %}")
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                                         num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                                         pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id))
    model.save_pretrained(path)
    tok.save_pretrained(path)


def train(config: dict, tmp_path) -> subprocess.CompletedProcess:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run([sys.executable, "-m", "yardstick", "train", str(path)], cwd=REPO, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.slow
def test_local_model_folder_and_gsm8k_jsonl(tmp_path, isolated_env):
    tiny_chat_model(tmp_path / "model")
    data = tmp_path / "gsm8k.jsonl"
    with open(SHARED / "gsm8k/train.jsonl") as fh:
        data.write_text("".join(next(fh) for _ in range(12)))
    proc = train({"model": str(tmp_path / "model"), "data": str(data), "n_train": 8, "n_eval": 4, "steps": 2,
                  "eval_every": 2, "num_generations": 2, "prompts_per_step": 2, "max_completion_length": 8,
                  "eval_samples": 1, "reward": "lenient"}, tmp_path)
    assert proc.returncode == 0, proc.stdout[-1500:] + proc.stderr[-1500:]
    (run,) = queue.folders()
    store = Store(isolated_env / "yardstick.duckdb")
    import_path(store, run.path)
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    stored = store.cursor().execute("SELECT question, gold FROM problems").fetchall()
    expected = {r["question"]: r["answer"].split("####")[-1].strip().replace(",", "") for r in rows}
    assert len(stored) >= 4  # the eval set at least
    for question, gold in stored:  # the chat prompt's user turn (not the system prompt), gold from "#### N"
        assert question in expected and gold == expected[question]


def test_hub_ids_offline_and_not_cached_are_refused_before_a_worker_starts(tmp_path, isolated_env):
    proc = train({"model": "Qwen/Qwen2.5-0.5B-Instruct", "data": "pocket", "steps": 1}, tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("error: Model not found: model: "), proc.stderr
    assert "Qwen/Qwen2.5-0.5B-Instruct" in proc.stderr and "local Hugging Face cache" in proc.stderr
    assert queue.folders() == []
