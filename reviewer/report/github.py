"""GitHub Actions workflow commands: one `::error file=...,line=...::...` line per finding.

Escaping follows the Actions toolkit: in the message `%`, CR and LF are percent-encoded;
in property values (file, title) also `:` and `,`, which would otherwise end the value.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..models import Finding, Report
from .common import set_finding_location, summary_line

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    command: str, message: str, *, file: str | None, line: int | None, title: str
) -> str:
    """One workflow command line."""
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
    if line:
        props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    return f"::{command} {','.join(props)}::{escape_data(message)}"


def _finding_annotation(finding: Finding, file: str | None, line: int | None, subject: str) -> str:
    message = f"{subject}\n{finding.message}" if subject else finding.message
    if finding.fix:
        message += f"\nFix: {finding.fix}"
    return annotation(
        COMMANDS[finding.severity],
        message,
        file=file,
        line=line,
        title=f"{finding.code} {finding.name}",
    )


def iter_github_lines(report: Report) -> Iterator[str]:
    """The annotation lines (without line ends), for writing as they are made."""
    for problem in report.input_problems:
        yield annotation(
            "error",
            problem.message,
            file=problem.file,
            line=problem.line,
            title="okr-review input error",
        )
    for review in report.reviews:
        kr = review.key_result
        for finding in review.findings:
            yield _finding_annotation(
                finding, kr.location.file, kr.location.line, f"Key result: {kr.text}"
            )
    for finding in report.set_findings:
        file, line = set_finding_location(report, finding)
        subject = f"Objective: {finding.objective}" if finding.objective else ""
        yield _finding_annotation(finding, file, line, subject)
    yield f"okr-review: {summary_line(report, timings=False)}"


def render_github(report: Report) -> str:
    """Annotations for every finding and unreadable file, then a plain summary line."""
    return "".join(line + "\n" for line in iter_github_lines(report))
