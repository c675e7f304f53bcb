"""Unit tests for the pure scorers, with expectations computed by hand."""

from __future__ import annotations

import pytest

from reviewer.evaluation import scorers
from reviewer.evaluation.bars import BARS, Bar, check_bars, missed
from reviewer.evaluation.scorers import (
    CitationSample,
    KeyResultPrediction,
    RewriteSample,
)


def case(cid, kind, fire=(), not_fire=(), b=False, t=False, tb=True, period="2026-Q3"):
    return {
        "id": cid,
        "period": period,
        "labels": {
            "kind": kind,
            "must_fire": list(fire),
            "must_not_fire": list(not_fire),
            "has_baseline": b,
            "has_target": t,
            "timebound": tb,
        },
    }


def pred(cid, kind, codes=(), b=False, t=False, deadline=False):
    return KeyResultPrediction(cid, kind, frozenset(codes), b, t, deadline)


# -- precision / recall -----------------------------------------------------------------------
def test_precision_recall_f1_from_counts():
    p, r, f1 = scorers.precision_recall_f1(tp=3, fp=1, fn=2)
    assert p == pytest.approx(0.75)
    assert r == pytest.approx(0.6)
    assert f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_precision_recall_vacuous_and_zero():
    assert scorers.precision_recall_f1(0, 0, 0) == (1.0, 1.0, 1.0)
    assert scorers.precision_recall_f1(0, 0, 4) == (1.0, 0.0, 0.0)
    assert scorers.precision_recall_f1(0, 2, 0) == (0.0, 1.0, 0.0)
    assert scorers.precision_recall_f1(0, 2, 3)[2] == 0.0


def test_code_scores_count_only_labeled_codes():
    cases = [
        case("a", "output", fire=["KR101"], not_fire=["KR201"]),
        case("b", "outcome", fire=[], not_fire=["KR101"]),
        case("c", "output", fire=["KR101"]),
        case("d", "outcome", not_fire=["KR101", "KR201"]),
    ]
    preds = {
        "a": pred("a", "output", ["KR101", "KR201"]),  # KR101 TP, KR201 FP
        "b": pred("b", "outcome", ["KR101", "KR999"]),  # KR101 FP; KR999 unlabeled: ignored
        "c": pred("c", "output", []),  # KR101 FN
        "d": pred("d", "outcome", []),  # KR101 TN, KR201 TN
    }
    scores = scorers.code_scores(cases, preds)
    assert set(scores) == {"KR101", "KR201"}
    kr101 = scores["KR101"]
    assert (kr101.tp, kr101.fp, kr101.fn, kr101.tn) == (1, 1, 1, 1)
    assert kr101.precision == 0.5
    assert kr101.recall == 0.5
    assert kr101.support == 2
    kr201 = scores["KR201"]
    assert (kr201.tp, kr201.fp, kr201.fn, kr201.tn) == (0, 1, 0, 1)
    assert kr201.precision == 0.0
    assert kr201.recall == 1.0  # nothing expected: vacuous


def test_code_scores_respects_requested_codes_and_order():
    cases = [case("a", "output", fire=["KR101"])]
    scores = scorers.code_scores(cases, {"a": pred("a", "output", ["KR101"])}, ["KR102", "KR101"])
    assert list(scores) == ["KR102", "KR101"]
    assert scores["KR102"].support == 0
    assert scores["KR101"].tp == 1


def test_missing_prediction_is_an_error():
    with pytest.raises(ValueError, match="no prediction"):
        scorers.kind_accuracy([case("a", "output")], {})


