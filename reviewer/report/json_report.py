"""The JSON report: a committed interface for CI, dashboards and other tools.

Consumers ignore fields they do not know, so fields are only ever added: never renamed,
never removed, never changed in meaning. `schema_version` changes only if that promise
has to be broken. The README documents every field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .. import __version__
from ..models import Critique, Finding, KeyResultReview, Report
from .common import set_finding_location, summary_of, suppression_reason
from .streaming import LazyArray, iter_json_document

SCHEMA_VERSION = 1
TOOL_NAME = "okr-review"


def _round(value: float) -> float:
    return round(float(value), 1)


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A finding as the report shows it."""
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "fix": finding.fix,
        "guidance": list(finding.guidance),
        "span": list(finding.span) if finding.span else None,
    }


def critique_dict(critique: Critique | None) -> dict[str, Any] | None:
    """The critique with its citations; cited passages by id and title, not full text."""
    if critique is None:
        return None
    return {
        "critic": critique.critic,
        "summary": critique.summary,
        "problems": [{"text": p.text, "citations": list(p.citations)} for p in critique.problems],
        "kind_opinion": critique.kind_opinion,
        "cited": [
            {
                "id": p.id,
                "doc_id": p.doc_id,
                "title": p.title,
                "section": p.section,
                "score": round(p.score, 4),
            }
            for p in critique.cited
        ],
        "prompt": critique.prompt,
        "model": critique.model,
        "fallback_reason": critique.fallback_reason,
    }


def result_dict(report: Report, review: KeyResultReview) -> dict[str, Any]:
    """One key result's review."""
    kr = review.key_result
    return {
        "file": kr.location.file,
        "line": kr.location.line,
        "objective": review.objective or None,
        "key_result": kr.text,
        "owner": kr.owner,
        "baseline": kr.baseline,
        "target": kr.target,
        "deadline": kr.deadline,
        "measured_by": kr.measured_by,
        "kind": review.kind,
        "severity": review.worst_severity(),
        "anatomy": review.anatomy.model_dump(mode="json"),
        "findings": [finding_dict(f) for f in review.findings],
        "suppressed": [
            {**finding_dict(f), "reason": suppression_reason(report, review, f.code)}
            for f in review.suppressed
        ],
        "critique": critique_dict(review.critique),
        "rewrites": [r.model_dump(mode="json") for r in review.rewrites],
        "retrieved": [p.id for p in review.retrieved],
        "errors": list(review.errors),
    }


def timings_dict(report: Report) -> dict[str, float]:
    """Run timings; stages the producer did not total are summed over the key results."""
    timings = {key: _round(value) for key, value in report.timings_ms.items()}
    stage_sums: dict[str, float] = {}
    for review in report.reviews:
        for stage, ms in review.timings_ms.items():
            stage_sums[stage] = stage_sums.get(stage, 0.0) + ms
    for stage, ms in stage_sums.items():
        timings.setdefault(stage, _round(ms))
    return timings


def set_finding_dict(report: Report, finding: Finding) -> dict[str, Any]:
    """An objective- or team-level finding with where it points."""
    file, line = set_finding_location(report, finding)
    return {
        **finding_dict(finding),
        "objective": finding.objective or None,
        "file": file,
        "line": line,
    }


def json_document(report: Report) -> dict[str, Any]:
    """The committed schema with `results` and `set_findings` as LazyArrays: each item is
    built only when it is written, so a large report is never held as one big structure."""
    summary = summary_of(report)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "mode": report.mode,
        "files": [
            {
                "file": s.source_file,
                "team": s.team,
                "period": s.period,
                "objectives": len(s.objectives),
                "key_results": len(s.key_results()),
            }
            for s in report.sets
        ],
        "results": LazyArray(result_dict(report, review) for review in report.reviews),
        "set_findings": LazyArray(set_finding_dict(report, f) for f in report.set_findings),
        "summary": {
            **summary.model_dump(mode="json"),
            "findings": sum(summary.by_severity.values()),
            "suppressed": sum(len(r.suppressed) for r in report.reviews),
            "input_problems": len(report.input_problems),
        },
        "timings_ms": timings_dict(report),
        "usage": report.usage.model_dump(mode="json"),
        "input_problems": [p.model_dump(mode="json") for p in report.input_problems],
        "notes": list(report.notes),
    }


def to_json_dict(report: Report) -> dict[str, Any]:
    """The whole report as plain JSON-ready data (the committed schema)."""
    document = json_document(report)
    document["results"] = list(document["results"].items)
    document["set_findings"] = list(document["set_findings"].items)
    return document


def iter_json_report(report: Report) -> Iterator[str]:
    """The JSON report in pieces, one result at a time; joined, exactly `render_json`."""
    return iter_json_document(json_document(report))


def render_json(report: Report) -> str:
    """The report as indented JSON text, ending in a newline."""
    return "".join(iter_json_report(report))
