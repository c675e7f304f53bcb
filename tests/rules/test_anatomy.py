"""Anatomy: numbers and their units, baseline / target / direction, windows and deadlines."""

from __future__ import annotations

import pytest
import yaml
from case_loader import CASES_DIR

from reviewer.anatomy import extract_numbers, parse_anatomy, units_compatible
from reviewer.anatomy.construct import build
from reviewer.classify import classify
from reviewer.models import Anatomy, Finding, KeyResult, Quantity

HOUR, MINUTE, DAY = 3600.0, 60.0, 86400.0

# text -> expected (value, unit_kind, unit, comparator, per, upper) for each number, in order
NUMBERS = {
    "Achieve 99.9% availability": [(99.9, "percent", "%", None, None, None)],
    "Raise the rating to 4.6/5": [(4.6, "score", "/5", None, None, None)],
    "p95 latency under 200ms": [
        (95, "percentile", "p", None, None, None),
        (0.2, "duration", "s", "<", None, None),
    ],
    "Cut cost to $0.12 per transaction": [(0.12, "money", "$", None, "transaction", None)],
    "Deploy 2x more often": [(2, "multiplier", "x", None, None, None)],
    "Grow to 1,200 users": [(1200, "count", None, None, None, None)],
    "Handle 15k rps": [(15000, "count", None, None, None, None)],
    "Index 3.5M documents": [(3.5e6, "count", None, None, None, None)],
    "Ship by end of Q3": [(3, "date", "quarter", None, None, None)],
    "Done by 2027": [(2027, "date", "year", None, None, None)],
    "from 4 hours to 30 minutes": [
        (4 * HOUR, "duration", "s", None, None, None),
        (30 * MINUTE, "duration", "s", None, None, None),
    ],
    "Change failure rate 15-20%": [(15, "percent", "%", None, None, 20)],
    "from 8/quarter to 2/quarter": [
        (8, "rate", "/quarter", None, "quarter", None),
        (2, "rate", "/quarter", None, "quarter", None),
    ],
    "from 4+ hours": [(4 * HOUR, "duration", "s", ">=", None, None)],
    "errors < 5%": [(5, "percent", "%", "<", None, None)],
    "raise conversion by 3 percentage points": [(3, "percentage_points", "pp", None, None, None)],
    "at least 99.95% uptime": [(99.95, "percent", "%", ">=", None, None)],
    "12 deploys a day": [(12, "rate", "/day", None, "day", None)],
    "within a 24-hour window": [(24 * HOUR, "duration", "s", None, None, None)],
    "a p99.9 of 1.2 s": [
        (99.9, "percentile", "p", None, None, None),
        (1.2, "duration", "s", None, None, None),
    ],
    "the 95th percentile": [(95, "percentile", "p", None, None, None)],
    "by 31 March 2027": [(2027, "date", "date", None, None, None)],
    "by 2026-09-30": [(20260930, "date", "date", None, None, None)],
    "save $1.5m a year": [(1.5e6, "money", "$", None, "year", None)],
    "hire three engineers": [(3, "count", None, None, None, None)],
    "page size from 3.1 MB to 900 KB": [
        (3.1e6, "size", "B", None, None, None),
        (9e5, "size", "B", None, None, None),
    ],
    "no more than 2 pages per week": [(2, "rate", "/week", "<=", "week", None)],
    "P1 and SEV-2 incidents on S3, EC2 and K8s over HTTP/2 with 2FA": [],
    "upgrade OAuth 1.2.3 to 24/7 support": [(1, "other", None, None, None, None)] * 1
    + [(24, "other", None, None, None, None)],
}


@pytest.mark.parametrize("text", list(NUMBERS), ids=list(NUMBERS))
def test_extract_numbers(text: str) -> None:
    found = extract_numbers(text)
    got = [(q.value, q.unit_kind, q.unit, q.comparator, q.per, q.upper) for q in found]
    assert len(got) == len(NUMBERS[text]), got
    for actual, expected in zip(got, NUMBERS[text], strict=True):
        assert actual[0] == pytest.approx(expected[0])
        assert actual[1:] == expected[1:]
    for quantity in found:  # spans point at the words, for highlighting and verification
        start, end = quantity.span
        assert text[start:end] == quantity.raw


def test_durations_in_different_units_compare() -> None:
    four_hours, thirty_minutes = extract_numbers("4 hours vs 30 minutes")
    assert four_hours.value > thirty_minutes.value
    assert units_compatible(four_hours, thirty_minutes) is None


def test_percent_and_percentage_points_stay_apart() -> None:
    percent, points = extract_numbers("from 8% by 2pp")
    assert (percent.unit, points.unit) == ("%", "pp")


def anatomy(text: str, **fields: str) -> Anatomy:
    return parse_anatomy(KeyResult(text=text, **fields))