# -- kind ----------------------------------------------------------------------------------
def test_kind_accuracy_and_confusion_matrix():
    cases = [
        case("a", "outcome"),
        case("b", "outcome"),
        case("c", "output"),
        case("d", "activity"),
    ]
    preds = {
        "a": pred("a", "outcome"),
        "b": pred("b", "output"),
        "c": pred("c", "output"),
        "d": pred("d", "unmeasurable"),
    }
    assert scorers.kind_accuracy(cases, preds) == 0.5
    matrix = scorers.confusion_matrix(cases, preds)
    assert matrix["outcome"] == {"outcome": 1, "output": 1, "activity": 0, "unmeasurable": 0}
    assert matrix["output"]["output"] == 1
    assert matrix["activity"]["unmeasurable"] == 1
    assert sum(sum(row.values()) for row in matrix.values()) == 4


def test_kind_accuracy_of_nothing_is_one():
    assert scorers.kind_accuracy([], {}) == 1.0


# -- anatomy -------------------------------------------------------------------------------
def test_anatomy_accuracy_timebound_uses_period_or_deadline():
    cases = [
        case("a", "outcome", b=True, t=True, tb=True, period="2026-Q3"),
        case("b", "outcome", b=False, t=True, tb=True, period=None),
        case("c", "outcome", b=False, t=False, tb=False, period=None),
    ]
    preds = {
        "a": pred("a", "outcome", b=True, t=True, deadline=False),  # period makes it timebound
        "b": pred("b", "outcome", b=True, t=True, deadline=True),  # baseline wrong
        "c": pred("c", "outcome", b=False, t=True, deadline=True),  # target and timebound wrong
    }
    acc = scorers.anatomy_accuracy(cases, preds)
    assert acc["has_baseline"] == pytest.approx(2 / 3)
    assert acc["has_target"] == pytest.approx(2 / 3)
    assert acc["timebound"] == pytest.approx(2 / 3)


# -- sets ----------------------------------------------------------------------------------
def test_set_finding_scores():
    cases = [
        {
            "id": "s1",
            "expected_set_findings": [{"code": "OKR601", "objective": "Fast CI"}],
            "must_not": ["OKR602"],
        },
        {"id": "s2", "expected_set_findings": [{"code": "OKR602", "objective": None}]},
        {"id": "s3", "expected_set_findings": [], "must_not": ["OKR605"]},
    ]
    found = {
        "s1": [("OKR601", "fast ci"), ("OKR603", "Fast CI")],  # OKR603 unlabeled on s1
        "s2": [],  # missed
        "s3": [("OKR605", "Anything")],  # must_not fired
    }
    score = scorers.set_finding_scores(cases, found)
    assert score.accuracy == pytest.approx(1 / 3)
    assert (score.per_code["OKR601"].tp, score.per_code["OKR601"].fn) == (1, 0)
    assert score.per_code["OKR602"].fn == 1
    assert score.per_code["OKR602"].tn == 1  # s1's must_not held
    assert score.per_code["OKR605"].fp == 1
    assert "OKR603" not in score.per_code
    assert set(score.failures) == {"s2", "s3"}


def test_set_finding_on_the_wrong_objective_is_a_miss_and_a_false_alarm():
    cases = [{"id": "s", "expected_set_findings": [{"code": "OKR604", "objective": "A"}]}]
    score = scorers.set_finding_scores(cases, {"s": [("OKR604", "B")]})
    assert score.accuracy == 0.0
    assert (score.per_code["OKR604"].tp, score.per_code["OKR604"].fn) == (0, 1)
    assert score.per_code["OKR604"].fp == 1


# -- retrieval -----------------------------------------------------------------------------
def test_recall_at_k_by_hand():
    expected = ["a#x", "b#y", "c#z"]
    ranked = ["b#y", "q#q", "a#x", "c#z"]
    assert scorers.recall_at_k(expected, ranked, 3) == pytest.approx(2 / 3)
    assert scorers.recall_at_k(expected, ranked, 4) == 1.0
    assert scorers.recall_at_k(expected, ranked, 1) == 1.0  # capped: 1 hit / min(3, 1)
    assert scorers.recall_at_k(["a#x"], ranked, 2) == 0.0
    assert scorers.recall_at_k([], ranked, 3) == 1.0


