"""Curves: the reward against independent metrics over steps, several runs overlaid, flags beside them.

A metric that shares an instrument with the run's reward is marked [circular]; each point knows the runs, step,
phase and decoding it was measured on, so a click opens exactly those completions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from core import charts, stats
from core.flags import store_flags
from core.rewardspec import metric_role
from core.store import queries
from core.views import source
from core.views.blocks import Chart, Links, Note, Table, View
from core.views.state import State as Base, url

PREFERRED = {"reward", "frac_reward_zero_std"}


@dataclass(frozen=True)
class State(Base):
    runs: tuple[str, ...] = url("run", ())
    metrics: tuple[str, ...] = url("metric", ())
    fold: bool = url("fold", True)


def options(store: Any) -> list[str]:
    """Runs that have something to draw."""
    return queries.metric_runs(store)


def default_metrics(names: list[str]) -> list[str]:
    preferred = set(queries.instrument_names()) | PREFERRED
    return [n for n in names if n in preferred] or names


def build(store: Any, state: State) -> View:
    revision = store.revision()
    runs = [r for r in state.runs if r in set(options(store))]
    view = View("curves", "Curves", state.to_params(), revision)
    waiting = [r for r in state.runs if r not in runs]
    if waiting:
        view.blocks.append(Note("waiting", tone="info", text=f"No metrics yet for {', '.join(waiting)}: queued or "
                                "starting runs fill in here as they train."))
    if not runs:
        return view
    data = queries.metrics(store, runs)
    found = store_flags(store, runs)
    if found:
        view.blocks.append(Links("flags", icon="📉", source=source(store, "flags over these runs' metrics", runs),
                                 items=[(f"{f.run_id}: {f.message}", "curves", {"run": [f.run_id]}) for f in found]))
    grouped = bool((data["seed_group"].notna() & (data["seed_group"] != "")).any())
    data = charts.by_seed_group(data) if grouped and state.fold else charts.lines(data)
    names = sorted(data["name"].unique())
    shown = [m for m in state.metrics if m in names] or default_metrics(names)
    src = source(store, "logged metrics, and each instrument's mean verdict per (run, step, phase, decoding) "
                        "from its readings", runs)
    view.blocks.append(Chart("curves", figure=charts.curves(data, shown).to_plotly_json(), source=src))
    view.blocks.append(Table("ends", frame=_ends(data[data["name"].isin(shown)]), title="Start → end",
                             columns={k: ("number", "%.3f") for k in ("start", "end", "change")}, source=src,
                             caption="role: `reward` is what training maximised; `circular` metrics share an "
                                     "instrument with the reward, so they rise by construction; `independent` "
                                     "metrics are the ones to believe."))
    view.options.update(metrics=names, shown=shown, grouped=grouped)
    return view


def _ends(data: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (line_name, name, decoding), line in data.groupby(["line", "name", "decoding"]):
        (s0, v0), (s1, v1) = stats.endpoints(line)
        rows.append({"run": line_name, "metric": name, "decoding": decoding,
                     "role": metric_role(name, line["reward_spec"].iloc[0]), "start": v0, "end": v1,
                     "change": v1 - v0, "steps": f"{s0}→{s1}"})
    return pd.DataFrame(rows)
