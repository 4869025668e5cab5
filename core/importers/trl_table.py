"""TRL's own logs as store rows: the completions table GRPOTrainer writes with `log_completions` (a parquet file
per logging step, or the same table logged to W&B) and its per-step log history. Both the TRL-folder and the W&B
importers read through here, so a run looks the same whichever way it came in.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from yardstick.errors import BadInput
from yardstick.guard import jsontext
from yardstick.instruments import all_instruments
from yardstick.instruments.numbers import gold_of
from yardstick.record.chat import completion_text, prompt_text

TABLE_COLUMNS = ("step", "prompt", "completion")  # TRL's completions table always starts with these
NOT_REWARDS = {"step", "prompt", "completion", "advantage", "image", "images"}
GOLD_COLUMNS = ("answer", "gold", "solution", "ground_truth")  # a log_extra column holding the gold answer


def gold_text(raw: Any) -> str | None:
    """The gold answer of a logged value: GSM8K-style "… #### 42" gives "42"; None or NaN gives no gold (the store
    normalises what is left, so a gold that is not a number also reads as "no gold")."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    try:
        return gold_of(str(raw))
    except ValueError:  # no marker: the value is the gold itself
        return str(raw).strip() or None


def rewards_of(tables: list[pd.DataFrame], history: list[dict], sort: bool = False) -> tuple[list[str], list[float] | None]:
    """The reward functions in TRL's order (a table's column order; W&B does not keep the log's key order, so
    `sort` makes a run without tables read the same every time) and their weights, from the logs."""
    names = logged_rewards(history)
    if tables:
        names = reward_columns(tables[0], names)
    elif sort:
        names = sorted(names)
    return names, weights(history, names)


def reward_columns(df: pd.DataFrame, logged: list[str]) -> list[str]:
    """The reward functions' columns, in the table's order: the names TRL's logs give (`rewards/<fn>/mean`), else
    the numeric columns that are neither TRL's own nor a gold column."""
    if logged:
        return [c for c in df.columns if c in logged]
    return [c for c in df.columns if c not in NOT_REWARDS and c not in GOLD_COLUMNS
            and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]


def check_table(df: pd.DataFrame, where: str) -> None:
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise BadInput("Not a TRL completions table", f"{where} has columns {', '.join(map(str, df.columns))}; a "
                       "TRL completions table (log_completions=True) has step, prompt, completion, one column per "
                       "reward function and advantage.")
    steps = pd.to_numeric(df["step"], errors="coerce")
    if steps.isna().any() or (steps < 0).any() or (steps % 1 != 0).any():
        raise BadInput("Bad step", f"{where}: 'step' must hold whole numbers ≥ 0.")


def completions(df: pd.DataFrame, run_id: str, where: str, rewards: list[str], weights: list[float] | None,
                golds: dict[str, str] | None, phase: str = "train") -> pd.DataFrame:
    """A TRL completions table as store completions: each reward function's value kept as a reward component,
    the gold from a gold column or else from `golds` (prompt text → answer); rows without gold are kept."""
    check_table(df, where)
    questions = [prompt_text(p) for p in df["prompt"]]
    gold_column = next((c for c in GOLD_COLUMNS if c in df.columns), None)
    if gold_column is not None:
        gold = [gold_text(g) for g in df[gold_column]]
    else:
        gold = [(golds or {}).get(q.strip()) for q in questions]
    values = {name: pd.to_numeric(df[name], errors="coerce").tolist() for name in rewards}
    components = [{n: (None if math.isnan(values[n][i]) else values[n][i]) for n in rewards} for i in range(len(df))]
    return pd.DataFrame({
        "run_id": run_id, "step": [int(s) for s in df["step"]], "phase": phase, "decoding": "sampled",
        "question": questions, "gold": gold, "text": [completion_text(c) for c in df["completion"]],
        "reward": [_total(c, rewards, weights) for c in components],
        "reward_components": [json.dumps(c) if rewards else None for c in components]})


