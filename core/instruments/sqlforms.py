"""Vectorised forms of the built-in instruments: DuckDB queries that read a whole batch at C speed.

A form is a SELECT over the relation `batch` (columns `text`, normalised `gold`) giving one column, row for row:
for an extractor STRUCT(answer, span_start, span_end), for a check BOOLEAN. It answers only the completions where
it provably gives what the Python function gives (plain ASCII text, simple number runs, one answer tag, …) and is
NULL elsewhere, where the Python function reads the completion. The functions stay the definitions;
tests/test_vectorised.py runs both over every case and fails on any difference. Spans are 0-based code points.
"""
from __future__ import annotations

READING = "STRUCT(answer VARCHAR, span_start INTEGER, span_end INTEGER)"
UNDECIDED = f"NULL::{READING}"  # the Python function decides
NOTHING = f"{{'answer': NULL::VARCHAR, 'span_start': NULL::INTEGER, 'span_end': NULL::INTEGER}}::{READING}"
ASCII = "strlen(text) = length(text)"  # one byte per character: no Unicode digits or spaces to tell apart
NUMBER_CHARS = "-$0123456789,./%"  # numbers._NUMBER_CHARS
WHITESPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"  # what Python's \s matches in ASCII text
Steps = dict[str, str]
# What version 2 of last_number, strict_tag and format reads whole (a LaTeX fraction, 1e3): the forms leave it to
# the Python functions.
WHOLE_V2 = r"(contains(text, 'frac{') OR regexp_matches(text, '[0-9][eE][-+]?[0-9]'))"


def query(result: str, steps: Steps) -> str:
    """SELECT `result` FROM batch, each step computed once per row, in order (a step may use earlier ones)."""
    relation = "batch"
    for name, expr in steps.items():
        relation = f"(SELECT *, {expr} AS {name} FROM {relation})"
    return f"SELECT {result} FROM {relation}"


def _found(answer: str, start: str, end: str) -> str:
    return f"{{'answer': {answer}, 'span_start': ({start})::INTEGER, 'span_end': ({end})::INTEGER}}::{READING}"


def _digit(c: str) -> str:
    return f"({c} BETWEEN '0' AND '9')"  # c is one character or ''


def _number_char(c: str) -> str:
    return f"({c} <> '' AND contains('{NUMBER_CHARS}', {c}))"


def _canonical(negative: str, whole: str, fraction: str) -> str:
    """numbers.normalize's canonical form of a decimal written as sign, digits, fraction digits (both may be '')."""
    w, f = f"ltrim({whole}, '0')", f"rtrim({fraction}, '0')"
    return (f"CASE WHEN {w} = '' AND {f} = '' THEN '0' ELSE (CASE WHEN {negative} THEN '-' ELSE '' END) || "
            f"coalesce(nullif({w}, ''), '0') || CASE WHEN {f} = '' THEN '' ELSE '.' || {f} END END")


def _fits(whole: str, fraction: str) -> str:
    """Short enough for normalize (40 characters) and for exact decimal arithmetic (28 significant digits)."""
    return (f"(length({whole}) + length({fraction}) <= 38 AND "
            f"({fraction} = '' OR length(ltrim({whole}, '0')) + length({fraction}) <= 26))")


def last_number(s: str, offset: str, p: str) -> tuple[Steps, str]:
    """numbers.last_number over the ASCII string `s`: decided when the run of number characters holding the last
    digit is one plain number ("-$1,234.50", "42", then an optional "%"). Steps are named with prefix `p`."""
    run, parts = f"{p}_run", f"{p}_parts"
    steps = {run: f"regexp_extract({s}, '([-$0-9,./%]*[0-9])([^0-9]*)$', ['head', 'tail'])",
             parts: (f"regexp_extract({run}.head, '^(-?)\\$?([0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\\.([0-9]+))?$', "
                     "['sign', 'whole', 'fraction'])")}
    whole, fraction = f"replace({parts}.whole, ',', '')", f"{parts}.fraction"
    end = f"length({s}) - length({run}.tail)"
    return steps, (f"CASE WHEN {run}.head = '' THEN {NOTHING} "  # no digit
                   f"WHEN {parts}.whole <> '' AND {_fits(whole, fraction)} THEN "
                   + _found(_canonical(f"{parts}.sign = '-'", whole, fraction),
                            f"{offset} + {end} - length({run}.head)",
                            f"{offset} + {end} + CASE WHEN starts_with({run}.tail, '%') THEN 1 ELSE 0 END")
                   + f" ELSE {UNDECIDED} END")


