"""Set rules on whole OKR sets: pasted key results, and reuse of the key-result outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reviewer.config import Config
from reviewer.models import KeyResult, Objective, OKRSet, Suppression
from reviewer.parse import read_okr_text
from reviewer.pipeline import Reviewer
from reviewer.rules import RuleOutcome, check_key_result, check_set

CONFIG = Config()
SETS = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "sets.yaml"


def _set_codes(okr_set: OKRSet) -> set[str]:
    findings, _suppressed = check_set(okr_set, CONFIG)
    return {f.code for f in findings}


def test_a_pasted_key_result_without_objective_is_not_too_few() -> None:
    okr_set = read_okr_text("Reduce p95 checkout latency from 900 ms to 300 ms by end of Q3")
    assert okr_set.objectives[0].implicit
    assert _set_codes(okr_set) == set()


def test_a_pasted_batch_is_not_too_many_but_its_duplicates_are_found() -> None:
    text = "\n".join(
        [
            "Cut pages outside working hours from 30 to 10 per week",
            "Reduce MTTR from 2 hours to 30 minutes",
            "Reduce P1 incidents from 6 to 2 per quarter",
            "Raise availability from 99.5% to 99.9%",
            "Increase uptime to 99.9%",
        ]
    )
    assert _set_codes(read_okr_text(text)) == {"OKR605"}


def test_a_written_objective_after_pasted_key_results_is_still_judged() -> None:
    text = "Cut p95 search latency from 900 ms to 300 ms\nObjective: Fresh data\n- Cut staleness"
    okr_set = read_okr_text(text)
    findings, _ = check_set(okr_set, CONFIG)
    assert [(f.code, f.objective) for f in findings] == [("OKR604", "Fresh data")]


def _labelled_sets() -> list[OKRSet]:
    data = yaml.safe_load(SETS.read_text(encoding="utf-8"))
    cases = data["cases"] if isinstance(data, dict) else data
    return [read_okr_text(yaml.safe_dump(c["set"]), input_format="yaml") for c in cases]


def _suppressed_set() -> OKRSet:
    reason = "kept for the partner contract"
    return OKRSet(
        period="2026-Q3",
        suppressions=[Suppression(code="KR301", reason=reason), Suppression(code="KR204")],
        objectives=[
            Objective(
                text="Make checkout convert",
                suppressions=[Suppression(code="KR101", reason=reason)],
                key_results=[
                    KeyResult(text="Launch the one-click checkout"),
                    KeyResult(text="Raise checkout conversion from 2.1% to 2.6%"),
                    KeyResult(
                        text="Improve checkout conversion to 2.6%",
                        suppressions=[Suppression(code="OKR605", reason=reason)],
                    ),
                ],
            ),
            Objective(text="Be fast", key_results=[KeyResult(text="Cut p95 latency")]),
        ],
    )


def _outcomes(okr_set: OKRSet, config: Config) -> dict[int, RuleOutcome]:
    return {
        id(kr): check_key_result(kr, objective, okr_set.period, config, okr_set=okr_set)
        for objective, kr in okr_set.key_results()
    }


@pytest.mark.parametrize("index", range(len(_labelled_sets()) + 1))
def test_reusing_key_result_outcomes_gives_the_same_set_findings(index: int) -> None:
    sets = [*_labelled_sets(), _suppressed_set()]
    okr_set = sets[index]
    fresh = check_set(okr_set, CONFIG)
    reused = check_set(okr_set, CONFIG, outcomes=_outcomes(okr_set, CONFIG))
    assert reused == fresh
    # a partial map is completed by checking the missing key results
    first = next(iter(_outcomes(okr_set, CONFIG).items()), None)
    partial = dict([first]) if first else {}
    assert check_set(okr_set, CONFIG, outcomes=partial) == fresh


def test_reused_outcomes_are_what_the_set_rules_see() -> None:
    okr_set = OKRSet(
        objectives=[
            Objective(
                text="Fast search",
                key_results=[
                    KeyResult(text="Cut p95 search latency on Android phones from 1.2 s to 500 ms"),
                    KeyResult(text="Cut p95 search latency"),
                ],
            )
        ]
    )
    assert _set_codes(okr_set) == set()  # a narrower scope, and the second has no target
    outcomes = _outcomes(okr_set, CONFIG)
    first, second = okr_set.objectives[0].key_results
    # as if the second had been given the first one's target in explicit fields
    outcomes[id(second)] = outcomes[id(first)]
    findings, _ = check_set(okr_set, CONFIG, outcomes=outcomes)
    assert [f.code for f in findings] == ["OKR605"]


def test_the_pipeline_set_findings_match_a_fresh_check() -> None:
    okr_set = _suppressed_set()
    report = Reviewer(Config(rules_only=True)).review_set(okr_set)
    fresh, _ = check_set(okr_set, Config(rules_only=True))
    assert report.set_findings == fresh
    assert {f.code for f in report.set_findings} >= {"OKR604", "KR902"}
