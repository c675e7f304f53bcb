"""Rendering a Report: text, JSON, Markdown, SARIF, GitHub annotations and CSV.

    from reviewer.report import render, to_json_dict
    print(render(report, "markdown"))
    write_report(report, "json", sys.stdout)   # the same text, written as it is made

Renderers only format what the report holds; they never review anything themselves.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TextIO

from ..models import Report

FORMATS = ("text", "json", "markdown", "sarif", "github", "csv")

__all__ = ["FORMATS", "iter_report", "render", "to_json_dict", "write_report"]


def to_json_dict(report: Report) -> dict[str, Any]:
    """The report as the committed JSON schema (plain dicts and lists)."""
    from .json_report import to_json_dict as build

    return build(report)


def render(report: Report, fmt: str = "text", *, color: bool = False) -> str:
    """The report in one of FORMATS; `color` adds ANSI colours to the text format."""
    if fmt == "text":
        from .text import render_text

        return render_text(report, color=color)
    if fmt == "json":
        from .json_report import render_json

        return render_json(report)
    if fmt == "markdown":
        from .markdown import render_markdown

        return render_markdown(report)
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(report)
    if fmt == "github":
        from .github import render_github

        return render_github(report)
    if fmt == "csv":
        from .csv_report import render_csv

        return render_csv(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def iter_report(report: Report, fmt: str = "text", *, color: bool = False) -> Iterator[str]:
    """The report in one of FORMATS as pieces of text that join to `render(report, fmt)`.

    JSON and SARIF are made one result at a time, text and GitHub annotations line by
    line, so a large report is never held whole as one string (or one big dict)."""
    if fmt == "text":
        from .text import iter_text_lines

        return (line + "\n" for line in iter_text_lines(report, color=color))
    if fmt == "json":
        from .json_report import iter_json_report

        return iter_json_report(report)
    if fmt == "sarif":
        from .sarif import iter_sarif

        return iter_sarif(report)
    if fmt == "github":
        from .github import iter_github_lines

        return (line + "\n" for line in iter_github_lines(report))
    if fmt in FORMATS:  # markdown and csv: small enough whole (csv streams in write_report)
        return iter([render(report, fmt, color=color)])
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")


def write_report(report: Report, fmt: str, stream: TextIO, *, color: bool = False) -> None:
    """Write the report in one of FORMATS to `stream` as it is made; the text written is
    exactly `render(report, fmt, color=color)`."""
    if fmt == "csv":
        from .csv_report import write_csv

        write_csv(report, stream)
        return
    batch: list[str] = []
    size = 0
    for piece in iter_report(report, fmt, color=color):
        batch.append(piece)
        size += len(piece)
        if size >= 1 << 16:  # fewer, larger writes; at most ~64 K characters held
            stream.write("".join(batch))
            batch.clear()
            size = 0
    if batch:
        stream.write("".join(batch))
