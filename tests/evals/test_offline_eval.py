"""The offline eval as a regression gate: every bar from the issues, on both splits.

The gate is dev and test only; the blind holdout is reported beside them, never gated, and
its cases are never listed (tests at the end).

The thresholds are the floor the issues set (reviewer/evaluation/bars.py), not today's
numbers. Disabling one rule must turn this red; a test below proves it does.
"""

from __future__ import annotations

import json

import pytest
import yaml

from reviewer.cli import main
from reviewer.evaluation.bars import closed_gaps, known_gaps, missed
from reviewer.evaluation.datasets import ALL_SPLITS, HOLDOUT, SPLITS, default_data_dir, load_dataset
from reviewer.evaluation.runner import (
    EvalOptions,
    EvalResult,
    SplitResult,
    eval_config,
    evaluate,
    render_markdown,
    render_text,
    to_json,
)


@pytest.fixture(scope="module")
def cache_dir(eval_cache_dir):
    return eval_cache_dir


@pytest.fixture(scope="module")
def offline_result(cache_dir):
    config = eval_config("offline", retrieval={"cache_dir": str(cache_dir)})
    return evaluate(EvalOptions(config=config))


def test_every_stage_ran(offline_result):
    assert offline_result.errors == {}
    for split in SPLITS:
        metrics = offline_result.splits[split].metrics
        for key in (
            "rules.kind_accuracy",
            "sets.accuracy",
            "retrieval.default.mrr",
            "retrieval.lexical.mrr",
            "rewrites.coverage",
            "critique.grounded_rate",
        ):
            assert key in metrics, (split, key)


@pytest.mark.parametrize("split", SPLITS)
def test_offline_eval_meets_every_bar(offline_result, split):
    results = [r for r in offline_result.bar_results() if r.split == split]
    assert len(results) >= 19
    failed = [r.describe() for r in missed(results)]
    assert not failed, "bars missed:\n" + "\n".join(failed)
    closed = [r.describe() for r in closed_gaps(results)]
    assert not closed, "a declared known gap is now met; remove it from bars.py:\n" + "\n".join(
        closed
    )


def test_known_gaps_are_few_and_declared_with_their_issue(offline_result):
    """A known gap is an open promise, never a silent pass: it names its issue and floor."""
    gaps = known_gaps(offline_result.bar_results())
    assert {r.bar.metric for r in gaps} <= {"retrieval.default.recall_at_3"}
    for result in gaps:
        assert result.bar.source.startswith("issue ")
        assert result.bar.gap_floor is not None and result.value >= result.bar.gap_floor
        assert "GAP" in result.describe()


def test_disabling_one_rule_fails_the_bar_check():
    """A deliberate regression (KR101 ignored) must turn the gate red."""
    config = eval_config("offline", ignore=["KR101"])
    result = evaluate(EvalOptions(config=config, stages=("rules",)))
    assert result.errors == {}
    failed = missed(result.bar_results())
    assert any(r.bar.metric == "rules.KR101.recall" for r in failed)
    assert {r.split for r in failed} == set(SPLITS)


# -- the command ---------------------------------------------------------------------------
def _small_data_dir(root, mislabel: bool = False, holdout: int = 0):
    """A few cases of every dataset, copied from the real ones, under `root/datasets`."""
    datasets = root / "datasets"
    datasets.mkdir(parents=True)
    krs = [
        c for s in SPLITS for c in [c for c in load_dataset("key_results") if c["split"] == s][:6]
    ]
    held = [c for c in load_dataset("key_results") if c["split"] == HOLDOUT][:holdout]
    if mislabel:
        for case in krs + held:
            case["labels"]["kind"] = "unmeasurable"
    if held:
        (datasets / "key_results_holdout.yaml").write_text(
            yaml.safe_dump({"cases": held}), encoding="utf-8"
        )
    picks = {
        "key_results": krs,
        "sets": load_dataset("sets")[:2],
        "critique": load_dataset("critique")[:2],
        "retrieval": load_dataset("retrieval")[:4],
    }
    for name, cases in picks.items():
        (datasets / f"{name}.yaml").write_text(yaml.safe_dump({"cases": cases}), encoding="utf-8")
    return root


