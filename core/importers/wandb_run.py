"""Weights & Biases runs, offline or synced, without an account or the network: a run folder (`wandb/run-*/` or
`offline-run-*/`: its log, `files/config.yaml`, `files/wandb-summary.json`, the completion tables TRL logs under
`files/media/table/`) and a history export (parquet, or a CSV exported from the UI; put it in the run folder, or
import it alone) become one run, `wandb-<id>`.

Metric names are TRL's own (the HF W&B callback's `train/x` is `x`, `eval/x` is `eval_x`), so a run reads the same
as one imported from its TRL output folder. Read incrementally, like a TRL folder.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from yardstick.errors import BadInput
from yardstick.guard import jsontext
from yardstick.importers import trl_table, wandb_log
from yardstick.importers.base import Seen, shard_keys
from yardstick.store.store import Batch

KIND = "W&B run"
LOOKS_LIKE = "a wandb/ folder, a run-*/ or offline-run-*/ folder, or a history export with _step"
JOINS_DATA = True
HISTORY_KEY = "history@"  # shard "history@N": history rows up to step N were read
SUMMARY_KEY = "summary@"  # shard "summary@N": the summary (logged at step N) stood in for a missing history
_RUN_DIR = re.compile(r"^(?:offline-)?run-(?:\d{8}_\d{6}-)?(\w+)$")
_STEP_COLUMNS = ("train/global_step", "_step", "Step")
_HIDDEN = {"_step", "_runtime", "_timestamp", "_wandb.runtime", "train/global_step", "Step"}


def is_run_dir(path: Path) -> bool:
    return path.is_dir() and (any(path.glob("run-*.wandb")) or any(
        (path / "files" / name).is_file() for name in ("wandb-summary.json", "config.yaml", "wandb-metadata.json")))


def run_dirs(path: Path) -> list[Path]:
    if is_run_dir(path):
        return [path]
    root = path / "wandb" if (path / "wandb").is_dir() else path
    return sorted(p for p in root.glob("*run-*") if not p.is_symlink() and p.name != "latest-run"
                  and is_run_dir(p)) if path.is_dir() else []


def history_step_column(path: Path) -> str | None:
    """The step column of a history export (parquet or CSV), or None if the file is not one."""
    try:
        if path.suffix == ".parquet":
            names = pq.read_schema(path).names
        elif path.suffix == ".csv":
            names = [n.strip().strip('"') for n in path.open(encoding="utf-8").readline().split(",")]
        else:
            return None
    except (OSError, UnicodeDecodeError, pa.ArrowException):
        return None
    return next((c for c in _STEP_COLUMNS if c in names), None)


def recognises(path: Path) -> bool:
    return bool(run_dirs(path)) or (path.is_file() and history_step_column(path) is not None)


def load(path: Path, seen: Seen | None = None, data: Path | None = None) -> Batch:
    seen = seen or Seen(frozenset(), {})
    golds = trl_table.read_golds(data) if data else None
    if path.is_file():
        found = re.search(r"run-(\w+?)-history", str(path))
        return _run(f"wandb-{found.group(1) if found else path.stem}", None, [path], seen, golds)
    return _merge([_run(f"wandb-{_id(d)}", d, _exports(d), seen, golds) for d in run_dirs(path)])


def _exports(run_dir: Path) -> list[Path]:
    """History exports the user put in the run folder (W&B's history parquet, or a CSV from the UI)."""
    return [p for p in sorted(run_dir.iterdir()) if p.is_file() and history_step_column(p) is not None]


def _id(run_dir: Path) -> str:
    found = _RUN_DIR.match(run_dir.name)
    logs = sorted(run_dir.glob("run-*.wandb"))
    return found.group(1) if found else logs[0].stem.removeprefix("run-") if logs else run_dir.name


def _run(run: str, run_dir: Path | None, exports: list[Path], seen: Seen, golds: dict | None) -> Batch:
    done = seen.files_of(run)
    logs = sorted(run_dir.glob("run-*.wandb")) if run_dir else []
    log = wandb_log.read(logs[0]) if logs else wandb_log.RunLog()
    rows = log.history + [row for export in exports for row in _export_rows(export)]
    key = HISTORY_KEY
    if not rows and run_dir is not None and (run_dir / "files/wandb-summary.json").is_file():
        rows, key = [_summary(run_dir)], SUMMARY_KEY  # the last values only, until a history export comes
    # The trainer's step where it was logged (the HF callback logs train/global_step); W&B's own _step otherwise.
    column = next((c for c in _STEP_COLUMNS if any(_number(r.get(c)) for r in rows)), None)
    history = [_entry(r, column) for r in rows if column and _number(r.get(column))]
    read_up_to = max((int(k.removeprefix(key)) for k in done if k.startswith(key)), default=-1)
    entries = [e for e in history if e["step"] > read_up_to]
    tables = _tables(run_dir) if run_dir else []
    fresh = [(rel, t) for rel, t in tables if rel not in done]
    if not entries and not fresh:
        return Batch()
    tables = [_table(file, rel) for rel, file in fresh]
    names, weights = trl_table.rewards_of(tables, history, sort=True)
    eval_rows = {r.get("_step") for r in rows if any(str(k).startswith("eval/") for k in r)}
    frames = [trl_table.completions(table, run, rel, trl_table.reward_columns(table, names), weights, golds,
                                    "eval" if {_wandb_step(file), _wandb_step(file) - 1} & eval_rows else "train")
              for (rel, file), table in zip(fresh, tables)]
    config = json.loads(json.dumps({**log.config, **(_config_yaml(run_dir) if run_dir else {})}, default=str))
    config.pop("_wandb", None)
    meta = shard_keys(run, [rel for rel, _ in fresh] + (
        [f"{key}{max(e['step'] for e in history)}"] if entries else []))
    row = {"run_id": run, "name": log.name or run, "source": KIND, "status": "imported",
           "model": next((str(config[k]) for k in ("model_name_or_path", "_name_or_path", "model_name", "model")
                          if config.get(k)), None),
           "reward_spec": trl_table.reward_spec(names, weights),
           "config": {**config, "reward_functions": names, "reward_weights": weights}}
    return Batch(runs=[row], completions=trl_table.numbered(frames),
                 metrics=trl_table.metrics(entries, run), problem_source=run, meta=meta)


def _merge(batches: list[Batch]) -> Batch:
    batches = [b for b in batches if not b.empty]
    if not batches:
        return Batch()
    frames = lambda name: [getattr(b, name) for b in batches if getattr(b, name) is not None]  # noqa: E731
    return Batch(runs=[r for b in batches for r in b.runs],
                 completions=pd.concat(frames("completions"), ignore_index=True) if frames("completions") else None,
                 metrics=pd.concat(frames("metrics"), ignore_index=True) if frames("metrics") else None,
                 problem_source="wandb", meta={k: v for b in batches for k, v in b.meta.items()})


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _entry(row: dict, step_column: str) -> dict[str, Any]:
    """A history row as a TRL log entry: {"step": N, "reward": …, "eval_reward": …}."""
    entry: dict[str, Any] = {"step": int(row[step_column])}
    for key, value in row.items():
        if key in _HIDDEN:
            continue
        if key.startswith("train/"):
            key = key.removeprefix("train/")
        elif key.startswith(("eval/", "test/")):
            key = key.replace("/", "_", 1)
        entry[key] = value
    return entry


def _export_rows(path: Path) -> list[dict]:
    """A history export's rows; a UI chart export's "<run> - <metric>" columns are named by the metric, its
    __MIN/__MAX bands dropped."""
    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError, pa.ArrowException) as exc:
        raise BadInput("Unreadable history export", f"{path.name} cannot be read ({exc}).") from None
    df = df[[c for c in df.columns if not str(c).endswith(("__MIN", "__MAX"))]]
    df.columns = [str(c).rsplit(" - ", 1)[-1] for c in df.columns]
    return [{k: v for k, v in row.items() if v == v} for row in df.to_dict("records")]  # NaN: not logged then


