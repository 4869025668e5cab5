"""A user's own GRPO job with the recorder, as `accelerate launch --num_processes 2` runs it (tests/test_accelerate.py).

    accelerate launch --multi_gpu --num_processes 2 tests/recorder_job.py MODEL_DIR RUN_DIR OUT_DIR

(--multi_gpu without a GPU: accelerate's launcher then starts two processes, and the trainer's use_cpu=True makes
them one gloo group.)

Each process also writes what its reward functions saw (a weight-0 reward function: TRL logs it, training ignores
it) to OUT_DIR/seen-<rank>.jsonl, so the test can check every completion was recorded exactly once.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import GRPOConfig, GRPOTrainer

from yardstick.record.recorder import Recorder


def main(model_dir: str, run_dir: str, out_dir: str) -> None:
    rank = int(os.environ["RANK"])
    problems = [json.loads(line) for line in (Path(model_dir) / "problems.jsonl").read_text().splitlines()]
    seen = Path(out_dir) / f"seen-{rank}.jsonl"

    def witness(prompts, completions, trainer_state=None, **kwargs):
        with seen.open("a") as fh:
            for prompt, completion in zip(prompts, completions):
                fh.write(json.dumps({"step": trainer_state.global_step + 1, "prompt": prompt, "text": completion,
                                     "pid": os.getpid()}) + "\n")
        return [0.0] * len(completions)

    rec = Recorder(run_dir, "format + lenient", config={"model": model_dir})
    args = GRPOConfig(output_dir=str(Path(out_dir) / "trl"), max_steps=2, per_device_train_batch_size=4,
                      num_generations=4, max_completion_length=12, learning_rate=1e-4, use_cpu=True, bf16=False,
                      report_to="none", save_strategy="no", logging_steps=1, disable_tqdm=True, seed=0,
                      reward_weights=rec.reward_weights + [0.0])
    trainer = GRPOTrainer(model=AutoModelForCausalLM.from_pretrained(model_dir),
                          processing_class=AutoTokenizer.from_pretrained(model_dir, padding_side="left"),
                          reward_funcs=rec.reward_funcs() + [witness], callbacks=[rec.callback()],
                          train_dataset=Dataset.from_list(problems), args=args)
    trainer.train()  # the recorder writes "finished" itself: it made the folder, so it owns the run's status


if __name__ == "__main__":
    main(*sys.argv[1:4])
