"""The line grammar Markdown and plain text share: headings, `Objective:` lines, bullets.

Both formats are read line by line; this module says what a line is (a heading, an
objective line, a `Team:` / `Period:` line, a "Key results" label, a list item) and cleans
the text of a key result the same way for both, so a paste and a Markdown file of the same
OKRs give the same key result texts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EMPHASIS = re.compile(r"(\*\*|__)")
HEADING = re.compile(r"^\s{0,3}(?P<marks>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
# "Objective: X", "Objective 2 - X", "O1: X", "**Objective:** X", optionally as a list item.
OBJECTIVE_PREFIX = re.compile(
    r"^(?:objective(?:\s*#?\s*\d+)?|o\s?\d+)\s*(?::|\.|-|–|—)\s*", re.IGNORECASE
)
OBJECTIVE_LINE = re.compile(
    r"^\s*(?:[-*+•]\s+|\d+[.)]\s+)?(?P<text>(?:objective(?:\s*#?\s*\d+)?|o\s?\d+)\s*(?::|\.|-|–|—)\s*.+)$",
    re.IGNORECASE,
)
META_LINE = re.compile(r"^\s*(?P<key>team|period|quarter)\s*:\s*(?P<value>.*?)\s*$", re.IGNORECASE)
KEY_RESULTS_LABEL = re.compile(r"^\s*(?:key\s+results?|krs?)\s*:?\s*$", re.IGNORECASE)
LIST_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[-*+•]|\d{1,3}[.)])\s+(?P<text>.*)$")
_CHECKBOX = re.compile(r"^\[[ xX]\]\s+")
# "KR1: ...", "KR 2.3 - ...", "Key result 4: ..." labels in front of a key result's text.
_KR_LABEL = re.compile(
    r"^(?:kr|key\s+result)\s*#?\s*\d+(?:\.\d+)*\s*(?::|\.|-|–|—|\))\s*", re.IGNORECASE
)
_HTML_COMMENT = re.compile(r"<!--.*?-->")
FIELD_LINE = re.compile(
    r"^\s*(?P<key>owner|baseline|target|deadline|due|measured[\s_-]*by|source|data\s+source)"
    r"\s*:\s*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_FIELD_NAMES = {
    "owner": "owner",
    "baseline": "baseline",
    "target": "target",
    "deadline": "deadline",
    "due": "deadline",
    "source": "measured_by",
    "data source": "measured_by",
}


# A pipe table's delimiter row, under its header row: `| --- | :-: |` (outer pipes optional,
# but a pipe somewhere, so a `---` rule under a line with a pipe in it is not one).
TABLE_DELIMITER = re.compile(r"^(?=[^|]*\|)\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def table_cells(line: str, outer_pipes: bool = True) -> list[str]:
    """The cells of a pipe-table row, stripped (`\\|` is a pipe inside a cell).

    With `outer_pipes` (the header's style), a pipe at either end of the row is a border;
    without, it separates an empty first or last cell ("| Keep flaky reruns low | Ben").
    """
    body = line.strip()
    if outer_pipes and body.startswith("|"):
        body = body[1:]
    if outer_pipes and body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(body)]


@dataclass(frozen=True)
class ListItem:
    """A bullet or numbered line: its indentation (tabs count 4) and its cleaned text."""

    indent: int
    text: str


def strip_emphasis(text: str) -> str:
    """Drop Markdown bold markers, which docs put around labels like **Team:**."""
    return _EMPHASIS.sub("", text)


def strip_html_comments(text: str) -> str:
    """Remove single-line HTML comments that are not okr-review instructions."""
    return _HTML_COMMENT.sub("", text)


def indent_width(whitespace: str) -> int:
    """Indentation in columns, a tab counting as four spaces."""
    return sum(4 if ch == "\t" else 1 for ch in whitespace)


@dataclass(frozen=True)
class Heading:
    """An ATX heading: its level, its raw text, and that text as an objective."""

    level: int
    raw: str
    objective: str
    says_objective: bool  # written as "Objective: ..." / "O1: ...", so it is one even if empty


def heading(line: str) -> Heading | None:
    """The Markdown heading on this line, else None."""
    match = HEADING.match(line)
    if not match:
        return None
    raw = match.group("text")
    return Heading(
        level=len(match.group("marks")),
        raw=raw,
        objective=clean_objective(raw),
        says_objective=bool(OBJECTIVE_PREFIX.match(strip_emphasis(raw).strip())),
    )


def objective_line(line: str) -> str | None:
    """The objective's text for an `Objective: ...` / `O1: ...` line, else None."""
    match = OBJECTIVE_LINE.match(strip_emphasis(line))
    if not match:
        return None
    return clean_objective(match.group("text"))


def clean_objective(text: str) -> str:
    """An objective's text without emphasis, `Objective 1:` / `O1:` labels or a trailing colon."""
    text = strip_emphasis(text).strip()
    text = OBJECTIVE_PREFIX.sub("", text, count=1).strip()
    return text.rstrip(":").strip()


def meta_line(line: str) -> tuple[str, str] | None:
    """`("team"|"period", value)` for a `Team:` / `Period:` line, else None."""
    match = META_LINE.match(strip_emphasis(line))
    if not match or not match.group("value"):
        return None
    key = match.group("key").lower()
    return ("period" if key == "quarter" else key), match.group("value")


_PERIOD_UNITS = frozenset({"quarter", "half", "fiscal_year"})


def period_in_title(text: str) -> str | None:
    """The planning period a document's title names, as written: "Q1 2027" in "Platform
    team Q1 2027", "2026-Q3", "H2 2026", "FY27 Q1"; None when it names none.

    Only a quarter, a half or a fiscal year counts: a bare year ("Roadmap 2027") or a month
    says when the document was written more often than what it plans.
    """
    from ..anatomy.numbers import tokenize  # the number grammar the rules read dates with

    tokens = [t for t in tokenize(text) if t.unit in _PERIOD_UNITS]
    if not tokens:
        return None
    start, end = tokens[0].start, tokens[0].end
    for token in tokens[1:]:  # "FY27 Q1", "FY27/Q1": one period written in two parts
        if text[end : token.start].strip(" ,/-"):
            break
        end = token.end
    return text[start:end]


def is_key_results_label(line: str) -> bool:
    """A "Key results:" label line, which introduces key results and is not one."""
    return bool(KEY_RESULTS_LABEL.match(strip_emphasis(line)))


def list_item(line: str) -> ListItem | None:
    """The list item on this line (bullet or number removed), else None."""
    match = LIST_ITEM.match(line)
    if not match:
        return None
    return ListItem(indent_width(match.group("indent")), clean_key_result(match.group("text")))


def clean_key_result(text: str) -> str:
    """A key result's text without checkbox, `KR1:` label or surrounding space."""
    text = _CHECKBOX.sub("", text.strip())
    text = _KR_LABEL.sub("", text, count=1)
    return text.strip()


def field_line(line: str) -> tuple[str, str] | None:
    """`(field, value)` for an `Owner: ...` / `Baseline: ...` note, else None."""
    match = FIELD_LINE.match(strip_emphasis(line))
    if not match:
        return None
    key = re.sub(r"[\s_-]+", " ", match.group("key").lower())
    return _FIELD_NAMES.get(key, "measured_by" if key.startswith("measured") else key), match.group(
        "value"
    )
