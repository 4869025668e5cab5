"""Audit: every extractor against a reference (hand labels, the judge, imported is_correct) with bootstrap
intervals, and every disagreement one click from its completion. Judge validation sits beside it."""
import streamlit as st

from core import audit
from pages import _ui as ui

st.title("⚖️ Audit")
st.caption("Before trusting an accuracy curve, audit the instrument that drew it.")

refs = ui.query("references")
if refs.empty:
    st.info("No reference verdicts yet: label completions, run the judge, or import data with is_correct.")
    st.stop()
choices = refs["reference"].tolist()
reference = st.radio("Reference", choices, horizontal=True,
                     index=choices.index(ui.param("reference")) if ui.param("reference") in choices else 0,
                     format_func=lambda r: f"{r} (n={int(refs.set_index('reference').loc[r, 'n']):,})")
runs = st.multiselect("Runs (empty: all)", ui.query("runs")["run_id"].tolist(),
                      default=[r for r in ui.params("run") if r in ui.query("runs")["run_id"].tolist()])
ui.set_params(reference=reference, run=runs)
pairs = ui.query("audit_pairs", reference, runs or None)
if pairs.empty:
    st.info("No completion in these runs has this reference.")
    st.stop()

table = audit.table(pairs, bootstrap=1000, answers=reference != "is_correct")
for key in ("precision", "recall", "f1"):
    table[f"{key} 95% CI"] = table.pop(f"{key}_ci").map(lambda ci: f"{ci[0]:.3f}–{ci[1]:.3f}")
st.dataframe(table, hide_index=True,
             column_config={k: st.column_config.NumberColumn(format="%.3f")
                            for k in ("precision", "recall", "f1", "answer_agreement")})
st.caption(f"{pairs['completion_id'].nunique():,} completions. Positive = the extractor calls the completion "
           "correct. Intervals: 1,000 bootstrap resamples of completions. answer_agreement: the extracted answer "
           "equals the reference's answer (both 'none' agrees).")

st.subheader("Disagreements")
names = table["instrument"].tolist()
chosen = st.selectbox("Instrument", names, index=names.index(ui.param("instrument")) if ui.param("instrument")
                      in names else 0)
ui.set_params(instrument=chosen)
wrong = audit.disagreements(pairs, chosen)
if wrong.empty:
    st.success(f"{chosen} agrees with {reference} on every completion.")
else:
    wrong = wrong.assign(open=[f"/completions?id={cid}" for cid in wrong["completion_id"]])
    st.dataframe(wrong[["kind", "run_id", "answer", "reference_answer", "open"]], hide_index=True,
                 column_config={"open": st.column_config.LinkColumn("completion", display_text="open")})

st.subheader("Judge validation")
both = ui.query("hand_vs_judge")
if both.empty:
    st.info("No completion has both a hand label and a judgment yet.")
else:
    v = audit.judge_validation(both)
    cols = st.columns(4)
    cols[0].metric("Answers agree", f"{v['answers_agree']}/{v['n']}")
    cols[1].metric("Verdicts agree", f"{v['verdict_agreement']:.0%}")
    cols[2].metric("Cohen's κ", f"{v['kappa']:.2f}")
    cols[3].metric("Base rate (hand: correct)", f"{v['base_rate']:.0%}")
    differ = both[both["hand_answer"].fillna("∅") != both["judge_answer"].fillna("∅")]
    for row in differ.itertuples():
        with st.container(border=True):
            st.text(f"{row.run_id} · gold {row.gold} · hand: {row.hand_answer or 'none'} · "
                    f"judge ({row.model}): {row.judge_answer or 'none'}")
            left, right = st.columns(2)
            left.code(row.text[-1500:], language=None, wrap_lines=True)
            right.text("Judge's reasoning:\n" + str(row.raw)[:1500])
