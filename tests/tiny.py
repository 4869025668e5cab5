"""A random tiny Llama with a real tokenizer, saved like a hub model in about a second: for tests that need TRL to
run but not a model that has learnt anything (the pocket build is an SFT run, minutes on a busy machine)."""
from __future__ import annotations

from pathlib import Path

from yardstick.train.pocket.build import build_tokenizer
from yardstick.train.pocket.problems import split


def pocket_tokenizer(n_problems: int = 8):
    """A tokenizer like the pocket model's (digits, words, the answer tags), trained on a few pocket problems."""
    train, _ = split(n_problems, 0, seed=0, difficulty=2)
    return build_tokenizer([p.prompt + f" <answer>{p.gold}</answer>" for p in train] * 4, 300)


def random_llama(path: Path, n_problems: int = 8) -> list[dict]:
    """Save the model to `path`; returns pocket problems as {"prompt", "answer"} rows to train on."""
    from transformers import LlamaConfig, LlamaForCausalLM

    train, _ = split(n_problems, 0, seed=0, difficulty=2)
    tok = pocket_tokenizer(n_problems)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64,
                                         num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=2,
                                         pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id))
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return [{"prompt": p.prompt, "answer": p.gold} for p in train]
