"""Views: every State is its own URL codec (round trip), a View survives its snapshot, and a folded seed group
remembers which runs it draws."""
from __future__ import annotations

import pandas as pd
import pytest

from yardstick import views
from yardstick.store.store import Batch, Store
from yardstick.views import curves
from yardstick.views.blocks import View
from yardstick.views.filters import Filter

EXAMPLES = {
    "overview": {"reference": ["hand"]},
    "curves": {"run": ["a", "b,c"], "metric": ["reward", "lenient"], "fold": ["false"]},
    "completions": {"run": ["r1"], "step": ["20"], "phase": ["eval"], "decoding": ["greedy"], "problem": ["p"],
                    "v.lenient": ["correct"], "v.strict_tag": ["no answer"], "disagree": ["lenient", "last_number"],
                    "q": ["50%"], "id": ["7"], "page": ["2"], "mode": ["table"], "text": ["plain"]},
    "strip": {"problem": ["p1"], "run": ["a", "b"], "strip_step": ["0", "20"], "phase": ["train"],
              "decoding": ["sampled"], "samples": ["3"]},
    "label": {"labeller": ["ann"], "queue": ["random"], "seed": ["3"], "show": ["true"], "run": ["r1"]},
    "audit": {"reference": ["hand"], "labeller": ["ann"], "run": ["r1", "r2"], "instrument": ["lenient"],
              "compare": ["ann"], "vs": ["bob"]},
    "judge": {"scope": ["filter"], "model": ["claude-haiku-4-5-20251001"], "run": ["r1"], "v.format": ["wrong"]},
    "launch": {},
    "runs": {"compare": ["a", "b"]},
    "replication": {"replication": ["pocket-3-seeds"]},
    "final": {"run": ["a", "b"]},
}


@pytest.mark.parametrize("page", views.PAGES)
def test_every_state_round_trips_through_its_url(page):
    State = views.module(page).State
    state = State.from_params(EXAMPLES[page])
    assert state.to_params() == EXAMPLES[page]
    assert State.from_params(state.to_params()) == state
    assert State.from_params({}).to_params() == {}  # defaults are not written


def test_bad_url_values_fall_back_to_defaults():
    f = Filter.from_params({"step": ["x"], "phase": ["<script>"], "v.lenient": ["maybe"], "id": ["1e99"]})
    assert f == Filter()
    assert curves.State.from_params({"fold": ["perhaps"], "run": ["r"]}) == curves.State(runs=("r",))


def test_a_view_survives_its_snapshot(embedded_home):
    store = Store(embedded_home / "yardstick.duckdb")
    for page, params in (("overview", {}), ("curves", {"run": ["study-format-only"]}),
                         ("completions", {"run": ["study-judge-validation"]}), ("audit", {})):
        view = views.build(store, page, params)
        again = View.from_snapshot(view.snapshot())
        assert again.digest() == view.digest(), page
        assert [b.key for b in again.blocks] == [b.key for b in view.blocks]


def test_every_number_says_where_it_came_from(embedded_home):
    store = Store(embedded_home / "yardstick.duckdb")
    view = views.build(store, "audit", {"reference": ["hand"]})
    src = view.get("audit").source
    assert src.n == 50 and src.revision == store.revision()
    assert any(i.startswith("study_last_number@") for i in src.instruments)
    assert "hand reference" in src.describe()


def test_a_folded_seed_group_points_at_its_runs(isolated_env):
    isolated_env.mkdir(parents=True, exist_ok=True)
    store = Store(isolated_env / "yardstick.duckdb")
    for seed, values in ((1, [0.2, 0.6]), (2, [0.4, 0.8])):
        store.ingest(Batch(runs=[{"run_id": f"r{seed}", "reward_spec": "format", "seed": seed, "seed_group": "g"}],
                           metrics=pd.DataFrame({"run_id": f"r{seed}", "step": [0, 10], "name": "last_number",
                                                 "value": values, "phase": "eval", "decoding": "sampled"})))
    view = views.build(store, "curves", {"run": ["r1", "r2"]})
    line = next(t for t in view.get("curves").figure["data"] if t.get("meta", {}).get("line") == "g"
                and t["meta"].get("metric") == "last_number" and t.get("customdata"))
    assert [list(c) for c in line["customdata"]] == [["r1,r2", 0, "eval", "sampled"], ["r1,r2", 10, "eval", "sampled"]]
