"""`okr-review knowledge index|search|list`, run through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.cli import main


@pytest.fixture
def project(tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory whose config reads only the fixture corpus."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".okr-review.toml").write_text(
        f'[retrieval]\nbundled_corpus = false\nknowledge_dirs = ["{corpus_dir}"]\n'
    )
    monkeypatch.chdir(folder)
    for name in ("CHROMA_HOST", "CHROMA_PORT", "OKR_REVIEW_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_list_prints_every_passage_id(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["knowledge", "list"]) == 0
    out = capsys.readouterr().out
    assert "alpha-outcomes#the-shipped-it-test" in out
    assert "8 passages in 4 documents" in out
    assert main(["knowledge", "list", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["passages"]) == 8
    assert data["passages"][0]["rules"] == ["KR101"]


def test_index_builds_once_then_reports_current(
    project: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["knowledge", "index", "--cache-dir", str(cache_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("index: persistent at ") and "built in" in out
    assert "search: exact, over vectors read once" in out
    assert main(["knowledge", "index", "--cache-dir", str(cache_dir), "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)["status"]
    assert status["rebuilt"] is False
    assert main(["knowledge", "index", "--cache-dir", str(cache_dir), "--rebuild"]) == 0
    assert "built in" in capsys.readouterr().out


def test_search_with_codes_as_json(
    project: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["knowledge", "search", "make the checkout faster", "--codes", "KR403,KR201", "-k", "3"]
    assert main([*argv, "--cache-dir", str(cache_dir), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["codes"] == ["KR403", "KR201"]
    docs = [r["doc_id"] for r in data["results"]]
    assert len(docs) == 3
    assert {"gamma-latency", "beta-baselines"} <= set(docs)
    assert all(r["text"] and r["score"] > 0 for r in data["results"])

    assert main([*argv, "--cache-dir", str(cache_dir)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("1. ")
    assert "score" in text and "[KR403]" in text


def test_search_lexical_only_and_extra_folder(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "on-call.md").write_text(
        "---\nid: on-call\ntitle: On-call load\n---\n## Pages per shift\n\nCount pages per shift.\n"
    )
    argv = [
        "knowledge",
        "search",
        "pages per shift",
        "--embedding",
        "none",
        "--knowledge",
        str(extra),
    ]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"]["backend"] == "lexical"
    assert data["results"][0]["id"] == "on-call#pages-per-shift"


def test_usage_and_corpus_errors_exit_2_with_one_line(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["knowledge", "search", "--embedding", "none"]) == 2
    assert "nothing to search for" in capsys.readouterr().err

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.md").write_text("---\nid: [oops\n---\n## A\n\ntext\n")
    assert main(["knowledge", "list", "--knowledge", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "broken.md" in err and "invalid front matter" in err
    assert "Traceback" not in err
