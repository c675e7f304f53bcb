"""Pipe tables of key results, for the line-oriented readers (Markdown and plain text).

Teams keep OKRs in tables as often as in lists (a wiki page, a Notion or Confluence export
pasted in). A table whose header names a key-result column is read like a CSV sheet with
the same column names: one key result per row, an `Objective` column grouping them (an
empty cell continues the objective above; without the column they go under the heading
above), and `Owner`, `Baseline`, `Target`, `Deadline`, `Measured by` and `Ignore` columns
filling those fields. Any other table is skipped, as prose is.
"""

from __future__ import annotations

from ..errors import InputError
from ..models import Suppression
from . import lines as grammar
from .builder import SetBuilder
from .from_csv import KEY_RESULT_FIELDS, MAX_COLUMNS, column_name
from .suppressions import parse_ignore_cell


class KeyResultTable:
    """Follows the tables of one document, line by line, into its SetBuilder."""

    def __init__(self, builder: SetBuilder) -> None:
        self.builder = builder
        # The table being read: column name -> its first cell (empty: not key results).
        self.columns: dict[str, int] | None = None
        self.delimiter_next = False  # the next line is the header's `| --- |` row
        self.outer_pipes = True  # the header has a pipe at its start: rows have them too

    def feed(self, line: str, following: str, suppressions: list[Suppression], number: int) -> bool:
        """Take `line` if it belongs to a table (header, delimiter or row); `following` is
        the next line of the document, which says whether `line` starts a table."""
        if self.columns is not None:
            if "|" in line and line.strip():
                if self.delimiter_next:
                    self.delimiter_next = False
                    self.builder.other_line(suppressions, number)
                else:
                    self._row(line, suppressions, number)
                return True
            self.columns = None  # a line that is not a row ends the table
        if "|" in line and grammar.TABLE_DELIMITER.match(following):
            self.outer_pipes = line.strip().startswith("|")
            cells = grammar.table_cells(line, self.outer_pipes)
            names = [column_name(cell) for cell in cells]
            if "key_result" in names and len(names) > MAX_COLUMNS:
                raise InputError(
                    f"the table of key results has {len(names)} columns; at most "
                    f"{MAX_COLUMNS} are read",
                    file=self.builder.file,
                    line=number,
                    hint="keep the key result, its objective and its fields in the table",
                )
            positions = {name: i for i, name in reversed(list(enumerate(names)))}
            self.columns = positions if "key_result" in positions else {}
            self.delimiter_next = True
            self.builder.other_line(suppressions, number)
            return True
        return False

    def _row(self, line: str, suppressions: list[Suppression], number: int) -> None:
        builder, columns = self.builder, self.columns or {}
        if not columns:  # a table of something else: skipped like prose
            builder.other_line(suppressions, number)
            return
        cells = grammar.table_cells(line, self.outer_pipes)

        def cell(name: str) -> str:
            position = columns.get(name, len(cells))
            return cells[position] if position < len(cells) else ""

        objective = None
        objective_text = grammar.clean_objective(cell("objective"))
        if objective_text:
            objective = builder.objective_named(objective_text, number)
        elif "objective" in columns and builder.current is not None:
            objective = builder.current  # an empty cell continues the objective above
        text = grammar.clean_key_result(cell("key_result"))
        if not text:
            builder.other_line(suppressions, number)
            return
        ignored = parse_ignore_cell(cell("ignore"), file=builder.file, line=number)
        key_result = builder.add_key_result(text, number, [*suppressions, *ignored], objective)
        for name in KEY_RESULT_FIELDS:
            value = cell(name)
            if value:
                setattr(key_result, name, value)
