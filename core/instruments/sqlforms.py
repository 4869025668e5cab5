"""Vectorised forms of the built-in instruments: DuckDB expressions that read a whole batch at C speed.

Each form answers only the completions where it provably gives what the Python function gives (plain ASCII text,
simple number runs, one answer tag, …) and is NULL elsewhere, where the Python function reads the completion.
The Python functions stay the definitions; tests/test_vectorised.py runs both over every case and fails on any
difference. Spans are 0-based code-point offsets, like Python's; DuckDB's length/instr/substr count code points.
"""
from __future__ import annotations

READING = "STRUCT(answer VARCHAR, span_start INTEGER, span_end INTEGER)"
UNDECIDED = f"NULL::{READING}"  # the Python function decides
NOTHING = f"{{'answer': NULL::VARCHAR, 'span_start': NULL::INTEGER, 'span_end': NULL::INTEGER}}::{READING}"
ASCII = "strlen(text) = length(text)"  # one byte per character: no Unicode digits or spaces to tell apart
NUMBER_CHARS = "-$0123456789,./%"  # numbers._NUMBER_CHARS
WHITESPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"  # what Python's \s matches in ASCII text


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


def last_number(s: str, offset: str = "0") -> str:
    """numbers.last_number over the ASCII string `s`: decided when the run of number characters holding the last
    digit is one plain number ("-$1,234.50", "42" then an optional "%")."""
    run = f"regexp_extract({s}, '([-$0-9,./%]*[0-9])([^0-9]*)$', ['head', 'tail'])"
    parts = (f"regexp_extract({run}.head, '^(-?)\\$?([0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\\.([0-9]+))?$', "
             "['sign', 'whole', 'fraction'])")
    whole, fraction = f"replace({parts}.whole, ',', '')", f"{parts}.fraction"
    end = f"length({s}) - length({run}.tail)"
    return (f"CASE WHEN NOT regexp_matches({s}, '[0-9]') THEN {NOTHING} "
            f"WHEN regexp_full_match({run}.head, '-?\\$?([0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\\.[0-9]+)?') "
            f"AND {_fits(whole, fraction)} THEN "
            + _found(_canonical(f"{parts}.sign = '-'", whole, fraction),
                     f"{offset} + {end} - length({run}.head)",
                     f"{offset} + {end} + CASE WHEN starts_with({run}.tail, '%') THEN 1 ELSE 0 END")
            + f" ELSE {UNDECIDED} END")


def _study_last(s: str, offset: str) -> str:
    """builtin._study_last over the ASCII string `s`: decided when the last run of [0-9,.] is one token."""
    run = f"regexp_extract({s}, '([0-9,.]*[0-9,])([^0-9,]*)$', ['head', 'tail'])"
    whole = f"replace(regexp_extract({run}.head, '^[0-9,]*'), ',', '')"
    fraction = f"regexp_extract({run}.head, '\\.([0-9]+)$', 1)"
    end = f"length({s}) - length({run}.tail)"
    answer = f"CASE WHEN {whole} = '' AND {fraction} = '' THEN NULL ELSE {_canonical('false', whole, fraction)} END"
    return (f"CASE WHEN NOT regexp_matches({s}, '[0-9,]') THEN {NOTHING} "
            f"WHEN regexp_full_match({run}.head, '[0-9,]+(?:\\.[0-9]+)?') AND {_fits(whole, fraction)} THEN "
            + _found(answer, f"{offset} + {end} - length({run}.head)", f"{offset} + {end}")
            + f" ELSE {UNDECIDED} END")


# The first <answer> block: from the first opening tag to the first closing tag after it (ANSWER_TAG.search).
_OPEN = "instr(text, '<answer>')"
_CLOSE = f"instr(substr(text, {_OPEN} + 8), '</answer>')"  # 1-based within the text after the opening tag
_BLOCK = f"substr(text, {_OPEN} + 8, {_CLOSE} - 1)"
_BLOCK_AT = f"({_OPEN} + 7)"  # the block's 0-based offset in the text
_HAS_BLOCK = f"({_OPEN} > 0 AND {_CLOSE} > 0)"

LAST_NUMBER = f"CASE WHEN {ASCII} THEN {last_number('text')} ELSE {UNDECIDED} END"

# With one opening tag, the last block is the first; with more, Python's non-overlapping scan decides.
STRICT_TAG = (f"CASE WHEN {_OPEN} = 0 THEN {NOTHING} WHEN NOT {ASCII} OR instr(substr(text, {_OPEN} + 8), "
              f"'<answer>') > 0 THEN {UNDECIDED} WHEN {_CLOSE} = 0 THEN {NOTHING} "
              f"ELSE {last_number(_BLOCK, _BLOCK_AT)} END")

FORMAT = (f"CASE WHEN {_OPEN} = 0 THEN false WHEN NOT {ASCII} THEN NULL ELSE regexp_matches(text, "
          f"'<answer>{WHITESPACE}*-?\\$?([0-9]{{1,3}}(?:,[0-9]{{3}})+|[0-9]+)(?:\\.[0-9]+)?(?:/[0-9]+)?%?"
          f"{WHITESPACE}*</answer>') END")

STUDY_FORMAT = _HAS_BLOCK

STUDY_STRICT_TAG = (f"CASE WHEN NOT {_HAS_BLOCK} THEN {NOTHING} WHEN NOT {ASCII} THEN {UNDECIDED} "
                    f"ELSE {_study_last(_BLOCK, _BLOCK_AT)} END")

