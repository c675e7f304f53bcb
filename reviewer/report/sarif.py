"""SARIF 2.1.0, the format code-scanning tools (GitHub, GitLab, Azure DevOps) ingest.

One rule entry per code in the catalogue, one result per finding with a physical
location (file and line). Findings the file suppresses with a reason are included with
an in-source suppression, so the audit trail survives; files that could not be read are
tool execution notifications.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import __version__
from ..models import Finding, Report
from .common import set_finding_location, suppression_reason
from .json_report import TOOL_NAME
from .streaming import LazyArray, iter_json_document

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _information_uri() -> str | None:
    """The project's home page from the installed package metadata, if it declares one."""
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        meta = metadata("okr-reviewer")
    except (ImportError, PackageNotFoundError):
        return None
    for entry in meta.get_all("Project-URL") or []:
        _, _, url = entry.partition(",")
        if url.strip().startswith("http"):
            return url.strip()
    home = meta.get("Home-page")
    return home if home and home.startswith("http") else None


def _uri(file: str | None) -> str:
    """A relative path as a forward-slash URI reference; absolute paths as file: URIs."""
    if not file or file.startswith("<"):
        return (file or "input").strip("<>")
    path = Path(file)
    if path.is_absolute():
        return path.as_uri()
    return path.as_posix()


def _section(doc: str, heading: str) -> str:
    """One `## heading` section of a rule's docs, as a single paragraph."""
    parts = doc.split(f"## {heading}", 1)
    if len(parts) < 2:
        return ""
    return " ".join(parts[1].split("\n## ", 1)[0].split())


def _rule_entry(
    code: str,
    name: str,
    severity: str,
    summary: str,
    doc: str,
    fix: str,
    enabled: bool,
    scope: str,
    guidance: tuple[str, ...] | list[str],
) -> dict[str, Any]:
    help_text = fix if not doc else f"{fix}\n\n{doc}"
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary or name},
        "fullDescription": {
            "text": " ".join(p for p in (summary, _section(doc, "Why it matters")) if p) or name
        },
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": LEVELS[severity], "enabled": enabled},
        "properties": {"tags": ["okr", scope], "guidance": list(guidance)},
    }


def _rules(findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    from ..rules import all_rules

    entries: list[dict[str, Any]] = []
    for spec in sorted(all_rules(), key=lambda s: s.code):
        entries.append(
            _rule_entry(
                spec.code,
                spec.name,
                spec.severity,
                spec.summary,
                spec.doc,
                spec.fix,
                spec.enabled_by_default,
                spec.scope,
                spec.guidance,
            )
        )
    known = {entry["id"] for entry in entries}
    for finding in findings:  # a code the catalogue does not list still gets its entry
        if finding.code not in known:
            known.add(finding.code)
            entries.append(
                _rule_entry(
                    finding.code,
                    finding.name,
                    finding.severity,
                    finding.name,
                    "",
                    finding.fix,
                    True,
                    "key_result",
                    finding.guidance,
                )
            )
    return entries, {entry["id"]: i for i, entry in enumerate(entries)}


def _location(file: str | None, line: int | None) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(file)},
            "region": {"startLine": max(1, line or 1)},
        }
    }


def _result(
    finding: Finding,
    index: dict[str, int],
    file: str | None,
    line: int | None,
    subject: str,
    properties: dict[str, Any],
) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{finding.code}\0{subject}".encode()).hexdigest()[:32]
    text = finding.message if not finding.fix else f"{finding.message} Fix: {finding.fix}"
    return {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [_location(file, line)],
        "partialFingerprints": {"okrReview/v1": fingerprint},
        "properties": {**properties, "guidance": list(finding.guidance)},
    }


def _results(report: Report, index: dict[str, int]) -> Iterator[dict[str, Any]]:
    """One SARIF result per finding (suppressed ones included), built as they are read."""
    for review in report.reviews:
        kr = review.key_result
        props = {"kind": review.kind, "objective": review.objective or None, "keyResult": kr.text}
        for finding in review.findings:
            yield _result(finding, index, kr.location.file, kr.location.line, kr.text, props)
        for finding in review.suppressed:
            result = _result(finding, index, kr.location.file, kr.location.line, kr.text, props)
            reason = suppression_reason(report, review, finding.code)
            suppression: dict[str, Any] = {"kind": "inSource"}
            if reason:
                suppression["justification"] = reason
            result["suppressions"] = [suppression]
            yield result
    for finding in report.set_findings:
        file, line = set_finding_location(report, finding)
        subject = f"{file}\0{finding.objective or ''}"
        yield _result(finding, index, file, line, subject, {"objective": finding.objective})


def sarif_document(report: Report) -> dict[str, Any]:
    """The SARIF log with `results` as a LazyArray, built one result at a time as written."""
    everything = report.all_findings() + [f for r in report.reviews for f in r.suppressed]
    rules, index = _rules(everything)
    del everything
    results = LazyArray(_results(report, index))

    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "version": __version__,
        "semanticVersion": __version__,
    }
    if uri := _information_uri():
        driver["informationUri"] = uri
    driver["rules"] = rules
    notifications = [
        {
            "level": "error",
            "message": {"text": problem.message},
            "locations": [_location(problem.file, problem.line)],
        }
        for problem in report.input_problems
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [
                    {
                        "executionSuccessful": not report.input_problems,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def to_sarif_dict(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log with a single run."""
    document = sarif_document(report)
    run = document["runs"][0]
    run["results"] = list(run["results"].items)
    return document


def iter_sarif(report: Report) -> Iterator[str]:
    """The SARIF log in pieces, one result at a time; joined, exactly `render_sarif`."""
    return iter_json_document(sarif_document(report))


def render_sarif(report: Report) -> str:
    """The SARIF log as indented JSON text."""
    return "".join(iter_sarif(report))
