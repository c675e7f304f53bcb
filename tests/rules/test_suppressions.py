"""Suppressions from the OKR file: what they hide, and KR901 / KR902 about them."""

from __future__ import annotations

from reviewer.config import Config
from reviewer.models import KeyResult, Objective, OKRSet, SourceLocation, Suppression
from reviewer.rules import check_key_result, check_set

CONFIG = Config()
LAUNCH = "Launch the partner API by end of Q3"  # KR101 only


def kr(text: str = LAUNCH, *suppressions: Suppression, line: int = 3) -> KeyResult:
    return KeyResult(
        text=text,
        suppressions=list(suppressions),
        location=SourceLocation(file="team.yaml", line=line),
    )


def test_reasoned_suppression_moves_the_finding_to_suppressed() -> None:
    outcome = check_key_result(kr(LAUNCH, Suppression(code="KR101", reason="contract")))
    assert [f.code for f in outcome.findings] == []
    assert [f.code for f in outcome.suppressed] == ["KR101"]
    assert outcome.suppressed[0].severity == "error"  # kept as it would have been reported


def test_suppression_without_reason_still_applies_but_is_reported() -> None:
    outcome = check_key_result(kr(LAUNCH, Suppression(code="KR101")), None, None, CONFIG)
    assert [f.code for f in outcome.suppressed] == ["KR101"]
    assert [f.code for f in outcome.findings] == ["KR901"]
    assert "KR101" in outcome.findings[0].message


def test_unused_suppression_is_reported_with_why() -> None:
    unused = Suppression(code="KR204", reason="units differ", location=SourceLocation(line=7))
    outcome = check_key_result(kr(LAUNCH, unused), None, None, CONFIG)
    codes = [f.code for f in outcome.findings]
    assert codes == ["KR101", "KR902"]
    finding = outcome.findings[1]
    assert "did not fire" in finding.message and finding.location.line == 7


def test_unknown_and_disabled_codes_are_unused_with_their_own_message() -> None:
    outcome = check_key_result(
        kr(LAUNCH, Suppression(code="KR999", reason="x"), Suppression(code="KR402", reason="y"))
    )
    messages = [f.message for f in outcome.findings if f.code == "KR902"]
    assert any("not a rule code" in m for m in messages)
    assert any("not enabled" in m for m in messages)


def test_meta_codes_cannot_be_suppressed_in_the_file() -> None:
    outcome = check_key_result(
        kr(LAUNCH, Suppression(code="KR101"), Suppression(code="KR901", reason="hush"))
    )
    assert "KR901" in [f.code for f in outcome.findings]
    assert any("cannot itself be suppressed" in f.message for f in outcome.findings)


def test_objective_suppression_covers_its_key_results() -> None:
    objective = Objective(
        text="Partners can build on us",
        suppressions=[Suppression(code="KR101", reason="new product")],
        key_results=[kr(LAUNCH), kr("Publish the partner SDK by end of Q3")],
    )
    for key_result in objective.key_results:
        outcome = check_key_result(key_result, objective, "2026-Q3", CONFIG)
        assert "KR101" not in {f.code for f in outcome.findings}
        assert "KR101" in {f.code for f in outcome.suppressed}


def test_set_suppression_applies_when_the_set_is_given() -> None:
    objective = Objective(text="Partners can build on us", key_results=[kr(LAUNCH)])
    okr_set = OKRSet(
        objectives=[objective], suppressions=[Suppression(code="KR101", reason="launch year")]
    )
    with_set = check_key_result(objective.key_results[0], objective, None, CONFIG, okr_set=okr_set)
    assert "KR101" in {f.code for f in with_set.suppressed}
    without = check_key_result(objective.key_results[0], objective, None, CONFIG)
    assert "KR101" in {f.code for f in without.findings}