STUDY_LAST_NUMBER = (f"CASE WHEN NOT {ASCII} THEN {UNDECIDED} "
                     f"WHEN {_HAS_BLOCK} THEN CASE WHEN regexp_matches({_BLOCK}, '[0-9,]') "
                     f"THEN {_study_last(_BLOCK, _BLOCK_AT)} ELSE {UNDECIDED} END "
                     f"WHEN contains(text, '\\boxed{{') THEN {UNDECIDED} ELSE {_study_last('text', '0')} END")


def _around(s: str, at: str, width: str) -> tuple[str, str, str, str]:
    """The two characters before position `at` (1-based) of `s` and the two after a match of `width` there."""
    return (f"CASE WHEN {at} > 1 THEN substr({s}, {at} - 1, 1) ELSE '' END",
            f"CASE WHEN {at} > 2 THEN substr({s}, {at} - 2, 1) ELSE '' END",
            f"substr({s}, {at} + {width}, 1)", f"substr({s}, {at} + {width} + 1, 1)")


_PLAIN_GOLD = "regexp_full_match(gold, '[1-9][0-9]*')"  # gold is normalised: a positive whole number


def _no_fraction_is_gold(s: str) -> str:
    """No fraction written in `s` can equal gold: every a/b has a plain whole numerator, and none has a = gold·b
    (compared in doubles with a margin, so a rounding can only make the form decline)."""
    numerator, denominator = "TRY_CAST(split_part(f, '/', 1) AS DOUBLE)", "TRY_CAST(split_part(f, '/', 2) AS DOUBLE)"
    maybe = f"coalesce(abs({numerator} - {denominator} * TRY_CAST(gold AS DOUBLE)) < 0.5 + 1e-9 * {numerator}, true)"
    return (f"(NOT regexp_matches({s}, '[,.][0-9]*/[0-9]') AND NOT coalesce(list_bool_or(list_transform("
            f"regexp_extract_all({s}, '[0-9]+/[0-9]+'), lambda f: {maybe})), false))")


def _grouped_gold_at() -> str:
    """Where gold written with thousands separators ("1,234": every such writing holds it) first occurs; 0 if
    nowhere or gold is under 1,000, NULL if too long to say."""
    return "CASE WHEN length(gold) < 4 THEN 0 ELSE instr(text, format('{:,}', TRY_CAST(gold AS HUGEINT))) END"


def _lenient() -> str:
    """numbers.find_value for a whole-number gold: the first occurrence of its digits, when that is a whole number
    (nothing joined to it but "$" before, ".00" or "%" after) and no fraction or thousands-grouped number before it
    could equal gold."""
    at, width = "instr(text, gold)", "length(gold)"
    before, before2, _, _ = _around("text", at, width)
    after = f"regexp_extract(substr(text, {at} + {width}), '(?s)^(\\.[0-9]+)?(.?)(.?)', ['zeros', 'c1', 'c2'])"
    alone = (f"(NOT {_number_char(before)} OR ({before} = '$' AND NOT {_number_char(before2)})) "
             f"AND ({after}.zeros = '' OR regexp_full_match({after}.zeros, '\\.0+')) AND NOT {_digit(f'{after}.c1')} "
             f"AND NOT ({after}.c1 = '/' AND {_digit(f'{after}.c2')}) "
             f"AND NOT ({after}.zeros = '' AND {after}.c1 = ',' AND {_digit(f'{after}.c2')}) "
             f"AND {_no_fraction_is_gold(f'substr(text, 1, {at} - 1)')} "
             f"AND coalesce({_grouped_gold_at()} = 0 OR {_grouped_gold_at()} > {at}, false)")
    return (f"CASE WHEN gold IS NULL THEN {NOTHING} WHEN NOT {ASCII} OR NOT {_PLAIN_GOLD} THEN {UNDECIDED} "
            f"WHEN {at} = 0 THEN CASE WHEN {_no_fraction_is_gold('text')} AND coalesce({_grouped_gold_at()} = 0, "
            f"false) THEN {NOTHING} ELSE {UNDECIDED} END "
            f"WHEN {alone} THEN "
            + _found("gold", f"{at} - 1 - CASE WHEN {before} = '$' THEN 1 ELSE 0 END",
                     f"{at} - 1 + {width} + length({after}.zeros) + CASE WHEN {after}.c1 = '%' THEN 1 ELSE 0 END")
            + f" ELSE {UNDECIDED} END")


def _study_lenient() -> str:
    """builtin.study_lenient for a whole-number gold: its first occurrence in the text without ',$%', when that
    occurrence qualifies and sits, unbroken, at the gold's first occurrence in the text itself."""
    kept = "regexp_replace(text, '[,$%]', '', 'g')"
    at, width, raw_at = f"instr({kept}, gold)", "length(gold)", "instr(text, gold)"
    before, _, after, after2 = _around(kept, at, width)
    raw_prefix = f"substr(text, 1, {raw_at} - 1)"
    same_place = f"({raw_at} > 0 AND length(regexp_replace({raw_prefix}, '[,$%]', '', 'g')) = {at} - 1)"
    qualifies = (f"({before} = '' OR NOT contains('0123456789.-', {before})) AND NOT {_digit(after)} "
                 f"AND NOT ({after} = '.' AND {_digit(after2)})")
    return (f"CASE WHEN gold IS NULL OR gold = '' OR text = '' THEN {NOTHING} "
            f"WHEN NOT {ASCII} OR NOT {_PLAIN_GOLD} THEN {UNDECIDED} WHEN {at} = 0 THEN {NOTHING} "
            f"WHEN {qualifies} AND {same_place} THEN {_found('gold', f'{raw_at} - 1', f'{raw_at} - 1 + {width}')} "
            f"ELSE {UNDECIDED} END")


LENIENT = _lenient()
STUDY_LENIENT = _study_lenient()
