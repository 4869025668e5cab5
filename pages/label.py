"""Label: a keyboard-first queue of completions (by default where instruments disagree). The label is the answer
the completion committed to, or none; each is committed at once, append-only, with who and when."""
import getpass

import streamlit as st

from core.errors import YardstickError
from core.store import queries
from core.store.queries import CompletionQuery
from pages import _keys, _ui as ui

DISAGREE = ["last_number", "strict_tag", "lenient", "math_verify"]
QUEUES = {"disagree": "Instruments disagree", "filter": "The Completions page's filter", "random": "Random sample"}
st.title("🏷️ Label")

labeller = st.sidebar.text_input("Your name", ui.param("labeller") or getpass.getuser(),
                                 help="Every label keeps who made it and when.")
kind = st.sidebar.radio("Queue", list(QUEUES), format_func=QUEUES.get,
                        index=list(QUEUES).index(ui.param("queue", "disagree")) if ui.param("queue") in QUEUES else 0)
show_instruments = st.sidebar.toggle("Show instruments' readings", value=False,
                                     help="Hidden by default so their answers do not anchor yours.")
ui.set_params(labeller=labeller, queue=kind)
url = ui.completion_query()
base = {"run_ids": url.run_ids, "step": url.step}
q = {"disagree": CompletionQuery(**base, disagree=url.disagree or DISAGREE),
     "filter": CompletionQuery(**{**vars(url), "page": 0}),
     "random": CompletionQuery(**base, random_seed=int(ui.param("seed", "0") or 0))}[kind]
st.sidebar.caption("Runs, step and filters come from the URL; set them on the Completions page and use its "
                   "'Label these completions' link.")
with st.sidebar:
    ui.export_button("Download all labels (CSV)", "labels", "yardstick-labels.csv")

state = st.session_state.setdefault("labelling", {"skipped": [], "done": [], "back": [], "seen": set(), "help": False})
q.exclude = state["skipped"]


def current() -> dict | None:
    if state["back"]:
        return queries.completion(ui.store(), state["back"][-1])
    return queries.next_to_label(ui.store(), q, labeller)


def act(kind: str, item_id: int, answer: str = "") -> bool:
    """Save / none / skip / back for the item on screen; a label is committed before the page moves on.
    False when the label was refused (the error is shown and the page must stay)."""
    if kind in ("save", "none"):
        note = st.session_state.get("label-note", "")
        try:
            ui.store().add_label(item_id, answer if kind == "save" else None, labeller, note)
        except YardstickError as exc:
            ui.show_error(exc)
            return False
        state["done"].append(item_id)
        if state["back"]:
            state["back"].pop()
    elif kind == "skip":
        if state["back"]:
            state["back"].pop()
        else:
            state["skipped"].append(item_id)
    elif kind == "back" and state["done"]:
        state["back"].append(state["done"].pop())
    elif kind == "help":
        state["help"] = not state["help"]
    return True


item = current()
typed = _keys.keyboard(item["completion_id"] if item else None)
if typed and typed not in state["seen"]:
    state["seen"].add(typed)
    if (item is not None and typed[1] == item["completion_id"]) or typed[0] in ("back", "help"):
        if act(typed[0], item["completion_id"] if item else -1, typed[2]):
            st.session_state["label-note"] = ""  # the form is not drawn yet on this run, so this is allowed
            st.rerun()  # draw the keyboard again for the next item
    else:
        st.toast("A keystroke arrived for an item no longer on screen; it was ignored.")

total = ui.query("queue_size", CompletionQuery(**{**vars(q), "exclude": []}))
done = ui.query("labelled_in_queue", CompletionQuery(**{**vars(q), "exclude": []}), labeller)
st.progress(done / total if total else 1.0,
            text=f"{done:,} of {total:,} labelled by {labeller} · {len(state['done'])} this session · "
                 f"{len(state['skipped'])} skipped")
if state["help"]:
    st.table({"key": list(_keys.KEYS), "does": list(_keys.KEYS.values())})
if item is None:
    st.success(ui.plain(f"Nothing left in this queue for {labeller}."))
    st.stop()

checks = set(queries.instrument_names()) - set(queries.instrument_names("extractor"))
readings = ui.query("readings", [item["completion_id"]])
st.text(f"Question ({item['run_id']} · step {item['step']} · gold {item['gold']})")
st.text(item["question"])
ui.completion_card(item, readings if show_instruments else readings.iloc[0:0], checks, show_instruments,
                   show_question=False)

with st.form("label-form", clear_on_submit=True, border=False):
    cols = st.columns([2, 3, 1, 1])
    answer = cols[0].text_input("Answer (or use the keyboard)", key="label-answer")
    cols[1].text_input("Note (optional)", key="label-note")
    save = cols[2].form_submit_button("Save", type="primary")
    none = cols[3].form_submit_button("None")
nav = st.columns(6)
skip, back = nav[0].button("Skip"), nav[1].button("Back", disabled=not state["done"])
if (save or none or skip or back) and act("save" if save else "none" if none else "skip" if skip else "back",
                                         item["completion_id"], answer):
    st.rerun()

history = ui.query("label_history", item["completion_id"])
if len(history):
    st.caption("Label history (the newest counts)")
    st.dataframe(history, hide_index=True)
