"""Label, Audit and Judge pages through AppTest on the embedded default store."""
from __future__ import annotations

from test_pages import open_page, unescape

from yardstick.store import queries, reviews
from yardstick.store.store import Store


def labels(home) -> list[tuple]:
    store = Store(home / "yardstick.duckdb")
    try:
        return store.cursor().execute("SELECT labeller, answer, is_none, note FROM labels WHERE source = 'app' "
                                      "ORDER BY label_id").fetchall()
    finally:
        store.close()


def test_label_page_saves_skips_and_goes_back(embedded_home):
    at = open_page("label", run="gsm8k-175b_verification", labeller="ada")
    progress = at.get("progress")[0].proto.text
    assert progress.startswith("0 of ") and "labelled by ada" in progress
    first = next(t.value for t in at.text if " · id " in t.value)
    at.text_input(key="label-answer").input("1,234")
    at.text_input(key="label-note").input("answer in the last line")
    at.button[0].click().run()  # Save (the form's first submit button)
    assert labels(embedded_home) == [("ada", "1234", False, "answer in the last line")]
    second = next(t.value for t in at.text if " · id " in t.value)
    assert second != first and at.get("progress")[0].proto.text.startswith("1 of ")
    next(b for b in at.button if b.label == "Skip").click().run()
    assert next(t.value for t in at.text if " · id " in t.value) not in (first, second)
    next(b for b in at.button if b.label == "Back").click().run()
    assert next(t.value for t in at.text if " · id " in t.value) == first  # back to the labelled one
    assert any("1234" in str(df.value) for df in at.dataframe)  # its history is shown
    next(b for b in at.button if b.label == "None").click().run()
    assert labels(embedded_home)[-1][:3] == ("ada", None, True)


def test_label_page_rejects_a_non_number(embedded_home):
    at = open_page("label", run="gsm8k-175b_verification", labeller="ada")
    at.text_input(key="label-answer").input("forty")
    at.button[0].click().run()
    assert any(e.value == "Not a number" for e in at.error) and labels(embedded_home) == []


def test_audit_page_reproduces_the_study(embedded_home):
    at = open_page("audit", reference="hand")
    table = at.dataframe[0].value.set_index("instrument")
    assert tuple(table.loc["study_lenient", ["tp", "fp", "fn"]]) == (14, 8, 1)
    assert tuple(table.loc["study_last_number", ["tp", "fp", "fn"]]) == (13, 1, 2)
    assert tuple(table.loc["study_strict_tag", ["tp", "fp", "fn"]]) == (7, 0, 8)
    assert "f1 95% CI" in table.columns
    metrics = {unescape(m.label): m.value for m in at.metric}
    assert metrics["Answers agree"] == "48/50"  # the study's judge validation
    assert sum("judge (claude-haiku-4-5-20251001)" in t.value for t in at.text) == 2
    links = at.dataframe[1].value["open"]
    assert all(link.startswith("/completions?id=") for link in links)


def test_judge_page_plans_and_needs_a_key(embedded_home):
    at = open_page("judge", model="claude-haiku-4-5-20251001")
    metrics = {unescape(m.label): m.value for m in at.metric}
    assert metrics["Selected"] == "50" and metrics["Already judged (cached)"] == "0"  # the study's prompt differs
    assert any("Estimated cost: $" in c.value for c in at.caption)
    assert any("No Anthropic API key" in w.value for w in at.warning)  # said before Start, not after
    assert next(b for b in at.button if b.label == "Start judging").disabled
    store = Store(embedded_home / "yardstick.duckdb")
    assert queries.summary(store)["judgments"] == 50  # only the imported ones


def test_labels_and_judgments_export_in_one_click(embedded_home):
    at = open_page("label", run="gsm8k-175b_verification", labeller="ada")
    at.text_input(key="label-answer").input("7")
    at.button[0].click().run()
    exported = reviews.export(Store(embedded_home / "yardstick.duckdb"), "labels")
    assert len(exported) == 51 and set(exported["labeller"]) == {"ada", "study author"}
    assert {"question", "gold", "text", "answer", "note", "created_at"} <= set(exported.columns)
    assert any(b.proto.label == "Download all labels (CSV)" for b in at.get("download_button"))
