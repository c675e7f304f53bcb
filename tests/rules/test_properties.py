"""Property tests: any text gives a review without raising, and the same review every time."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.anatomy import extract_numbers
from reviewer.config import Config
from reviewer.models import KeyResult, Objective, OKRSet, Suppression
from reviewer.rules import check_key_result, check_set

CONFIG = Config(extend_select=["KR402"])
# Text that looks like key results often enough to reach deep into the parser.
FRAGMENTS = st.sampled_from(
    [
        "Reduce",
        "Raise",
        "Launch",
        "Hire",
        "p95",
        "latency",
        "from",
        "to",
        "by",
        "4+ hours",
        "< 30 minutes",
        "99.9%",
        "$0.12",
        "8/quarter",
        "4.6/5",
        "2x",
        "halve",
        "Q3",
        "2027",
        "1,200",
        "15k",
        "3.5M",
        "(currently",
        ")",
        "->",
        "per",
        "week",
        "and",
        ";",
        ",",
        "measured by",
        "average",
        "coverage",
        "so that",
        "within 6 months",
        "zero",
        "P1",
    ]
)
KR_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(FRAGMENTS, max_size=25).map(" ".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=2000),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def review_dump(text: str, period: str | None) -> tuple:
    outcome = check_key_result(KeyResult(text=text), None, period, CONFIG)
    return (
        outcome.kind,
        outcome.anatomy.model_dump(),
        [f.model_dump() for f in outcome.findings],
    )


@SETTINGS
@given(text=KR_TEXT, period=st.one_of(st.none(), st.text(max_size=10)))
def test_any_text_gives_a_review_and_the_same_one_twice(text: str, period: str | None) -> None:
    first = review_dump(text, period)
    assert first == review_dump(text, period)
    assert first[0] in ("outcome", "output", "activity", "unmeasurable")
    for finding in first[2]:
        assert finding["message"] and finding["fix"]
        if finding["span"] is not None:
            start, end = finding["span"]
            assert 0 <= start <= end <= len(text)


@SETTINGS
@given(text=KR_TEXT)
def test_numbers_point_at_their_own_words(text: str) -> None:
    for quantity in extract_numbers(text):
        start, end = quantity.span
        assert text[start:end] == quantity.raw


@SETTINGS
@given(
    objectives=st.lists(st.tuples(st.text(max_size=60), st.lists(KR_TEXT, max_size=6)), max_size=7),
    codes=st.lists(st.sampled_from(["KR101", "OKR605", "KR999", "", "okr601"]), max_size=3),
)
def test_any_set_gives_set_findings(objectives: list, codes: list[str]) -> None:
    okr_set = OKRSet(
        suppressions=[Suppression(code=c) for c in codes],
        objectives=[
            Objective(text=text, key_results=[KeyResult(text=k) for k in krs])
            for text, krs in objectives
        ],
    )
    first = check_set(okr_set, CONFIG)
    second = check_set(okr_set, CONFIG)
    assert [f.model_dump() for f in first[0]] == [f.model_dump() for f in second[0]]
