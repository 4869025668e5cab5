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
import time
import traceback
import warnings
from pathlib import Path

from core.errors import YardstickError
from core.runconfig import RunConfig
from core.runfolder import RunFolder


MODEL_DIR = "model"  # the final checkpoint, saved with save_pretrained: what the final evaluation loads


def run(run_dir: str | Path) -> int:
    folder = RunFolder(run_dir)
    print(f"worker {os.getpid()} started on {socket.gethostname()}", file=sys.stderr, flush=True)
    folder.set_status(state="starting", pid=os.getpid(), host=socket.gethostname(), started_at=time.time())
    with folder.heartbeat():  # from the first moment: building the pocket model takes minutes
        try:
            raw = folder.config()
            if raw.get("kind") == "evaluate":
                from core.train import evaluate

                return evaluate.run(folder, raw)
            return _train(folder, RunConfig.from_dict(raw))
        except YardstickError as exc:
            folder.set_status(state="failed", error=exc.as_dict())
            return 2
        except BaseException as exc:  # noqa: BLE001  (the run page must say what happened)
            (folder.path / "traceback.txt").write_text(traceback.format_exc())
            folder.set_status(state="failed", error={
                "title": f"Training failed: {type(exc).__name__}", "message": f"{exc}"[:500] +
                " (the traceback is in the run folder's traceback.txt)"})
            return 1


def _train(folder: RunFolder, config: RunConfig) -> int:
    import torch
    from datasets import Dataset
    from transformers import PrinterCallback, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from core.train import setup
    from core.train.recorder import Recorder

    folder.set_status(state="starting", message="loading the model (the pocket model is built on first use)")
    model, tok = setup.load_model(config.model, config.torch_threads)
    train, held_out = setup.load_problems(config.data, config.n_train, config.n_eval, config.eval_seed,
                                          config.difficulty)
    recorder = Recorder(str(folder.path), config.reward)
    signal.signal(signal.SIGTERM, lambda *_: recorder.stop_requested.set())
    dataset = Dataset.from_list([{**row, "prompt": setup.prompt(tok, row["question"])} for row in train])
    gpu = torch.cuda.is_available()
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")  # renamed-API notices, per step
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
            folder.write_completions("eval", step, setup.evaluation_rows(
                net, tok, held_out, config.eval_greedy, config.eval_samples, config.max_completion_length,
                config.temperature, config.seed + step))

        def on_train_begin(self, args, state, control, model=None, **kwargs):
            self._eval(0, model)

        def on_step_end(self, args, state, control, model=None, **kwargs):
            if state.global_step % config.eval_every == 0 or state.global_step == state.max_steps \
                    or control.should_training_stop:
                self._eval(state.global_step, model)

    trainer = GRPOTrainer(model=model, processing_class=tok, reward_funcs=recorder.reward_funcs(), args=args,
                          train_dataset=dataset, callbacks=[recorder.callback(), Evaluate()])
    trainer.remove_callback(PrinterCallback)  # the recorder keeps every log line; a terminal needs none of them
    trainer.train()
    cancelled = recorder.stop_requested.is_set()
    folder.set_status(message="saving the final model (for the final evaluation)")
    trainer.save_model(str(folder.path / MODEL_DIR))
    tok.save_pretrained(str(folder.path / MODEL_DIR))
    folder.set_status(state="cancelled" if cancelled else "finished", finished_at=time.time(), message="",
                      final_step=trainer.state.global_step)
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1]))
