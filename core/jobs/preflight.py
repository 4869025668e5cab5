"""Can this run start at all? Checked when a config is submitted, before any run folder exists: the batch fits
the training set, the model and the data resolve, the threads exist, and a lower-bound memory estimate fits this
machine. Each failure is a titled error whose message starts with the field to change.

A hub id cannot be looked up without the network, so it resolves when it is a valid `owner/name` id and, with
the hub offline (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE), when it is in the local Hugging Face cache.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from yardstick.errors import BadInput
from yardstick.record.config import RunConfig

PROMPT_TOKENS = 32  # the shortest prompt any model here sees; the memory estimate is a lower bound
GB = 1024**3


def check(config: RunConfig) -> None:
    if config.prompts_per_step > config.n_train:
        raise BadInput("Batch does not fit", f"prompts_per_step: each step needs {config.prompts_per_step} different "
                       f"training problems but n_train is {config.n_train}; lower prompts_per_step or raise n_train.")
    cores = os.cpu_count() or 1
    if config.torch_threads > cores:
        raise BadInput("Bad config value", f"torch_threads: this machine has {cores} cores (got "
                       f"{config.torch_threads}).")
    model = _model_config(config.model)
    _check_data(config)
    if model is not None:
        _check_memory(config, model)


def _offline(*names: str) -> bool:
    return any(os.environ.get(n, "").upper() in ("1", "ON", "YES", "TRUE") for n in names)


def _hub_id(value: str) -> bool:
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(value)
    except HFValidationError:
        return False
    return "/" in value


def _model_config(model: str) -> dict[str, Any] | None:
    """The model's config.json as a dict (None when it cannot be known offline); missing models are errors."""
    from yardstick.train.pocket.specs import POCKETS

    if model in POCKETS:
        spec = POCKETS[model]
        return {"vocab_size": spec.vocab_size + 4, "hidden_size": spec.hidden, "num_hidden_layers": spec.layers,
                "intermediate_size": spec.hidden * 3, "tie_word_embeddings": True}
    path = Path(model).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise BadInput("Model not found", f"model: {model!r} is a path but not a folder with config.json (a "
                           "model saved with save_pretrained).")
        return _read_json(path / "config.json")
    if not _hub_id(model):
        raise BadInput("Model not found", f"model: {model!r} is neither pocket, a local folder, nor a hub id "
                       "such as Qwen/Qwen2.5-0.5B-Instruct.")
    from huggingface_hub import try_to_load_from_cache

    cached = try_to_load_from_cache(model, "config.json")
    if isinstance(cached, str):
        return _read_json(Path(cached))
    if _offline("HF_HUB_OFFLINE"):
        raise BadInput("Model not found", f"model: {model!r} is not in the local Hugging Face cache and the hub is "
                       "offline (HF_HUB_OFFLINE). Download it where there is a network (`hf download "
                       f"{model}`) or give a local folder.")
    return None  # online: the worker downloads it, and says so if the id does not exist


def _check_data(config: RunConfig) -> None:
    data = config.data
    if data == "pocket":
        return
    path = Path(data).expanduser()
    if path.is_file():
        _check_data_file(path, config.n_train + config.n_eval)
        return
    if path.exists() or not _hub_id(data):
        raise BadInput("Data not found", f"data: {data!r} is neither pocket, a JSONL file, nor a hub data set id "
                       "such as openai/gsm8k.")
    if _offline("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE") and not _dataset_cached(data):
        raise BadInput("Data not found", f"data: {data!r} is not in the local Hugging Face cache and the hub is "
                       "offline. Download it where there is a network, or give a GSM8K-style JSONL file.")


def _check_data_file(path: Path, needed: int) -> None:
    from yardstick.guard import jsontext
    from yardstick.instruments.numbers import gold_of

    count, first = 0, None
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                count += 1
                first = first or (raw, count)
                if count >= needed:
                    break
    if first is not None:
        row = jsontext.loads(first[0], f"{path.name} line 1")
        try:
            gold_of(row["answer"])
            str(row["question"])
        except (TypeError, KeyError, ValueError):
            raise BadInput("Data not usable", f"data: {path.name} line 1 needs 'question' and an 'answer' ending in "
                           "'#### N' (GSM8K's format).") from None
    if count < needed:
        raise BadInput("Data not usable", f"data: {path.name} has {count} problems; n_train + n_eval needs "
                       f"{needed}.")


def _dataset_cached(data: str) -> bool:
    from huggingface_hub import constants

    owner, name = data.split("/", 1)
    datasets_cache = Path(os.environ.get("HF_DATASETS_CACHE") or Path(constants.HF_HOME) / "datasets")
    return (Path(constants.HF_HUB_CACHE) / f"datasets--{owner}--{name}").is_dir() or \
        (datasets_cache / f"{owner}___{name}").is_dir()


def estimated_bytes(config: RunConfig, model: dict[str, Any]) -> int:
    """A lower bound on training memory: fp32 weights, gradients and Adam's two moments (and the reference model
    when beta > 0), plus one step's logits (batch × tokens × vocabulary)."""
    vocab, hidden = int(model.get("vocab_size", 0)), int(model.get("hidden_size", 0))
    layers, inner = int(model.get("num_hidden_layers", 0)), int(model.get("intermediate_size", 4 * hidden))
    params = vocab * hidden * (1 if model.get("tie_word_embeddings") else 2) + layers * (4 * hidden**2 + 3 * hidden * inner)
    copies = 4 + (1 if config.beta > 0 else 0)
    batch = config.prompts_per_step * config.num_generations
    logits = batch * (PROMPT_TOKENS + config.max_completion_length) * vocab
    return 4 * (params * copies + logits)


def _check_memory(config: RunConfig, model: dict[str, Any]) -> None:
    total = _memory_bytes()
    if total is None or Path("/proc/driver/nvidia/gpus").exists():  # a GPU trains in its own memory
        return
    need = estimated_bytes(config, model)
    if need > total:
        batch = config.prompts_per_step * config.num_generations
        raise BadInput("Not enough memory", f"max_completion_length, num_generations, prompts_per_step: a step of "
                       f"{batch:,} completions of up to {config.max_completion_length:,} tokens with this model needs "
                       f"at least {need / GB:,.1f} GB; this machine has {total / GB:,.1f} GB. Lower them.")


def _memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError):
        raise BadInput("Model not found", f"model: {path} cannot be read as a model config.") from None
    return value if isinstance(value, dict) else {}
