"""File mode: upload a team file in each format; summary, table, cards, downloads; bad files."""

from __future__ import annotations

import pytest
from pagekit import REPO, cards, errors_shown, kind_shown

YAML = b"""team: Platform
period: Q3 2025
objectives:
  - objective: Make deploys boring
    key_results:
      - Migrate the CI pipeline to GitHub Actions
      - text: Cut p95 CI build time from 14 min to 8 min by the end of Q3
        owner: ci-team
  - objective: Keep checkout fast
    key_results:
      - Reduce checkout p95 latency from 900 ms to 400 ms by the end of Q3
      - Run 10 brown-bag sessions on performance
"""
MARKDOWN = b"""---
team: Platform
period: Q3 2025
---
# Platform OKRs

## Make deploys boring
- Migrate the CI pipeline to GitHub Actions
- Cut p95 CI build time from 14 min to 8 min by the end of Q3

## Keep checkout fast
1. Reduce checkout p95 latency from 900 ms to 400 ms by the end of Q3
2. Run 10 brown-bag sessions on performance
"""
CSV = b"""objective,key_result,owner
Make deploys boring,Migrate the CI pipeline to GitHub Actions,
,Cut p95 CI build time from 14 min to 8 min by the end of Q3,ci-team
Keep checkout fast,Reduce checkout p95 latency from 900 ms to 400 ms by the end of Q3,
,Run 10 brown-bag sessions on performance,
"""
TEAM_FILES = {
    "platform.yaml": (YAML, "application/x-yaml"),
    "platform.md": (MARKDOWN, "text/markdown"),
    "platform.csv": (CSV, "text/csv"),
}


def upload(at, name: str, content: bytes, mime: str = "application/octet-stream"):  # type: ignore[no-untyped-def]
    at.file_uploader(key="upload").set_value((name, content, mime)).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("name", sorted(TEAM_FILES))
def test_each_format_gets_summary_table_cards_and_downloads(page, name: str) -> None:  # type: ignore[no-untyped-def]
    content, mime = TEAM_FILES[name]
    at = upload(page, name, content, mime)
    assert not errors_shown(at)

    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Key results"] == "4"
    assert int(metrics["Output"]) >= 1
    assert int(metrics["Activity"]) >= 1
    assert int(metrics["Outcome"]) >= 1

    table, objectives = at.dataframe[1].value, at.dataframe[0].value
    assert len(table) == 4
    assert list(table["key result"]) == [
        "Migrate the CI pipeline to GitHub Actions",
        "Cut p95 CI build time from 14 min to 8 min by the end of Q3",
        "Reduce checkout p95 latency from 900 ms to 400 ms by the end of Q3",
        "Run 10 brown-bag sessions on performance",
    ]
    assert table["worst finding"].iloc[0].startswith("KR101")
    assert set(objectives["objective"]) <= {"Make deploys boring", "Keep checkout fast"}
    assert len(objectives) >= 1

    shown = cards(at, "file")
    assert kind_shown(shown[0]) == "output"
    assert len(shown) == 4
    labels = [b.label for b in at.download_button]
    assert labels == ["Download Markdown", "Download JSON", "Download CSV"]


def test_bundled_example_files_review_cleanly(page) -> None:  # type: ignore[no-untyped-def]
    examples = [
        p for p in sorted((REPO / "examples").glob("*")) if p.suffix in {".yaml", ".md", ".csv"}
    ]
    assert examples, "no example team files found in examples/"
    for example in examples:
        at = upload(page, example.name, example.read_bytes())
        assert not errors_shown(at), (example.name, errors_shown(at))
        assert cards(at, "file"), example.name


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("broken.yaml", b"objectives: [unclosed\n  - x: {", "broken.yaml"),
        ("sheet.csv", b"PK\x03\x04\x00\x00binary spreadsheet\x00", "binary"),
        ("latin1.md", "# Objective\n- R\xe9duire la latence\n".encode("latin-1"), "UTF-8"),
        ("headerless.csv", b"just,some,cells\n1,2,3\n", "headerless.csv"),
        ("empty.yaml", b"", "empty.yaml"),
    ],
)
def test_a_bad_upload_shows_a_clear_error(page, name: str, content: bytes, expected: str) -> None:  # type: ignore[no-untyped-def]
    at = upload(page, name, content)
    errors = errors_shown(at)
    assert len(errors) == 1, errors
    assert expected in errors[0].replace("\\", "")
    assert "Traceback" not in errors[0]
    assert cards(at, "file") == []
    assert not at.download_button


def test_replacing_a_bad_upload_with_a_good_one_recovers(page) -> None:  # type: ignore[no-untyped-def]
    at = upload(page, "broken.yaml", b"objectives: [")
    assert errors_shown(at)
    at = upload(at, "platform.yaml", YAML)
    assert not errors_shown(at)
    assert len(cards(at, "file")) == 4
