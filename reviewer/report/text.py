"""The terminal report: grouped by file and objective, worst findings first.

Colour (ANSI) only when asked for, which the CLI does when stdout is a terminal and
neither --no-color nor NO_COLOR says otherwise; the words carry the meaning either way.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from ..models import Finding, KeyResultReview, Report
from .common import group_report, set_finding_location, sort_findings, summary_line

WIDTH = 100
_STYLES = {
    "error": "\033[31m",
    "warning": "\033[33m",
    "info": "\033[36m",
    "ok": "\033[32m",
    "bold": "\033[1m",
    "dim": "\033[2m",
}
_RESET = "\033[0m"


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, style: str, text: str) -> str:
        if not self.color or not text:
            return text
        return f"{_STYLES[style]}{text}{_RESET}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    """Wrap prose to the report width with a hanging indent (control characters dropped)."""
    return textwrap.wrap(
        " ".join(_CONTROL.sub(" ", text).split()),
        width=WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first or indent]


def _finding_lines(finding: Finding, paint: _Painter, indent: str) -> list[str]:
    label = paint(finding.severity, f"{finding.severity:<7}")
    head = f"{indent}{label} {paint('bold', finding.code)} {finding.name}: "
    lines = _wrap(finding.message, indent + " " * 8, head)
    if finding.fix:
        lines += [
            paint("dim", line)
            for line in _wrap(finding.fix, indent + " " * 13, indent + " " * 8 + "fix: ")
        ]
    return lines


def _review_lines(review: KeyResultReview, paint: _Painter) -> list[str]:
    kr = review.key_result
    line = f"{kr.location.line}" if kr.location.line is not None else "-"
    worst = review.worst_severity()
    status = paint(worst, f"{worst:<7}") if worst else paint("ok", f"{'ok':<7}")
    head = f"  {line:>4}  {status}  "
    out = _wrap(f"{kr.text} [{review.kind}]", " " * 17, head)
    indent = " " * 8
    for finding in sort_findings(review.findings):
        out += _finding_lines(finding, paint, indent)
    if review.suppressed:
        codes = ", ".join(sorted({f.code for f in review.suppressed}))
        out.append(paint("dim", f"{indent}suppressed: {codes}"))
    if review.critique is not None:
        critique = review.critique
        out += _wrap(critique.summary, indent + "  ", f"{indent}critique ({critique.critic}): ")
        for problem in critique.problems:
            cites = f" [{', '.join(problem.citations)}]" if problem.citations else ""
            out += _wrap(problem.text + cites, indent + "    ", indent + "  - ")
        if critique.fallback_reason:
            out.append(paint("dim", f"{indent}  (LLM not used: {critique.fallback_reason})"))
    for number, rewrite in enumerate(review.rewrites, start=1):
        first = f"{indent}rewrite {number}: " if len(review.rewrites) > 1 else f"{indent}rewrite: "
        out += [paint("ok", x) for x in _wrap(rewrite.text, indent + "  ", first)]
        extras = []
        if rewrite.placeholders:
            extras.append("fill in: " + ", ".join(rewrite.placeholders))
        if rewrite.instrument_first:
            extras.append("instrument the metric first")
        if extras:
            out.append(paint("dim", f"{indent}  ({'; '.join(extras)})"))
    for error in review.errors:
        out.append(paint("dim", f"{indent}note: {error}"))
    return out


def iter_text_lines(report: Report, *, color: bool = False) -> Iterator[str]:
    """The text report line by line (without line ends), for writing as it is made."""
    paint = _Painter(color)
    for group in group_report(report):
        yield paint("bold", group.label)
        for objective in group.objectives:
            yield ""
            if objective.text:
                where = f" (line {objective.line})" if objective.line else ""
                yield paint("bold", f"Objective: {objective.text}") + paint("dim", where)
            else:
                yield paint("bold", "Key results without an objective")
            for review in objective.reviews:
                yield from _review_lines(review, paint)
        if group.set_findings:
            yield ""
            yield paint("bold", "Objective and team findings")
            for finding in sort_findings(group.set_findings):
                _, line = set_finding_location(report, finding)
                about = []
                if finding.objective:
                    about.append(f'objective "{finding.objective}"')
                elif finding.objective == "":
                    about.append("key results without an objective")
                if line:
                    about.append(f"line {line}")
                yield from _finding_lines(finding, paint, "  ")
                if about:
                    yield paint("dim", "          (" + ", ".join(about) + ")")
        yield ""
    if report.input_problems:
        yield paint("bold", "Files that could not be read")
        yield from (f"  {problem.message}" for problem in report.input_problems)
        yield ""
    if report.notes:
        yield paint("bold", "Notes")
        for note in report.notes:
            yield from _wrap(note, "    ", "  - ")
        yield ""
    yield paint("bold", summary_line(report))


def render_text(report: Report, *, color: bool = False) -> str:
    """The report as readable text for a terminal or a log."""
    return "".join(line + "\n" for line in iter_text_lines(report, color=color))
