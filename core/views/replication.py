"""Replication: the study's claims beside our numbers (per seed and pooled, with 95% intervals) and a computed
verdict for each; the runs' progress; the curves per experiment with seed bands; the final evaluation with its
ranking flips; three example completions per claim."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from yardstick.analysis import claims
from yardstick.instruments import all_instruments
from yardstick.jobs import replicate
from yardstick.store import queries, selection
from yardstick.views import card_block, cards, curves, final, source
from yardstick.views.blocks import Cards, Note, Table, View
from yardstick.views.state import State as Base, url

METRICS = ("reward", "study_format", "study_last_number", "study_lenient")


@dataclass(frozen=True)
class State(Base):
    name: str | None = url("replication")


def build(store: Any, state: State) -> View:
    view = View("replication", "Replication", state.to_params(), store.revision())
    plan = replicate.find(state.name) if state.name else None
    view.options["names"] = [p.name for p in replicate.plans()]
    if plan is None:
        view.blocks.append(Note("empty", tone="info", text="No replication chosen: start one on the Launch page or "
                                "with `yardstick replicate`."))
        return view
    progress = replicate.advance(plan, write=False)
    units = progress.units()
    view.options.update(plan=plan, progress=progress)
    table = claims.table(store, units)
    view.blocks.append(Table("claims", frame=table, title=f"Claims: {plan.name}", source=source(
        store, f"replication {plan.name}: {len(plan.seeds)} seeds × {len(claims.EXPERIMENTS)} experiments, "
               f"{plan.model}, {plan.steps} steps", runs=[r for rs in units.values() for r in rs]),
        caption="verdict: held (our 95% interval agrees with the study's direction), reversed (it shows the "
                "opposite), or not resolved at this n. Computed from the runs, never typed."))
    view.blocks.append(Table("progress", frame=pd.DataFrame(progress.runs), title="Runs"))
    for problem in progress.failed:
        view.blocks.append(Note(f"failed-{problem[:40]}", text=problem, tone="warning"))
    for experiment, runs in units.items():
        chart = curves.build(store, curves.State(runs=tuple(runs), metrics=METRICS)).get("curves")
        if chart is not None:
            chart.key, chart.title = f"curves-{replicate.slug(experiment)}", experiment
            view.blocks.append(chart)
    evaluated_runs = set((progress.evaluation or {}).get("runs", []))
    finals = [r for r in queries.final_runs(store) if any(r in rs for rs in units.values()) or r in evaluated_runs]
    if finals:
        evaluated = final.build(store, final.State(runs=tuple(finals)))
        view.blocks += [b for b in (evaluated.get("table"), evaluated.get("flips")) if b is not None]
    view.blocks += _examples(store, units)
    return view


def _examples(store: Any, units: dict[str, list[str]]) -> list[Cards]:
    """Three completions per claim that tests an experiment: its runs' last sampled evaluation."""
    out = []
    instruments = [(i.name, i.kind) for i in all_instruments()]
    for claim in claims.CLAIMS:
        experiment = next((t.experiment for t in claim.tests if t.experiment), None)
        runs = units.get(experiment or "", [])
        if not runs:
            continue
        steps = queries.run_steps(store, runs)
        rows, _ = selection.completions_page(store, selection.CompletionQuery(
            run_ids=tuple(runs), step=steps[-1] if steps else None, phase="eval", decoding="sampled", page_size=3))
        if len(rows):
            out.append(card_block(f"examples-{claim.id}", cards.build(rows, selection.readings(
                store, rows["completion_id"].tolist()), instruments), title=f"Examples for “{claim.text}”"))
    return out
