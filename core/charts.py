"""Plotly figures, one builder per chart kind. Views pass query results in and keep what comes back."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from core.rewardspec import metric_role

DASH = {"sampled": "solid", "greedy": "dot"}


def lines(df: pd.DataFrame) -> pd.DataFrame:
    """Metric rows, one line per run: `line` names it and `runs` lists the runs it draws."""
    return df.assign(line=df["run_id"], runs=df["run_id"])


def by_seed_group(df: pd.DataFrame) -> pd.DataFrame:
    """Runs of one seed group folded into one line: the mean over seeds, with min and max as a band. `runs` keeps
    the group's run ids, so a click on the folded line opens those runs (not a run named after the group)."""
    group = df["seed_group"].where(df["seed_group"].notna() & (df["seed_group"] != ""), df["run_id"])
    members = df.assign(line=group).groupby("line")["run_id"].agg(lambda r: ",".join(sorted(set(r))))
    keys = ["line", "name", "decoding", "step", "phase"]
    out = df.assign(line=group).groupby(keys, as_index=False).agg(
        value=("value", "mean"), lo=("value", "min"), hi=("value", "max"), seeds=("value", "size"),
        reward_spec=("reward_spec", "first"))
    return out.assign(runs=out["line"].map(members))


def curves(df: pd.DataFrame, metric_names: list[str] | None = None) -> go.Figure:
    """Metrics over steps: one line per (line, metric, decoding); greedy dotted; circular metrics marked.
    Rows with `lo`/`hi` (from by_seed_group) get a shaded band across seeds.

    Each point carries (runs, step, phase, decoding) as customdata so a click can open those completions.
    """
    fig = go.Figure()
    if metric_names is not None:
        df = df[df["name"].isin(metric_names)]
    for (line_name, name, decoding), line in df.groupby(["line", "name", "decoding"], sort=False):
        role = metric_role(name, line["reward_spec"].iloc[0])
        tag = "" if role == "independent" else f" [{role}]"
        if "lo" in line and (line["hi"] > line["lo"]).any():
            fig.add_trace(go.Scatter(
                x=line["step"].tolist() + line["step"].tolist()[::-1], y=line["hi"].tolist() + line["lo"].tolist()[::-1],
                fill="toself", opacity=0.2, line={"width": 0}, hoverinfo="skip", showlegend=False,
                name=f"{line_name} · {name} · {decoding} · seeds"))
        fig.add_trace(go.Scatter(
            x=line["step"].tolist(), y=line["value"].tolist(), name=f"{line_name} · {name}{tag} · {decoding}",
            mode="lines+markers" if len(line) > 1 else "markers",
            line={"dash": DASH.get(decoding, "dash"), "width": 3 if role == "reward" else 2},
            marker={"symbol": "diamond" if decoding == "greedy" else "circle",
                    "size": 9 if decoding == "greedy" or len(line) == 1 else 6},
            customdata=[[runs, int(s), phase, decoding] for runs, s, phase in zip(line["runs"], line["step"],
                                                                                line["phase"])],
            hovertemplate="%{fullData.name}<br>step %{x}: %{y:.3f}<extra></extra>"))
    rates = df["value"].between(0, 1).all()  # rates share a fixed 0–1 axis; losses and lengths do not
    fig.update_layout(xaxis_title="step", yaxis_title="value", yaxis_range=[-0.02, 1.02] if rates else None,
                      height=480, legend={"orientation": "h", "y": -0.2}, margin={"t": 30})
    return fig
