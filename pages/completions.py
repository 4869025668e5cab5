"""Completions: filter by run, step, phase, decoding, problem, verdicts and disagreement; read each completion with
every instrument's answer and span highlighted (or marked, or plain), or scan them as a sortable table and export
it. Lays out core.views.completions."""
import io

import streamlit as st

from core.store.queries import VERDICT_NAMES, instrument_names
from core.views import completions
from core.views.filters import DECODINGS, PHASES, Filter
from pages import _render as render, _ui as ui

st.title("🔎 Completions")

runs = ui.query("runs")["run_id"].tolist()
names, extractors = instrument_names(), instrument_names("extractor")
url = ui.state(completions.State)
f = url.filter
VERDICTS = ("any", *VERDICT_NAMES)
ANY = lambda v: "all" if v is None else str(v)  # noqa: E731

with st.sidebar.form("filters"):
    st.markdown("**Filter**")
    run_ids = st.multiselect("Runs", runs, default=[r for r in f.runs if r in runs])
    steps = ui.query("run_steps", run_ids) if run_ids else []
    step = st.selectbox("Step", [None] + steps, index=(steps.index(f.step) + 1) if f.step in steps else 0,
                        format_func=ANY)
    phase = st.selectbox("Phase", [None, *PHASES], index=([None, *PHASES]).index(f.phase), format_func=ANY)
    decoding = st.selectbox("Decoding", [None, *DECODINGS], index=([None, *DECODINGS]).index(f.decoding),
                            format_func=ANY)
    problem = st.text_input("Problem id", f.problem or "")
    chosen = dict(f.verdicts)
    with st.expander("Verdicts", expanded=bool(chosen)):
        verdicts = {n: st.selectbox(n, VERDICTS, index=VERDICTS.index(chosen.get(n, "any"))) for n in names}
    disagree = st.multiselect("Instruments disagree", extractors, default=[d for d in f.disagree if d in extractors],
                              help="Keep completions where these extractors' verdicts are not all the same.")
    search = st.text_input("Text contains", f.search)
    st.form_submit_button("Apply", type="primary")

new = Filter(runs=tuple(run_ids), step=step, phase=phase, decoding=decoding, problem=problem.strip() or None,
             verdicts=tuple((n, v) for n, v in verdicts.items() if v != "any"), disagree=tuple(disagree),
             search=search, completion=f.completion)
state = url.replace(filter=new, page=url.page if new == f else 0)
st.sidebar.page_link("pages/label.py", label="Label these completions", icon="🏷️", query_params=new.to_params())
st.sidebar.page_link("pages/judge.py", label="Judge these completions", icon="🧑‍⚖️",
                     query_params={**new.to_params(), "scope": "filter"})

top = st.columns([3, 2, 2, 1])
mode = top[1].segmented_control("Show", ["cards", "table"], default=state.mode, key="mode") or state.mode
text = top[2].segmented_control("Text", list(completions.TEXT), default=state.text, key="text",
                                disabled=mode == "table") or state.text
state = state.replace(mode=mode, text=text)
if new.completion is not None:
    st.caption(f"Showing completion {new.completion} only.")
    if st.button("Show all matching completions"):
        state = state.replace(filter=new.replace(completion=None))
view = ui.view("completions", state)
top[0].markdown(f"**{view.options['total']:,}** completions match")
if mode == "cards":
    pages = view.options["pages"]
    page = top[3].number_input("Page", 1, pages, min(state.page + 1, pages)) - 1
    if page != state.page:
        state = state.replace(page=page)
        view = ui.view("completions", state)
ui.set_state(state)

if mode == "table":
    render.table(view.get("table"))
    if st.button("Prepare the export (every filtered completion)"):
        full = ui.query(completions.export, state)
        parquet = io.BytesIO()
        full.to_parquet(parquet, index=False)
        cols = st.columns(2)
        cols[0].download_button(f"CSV ({len(full):,} rows)", full.to_csv(index=False).encode(), "completions.csv",
                                "text/csv", on_click="ignore")
        cols[1].download_button(f"Parquet ({len(full):,} rows)", parquet.getvalue(), "completions.parquet",
                                "application/octet-stream", on_click="ignore")
else:
    if text == "highlight":
        render.legend()
    render.cards(view.get("list"), highlight=text == "highlight", follow=True)
