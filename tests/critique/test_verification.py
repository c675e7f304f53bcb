"""Verification: citations, invented numbers and the shape rules, for any critic's rewrites."""

from __future__ import annotations

import pytest

from reviewer.anatomy import extract_numbers, parse_anatomy
from reviewer.config import Config
from reviewer.critique.base import CritiqueInput, CritiqueResult
from reviewer.models import Critique, KeyResult, Objective, Passage, Problem, Rewrite
from reviewer.rules import check_key_result
from reviewer.verify import (
    SHAPE_CODES,
    allowed_numbers,
    is_invented,
    replace_invented_numbers,
    verify_result,
    verify_rewrite,
)

CONFIG = Config()
PASSAGES = [
    Passage(
        id="baselines#why", doc_id="baselines", title="Baselines", text="Know where you start."
    ),
    Passage(id="outcomes-vs-outputs#test", doc_id="outcomes-vs-outputs", title="O", text="x"),
]


def context(
    text: str,
    objective: str | None = None,
    period: str | None = None,
    **fields: str,
) -> CritiqueInput:
    kr = KeyResult(text=text, **fields)
    obj = Objective(text=objective) if objective else None
    outcome = check_key_result(kr, obj, period, CONFIG)
    return CritiqueInput(
        key_result=kr,
        objective=obj,
        period=period,
        kind=outcome.kind,
        anatomy=outcome.anatomy,
        findings=outcome.findings,
        passages=list(PASSAGES),
    )


def test_numbers_from_draft_fields_objective_and_period_are_allowed():
    ctx = context(
        "Reduce checkout p95 latency to 300 ms",
        objective="Win back the 20% of users who abandon checkout",
        period="2025-Q3",
        baseline="800 ms",
    )
    allowed = allowed_numbers(ctx)
    for text in ("from 800 ms to 300 ms", "20%", "by the end of 2025-Q3", "from 0.8 s to 0.3 s"):
        assert not any(is_invented(q, allowed) for q in extract_numbers(text)), text
    for text in ("to 250 ms", "45%", "by Q4 2026"):
        assert any(is_invented(q, allowed) for q in extract_numbers(text)), text


def test_percentile_labels_are_not_values():
    ctx = context("Reduce average API latency")
    assert not any(is_invented(q, allowed_numbers(ctx)) for q in extract_numbers("p95 and p99"))


def test_invented_numbers_are_replaced_by_role():
    ctx = context("Migrate the payments service to Kubernetes", period="2025-Q3")
    text, replaced = replace_invented_numbers(
        "Reduce the change failure rate of the payments service from 15% to 5% by Q4 2026",
        allowed_numbers(ctx),
    )
    assert text == (
        "Reduce the change failure rate of the payments service from <baseline> to <target> "
        "by <deadline>"
    )
    assert [p for _raw, p in replaced] == ["<baseline>", "<target>", "<deadline>"]


def test_verify_rewrite_marks_placeholders_and_notes():
    ctx = context("Migrate the payments service to Kubernetes")
    rewrite = Rewrite(
        text="Reduce the change failure rate of the payments service from 15% to 5% by <deadline>",
        baseline="15%",
        target="5%",
    )
    checked, failures = verify_rewrite(rewrite, ctx, CONFIG)
    assert not failures and checked.verified
    assert checked.baseline == "<baseline>" and checked.target == "<target>"
    assert {"baseline", "target", "deadline"} <= set(checked.placeholders)
    assert sum("appears nowhere" in n for n in checked.verification_notes) >= 2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Migrate the payments service to Kubernetes by <deadline>", "KR101"),
        ("Run 6 chaos game days by <deadline>", "KR102"),
        ("Improve developer experience", "KR103"),
    ],
)
def test_shape_rules_reject_rewrites_that_are_not_outcomes(text, code):
    ctx = context("Migrate the payments service to Kubernetes")
    checked, failures = verify_rewrite(Rewrite(text=text), ctx, CONFIG)
    assert not checked.verified
    assert code in {f.code for f in failures}
    assert all(f.code in SHAPE_CODES for f in failures)
    assert any(code in note for note in checked.verification_notes)


def test_a_rewrite_may_not_keep_the_gameable_proxy_the_draft_was_flagged_for():
    ctx = context("Raise unit test coverage to 90% by the end of Q3")
    assert "KR401" in {f.code for f in ctx.findings}
    kept, failures = verify_rewrite(
        Rewrite(text="Raise unit test coverage from <baseline> to 90% by the end of Q3"),
        ctx,
        CONFIG,
    )
    assert not kept.verified and {f.code for f in failures} == {"KR401"}
    replaced, failures = verify_rewrite(
        Rewrite(text="Reduce escaped defects per month from <baseline> to <target> by Q3"),
        ctx,
        CONFIG,
    )
    assert replaced.verified and not failures


