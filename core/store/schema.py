"""The store's schema: the tables as release 1 created them, and the views the current code reads.

Tables change only through numbered migrations (migrations.py), so every store — new or made by an older release —
reaches the current schema the same way: create the release-1 tables, then apply each migration in order.
Views hold no data, so they are simply recreated for the current code at every open.
"""
from __future__ import annotations

TABLES_V1 = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, name VARCHAR, source VARCHAR, model VARCHAR, reward_spec VARCHAR,
    seed INTEGER, seed_group VARCHAR, status VARCHAR, config JSON, notes VARCHAR, created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS problems (
    problem_id VARCHAR PRIMARY KEY, question VARCHAR, gold VARCHAR, source VARCHAR);
CREATE TABLE IF NOT EXISTS completions (
    completion_id BIGINT PRIMARY KEY, completion_key BIGINT UNIQUE, run_id VARCHAR, step INTEGER, phase VARCHAR,
    decoding VARCHAR, problem_id VARCHAR, sample INTEGER, text VARCHAR, n_tokens INTEGER, reward DOUBLE,
    reward_components JSON, reference_correct BOOLEAN);
CREATE TABLE IF NOT EXISTS extractions (
    completion_id BIGINT, instrument VARCHAR, answer VARCHAR, span_start INTEGER, span_end INTEGER,
    verdict BOOLEAN);
CREATE TABLE IF NOT EXISTS instrument_versions (
    instrument VARCHAR PRIMARY KEY, version VARCHAR, kind VARCHAR, description VARCHAR);
CREATE TABLE IF NOT EXISTS metrics (
    run_id VARCHAR, step INTEGER, name VARCHAR, value DOUBLE, phase VARCHAR, decoding VARCHAR,
    PRIMARY KEY (run_id, step, name, phase, decoding));
CREATE SEQUENCE IF NOT EXISTS row_ids;
CREATE TABLE IF NOT EXISTS labels (
    label_id BIGINT DEFAULT nextval('row_ids'), completion_id BIGINT, answer VARCHAR, is_none BOOLEAN,
    note VARCHAR, labeller VARCHAR, source VARCHAR, created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS judgments (
    judgment_id BIGINT DEFAULT nextval('row_ids'), completion_id BIGINT, model VARCHAR,
    prompt_version VARCHAR, status VARCHAR, answer VARCHAR, is_none BOOLEAN, reason VARCHAR, raw VARCHAR,
    cost_usd DOUBLE, source VARCHAR, created_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS findings (
    finding_id BIGINT DEFAULT nextval('row_ids'), title VARCHAR, note VARCHAR, page VARCHAR, state JSON,
    created_at TIMESTAMP);
"""

# A labeller's latest label of a completion is theirs; a completion's *reference* label is its first labeller's
# latest label (the study author's, for the study's completions), so another person's label never replaces it.
# The latest scored judgment wins. reference_verdicts unifies every verdict we can audit against.
VIEWS = """
CREATE OR REPLACE VIEW labeller_labels AS
    SELECT * FROM labels
    QUALIFY row_number() OVER (PARTITION BY completion_id, labeller ORDER BY created_at DESC, label_id DESC) = 1;
CREATE OR REPLACE VIEW latest_labels AS
    SELECT l.* FROM labeller_labels l JOIN (
        SELECT completion_id, labeller FROM labels
        QUALIFY row_number() OVER (PARTITION BY completion_id ORDER BY created_at, label_id) = 1
    ) first USING (completion_id, labeller);
CREATE OR REPLACE VIEW latest_judgments AS
    SELECT * FROM judgments WHERE status = 'scored'
    QUALIFY row_number() OVER (PARTITION BY completion_id ORDER BY created_at DESC, judgment_id DESC) = 1;
CREATE OR REPLACE VIEW reference_verdicts AS
    SELECT completion_id, 'is_correct' AS reference, reference_correct AS correct, NULL::VARCHAR AS answer
        FROM completions WHERE reference_correct IS NOT NULL
    UNION ALL
    SELECT l.completion_id, 'hand', coalesce(NOT l.is_none AND l.answer = p.gold, false), l.answer
        FROM latest_labels l JOIN completions c USING (completion_id) JOIN problems p USING (problem_id)
    UNION ALL
    SELECT j.completion_id, 'judge', coalesce(NOT j.is_none AND j.answer = p.gold, false), j.answer
        FROM latest_judgments j JOIN completions c USING (completion_id) JOIN problems p USING (problem_id);
"""

REFERENCES = ("is_correct", "hand", "judge")
