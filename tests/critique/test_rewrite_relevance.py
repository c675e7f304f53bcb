"""Outcome rewrites move the metric the work is for and keep the draft's subject.

The cases are data (relevance_cases.yaml): a draft that is not an outcome, the metric family
its first rewrite must name, the subject it must keep and the unrelated metrics it must not
fall back to. Each case also keeps the honesty contract: verified, a visible baseline
placeholder, no number that the draft, objective or period does not give.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from critique_kit import digits

from reviewer.config import Config, RetrievalConfig
from reviewer.models import KeyResult, Objective
from reviewer.pipeline import Reviewer

CASES_FILE = Path(__file__).with_name("relevance_cases.yaml")
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))["cases"]
PERIOD = "2026-Q3"
PERCENTILE = re.compile(r"\bp\d{2}(?:\.\d+)?\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def offline(lexical_index, tmp_path_factory) -> Reviewer:
    cache = tmp_path_factory.mktemp("relevance-cache")
    config = Config(offline=True, retrieval=RetrievalConfig(embedding="none", cache_dir=cache))
    return Reviewer(config, index=lexical_index)


def test_the_cases_are_well_formed():
    allowed = {"draft", "objective", "first", "keeps", "never", "count"}
    drafts = [(c["draft"], c.get("objective")) for c in CASES]
    assert len(drafts) == len(set(drafts)), "a case is listed twice"
    for case in CASES:
        assert set(case) <= allowed and "first" in case, case
        for key in ("first", "never"):
            if key in case:
                re.compile(case[key])


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c['draft'][:40]}|{(c.get('objective') or '')[:20]}" for c in CASES]
)
def test_rewrite_moves_the_right_metric_and_keeps_the_subject(offline, case):
    objective = case.get("objective")
    item = offline.review_key_result(
        KeyResult(text=case["draft"]), Objective(text=objective) if objective else None, PERIOD
    )
    texts = [r.text for r in item.rewrites]
    assert texts, f"no rewrite for {case['draft']!r}: {item.findings}"
    first = texts[0]
    assert re.search(case["first"], first, re.IGNORECASE), texts
    if "keeps" in case:
        assert case["keeps"].lower() in first.lower(), texts
    if "never" in case:
        unrelated = [t for t in texts if re.search(case["never"], t, re.IGNORECASE)]
        assert not unrelated, unrelated
    if "count" in case:
        assert len(texts) <= case["count"], texts
    allowed = digits(" ".join((case["draft"], objective or "", PERIOD)))
    for rewrite in item.rewrites:
        assert rewrite.verified, rewrite.verification_notes
        assert "<baseline>" in rewrite.text and "baseline" in rewrite.placeholders
        assert not digits(PERCENTILE.sub(" ", rewrite.text)) - allowed, rewrite.text


def test_an_unfitting_draft_gets_an_honest_placeholder_metric_with_instrument_first(offline):
    item = offline.review_key_result(
        KeyResult(text="Mentor 5 junior engineers"), Objective(text="Grow the team"), PERIOD
    )
    (rewrite,) = item.rewrites
    assert rewrite.metric == "<metric>" and "metric" in rewrite.placeholders
    assert rewrite.instrument_first and "instrument" in rewrite.rationale
    assert "Grow the team" in rewrite.rationale


def test_the_summary_suggests_the_metrics_the_rewrites_use(offline):
    item = offline.review_key_result(
        KeyResult(text="Interview 20 customers about checkout"),
        Objective(text="Make checkout effortless"),
        PERIOD,
    )
    assert item.rewrites[0].metric in item.critique.summary
    assert "time to fill" not in item.critique.summary