def test_a_team_that_ignores_kr401_keeps_its_metric_in_rewrites():
    config = Config(ignore=["KR401"])
    kr = KeyResult(text="Raise unit test coverage to 90% by the end of Q3")
    outcome = check_key_result(kr, None, None, config)
    assert "KR401" not in {f.code for f in outcome.findings}
    ctx = CritiqueInput(
        key_result=kr,
        objective=None,
        period=None,
        kind=outcome.kind,
        anatomy=outcome.anatomy,
        findings=outcome.findings,
        passages=list(PASSAGES),
    )
    checked, failures = verify_rewrite(
        Rewrite(text="Raise unit test coverage from <baseline> to 90% by the end of Q3"),
        ctx,
        config,
    )
    assert checked.verified and not failures


def test_placeholders_count_as_values_for_the_shape_rules():
    ctx = context("Launch dark mode")
    for text in (
        "Raise the share of weekly active users who use dark mode from <baseline> to <target> by <deadline>",
        "Reduce p95 latency of the checkout API from <baseline> to 300 ms by <deadline>",
    ):
        checked, failures = verify_rewrite(Rewrite(text=text), ctx, CONFIG)
        assert checked.verified, [f.code for f in failures]


def test_unknown_citations_are_dropped_and_cited_filled():
    ctx = context("Migrate the payments service to Kubernetes")
    result = CritiqueResult(
        critique=Critique(
            critic="llm",
            summary="s",
            problems=[Problem(text="p", citations=["baselines#why", "invented#id"])],
        ),
        rewrites=[],
    )
    verification = verify_result(result, ctx, CONFIG, critic="llm")
    assert result.critique.problems[0].citations == ["baselines#why"]
    assert [p.id for p in result.critique.cited] == ["baselines#why"]
    assert any("invented#id" in note for note in result.notes)
    # An error-level key result with no rewrite is a violation to re-ask about.
    assert any("no rewrite" in v for v in verification.violations)


def test_a_critique_citing_nothing_known_is_a_violation():
    ctx = context("Reduce checkout p95 latency from 800 ms to 300 ms by the end of 2025-Q3")
    result = CritiqueResult(
        critique=Critique(
            critic="llm", summary="s", problems=[Problem(text="p", citations=["x#y"])]
        ),
        rewrites=[],
    )
    verification = verify_result(result, ctx, CONFIG, critic="llm")
    assert any("cites no retrieved passage" in v for v in verification.violations)


def test_anatomy_reads_placeholder_rewrites_as_outcomes():
    anatomy = parse_anatomy(
        KeyResult(text="Reduce p95 latency of the search API from <baseline> to <target>")
    )
    assert anatomy.direction == "decrease" and anatomy.metric


def test_dates_and_years_are_checked_by_their_digits():
    allowed = extract_numbers("Cut build time from 3 minutes to 1 minute") + extract_numbers(
        "2026-Q3"
    )
    for text, invented in (
        ("by Q3", False),
        ("by the end of 2026", False),
        ("by Q3 2026", False),
        ("by Q4", True),
        ("by Q3 2027", True),
        ("by H2 2026", True),
        ("by 30 September 2026", True),
    ):
        assert [is_invented(q, allowed) for q in extract_numbers(text)] == [invented], text


def test_placeholders_do_not_fool_the_value_rules():
    from reviewer.verify import neutral_values

    assert neutral_values("Increase 7-day retention from 28% to <target> by Q3") == (
        "Increase 7-day retention from 28% to 42% by Q3"
    )
    assert neutral_values("Reduce p95 latency from <baseline> to 300 ms by Q3") == (
        "Reduce p95 latency from 450 ms to 300 ms by Q3"
    )
    ctx = context("Increase 7-day retention from 28% to 29%", period="2026-Q3")
    rewrite = Rewrite(text="Increase 7-day retention from 28% to <target> by the end of 2026-Q3")
    checked, failures = verify_rewrite(rewrite, ctx, CONFIG)
    assert checked.verified, failures
    # A real direction conflict is still caught.
    bad = Rewrite(text="Reduce the error rate from 2% to 5% by the end of 2026-Q3")
    checked, failures = verify_rewrite(bad, context("Reduce the error rate from 2% to 5%"), CONFIG)
    assert "KR203" in {f.code for f in failures}
