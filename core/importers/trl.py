"""A TRL output folder (GRPOTrainer's `output_dir`): `completions/completions_NNNNN.parquet` from
`log_completions=True`, and `checkpoint-N/trainer_state.json` whose `log_history` holds the per-step metrics.

Read incrementally, so a folder copied over again from a live GPU run adds only new files and newer log entries.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from yardstick.errors import BadInput
from yardstick.guard import jsontext
from yardstick.importers import trl_table
from yardstick.importers.base import Seen, shard_keys
from yardstick.store.store import Batch

KIND = "TRL output folder"
LOOKS_LIKE = "a folder with completions/completions_*.parquet or checkpoint-*/trainer_state.json"
JOINS_DATA = True  # takes --data FILE for gold answers
SOURCE = "TRL output folder"
STATE_KEY = "log_history@"  # shard "log_history@N": log entries up to step N were read
_CHECKPOINT = re.compile(r"checkpoint-(\d+)$")
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin", "adapter_model.safetensors")


def recognises(path: Path) -> bool:
    return path.is_dir() and (any((path / "completions").glob("completions_*.parquet")) or
                              any(path.glob("checkpoint-*/trainer_state.json")))


def run_id(path: Path) -> str:
    return f"trl-{path.resolve().name}"


def checkpoints(path: Path) -> list[tuple[int, Path]]:
    """(step, folder) of each checkpoint, oldest first."""
    found = [(int(m.group(1)), p) for p in path.glob("checkpoint-*") if (m := _CHECKPOINT.search(p.name))]
    return sorted(found)


def load(path: Path, seen: Seen | None = None, data: Path | None = None) -> Batch:
    """What is new in the folder since the last import; an empty Batch when nothing is."""
    seen = seen or Seen(frozenset(), {})
    run = run_id(path)
    done = seen.files_of(run)
    state, state_step = _newest_state(path)
    read_up_to = max((int(k.removeprefix(STATE_KEY)) for k in done if k.startswith(STATE_KEY)), default=-1)
    history = state.get("log_history", []) if state_step > read_up_to else []
    entries = [e for e in history if e["step"] > read_up_to]
    files = [p for p in sorted((path / "completions").glob("completions_*.parquet"))
             if f"completions/{p.name}" not in done]
    if not files and not entries:
        return Batch()
    golds = trl_table.read_golds(data) if data else None
    eval_steps = {e["step"] for e in state.get("log_history", []) if any(k.startswith("eval_") for k in e)}
    tables = [_read_parquet(file) for file in files]
    for file, table in zip(files, tables):
        trl_table.check_table(table, f"{path.name}/completions/{file.name}")
    names, weights = trl_table.rewards_of(tables, state.get("log_history", []))
    frames = [trl_table.completions(table, run, f"completions/{file.name}", trl_table.reward_columns(table, names),
                                    weights, golds, "eval" if set(table["step"]) & eval_steps else "train")
              for file, table in zip(files, tables)]
    meta = shard_keys(run, [f"completions/{p.name}" for p in files]
                      + ([f"{STATE_KEY}{state_step}"] if entries else []))
    row = {"run_id": run, "name": path.resolve().name, "source": SOURCE, "model": _model(path),
           "reward_spec": trl_table.reward_spec(names, weights), "status": "imported",
           "config": _config(path, state, names, weights)}
    return Batch(runs=[row], completions=trl_table.numbered(frames), metrics=trl_table.metrics(entries, run),
                 problem_source=run, meta=meta)


def _read_parquet(file: Path) -> pd.DataFrame:
    try:
        return pq.read_table(file).to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise BadInput("Unreadable parquet", f"{file.parent.name}/{file.name} cannot be read ({exc}); it may be "
                       "cut short (still being copied?). Copy it again and re-import.") from None


def _newest_state(path: Path) -> tuple[dict, int]:
    """The newest trainer_state.json (latest checkpoint, or the folder's own from save_state) and its step."""
    candidates = [c / "trainer_state.json" for _, c in checkpoints(path)][-1:] + [path / "trainer_state.json"]
    best: tuple[dict, int] = ({}, -1)
    for file in candidates:
        if not file.is_file():
            continue
        state = _read_state(file, path)
        if state["global_step"] > best[1]:
            best = (state, state["global_step"])
    return best


def _read_state(file: Path, root: Path) -> dict:
    where = file.relative_to(root)
    try:
        state = jsontext.loads(file.read_bytes(), str(where), "Bad trainer_state.json", record=False)
    except OSError as exc:
        raise BadInput("Bad trainer_state.json", f"{where} cannot be read ({exc}).") from None
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list) or not all(isinstance(e, dict) and isinstance(e.get("step"), int)
                                                for e in history):
        raise BadInput("Bad trainer_state.json", f"{where} has no log_history list of entries with a step.")
    if not isinstance(state.get("global_step"), int):
        state["global_step"] = max((e["step"] for e in history), default=0)
    return state


def _model(path: Path) -> str | None:
    """The base model, from the model card TRL writes (`base_model:`), else the checkpoint's architecture."""
    card = path / "README.md"
    if card.is_file():
        found = re.search(r"^base_model:\s*(\S+)", card.read_text(encoding="utf-8", errors="replace"), re.M)
        if found and found.group(1) not in ("None", "null"):
            return found.group(1)
    for _, folder in reversed(checkpoints(path)):
        try:
            config = jsontext.loads((folder / "config.json").read_bytes(), f"{folder.name}/config.json", record=False)
            return config.get("_name_or_path") or (config.get("architectures") or [config.get("model_type")])[0]
        except (OSError, BadInput, AttributeError, IndexError):
            continue
    return None


def _config(path: Path, state: dict, names: list[str], weights: list[float] | None) -> dict:
    """What the folder says about the run (training_args.bin is a pickle, and is never loaded), and the checkpoints
    that can be evaluated: each loads with AutoModelForCausalLM.from_pretrained(path)."""
    keep = ("global_step", "max_steps", "logging_steps", "eval_steps", "save_steps", "train_batch_size",
            "num_train_epochs", "epoch")
    return {"source_path": str(path.resolve()), "reward_functions": names, "reward_weights": weights,
            **{k: state[k] for k in keep if k in state},
            "checkpoints": [{"step": step, "path": str(folder.resolve())} for step, folder in checkpoints(path)
                            if any((folder / f).is_file() for f in WEIGHT_FILES)]}
