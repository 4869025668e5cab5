"""Completions: filter by run, step, phase, decoding, problem, verdicts and disagreement; read each completion with
every instrument's answer and span highlighted (or marked, or plain), or scan them as a sortable table and export
it. Lays out yardstick.views.completions."""
import io

import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.store import queries
from yardstick.store.queries import instrument_names
from yardstick.store.selection import VERDICT_NAMES
from yardstick.views import completions, judge, label, link
from yardstick.views.filters import DECODINGS, PHASES, Filter

st.title("🔎 Completions")

runs = ui.query(queries.runs)["run_id"].tolist()
names, extractors = instrument_names(), instrument_names("extractor")
url = ui.state(completions.State)
f = url.filter
VERDICTS = ("any", *VERDICT_NAMES)
ANY = lambda v: "all" if v is None else str(v)  # noqa: E731

with st.sidebar.form("filters"):
    st.markdown("**Filter**")
    run_ids = st.multiselect("Runs", runs, default=[r for r in f.runs if r in runs])
    steps = ui.query(queries.run_steps, run_ids) if run_ids else []
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
page_key = f"completions-page-{hash(new)}"  # a new filter starts on its first page
state = url.replace(filter=new, page=ui.widget(page_key, url.page + 1 if new == f else 1) - 1)
for text, icon, target in (("Label these completions", "🏷️", label.State(filter=new)),
                           ("Judge these completions", "🧑‍⚖️", judge.State(scope="filter", filter=new))):
    page, params = link(target)
    st.sidebar.page_link(f"pages/{page}.py", label=text, icon=icon, query_params=params)

top = st.columns([3, 2, 2, 1])
mode = top[1].segmented_control("Show", ["cards", "table"], default=state.mode, key="mode") or state.mode
text = top[2].segmented_control("Text", list(completions.TEXT), default=state.text, key="text",
                                disabled=mode == "table") or state.text
state = state.replace(mode=mode, text=text)
if new.completion is not None:
    st.caption(f"Showing completion {new.completion} only.")
    if st.button("Show all matching completions"):
        state = state.replace(filter=new.replace(completion=None))
ui.set_state(state)
view = ui.view("completions", state)
top[0].markdown(f"**{view.options['total']:,}** completions match")
if mode == "cards":
    top[3].number_input("Page", 1, view.options["pages"], min(state.page + 1, view.options["pages"]), key=page_key)

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
    render.cards(view.get("list"), follow=True)