def test_check_set_reports_hygiene_of_objective_and_set_suppressions_once() -> None:
    objective = Objective(
        text="Fast search",
        location=SourceLocation(file="team.yaml", line=2),
        suppressions=[Suppression(code="KR101", location=SourceLocation(line=3))],
        key_results=[
            kr("Cut p95 search latency from 900 ms to 300 ms", line=4),
            kr("Raise search click-through from 40% to 55%", line=5),
        ],
    )
    okr_set = OKRSet(
        period="2026-Q3",
        source_file="team.yaml",
        objectives=[objective],
        suppressions=[Suppression(code="OKR602", reason="two teams merged")],
    )
    findings, _suppressed = check_set(okr_set, CONFIG)
    by_code = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    assert len(by_code["KR901"]) == 1  # the objective's suppression has no reason
    assert len(by_code["KR902"]) == 2  # KR101 suppressed nothing, neither did OKR602
    objective_unused = next(f for f in by_code["KR902"] if "KR101" in f.message)
    assert objective_unused.objective == "Fast search"
    assert objective_unused.location.file == "team.yaml"
    assert objective_unused.location.line == 3
    # the key-result pass does not repeat objective-level hygiene
    for key_result in objective.key_results:
        outcome = check_key_result(key_result, objective, okr_set.period, CONFIG, okr_set=okr_set)
        assert not {"KR901", "KR902"} & {f.code for f in outcome.findings}


def test_set_findings_carry_objective_and_location_and_can_be_suppressed() -> None:
    objective = Objective(
        text="Reach 99.95% uptime",
        location=SourceLocation(file="team.md", line=10),
        key_results=[kr("Raise uptime from 99.5% to 99.95% by Q3")],
    )
    okr_set = OKRSet(objectives=[objective], source_file="team.md")
    findings, suppressed = check_set(okr_set, CONFIG)
    quantitative = next(f for f in findings if f.code == "OKR603")
    assert quantitative.objective == "Reach 99.95% uptime"
    assert (quantitative.location.file, quantitative.location.line) == ("team.md", 10)
    assert {f.code for f in findings} >= {"OKR603", "OKR604"}
    assert suppressed == []

    objective.suppressions.append(Suppression(code="OKR603", reason="company-wide SLO wording"))
    findings, suppressed = check_set(okr_set, CONFIG)
    assert "OKR603" not in {f.code for f in findings}
    assert [f.code for f in suppressed] == ["OKR603"]


def test_duplicate_is_reported_on_the_later_key_result_with_its_line() -> None:
    first = kr("Raise checkout conversion from 2.1% to 2.6%", line=4)
    second = kr("Improve checkout conversion to 2.6%", line=5)
    okr_set = OKRSet(
        source_file="team.yaml",
        objectives=[Objective(text="Checkout converts", key_results=[first, second])],
    )
    findings, _ = check_set(okr_set, CONFIG)
    duplicate = next(f for f in findings if f.code == "OKR605")
    assert duplicate.location.line == 5 and duplicate.objective == "Checkout converts"


def test_duplicate_across_objectives_is_about_the_set_but_honours_its_objective() -> None:
    first = kr("Raise click-through on home-feed recommendations from 3.4% to 4.2%", line=4)
    second = kr("Raise home-feed recommendation click-through from 3.4% to 4.2%", line=9)
    later = Objective(text="Engaging feed", key_results=[second])
    okr_set = OKRSet(
        source_file="ml.yaml",
        objectives=[Objective(text="Useful recommendations", key_results=[first]), later],
    )
    findings, _ = check_set(okr_set, CONFIG)
    duplicate = next(f for f in findings if f.code == "OKR605")
    assert duplicate.objective is None and duplicate.location.line == 9
    assert "another objective" in duplicate.message
    later.suppressions.append(Suppression(code="OKR605", reason="tracked by two teams"))
    findings, suppressed = check_set(okr_set, CONFIG)
    assert "OKR605" not in {f.code for f in findings}
    assert [f.code for f in suppressed] == ["OKR605"]
