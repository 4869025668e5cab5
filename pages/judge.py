"""Judge: ask Claude which final answer each selected completion committed to. Shows calls, cache hits and the
estimated cost before anything is sent. A judge job runs in its own worker process (jobs/judging.py), so its
progress and Cancel are here in every browser, and it survives a restart of the app. Lays out yardstick.views.judge."""
import streamlit as st

from pages import _render as render, _ui as ui
from yardstick.instruments import judge
from yardstick.jobs import judging, queue
from yardstick.views import judge as judge_view

st.title("🧑‍⚖️ Judge")
st.caption("The judge reads the answer a completion committed to (or none); correctness is then a comparison with "
           "gold, like every other instrument. Validate it against hand labels on the Audit page.")

url = ui.state(judge_view.State)
scope = st.radio("Completions", list(judge_view.SCOPES), horizontal=True, format_func=judge_view.SCOPES.get,
                 index=list(judge_view.SCOPES).index(url.scope))
models = list(judge.MODELS)
model = st.selectbox("Model", models, index=models.index(url.model), help=f"{judge.STUDY_MODEL} reproduces the "
                     "study's judge.")
state = url.replace(scope=scope, model=model)
ui.set_state(state)
view = ui.view("judge", state)
plan = view.options["plan"]

cols = st.columns(4)
for col, key in zip(cols, ("selected", "cached", "calls")):
    render.stat(view.get(key), col)
batch = cols[3].toggle("Message Batches (half price, slower)", value=plan["calls"] >= 1000)
st.caption(f"Estimated cost: ${plan['usd_batch' if batch else 'usd']:.4f} with {model} "
           f"(prompt version {judge.PROMPT_VERSION}; about 4 characters a token, the whole reply budget).")
if not judge.has_key():  # said before Start, not after it (the View holds no environment: it can be pinned)
    st.warning(f"{judge.NO_KEY[0]}: {judge.NO_KEY[1]}", icon="🔑")
if st.button("Start judging", type="primary", disabled=plan["calls"] == 0 or not judge.has_key()):
    if ui.guarded(judging.submit, ui.store(), view.options["ids"], model, batch=batch):
        st.toast("Queued: the scheduler starts the job in its own process.")


@st.fragment(run_every=1.0)
def jobs_panel() -> None:
    """Every judge job of this home, live from its folder; its verdicts are ingested as they land."""
    jobs = judging.jobs()
    if not jobs:
        return
    if any(j["live"] for j in jobs):
        ui.sync_runs()
    st.subheader("Judge jobs")
    for j in jobs[:10]:
        with st.container(border=True):
            top = st.columns([5, 1])
            top[0].text(f"{j['job']} · {j['state']} · {j['done']:,}/{j['total']:,} · scored {j['scored']} · "
                        f"unscored {j['unscored']} · errors {j['errors']} · ${j['cost_usd']:.4f}"
                        + (f" · batch {j['batch_id']}" if j["batch_id"] else ""))
            if j["live"] and top[1].button("Cancel", key=f"cancel-{j['job']}"):
                ui.guarded(queue.cancel, j["job"])
            if j["state"] in ("crashed", "failed") and j["batch_id"] and not j["resumed_by"] and top[1].button(
                    "Resume", key=f"resume-{j['job']}", help="Follow the same paid batch in a new job"):
                ui.guarded(judging.resume, j["job"])
            if j["live"]:
                st.progress(j["done"] / j["total"] if j["total"] else 0.0)
            for line in (j["message"], j["error"], j["resumed_by"] and f"resumed by {j['resumed_by']}"):
                if line:
                    st.text(line)


jobs_panel()

ui.export_button("Download all judgments (CSV)", "judgments", "yardstick-judgments.csv")
render.block(view.get("costs"))
