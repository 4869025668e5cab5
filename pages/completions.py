"""Completions: filter by run, step, problem, instrument verdicts and disagreement; read each completion as
plain text with every instrument's answer and span; compare one problem across runs side by side."""
import streamlit as st

from core.store.queries import CompletionQuery, instrument_names
from pages import _ui as ui

st.title("🔎 Completions")

runs = ui.query("runs")["run_id"].tolist()
names = instrument_names()
extractors = instrument_names("extractor")
checks = set(names) - set(extractors)
url = ui.completion_query()

with st.sidebar.form("filters"):
    st.markdown("**Filter**")
    run_ids = st.multiselect("Runs", runs, default=[r for r in url.run_ids if r in runs])
    steps = ui.query("run_steps", run_ids) if run_ids else []
    step = st.selectbox("Step", [None] + steps, index=(steps.index(url.step) + 1) if url.step in steps else 0,
                        format_func=lambda s: "all" if s is None else str(s))
    problem = st.text_input("Problem id", url.problem_id or "")
    with st.expander("Verdicts", expanded=bool(url.verdicts)):
        verdicts = {n: st.selectbox(n, ui.VERDICTS, index=ui.VERDICTS.index(url.verdicts.get(n, "any")))
                    for n in names}
    disagree = st.multiselect("Instruments disagree", extractors, default=url.disagree,
                              help="Keep completions where these extractors' verdicts are not all the same.")
    search = st.text_input("Text contains", url.search)
    st.form_submit_button("Apply", type="primary")

q = CompletionQuery(run_ids=run_ids, step=step, problem_id=problem.strip() or None,
                    verdicts={n: v for n, v in verdicts.items() if v != "any"}, disagree=disagree, search=search,
                    completion_id=url.completion_id, page=url.page)
ui.set_params(**q.to_params())
st.sidebar.page_link("pages/label.py", label="Label these completions", icon="🏷️",
                     query_params={k: v for k, v in q.to_params().items() if v not in (None, "", [])})

tab_list, tab_side = st.tabs(["List", "Side by side"])
with tab_list:
    if q.completion_id is not None:
        st.caption(f"Showing completion {q.completion_id} only.")
        if st.button("Show all matching completions"):
            ui.set_params(id=None)
            st.rerun()
    page_df, total = ui.query("completions_page", q)
    pages = max((total + q.page_size - 1) // q.page_size, 1)
    top = st.columns([3, 1])
    top[0].markdown(f"**{total:,}** completions match")
    page = top[1].number_input("Page", 1, pages, min(q.page + 1, pages)) - 1
    if page != q.page:
        ui.set_params(page=page or None)
        q.page = page
        page_df, total = ui.query("completions_page", q)
    readings = ui.query("readings", page_df["completion_id"].tolist())
    show_marks = st.toggle("Mark instruments' spans in the text (⟦…⟧{instruments})", value=True)
    for row in page_df.to_dict("records"):
        with st.container(border=True):
            ui.completion_card(row, readings[readings["completion_id"] == row["completion_id"]], checks, show_marks)

with tab_side:
    shared = ui.query("shared_problems")
    if shared.empty:
        st.info("No problem has been answered by more than one run yet.")
    else:
        options = shared["problem_id"].tolist()
        chosen = st.selectbox("Problem", options, index=options.index(problem) if problem in options else 0,
                              format_func=lambda p: f"{p} · {shared.set_index('problem_id').loc[p, 'question'][:90]}")
        side, _ = ui.query("completions_page", CompletionQuery(problem_id=chosen, page_size=8))
        st.text(side["question"].iloc[0] + f"\n\ngold: {side['gold'].iloc[0]}")
        side_readings = ui.query("readings", side["completion_id"].tolist())
        for col, row in zip(st.columns(min(len(side), 4)), side.head(4).to_dict("records")):
            with col:
                ui.completion_card(row, side_readings[side_readings["completion_id"] == row["completion_id"]],
                                   checks, True, compact=True)
