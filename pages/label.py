"""Label: a keyboard-first queue of completions (by default where instruments disagree). The label is the answer
the completion committed to, or none; each is committed at once, append-only, with who and when. Lays out
yardstick.views.label; the queue's state machine is yardstick.views.labelling.Session."""
import getpass
from dataclasses import replace

import streamlit as st

from pages import _keys, _render as render, _ui as ui
from yardstick.errors import YardstickError
from yardstick.views import label
from yardstick.views.labelling import QUEUES, Session

st.title("🏷️ Label")

url = ui.state(label.State)
labeller = st.sidebar.text_input("Your name", url.labeller or getpass.getuser(),
                                 help="Every label keeps who made it and when.")
kind = st.sidebar.radio("Queue", list(QUEUES), format_func=QUEUES.get, index=list(QUEUES).index(url.queue))
show = st.sidebar.toggle("Show gold and instruments' readings", value=url.show,
                         help="Blind by default: gold and the instruments' answers stay hidden so they do not anchor "
                              "yours. After you save, the item you just labelled can be revealed below.")
state = url.replace(labeller=labeller, queue=kind, show=show)
ui.set_state(state)
st.sidebar.caption("Runs, step and filters come from the URL; set them on the Completions page and use its "
                   "'Label these completions' link.")
with st.sidebar:
    ui.export_button("Download all labels (CSV)", "labels", "yardstick-labels.csv")

session: Session = st.session_state.setdefault("labelling", Session())


def act(action: str, item_id: int | None, answer: str = "") -> bool:
    """One action on the item on screen; False when a label was refused (the error is shown, the page stays)."""
    try:
        session.act(ui.store(), action, item_id, labeller, answer, st.session_state.get("label-note", ""))
    except YardstickError as exc:
        ui.show_error(exc)
        return False
    return True


view = label.build(ui.store(), state, session)
item = view.options["item"]
typed = _keys.keyboard(item["completion_id"] if item else None)
if typed and typed[3] not in session.handled:
    session.handled.add(typed[3])
    action, typed_for, answer, _ = typed
    if (item is not None and typed_for == item["completion_id"]) or action in ("back", "help"):
        if act(action, item["completion_id"] if item else None, answer):
            st.session_state["label-note"] = ""  # the form is not drawn yet on this run, so this is allowed
            st.rerun()  # draw the keyboard again for the next item
    else:
        st.toast("A keystroke arrived for an item no longer on screen; it was ignored.")

progress = view.get("progress")
st.progress(progress.value / progress.n if progress.n else 1.0,
            text=f"{progress.value:,} of {progress.n:,} labelled by {labeller} · {len(session.done)} this session · "
                 f"{len(session.skipped)} skipped")
if session.help:
    st.table({"key": list(_keys.KEYS), "does": list(_keys.KEYS.values())})
if item is None:
    st.success(ui.plain(f"Nothing left in this queue for {labeller}."))
    st.stop()

st.text(f"Question ({item['run_id']} · step {item['step']}" + (f" · gold {item['gold']})" if show else ")"))
st.text(item["question"])
shown = view.get("item")
render.card(replace(shown.items[0], question=""), shown.mode, shown.colours)  # the question is shown above

with st.form("label-form", clear_on_submit=True, border=False):
    cols = st.columns([2, 3, 1, 1])
    answer = cols[0].text_input("Answer (or use the keyboard)", key="label-answer")
    cols[1].text_input("Note (optional)", key="label-note")
    save = cols[2].form_submit_button("Save", type="primary")
    none = cols[3].form_submit_button("None")
nav = st.columns(6)
skip, back = nav[0].button("Skip"), nav[1].button("Back", disabled=not session.done)
clicked = "save" if save else "none" if none else "skip" if skip else "back" if back else None
if clicked and act(clicked, item["completion_id"], answer):
    st.rerun()

if len(view.get("history").frame):
    render.table(view.get("history"))
if view.get("last") and st.toggle("Reveal gold and the instruments for the item you just labelled", value=False):
    last = view.get("last")
    render.card(last.items[0], last.mode, last.colours)
