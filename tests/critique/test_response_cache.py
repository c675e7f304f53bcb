"""The LLM response cache: a rerun of an unchanged file makes zero LLM calls."""

from __future__ import annotations

import json
from pathlib import Path

from critique_kit import okr_set
from support.openai_server import answer_with

from reviewer.critique.cache import ResponseCache, cache_key

DRAFTS = ("Migrate the checkout service to Kubernetes", "Launch dark mode", "Add caching to search")


def snapshot(report):
    return [
        (r.critique.critic, r.critique.summary, [w.model_dump() for w in r.rewrites])
        for r in report.reviews
    ]


def test_second_run_reaches_the_server_zero_times(openai_server, llm_config, reviewer_for):
    config = llm_config(openai_server)
    first = reviewer_for(config).review_set(okr_set(*DRAFTS))
    assert len(openai_server.completions) == 3 and first.usage.llm_calls == 3

    openai_server.reset()
    second = reviewer_for(config).review_set(okr_set(*DRAFTS))  # a new process would do the same
    assert openai_server.completions == []
    assert second.usage.llm_calls == 0 and second.usage.cache_hits == 3
    assert second.usage.total_tokens == 0
    assert snapshot(second) == snapshot(first)


def test_a_reasked_conversation_replays_from_the_cache(openai_server, llm_config, reviewer_for):
    openai_server.push(answer_with(rewrite="Finish the Kubernetes migration by Q3"))
    config = llm_config(openai_server)
    first = reviewer_for(config).review_set(okr_set(DRAFTS[0]))
    assert len(openai_server.completions) == 2 and first.reviews[0].critique.critic == "llm"

    openai_server.reset()
    second = reviewer_for(config).review_set(okr_set(DRAFTS[0]))
    assert openai_server.completions == [] and second.usage.cache_hits == 2
    assert snapshot(second) == snapshot(first)


def test_no_cache_bypasses_and_writes_nothing(openai_server, llm_config, reviewer_for, tmp_path):
    config = llm_config(openai_server, cache=False)
    reviewer_for(config).review_set(okr_set(*DRAFTS))
    reviewer_for(config).review_set(okr_set(*DRAFTS))
    assert len(openai_server.completions) == 6
    assert not (tmp_path / "cache" / "llm").exists()


def test_failed_answers_are_not_cached(openai_server, llm_config, reviewer_for):
    from support.openai_server import Reply

    openai_server.push(Reply.error(500))
    config = llm_config(openai_server)
    first = reviewer_for(config).review_set(okr_set(DRAFTS[0]))
    assert first.reviews[0].critique.critic == "deterministic"
    second = reviewer_for(config).review_set(okr_set(DRAFTS[0]))
    assert second.reviews[0].critique.critic == "llm"  # the outage was not remembered
    assert len(openai_server.completions) == 2


def test_changing_the_model_or_the_prompt_misses_the_cache():
    messages = [("system", "s"), ("user", "u")]
    base = cache_key("m", "critique@1", "json_schema", messages)
    assert base == cache_key("m", "critique@1", "json_schema", list(messages))
    assert base != cache_key("other", "critique@1", "json_schema", messages)
    assert base != cache_key("m", "critique@2", "json_schema", messages)
    assert base != cache_key("m", "critique@1", "json_mode", messages)
    assert base != cache_key("m", "critique@1", "json_schema", [("system", "s"), ("user", "v")])


def test_cache_entries_are_plain_json_and_unreadable_ones_are_misses(tmp_path: Path):
    cache = ResponseCache(tmp_path)
    cache.put("ab" * 32, {"answer": {"summary": "x"}})
    [path] = list((tmp_path / "llm").rglob("*.json"))
    assert json.loads(path.read_text())["answer"] == {"summary": "x"}
    assert cache.get("ab" * 32)["answer"] == {"summary": "x"}
    path.write_text("{not json")
    assert cache.get("ab" * 32) is None
    assert not list((tmp_path / "llm").rglob(".tmp-*"))
