"""Markdown OKR documents: headings or `Objective:` lines, key results as list items.

- Optional YAML front matter (`team`, `period`, `ignore`) or `Team:` / `Period:` lines.
  Without either, a title heading that names a quarter, half or fiscal year ("# Platform
  team Q1 2027", "# Payments OKRs, H2 2026") gives the period.
- A heading starts an objective; a heading with no key results under it is a title and
  is dropped, unless it says "Objective" (then OKR604 can flag it as empty). A heading
  that is only "Key results" is a label, not an objective.
- Top-level bullet or numbered items are key results; deeper-indented items are notes,
  except `Owner:`, `Baseline:`, `Target:`, `Deadline:` and `Measured by:` notes, which fill
  those fields of the key result above. Indented text directly under an item continues it.
- `<!-- okr-review: ignore KR201 reason="..." -->` at the end of a line applies to that
  line's key result or objective; on its own line, to the key result or objective on the
  very next line, otherwise to the objective it sits under (or the file, before any).
- A pipe table whose header names a key-result column (`Key result`, `KR`; the same
  names as a CSV sheet's header) lists key results, one per row: an `Objective` column
  groups them (an empty cell continues the objective above; without the column they go
  under the heading above), and `Owner`, `Baseline`, `Target`, `Deadline`, `Measured by`
  and `Ignore` columns fill those fields. Other columns are skipped.
- Prose, other tables, fenced code and other HTML comments are skipped.
"""

from __future__ import annotations

import re

from ..models import KeyResult, OKRSet
from . import lines as grammar
from .builder import SetBuilder
from .from_yaml import read_front_matter
from .suppressions import extract_comments
from .tables import KeyResultTable

HINT = (
    "key results are bullet or numbered items under a heading or an 'Objective:' line, "
    "or the rows of a table with a 'Key result' column"
)
_FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})")


def _front_matter_end(all_lines: list[str]) -> int | None:
    """Index of the line closing a `---` front matter block, if the file starts with one."""
    if not all_lines or all_lines[0].strip() != "---":
        return None
    for index in range(1, len(all_lines)):
        if all_lines[index].strip() in ("---", "..."):
            return index
    return None


def read_markdown(text: str, file: str) -> OKRSet:
    """Read a Markdown OKR document into an OKRSet (lines are 1-based, as in the file)."""
    builder = SetBuilder(file)
    all_lines = text.split("\n")
    start = 0
    end = _front_matter_end(all_lines)
    if end is not None:
        front = read_front_matter("\n".join(all_lines[1:end]), file, first_line=2)
        builder.team = front.get("team")
        builder.period = front.get("period")
        builder.set_suppressions.extend(front.get("suppressions", []))
        start = end + 1

    fence: str | None = None
    in_html_comment = False
    kr_indent: int | None = None  # indentation of key-result items under this objective
    last_key_result: KeyResult | None = None
    continuing = False  # the previous line belonged to `last_key_result`
    table = KeyResultTable(builder)

    for index in range(start, len(all_lines)):
        number = index + 1
        line = all_lines[index]
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        if match := _FENCE.match(line):
            fence = match.group("fence")
            builder.other_line([], number)
            continuing = False
            continue
        if in_html_comment:
            if "-->" not in line:
                continue
            in_html_comment = False
            line = line.split("-->", 1)[1]

        rest, suppressions = extract_comments(line, file=file, line=number)
        rest = grammar.strip_html_comments(rest)
        if "<!--" in rest:  # a comment that closes on a later line
            rest, in_html_comment = rest.split("<!--", 1)[0], True

        following = all_lines[index + 1] if index + 1 < len(all_lines) else ""
        if table.feed(rest, following, suppressions, number):
            kr_indent, last_key_result, continuing = None, None, False
            continue

        if not rest.strip():
            builder.blank_line(suppressions, number)
            continuing = False
            continue

        heading = grammar.heading(rest)
        if heading is not None:
            continuing = False
            if builder.heading_line(heading, suppressions, number):
                kr_indent, last_key_result = None, None
            continue
        if (meta := grammar.meta_line(rest)) is not None:
            builder.set_meta(*meta, suppressions, number)
            continuing = False
            continue
        if (objective := grammar.objective_line(rest)) is not None:
            builder.start_objective(objective, number, suppressions)
            kr_indent, last_key_result, continuing = None, None, False
            continue
        if grammar.is_key_results_label(rest):
            builder.other_line(suppressions, number)
            continuing = False
            continue

        item = grammar.list_item(rest)
        if item is not None:
            if kr_indent is None or item.indent <= kr_indent:
                kr_indent = item.indent
                continuing = False
                if item.text:
                    last_key_result = builder.add_key_result(item.text, number, suppressions)
                    continuing = True
                else:
                    builder.other_line(suppressions, number)
                continue
            # A nested item: a note about the key result above, or one of its fields.
            field = grammar.field_line(item.text)
            if field and last_key_result is not None and getattr(last_key_result, field[0]) is None:
                setattr(last_key_result, field[0], field[1])
            builder.other_line(suppressions, number)
            continuing = False
            continue

        indent = grammar.indent_width(rest[: len(rest) - len(rest.lstrip())])
        if continuing and last_key_result is not None and indent > (kr_indent or 0):
            last_key_result.text = f"{last_key_result.text} {rest.strip()}"
            last_key_result.suppressions.extend(suppressions)
            continue
        builder.other_line(suppressions, number)
        continuing = False
    return builder.build(no_key_results_hint=HINT)
