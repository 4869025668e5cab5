"""Build the pocket model: a byte-level BPE tokenizer (one token per digit, <answer> tags as single tokens), a
~1M-parameter Llama, and a plain SFT loop on worked solutions. Saved with save_pretrained, so it loads with
AutoModelForCausalLM / AutoTokenizer like any hub model. Deterministic for a given spec."""
from __future__ import annotations

import json
import random
import time
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from yardstick.train.pocket.problems import Problem, solution, split
from yardstick.train.pocket.specs import PocketSpec

SPECIALS = ["<pad>", "<eos>"]
TAGS = ["<answer>", "</answer>"]


def build_tokenizer(texts: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(texts, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>")
    fast.add_tokens(TAGS)
    fast.padding_side = "left"
    return fast


def build(out: Path, spec: PocketSpec | None = None, progress: Callable[[int, int, float], None] | None = None,
          threads: int | None = None) -> dict:
    """Train and save the pocket model to `out`; returns the pocket.json record (spec, size, time, base).
    Uses every core by default (SFT is one big job), then restores the caller's torch thread count."""
    import os

    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads or os.cpu_count() or 1)
    try:
        return _build(out, spec or PocketSpec(), progress)
    finally:
        torch.set_num_threads(previous)


def _build(out: Path, spec: PocketSpec, progress: Callable[[int, int, float], None] | None) -> dict:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(spec.seed)
    rng = random.Random(spec.seed)
    train, test = split(spec.n_sft, 200, spec.seed, spec.difficulty)
    pairs = [(p.prompt, solution(p, rng, spec.tag_rate, spec.terse_tags)) for p in train]
    tok = build_tokenizer([a + b for a, b in pairs], spec.vocab_size)
    config = LlamaConfig(vocab_size=len(tok), hidden_size=spec.hidden, intermediate_size=spec.hidden * 3,
                         num_hidden_layers=spec.layers, num_attention_heads=4, num_key_value_heads=4,
                         max_position_embeddings=256, tie_word_embeddings=True, pad_token_id=tok.pad_token_id,
                         eos_token_id=tok.eos_token_id, bos_token_id=tok.eos_token_id)
    model = LlamaForCausalLM(config)
    started = time.time()
    _sft(model, tok, pairs, spec, progress)
    model.generation_config.pad_token_id = tok.pad_token_id
    model.generation_config.eos_token_id = tok.eos_token_id
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    record = {"spec": asdict(spec), "parameters": sum(p.numel() for p in model.parameters()),
              "build_seconds": round(time.time() - started, 1), "base": base_behaviour(model, tok, test[:100])}
    (out / "pocket.json").write_text(json.dumps(record, indent=2))
    return record


def _sft(model, tok, pairs: list[tuple[str, str]], spec: PocketSpec, progress) -> None:
    """Next-token loss on the solution tokens only (the prompt is context)."""
    import torch

    enc = []
    for prompt, answer in pairs:
        p_ids = tok(prompt)["input_ids"]
        a_ids = tok(answer)["input_ids"] + [tok.eos_token_id]
        enc.append((p_ids + a_ids, [-100] * len(p_ids) + a_ids))
    opt = torch.optim.AdamW(model.parameters(), lr=spec.lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=spec.lr, total_steps=spec.steps, pct_start=0.05)
    rng = random.Random(spec.seed)
    model.train()
    for step in range(spec.steps):
        batch = rng.sample(enc, spec.batch)
        width = max(len(ids) for ids, _ in batch)
        ids = torch.tensor([x + [tok.pad_token_id] * (width - len(x)) for x, _ in batch])
        labels = torch.tensor([y + [-100] * (width - len(y)) for _, y in batch])
        mask = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x, _ in batch])
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        if progress:
            progress(step + 1, spec.steps, float(loss))
    model.eval()


def generate(model, tok, prompts: list[str], max_new_tokens: int = 48, sample: bool = True,
             temperature: float = 1.0, seed: int = 0) -> list[str]:
    """Completions for `prompts` (left-padded batch), decoded without special tokens."""
    import torch

    torch.manual_seed(seed)
    enc = tok(prompts, return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=sample,
                             temperature=temperature if sample else None, top_k=0 if sample else None,
                             pad_token_id=tok.pad_token_id)
    return tok.batch_decode(out[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)


def base_behaviour(model, tok, test: list[Problem]) -> dict[str, float]:
    """Sampled (T = 1) format compliance and last-number accuracy on held-out problems."""
    from yardstick.instruments import get

    texts = generate(model, tok, [p.prompt for p in test])
    fmt, last = get("format"), get("last_number")
    return {"n": len(test), "format": sum(fmt.read(t, None).verdict for t in texts) / len(test),
            "last_number": sum(last.read(t, p.gold).verdict for t, p in zip(texts, test)) / len(test)}