def test_from_to_gives_baseline_target_and_direction() -> None:
    a = anatomy("Reduce MTTR from 4+ hours to < 30 minutes by end of Q3")
    assert a.baseline.value == 4 * HOUR and a.baseline.comparator == ">="
    assert a.target.value == 30 * MINUTE and a.target.comparator == "<"
    assert a.direction == "decrease"
    assert a.deadline == "by end of Q3"
    assert a.metric == "MTTR"


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        # an age that says which items are counted belongs to the metric's name
        (
            "Cut critical vulnerabilities older than 30 days from 14 to 0",
            "critical vulnerabilities older than 30 days",
        ),
        ("Reduce PRs open longer than 7 days from 40 to 10", "PRs open longer than 7 days"),
        # a measured value still ends it
        ("Reduce p95 latency of search 900 ms to 300 ms", "p95 latency of search"),
        ("Keep p99 under 200ms for 99% of days", "p99"),
    ],
)
def test_the_metric_name_stops_at_its_values_not_at_its_qualifiers(text: str, metric: str) -> None:
    assert anatomy(text).metric == metric


def test_delivery_cadences_and_eliminate_set_the_target() -> None:
    daily = anatomy("Deploy to production daily by Q3")
    assert daily.metric == "deployment frequency"
    assert (daily.target.raw, daily.target.value, daily.target.unit) == ("daily", 1.0, "/day")
    every = anatomy("Release the mobile app every 2 weeks")
    assert every.metric == "release frequency"
    assert (every.target.value, every.target.unit) == (0.5, "/week")
    gone = anatomy("Eliminate all P1 bugs older than 30 days")
    assert gone.target.value == 0.0 and gone.metric == "P1 bugs older than 30 days"
    assert anatomy("Eliminate the legacy VPN").target is None


def test_bare_number_takes_the_unit_of_its_partner() -> None:
    a = anatomy("Reduce build time from 25 to 8 minutes")
    assert (a.baseline.value, a.target.value) == (25 * MINUTE, 8 * MINUTE)
    assert a.baseline.unit_kind == "duration"


def test_level_without_baseline() -> None:
    a = anatomy("Achieve 99.9% availability")
    assert a.baseline is None and a.target.value == 99.9
    assert a.direction == "reach" and a.metric == "availability"


@pytest.mark.parametrize(
    ("text", "value", "form"),
    [
        ("Increase trial conversion by 30%", 0.3, "percent"),
        ("Deploy 3x more frequently", 3.0, "factor"),
        ("Halve build time", 0.5, "factor"),
        ("Double weekly active users", 2.0, "factor"),
        ("Improve fraud recall by 15 points", 15.0, "points"),
        ("Cut onboarding time by 2 days", 2 * DAY, "absolute"),
        ("30% fewer escalations", 0.3, "percent"),
    ],
)
def test_relative_changes(text: str, value: float, form: str) -> None:
    change = anatomy(text).relative_change
    assert change is not None and change.form == form
    assert change.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "baseline", "target"),
    [
        ("Raise crash-free sessions to 99.8% (currently 99.1%)", 99.1, 99.8),
        ("Get to 99.95% uptime from 99.7%", 99.7, 99.95),
        ("Dashboard freshness p95: 2h -> 15min", 2 * HOUR, 15 * MINUTE),
        ("First deploy in 3 days and not 12 days like now", 12 * DAY, 3 * DAY),
        ("Improve precision from 0.82 until 0.93", 0.82, 0.93),
        ("Cut cost per active user from $2.40 to $1.50", 2.40, 1.50),
        ("Raise fraud recall at a fixed 1% false-positive rate from 71% to 85%", 71, 85),
        ("Lower compute spend per 1,000 requests from $0.12 to $0.06", 0.12, 0.06),
        # the count the verb acts on is where it starts
        ("Cut the 40 open P1 bugs to 10 by the end of Q3", 40, 10),
        ("Reduce our 30 flaky tests down to 5", 30, 5),
        # a ranking metric's cut-off is part of its name
        ("Improve search relevance (NDCG@10) to 0.72 from 0.65", 0.65, 0.72),
    ],
)
def test_baseline_and_target_shapes(text: str, baseline: float, target: float) -> None:
    a = anatomy(text)
    assert a.baseline is not None and a.target is not None
    assert (a.baseline.value, a.target.value) == (pytest.approx(baseline), pytest.approx(target))


@pytest.mark.parametrize(
    "text",
    [
        "Reduce build time for the 12 services to 5 minutes",  # a population, not a start
        "Reduce the 12 services' build time to 5 minutes",  # a count, then a duration
    ],
)
def test_a_count_before_to_is_a_baseline_only_when_it_is_what_moves(text: str) -> None:
    a = anatomy(text)
    assert a.baseline is None
    assert a.target is not None and a.target.value == pytest.approx(300)


