"""Run management: rename, tag and annotate (kept when the run's folder is ingested again), config diffs, and a
delete that removes every row of the run and its folder, and says what it removed."""
from __future__ import annotations

from test_pages import open_page

from yardstick import home
from yardstick.importers import import_path
from yardstick.jobs import manage
from yardstick.record.folder import RunFolder
from yardstick.store import queries, selection
from yardstick.store.store import Store


def folder_run(name: str, **config) -> RunFolder:
    folder = RunFolder(home.runs_dir() / name).create("recorded", {"reward": "format", "steps": 2, **config},
                                                      status={"state": "finished", "step": 2})
    folder.write_completions("eval", 0, [{"question": "2+2?", "gold": "4", "text": "<answer>4</answer>",
                                           "decoding": "greedy", "sample": 0}])
    folder.write_steps(1, {"reward": 0.5})
    return folder


def test_edits_survive_a_new_ingest_and_delete_removes_everything(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    folder = folder_run("r1")
    import_path(store, folder.path)
    store.add_label(int(selection.completion_ids(store, selection.CompletionQuery())[0]), "4", "ann")
    store.edit_run("r1", name="format, first try", tags=["baseline", "pocket"], notes="lr too high?")
    folder.write_steps(2, {"reward": 0.7})
    import_path(store, folder.path)  # the run went on: its folder is read again
    row = queries.runs(store).set_index("run_id").loc["r1"]
    assert row["name"] == "format, first try" and list(row["tags"]) == ["baseline", "pocket"]
    assert row["notes"] == "lr too high?" and row["steps"] == 2

    message = manage.delete(store, "r1")
    assert message.startswith("Deleted r1: 1 labels, ") and "1 completions" in message and "run folder" in message
    assert not folder.path.exists()
    counts = queries.summary(store)
    assert counts["runs"] == counts["completions"] == counts["labels"] == counts["metrics"] == 0
    assert store.meta_keys("shard:r1/") == set()


def test_config_diff_and_the_runs_page(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    for name, lr in (("a", 1e-4), ("b", 3e-4)):
        import_path(store, folder_run(name, learning_rate=lr).path)
    store.close()
    at = open_page("runs", compare=["a", "b"])
    diff = at.dataframe[1].value
    assert list(diff["setting"]) == ["learning_rate"] and list(diff.iloc[0]) == ["learning_rate", "0.0001", "0.0003"]
    table = at.dataframe[0].value.set_index("run_id")
    assert table.loc["a", "completions"] == 1 and table.loc["a", "last_step"] == 1
