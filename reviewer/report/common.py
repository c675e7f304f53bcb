"""What every renderer needs: grouping reviews by file and objective, locations, counts.

Renderers only format; the decisions about what belongs together (which objective a
review sits under, where a set finding points, how the summary line reads) are made
here once, so the text, Markdown, SARIF and GitHub outputs never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import (
    SEVERITY_ORDER,
    Finding,
    KeyResultReview,
    Objective,
    Report,
    Summary,
)

NO_OBJECTIVE = "(no objective)"
SEVERITIES = ("error", "warning", "info")
KINDS = ("outcome", "output", "activity", "unmeasurable")


@dataclass
class ObjectiveGroup:
    """The reviews of one objective's key results, in file order."""

    text: str  # "" for key results given without an objective
    line: int | None
    reviews: list[KeyResultReview] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.text or NO_OBJECTIVE


@dataclass
class FileGroup:
    """One reviewed file: its set's team and period, objectives and set findings."""

    file: str | None
    team: str | None = None
    period: str | None = None
    objectives: list[ObjectiveGroup] = field(default_factory=list)
    set_findings: list[Finding] = field(default_factory=list)

    @property
    def label(self) -> str:
        parts = [self.file or "<input>"]
        parts += [p for p in (self.team, self.period) if p]
        return " · ".join(parts)


def summary_of(report: Report) -> Summary:
    """The report's summary, recomputed if the producer did not fill it."""
    if report.summary.key_results == len(report.reviews):
        return report.summary
    return report.model_copy(deep=True).summarise()


_OBJECTIVE_LINES: list[tuple[Report, list[dict[str, int | None]]]] = []


def _objective_lines(report: Report) -> list[dict[str, int | None]]:
    """Per set, the first line of each objective text; built once per report, because
    scanning every objective for every set finding was quadratic (13 s for 12,000 findings
    over 2,500 objectives)."""
    cached = _OBJECTIVE_LINES[0] if _OBJECTIVE_LINES else None
    if cached is not None and cached[0] is report and len(cached[1]) == len(report.sets):
        return cached[1]
    lines: list[dict[str, int | None]] = []
    for okr_set in report.sets:
        by_text: dict[str, int | None] = {}
        for objective in okr_set.objectives:
            by_text.setdefault(objective.text, objective.location.line)
        lines.append(by_text)
    _OBJECTIVE_LINES[:] = [(report, lines)]
    return lines


def set_finding_location(report: Report, finding: Finding) -> tuple[str | None, int | None]:
    """Where a set finding points: its own location, else its objective's, else the file's."""
    file = finding.location.file if finding.location else None
    line = finding.location.line if finding.location else None
    lines = _objective_lines(report)
    candidates = [i for i, s in enumerate(report.sets) if file is None or s.source_file == file]
    if finding.objective:
        with_objective = [i for i in candidates if finding.objective in lines[i]]
        candidates = with_objective or candidates
    if candidates and (file is None or line is None):
        file = file or report.sets[candidates[0]].source_file
        if line is None and finding.objective:
            line = lines[candidates[0]].get(finding.objective)
    return file, line


def group_report(report: Report) -> list[FileGroup]:
    """Reviews grouped by file, then objective, in the order they were read."""
    groups: dict[str | None, FileGroup] = {}
    objective_lines: dict[tuple[str | None, str], int | None] = {}
    for okr_set in report.sets:
        group = groups.setdefault(okr_set.source_file, FileGroup(okr_set.source_file))
        group.team, group.period = okr_set.team, okr_set.period
        for objective in okr_set.objectives:
            objective_lines.setdefault(
                (okr_set.source_file, objective.text), objective.location.line
            )
    for review in report.reviews:
        file = review.key_result.location.file
        group = groups.setdefault(file, FileGroup(file))
        text = review.objective or ""
        if not group.objectives or group.objectives[-1].text != text:
            group.objectives.append(
                ObjectiveGroup(text=text, line=objective_lines.get((file, text)))
            )
        group.objectives[-1].reviews.append(review)
    for finding in report.set_findings:
        file, _ = set_finding_location(report, finding)
        groups.setdefault(file, FileGroup(file)).set_findings.append(finding)
    return list(groups.values())


def objective_for(report: Report, review: KeyResultReview) -> Objective | None:
    """The objective model a review's key result sits under, found by file and line."""
    location = review.key_result.location
    for okr_set in report.sets:
        if okr_set.source_file != location.file:
            continue
        for objective in okr_set.objectives:
            if any(kr.location.line == location.line for kr in objective.key_results):
                return objective
    return None


def suppression_reason(report: Report, review: KeyResultReview, code: str) -> str | None:
    """The reason the file gives for suppressing `code` on this key result, if any."""
    for suppression in review.key_result.suppressions:
        if suppression.code == code:
            return suppression.reason
    objective = objective_for(report, review)
    for suppression in objective.suppressions if objective else []:
        if suppression.code == code:
            return suppression.reason
    return None


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by code, so the important line is read first."""
    return sorted(findings, key=lambda f: (-SEVERITY_ORDER[f.severity], f.code))


def severity_counts(summary: Summary) -> str:
    """ "3 errors, 5 warnings, 1 info" (only the non-zero ones; "no findings" otherwise)."""
    parts = []
    for severity in SEVERITIES:
        count = summary.by_severity.get(severity, 0)
        if count:
            noun = severity if severity == "info" or count == 1 else f"{severity}s"
            parts.append(f"{count} {noun}")
    return ", ".join(parts) or "no findings"


def kind_counts(summary: Summary) -> str:
    """ "6 outcome, 5 output, 3 activity" in the fixed kind order."""
    parts = [f"{summary.by_kind[k]} {k}" for k in KINDS if summary.by_kind.get(k)]
    parts += [f"{n} {k}" for k, n in summary.by_kind.items() if k not in KINDS and n]
    return ", ".join(parts)


def summary_line(report: Report, *, timings: bool = True) -> str:
    """One sentence with everything a reader wants first."""
    summary = summary_of(report)
    count = summary.key_results
    parts = [f"{count} key result{'s' if count != 1 else ''}"]
    if kinds := kind_counts(summary):
        parts[0] += f" ({kinds})"
    parts.append(severity_counts(summary))
    suppressed = sum(len(r.suppressed) for r in report.reviews)
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    if report.input_problems:
        n = len(report.input_problems)
        parts.append(f"{n} file{'s' if n != 1 else ''} not read")
    total = report.timings_ms.get("total")
    if timings and total is not None:
        parts.append(f"{total / 1000:.2f} s")
    return " · ".join(parts)
