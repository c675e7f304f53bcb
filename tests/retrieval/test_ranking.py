"""Ranking: BM25, fired-code boosting, fusion, and the lexical-only mode with no chromadb."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from retrieval_kit import FIXTURE_CORPUS, make_config, retrieval_settings

from reviewer.retrieve import open_index
from reviewer.retrieve.corpus import load_passages
from reviewer.retrieve.search import (
    LEXICAL_ONLY_WEIGHTS,
    FusionWeights,
    LexicalIndex,
    code_match,
    minmax,
    rank,
)


@pytest.fixture(scope="module")
def passages() -> list[Any]:
    return load_passages([FIXTURE_CORPUS], bundled=False)


def test_bm25_prefers_the_passage_that_shares_words_and_stems(passages: list[Any]) -> None:
    lexical = LexicalIndex(passages)
    scores = lexical.scores("averages of latencies")  # stems: averag, latenc
    best = passages[int(np.argmax(scores))]
    assert best.id == "gamma-latency#percentiles-beat-averages"
    assert lexical.scores("").sum() == 0
    assert lexical.scores("the of and").sum() == 0  # stop words only


def test_minmax_scales_to_unit_range_and_flat_input_to_zero() -> None:
    assert minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([7.0, 7.0])).tolist() == [0.0, 0.0]


def test_code_match_is_the_share_of_fired_codes_a_passage_explains(passages: list[Any]) -> None:
    flat = FusionWeights(breadth=0.0)
    match = dict(
        zip(
            (p.id for p in passages),
            code_match(passages, ["OKR601", "kr101"], weights=flat),
            strict=True,
        )
    )
    assert match["delta-focus#three-to-five-objectives"] == 0.5
    assert match["alpha-outcomes#the-shipped-it-test"] == 0.5
    assert match["beta-baselines#instrument-first"] == 0.0
    # A section explaining two codes earns less per code than one explaining one.
    broad = dict(
        zip(
            (p.id for p in passages),
            code_match(passages, ["OKR601"], weights=FusionWeights(breadth=1.0)),
            strict=True,
        )
    )
    assert broad["delta-focus#three-to-five-objectives"] == 0.5


def _tagged(passage: Any, rules: list[str]) -> Any:
    return passage.model_copy(update={"rules": rules})


def test_a_section_that_explains_the_code_beats_its_document_siblings(
    passages: list[Any],
) -> None:
    # beta-baselines explains KR201 as a document; only its first section says it explains it.
    doc_rules = {"beta-baselines": ["KR201"]}
    retagged = [
        _tagged(p, ["KR201"] if p.id == "beta-baselines#why-a-baseline-matters" else [])
        if p.doc_id == "beta-baselines"
        else p
        for p in passages
    ]
    weights = FusionWeights(semantic=0.0, doc_code=0.25, breadth=0.0)
    match = dict(
        zip(
            (p.id for p in retagged),
            code_match(retagged, ["KR201"], doc_rules, weights),
            strict=True,
        )
    )
    assert match["beta-baselines#why-a-baseline-matters"] == 1.0
    assert match["beta-baselines#instrument-first"] == 0.25  # the document explains it
    assert match["gamma-latency#percentiles-beat-averages"] == 0.0
    lexical = LexicalIndex(retagged)
    # No word in common: the codes alone order the passages, and unrelated ones drop out.
    top = rank(retagged, lexical.scores("zebra"), None, ["KR201"], 5, weights, doc_rules)
    assert [p.id for p in top] == [
        "beta-baselines#why-a-baseline-matters",
        "beta-baselines#instrument-first",
    ]


def test_a_fired_code_pulls_its_guidance_above_a_better_word_match(passages: list[Any]) -> None:
    lexical = LexicalIndex(passages)
    query = "reduce p95 latency of the checkout page"
    plain = rank(passages, lexical.scores(query), None, (), k=3, weights=LEXICAL_ONLY_WEIGHTS)
    assert plain[0].doc_id == "gamma-latency"
    boosted = rank(
        passages, lexical.scores(query), None, ["KR201"], k=3, weights=LEXICAL_ONLY_WEIGHTS
    )
    assert boosted[0].doc_id == "beta-baselines"
    assert all(0.0 <= p.score <= 1.0 for p in boosted)
    # Results are copies: the corpus passages keep a zero score.
    assert all(p.score == 0.0 for p in passages)


def test_each_fired_code_gets_a_passage_near_the_top(passages: list[Any]) -> None:
    lexical = LexicalIndex(passages)
    query = "launch the new checkout"
    first = FusionWeights(semantic=0.0, one_per_code_first=True)
    top = rank(passages, lexical.scores(query), None, ["KR101", "OKR602"], k=2, weights=first)
    assert {p.doc_id for p in top} == {"alpha-outcomes", "delta-focus"}
    flat = FusionWeights(semantic=0.0, one_per_code_first=False)
    top_flat = rank(passages, lexical.scores(query), None, ["KR101", "OKR602"], k=2, weights=flat)
    assert {p.doc_id for p in top_flat} == {"alpha-outcomes"}


def test_semantic_scores_take_part_in_the_fusion(passages: list[Any]) -> None:
    lexical = np.zeros(len(passages))
    semantic = np.linspace(0.0, 1.0, len(passages))
    top = rank(
        passages, lexical, semantic, (), k=1, weights=FusionWeights(semantic=1.0, lexical=1.0)
    )
    assert top[0].id == passages[-1].id


def test_nothing_in_common_returns_no_passages(passages: list[Any]) -> None:
    lexical = LexicalIndex(passages)
    assert rank(passages, lexical.scores("zebra xylophone"), None, (), k=3) == []
    assert rank(passages, lexical.scores("latency"), None, (), k=0) == []


def test_lexical_only_index_needs_no_chromadb(
    corpus_dir: Path, cache_dir: Path, run_probe: Callable[..., dict[str, Any]]
) -> None:
    result = run_probe(
        {
            "retrieval": retrieval_settings(corpus_dir, cache_dir, embedding="none"),
            "query": "our p99 latency is too high",
            "codes": ["KR403"],
        }
    )
    assert result["chromadb_loaded"] is False
    assert result["status"]["backend"] == "lexical"
    assert result["status"]["degraded"] is None
    assert result["results"][0]["id"].startswith("gamma-latency#")
    assert not cache_dir.exists()  # nothing to persist without a vector store


def test_lexical_only_index_in_process(corpus_dir: Path, cache_dir: Path) -> None:
    index = open_index(make_config(corpus_dir, cache_dir, embedding="none", top_k=2))
    hits = index.search("no data exists yet: collect numbers first")
    assert hits[0].id == "beta-baselines#instrument-first"
    assert len(index.search("latency baseline outcomes")) == 2  # top_k from the config
    assert len(index.search("latency baseline outcomes", k=3)) == 3
    assert index.get("beta-baselines#instrument-first") is not None
    assert index.get("beta-baselines#nope") is None
    assert len(index.passages()) == 8


def test_the_primary_section_of_a_fired_rule_comes_first_among_equals(
    passages: list[Any],
) -> None:
    # Both baselines sections explain KR201; only one is marked as its primary explanation.
    lexical = np.zeros(len(passages))
    weights = FusionWeights(semantic=0.0, breadth=0.0, primary=0.2)
    plain = rank(passages, lexical, None, ["KR201"], 2, weights)
    assert [p.id for p in plain] == [
        "beta-baselines#why-a-baseline-matters",
        "beta-baselines#instrument-first",
    ]
    primary = {"beta-baselines#instrument-first": ["KR201"]}
    marked = rank(passages, lexical, None, ["KR201"], 2, weights, primary=primary)
    assert [p.id for p in marked] == [
        "beta-baselines#instrument-first",
        "beta-baselines#why-a-baseline-matters",
    ]
    assert all(0.0 <= p.score <= 1.0 for p in marked)
    # A primary mark for a rule that did not fire changes nothing.
    other = rank(passages, lexical, None, ["KR201"], 2, weights, primary={"x#y": ["KR201"]})
    assert [p.id for p in other] == [p.id for p in plain]
