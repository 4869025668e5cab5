"""Training a run folder's RunConfig (the `training` kind of jobs/worker.py, which reports a crash in words).

TRL's GRPOTrainer with the reward rebuilt from the registry; every completion recorded; an independent evaluation on
held-out problems at step 0 and every eval_every steps (sampled and greedy); SIGTERM stops after the current step;
the final checkpoint is saved in the folder's model/ for the final evaluation.
"""
from __future__ import annotations

import signal
import threading
import time
import warnings
from typing import Any, Callable

import torch
from datasets import Dataset
from transformers import PrinterCallback, TrainerCallback
from trl import GRPOConfig, GRPOTrainer

from yardstick.record.config import RunConfig
from yardstick.record.folder import RunFolder
from yardstick.record.recorder import Recorder
from yardstick.train import setup


class Cancelled(Exception):
    """Cancel arrived before training began (during the pocket model's build)."""


def train(folder: RunFolder) -> int:
    config = RunConfig.from_dict(folder.config())
    folder.set_status(state="starting", message="loading the model (the pocket model is built on first use)")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        model, tok = setup.load_model(config.model, config.torch_threads, _build_progress(folder, stop))
    except Cancelled:
        folder.set_status(state="cancelled", finished_at=time.time(), message="cancelled while the model was built")
        return 0
    train, held_out = setup.load_problems(config.data, config.n_train, config.n_eval, config.eval_seed,
                                          config.difficulty)
    recorder = Recorder(str(folder.path), config.reward)
    signal.signal(signal.SIGTERM, lambda *_: recorder.stop_requested.set())
    if stop.is_set():
        recorder.stop_requested.set()
    dataset = Dataset.from_list([{**row, "prompt": setup.prompt(tok, row["question"])} for row in train])
    gpu = torch.cuda.is_available()
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")  # renamed-API notices, per step
    args = GRPOConfig(
        output_dir=str(folder.path / "trainer"), max_steps=config.steps, learning_rate=config.learning_rate,
        per_device_train_batch_size=config.prompts_per_step * config.num_generations,
        num_generations=config.num_generations, max_completion_length=config.max_completion_length,
        temperature=config.temperature, beta=config.beta, seed=config.seed, reward_weights=recorder.reward_weights,
        logging_steps=1, save_strategy="no", report_to="none", use_cpu=not gpu,
        bf16=gpu and torch.cuda.is_bf16_supported(), disable_tqdm=True, dataloader_num_workers=0)
    evaluation = HeldOutEvaluation(folder, config, tok, held_out)
    trainer = GRPOTrainer(model=model, processing_class=tok, reward_funcs=recorder.reward_funcs(), args=args,
                          train_dataset=dataset, callbacks=[recorder.callback(), evaluation])
    trainer.remove_callback(PrinterCallback)  # the recorder keeps every log line; a terminal needs none of them
    trainer.train()
    cancelled = recorder.stop_requested.is_set()
    folder.set_status(message="saving the final model (for the final evaluation)")
    trainer.save_model(str(folder.model_dir))
    tok.save_pretrained(str(folder.model_dir))
    folder.set_status(state="cancelled" if cancelled else "finished", finished_at=time.time(), message="",
                      final_step=trainer.state.global_step)
    return 0


def _build_progress(folder: RunFolder, stop: threading.Event) -> Callable[[int, int, float], None]:
    """The pocket build's progress as the run's status (step and ETA; a first run builds for minutes), stopped by a
    cancel request or SIGTERM."""
    started = time.time()

    def progress(step: int, total: int, loss: float) -> None:
        if step % 10 and step != total:
            return
        if stop.is_set() or folder.cancel_requested():
            raise Cancelled()
        eta = (time.time() - started) / step * (total - step)
        folder.set_status(message=f"building the pocket model: step {step}/{total} (loss {loss:.2f})",
                          eta_s=round(eta, 1))

    return progress


class HeldOutEvaluation(TrainerCallback):
    """The independent evaluation during training: held-out problems, both decodings, every instrument (scored at
    ingest). The final evaluation of finished checkpoints is train/final.py."""

    def __init__(self, folder: RunFolder, config: RunConfig, tok: Any, held_out: list[dict]) -> None:
        self.folder, self.config, self.tok, self.held_out = folder, config, tok, held_out

    def _eval(self, step: int, net: Any) -> None:
        c = self.config
        self.folder.write_completions("eval", step, setup.evaluation_rows(
            net, self.tok, self.held_out, c.eval_greedy, c.eval_samples, c.max_completion_length, c.temperature,
            c.seed + step))

    def on_train_begin(self, args, state, control, model=None, **kwargs):
        self._eval(0, model)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step % self.config.eval_every == 0 or state.global_step == state.max_steps \
                or control.should_training_stop:
            self._eval(state.global_step, model)
