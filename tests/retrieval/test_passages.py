"""Reading guidance documents: splitting, passage ids, slugs, metadata and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest
from retrieval_kit import FIXTURE_CORPUS

from reviewer.errors import InputError
from reviewer.retrieve.corpus import (
    GuidanceDoc,
    bundled_knowledge_dirs,
    corpus_fingerprint,
    load_passages,
    slugify,
    split_document,
)


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Why it matters?", "why-it-matters"),
        (
            "  The could-it-be-done-without-solving-it test ",
            "the-could-it-be-done-without-solving-it-test",
        ),
        ("p95 vs. p99 (latency)", "p95-vs-p99-latency"),
        ("Qualité des données", "qualite-des-donnees"),
        ("---", "section"),
        ("OKR601 / OKR602", "okr601-okr602"),
    ],
)
def test_slugify_lowercases_and_collapses_non_alphanumerics(heading: str, slug: str) -> None:
    assert slugify(heading) == slug


def test_fixture_corpus_splits_at_level_two_headings_with_stable_ids() -> None:
    passages = load_passages([FIXTURE_CORPUS], bundled=False)
    assert [p.id for p in passages] == [
        "alpha-outcomes#overview",
        "alpha-outcomes#outcomes-versus-outputs",
        "alpha-outcomes#the-shipped-it-test",
        "beta-baselines#why-a-baseline-matters",
        "beta-baselines#instrument-first",
        "delta-focus#three-to-five-objectives",
        "gamma-latency#percentiles-beat-averages",
        "gamma-latency#choosing-p95-or-p99",
    ]
    # Loading twice gives the same ids: they are derived from content, not from order.
    assert [p.id for p in load_passages([FIXTURE_CORPUS], bundled=False)] == [
        p.id for p in passages
    ]


def test_passages_carry_document_metadata() -> None:
    passages = {p.id: p for p in load_passages([FIXTURE_CORPUS], bundled=False)}
    section = passages["alpha-outcomes#outcomes-versus-outputs"]
    assert section.doc_id == "alpha-outcomes"
    assert section.title == "Results over deliverables"
    assert section.section == "Outcomes versus outputs"
    assert section.rules == ["KR101"]
    assert section.tags == ["outcome", "output", "launch", "migration"]
    assert section.text.startswith("Shipping a feature")
    assert passages["delta-focus#three-to-five-objectives"].rules == ["OKR601", "OKR602"]
    overview = passages["alpha-outcomes#overview"]
    assert overview.section == "Overview"
    assert overview.text == "A short lead-in: this fixture document stands in for outcome guidance."


def test_deeper_headings_and_fenced_headings_stay_in_their_section() -> None:
    passages = {p.id: p for p in load_passages([FIXTURE_CORPUS], bundled=False)}
    outcomes = passages["alpha-outcomes#outcomes-versus-outputs"]
    assert "### A nested heading stays inside its section" in outcomes.text
    shipped = passages["alpha-outcomes#the-shipped-it-test"]
    assert "## Not a heading: this line sits inside a code fence" in shipped.text
    assert not any("not-a-heading" in pid for pid in passages)


def test_repeated_section_names_get_unique_ids_and_empty_sections_are_skipped() -> None:
    doc = GuidanceDoc(
        id="repeats",
        title="Repeats",
        path=Path("repeats.md"),
        body="## Example\n\nfirst\n\n## Example\n\nsecond\n\n## Empty\n\n## Example\nthird\n",
    )
    ids = [p.id for p in split_document(doc)]
    assert ids == ["repeats#example", "repeats#example-2", "repeats#example-3"]


def test_single_h1_is_the_title_and_documents_without_front_matter_get_defaults(
    tmp_path: Path,
) -> None:
    write(
        tmp_path / "guide",
        "Our-Guide.md",
        "# How we write OKRs\n\nIntro text.\n\n## Owners\n\nEvery key result has one owner.\n",
    )
    passages = load_passages([tmp_path / "guide"], bundled=False)
    assert [p.id for p in passages] == ["our-guide#overview", "our-guide#owners"]
    assert {p.title for p in passages} == {"How we write OKRs"}
    assert passages[0].rules == [] and passages[0].tags == []


def test_only_h1_sections_split_at_h1(tmp_path: Path) -> None:
    write(tmp_path / "g", "flat.md", "---\nid: flat\n---\n# One\n\ntext one\n\n# Two\n\ntext two\n")
    assert [p.id for p in load_passages([tmp_path / "g"], bundled=False)] == [
        "flat#one",
        "flat#two",
    ]


def test_comma_separated_rules_and_tags_are_accepted(tmp_path: Path) -> None:
    write(
        tmp_path / "g",
        "x.md",
        "---\nid: x\ntitle: X\nrules: kr101, KR202\ntags: Alpha, beta\n---\n## A\n\ntext\n",
    )
    (passage,) = load_passages([tmp_path / "g"], bundled=False)
    assert passage.rules == ["KR101", "KR202"]
    assert passage.tags == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\nid: [unclosed\n---\n## A\n\ntext\n", "invalid front matter"),
        ("---\nid: Bad Id\n---\n## A\n\ntext\n", "invalid id"),
        ("---\nid: ok\nrules: {KR101: yes}\n---\n## A\n\ntext\n", "rules must be a list"),
        ("---\nid: ok\nrules: [KR1O1]\n---\n## A\n\ntext\n", "invalid rule code"),
        ("---\nid: ok\ntitle: [1, 2]\n---\n## A\n\ntext\n", "title must be text"),
        ("---\nid: ok\n---\n\n## Only a heading\n", "document has no text"),
    ],
)
def test_malformed_documents_raise_input_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path / "g", "broken.md", text)
    with pytest.raises(InputError) as caught:
        load_passages([tmp_path / "g"], bundled=False)
    assert message in str(caught.value)
    assert caught.value.file == str(path)


def test_non_utf8_document_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "g"
    folder.mkdir()
    (folder / "latin.md").write_bytes("---\nid: latin\n---\n## Caf\xe9\n\ntext\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin\.md: not UTF-8"):
        load_passages([folder], bundled=False)


def test_missing_folder_and_duplicate_ids_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="knowledge folder not found"):
        load_passages([tmp_path / "nowhere"], bundled=False)
    write(tmp_path / "g", "a.md", "---\nid: same\n---\n## A\n\ntext\n")
    write(tmp_path / "g", "b.md", "---\nid: same\n---\n## B\n\ntext\n")
    with pytest.raises(InputError, match="duplicate document id 'same'"):
        load_passages([tmp_path / "g"], bundled=False)


def test_a_later_folder_overrides_a_document_with_the_same_id(tmp_path: Path) -> None:
    write(
        tmp_path / "company",
        "baselines.md",
        "---\nid: beta-baselines\ntitle: Our baselines\nrules: [KR201]\n---\n## House rule\n\nUse the finance dashboard.\n",
    )
    passages = load_passages([FIXTURE_CORPUS, tmp_path / "company"], bundled=False)
    ids = [p.id for p in passages if p.doc_id == "beta-baselines"]
    assert ids == ["beta-baselines#house-rule"]
    assert any(p.doc_id == "gamma-latency" for p in passages)


def test_extra_folders_add_to_the_bundled_corpus(tmp_path: Path) -> None:
    if not bundled_knowledge_dirs():
        pytest.skip("the bundled knowledge/ corpus is not present in this checkout")
    bundled = load_passages()
    extra = load_passages([FIXTURE_CORPUS])
    assert {p.id for p in extra} == {p.id for p in bundled} | {
        p.id for p in load_passages([FIXTURE_CORPUS], bundled=False)
    }
    # Naming the bundled folder explicitly does not duplicate it.
    assert len(load_passages(bundled_knowledge_dirs())) == len(bundled)


def test_fingerprint_changes_with_content_embedding_and_nothing_else(tmp_path: Path) -> None:
    passages = load_passages([FIXTURE_CORPUS], bundled=False)
    base = corpus_fingerprint(passages, "wordllama")
    assert base == corpus_fingerprint(list(reversed(passages)), "wordllama")
    assert base != corpus_fingerprint(passages, "none")
    edited = [
        p.model_copy(update={"text": p.text + " More."}) if i == 3 else p
        for i, p in enumerate(passages)
    ]
    assert base != corpus_fingerprint(edited, "wordllama")
    retagged = [
        p.model_copy(update={"rules": ["KR999"]}) if i == 0 else p for i, p in enumerate(passages)
    ]
    assert base != corpus_fingerprint(retagged, "wordllama")
    # Scores are not content: a searched copy fingerprints the same.
    scored = [p.model_copy(update={"score": 0.5}) for p in passages]
    assert base == corpus_fingerprint(scored, "wordllama")
    assert len(base) == 64


# --- section-level rule tags ------------------------------------------------------------

TAGGED = """---
id: tagged
title: Tagged
rules: [KR202, KR205]
---
Lead-in text.

