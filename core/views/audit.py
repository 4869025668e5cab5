"""Audit: every extractor against a reference (hand labels, the judge, imported is_correct) with bootstrap 95%
intervals, every disagreement one click from its completion, and the judge validated against hand labels."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from yardstick.analysis import audit, stats
from yardstick.store import queries, reviews
from yardstick.views import card_block, completions, href, source
from yardstick.views.blocks import Note, Stat, Table, View
from yardstick.views.cards import Card
from yardstick.views.filters import Filter
from yardstick.views.state import State as Base, url

BOOTSTRAP = 1000


@dataclass(frozen=True)
class State(Base):
    reference: str | None = url("reference")
    labeller: str | None = url("labeller")  # hand reference: this person's labels (default: each completion's first)
    runs: tuple[str, ...] = url("run", ())
    instrument: str | None = url("instrument")
    compare: str | None = url("compare")  # two labellers to compare with each other
    versus: str | None = url("vs")


def options(store: Any) -> dict[str, Any]:
    """What the page's widgets offer, before the View is built: references with their counts, labellers, runs and
    the extractors."""
    return {"references": reviews.references(store), "labellers": reviews.labellers(store),
            "runs": queries.runs(store)["run_id"].tolist(), "instruments": queries.instrument_names("extractor")}


def build(store: Any, state: State) -> View:
    revision = store.revision()  # read before any query: a write landing meanwhile can only make the memo older
    view = View("audit", "Audit", state.to_params(), revision)
    refs = reviews.references(store)
    people = reviews.labellers(store)
    if refs.empty:
        view.blocks.append(Note("empty", text="No reference verdicts yet: label completions, run the judge, or "
                                "import data with is_correct.", tone="info"))
        return view
    reference = state.reference if state.reference in set(refs["reference"]) else refs["reference"].iloc[0]
    labeller = state.labeller if reference == "hand" and state.labeller in set(people["labeller"]) else None
    pairs = reviews.audit_pairs(store, reference, list(state.runs) or None, labeller)
    _agreement(store, view, state, people)
    if pairs.empty:
        view.blocks.append(Note("none", text="No completion in these runs has this reference.", tone="info"))
        return view
    n = int(pairs["completion_id"].nunique())
    who = (f"{labeller}'s labels" if labeller else "each completion's first labeller") if reference == "hand" else None
    src = source(store, f"extractor verdicts against the {reference} reference" + (f" ({who})" if who else ""),
                 runs=state.runs, n=n, instruments=queries.instrument_names("extractor"),
                 labellers=(labeller,) if labeller else ())
    table = _table((str(store.path), revision, reference, state.runs, labeller), pairs)
    for key in ("precision", "recall", "f1"):
        table[f"{key} 95% CI"] = table.pop(f"{key}_ci").map(_interval)
    view.blocks.append(Table("audit", frame=table, source=src,
                             columns={k: ("number", "%.3f") for k in ("precision", "recall", "f1",
                                                                      "answer_agreement")},
                             caption=f"{n:,} completions. Positive = the extractor calls the completion correct. "
                                     f"Intervals: {BOOTSTRAP:,} bootstrap resamples of completions. "
                                     "answer_agreement: the extracted answer equals the reference's answer "
                                     "(both 'none' agrees)."))
    names = table["instrument"].tolist()
    chosen = state.instrument if state.instrument in names else names[0]
    wrong = audit.disagreements(pairs, chosen)
    if wrong.empty:
        view.blocks.append(Note("agrees", text=f"{chosen} agrees with {reference} on every completion.",
                                tone="success"))
    else:
        wrong = wrong.assign(open=[_open(cid) for cid in wrong["completion_id"]],
                             answer=wrong["answer"].fillna("none"),
                             reference_answer=wrong["reference_answer"].fillna("none"))
        view.blocks.append(Table("disagreements", frame=wrong[["kind", "run_id", "answer", "reference_answer", "open"]],
                                 title=f"Where {chosen} and {reference} disagree",
                                 columns={"open": ("link", "open")}, source=src))
    _judge_validation(store, view)
    return view


_TABLES: dict[tuple, Any] = {}
_TABLES_LOCK = threading.Lock()


def _table(key: tuple, pairs: Any) -> Any:
    """The bootstrapped audit table, once per (store, revision, reference, runs, labeller): choosing another
    instrument's disagreements or two labellers to compare reuses it (its 1,000 resamples over the 5,276 GSM8K
    solutions take seconds). Sessions share it; the lock makes a second session wait for the first's bootstrap."""
    with _TABLES_LOCK:
        table = _TABLES.get(key)
        if table is None:
            table = audit.table(pairs, bootstrap=BOOTSTRAP, answers=key[2] != "is_correct")
            if len(_TABLES) >= 16:
                _TABLES.clear()
            _TABLES[key] = table
    return table.copy()


