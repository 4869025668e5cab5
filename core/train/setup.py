"""What a run trains on: the model and tokenizer (pocket, a hub id or a local folder) and the problems (pocket,
a GSM8K-style JSONL, or a hub data set), with the study's prompt for chat models."""
from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

from yardstick import home
from yardstick.errors import BadInput
from yardstick.train.pocket.build import build, generate
from yardstick.train.pocket.problems import PROMPT, experiment_split
from yardstick.train.pocket.specs import POCKETS

STUDY_PROMPT = ("Solve the math problem step by step. Wrap your final answer in <answer> tags, "
                "e.g. <answer>42</answer>.")


def pocket_path(name: str, progress: Any = None, threads: int | None = None) -> Path:
    """The pocket model's folder, built on first use (deterministic: the same spec gives the same model). Pocket
    models live in $YARDSTICK_POCKET_DIR (default: the home's pocket/), so several homes can share one build. Two
    processes that need it at once build it once: the second waits on the first's lock, then finds it built.
    `threads`: torch threads for the build (default: every core; a run builds with its own torch_threads)."""
    path = home.pocket_dir() / name
    if (path / "pocket.json").exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (path / "pocket.json").exists():
            partial = path.parent / f".{name}.{os.getpid()}.building"
            shutil.rmtree(partial, ignore_errors=True)
            try:
                build(partial, POCKETS[name], progress, threads)
            except BaseException:  # cancelled or failed: nothing half-built is left behind
                shutil.rmtree(partial, ignore_errors=True)
                raise
            shutil.rmtree(path, ignore_errors=True)  # a build cut short before pocket.json existed
            os.replace(partial, path)
    return path


def load_model(model: str, threads: int = 1, progress: Any = None) -> tuple[Any, Any]:
    """The model and its tokenizer; `progress(step, total, loss)` hears a pocket model's build, if one is needed."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(threads)
    path = str(pocket_path(model, progress, threads)) if model in POCKETS else model
    try:
        tok = AutoTokenizer.from_pretrained(path)
        net = AutoModelForCausalLM.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise BadInput("Cannot load the model", f"{model!r}: {exc}"[:600]) from None
    tok.padding_side = "left"
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return net, tok


def load_problems(data: str, n_train: int, n_eval: int, eval_seed: int, difficulty: int) -> tuple[list[dict], list[dict]]:
    """(train, eval) as [{"question", "answer"}] with the gold number as the answer.

    Both depend on the data spec only (data, sizes, difficulty, eval_seed) — never on the training seed — so every
    seed and run of an experiment is evaluated on the same problems (same problem ids) and results pair by problem.
    """
    from yardstick.instruments.numbers import gold_of

    if data == "pocket":
        train, test = experiment_split(n_train, n_eval, eval_seed, difficulty)
        return ([{"question": p.question, "answer": p.gold} for p in train],
                [{"question": p.question, "answer": p.gold} for p in test])
    rng = random.Random(eval_seed)
    if Path(data).exists():
        rows = [json.loads(line) for line in Path(data).read_text().splitlines() if line.strip()]
        problems = [{"question": r["question"], "answer": gold_of(r["answer"])} for r in rows]
        if len(problems) < n_train + n_eval:
            raise BadInput("Not enough problems", f"{data} has {len(problems)}; the run needs {n_train + n_eval}.")
        rng.shuffle(problems)
        return problems[n_eval:n_eval + n_train], problems[:n_eval]
    from datasets import load_dataset  # a hub id such as openai/gsm8k

    try:
        ds = load_dataset(data, "main")
    except Exception as exc:  # offline, unknown id, no network: say so
        raise BadInput("Cannot load the data set", f"{data!r}: {exc}"[:600]) from None

    def pick(split_: str, n: int) -> list[dict]:
        rows = ds[split_].shuffle(seed=eval_seed).select(range(min(n, len(ds[split_]))))
        return [{"question": r["question"], "answer": gold_of(r["answer"])} for r in rows]

    return pick("train", n_train), pick("test", n_eval)


def prompt(tok: Any, question: str) -> Any:
    """The training prompt: the study's system prompt for chat models, the pocket format otherwise."""
    if getattr(tok, "chat_template", None):
        return [{"role": "system", "content": STUDY_PROMPT}, {"role": "user", "content": question}]
    return PROMPT.format(question=question)


def rendered_prompt(tok: Any, question: str) -> str:
    p = prompt(tok, question)
    return tok.apply_chat_template(p, tokenize=False, add_generation_prompt=True) if isinstance(p, list) else p


def complete(model: Any, tok: Any, questions: list[str], max_new_tokens: int, sample: bool, temperature: float,
             seed: int) -> list[str]:
    prompts = [rendered_prompt(tok, q) for q in questions]
    return generate(model, tok, prompts, max_new_tokens, sample, temperature, seed)


def evaluation_rows(net: Any, tok: Any, held_out: list[dict], greedy: bool, samples: int, max_new_tokens: int,
                    temperature: float, seed: int) -> list[dict]:
    """Completions of every held-out problem: one greedy and `samples` sampled, as run-folder rows. Used by the
    evaluation during training and by the final evaluation, so both read the model the same way."""
    questions = [r["question"] for r in held_out]
    golds = {r["question"]: r["answer"] for r in held_out}
    training = net.training
    net.eval()
    rows = []
    for decoding, k in ([("greedy", 1)] if greedy else []) + ([("sampled", samples)] if samples else []):
        texts = complete(net, tok, questions * k, max_new_tokens, decoding == "sampled", temperature, seed)
        rows += [{"question": q, "gold": golds[q], "text": t, "decoding": decoding, "sample": i // len(questions)}
                 for i, (q, t) in enumerate(zip(questions * k, texts))]
    if training:
        net.train()
    return rows