## Setting a target
<!-- rules: KR202* -->

Say what value counts as success.

## Stretch
<!-- Rules: kr205, KR202 -->
<!-- keywords: ambition, 70 percent, Moonshot -->
Aim for about 0.7.

## Scoring rhythm
<!-- rules: none -->

Score at the end of the quarter.

## Untagged

Inherits the document's codes. <!-- rules: KR101 --> is text when it is not first.
"""


def test_a_section_rules_comment_sets_its_own_codes_and_is_stripped(tmp_path: Path) -> None:
    write(tmp_path / "g", "tagged.md", TAGGED)
    passages = {p.id: p for p in load_passages([tmp_path / "g"], bundled=False)}
    assert passages["tagged#setting-a-target"].rules == ["KR202"]
    assert passages["tagged#setting-a-target"].text == "Say what value counts as success."
    assert passages["tagged#stretch"].rules == ["KR205", "KR202"]  # case-folded, in order
    assert passages["tagged#stretch"].text == "Aim for about 0.7."
    # Keywords join the document's tags (lowercased), so they are indexed but never quoted.
    assert passages["tagged#stretch"].tags == ["ambition", "70 percent", "moonshot"]
    assert passages["tagged#setting-a-target"].tags == []
    assert passages["tagged#scoring-rhythm"].rules == []  # `none`: explains no rule
    # No comment: the section explains what the document explains.
    assert passages["tagged#untagged"].rules == ["KR202", "KR205"]
    assert "<!-- rules: KR101 -->" in passages["tagged#untagged"].text
    assert passages["tagged#overview"].rules == ["KR202", "KR205"]


def test_load_corpus_keeps_the_document_level_codes_apart(tmp_path: Path) -> None:
    from reviewer.retrieve.corpus import load_corpus

    write(tmp_path / "g", "tagged.md", TAGGED)
    corpus = load_corpus([tmp_path / "g"], bundled=False)
    assert corpus.doc_rules == {"tagged": ["KR202", "KR205"]}
    # `KR202*`: the section is KR202's primary explanation; the star is not part of the code.
    assert corpus.primary == {"tagged#setting-a-target": ["KR202"]}
    assert [p.id for p in corpus.passages] == [
        p.id for p in load_passages([tmp_path / "g"], bundled=False)
    ]


def test_a_bad_code_in_a_section_comment_names_the_file_and_section(tmp_path: Path) -> None:
    path = write(
        tmp_path / "g", "bad.md", "---\nid: bad\n---\n## Alpha\n<!-- rules: KR2O1 -->\n\ntext\n"
    )
    with pytest.raises(InputError) as caught:
        load_passages([tmp_path / "g"], bundled=False)
    assert "invalid rule code 'KR2O1'" in str(caught.value) and "'Alpha'" in str(caught.value)
    assert caught.value.file == str(path)


def test_retagging_a_section_changes_the_fingerprint(tmp_path: Path) -> None:
    write(tmp_path / "g", "tagged.md", TAGGED)
    before = corpus_fingerprint(load_passages([tmp_path / "g"], bundled=False), "wordllama")
    write(
        tmp_path / "g",
        "tagged.md",
        TAGGED.replace("<!-- rules: KR202* -->", "<!-- rules: KR205 -->"),
    )
    after = corpus_fingerprint(load_passages([tmp_path / "g"], bundled=False), "wordllama")
    assert before != after
    assert TAGGED.count("<!-- rules: KR202* -->") == 1  # the replacement above did happen
