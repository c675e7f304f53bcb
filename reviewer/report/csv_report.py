"""A spreadsheet view: one row per key result, for teams that track OKRs in sheets."""

from __future__ import annotations

import csv
import io
from typing import TextIO

from ..models import Report

COLUMNS = (
    "file",
    "line",
    "objective",
    "key_result",
    "kind",
    "severity",
    "codes",
    "first_rewrite",
)
_FORMULA_STARTS = ("=", "+", "@", "\t", "\r")


def _safe(cell: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    if cell.startswith(_FORMULA_STARTS) or (cell.startswith("-") and not cell[1:2].isdigit()):
        return "'" + cell
    return cell


def render_csv(report: Report) -> str:
    """The report as CSV with a header row."""
    buffer = io.StringIO()
    write_csv(report, buffer)
    return buffer.getvalue()


def write_csv(report: Report, stream: TextIO) -> None:
    """The CSV report written row by row to `stream`."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for review in report.reviews:
        kr = review.key_result
        writer.writerow(
            [
                _safe(kr.location.file or ""),
                kr.location.line if kr.location.line is not None else "",
                _safe(review.objective or ""),
                _safe(kr.text),
                review.kind,
                review.worst_severity() or "",
                " ".join(sorted({f.code for f in review.findings})),
                _safe(review.rewrites[0].text) if review.rewrites else "",
            ]
        )
