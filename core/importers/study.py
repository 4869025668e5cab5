"""The published study (grpo-reward-vs-eval): eval trajectories as runs with metrics, and the 50 hand-labelled
completions with the author's labels and Claude's judgments.

Its metrics were measured with its own extractors, so they are stored under the `study_*` instruments'
names; that is also what lets the Curves page mark a metric that shares an instrument with the reward.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from yardstick.errors import BadInput
from yardstick.importers.base import Seen
from yardstick.instruments.numbers import normalize
from yardstick.store import ids
from yardstick.store.store import Batch

KIND = "study (grpo-reward-vs-eval)"
LOOKS_LIKE = "a folder with results/summary.json and experiments/audit/"
MODEL = "Qwen/Qwen2.5-0.5B-Instruct"
JUDGE_MODEL = "claude-haiku-4-5-20251001"
VALIDATION_RUN = "study-judge-validation"
METRIC_NAMES = {"mean_reward": "reward", "format_compliance": "study_format", "honest_accuracy": "study_last_number",
                "last_number_acc": "study_last_number", "lenient_acc": "study_lenient",
                "strict_tag_acc": "study_strict_tag"}
RUNS = {  # file → (run id, reward spec as stored, seed, seed group: none, each is a single seed)
    "failure_mode/format_only.json": ("study-format-only", "study_format", 42, None),
    "failure_mode/lenient.json": ("study-lenient", "study_lenient", 42, None),
    "failure_mode/combined.json": ("study-combined", "0.3*study_format + 0.7*study_lenient", 42,
                                   None),
    "strictness_curve/lenient.json": ("study-sc-lenient", "study_lenient", 0, None),
    "strictness_curve/last_number.json": ("study-sc-last-number", "study_last_number", 0, None),
    "strictness_curve/strict_tag.json": ("study-sc-strict-tag", "study_strict_tag", 0, None),
}
FINAL_RUNS = {"lenient": "study-sc-lenient", "last_number": "study-sc-last-number", "strict_tag": "study-sc-strict-tag"}


def recognises(path: Path) -> bool:
    return path.is_dir() and (path / "results/summary.json").is_file() and (path / "experiments/audit").is_dir()


def load(path: Path, seen: Seen | None = None) -> Batch:
    try:
        runs, metrics = _trajectories(path / "results")
        completions, labels, judgments = _validation_set(path / "experiments/audit")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput("Study folder incomplete", f"{path}: {exc}") from exc
    runs.append({"run_id": VALIDATION_RUN, "name": "judge validation set (50)", "source": "study", "model": MODEL,
                 "status": "imported", "notes": "50 completions hand-labelled by the study's author and judged by "
                 f"{JUDGE_MODEL}."})
    return Batch(runs=runs, completions=completions, metrics=metrics, labels=labels, judgments=judgments,
                 problem_source="gsm8k (study)")


def _trajectories(results: Path) -> tuple[list[dict], pd.DataFrame]:
    runs, rows = [], []
    for rel, (run_id, spec, seed, group) in RUNS.items():
        doc = json.loads((results / rel).read_text())
        runs.append({"run_id": run_id, "name": f"{doc['experiment']}/{doc['run']}", "source": "study",
                     "model": MODEL, "reward_spec": spec, "seed": seed, "seed_group": group, "status": "imported",
                     "config": doc.get("config"), "notes": doc.get("reward", "")})
        n = int(doc.get("config", {}).get("eval_problems") or 50)  # the stated n: intervals come from it
        for point in doc["eval_trajectory"]:
            for key, value in point.items():
                if key in METRIC_NAMES:
                    rows.append((run_id, point["step"], METRIC_NAMES[key], float(value), "eval", "sampled", n))
    final = json.loads((results / "strictness_curve/judge_final.json").read_text())
    n = int(final.get("n_completions_per_run") or 50)
    for reward, result in final["runs"].items():
        for extractor, value in result["extractor_acc"].items():
            rows.append((FINAL_RUNS[reward], 100, f"study_{extractor}", float(value), "final", "greedy", n))
        rows.append((FINAL_RUNS[reward], 100, "judge", float(result["judge_acc"]), "final", "greedy", n))
    return runs, pd.DataFrame(rows, columns=["run_id", "step", "name", "value", "phase", "decoding", "n"])


def _validation_set(audit: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    samples = json.loads((audit / "judge_validation_sample.json").read_text())
    with (audit / "validation_labeled.csv").open(newline="") as fh:
        hand = {int(r["idx"]): r["my_label"] for r in csv.DictReader(fh)}
    judged = {r["idx"]: r for r in json.loads((audit / "judge_validation_results.json").read_text())["results"]}
    completions, labels, judgments = [], [], []
    for idx, s in enumerate(samples):
        completions.append({"run_id": VALIDATION_RUN, "step": 0, "phase": "eval", "decoding": "sampled",
                            "question": s["problem"], "gold": s["gt"], "text": s["completion"], "sample": idx})
        key = ids.completion_key(VALIDATION_RUN, "eval", "sampled", 0, ids.problem_id(s["problem"], normalize(s["gt"])),
                                idx)
        label = _answer(hand[idx])
        labels.append({"completion_key": key, "answer": label, "is_none": label is None, "note": "",
                       "labeller": "study author", "source": "import:study"})
        verdict = judged[idx]
        answer = _answer(verdict["judge_label"])
        judgments.append({"completion_key": key, "model": JUDGE_MODEL, "prompt_version": "study", "status": "scored",
                          "answer": answer, "is_none": answer is None, "reason": "", "raw": verdict["judge_reasoning"],
                          "source": "import:study"})
    return pd.DataFrame(completions), pd.DataFrame(labels), pd.DataFrame(judgments)


def _answer(label: str) -> str | None:
    return None if label.strip().upper() == "NONE" else normalize(label)