def test_explicit_fields_win_over_the_text() -> None:
    a = anatomy(
        "Reduce p95 latency from 900 ms to 300 ms by Q3",
        baseline="800 ms",
        target="250 ms",
        deadline="2027-03-31",
        measured_by="RUM p75 on /checkout",
    )
    assert (a.baseline.value, a.target.value) == (pytest.approx(0.8), pytest.approx(0.25))
    assert a.deadline == "2027-03-31" and a.source == "RUM p75 on /checkout"


def test_placeholder_fields_are_ignored() -> None:
    a = anatomy("Reduce p95 latency to 300 ms", baseline="<baseline>", deadline="TBD")
    assert a.baseline is None and a.deadline is None


@pytest.mark.parametrize(
    ("text", "window", "deadline"),
    [
        ("Keep error rate below 0.5% over a rolling 28 days", "over a rolling 28 days", None),
        ("Reduce P1 incidents from 8 to 2 per quarter", "per quarter", None),
        ("Halve build time within 6 months", None, "within 6 months"),
        (
            "Finish setup within 7 days of invitation for 70% of users",
            "within 7 days of invitation",
            None,
        ),
        ("Grow revenue month over month by 5%", "month over month", None),
        ("Lower the 5xx rate by the end of September 2026", None, "by the end of September 2026"),
    ],
)
def test_windows_are_not_deadlines(text: str, window: str | None, deadline: str | None) -> None:
    a = anatomy(text)
    assert a.window == window
    assert a.deadline == deadline


def test_percentile_aggregation_and_source() -> None:
    a = anatomy("Cut p95 checkout latency from 900 ms to 300 ms, measured by RUM on /checkout")
    assert a.percentile == "p95" and a.aggregation == "p95"
    assert a.source == "RUM on /checkout"
    mean = anatomy("Cut average response time from 420 ms to 250 ms")
    assert mean.aggregation == "average"
    assert anatomy("Reduce mean time to recovery from 2 hours to 30 minutes").aggregation is None


def test_direction_of_improve_follows_the_metric() -> None:
    assert anatomy("Improve the error rate from 5% to 1%").direction == "decrease"
    assert anatomy("Improve availability").direction in (None, "increase")
    assert anatomy("Keep availability at or above 99.95%").direction == "maintain"


KINDS = yaml.safe_load((CASES_DIR / "kinds.yaml").read_text(encoding="utf-8"))
# sections are named by kind, optionally with a suffix ("outcome_more")
KIND_CASES = [
    (section.split("_")[0], item["text"]) for section, items in KINDS.items() for item in items
]


@pytest.mark.parametrize(
    ("kind", "text"), KIND_CASES, ids=[t[:50] or "<empty>" for _, t in KIND_CASES]
)
def test_classify_kinds(kind: str, text: str) -> None:
    kr = KeyResult(text=text)
    assert classify(kr, parse_anatomy(kr)) == kind


def test_classify_uses_the_anatomy_it_is_given() -> None:
    kr = KeyResult(text="Reduce checkout latency")
    bare = parse_anatomy(kr)
    assert classify(kr, bare) == "outcome"
    assert bare.target is None


def test_fast_built_models_equal_validated_ones() -> None:
    values = dict(
        raw="30%",
        value=30.0,
        upper=None,
        unit="%",
        unit_kind="percent",
        comparator=None,
        per=None,
        span=(3, 6),
    )
    assert build(Quantity, dict(values)) == Quantity(**values)
    finding = dict(
        code="KR101",
        name="output-not-outcome",
        severity="error",
        message="m",
        fix="f",
        guidance=["outcomes-vs-outputs"],
        span=None,
        objective=None,
        location=None,
    )
    built = build(Finding, dict(finding))
    assert built == Finding(**finding)
    assert built.model_dump() == Finding(**finding).model_dump()
    assert Finding.model_validate_json(built.model_dump_json()) == built


