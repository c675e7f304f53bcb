"""CSV OKR sheets: a header row, then one key result per row.

Header: `objective,key_result` plus any of `owner, baseline, target, deadline,
measured_by, ignore, team, period` (case, spaces and dashes do not matter; `kr` and
`key result` also name the key-result column). Unknown columns are skipped, as
spreadsheets carry their own. A row with an empty objective continues the one above
(merged cells export that way); a row with an objective and no key result declares an
objective. `ignore` holds `KR201: reason; KR401` suppressions for that row's key result.
Comma, semicolon and tab delimiters are recognised from the header. A paste of sheet
cells (tab-separated, under such a header) into the text reader is read the same way.
"""

from __future__ import annotations

import csv
import io

from ..errors import InputError
from ..models import KeyResult, Objective, OKRSet, SourceLocation
from .suppressions import parse_ignore_cell

MAX_COLUMNS = 64
MAX_FIELD_CHARS = 10_000
HEADER_HINT = "the first row must name the columns: objective,key_result[,owner,baseline,target,deadline,measured_by]"
_ALIASES = {
    "kr": "key_result",
    "keyresult": "key_result",
    "key_results": "key_result",
    "source": "measured_by",
    "measuredby": "measured_by",
    "objectives": "objective",
}
KEY_RESULT_FIELDS = ("owner", "baseline", "target", "deadline", "measured_by")


def column_name(cell: str) -> str:
    """A header cell as a column name: `Key Result` and `kr` are `key_result`, `Source` is
    `measured_by` (case, spaces, dashes and underscores do not matter)."""
    name = "_".join(cell.strip().lower().replace("-", " ").replace("_", " ").split())
    return _ALIASES.get(name, name)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def read_csv(text: str, file: str) -> OKRSet:
    """Read a CSV OKR sheet into an OKRSet; each key result keeps its row's line."""
    return _read_rows(text, file, _delimiter(text.split("\n", 1)[0]))


def is_pasted_sheet(text: str) -> bool:
    """Whether a paste is spreadsheet cells (tab-separated) under a header naming the
    objective and key-result columns, as copying a range of a sheet gives."""
    first = text.split("\n", 1)[0]
    if "\t" not in first:
        return False
    columns = {column_name(cell) for cell in first.split("\t")}
    return {"objective", "key_result"} <= columns


def read_pasted_sheet(text: str, file: str) -> OKRSet:
    """Read tab-separated cells with a header row, like a CSV sheet."""
    return _read_rows(text, file, "\t")


def _read_rows(text: str, file: str, delimiter: str) -> OKRSet:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row_start = 1
    try:
        header = next(reader)
        row_start = reader.line_num + 1
        if len(header) > MAX_COLUMNS:
            raise InputError(
                f"the header has {len(header)} columns; at most {MAX_COLUMNS} are read",
                file=file,
                line=1,
                hint=HEADER_HINT,
            )
        columns = [column_name(cell) for cell in header]
        for required in ("objective", "key_result"):
            if required not in columns:
                raise InputError(
                    f"no {required!r} column in the header",
                    file=file,
                    line=1,
                    hint=HEADER_HINT,
                )
        index = {name: columns.index(name) for name in set(columns) if name}

        team: str | None = None
        period: str | None = None
        objectives: dict[str, Objective] = {}
        current: Objective | None = None
        for row in reader:
            line = row_start
            row_start = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if any(len(cell) > MAX_FIELD_CHARS for cell in row):
                raise InputError(
                    f"a cell is longer than {MAX_FIELD_CHARS} characters",
                    file=file,
                    line=line,
                    hint="a key result is a sentence; check for an unclosed quote",
                )
            extra = [cell for cell in row[len(columns) :] if cell.strip()]
            if extra:
                raise InputError(
                    f"the row has {len(row)} cells but the header names {len(columns)} columns",
                    file=file,
                    line=line,
                    hint="quote cells that contain the delimiter",
                )

            def cell(name: str, row: list[str] = row) -> str:
                position = index.get(name)
                if position is None or position >= len(row):
                    return ""
                return row[position].strip()

            team = team or cell("team") or None
            period = period or cell("period") or None
            objective_text = cell("objective")
            if objective_text:
                current = objectives.get(objective_text)
                if current is None:
                    current = Objective(
                        text=objective_text, location=SourceLocation(file=file, line=line)
                    )
                    objectives[objective_text] = current
            text = cell("key_result")
            if not text:
                continue
            if current is None:
                raise InputError(
                    "key result without an objective",
                    file=file,
                    line=line,
                    hint="fill the objective column of the first row",
                )
            fields = {name: (cell(name) or None) for name in KEY_RESULT_FIELDS}
            current.key_results.append(
                KeyResult(
                    text=text,
                    location=SourceLocation(file=file, line=line),
                    suppressions=parse_ignore_cell(cell("ignore"), file=file, line=line),
                    **fields,
                )
            )
    except StopIteration:
        raise InputError("file is empty", file=file, hint=HEADER_HINT) from None
    except csv.Error as exc:
        message = str(exc)
        if "field larger than field limit" in message:
            message = "a cell is far too long (an unclosed quote?)"
        raise InputError(
            f"invalid CSV: {message}",
            file=file,
            line=reader.line_num or row_start,
            hint='check the quoting: a quote inside a cell is written twice ("")',
        ) from None
    if not any(o.key_results for o in objectives.values()):
        raise InputError("no key results found", file=file, hint=HEADER_HINT)
    return OKRSet(team=team, period=period, objectives=list(objectives.values()), source_file=file)
