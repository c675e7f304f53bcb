"""Meta-tests for the guidance corpus (knowledge/) and the labeled retrieval set.

They check what the rest of the reviewer relies on: every document has complete front
matter, the fixed document ids exist, every rule is explained somewhere and every code
named exists, every passage a label or a rule points at is real, passages are quotable
(neither empty nor sprawling), and the corpus is written in our own words rather than
copied from the seed articles.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import frontmatter
import pytest
import yaml
from support.corpus_ids import FIXED_DOC_IDS

REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE = REPO / "knowledge"
RETRIEVAL_SET = REPO / "evals" / "datasets" / "retrieval.yaml"
SEEDS = REPO.parent / "shared" / "seeds"

FRONT_MATTER_KEYS = {"id", "title", "rules", "tags", "applies_to"}
APPLIES_TO = {"key_result", "objective", "set"}
RULE_CODE = re.compile(r"\b(?:KR|OKR)\d{3}\b")
MAX_PASSAGE_WORDS = 400
MIN_PASSAGE_WORDS = 40
SHINGLE_WORDS = 12
MIN_CASES = 60


DOC_PATHS = sorted(KNOWLEDGE.glob("*.md"))


def _load_doc(path: Path) -> frontmatter.Post:
    return frontmatter.loads(path.read_text(encoding="utf-8"))


@cache
def _docs() -> dict[str, frontmatter.Post]:
    """Every document by file stem, parsed with python-frontmatter (no project code)."""
    return {path.stem: _load_doc(path) for path in DOC_PATHS}


@cache
def _passages() -> tuple[Any, ...]:
    """The bundled corpus split by the retrieval module, or a skip if it is not there yet."""
    try:
        from reviewer.retrieve.corpus import load_passages
    except ImportError as exc:
        pytest.skip(f"reviewer.retrieve.corpus.load_passages not importable yet: {exc}")
    return tuple(load_passages([KNOWLEDGE], bundled=False))


def _rule_catalogue() -> dict[str, Any]:
    """Registered rules by code, or a skip while the rules package is still being built."""
    try:
        from reviewer.rules import all_rules
    except ImportError as exc:
        pytest.skip(f"reviewer.rules.all_rules not importable yet: {exc}")
    return {spec.code: spec for spec in all_rules()}


@cache
def _cases() -> list[dict[str, Any]]:
    data = yaml.safe_load(RETRIEVAL_SET.read_text(encoding="utf-8"))
    assert isinstance(data, list), "retrieval.yaml must be a list of cases"
    return data


def _slug(heading: str) -> str:
    """The brief's slug rule: lowercase, non-alphanumerics to '-', trimmed of '-'."""
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


# --- documents and front matter ---------------------------------------------------------


def test_corpus_has_the_fixed_documents() -> None:
    stems = {path.stem for path in DOC_PATHS}
    missing = FIXED_DOC_IDS - stems
    assert not missing, f"documents named in the brief are missing: {sorted(missing)}"


@pytest.mark.parametrize("path", DOC_PATHS, ids=lambda p: p.stem)
def test_front_matter_is_complete_and_well_typed(path: Path) -> None:
    post = _load_doc(path)
    meta = post.metadata
    assert set(meta) == FRONT_MATTER_KEYS, (
        f"{path.name}: front matter keys {sorted(meta)} != {sorted(FRONT_MATTER_KEYS)}"
    )
    assert meta["id"] == path.stem, f"{path.name}: id {meta['id']!r} must equal the file stem"
    assert isinstance(meta["title"], str) and meta["title"].strip(), f"{path.name}: empty title"
    assert isinstance(meta["rules"], list), f"{path.name}: rules must be a list (may be empty)"
    for code in meta["rules"]:
        assert isinstance(code, str) and RULE_CODE.fullmatch(code), (
            f"{path.name}: {code!r} is not a rule code"
        )
    assert len(set(meta["rules"])) == len(meta["rules"]), f"{path.name}: repeated rule code"
    assert isinstance(meta["tags"], list) and meta["tags"], f"{path.name}: tags must be a list"
    assert all(isinstance(tag, str) and tag.strip() for tag in meta["tags"]), (
        f"{path.name}: every tag must be a non-empty string (quote numbers like '0.7')"
    )
    assert meta["applies_to"] in APPLIES_TO, (
        f"{path.name}: applies_to {meta['applies_to']!r} not in {sorted(APPLIES_TO)}"
    )


@pytest.mark.parametrize("path", DOC_PATHS, ids=lambda p: p.stem)
def test_document_has_an_intro_and_three_to_six_sections(path: Path) -> None:
    body = _load_doc(path).content
    intro, *_ = re.split(r"^## ", body, maxsplit=1, flags=re.M)
    headings = re.findall(r"^## (.+)$", body, flags=re.M)
    assert intro.strip(), f"{path.name}: needs an intro paragraph before the first section"
    assert 3 <= len(headings) <= 6, f"{path.name}: {len(headings)} sections, want 3-6"
    assert len(set(headings)) == len(headings), f"{path.name}: repeated section heading"


