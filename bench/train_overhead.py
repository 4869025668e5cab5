"""Recording overhead: the same pocket GRPO config run bare (plain GRPOTrainer, plain reward function) and through
the worker's recorder (every completion recorded to a run folder, TRL logs written, heartbeat; eval off),
interleaved, several repeats each. Prints the ratio of median train times. Target ≤ 1.10.

    python bench/train_overhead.py [--steps 30] [--repeats 3] [--model pocket]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def one(model_name: str, steps: int, recorded: bool, threads: int) -> float:
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    from yardstick.instruments import get
    from yardstick.record.recorder import Recorder
    from yardstick.train import setup

    model, tok = setup.load_model(model_name, threads)
    train, _ = setup.load_problems("pocket", 200, 1, 0, 2)
    out = tempfile.mkdtemp(prefix="yardstick-bench-")
    if recorded:
        rec = Recorder(f"{out}/run", "format")
        funcs, callbacks, weights = rec.reward_funcs(), [rec.callback()], rec.reward_weights
    else:
        fmt = get("format")

        def format(completions, **kwargs):  # noqa: A001  (TRL keys logs by __name__)
            return [float(fmt.read(c, None).verdict) for c in completions]

        funcs, callbacks, weights = [format], [], None
    trainer = GRPOTrainer(
        model=model, processing_class=tok, reward_funcs=funcs, callbacks=callbacks,
        train_dataset=Dataset.from_list([{**r, "prompt": setup.prompt(tok, r["question"])} for r in train]),
        args=GRPOConfig(output_dir=f"{out}/trainer", max_steps=steps, per_device_train_batch_size=16,
                        num_generations=8, max_completion_length=48, learning_rate=1e-4, use_cpu=True, bf16=False,
                        report_to="none", save_strategy="no", logging_steps=1, disable_tqdm=True, seed=0,
                        reward_weights=weights))
    start = time.perf_counter()
    trainer.train()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--model", default="pocket")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    times: dict[bool, list[float]] = {False: [], True: []}
    for r in range(args.repeats):
        for recorded in (False, True):
            seconds = one(args.model, args.steps, recorded, args.threads)
            times[recorded].append(seconds)
            print(f"repeat {r + 1} {'recorded' if recorded else 'bare    '}: {seconds:6.2f} s "
                  f"({seconds / args.steps:.3f} s/step)", flush=True)
    bare, recorded = statistics.median(times[False]), statistics.median(times[True])
    print(f"median bare {bare:.2f} s, recorded {recorded:.2f} s over {args.steps} steps: ratio {recorded / bare:.3f} "
          "(target ≤ 1.10)")


if __name__ == "__main__":
    main()
