"""A Markdown report a team can paste into a doc, an issue or a pull request."""

from __future__ import annotations

from ..models import Finding, KeyResultReview, Report
from .common import (
    group_report,
    kind_counts,
    set_finding_location,
    severity_counts,
    sort_findings,
    summary_of,
)

_ICONS = {"error": "❌", "warning": "⚠️", "info": "ℹ️", None: "✅"}


def _cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, newlines flattened."""
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    """Text safe on one Markdown line (no accidental headings, lists or HTML)."""
    text = " ".join(text.split())
    # `\<` shows as `<` and cannot open an HTML tag; `\[` cannot open a link or an image.
    # Backslashes go first, or a written `\<` would turn the escape back off.
    return text.replace("\\", "\\\\").replace("<", "\\<").replace("[", "\\[")


def _code(text: str) -> str:
    """Text as an inline code span, so `<baseline>` placeholders show as written."""
    return "`" + " ".join(text.split()).replace("`", "'") + "`"


def _finding_bullet(finding: Finding) -> str:
    line = f"- {_ICONS[finding.severity]} **{finding.severity}** `{finding.code}` {finding.name}: {_inline(finding.message)}"
    if finding.fix:
        line += f" *Fix:* {_inline(finding.fix)}"
    return line


def _details(review: KeyResultReview) -> list[str]:
    kr = review.key_result
    where = f"Line {kr.location.line}: " if kr.location.line is not None else ""
    out = [f"#### {where}{_inline(kr.text)}", "", f"Kind: **{review.kind}**"]
    if review.findings or review.suppressed:
        out.append("")
    out += [_finding_bullet(f) for f in sort_findings(review.findings)]
    if review.suppressed:
        codes = ", ".join(f"`{c}`" for c in sorted({f.code for f in review.suppressed}))
        out.append(f"- Suppressed in the file: {codes}")
    if review.critique is not None:
        critique = review.critique
        out += ["", f"**Critique** ({critique.critic}): {_inline(critique.summary)}"]
        for problem in critique.problems:
            cites = " ".join(f"`{c}`" for c in problem.citations)
            out.append(f"- {_inline(problem.text)}" + (f" ({cites})" if cites else ""))
    if review.rewrites:
        out += ["", "**Suggested rewrites**", ""]
        for rewrite in review.rewrites:
            notes = []
            if rewrite.placeholders:
                notes.append("fill in " + ", ".join(rewrite.placeholders))
            if rewrite.instrument_first:
                notes.append("instrument the metric first")
            suffix = f" ({'; '.join(notes)})" if notes else ""
            out.append(f"- {_code(rewrite.text)}{suffix}")
    out.append("")
    return out


def render_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown."""
    summary = summary_of(report)
    out = ["# OKR review", ""]
    line = f"**{summary.key_results} key results**"
    if kinds := kind_counts(summary):
        line += f" ({kinds})"
    out += [f"{line} · {severity_counts(summary)}", ""]
    for group in group_report(report):
        out += [f"## {_inline(group.label)}", ""]
        for objective in group.objectives:
            out += [f"### {_inline(objective.label)}", ""]
            out += ["| Line | Key result | Kind | Findings |", "| ---: | --- | --- | --- |"]
            for review in objective.reviews:
                kr = review.key_result
                codes = ", ".join(
                    f"{_ICONS[f.severity]} {f.code}" for f in sort_findings(review.findings)
                )
                out.append(
                    f"| {kr.location.line or ''} | {_cell(kr.text)} | {review.kind} | {codes or _ICONS[None]} |"
                )
            out.append("")
            for review in objective.reviews:
                if review.findings or review.rewrites:
                    out += _details(review)
        if group.set_findings:
            out += ["### Objective and team findings", ""]
            for finding in sort_findings(group.set_findings):
                _, where = set_finding_location(report, finding)
                about = [f'objective "{_inline(finding.objective)}"'] if finding.objective else []
                about += [f"line {where}"] if where else []
                out.append(_finding_bullet(finding) + (f" ({', '.join(about)})" if about else ""))
            out.append("")
    if report.input_problems:
        out += ["## Files that could not be read", ""]
        out += [f"- `{_cell(p.message)}`" for p in report.input_problems]
        out.append("")
    if report.notes:
        out += ["## Notes", ""] + [f"- {_inline(n)}" for n in report.notes] + [""]
    return "\n".join(out).rstrip("\n") + "\n"
