"""The Launch page through AppTest: a bad value is a titled error that starts nothing; a good one queues a run."""
from __future__ import annotations

import time

import pytest
from test_pages import open_page, unescape

from yardstick.jobs import queue


def fill(at, **values) -> None:
    for name, value in values.items():
        widget = next(w for w in list(at.text_input) + list(at.number_input) if w.label == name)
        widget.set_value(value)


def test_bad_reward_is_an_error_and_nothing_starts(isolated_env):
    at = open_page("launch")
    assert [o for o in at.selectbox[0].options][1].startswith("format only")
    fill(at, reward="0.5*format + 0.5*banana")
    next(b for b in at.button if b.label == "Launch").click().run()
    assert any(e.value.startswith("Bad config value: reward") for e in at.error)
    assert any("banana" in t.value for t in at.text)
    assert queue.folders() == []


def test_seeds_launch_a_group_that_shares_one_eval_set(isolated_env, tiny_model):
    """The Launch form's seeds are one seed group, evaluated on the same held-out problems (they run one at a time:
    test_scheduler.py shows that with no browser open)."""
    from yardstick.record.config import RunConfig
    from yardstick.train.setup import load_problems

    at = open_page("launch")
    fill(at, model=tiny_model, steps=1, n_train=4, n_eval=2, num_generations=2, max_completion_length=8,
         eval_samples=0)
    next(w for w in at.text_input if w.label == "Seeds").set_value("1,2")
    next(b for b in at.button if b.label == "Launch").click().run()
    assert any(s.value.startswith("Queued 2 run(s)") for s in at.success)
    runs = queue.folders()
    assert len(runs) == 2 and len({r.config()["seed_group"] for r in runs}) == 1
    assert sorted(r.config()["seed"] for r in runs) == [1, 2]
    for run in runs:
        queue.cancel(run.run_id)
    configs = [RunConfig.from_dict(r.config()) for r in runs]
    assert configs[0].eval_set() == configs[1].eval_set()
    held_out = [load_problems(c.data, c.n_train, c.n_eval, c.eval_seed, c.difficulty)[1] for c in configs]
    assert held_out[0] == held_out[1] and len(held_out[0]) == 2  # one eval set per experiment: pairs by problem


def test_a_queued_runs_curves_link_keeps_the_run(embedded_home):
    """First release: the Launch page's Curves link under a queued seed opened another run and rewrote the URL."""
    (rid,) = queue.submit({"model": "pocket-mini", "steps": 1})
    queue.cancel(rid)  # still without metrics, and the page's scheduler will not start it during the test
    at = open_page("curves", run=rid)
    assert at.query_params["run"] in (rid, [rid])
    assert any(rid in unescape(i.value) and "No metrics yet" in i.value for i in at.info)


@pytest.mark.slow
def test_the_worker_beats_while_the_pocket_model_builds(isolated_env, monkeypatch):
    """First release: a first run read as 'crashed' for ~50 s while the pocket model was being built, because the
    heartbeat only started with training. The build now shows its step and ETA, and Cancel stops it."""
    import json
    import subprocess
    import sys

    from conftest import REPO

    from yardstick import home
    from yardstick.record.folder import RunFolder

    monkeypatch.setenv("YARDSTICK_POCKET_DIR", str(isolated_env / "own-pocket"))  # built here, not shared
    (rid,) = queue.submit({"model": "pocket-mini", "steps": 1, "n_train": 4, "n_eval": 2, "num_generations": 2,
                              "max_completion_length": 8, "eval_samples": 0})
    folder = RunFolder(home.runs_dir() / rid)
    folder.claim()
    proc = subprocess.Popen([sys.executable, "-m", "yardstick.jobs", str(folder.path)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    beats, said = set(), set()
    deadline = time.time() + 900
    while proc.poll() is None and time.time() < deadline and (len(beats) < 2 or len(said) < 2):
        status = folder.status()
        if status.get("message", "").startswith("building the pocket model: step "):
            said.add(status["message"].split(" (")[0])
            beats.add(json.loads((folder.path / "heartbeat.json").read_text())["at"])
            assert status["state"] == "starting" and status.get("eta_s") is not None, status
        time.sleep(0.5)
    assert len(beats) >= 2 and len(said) >= 2, f"the heartbeat and the build's steps went on: {beats}, {said}"
    queue.cancel(rid)  # the build stops at its next report, not when it is done
    assert proc.wait(timeout=120) == 0
    assert folder.status()["state"] == "cancelled" and "while the model was built" in folder.status()["message"]
