"""Plain text (and stdin, and the page's paste box): one key result per line.

What a paste from a doc or a chat looks like: optional `Team:` / `Period:` lines,
`Objective: ...` lines or Markdown headings that start objectives, and every other
non-blank line is a key result, with its bullet, number, checkbox or `KR1:` label removed.
A pasted pipe table with a key-result column is read as in Markdown (`tables.py`), and
cells copied from a spreadsheet (tab-separated, an objective and a key-result column named
in the first row) as a CSV sheet.
Key results before any objective go under an implicit objective (empty text,
`implicit=True`). "Key results:" label lines and blank lines are skipped.
"""

from __future__ import annotations

from ..models import OKRSet
from . import lines as grammar
from .builder import SetBuilder
from .from_csv import is_pasted_sheet, read_pasted_sheet
from .suppressions import extract_comments
from .tables import KeyResultTable

HINT = "write one key result per line; start objectives with 'Objective:' lines"


def read_text(text: str, file: str) -> OKRSet:
    """Read plain-text OKRs into an OKRSet (lines are 1-based, as in the input)."""
    if is_pasted_sheet(text):  # cells copied from a spreadsheet, header row first
        return read_pasted_sheet(text, file)
    builder = SetBuilder(file)
    table = KeyResultTable(builder)
    all_lines = text.split("\n")
    for number, raw in enumerate(all_lines, start=1):
        rest, suppressions = extract_comments(raw, file=file, line=number)
        rest = grammar.strip_html_comments(rest)
        following = all_lines[number] if number < len(all_lines) else ""
        if table.feed(rest, following, suppressions, number):
            continue
        if not rest.strip():
            builder.blank_line(suppressions, number)
            continue
        heading = grammar.heading(rest)
        if heading is not None:
            builder.heading_line(heading, suppressions, number)
            continue
        if (meta := grammar.meta_line(rest)) is not None:
            builder.set_meta(*meta, suppressions, number)
            continue
        if (objective := grammar.objective_line(rest)) is not None:
            builder.start_objective(objective, number, suppressions)
            continue
        if grammar.is_key_results_label(rest):
            builder.other_line(suppressions, number)
            continue
        item = grammar.list_item(rest)
        key_result = item.text if item else grammar.clean_key_result(rest)
        if key_result:
            builder.add_key_result(key_result, number, suppressions)
        else:
            builder.other_line(suppressions, number)
    return builder.build(no_key_results_hint=HINT)
