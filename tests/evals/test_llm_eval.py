"""The LLM eval against a real (scripted) OpenAI-compatible server on 127.0.0.1.

Checks that the LLM critic and the LLM judge are scored, that the judge's agreement with
the hand labels is reported, and that a rerun costs nothing (every answer is cached).
"""

from __future__ import annotations

import pytest
import yaml
from support.openai_server import RecordedRequest, Reply, critique_answer

from reviewer.errors import ConfigError
from reviewer.evaluation.datasets import SPLITS, load_dataset
from reviewer.evaluation.runner import EvalOptions, eval_config, evaluate


def _respond(request: RecordedRequest) -> Reply:
    if "You grade reviews" in request.prompt:
        # A judge that calls every draft bad: it agrees with the labels on the bad half only.
        return Reply.json({"kind": "output", "needs_rework": True, "critique_score": 4})
    return Reply.json(critique_answer(request))


@pytest.fixture
def small_data(tmp_path):
    root = tmp_path / "evals"
    datasets = root / "datasets"
    datasets.mkdir(parents=True)
    krs = load_dataset("key_results")
    picks = [c for s in SPLITS for c in [c for c in krs if c["split"] == s][:4]]
    (datasets / "key_results.yaml").write_text(yaml.safe_dump({"cases": picks}), encoding="utf-8")
    return root


def test_llm_eval_scores_critic_and_judge_and_caches(
    openai_server_factory, small_data, eval_cache_dir
):
    server = openai_server_factory(_respond)
    config = eval_config(
        "llm",
        llm={"base_url": server.base_url, "api_key": "sk-test", "max_retries": 0},
        retrieval={"cache_dir": str(eval_cache_dir)},
    )
    options = EvalOptions(
        critic="llm", config=config, data_dir=small_data, stages=("critic",), judge=True
    )
    first = evaluate(options)
    assert first.errors == {}
    calls = len(server.completions)
    assert calls >= 8  # 8 critiques at least, plus the judge's ratings
    for split in SPLITS:
        metrics = first.splits[split].metrics
        assert metrics["judge.rated"] == 4
        assert 0.0 <= metrics["judge.agreement"] <= 1.0
        assert "judge.kappa" in metrics and metrics["judge.critique_score"] == 4.0
        assert "rewrites.verified_rate" in metrics and "critique.cites_retrieved_rate" in metrics
    bad = sum(bool(c["labels"]["must_fire"]) for c in load_dataset("key_results", small_data))
    rated = 8
    agreement = sum(first.splits[s].metrics["judge.agreement"] * 4 for s in SPLITS) / rated
    assert agreement == pytest.approx(bad / rated)

    second = evaluate(options)
    assert len(server.completions) == calls, "a rerun must be answered from the cache"
    assert second.splits["dev"].metrics == first.splits["dev"].metrics


def test_llm_eval_needs_an_endpoint(monkeypatch):
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="needs an endpoint"):
        eval_config("llm")
