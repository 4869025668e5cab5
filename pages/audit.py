"""Audit: every extractor against a reference (hand labels, the judge, imported is_correct) with bootstrap
intervals, and every disagreement one click from its completion; judge validation beside it. Lays out
core.views.audit."""
import streamlit as st

from core.views import audit
from pages import _render as render, _ui as ui

st.title("⚖️ Audit")
st.caption("Before trusting an accuracy curve, audit the instrument that drew it.")

url = ui.state(audit.State)
view = ui.view("audit", url)
refs = view.options["references"]
if refs.empty:
    render.view(view)
    st.stop()
choices, counts = refs["reference"].tolist(), dict(zip(refs["reference"], refs["n"]))
reference = st.radio("Reference", choices, horizontal=True, index=choices.index(view.options["reference"]),
                     format_func=lambda r: f"{r} (n={int(counts[r]):,})")
runs = st.multiselect("Runs (empty: all)", view.options["runs"],
                      default=[r for r in url.runs if r in view.options["runs"]])
state = url.replace(reference=reference, runs=tuple(runs))
if state != url:
    view = ui.view("audit", state)
names = view.options.get("instruments", [])
if names:
    render.block(view.get("audit"))
    st.subheader("Disagreements")
    chosen = st.selectbox("Instrument", names, index=names.index(view.options["instrument"]))
    if chosen != view.options["instrument"]:
        state = state.replace(instrument=chosen)
        view = ui.view("audit", state)
ui.set_state(state)
render.view(view, skip=("audit", "answers-agree", "verdicts-agree", "kappa", "base-rate", "judge-differs"))
st.subheader("Judge validation")
numbers = [view.get(k) for k in ("answers-agree", "verdicts-agree", "kappa", "base-rate") if view.get(k)]
render.stats(numbers)
if view.get("judge-differs"):
    render.cards(view.get("judge-differs"))