def study_last(s: str, offset: str, p: str) -> tuple[Steps, str]:
    """builtin._study_last over the ASCII string `s`: decided when the last run of [0-9,.] is one token."""
    run, parts = f"{p}_run", f"{p}_parts"
    steps = {run: f"regexp_extract({s}, '([0-9,.]*[0-9,])([^0-9,]*)$', ['head', 'tail'])",
             parts: f"regexp_extract({run}.head, '^([0-9,]+)(?:\\.([0-9]+))?$', ['whole', 'fraction'])"}
    whole, fraction = f"replace({parts}.whole, ',', '')", f"{parts}.fraction"
    end = f"length({s}) - length({run}.tail)"
    answer = f"CASE WHEN {whole} = '' AND {fraction} = '' THEN NULL ELSE {_canonical('false', whole, fraction)} END"
    return steps, (f"CASE WHEN {run}.head = '' THEN {NOTHING} "  # no digit or comma
                   f"WHEN {parts}.whole <> '' AND {_fits(whole, fraction)} THEN "
                   + _found(answer, f"{offset} + {end} - length({run}.head)", f"{offset} + {end}")
                   + f" ELSE {UNDECIDED} END")


# The first <answer> block: from the first opening tag to the first closing tag after it (ANSWER_TAG.search).
TAGS: Steps = {"open_at": "instr(text, '<answer>')",
               "close_at": "CASE WHEN open_at = 0 THEN 0 ELSE instr(substr(text, open_at + 8), '</answer>') END",
               "block": "CASE WHEN close_at = 0 THEN '' ELSE substr(text, open_at + 8, close_at - 1) END"}
BLOCK_AT = "(open_at + 7)"  # the block's 0-based offset in the text


def _last_number() -> str:
    steps, result = last_number("text", "0", "t")
    return query(f"CASE WHEN {ASCII} AND NOT {WHOLE_V2} THEN {result} ELSE {UNDECIDED} END", steps)


def _strict_tag() -> str:
    """With one opening tag, the last block is the first; with more, Python's non-overlapping scan decides."""
    steps, result = last_number("block", BLOCK_AT, "b")
    return query(f"CASE WHEN open_at = 0 THEN {NOTHING} WHEN NOT {ASCII} OR {WHOLE_V2} OR instr(substr(text, "
                 f"open_at + 8), '<answer>') > 0 THEN {UNDECIDED} WHEN close_at = 0 THEN {NOTHING} ELSE {result} END",
                 TAGS | steps)


def _format() -> str:
    return query(f"CASE WHEN NOT contains(text, '<answer>') THEN false WHEN NOT {ASCII} OR {WHOLE_V2} THEN NULL ELSE "
                 f"regexp_matches(text, '<answer>{WHITESPACE}*-?\\$?([0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)"
                 f"(?:\\.[0-9]+)?(?:/[0-9]+)?%?{WHITESPACE}*</answer>') END", {})


def _study_strict_tag() -> str:
    steps, result = study_last("block", BLOCK_AT, "b")
    return query(f"CASE WHEN close_at = 0 THEN {NOTHING} WHEN NOT {ASCII} THEN {UNDECIDED} ELSE {result} END",
                 TAGS | steps)


def _study_last_number() -> str:
    """Tiers: the first block when it holds a digit or comma; else (no \\boxed{}) the whole text."""
    block_steps, in_block = study_last("block", BLOCK_AT, "b")
    text_steps, in_text = study_last("text", "0", "t")
    return query(f"CASE WHEN NOT {ASCII} THEN {UNDECIDED} WHEN close_at > 0 AND b_run.head <> '' THEN {in_block} "
                 f"WHEN close_at > 0 OR contains(text, '\\boxed{{') THEN {UNDECIDED} ELSE {in_text} END",
                 TAGS | block_steps | text_steps)


_PLAIN_GOLD = "regexp_full_match(gold, '[1-9][0-9]*')"  # gold is normalised: a positive whole number


def _no_fraction_is_gold(s: str) -> str:
    """No fraction written in `s` can equal gold: every a/b has a plain whole numerator, and none has a = gold·b
    (compared in doubles with a margin, so a rounding can only make the form decline)."""
    numerator, denominator = "TRY_CAST(split_part(f, '/', 1) AS DOUBLE)", "TRY_CAST(split_part(f, '/', 2) AS DOUBLE)"
    maybe = f"coalesce(abs({numerator} - {denominator} * TRY_CAST(gold AS DOUBLE)) < 0.5 + 1e-9 * {numerator}, true)"
    return (f"(NOT regexp_matches({s}, '[,.][0-9]*/[0-9]') AND NOT coalesce(list_bool_or(list_transform("
            f"regexp_extract_all({s}, '[0-9]+/[0-9]+'), lambda f: {maybe})), false))")


# Where gold written with thousands separators first occurs ("1,234": every such writing holds it); 0 if nowhere
# or gold is under 1,000, NULL if too long to say.
_GROUPED_AT = ("CASE WHEN gold IS NULL OR length(gold) < 4 THEN 0 "
               "ELSE instr(text, format('{:,}', TRY_CAST(gold AS HUGEINT))) END")


