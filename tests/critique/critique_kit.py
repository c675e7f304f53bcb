"""Helpers shared by the critique tests (imported as `from critique_kit import ...`)."""

from __future__ import annotations

import re

from reviewer.models import KeyResult, KeyResultReview, Objective, OKRSet, Report

NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def okr_set(
    *texts: str,
    objective: str = "Make checkout fast and reliable",
    period: str | None = "2025-Q3",
) -> OKRSet:
    """A one-objective set of key results, for batch tests."""
    return OKRSet(
        team="Payments",
        period=period,
        objectives=[Objective(text=objective, key_results=[KeyResult(text=t) for t in texts])],
        source_file="<test>",
    )


def digits(text: str) -> set[str]:
    """The digit strings in `text` (commas dropped): a crude, independent invented-number check."""
    return {m.replace(",", "") for m in NUMBER.findall(text)}


def assert_grounded(review: KeyResultReview) -> None:
    """The contract every review with a critique must keep, whichever critic wrote it."""
    assert review.critique is not None
    retrieved = {p.id for p in review.retrieved}
    cited = {c for p in review.critique.problems for c in p.citations}
    assert cited <= retrieved, f"cites passages that were not retrieved: {cited - retrieved}"
    assert {p.id for p in review.critique.cited} <= retrieved
    if retrieved:
        assert review.critique.cited, "a critique must cite at least one retrieved passage"
    for rewrite in review.rewrites:
        assert rewrite.verified, rewrite.verification_notes


def report_json(report: Report) -> str:
    return report.model_dump_json()
