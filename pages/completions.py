"""Completions: filter by run, step, phase, decoding, problem, verdicts and disagreement; read each completion as
plain text with every instrument's answer and span; compare one problem across runs. Lays out
core.views.completions."""
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

tab_list, tab_side = st.tabs(["List", "Side by side"])
with tab_list:
    if new.completion is not None:
        st.caption(f"Showing completion {new.completion} only.")
        if st.button("Show all matching completions"):
            state = state.replace(filter=new.replace(completion=None))
    view = ui.view("completions", state)
    top = st.columns([3, 1])
    listing = view.get("list")
    top[0].markdown(f"**{listing.total:,}** completions match")
    pages = view.options["pages"]
    page = top[1].number_input("Page", 1, pages, min(state.page + 1, pages)) - 1
    marks = st.toggle("Mark instruments' spans in the text (⟦…⟧{instruments})", value=state.marks)
    if page != state.page or marks != state.marks:
        state = state.replace(page=page, marks=marks)
        view = ui.view("completions", state)
    ui.set_state(state)
    render.cards(view.get("list"))

with tab_side:
    shared = view.options["shared"]
    if shared.empty:
        st.info("No problem has been answered by more than one run yet.")
    else:
        options = shared["problem_id"].tolist()
        questions = dict(zip(shared["problem_id"], shared["question"]))
        side = st.selectbox("Problem", options, index=options.index(state.side) if state.side in options else 0,
                            format_func=lambda p: f"{p} · {questions[p][:90]}")
        if side != (state.side if state.side in options else options[0]):
            state = state.replace(side=side)
            ui.set_state(state)
            view = ui.view("completions", state)
        side_cards = view.get("side")
        st.text(side_cards.items[0]["question"] + f"\n\ngold: {side_cards.items[0]['gold']}")
        render.cards(side_cards, columns=4)
