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
people = view.options["labellers"]["labeller"].tolist()
labeller = url.labeller if url.labeller in people else None
if reference == "hand" and people:
    FIRST = "each completion's first labeller"
    choice = st.selectbox("Whose labels are the reference?", [FIRST, *people],
                          index=people.index(labeller) + 1 if labeller else 0,
                          help="A new label never replaces another person's: by default each completion's reference "
                               "is the label of whoever labelled it first (the study author, for the study's 50).")
    labeller = None if choice == FIRST else choice
runs = st.multiselect("Runs (empty: all)", view.options["runs"],
                      default=[r for r in url.runs if r in view.options["runs"]])
state = url.replace(reference=reference, runs=tuple(runs), labeller=labeller)
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
AGREEMENT = ("agreement-answers", "agreement-verdicts", "agreement-kappa", "agreement-rows", "agreement-none")
if len(people) >= 2:
    st.subheader("Labellers compared")
    cols = st.columns(2)
    first = cols[0].selectbox("Labeller", people, index=people.index(state.compare) if state.compare in people else 0)
    others = [p for p in people if p != first]
    second = cols[1].selectbox("…against", others, index=others.index(state.versus) if state.versus in others else 0)
    if (first, second) != (state.compare, state.versus):
        state = state.replace(compare=first, versus=second)
        view = ui.view("audit", state)
    render.stats([view.get(k) for k in AGREEMENT[:3] if view.get(k)])
    for key in AGREEMENT[3:]:
        if view.get(key):
            render.block(view.get(key))
ui.set_state(state)
render.view(view, skip=("audit", "answers-agree", "verdicts-agree", "kappa", "base-rate", "judge-differs", *AGREEMENT))
st.subheader("Judge validation")
numbers = [view.get(k) for k in ("answers-agree", "verdicts-agree", "kappa", "base-rate") if view.get(k)]
render.stats(numbers)
if view.get("judge-differs"):
    render.cards(view.get("judge-differs"))