def numbered(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    """The tables of one import as one frame, each completion numbered within its (step, phase, problem)."""
    if not frames:
        return None
    df = pd.concat(frames, ignore_index=True)
    return df.assign(sample=df.groupby(["step", "phase", "question"], sort=False).cumcount())


def _total(components: dict[str, float | None], names: list[str], weights: list[float] | None) -> float | None:
    if not names or weights is None or any(components[n] is None for n in names):
        return None
    return float(sum(w * components[n] for w, n in zip(weights, names)))


def metrics(entries: Iterable[dict], run_id: str) -> pd.DataFrame | None:
    """Logged metrics as given (log history entries: {"step": N, name: value, …}); non-numbers are skipped."""
    rows = [(run_id, int(e["step"]), name, float(value), "train", "sampled") for e in entries
            for name, value in e.items() if name != "step" and _number(value)]
    if not rows:
        return None
    return pd.DataFrame(rows, columns=["run_id", "step", "name", "value", "phase", "decoding"])


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def logged_rewards(entries: list[dict]) -> list[str]:
    """The reward functions' names, in TRL's order, from its `rewards/<fn>/mean` log keys."""
    names: dict[str, None] = {}
    for e in entries:
        for key in e:
            if key.startswith("rewards/") and key.endswith("/mean"):
                names[key.removeprefix("rewards/").removesuffix("/mean")] = None
    return list(names)


def weights(entries: list[dict], names: list[str]) -> list[float] | None:
    """TRL's reward_weights, recovered from its logs: each step's `reward` is the weighted sum of the functions'
    means. None when the logs do not pin them down (then per-completion totals are left out, not guessed)."""
    rows = [e for e in entries if _number(e.get("reward")) and all(_number(e.get(f"rewards/{n}/mean")) for n in names)]
    if not names or not rows:
        return None
    a = np.array([[e[f"rewards/{n}/mean"] for n in names] for e in rows])
    b = np.array([e["reward"] for e in rows])
    if np.linalg.matrix_rank(a) < len(names):
        return None
    w, *_ = np.linalg.lstsq(a, b, rcond=None)
    if not np.allclose(a @ w, b, atol=1e-4):
        return None
    return [round(float(x), 4) for x in w]


def reward_spec(names: list[str], found: list[float] | None) -> str:
    """The run's reward as a spec when every function is a registry instrument (so the circularity check can use
    it); otherwise "external: fn, …", which shares no instrument with any metric."""
    known = {i.name for i in all_instruments()}
    if names and set(names) <= known:
        terms = zip(found or [1.0] * len(names), names)
        return " + ".join(name if w == 1 else f"{w:g}*{name}" for w, name in terms if w > 0)
    return "external: " + (", ".join(names) or "unknown")


def read_golds(path: Path) -> dict[str, str]:
    """`--data FILE`: prompt text → gold answer, from JSONL or parquet rows with a prompt (or question) and an
    answer (or gold, solution, ground_truth)."""
    path = Path(path)
    try:
        if path.suffix == ".parquet":
            rows = pd.read_parquet(path).to_dict("records")
        else:
            rows = [jsontext.loads(line, f"{path.name} line {number}", "Unreadable data file") for number, line
                    in enumerate(jsontext.decode(path.read_bytes(), path.name).splitlines(), 1) if line.strip()]
    except (OSError, ValueError) as exc:
        raise BadInput("Unreadable data file", f"{path.name}: {exc}"[:400]) from None
    golds: dict[str, str] = {}
    for number, row in enumerate(rows, 1):
        prompt = row.get("prompt", row.get("question")) if isinstance(row, dict) else None
        answer = next((row[c] for c in GOLD_COLUMNS if c in row), None) if isinstance(row, dict) else None
        if prompt is None or answer is None:
            raise BadInput("Bad data file", f"{path.name} row {number} needs a prompt (or question) and an answer "
                           f"(or one of {', '.join(GOLD_COLUMNS[1:])}).")
        gold = gold_text(answer)
        for key in {prompt_text(prompt).strip(), str(row.get("question", "")).strip()} - {""}:
            if gold is not None:
                golds[key] = gold
    return golds
