"""Paste mode: drafts in, a card per key result out, all offline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pagekit import REPO, block_text, cards, codes_shown, errors_shown, kind_shown, rewrites_shown

MIXED = """Objective: Make deploys boring
- Migrate the CI pipeline to GitHub Actions
- Run 10 brown-bag sessions on testing
- Cut p95 CI build time from 14 min to 8 min by the end of Q3
- Improve developer happiness
"""


def review_paste(at, text: str, objective: str = "", period: str = ""):  # type: ignore[no-untyped-def]
    at.text_area(key="paste_text").input(text)
    at.text_input(key="paste_objective").input(objective)
    at.text_input(key="paste_period").input(period)
    at.button(key="review_button").click().run()
    assert not at.exception, at.exception
    return at


def test_first_visit_is_offline_and_empty(page) -> None:  # type: ignore[no-untyped-def]
    assert page.sidebar.radio(key="mode").value == "Offline"
    assert page.title[0].value == "OKR key-result reviewer"
    assert cards(page, "paste") == []
    assert not page.error
    assert [t.label for t in page.tabs] == [
        ":material/edit_note: Paste drafts",
        ":material/upload_file: Review a team file",
    ]


def test_mixed_paste_gets_a_card_per_key_result(page, no_network: Path) -> None:  # type: ignore[no-untyped-def]
    at = review_paste(page, MIXED, period="Q3 2025")
    shown = cards(at, "paste")
    assert len(shown) == 4
    texts = [block_text(card) for card in shown]
    for card_text, draft in zip(texts, MIXED.splitlines()[1:], strict=True):
        assert draft.removeprefix("- ") in card_text.replace("\\", "")

    kinds = [kind_shown(card) for card in shown]
    assert kinds == ["output", "activity", "outcome", "unmeasurable"]
    assert "KR101" in codes_shown(shown[0])
    assert "KR102" in codes_shown(shown[1])
    assert "KR103" in codes_shown(shown[3])
    assert not any(code in codes_shown(shown[2]) for code in ("KR101", "KR102", "KR103"))

    # The output and the activity get rewrites to copy; unknown numbers are placeholders
    # that the card lists for the user to fill in, never invented values.
    for bad in (shown[0], shown[1]):
        rewrites = rewrites_shown(bad)
        assert 1 <= len(rewrites) <= 3
        assert any("<" in rewrite and ">" in rewrite for rewrite in rewrites)
        assert "Fill in:" in block_text(bad)
    # Each card carries its fix text and the critique.
    assert "Fix:" in texts[0]
    assert "**Critique**" in texts[0]
    assert not errors_shown(at)
    assert not no_network.exists() or no_network.read_text() == ""


def test_cited_passages_expand_to_their_text(page) -> None:  # type: ignore[no-untyped-def]
    at = review_paste(page, "Launch the new onboarding flow")
    (card,) = cards(at, "paste")
    expanders = card.expander
    assert expanders, "the critique should cite at least one guidance passage"
    # An expander holds the passage id and its text.
    body = block_text(expanders[0])
    assert "#" in body
    assert len(body) > 80


def test_objective_and_period_fields_apply_when_the_paste_has_none(page) -> None:  # type: ignore[no-untyped-def]
    at = review_paste(
        page, "Reduce checkout p95 latency from 900 ms to 400 ms", objective="Fast checkout"
    )
    (card,) = cards(at, "paste")
    assert "Fast checkout" in block_text(card)


def test_cells_pasted_from_a_spreadsheet_get_a_card_per_row(page) -> None:  # type: ignore[no-untyped-def]
    sheet = (
        "Objective\tKey result\tOwner\n"
        "Make deploys boring\tMigrate the CI pipeline to GitHub Actions\tAna\n"
        "\tCut p95 CI build time from 14 min to 8 min by the end of Q3\tBen\n"
    )
    at = review_paste(page, sheet)
    shown = cards(at, "paste")
    assert len(shown) == 2
    assert "Migrate the CI pipeline to GitHub Actions" in block_text(shown[0])
    assert "Actions\tAna" not in block_text(shown[0])  # the owner cell is not key-result text
    assert [kind_shown(card) for card in shown] == ["output", "outcome"]


def test_example_button_reviews_the_bundled_example_in_one_click(page) -> None:  # type: ignore[no-untyped-def]
    from reviewer.parse import read_okr_text

    page.button(key="example_button").click().run()
    assert not page.exception
    example = page.text_area(key="paste_text").value
    assert example.strip()
    expected = read_okr_text(example, source="<paste>", input_format="text")
    shown = cards(page, "paste")
    assert len(shown) == len(expected.key_results()) >= 3
    assert {kind_shown(card) for card in shown} >= {"outcome"}
    assert any(rewrites_shown(card) for card in shown)
    examples = [p for p in (REPO / "examples").glob("platform-team.*")]
    assert examples, "the bundled example file is missing"


def test_empty_paste_asks_for_input(page) -> None:  # type: ignore[no-untyped-def]
    page.button(key="review_button").click().run()
    assert not page.exception
    assert "Paste at least one key result" in page.warning[0].value
    assert cards(page, "paste") == []


@pytest.mark.parametrize(
    "hostile",
    [
        "Raise activation [click here](javascript:alert(1)) from 30% to 40% by Q3",
        "Ship <script>alert(1)</script> the <img src=x onerror=alert(1)> widget",
        "Reach :red[NPS] 40 by Q3 with $x^2$ and **bold** `code`",
    ],
)
def test_key_result_text_is_shown_inert(page, hostile: str) -> None:  # type: ignore[no-untyped-def]
    at = review_paste(page, hostile)
    (card,) = cards(at, "paste")
    markdown = [str(m.value) for m in card.markdown]
    # The raw text never reaches a Markdown element unescaped ...
    assert not any(hostile in body for body in markdown)
    for raw in ("](javascript:", "<script>", "<img", ":red[", "**bold**", "$x", "`code`"):
        unescaped = re.compile(r"(?<!\\)" + re.escape(raw))
        assert not any(unescaped.search(body) for body in markdown), raw
    # ... but it is all there once the escapes are read back.
    assert any(hostile in body.replace("\\", "") for body in markdown)