def test_no_two_documents_share_an_id() -> None:
    counts = Counter(post.metadata.get("id") for post in _docs().values())
    assert not [doc_id for doc_id, n in counts.items() if n > 1], counts


# --- rules: every code real, every rule explained --------------------------------------


def test_every_rule_code_named_in_the_corpus_exists() -> None:
    catalogue = _rule_catalogue()
    named: dict[str, set[str]] = {}
    for stem, post in _docs().items():
        for code in [*post.metadata["rules"], *RULE_CODE.findall(post.content)]:
            named.setdefault(code, set()).add(stem)
    unknown = {code: sorted(docs) for code, docs in named.items() if code not in catalogue}
    assert not unknown, f"rule codes named in knowledge/ but not registered: {unknown}"


SECTION_RULES = re.compile(r"^<!--\s*rules\s*:(.*?)-->\s*$", re.IGNORECASE)
SECTION_NOTE = re.compile(r"^<!--\s*(rules|keywords)\s*:.*-->\s*$", re.IGNORECASE)


def _section_tags(post: frontmatter.Post) -> dict[str, list[str] | None]:
    """Each `##` section's heading -> the codes of the comment right under it (None: no comment)."""
    tags: dict[str, list[str] | None] = {}
    lines = post.content.splitlines()
    for number, line in enumerate(lines):
        if not line.startswith("## "):
            continue
        following = next((text for text in lines[number + 1 :] if text.strip()), "")
        match = SECTION_RULES.match(following.strip())
        if match is None:
            tags[line[3:].strip()] = None
            continue
        raw = match.group(1).strip()
        tags[line[3:].strip()] = [] if raw.lower() == "none" else re.split(r"[\s,]+", raw)
    return tags


def _primary_sections() -> dict[str, list[str]]:
    """Code -> the sections marked (`KR301*`) as that rule's primary explanation."""
    found: dict[str, list[str]] = {}
    for stem, post in _docs().items():
        for heading, codes in _section_tags(post).items():
            for code in codes or []:
                if code.endswith("*"):
                    found.setdefault(code[:-1], []).append(f"{stem}#{_slug(heading)}")
    return found


def _plain(codes: list[str] | None) -> list[str] | None:
    return None if codes is None else [code.rstrip("*") for code in codes]


def test_every_section_says_which_rules_it_explains_with_real_codes() -> None:
    catalogue = _rule_catalogue()
    untagged, unknown = [], []
    for stem, post in _docs().items():
        for heading, codes in _section_tags(post).items():
            if codes is None:
                untagged.append(f"{stem}: {heading}")
                continue
            unknown.extend(
                f"{stem}: {heading}: {c}" for c in _plain(codes) or [] if c not in catalogue
            )
    assert not untagged, (
        f"sections without a `<!-- rules: ... -->` line under the heading: {untagged}"
    )
    assert not unknown, f"section rule tags naming unregistered codes: {unknown}"


def test_rules_comments_sit_right_under_a_heading() -> None:
    misplaced = []
    for stem, post in _docs().items():
        lines = post.content.splitlines()
        for number, line in enumerate(lines):
            if SECTION_NOTE.match(line.strip()):
                previous = next((t for t in reversed(lines[:number]) if t.strip()), "")
                if not (previous.startswith("## ") or SECTION_NOTE.match(previous.strip())):
                    misplaced.append(f"{stem}: line {number + 1}")
    assert not misplaced, f"rules comments not directly under a `##` heading: {misplaced}"


def test_passages_carry_their_section_tags_and_not_the_comment() -> None:
    by_id = {p.id: p for p in _passages()}
    for stem, post in _docs().items():
        for heading, codes in _section_tags(post).items():
            passage = by_id[f"{stem}#{_slug(heading)}"]
            assert passage.rules == (_plain(codes) or []), (passage.id, passage.rules, codes)
            leaked = SECTION_NOTE.match(passage.text.splitlines()[0].strip())
            assert not leaked, f"{passage.id}: the rules comment leaked into the text"


def test_every_registered_rule_has_one_or_two_primary_sections() -> None:
    """The section a reviewer cites first when a rule fires is marked, for every rule."""
    catalogue = _rule_catalogue()
    primary = _primary_sections()
    missing = sorted(set(catalogue) - set(primary))
    assert not missing, (
        f"rules with no section marked as primary (`<!-- rules: CODE* -->`): {missing}"
    )
    crowded = {code: ids for code, ids in primary.items() if len(ids) > 2}
    assert not crowded, f"a primary mark should single out one or two sections: {crowded}"