def test_recall_at_k_doc_id_matches_its_passages_once():
    assert scorers.recall_at_k(["baselines"], ["baselines#why", "baselines#how"], 3) == 1.0
    assert scorers.recall_at_k(["baselines", "x#y"], ["baselines#why", "baselines#how"], 3) == 0.5
    # a passage id never matches another passage of the same doc, nor a doc-level id
    assert scorers.recall_at_k(["baselines#why"], ["baselines#how", "baselines"], 3) == 0.0
    assert not scorers.id_matches("base", "baselines#why")


def test_mean_reciprocal_rank_by_hand():
    expected = [["a#1"], ["b"], ["c#3"]]
    ranked = [["a#1", "x"], ["x", "y", "b#2"], ["x", "y"]]
    assert scorers.mean_reciprocal_rank(expected, ranked) == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert scorers.mean_reciprocal_rank([], []) == 0.0
    with pytest.raises(ValueError):
        scorers.mean_reciprocal_rank([["a"]], [])


def test_mean_recall_at_k():
    value = scorers.mean_recall_at_k([["a"], ["b", "c"]], [["a"], ["b", "x", "y"]], 3)
    assert value == pytest.approx((1 + 0.5) / 2)


# -- numbers in rewrites -------------------------------------------------------------------
def test_numbers_in_reads_engineers_formats():
    values = [v for _, v in scorers.numbers_in("1,200 ms, 15k users, $3.5M, 4.6/5, 8/quarter, 2x")]
    assert values == [1200, 15000, 3.5e6, 4.6, 5, 8, 2]


def test_numbers_in_skips_placeholders_and_labels():
    assert scorers.numbers_in("from <baseline> to <target: 5> at p95 for P1 incidents by Q3") == []
    assert [v for _, v in scorers.numbers_in("250ms and 5m")] == [250, 5]


def test_invented_numbers():
    sources = ["Reduce p99 latency from 1,200 ms to 400 ms", "2026-Q3"]
    assert (
        scorers.invented_numbers("Cut p95 latency from 1200 ms to 400 ms by Q3 2026", sources) == []
    )
    assert scorers.invented_numbers("Cut latency from <baseline> to 350 ms", sources) == ["350"]
    assert scorers.invented_numbers("Reach 15k users", ["from 15,000 users"]) == []
    assert scorers.invented_numbers("Reach 2x", []) == ["2"]


def test_invented_numbers_forgives_unit_conversions_only_with_a_normalizer():
    def normalize(text):
        units = {"minutes": 60.0, "s": 1.0}
        out = []
        for raw, value in scorers.numbers_in(text):
            for unit, factor in units.items():
                if f"{raw} {unit}" in text:
                    out.append((f"{raw} {unit}", value * factor, "duration"))
        return out

    sources = ["Cut rollback time to 5 minutes"]
    assert scorers.invented_numbers("Cut rollback time to 300 s", sources) == ["300"]
    assert scorers.invented_numbers("Cut rollback time to 300 s", sources, normalize) == []
    assert scorers.invented_numbers("Cut rollback time to 200 s", sources, normalize) == ["200"]


def test_keeps_subject():
    draft = "Migrate the checkout service to Kubernetes"
    assert scorers.keeps_subject("Raise checkout conversion from <baseline> to <target>", draft)
    assert not scorers.keeps_subject("Raise activation from <baseline> to <target>", draft)
    assert scorers.keeps_subject("Reduce p99 latency from <baseline> to <target>", "p99 < 300ms")


def test_rewrite_validity_by_hand():
    samples = [
        RewriteSample(
            "a",
            "Reduce MTTR from 2 hours",
            ("Make incidents short", "2026-Q3"),
            (
                ("Reduce MTTR from 2 hours to <target> minutes by end of Q3", True),
                ("Reduce MTTR from 2 hours to 30 minutes", False),  # invents 30, not verified
            ),
            has_error=True,
        ),
        RewriteSample("b", "Improve reliability", (), (), has_error=True),  # no rewrite
        RewriteSample("c", "Cut p95 from 3 s to 1 s", (), (), has_error=False),
    ]
    score = scorers.rewrite_validity(samples)
    assert score.rewrites == 2
    assert score.verified_rate == 0.5
    assert score.invented_numbers == 1
    assert score.rewrites_with_invented_numbers == 1
    assert score.keeps_subject_rate == 1.0
    assert score.with_error == 2
    assert score.coverage == 0.5
    assert score.examples and "invented 30" in score.examples[0]


