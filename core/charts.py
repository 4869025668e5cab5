"""Plotly figures, one builder per chart kind. Pages pass query results in and show what comes back."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core import escape
from core.rewardspec import reward_instruments

DASH = {"sampled": "solid", "greedy": "dot"}


def metric_role(metric: str, reward_spec: str | None) -> str:
    """"reward" for the training reward, "circular" for a metric that shares an instrument with it."""
    if metric == "reward":
        return "reward"
    return "circular" if metric.removeprefix("train/") in reward_instruments(reward_spec) else "independent"


def by_seed_group(df: pd.DataFrame) -> pd.DataFrame:
    """Runs of one seed group folded into one line: the mean over seeds, with min and max as a band."""
    grouped = df.assign(run_id=df["seed_group"].fillna(df["run_id"]).replace("", None).fillna(df["run_id"]))
    keys = ["run_id", "name", "decoding", "step", "phase"]
    out = grouped.groupby(keys, as_index=False).agg(value=("value", "mean"), lo=("value", "min"),
                                                    hi=("value", "max"), seeds=("value", "size"),
                                                    reward_spec=("reward_spec", "first"))
    return out


def curves(df: pd.DataFrame, metric_names: list[str] | None = None) -> go.Figure:
    """Metrics over steps: one line per (run, metric, decoding); greedy dotted; circular metrics marked.
    Rows with `lo`/`hi` (from by_seed_group) get a shaded band across seeds.

    Each point carries (run_id, step) as customdata so a click can open that run and step.
    """
    fig = go.Figure()
    if metric_names is not None:
        df = df[df["name"].isin(metric_names)]
    for (run, name, decoding), line in df.groupby(["run_id", "name", "decoding"], sort=False):
        role = metric_role(name, line["reward_spec"].iloc[0])
        tag = "" if role == "independent" else f" [{role}]"
        if "lo" in line and (line["hi"] > line["lo"]).any():
            fig.add_trace(go.Scatter(
                x=line["step"].tolist() + line["step"].tolist()[::-1], y=line["hi"].tolist() + line["lo"].tolist()[::-1],
                fill="toself", opacity=0.2, line={"width": 0}, hoverinfo="skip", showlegend=False,
                name=escape.plotly(f"{run} · {name} · {decoding} · seeds")))
        fig.add_trace(go.Scatter(
            x=line["step"].tolist(), y=line["value"].tolist(), name=escape.plotly(f"{run} · {name}{tag} · {decoding}"),
            mode="lines+markers" if len(line) > 1 else "markers",
            line={"dash": DASH.get(decoding, "dash"), "width": 3 if role == "reward" else 2},
            marker={"symbol": "diamond" if decoding == "greedy" else "circle",
                    "size": 9 if decoding == "greedy" or len(line) == 1 else 6},
            customdata=[[run, int(s)] for s in line["step"]],
            hovertemplate="%{fullData.name}<br>step %{x}: %{y:.3f}<extra></extra>"))
    rates = df["value"].between(0, 1).all()  # rates share a fixed 0–1 axis; losses and lengths do not
    fig.update_layout(xaxis_title="step", yaxis_title="value", yaxis_range=[-0.02, 1.02] if rates else None,
                      height=480, legend={"orientation": "h", "y": -0.2}, margin={"t": 30})
    return fig
