"""Schema and consistency of the eval datasets: the labels follow evals/README.md."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml

from reviewer.errors import InputError
from reviewer.evaluation.datasets import (
    ALL_SPLITS,
    HOLDOUT,
    SPLITS,
    by_split,
    default_data_dir,
    load_dataset,
)
from reviewer.evaluation.scorers import KINDS, content_words, invented_numbers, keeps_subject

FUNCTIONS = {"platform", "product", "data", "security", "sre", "devex", "mobile", "ml"}
BARRED = ("KR101", "KR102", "KR103", "KR201", "KR202", "KR301")
CATALOGUE = {
    *BARRED,
    *("KR203", "KR204", "KR205", "KR401", "KR402", "KR403", "KR501"),
    *("OKR601", "OKR602", "OKR603", "OKR604", "OKR605", "KR901", "KR902"),
}
SET_CODES = ("OKR601", "OKR602", "OKR603", "OKR604", "OKR605")
KR_FIELDS = {
    "id",
    "split",
    "function",
    "objective",
    "period",
    "text",
    "baseline",
    "target",
    "deadline",
    "measured_by",
    "labels",
    "tags",
    "reference_rewrite",
}
LABEL_FIELDS = {"kind", "must_fire", "must_not_fire", "has_baseline", "has_target", "timebound"}


@pytest.fixture(scope="module")
def all_krs():
    """Every key-result case: dev, test and the blind holdout (labels follow one guide)."""
    return load_dataset("key_results")


@pytest.fixture(scope="module")
def krs(all_krs):
    """The gated splits (dev and test): the cases the stratification rules apply to."""
    return [c for c in all_krs if c["split"] in SPLITS]


@pytest.fixture(scope="module")
def holdout(all_krs):
    return by_split(all_krs, HOLDOUT)


@pytest.fixture(scope="module")
def sets():
    return load_dataset("sets")


@pytest.fixture(scope="module")
def critiques():
    return load_dataset("critique")


def _sources(case):
    return [
        str(case.get(k))
        for k in ("text", "objective", "period", "baseline", "target", "deadline", "measured_by")
        if case.get(k) is not None
    ]


# -- key results ---------------------------------------------------------------------------
def test_key_result_fields_and_ids(all_krs):
    ids = [c["id"] for c in all_krs]
    assert len(ids) == len(set(ids))
    for c in all_krs:
        assert set(c) <= KR_FIELDS, c["id"]
        assert set(c["labels"]) == LABEL_FIELDS, c["id"]
        assert re.fullmatch(r"[a-z]+-\d{3}", c["id"]), c["id"]
        assert c["split"] in ALL_SPLITS, c["id"]
        assert c["id"].startswith("ho-") == (c["split"] == HOLDOUT), c["id"]
        assert c["function"] in FUNCTIONS, c["id"]
        assert c["labels"]["kind"] in KINDS, c["id"]
        assert isinstance(c["text"], str) and c["text"].strip(), c["id"]
        assert c["period"] is None or isinstance(c["period"], str), c["id"]
        for flag in ("has_baseline", "has_target", "timebound"):
            assert isinstance(c["labels"][flag], bool), (c["id"], flag)


def test_key_result_counts_half_good_half_bad(krs):
    assert len(krs) >= 220
    good = [c for c in krs if not c["labels"]["must_fire"]]
    assert abs(len(good) - (len(krs) - len(good))) <= len(krs) * 0.05
    assert {c["function"] for c in krs} == FUNCTIONS
    for function in FUNCTIONS:
        assert sum(c["function"] == function for c in krs) >= 20, function


def test_splits_are_present_and_stratified(krs):
    counts = Counter(c["split"] for c in krs)
    assert set(counts) == set(SPLITS)
    assert abs(counts["dev"] - counts["test"]) <= 0.1 * len(krs)
    for split in SPLITS:
        part = by_split(krs, split)
        assert {c["function"] for c in part} == FUNCTIONS, split
        assert {c["labels"]["kind"] for c in part} == set(KINDS), split
        good = sum(not c["labels"]["must_fire"] for c in part)
        assert abs(good - (len(part) - good)) <= 0.1 * len(part), split
    # every function x kind stratum is split about evenly
    strata = Counter((c["function"], c["labels"]["kind"], c["split"]) for c in krs)
    for function in FUNCTIONS:
        for kind in KINDS:
            dev, test = strata[(function, kind, "dev")], strata[(function, kind, "test")]
            assert abs(dev - test) <= 2, (function, kind, dev, test)


def test_every_barred_code_has_positives_on_both_splits(krs):
    for split in SPLITS:
        fired = Counter(code for c in by_split(krs, split) for code in c["labels"]["must_fire"])
        for code in BARRED:
            assert fired[code] >= 6, (split, code, fired[code])


def test_codes_exist_in_the_catalogue_and_lists_do_not_overlap(all_krs):
    for c in all_krs:
        fire, not_fire = set(c["labels"]["must_fire"]), set(c["labels"]["must_not_fire"])
        assert not fire & not_fire, c["id"]
        assert fire | not_fire <= CATALOGUE, (c["id"], (fire | not_fire) - CATALOGUE)
        assert not any(code.startswith("OKR") for code in fire | not_fire), c["id"]


def test_codes_exist_in_the_rule_registry(all_krs):
    from reviewer.rules import all_rules

    registered = {spec.code for spec in all_rules()}
    used = {
        code for c in all_krs for code in c["labels"]["must_fire"] + c["labels"]["must_not_fire"]
    }
    assert used <= registered, used - registered


def test_barred_codes_follow_the_labeling_table(all_krs):
    """KR101/102/103 from the kind, KR201/202 from outcome anatomy, KR301 from timebound."""
    for c in all_krs:
        lab = c["labels"]
        kind, b, t = lab["kind"], lab["has_baseline"], lab["has_target"]
        expected = {
            "KR101": kind == "output",
            "KR102": kind == "activity",
            "KR103": kind == "unmeasurable",
            "KR201": kind == "outcome" and t and not b,
            "KR202": kind == "outcome" and not t,
            "KR301": not lab["timebound"],
        }
        for code, fires in expected.items():
            where = lab["must_fire"] if fires else lab["must_not_fire"]
            assert code in where, (c["id"], code, fires)


def test_timebound_follows_period_and_deadline(all_krs):
    for c in all_krs:
        if c["period"]:
            assert c["labels"]["timebound"], c["id"]
        if c.get("deadline"):
            assert c["labels"]["timebound"], c["id"]


def test_good_cases_exclude_every_other_problem(all_krs):
    for c in all_krs:
        if c["labels"]["must_fire"]:
            continue
        lab = c["labels"]
        assert lab["kind"] == "outcome", c["id"]
        assert lab["has_baseline"] and lab["has_target"] and lab["timebound"], c["id"]
        assert c["reference_rewrite"] is None, c["id"]


def test_bad_cases_have_honest_reference_rewrites(all_krs):
    for c in all_krs:
        if not c["labels"]["must_fire"]:
            continue
        rewrite = c["reference_rewrite"]
        assert isinstance(rewrite, str) and rewrite.strip(), c["id"]
        assert invented_numbers(rewrite, _sources(c)) == [], (c["id"], rewrite)
        assert keeps_subject(rewrite, c["text"]), (c["id"], rewrite)
        assert rewrite.strip() != c["text"].strip(), c["id"]


def test_hard_cases_are_represented(krs):
    tags = Counter(tag for c in krs for tag in c.get("tags") or ())
    for tag in (
        "deliverable-verb-outcome",
        "metric-words-output",
        "odd-number",
        "non-native",
        "long",
        "short",
        "relative-change",
        "explicit-fields",
    ):
        assert tags[tag] >= 2, tag
    near = {t.removeprefix("near-miss-") for t in tags if t.startswith("near-miss-")}
    for code in (*BARRED, "KR203", "KR204", "KR205", "KR401", "KR403", "KR501"):
        if code == "KR205":
            continue  # near-misses for KR205 are the large changes every good case carries
        assert code in near, code
    assert any(len(c["text"]) > 200 for c in krs)
    assert any(len(c["text"]) < 15 for c in krs)
    assert any(c["period"] is None for c in krs)


# -- the blind holdout ----------------------------------------------------------------------
def test_holdout_counts_half_good_half_bad_every_function(holdout):
    assert len(holdout) >= 80
    good = [c for c in holdout if not c["labels"]["must_fire"]]
    assert abs(len(good) - (len(holdout) - len(good))) <= len(holdout) * 0.05
    assert {c["function"] for c in holdout} == FUNCTIONS
    assert {c["labels"]["kind"] for c in holdout} == set(KINDS)
    for function in FUNCTIONS:
        assert sum(c["function"] == function for c in holdout) >= 8, function


def test_holdout_has_positives_for_every_barred_code_and_labels_them_everywhere(holdout):
    fired = Counter(code for c in holdout for code in c["labels"]["must_fire"])
    for code in BARRED:
        assert fired[code] >= 8, (code, fired[code])
    for c in holdout:
        labeled = set(c["labels"]["must_fire"]) | set(c["labels"]["must_not_fire"])
        assert set(BARRED) <= labeled, c["id"]


def test_holdout_lives_only_in_its_own_file():
    root = default_data_dir() / "datasets"
    main = yaml.safe_load((root / "key_results.yaml").read_text(encoding="utf-8"))["cases"]
    held = yaml.safe_load((root / "key_results_holdout.yaml").read_text(encoding="utf-8"))
    assert all(c["split"] in SPLITS for c in main)
    assert all(c["split"] == HOLDOUT for c in held["cases"])


@pytest.mark.parametrize(
    ("file", "split"), [("key_results.yaml", HOLDOUT), ("key_results_holdout.yaml", "dev")]
)
def test_loader_refuses_a_case_in_the_wrong_split_file(tmp_path, file, split):
    datasets = tmp_path / "datasets"
    datasets.mkdir()
    case = {"id": "ho-001", "split": split, "text": "Cut p95 latency from 2 s to 1 s"}
    (datasets / file).write_text(yaml.safe_dump({"cases": [case]}), encoding="utf-8")
    with pytest.raises(InputError, match="split"):
        load_dataset("key_results", tmp_path)


def test_holdout_wordings_are_not_near_copies_of_dev_or_test(krs, holdout):
    """Blind means fresh: no holdout draft shares most of its content words with a seen one."""
    seen = [(c["id"], content_words(c["text"])) for c in krs]
    texts = {c["text"].strip().casefold() for c in krs}
    for c in holdout:
        assert c["text"].strip().casefold() not in texts, c["id"]
        words = content_words(c["text"])
        for other_id, other in seen:
            if words and other:
                overlap = len(words & other) / len(words | other)
                assert overlap < 0.7, (c["id"], other_id, round(overlap, 2))
    assert not {c["objective"] for c in holdout} & {c["objective"] for c in krs}


def test_holdout_hard_cases_are_represented(holdout):
    tags = Counter(tag for c in holdout for tag in c.get("tags") or ())
    for tag in (
        "deliverable-verb-outcome",
        "odd-number",
        "non-native",
        "long",
        "short",
        "relative-change",
        "explicit-fields",
    ):
        assert tags[tag] >= 2, tag
    assert any(len(c["text"]) > 200 for c in holdout)
    assert any(len(c["text"]) < 15 for c in holdout)
    assert any(c["period"] is None for c in holdout)


# -- sets ----------------------------------------------------------------------------------
def test_sets_parse_and_cover_every_set_code(sets):
    from reviewer.parse import read_okr_text

    assert len(sets) >= 12
    assert {c["split"] for c in sets} == set(SPLITS)
    expected_codes, must_not_codes = Counter(), Counter()
    for c in sets:
        okr_set = read_okr_text(yaml.safe_dump(c["set"]), source=c["id"], input_format="yaml")
        objectives = {o.text for o in okr_set.objectives}
        expected = c.get("expected_set_findings") or []
        for finding in expected:
            assert finding["code"] in SET_CODES, c["id"]
            assert finding["objective"] is None or finding["objective"] in objectives, c["id"]
            expected_codes[finding["code"]] += 1
        assert not {f["code"] for f in expected} & set(c.get("must_not") or ()), c["id"]
        for code in c.get("must_not") or ():
            assert code in SET_CODES, c["id"]
            must_not_codes[code] += 1
    for code in SET_CODES:
        assert expected_codes[code] >= 2, code
        assert must_not_codes[code] >= 2, code


def test_set_labels_match_the_default_thresholds(sets):
    """The count-based set codes follow mechanically from the set's shape."""
    for c in sets:
        objectives = c["set"]["objectives"]
        expected = {(f["code"], f["objective"]) for f in c.get("expected_set_findings") or []}
        codes = {code for code, _ in expected}
        assert ("OKR602" in codes) == (len(objectives) > 5), c["id"]
        for o in objectives:
            n = len(o["key_results"])
            assert (("OKR601", o["objective"]) in expected) == (n > 4), (c["id"], o["objective"])
            assert (("OKR604", o["objective"]) in expected) == (n < 2), (c["id"], o["objective"])


# -- critique ------------------------------------------------------------------------------
def test_critique_cases_cite_real_guidance(critiques):
    from reviewer.retrieve import load_passages

    passages = load_passages()
    passage_ids = {p.id for p in passages}
    doc_ids = {p.doc_id for p in passages}
    assert len(critiques) >= 30
    assert {c["split"] for c in critiques} == set(SPLITS)
    for c in critiques:
        assert c["text"].strip(), c["id"]
        assert c["expected_citations"], c["id"]
        for cited in c["expected_citations"]:
            assert cited in passage_ids or cited in doc_ids, (c["id"], cited)


def test_data_dir_is_the_repository_evals_folder():
    assert (default_data_dir() / "datasets" / "key_results.yaml").is_file()
    assert (default_data_dir() / "README.md").is_file()
