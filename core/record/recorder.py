"""Record a TRL GRPO run into a Yardstick run folder — from the Launch page's worker or from your own script.

    rec = Recorder("runs/my-run", reward="0.3*format + 0.7*lenient", config={"model": "Qwen/Qwen2.5-0.5B-Instruct"})
    trainer = GRPOTrainer(model=..., reward_funcs=rec.reward_funcs(), callbacks=[rec.callback()],
                          args=GRPOConfig(..., reward_weights=rec.reward_weights), train_dataset=ds)

The reward functions are rebuilt from the registry by name (each keeps its instrument's __name__, which TRL
keys its logs by) and see every completion, so all of them are recorded (TRL's log_completions keeps only the
last batch). With several processes (accelerate), completions are gathered and only the main process writes.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from collections import defaultdict
from contextlib import ExitStack
from typing import Any, Callable

from transformers import TrainerCallback

from yardstick.instruments import get
from yardstick.instruments.batch import read_all
from yardstick.instruments.rewardspec import parse
from yardstick.record.chat import completion_text, prompt_text
from yardstick.record.folder import RunFolder, is_run_folder


def _distributed() -> tuple[bool, int]:
    """(is this the main process, how many are there), from the launcher's environment (accelerate, torchrun,
    DeepSpeed all set RANK and WORLD_SIZE). Not from accelerate's PartialState: creating it here, before the trainer
    does, would fix the distributed setup too early (on CPU it would read as one process per rank)."""
    return int(os.environ.get("RANK", "0")) == 0, int(os.environ.get("WORLD_SIZE", "1"))


class Recorder:
    def __init__(self, run_dir: str, reward: str, config: dict | None = None, answer_key: str = "answer",
                 question_key: str = "question") -> None:
        self.spec = parse(reward)
        self.folder = RunFolder(run_dir)
        self.is_main, self.processes = _distributed()
        # Started here, not by the scheduler (whose worker made the folder and finishes the run after saving the
        # model): this recorder owns the run's status, from its first line (no scheduler sees a queued run) to its
        # last ("finished", or "cancelled" when a cancel request stopped it).
        self.owns_status = self.is_main and not is_run_folder(self.folder.path)
        if self.owns_status:
            self.folder.create("recorded", {**(config or {}), "reward": reward},
                               status={"state": "starting", "pid": os.getpid(), "host": socket.gethostname()})
        self.answer_key, self.question_key = answer_key, question_key
        self.pending: dict[int, list[dict]] = defaultdict(list)
        self._parts: dict[tuple, dict[str, list[float]]] = {}
        self._samples: dict[tuple[int, str], int] = defaultdict(int)
        self.stop_requested = threading.Event()

    @property
    def reward_weights(self) -> list[float]:
        return [w for w, _ in self.spec.terms]

    def reward_funcs(self) -> list[Callable]:
        return [self._reward(name) for _, name in self.spec.terms]

    def _reward(self, name: str) -> Callable:
        inst = get(name)

        def reward(prompts: list, completions: list, **kwargs: Any) -> list[float]:
            texts = [completion_text(c) for c in completions]
            golds = [None if g is None else str(g) for g in kwargs.get(self.answer_key, [None] * len(texts))]
            values = [float(bool(v)) for v in read_all(texts, golds, [inst], workers=1)[name].verdicts]  # no gold: 0
            self._collect(name, prompts, texts, golds, values, kwargs)
            return values

        reward.__name__ = name
        return reward

    def _collect(self, name: str, prompts: list, texts: list[str], golds: list, values: list[float],
                 kwargs: dict) -> None:
        """Once every reward term has scored a batch, turn it into rows for the step it trains."""
        key = tuple(texts)
        parts = self._parts.setdefault(key, {})
        parts[name] = values
        if len(parts) < len(self.spec.terms):
            return
        del self._parts[key]
        state = kwargs.get("trainer_state")
        step = (state.global_step if state is not None else 0) + 1
        questions = kwargs.get(self.question_key) or [prompt_text(p) for p in prompts]
        ids = kwargs.get("completion_ids") or [None] * len(texts)
        rows = []
        for i, text in enumerate(texts):
            components = {n: parts[n][i] for _, n in self.spec.terms}
            rows.append({"question": str(questions[i]), "gold": golds[i], "text": text, "decoding": "sampled",
                         "n_tokens": len(ids[i]) if ids[i] is not None else None,
                         "reward": sum(w * components[n] for w, n in self.spec.terms),
                         "reward_components": components})
        if self.processes > 1:
            from accelerate.utils import gather_object

            rows = gather_object(rows)
        if self.is_main:
            for row in rows:
                row["sample"] = self._samples[(step, row["question"])]
                self._samples[(step, row["question"])] += 1
            self.pending[step].extend(rows)

    def flush(self, up_to_step: int) -> None:
        for step in sorted(s for s in self.pending if s <= up_to_step):
            self.folder.write_completions("train", step, self.pending.pop(step))

    def callback(self) -> TrainerCallback:
        return _RecorderCallback(self)


class _RecorderCallback(TrainerCallback):
    """Writes TRL's logs and the recorded completions at each step, keeps the heartbeat, honours a stop request
    (SIGTERM in the worker, or cancel.json from the app)."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self._beating = ExitStack()
        self._started = time.time()

    def on_train_begin(self, args, state, control, **kwargs):
        if not self.rec.is_main:
            return
        self._started = time.time()
        self._beating.enter_context(self.rec.folder.heartbeat())
        self.rec.folder.set_status(state="running", step=0, total_steps=state.max_steps, started_at=self._started,
                                   pid=os.getpid(), host=socket.gethostname(), message="")

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.rec.is_main and logs:
            numeric = {k: v for k, v in logs.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
            self.rec.folder.write_steps(state.global_step, numeric)

    def on_step_end(self, args, state, control, **kwargs):
        if self.rec.is_main:
            self.rec.flush(state.global_step)
            per_step = (time.time() - self._started) / max(state.global_step, 1)
            self.rec.folder.set_status(step=state.global_step, seconds_per_step=round(per_step, 3),
                                       eta_s=round(per_step * (state.max_steps - state.global_step), 1))
            if self.rec.folder.cancel_requested():
                self.rec.stop_requested.set()
        if self.rec.stop_requested.is_set():
            control.should_training_stop = True

    def on_train_end(self, args, state, control, **kwargs):
        if self.rec.is_main:
            self.rec.flush(state.global_step + 1)
        if self.rec.owns_status:
            self.rec.folder.set_status(state="cancelled" if self.rec.stop_requested.is_set() else "finished",
                                       finished_at=time.time(), final_step=state.global_step, message="")
        self._beating.close()