def _lenient() -> str:
    """numbers.find_value for a whole-number gold: the first occurrence of its digits, when that is a whole number
    (nothing joined to it but "$" before, ".00" or "%" after) and no fraction or thousands-grouped number before it
    could equal gold."""
    steps = {"gold_at": "CASE WHEN gold IS NULL THEN 0 ELSE instr(text, gold) END",
             "near": ("CASE WHEN gold_at = 0 THEN NULL ELSE {'before': substr(text, greatest(gold_at - 1, 1), least(gold_at - 1, 1)), "
                      "'before2': substr(text, greatest(gold_at - 2, 1), least(greatest(gold_at - 2, 0), 1)), "
                      "'after': regexp_extract(substr(text, gold_at + length(gold)), '(?s)^(\\.[0-9]+)?(.?)(.?)', "
                      "['zeros', 'c1', 'c2'])} END"),
             "grouped_at": _GROUPED_AT}
    before, before2, after = "near.before", "near.before2", "near.after"
    alone = (f"(NOT {_number_char(before)} OR ({before} = '$' AND NOT {_number_char(before2)})) "
             f"AND ({after}.zeros = '' OR regexp_full_match({after}.zeros, '\\.0+')) "
             f"AND NOT {_digit(f'{after}.c1')} AND NOT ({after}.c1 = '/' AND {_digit(f'{after}.c2')}) "
             f"AND NOT ({after}.zeros = '' AND {after}.c1 = ',' AND {_digit(f'{after}.c2')}) "
             f"AND {_no_fraction_is_gold('substr(text, 1, gold_at - 1)')} "
             "AND coalesce(grouped_at = 0 OR grouped_at > gold_at, false)")
    return query(
        f"CASE WHEN gold IS NULL THEN {NOTHING} WHEN NOT {ASCII} OR NOT {_PLAIN_GOLD} THEN {UNDECIDED} "
        f"WHEN gold_at = 0 THEN CASE WHEN {_no_fraction_is_gold('text')} AND coalesce(grouped_at = 0, false) "
        f"THEN {NOTHING} ELSE {UNDECIDED} END "
        f"WHEN {alone} THEN "
        + _found("gold", f"gold_at - 1 - CASE WHEN {before} = '$' THEN 1 ELSE 0 END",
                 f"gold_at - 1 + length(gold) + length({after}.zeros) + CASE WHEN {after}.c1 = '%' THEN 1 ELSE 0 END")
        + f" ELSE {UNDECIDED} END", steps)


def _study_lenient() -> str:
    """builtin.study_lenient for a whole-number gold: its first occurrence in the text without ',$%', when that
    occurrence qualifies and sits, unbroken, at the gold's first occurrence in the text itself."""
    steps = {"kept": "replace(replace(replace(text, ',', ''), '$', ''), '%', '')",
             "gold_at": "CASE WHEN gold IS NULL OR gold = '' THEN 0 ELSE instr(kept, gold) END",
             "raw_at": "CASE WHEN gold_at = 0 THEN 0 ELSE instr(text, gold) END"}
    before = "CASE WHEN gold_at > 1 THEN substr(kept, gold_at - 1, 1) ELSE '' END"
    after, after2 = "substr(kept, gold_at + length(gold), 1)", "substr(kept, gold_at + length(gold) + 1, 1)"
    raw_prefix = "substr(text, 1, raw_at - 1)"
    dropped_prefix = f"replace(replace(replace({raw_prefix}, ',', ''), '$', ''), '%', '')"
    qualifies = (f"({before} = '' OR NOT contains('0123456789.-', {before})) AND NOT {_digit(after)} "
                 f"AND NOT ({after} = '.' AND {_digit(after2)})")
    return query(f"CASE WHEN gold IS NULL OR gold = '' OR text = '' THEN {NOTHING} "
                 f"WHEN NOT {ASCII} OR NOT {_PLAIN_GOLD} THEN {UNDECIDED} WHEN gold_at = 0 THEN {NOTHING} "
                 f"WHEN {qualifies} AND raw_at > 0 AND length({dropped_prefix}) = gold_at - 1 THEN "
                 f"{_found('gold', 'raw_at - 1', 'raw_at - 1 + length(gold)')} ELSE {UNDECIDED} END", steps)


LAST_NUMBER = _last_number()
STRICT_TAG = _strict_tag()
FORMAT = _format()
STUDY_FORMAT = query("close_at > 0", TAGS)
STUDY_STRICT_TAG = _study_strict_tag()
STUDY_LAST_NUMBER = _study_last_number()
LENIENT = _lenient()
STUDY_LENIENT = _study_lenient()