ANATOMY_CASES = yaml.safe_load((CASES_DIR / "anatomy.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", ANATOMY_CASES, ids=[c["text"][:50] for c in ANATOMY_CASES])
def test_baseline_target_and_timebound_labels(case: dict) -> None:
    fields = {k: str(case[k]) for k in ("baseline", "target", "deadline") if k in case}
    a = parse_anatomy(KeyResult(text=case["text"], **fields))
    assert (a.baseline is not None) == case["b"], a.baseline
    assert (a.target is not None or a.relative_change is not None) == case["t"], a.target
    assert (a.deadline is not None or bool(case.get("period"))) == case["d"], a.deadline


@pytest.mark.parametrize(
    ("text", "baseline", "target", "deadline"),
    [
        (
            "Reduce p95 checkout latency from <baseline> to <target> by the end of 2026-Q3",
            "<baseline>",
            "<target>",
            "by the end of 2026-Q3",
        ),
        (
            "Raise availability from <baseline>% to 99.9% by <deadline>",
            "<baseline>%",
            "99.9%",
            "by <deadline>",
        ),
        ("Cut MTTR from 2 hours to <target> minutes", "2 hours", "<target> minutes", None),
        ("Keep availability at <target> (today <baseline>)", "<baseline>", "<target>", None),
        (
            "Raise NPS to <target> from <baseline> before <deadline>",
            "<baseline>",
            "<target>",
            "before <deadline>",
        ),
        (
            "Reduce latency from <baseline: unknown> to under <target> ms in <deadline: Q3?>",
            "<baseline: unknown>",
            "under <target> ms",
            "in <deadline: Q3?>",
        ),
        (
            "Cut spend from $<baseline> to $<target> per month",
            "$<baseline>",
            "$<target> per month",
            None,
        ),
        (
            "Reduce time to mitigate incidents from the top 10 alerts from <baseline> min to <target> min",
            "<baseline> min",
            "<target> min",
            None,
        ),
    ],
)
def test_placeholders_are_present_but_unknown_values(
    text: str, baseline: str, target: str, deadline: str | None
) -> None:
    a = anatomy(text)
    assert a.baseline is not None and a.baseline.raw == baseline
    assert a.target is not None and a.target.raw == target
    assert a.deadline == deadline
    for quantity in (a.baseline, a.target):
        start, end = quantity.span
        assert text[start:end] == quantity.raw
    # a placeholder is not a number of the text: verification must never see it as one
    assert all("<" not in q.raw for q in a.numbers)
    assert all("<" not in q.raw for q in extract_numbers(text))


def test_placeholder_direction_comes_from_the_verb_not_the_zero_in_its_place() -> None:
    assert anatomy("Increase 7-day retention from 28% to <target>%").direction == "increase"
    assert anatomy("Reduce p99 latency from <baseline> ms to under 300ms").direction == "decrease"
    named = anatomy("Reduce <metric> from <baseline> to <target> by <deadline>")
    assert named.metric == "<metric>" and named.deadline == "by <deadline>"


def test_names_that_are_not_values_are_left_alone() -> None:
    a = anatomy("Reduce <service> p95 latency to 300 ms")
    assert a.baseline is None and a.target.raw == "300 ms"


@pytest.mark.parametrize(
    ("text", "deadline"),
    [
        ("Cut p95 latency from 900 ms to 300 ms by the end of 2026-Q3", "by the end of 2026-Q3"),
        ("Cut p95 latency from 900 ms to 300 ms by end of Q3 2026", "by end of Q3 2026"),
        ("Cut p95 latency from 900 ms to 300 ms by the end of H2 2026", "by the end of H2 2026"),
        (
            "Cut p95 latency from 900 ms to 300 ms by the close of 2026-H2",
            "by the close of 2026-H2",
        ),
        ("Cut p95 latency from 900 ms to 300 ms in Q3 FY27", "in Q3 FY27"),
        ("Cut p95 latency from 900 ms to 300 ms by end of Q3 FY27", "by end of Q3 FY27"),
        ("Cut p95 latency from 900 ms to 300 ms by FY2027 Q1", "by FY2027 Q1"),
        ("Cut p95 latency from 900 ms to 300 ms by the end of FY27", "by the end of FY27"),
        ("Cut p95 latency from 900 ms to 300 ms by the end of 2026 Q3", "by the end of 2026 Q3"),
        (
            "Cut p95 latency from 900 ms to 300 ms by the end of the period",
            "by the end of the period",
        ),
        ("Cut p95 latency from 900 ms to 300 ms by mid-November", "by mid-November"),
        ("Cut p95 latency from 900 ms to 300 ms by late Q3", "by late Q3"),
        ("Cut p95 latency from 900 ms to 300 ms before Black Friday", "before Black Friday"),
        (
            "Cut p95 latency from 900 ms to 300 ms by the end of sprint 14",
            "by the end of sprint 14",
        ),
        ("Cut p95 latency from 900 ms to 300 ms over the next quarter", "over the next quarter"),
        ("Cut p95 latency from 900 ms to 300 ms in the coming quarter", "in the coming quarter"),
    ],
)
def test_periods_are_read_whole(text: str, deadline: str) -> None:
    a = anatomy(text)
    assert a.deadline == deadline
    assert (a.baseline.raw, a.target.raw) == ("900 ms", "300 ms")


@pytest.mark.parametrize(
    "text",
    [
        "Complete the SOC 2 Type II audit",
        "Pass the ISO 27001 audit",
        "Migrate the orders database to Postgres 16",
        "Keep tier 1 services on call",
    ],
)
def test_numbers_in_names_are_not_values(text: str) -> None:
    a = anatomy(text)
    assert a.target is None and a.baseline is None
    assert [q.unit_kind for q in a.numbers] == ["other"]