def test_every_registered_rule_is_explained_by_a_document() -> None:
    catalogue = _rule_catalogue()
    explained = {code for post in _docs().values() for code in post.metadata["rules"]}
    unexplained = sorted(set(catalogue) - explained)
    assert not unexplained, (
        f"rules with no document listing them in `rules:` front matter: {unexplained}"
    )


def test_every_guidance_id_a_rule_cites_is_a_document() -> None:
    catalogue = _rule_catalogue()
    passage_ids = {p.id for p in _passages()}
    missing = {
        code: ref
        for code, spec in catalogue.items()
        for ref in spec.guidance
        if ref not in _docs() and ref not in passage_ids
    }
    assert not missing, f"rules cite guidance that does not exist: {missing}"


# --- passages ---------------------------------------------------------------------------


def test_every_document_splits_into_passages_with_its_own_ids() -> None:
    by_doc = Counter(p.doc_id for p in _passages())
    assert set(by_doc) == set(_docs()), "every document should yield passages"
    ids = [p.id for p in _passages()]
    assert len(ids) == len(set(ids)), "passage ids must be unique"
    # The brief's id contract: `<doc-id>#<slug of the heading>`; a de-duplicated id
    # (`...-2`) would mean two headings slugify alike and citations would be unstable.
    wrong = [
        p.id
        for p in _passages()
        if p.section != "Overview" and p.id != f"{p.doc_id}#{_slug(p.section)}"
    ]
    assert not wrong, f"passage ids that are not <doc-id>#<heading slug>: {wrong}"


def test_passages_are_neither_empty_nor_sprawling() -> None:
    problems = []
    for passage in _passages():
        words = len(passage.text.split())
        if not MIN_PASSAGE_WORDS <= words <= MAX_PASSAGE_WORDS:
            problems.append(f"{passage.id}: {words} words")
    assert not problems, (
        f"passages outside {MIN_PASSAGE_WORDS}-{MAX_PASSAGE_WORDS} words: {problems}"
    )


# --- the labeled retrieval set ----------------------------------------------------------


def test_retrieval_set_cases_are_well_formed() -> None:
    cases = _cases()
    assert len(cases) >= MIN_CASES, f"{len(cases)} cases, want at least {MIN_CASES}"
    ids = [case.get("id") for case in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in cases:
        assert set(case) == {"id", "split", "query", "codes", "expected"}, case
        assert case["split"] in {"dev", "test"}, case["id"]
        assert isinstance(case["query"], str) and case["query"].strip(), case["id"]
        assert isinstance(case["codes"], list), case["id"]
        assert all(RULE_CODE.fullmatch(code) for code in case["codes"]), case["id"]
        expected = case["expected"]
        assert isinstance(expected, list) and 1 <= len(expected) <= 3, case["id"]
        assert len(set(expected)) == len(expected), f"{case['id']}: repeated expected id"


def test_retrieval_set_is_split_about_evenly() -> None:
    splits = Counter(case["split"] for case in _cases())
    assert abs(splits["dev"] - splits["test"]) <= 0.2 * len(_cases()), splits


def test_every_expected_passage_exists() -> None:
    passage_ids = {p.id for p in _passages()}
    missing = {
        case["id"]: ref for case in _cases() for ref in case["expected"] if ref not in passage_ids
    }
    assert not missing, f"expected passage ids not in knowledge/: {missing}"


def test_every_document_is_the_best_citation_somewhere() -> None:
    best = {case["expected"][0].split("#", 1)[0] for case in _cases()}
    assert not set(_docs()) - best, f"documents no case expects first: {set(_docs()) - best}"


def test_case_codes_are_registered_rules() -> None:
    catalogue = _rule_catalogue()
    unknown = {
        case["id"]: code for case in _cases() for code in case["codes"] if code not in catalogue
    }
    assert not unknown, f"retrieval cases name unknown codes: {unknown}"


# --- written in our own words -----------------------------------------------------------


def test_no_long_verbatim_overlap_with_the_seed_articles() -> None:
    seed_files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if not seed_files:
        pytest.skip(f"seed articles not available at {SEEDS}")
    seed_shingles: set[tuple[str, ...]] = set()
    for path in seed_files:
        words = _words(path.read_text(encoding="utf-8", errors="replace"))
        seed_shingles.update(
            tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
        )
    copied = []
    for path in DOC_PATHS:
        words = _words(path.read_text(encoding="utf-8"))
        for i in range(len(words) - SHINGLE_WORDS + 1):
            if tuple(words[i : i + SHINGLE_WORDS]) in seed_shingles:
                copied.append(f"{path.name}: {' '.join(words[i : i + SHINGLE_WORDS])}")
                break
    assert not copied, f"{SHINGLE_WORDS}-word runs copied from the seeds: {copied}"
