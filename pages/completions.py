"""Completions: filter by run, step, problem, instrument verdicts and disagreement; read each completion as
plain text with every instrument's answer and span; compare one problem across runs side by side."""
import streamlit as st

from core import browse
from core.store.queries import CompletionQuery, instrument_names
from pages import _ui as ui

VERDICTS = ["any", "correct", "wrong", "no answer"]
st.title("🔎 Completions")

runs = ui.query("runs")["run_id"].tolist()
names = instrument_names()
extractors = instrument_names("extractor")
checks = set(names) - set(extractors)

with st.sidebar.form("filters"):
    st.markdown("**Filter**")
    run_ids = st.multiselect("Runs", runs, default=[r for r in ui.params("run") if r in runs])
    steps = ui.query("run_steps", run_ids) if run_ids else []
    step_param = ui.int_param("step")
    step = st.selectbox("Step", [None] + steps, index=(steps.index(step_param) + 1) if step_param in steps else 0,
                        format_func=lambda s: "all" if s is None else str(s))
    problem = st.text_input("Problem id", ui.param("problem", ""))
    with st.expander("Verdicts", expanded=any(ui.param(f"v.{n}") for n in names)):
        verdicts = {}
        for name in names:
            current = ui.param(f"v.{name}", "any")
            verdicts[name] = st.selectbox(name, VERDICTS, index=VERDICTS.index(current) if current in VERDICTS else 0)
    disagree = st.multiselect("Instruments disagree", extractors,
                              default=[d for d in ui.params("disagree") if d in extractors],
                              help="Keep completions where these extractors' verdicts are not all the same.")
    search = st.text_input("Text contains", ui.param("q", ""))
    st.form_submit_button("Apply", type="primary")

filters = {f"v.{n}": (v if v != "any" else None) for n, v in verdicts.items()}
ui.set_params(run=run_ids, step=step, problem=problem.strip(), disagree=disagree, q=search, **filters)
q = CompletionQuery(run_ids=run_ids, step=step, problem_id=problem.strip() or None,
                    verdicts={n: v for n, v in verdicts.items() if v != "any"}, disagree=disagree,
                    search=search, page=max(ui.int_param("page") or 0, 0))

tab_list, tab_side = st.tabs(["List", "Side by side"])
with tab_list:
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
    for row in page_df.itertuples():
        mine = readings[readings["completion_id"] == row.completion_id]
        with st.container(border=True):
            st.text(f"{row.run_id} · step {row.step} · {row.phase}/{row.decoding} · sample {row.sample} · "
                    f"problem {row.problem_id} · gold {row.gold}")
            with st.expander("Question"):
                st.text(row.question)
            full = st.toggle("Show all", key=f"full-{row.completion_id}") if len(row.text) > browse.PREVIEW_CHARS \
                else False
            text, _ = browse.preview(browse.mark_spans(row.text, mine) if show_marks else row.text, full)
            st.code(text, language=None, wrap_lines=True)
            lines = [browse.verdict_line(r.instrument, r.answer, r.verdict, row.gold, r.instrument in checks)
                     for r in mine.set_index("instrument").reindex(names).reset_index().dropna(
                         subset=["verdict"]).itertuples()]
            st.text("   ".join(lines))

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
        for col, row in zip(st.columns(min(len(side), 4)), side.head(4).itertuples()):
            with col:
                st.text(f"{row.run_id} · step {row.step}")
                mine = side_readings[side_readings["completion_id"] == row.completion_id]
                st.code(browse.preview(browse.mark_spans(row.text, mine), False)[0], language=None, wrap_lines=True)
                st.text("\n".join(browse.verdict_line(r.instrument, r.answer, r.verdict, row.gold, r.instrument in checks)
                                  for r in mine.itertuples()))