def test_eval_command_writes_reports_and_baseline(tmp_path, cache_dir, monkeypatch, capsys):
    monkeypatch.setenv("OKR_REVIEW_CACHE_DIR", str(cache_dir))
    data = _small_data_dir(tmp_path / "evals")
    out = tmp_path / "out"
    code = main(["eval", "--data", str(data), "--out", str(out), "--update-baseline"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "kind accuracy" in printed and "KR101" in printed and "retrieval recall@3" in printed
    report = json.loads((out / "eval-offline.json").read_text(encoding="utf-8"))
    assert set(report["metrics"]) == set(SPLITS)
    assert "rules.kind_accuracy" in report["metrics"]["dev"]
    assert (out / "eval-offline.md").read_text(encoding="utf-8").startswith("## Eval results")
    baseline = json.loads((data / "baselines" / "offline.json").read_text(encoding="utf-8"))
    assert baseline["metrics"] == report["metrics"]

    # Same data again: the table compares against the baseline and shows no change.
    assert main(["eval", "--data", str(data), "--out", str(out), "--split", "dev"]) == 0
    printed = capsys.readouterr().out
    assert "Δ dev" in printed
    assert "test" not in printed.splitlines()[0].split("splits=")[1]


def test_eval_command_check_fails_on_missed_bars(tmp_path, cache_dir, monkeypatch, capsys):
    monkeypatch.setenv("OKR_REVIEW_CACHE_DIR", str(cache_dir))
    data = _small_data_dir(tmp_path / "evals", mislabel=True, holdout=4)
    out = tmp_path / "out"
    assert main(["eval", "--data", str(data), "--out", str(out)]) == 0
    assert main(["eval", "--data", str(data), "--out", str(out), "--check"]) == 1
    printed = capsys.readouterr().out
    assert "rules.kind_accuracy >= 0.9" in printed

    # --split all puts the holdout beside dev and test, outside the gate and unlisted.
    assert printed.splitlines()[0].endswith("splits=dev/test/holdout")
    assert "holdout P / R / F1" in printed and "not gated" in printed
    assert "[holdout]" not in printed and "ho-0" not in printed
    assert "[dev] kind wrong" in printed
    report = json.loads((out / "eval-offline.json").read_text(encoding="utf-8"))
    assert set(report["metrics"]) == set(ALL_SPLITS)
    assert report["metrics"][HOLDOUT]["rules.kind_accuracy"] < 0.9
    assert {b["split"] for b in report["bars"]} == set(SPLITS)
    assert report["reported_only_splits"] == [HOLDOUT]
    assert "ho-0" not in json.dumps(report["details"][HOLDOUT])
    assert "ho-0" not in (out / "eval-offline.md").read_text(encoding="utf-8")

    # The holdout alone: just as mislabeled, yet --check passes, since no bar applies to it.
    assert (
        main(["eval", "--data", str(data), "--out", str(out), "--split", "holdout", "--check"]) == 0
    )
    printed = capsys.readouterr().out
    assert printed.splitlines()[0].endswith("splits=holdout")
    assert "no bars apply" in printed and "ho-0" not in printed


def _split_result(prefix: str, kind_accuracy: float) -> SplitResult:
    case = f"{prefix}-001"
    return SplitResult(
        metrics={"rules.kind_accuracy": kind_accuracy},
        details={
            "misclassified": [
                {"id": case, "text": "Ship it", "label": "output", "predicted": "outcome"}
            ],
            "missed": {"KR101": [case]},
            "false_alarms": {"KR202": [case]},
            "confusion": {"output": {"outcome": 1}},
            "per_code": {"KR101": {"code": "KR101", "tp": 0, "fn": 1}},
            "rewrites": {"coverage": 1.0, "examples": [f"{case}: Ship it by <deadline>"]},
            "reference_rewrites_not_outcome": [{"id": f"{case}:reference", "text": "x"}],
        },
    )


def test_bars_gate_dev_and_test_only_and_reports_never_list_holdout_cases():
    result = EvalResult(
        critic="offline",
        data_dir="evals",
        splits={
            "dev": _split_result("dev", 0.95),
            "test": _split_result("test", 0.95),
            HOLDOUT: _split_result("ho", 0.10),
        },
    )
    results = result.bar_results()
    assert results and {r.split for r in results} == set(SPLITS)
    assert not [r for r in missed(results) if r.bar.metric == "rules.kind_accuracy"]

    text = render_text(result, None)
    assert "dev-001" in text and "test-001" in text
    assert "ho-001" not in text and "not gated" in text
    markdown = render_markdown(result, None)
    assert "ho-001" not in markdown and "not gated" in markdown

    report = to_json(result, None)
    assert report["gated_splits"] == list(SPLITS)
    held = report["details"][HOLDOUT]
    assert "ho-001" not in json.dumps(held)
    assert held["per_code"] and held["confusion"] and held["rewrites"]["coverage"] == 1.0
    assert held["cases_listed"] is False
    assert report["details"]["dev"]["misclassified"][0]["id"] == "dev-001"


def test_eval_command_rejects_a_folder_without_datasets(tmp_path, capsys):
    assert main(["eval", "--data", str(tmp_path)]) == 2
    assert "datasets" in capsys.readouterr().err


def test_committed_baseline_exists_for_the_offline_critic():
    path = default_data_dir() / "baselines" / "offline.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["critic"] == "offline"
    assert set(SPLITS) <= set(data["metrics"]) <= set(ALL_SPLITS)
