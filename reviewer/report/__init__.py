"""Rendering a Report: text, JSON, Markdown, SARIF, GitHub annotations and CSV.

    from reviewer.report import render, to_json_dict
    print(render(report, "markdown"))

Renderers only format what the report holds; they never review anything themselves.
"""

from __future__ import annotations

from typing import Any

from ..models import Report

FORMATS = ("text", "json", "markdown", "sarif", "github", "csv")

__all__ = ["FORMATS", "render", "to_json_dict"]


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
