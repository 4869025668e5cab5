"""Audit: every extractor against a reference (hand labels, the judge, imported is_correct) with bootstrap
intervals, and every disagreement one click from its completion; judge validation beside it. Lays out
yardstick.views.audit: the widgets first (their choices from audit.options), then the View, built once."""
import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.views import audit

st.title("⚖️ Audit")
st.caption("Before trusting an accuracy curve, audit the instrument that drew it.")

url = ui.state(audit.State)
offered = ui.query(audit.options)
refs, people = offered["references"], offered["labellers"]["labeller"].tolist()
if refs.empty:
    render.view(ui.view("audit", url))
    st.stop()
choices, counts = refs["reference"].tolist(), dict(zip(refs["reference"], refs["n"]))
reference = st.radio("Reference", choices, horizontal=True,
                     index=choices.index(url.reference) if url.reference in choices else 0,
                     format_func=lambda r: f"{r} (n={int(counts[r]):,})")
labeller = url.labeller if url.labeller in people else None
if reference == "hand" and people:
    FIRST = "each completion's first labeller"
    choice = st.selectbox("Whose labels are the reference?", [FIRST, *people],
                          index=people.index(labeller) + 1 if labeller else 0,
                          help="A new label never replaces another person's: by default each completion's reference "
                               "is the label of whoever labelled it first (the study author, for the study's 50).")
    labeller = None if choice == FIRST else choice
runs = st.multiselect("Runs (empty: all)", offered["runs"], default=[r for r in url.runs if r in offered["runs"]])
names = offered["instruments"]
# The disagreements' instrument and the labellers to compare are drawn further down; their last values decide now.
instrument = ui.widget("audit-instrument", url.instrument if url.instrument in names else names[0])
first = ui.widget("audit-compare", url.compare if url.compare in people else (people or [None])[0])
others = [p for p in people if p != first]
second = ui.widget("audit-versus", url.versus if url.versus in others else (others or [None])[0])
state = url.replace(reference=reference, runs=tuple(runs), labeller=labeller, instrument=instrument,
                    compare=first if len(people) >= 2 else url.compare,
                    versus=second if second in others else (others or [None])[0])
ui.set_state(state)
view = ui.view("audit", state)

if view.get("audit"):
    render.block(view.get("audit"))
    st.subheader("Disagreements")
    st.selectbox("Instrument", names, index=names.index(instrument), key="audit-instrument")
AGREEMENT = ("agreement-answers", "agreement-verdicts", "agreement-kappa", "agreement-rows", "agreement-none")
if len(people) >= 2:
    st.subheader("Labellers compared")
    cols = st.columns(2)
    cols[0].selectbox("Labeller", people, index=people.index(state.compare), key="audit-compare")
    cols[1].selectbox("…against", others, index=others.index(state.versus), key="audit-versus")
    render.stats([view.get(k) for k in AGREEMENT[:3] if view.get(k)])
    for key in AGREEMENT[3:]:
        if view.get(key):
            render.block(view.get(key))
JUDGE = ("answers-agree", "verdicts-agree", "kappa", "base-rate")
render.view(view, skip=("audit", "judge-differs", *JUDGE, *AGREEMENT))
st.subheader("Judge validation")
render.stats([view.get(k) for k in JUDGE if view.get(k)])
if view.get("judge-differs"):
    render.cards(view.get("judge-differs"))
