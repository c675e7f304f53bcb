"""LLM batches: request slots held by the HTTP exchange alone, file order, GC, set rules.

`llm.concurrency` bounds the requests in flight at the LLM client (a re-ask queues for a
slot like any request), the time spent waiting for a slot is not critique time, key
results reach the endpoint in file order, and a batch keeps the collector off the objects
that existed before it (see `reviewer.pipeline._long_lived_objects_frozen`).
"""

from __future__ import annotations

import asyncio
import gc

import pytest
from critique_kit import okr_set
from support.openai_server import RecordedRequest, Reply, answer_with, key_result_text

from reviewer.config import Config, RetrievalConfig
from reviewer.pipeline import Reviewer

DRAFTS = tuple(
    f"Migrate service number {i} of the checkout platform to Kubernetes" for i in range(6)
)


def test_requests_reach_the_endpoint_in_file_order(openai_server, llm_config, reviewer_for):
    openai_server.delay_s = 0.05
    reviewer = reviewer_for(llm_config(openai_server, concurrency=1, cache=False))
    report = reviewer.review_set(okr_set(*DRAFTS))
    assert [key_result_text(r) for r in openai_server.completions] == list(DRAFTS)
    assert openai_server.max_in_flight == 1
    assert all(r.critique.critic == "llm" for r in report.reviews)


def test_a_reask_waits_for_a_slot_like_any_request(openai_server, llm_config, reviewer_for):
    good = answer_with()

    def prose_first(request: RecordedRequest) -> Reply:
        # Not JSON the first time: the critic asks again with the violation spelled out.
        reply = good(request) if request.is_reask else Reply.text("Looks fine to me!")
        reply.delay_s = 0.1
        return reply

    openai_server.respond_with(prose_first)
    reviewer = reviewer_for(llm_config(openai_server, concurrency=2, cache=False))
    report = reviewer.review_set(okr_set(*DRAFTS))
    assert len(openai_server.completions) == 2 * len(DRAFTS)
    assert openai_server.max_in_flight == 2
    assert all(r.critique.critic == "llm" for r in report.reviews)


def test_single_reviews_run_together_share_the_limit(openai_server, llm_config, reviewer_for):
    openai_server.delay_s = 0.15
    reviewer = reviewer_for(llm_config(openai_server, concurrency=2, cache=False))

    async def all_at_once() -> list:
        return await asyncio.gather(*(reviewer.areview_key_result(d) for d in DRAFTS))

    reviews = asyncio.run(all_at_once())
    assert [r.key_result.text for r in reviews] == list(DRAFTS)
    assert openai_server.max_in_flight == 2  # one limit per event loop, not per call


def test_waiting_for_a_slot_is_not_critique_time(openai_server, llm_config, reviewer_for):
    openai_server.delay_s = 0.3
    reviewer = reviewer_for(llm_config(openai_server, concurrency=1, cache=False))
    report = reviewer.review_set(okr_set(*DRAFTS[:3]))
    # The third key result waited about 0.6 s for the slot; its critique took one request.
    critique_ms = [r.timings_ms["critique"] for r in report.reviews]
    assert all(0 < ms < 300 + 250 for ms in critique_ms), critique_ms
    assert report.timings_ms["total"] >= 3 * 300


@pytest.fixture
def unfrozen() -> None:
    if gc.get_freeze_count():
        pytest.skip("this process froze objects itself: a batch leaves them alone")


def test_a_batch_freezes_older_objects_and_unfreezes_them(
    unfrozen, openai_server, llm_config, reviewer_for
):
    reviewer = reviewer_for(llm_config(openai_server, cache=False))
    during: list[int] = []
    reviewer.review_set(
        okr_set(*DRAFTS[:3]), progress=lambda *_: during.append(gc.get_freeze_count())
    )
    assert len(during) == 3 and all(count > 0 for count in during)
    assert gc.get_freeze_count() == 0


def test_a_failing_batch_unfreezes_too(unfrozen, openai_server, llm_config, reviewer_for):
    reviewer = reviewer_for(llm_config(openai_server, cache=False))

    def broken_progress(*_: object) -> None:
        raise RuntimeError("the caller's progress bar broke")

    with pytest.raises(RuntimeError, match="progress bar"):
        reviewer.review_set(okr_set(*DRAFTS[:2]), progress=broken_progress)
    assert gc.get_freeze_count() == 0


def test_an_offline_batch_does_not_freeze(unfrozen, lexical_index, tmp_path):
    config = Config(retrieval=RetrievalConfig(embedding="none", cache_dir=tmp_path))
    during: list[int] = []
    Reviewer(config, index=lexical_index).review_set(
        okr_set(*DRAFTS[:2]), progress=lambda *_: during.append(gc.get_freeze_count())
    )
    assert during == [0, 0]


def test_set_rules_of_an_llm_batch_match_the_offline_ones(
    openai_server, llm_config, reviewer_for, lexical_index, tmp_path
):
    drafts = okr_set(*DRAFTS[:5])  # five key results under one objective: OKR601
    llm_report = reviewer_for(llm_config(openai_server, cache=False)).review_set(drafts)
    offline = Config(retrieval=RetrievalConfig(embedding="none", cache_dir=tmp_path / "offline"))
    offline_report = Reviewer(offline, index=lexical_index).review_set(drafts)
    codes = [f.code for f in llm_report.set_findings]
    assert "OKR601" in codes
    assert codes == [f.code for f in offline_report.set_findings]
    assert llm_report.timings_ms["set_rules"] > 0