def _agreement(store: Any, view: View, state: State, people: Any) -> None:
    """Two labellers on the completions both labelled: raw agreement, Cohen's κ, and the rows they disagree on."""
    names = set(people["labeller"])
    first, second = state.compare, state.versus
    if first not in names or second not in names or first == second:
        return
    pairs = reviews.labeller_pairs(store, first, second)
    v = audit.labeller_agreement(pairs)
    src = source(store, f"labels by {first} and {second} on the completions both labelled", n=v["n"],
                 labellers=(first, second))
    if not v["n"]:
        view.blocks.append(Note("agreement-none", text=f"{first} and {second} have no completion in common.",
                                tone="info"))
        return
    view.blocks += [Stat("agreement-answers", label="Answers agree", value=f"{v['answers_agree']}/{v['n']}",
                         fmt="{}", source=src),
                    _rate("agreement-verdicts", "Verdicts agree", v["verdict_agreement"], v["n"], src),
                    Stat("agreement-kappa", label="Cohen's κ", value=v["kappa"], fmt="{:.2f}", n=v["n"], source=src)]
    differ = pairs[~audit.same_answer(pairs["first_answer"], pairs["second_answer"])]
    differ = differ.assign(open=[_open(cid) for cid in differ["completion_id"]],
                           first_answer=differ["first_answer"].fillna("none"),
                           second_answer=differ["second_answer"].fillna("none"))
    view.blocks.append(Table("agreement-rows", frame=differ.rename(columns={
        "first_answer": f"{first} (1st)", "second_answer": f"{second} (2nd)"})[
        ["run_id", "gold", f"{first} (1st)", f"{second} (2nd)", "open"]], title="Where they disagree",
        columns={"open": ("link", "open")}, source=src))


def _judge_validation(store: Any, view: View) -> None:
    both = reviews.hand_vs_judge(store)
    if both.empty:
        view.blocks.append(Note("judge-empty", text="No completion has both a hand label and a judgment yet.",
                                tone="info"))
        return
    v = audit.judge_validation(both)
    src = source(store, "judge answers against hand labels", n=v["n"],
                 judge=", ".join(sorted(set(both["model"]))))
    view.blocks += [Stat("answers-agree", label="Answers agree", value=f"{v['answers_agree']}/{v['n']}", fmt="{}",
                         source=src),
                    _rate("verdicts-agree", "Verdicts agree", v["verdict_agreement"], v["n"], src),
                    Stat("kappa", label="Cohen's κ", value=v["kappa"], fmt="{:.2f}", n=v["n"], source=src),
                    _rate("base-rate", "Base rate (hand: correct)", v["base_rate"], v["n"], src)]
    differ = both[~audit.same_answer(both["hand_answer"], both["judge_answer"])]
    items = [Card(header=f"{r.run_id} · gold {r.gold} · hand: {_none(r.hand_answer)} · judge ({r.model}): "
                         f"{_none(r.judge_answer)}", text=r.text[-1500:], question=r.question,
                  completion_id=int(r.completion_id), run_id=r.run_id,
                  aside="Judge's reasoning:\n" + str(r.raw)[:1500]) for r in differ.itertuples()]
    view.blocks.append(card_block("judge-differs", items, "plain", source=src,
                                  title="Where the judge and the hand label differ"))


def _open(completion_id: Any) -> str:
    """The link that opens one completion on the Completions page."""
    return href(completions.State(filter=Filter(completion=int(completion_id))))


def _interval(ci: tuple[float, float]) -> str:
    """"—" where the rate is undefined (precision of an extractor that never calls a completion correct)."""
    return "—" if ci[0] != ci[0] or ci[1] != ci[1] else f"{ci[0]:.3f}–{ci[1]:.3f}"


def _none(answer: Any) -> str:
    return "none" if answer is None or answer != answer else str(answer)


def _rate(key: str, label: str, rate: float, n: int, src: Any) -> Stat:
    """A proportion with its n and 95% Wilson interval."""
    est = stats.proportion(rate, n)
    return Stat(key, label=label, value=rate, fmt="{:.0%}", n=n, lo=est.lo, hi=est.hi, source=src)
