"""The training worker: `yardstick train RUN_FOLDER` (the Launch page starts it in its own process group).

TRL's GRPOTrainer with the reward rebuilt from the registry; every completion recorded; an independent evaluation
at step 0 and every eval_every steps (sampled and greedy); SIGTERM stops after the current step; a crash leaves
{title, message} in status.json and the traceback beside it.
"""
from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from core.errors import YardstickError
from core.runconfig import RunConfig
from core.runfolder import RunFolder


def run(run_dir: str | Path) -> int:
    folder = RunFolder(run_dir)
    folder.set_status(state="starting", pid=os.getpid(), host=socket.gethostname(), heartbeat_at=time.time(),
                      started_at=time.time())
    try:
        config = RunConfig.from_dict({k: v for k, v in folder.config().items()})
        return _train(folder, config)
    except YardstickError as exc:
        folder.set_status(state="failed", error=exc.as_dict(), heartbeat_at=time.time())
        return 2
    except BaseException as exc:  # noqa: BLE001  (the run page must say what happened)
        (folder.path / "traceback.txt").write_text(traceback.format_exc())
        folder.set_status(state="failed", heartbeat_at=time.time(), error={
            "title": f"Training failed: {type(exc).__name__}", "message": f"{exc}"[:500] +
            " (the traceback is in the run folder's traceback.txt)"})
        return 1


def _train(folder: RunFolder, config: RunConfig) -> int:
    import torch
    from datasets import Dataset
    from transformers import TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from core.train import setup
    from core.train.recorder import Recorder

    folder.set_status(state="starting", message="loading the model (the pocket model is built on first use)",
                      heartbeat_at=time.time())
    with beating(folder):  # building the pocket model or loading a big one takes longer than STALE_S
        model, tok = setup.load_model(config.model, config.torch_threads)
        train, held_out = setup.load_problems(config.data, config.n_train, config.n_eval, config.seed,
                                              config.difficulty)
    recorder = Recorder(str(folder.path), config.reward)
    signal.signal(signal.SIGTERM, lambda *_: recorder.stop_requested.set())
    dataset = Dataset.from_list([{**row, "prompt": setup.prompt(tok, row["question"])} for row in train])
    gpu = torch.cuda.is_available()
    args = GRPOConfig(
        output_dir=str(folder.path / "trainer"), max_steps=config.steps, learning_rate=config.learning_rate,
        per_device_train_batch_size=config.prompts_per_step * config.num_generations,
        num_generations=config.num_generations, max_completion_length=config.max_completion_length,
        temperature=config.temperature, beta=config.beta, seed=config.seed, reward_weights=recorder.reward_weights,
        logging_steps=1, save_strategy="no", report_to="none", use_cpu=not gpu, bf16=gpu and torch.cuda.is_bf16_supported(),
        disable_tqdm=True, dataloader_num_workers=0)

    class Evaluate(TrainerCallback):
        """The independent evaluation: held-out problems, every instrument (scored at ingest), both decodings."""

        def _eval(self, step: int, net) -> None:
            questions = [r["question"] for r in held_out]
            golds = {r["question"]: r["answer"] for r in held_out}
            net.eval()
            rows = []
            modes = ([("greedy", 1)] if config.eval_greedy else []) + \
                    ([("sampled", config.eval_samples)] if config.eval_samples else [])
            for decoding, k in modes:
                texts = setup.complete(net, tok, questions * k, config.max_completion_length, decoding == "sampled",
                                       config.temperature, config.seed + step)
                rows += [{"question": q, "gold": golds[q], "text": t, "decoding": decoding, "sample": i // len(questions)}
                         for i, (q, t) in enumerate(zip(questions * k, texts))]
            net.train()
            folder.write_completions("eval", step, rows)

        def on_train_begin(self, args, state, control, model=None, **kwargs):
            self._eval(0, model)

        def on_step_end(self, args, state, control, model=None, **kwargs):
            if state.global_step % config.eval_every == 0 or state.global_step == state.max_steps \
                    or control.should_training_stop:
                self._eval(state.global_step, model)

    trainer = GRPOTrainer(model=model, processing_class=tok, reward_funcs=recorder.reward_funcs(), args=args,
                          train_dataset=dataset, callbacks=[recorder.callback(), Evaluate()])
    trainer.train()
    cancelled = recorder.stop_requested.is_set()
    folder.set_status(state="cancelled" if cancelled else "finished", heartbeat_at=time.time(), finished_at=time.time())
    return 0


@contextmanager
def beating(folder: RunFolder, every_s: float = 10.0) -> Iterator[None]:
    """Keep the heartbeat fresh while the worker loads (nothing else writes status.json meanwhile), so a slow load
    is not taken for a crash and the queue does not start the next run beside it."""
    done = threading.Event()

    def beat() -> None:
        while not done.wait(every_s):
            folder.set_status(heartbeat_at=time.time())

    thread = threading.Thread(target=beat, name="yardstick-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


if __name__ == "__main__":
    sys.exit(run(sys.argv[1]))
