"""Meta-tests: the catalogue is complete, documented, tested and consistent with the corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from case_loader import load_rule_files
from support.corpus_ids import FIXED_DOC_IDS

from reviewer.rules import REGISTRY, all_rules
from reviewer.rules.registry import DOC_SECTIONS

ROOT = Path(__file__).resolve().parents[2]
# The catalogue fixed in the team brief: code -> (name, default severity).
BRIEF_CATALOGUE = {
    "KR101": ("output-not-outcome", "error"),
    "KR102": ("activity-not-outcome", "error"),
    "KR103": ("unmeasurable", "error"),
    "KR201": ("missing-baseline", "warning"),
    "KR202": ("missing-target", "error"),
    "KR203": ("target-contradicts-direction", "error"),
    "KR204": ("unit-mismatch", "error"),
    "KR205": ("timid-target", "warning"),
    "KR301": ("missing-deadline", "warning"),
    "KR401": ("gameable-metric", "warning"),
    "KR402": ("no-measurement-source", "info"),
    "KR403": ("mean-latency", "warning"),
    "KR501": ("compound-key-result", "warning"),
    "OKR601": ("too-many-key-results", "warning"),
    "OKR602": ("too-many-objectives", "warning"),
    "OKR603": ("quantitative-objective", "warning"),
    "OKR604": ("too-few-key-results", "info"),
    "OKR605": ("duplicate-key-result", "warning"),
    "KR901": ("suppression-without-reason", "warning"),
    "KR902": ("unused-suppression", "info"),
}
RULES = all_rules()
IDS = [spec.code for spec in RULES]


def test_catalogue_has_every_code_of_the_brief_with_its_name_and_severity() -> None:
    for code, (name, severity) in BRIEF_CATALOGUE.items():
        assert code in REGISTRY, f"{code} is missing"
        assert (REGISTRY[code].name, REGISTRY[code].severity) == (name, severity)


def test_only_kr402_is_off_by_default() -> None:
    assert [s.code for s in RULES if not s.enabled_by_default] == ["KR402"]


def test_all_rules_is_sorted_by_code() -> None:
    assert sorted(IDS) == IDS


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len(set(IDS)) == len(IDS)
    names = [s.name for s in RULES]
    assert len(set(names)) == len(names)
    for spec in RULES:
        assert re.fullmatch(r"(KR|OKR)\d{3}", spec.code), spec.code
        assert re.fullmatch(r"[a-z]+(?:-[a-z]+)*", spec.name), spec.name
        assert spec.scope == ("set" if spec.code.startswith("OKR") else "key_result")


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_rule_docs_have_the_four_sections_in_order(spec) -> None:
    doc = spec.doc
    assert doc.splitlines()[0].strip(), "the first line says what the rule flags"
    positions = []
    for section in DOC_SECTIONS:
        heading = f"## {section}"
        assert heading in doc, f"{spec.code} lacks '{heading}'"
        positions.append(doc.index(heading))
    assert positions == sorted(positions)
    bodies = re.split(r"^## .*$", doc, flags=re.MULTILINE)[1:]
    assert all(body.strip() for body in bodies), f"{spec.code} has an empty section"


@pytest.mark.parametrize("spec", RULES, ids=IDS)
def test_rule_has_fix_and_guidance_from_the_corpus(spec) -> None:
    assert len(spec.fix) > 20
    assert spec.guidance, f"{spec.code} cites no guidance"
    assert set(spec.guidance) <= FIXED_DOC_IDS


def test_every_rule_has_a_case_file_with_six_fail_and_six_pass_cases() -> None:
    files = load_rule_files()
    assert set(files) == set(REGISTRY), "case files and registry disagree"
    for code, data in files.items():
        fails, passes = data.get("fail") or [], data.get("pass") or []
        assert len(fails) >= 6 and len(passes) >= 6, code
        names = [c["name"] for c in fails + passes]
        assert len(names) == len(set(names)), f"{code} has duplicate case names"


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    return yaml.safe_load(text.split("---", 2)[1]) or {}


def test_codes_named_in_the_guidance_corpus_exist() -> None:
    docs = sorted((ROOT / "knowledge").glob("*.md"))
    if not docs:
        pytest.skip("the guidance corpus is not in this checkout")
    for path in docs:
        for code in _front_matter(path).get("rules") or []:
            assert code in REGISTRY, f"{path.name} names unknown rule {code}"


def test_guidance_ids_name_existing_corpus_documents() -> None:
    folder = ROOT / "knowledge"
    if not folder.is_dir():
        pytest.skip("the guidance corpus is not in this checkout")
    present = {p.stem for p in folder.glob("*.md")}
    for spec in RULES:
        missing = [g for g in spec.guidance if g not in present]
        assert not missing, f"{spec.code} cites {missing}, not in knowledge/"
