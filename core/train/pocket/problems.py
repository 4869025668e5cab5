"""Synthetic multi-step arithmetic word problems with integer gold, and worked solutions in mixed styles.

The styles are the knobs that shape the base model: how often a solution ends in the <answer> tag, and whether
tag use goes with terse answers (so a lenient reward has a reason to drop the tag, as in the study).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

NAMES = ["Tom", "Ana", "Raj", "Mia", "Leo", "Zoe", "Sam", "Ivy", "Ben", "Kim"]
ITEMS = ["apples", "marbles", "books", "coins", "stamps", "cards", "shells", "pens"]
PROMPT = "Question: {question}\nAnswer:"


@dataclass(frozen=True)
class Problem:
    question: str
    gold: str
    steps: tuple[str, ...]  # the worked equations, e.g. ("12 + 5 = 17", "17 - 3 = 14")

    @property
    def prompt(self) -> str:
        return PROMPT.format(question=self.question)


def make_problem(rng: random.Random, difficulty: int = 2) -> Problem:
    """A problem with `difficulty` operations after the start (1–4)."""
    name, item = rng.choice(NAMES), rng.choice(ITEMS)
    value = rng.randint(2, 20)
    text, steps = [f"{name} has {value} {item}."], []
    for _ in range(max(1, min(difficulty, 4))):
        op = rng.choice(["add", "sub", "mul", "add"] if value < 40 else ["add", "sub", "sub"])
        if op == "add":
            n = rng.randint(2, 15)
            text.append(f"{name} gets {n} more.")
            steps.append(f"{value} + {n} = {value + n}")
            value += n
        elif op == "sub" and value > 2:
            n = rng.randint(1, value - 1)
            text.append(f"{name} gives away {n}.")
            steps.append(f"{value} - {n} = {value - n}")
            value -= n
        else:
            n = rng.randint(2, 3)
            text.append(f"{name} ends up with {'twice' if n == 2 else 'three times'} as many.")
            steps.append(f"{value} * {n} = {value * n}")
            value *= n
    text.append(f"How many {item} does {name} have now?")
    return Problem(" ".join(text), str(value), tuple(steps))


def problems(n: int, seed: int, difficulty: int = 2) -> list[Problem]:
    rng = random.Random(seed)
    return [make_problem(rng, difficulty) for _ in range(n)]


def split(n_train: int, n_test: int, seed: int = 0, difficulty: int = 2) -> tuple[list[Problem], list[Problem]]:
    """Disjoint train and test problems (by question text)."""
    unique = _unique(problems(3 * (n_train + n_test), seed, difficulty), set())
    return unique[:n_train], unique[n_train:n_train + n_test]


def experiment_split(n_train: int, n_eval: int, eval_seed: int = 0,
                     difficulty: int = 2) -> tuple[list[Problem], list[Problem]]:
    """An experiment's problems: the held-out set comes from `eval_seed` alone (so every run with the same data
    spec sees the same one), the training problems from a second stream, never repeating a held-out question."""
    held_out = _unique(problems(3 * n_eval + 10, 10_000 + eval_seed, difficulty), set())[:n_eval]
    questions = {p.question for p in held_out}
    train = _unique(problems(3 * n_train + 10, 20_000 + eval_seed, difficulty), questions)[:n_train]
    return train, held_out


def _unique(pool: list[Problem], exclude: set[str]) -> list[Problem]:
    seen, out = set(exclude), []
    for p in pool:
        if p.question not in seen:
            seen.add(p.question)
            out.append(p)
    return out


def solution(p: Problem, rng: random.Random, tag_rate: float = 0.45, terse_tags: bool = False) -> str:
    """A worked solution: the steps, then the answer in a tag (with probability `tag_rate`) or in words.
    With `terse_tags`, tagged solutions skip the working (tag use then goes with guessing)."""
    tagged = rng.random() < tag_rate
    if tagged and terse_tags:
        return f" <answer>{p.gold}</answer>"
    work = ". ".join(p.steps) + "."
    if tagged:
        return f" {work} <answer>{p.gold}</answer>"
    return f" {work} The answer is {p.gold}." if rng.random() < 0.7 else f" {work} So {p.gold}."