# -- citations -----------------------------------------------------------------------------
def test_citation_validity_by_hand():
    samples = [
        CitationSample("a", ("baselines#why", "ghost#x"), ("baselines#why", "b#c"), ("baselines",)),
        CitationSample("b", ("ghost#y",), ("b#c",), ("b#c",)),
        CitationSample("c", (), ("b#c",)),
    ]
    score = scorers.citation_validity(samples)
    assert score.critiques == 3
    assert score.cites_retrieved_rate == pytest.approx(1 / 3)
    assert score.valid_citation_rate == pytest.approx(1 / 3)  # 1 valid of 3 citations
    assert score.grounded_rate == 0.5  # a grounded; b cited b#c only as a ghost


# -- agreement -----------------------------------------------------------------------------
def test_agreement_and_kappa_by_hand():
    first = [True, True, False, False]
    second = [True, False, False, False]
    assert scorers.agreement(first, second) == 0.75
    # p_o = 0.75; p_e = (2*1 + 2*3)/16 = 0.5; kappa = 0.25 / 0.5
    assert scorers.cohen_kappa(first, second) == pytest.approx(0.5)
    assert scorers.cohen_kappa(["a", "a"], ["a", "a"]) == 1.0
    with pytest.raises(ValueError):
        scorers.agreement([1], [])


# -- bars ----------------------------------------------------------------------------------
def test_bars_pass_fail_and_missing():
    bar = Bar("rules.kind_accuracy", ">=", 0.9, "test")
    assert bar.passes(0.9) and not bar.passes(0.899) and not bar.passes(None)
    assert Bar("rewrites.invented_numbers", "<=", 0, "t").passes(0)
    assert not Bar("rewrites.invented_numbers", "<=", 0, "t").passes(1)
    results = check_bars({"dev": {"rules.kind_accuracy": 0.95}}, (bar,))
    assert [r.passed for r in results] == [True]
    results = check_bars({"dev": {}, "test": {"rules.kind_accuracy": 0.5}}, (bar,))
    assert [r.split for r in missed(results)] == ["dev", "test"]


def test_bars_cover_the_issue_floor():
    metrics = {b.metric for b in BARS}
    for code in ("KR101", "KR102", "KR103", "KR201", "KR202", "KR301"):
        assert f"rules.{code}.precision" in metrics and f"rules.{code}.recall" in metrics
    assert {"rules.kind_accuracy", "retrieval.default.recall_at_3"} <= metrics
    assert {"rewrites.verified_rate", "rewrites.invented_numbers", "rewrites.coverage"} <= metrics
    assert all(b.threshold >= 0.9 for b in BARS if b.op == ">=")


def test_a_known_gap_reports_between_floor_and_bar_and_fails_below_the_floor():
    from reviewer.evaluation.bars import Bar, check_bars, closed_gaps, known_gaps, missed

    bar = Bar("retrieval.default.recall_at_3", ">=", 0.9, "issue 4", gap_floor=0.75)
    results = check_bars(
        {
            "dev": {"retrieval.default.recall_at_3": 0.8},
            "test": {"retrieval.default.recall_at_3": 0.7},
            "holdout": {"retrieval.default.recall_at_3": 0.95},
        },
        bars=(bar,),
    )
    assert [r.split for r in known_gaps(results)] == ["dev"]
    assert [r.split for r in missed(results)] == ["test"]
    assert [r.split for r in closed_gaps(results)] == ["holdout"]
    assert "GAP" in results[0].describe() and "MISSED" in results[1].describe()