def _summary(run_dir: Path) -> dict:
    where = f"{run_dir.name}/files/wandb-summary.json"
    try:
        raw = (run_dir / "files/wandb-summary.json").read_bytes()
        return jsontext.loads(raw, where, "Bad wandb-summary.json", record=False)
    except OSError as exc:
        raise BadInput("Bad wandb-summary.json", f"{where} cannot be read ({exc}).") from None


def _config_yaml(run_dir: Path) -> dict:
    file = run_dir / "files/config.yaml"
    if not file.is_file():
        return {}
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except RecursionError:
        raise jsontext.too_deep(f"{run_dir.name}/files/config.yaml") from None
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BadInput("Bad config.yaml", f"{run_dir.name}/files/config.yaml is not valid YAML ({exc}).") from None
    if not isinstance(raw, dict):
        raise BadInput("Bad config.yaml", f"{run_dir.name}/files/config.yaml is not a mapping.")
    return {k: v.get("value") if isinstance(v, dict) and "value" in v else v for k, v in raw.items()}


def _tables(run_dir: Path) -> list[tuple[str, Path]]:
    """TRL's completion tables (logged under the key "completions"), oldest first."""
    found = (run_dir / "files").glob("media/table/**/completions*.table.json")
    return sorted(((str(p.relative_to(run_dir / "files")), p) for p in found), key=lambda t: _wandb_step(t[1]))


def _wandb_step(file: Path) -> int:
    found = re.search(r"_(\d+)_[0-9a-f]+\.table\.json$", file.name)
    return int(found.group(1)) if found else 0


def _table(file: Path, rel: str) -> pd.DataFrame:
    try:
        doc = jsontext.loads(file.read_bytes(), rel, "Bad W&B table", record=False)
        table = pd.DataFrame(doc["data"], columns=doc["columns"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput("Bad W&B table", f"{rel} is not a W&B table file ({exc}).") from None
    trl_table.check_table(table, rel)
    return table
