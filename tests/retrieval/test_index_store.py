"""The persistent index: build once, reuse across processes, repair, degrade, share safely."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from retrieval_kit import (
    current_build,
    make_config,
    parse_probe,
    probe_command,
    probe_env,
    retrieval_settings,
)

from reviewer.retrieve import open_index

Probe = Callable[..., dict[str, Any]]
QUERY = {"query": "we will launch the new sign-in page", "codes": ["KR101"]}


def spec(corpus: Path, cache: Path, **extra: Any) -> dict[str, Any]:
    return {"retrieval": retrieval_settings(corpus, cache), **QUERY, **extra}


def test_first_open_builds_and_search_returns_scored_passages(
    corpus_dir: Path, cache_dir: Path
) -> None:
    index = open_index(make_config(corpus_dir, cache_dir))
    status = index.status
    assert status["backend"] == "persistent"
    assert status["embedding"] == "wordllama"
    assert status["rebuilt"] is True
    assert status["degraded"] is None
    assert 0 < status["build_ms"] < 30_000
    assert status["passages"] == 8
    hits = index.search("p99 response time of the API", k=2)
    assert [h.doc_id for h in hits] == ["gamma-latency", "gamma-latency"]
    assert hits[0].score >= hits[1].score > 0
    assert index.get(hits[0].id) is not None and index.get(hits[0].id).score == 0.0
    manifest = json.loads((cache_dir / "index" / "manifest.json").read_text())
    assert manifest["fingerprint"] == status["fingerprint"]
    assert manifest["passages"] == 8
    assert (cache_dir / "index" / manifest["build"] / "chroma.sqlite3").is_file()


def test_semantic_search_finds_a_paraphrase_with_no_shared_words(
    corpus_dir: Path, cache_dir: Path
) -> None:
    # "sluggish replies" shares no word with the corpus; only the embedding can place it.
    index = open_index(make_config(corpus_dir, cache_dir))
    assert index.search("sluggish replies for impatient visitors", k=1)[0].doc_id == "gamma-latency"
    lexical = open_index(make_config(corpus_dir, cache_dir, embedding="none"))
    assert lexical.search("sluggish replies for impatient visitors", k=1) == []


EXACT_QUERIES = (
    ("p99 response time of the API", ["KR403"]),
    ("sluggish replies for impatient visitors", []),
    ("we will launch the new sign-in page", ["KR101"]),
    ("no data exists yet: collect numbers first", ["KR201"]),
)


def test_a_small_collection_is_searched_exactly_and_agrees_with_chroma(
    corpus_dir: Path, cache_dir: Path
) -> None:
    exact = open_index(make_config(corpus_dir, cache_dir))
    asked = open_index(make_config(corpus_dir, cache_dir, exact_search_max=0))
    assert exact.status["search"] == "exact"
    assert asked.status["search"] == "chroma"
    assert asked.status["rebuilt"] is False  # the same index, searched another way
    for query, codes in EXACT_QUERIES:
        semantic = exact.signals(query)[1]
        by_chroma = asked.signals(query)[1]
        assert semantic is not None and by_chroma is not None
        assert np.allclose(semantic, by_chroma, atol=1e-5), query
        ours = [(p.id, round(p.score, 3)) for p in exact.search(query, codes, k=4)]
        theirs = [(p.id, round(p.score, 3)) for p in asked.search(query, codes, k=4)]
        assert ours == theirs, query


def test_a_collection_too_large_or_unreadable_whole_is_searched_by_chroma(
    corpus_dir: Path, cache_dir: Path
) -> None:
    from reviewer.retrieve.index import _VectorStore

    index = open_index(make_config(corpus_dir, cache_dir))
    reference = index.signals("p99 response time of the API")[1]
    too_large = open_index(make_config(corpus_dir, cache_dir, exact_search_max=7))  # 8 passages
    assert too_large.status["search"] == "chroma"

    class NoWholeRead:  # a store that cannot hand over its vectors (or a server that refuses)
        def __init__(self, collection: Any) -> None:
            self.collection = collection

        def get(self, **kwargs: Any) -> Any:
            raise RuntimeError("read refused")

        def query(self, **kwargs: Any) -> Any:
            return self.collection.query(**kwargs)

    vector = index._vector  # type: ignore[attr-defined]
    store = _VectorStore(NoWholeRead(vector.collection), vector.embed, index.passages())
    assert store.prepare_search() == "chroma"
    assert np.allclose(store.similarities("p99 response time of the API"), reference, atol=1e-5)


def test_a_new_process_reuses_the_index_and_a_corpus_change_rebuilds_it(
    corpus_dir: Path, cache_dir: Path, run_probe: Probe
) -> None:
    first = open_index(make_config(corpus_dir, cache_dir))
    assert first.status["rebuilt"] is True
    expected = [
        {"id": p.id, "score": p.score} for p in first.search(QUERY["query"], QUERY["codes"], k=3)
    ]
    assert expected[0]["id"].startswith("alpha-outcomes#")

    # Nothing in memory carries over to a new process: only the persisted index can.
    second = run_probe(spec(corpus_dir, cache_dir))
    assert second["status"]["rebuilt"] is False
    assert second["status"]["backend"] == "persistent"
    assert second["status"]["degraded"] is None
    assert second["results"] == expected

    doc = corpus_dir / "beta-baselines.md"
    doc.write_text(
        doc.read_text() + "\n## Anchors for relative targets\n\nA percentage needs a base.\n"
    )
    third = open_index(make_config(corpus_dir, cache_dir))
    assert third.status["rebuilt"] is True
    assert third.status["passages"] == 9
    assert third.fingerprint != first.fingerprint

    forced = open_index(make_config(corpus_dir, cache_dir), rebuild=True)
    assert forced.status["rebuilt"] is True
    assert open_index(make_config(corpus_dir, cache_dir)).status["rebuilt"] is False
    # Old builds are cleaned up: only the current and the previous one remain.
    assert len(list((cache_dir / "index").glob("build-*"))) <= 2


def test_changing_the_embedding_rebuilds(corpus_dir: Path, cache_dir: Path) -> None:
    wordllama = open_index(make_config(corpus_dir, cache_dir))
    lexical = open_index(make_config(corpus_dir, cache_dir, embedding="none"))
    assert wordllama.fingerprint != lexical.fingerprint


def garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(0, len(data), 5):
        data[i] = (data[i] * 31 + 7) % 256
    path.write_bytes(bytes(data))


def truncate_half(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", [garble, truncate_half], ids=["garbled", "truncated"])
def test_a_corrupted_index_is_detected_rebuilt_and_search_still_works(
    corpus_dir: Path, cache_dir: Path, run_probe: Probe, damage: Callable[[Path], None]
) -> None:
    index = open_index(make_config(corpus_dir, cache_dir))
    good = [
        {"id": p.id, "score": p.score} for p in index.search(QUERY["query"], QUERY["codes"], k=3)
    ]
    broken = current_build(cache_dir)
    damage(broken / "chroma.sqlite3")

    repaired = run_probe(spec(corpus_dir, cache_dir))
    status = repaired["status"]
    assert status["rebuilt"] is True
    assert status["backend"] == "persistent"
    assert status["degraded"] is None
    assert broken.name in status["repaired"]
    assert current_build(cache_dir) != broken
    assert repaired["results"] == good
    assert open_index(make_config(corpus_dir, cache_dir)).status["rebuilt"] is False


def test_a_half_deleted_cache_is_rebuilt(
    corpus_dir: Path, cache_dir: Path, run_probe: Probe
) -> None:
    open_index(make_config(corpus_dir, cache_dir))
    shutil.rmtree(current_build(cache_dir))  # the manifest now points at nothing
    result = run_probe(spec(corpus_dir, cache_dir))
    assert result["status"]["rebuilt"] is True
    assert "chroma.sqlite3 is missing" in result["status"]["repaired"]
    assert result["results"]


def test_a_half_written_build_is_never_used(
    corpus_dir: Path, cache_dir: Path, run_probe: Probe
) -> None:
    # A build that died before its manifest was written leaves a folder nothing points to.
    open_index(make_config(corpus_dir, cache_dir))
    manifest_path = cache_dir / "index" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    crashed = cache_dir / "index" / "build-crashed-00000000"
    crashed.mkdir()
    (crashed / "chroma.sqlite3").write_bytes(b"partial")
    manifest_path.write_text(json.dumps(manifest)[: len(json.dumps(manifest)) // 2])  # torn write

    result = run_probe(spec(corpus_dir, cache_dir))
    assert result["status"]["rebuilt"] is True
    assert result["status"]["degraded"] is None
    assert current_build(cache_dir).name != "build-crashed-00000000"
    assert not crashed.exists()  # stale partial builds are cleaned up under the lock


def test_an_unusable_cache_path_degrades_to_memory_and_still_answers(
    corpus_dir: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    index = open_index(make_config(corpus_dir, blocker))
    assert index.status["backend"] == "memory"
    assert "using an in-memory index" in index.status["degraded"]
    assert index.search("p99 latency", codes=["KR403"], k=1)[0].doc_id == "gamma-latency"


def _read_only_wrapper(folder: Path) -> list[str]:
    """argv prefix that runs a command with `folder` mounted read-only (private namespace).

    chmod does not stop root, and tests here may run as root, so the folder is made
    read-only at the mount level in a mount namespace only the child process sees.
    """
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"',
        str(folder),
    ]


def _can_mount_read_only(folder: Path) -> str | None:
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    folder.mkdir(parents=True, exist_ok=True)
    probe = subprocess.run(
        [*_read_only_wrapper(folder), "sh", "-c", f'! touch "{folder}/w" 2>/dev/null'],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return (
            f"cannot make a read-only mount here: {probe.stderr.strip()[:200] or 'not permitted'}"
        )
    return None


@pytest.mark.parametrize("prebuilt", [False, True], ids=["empty", "with-current-index"])
def test_a_read_only_cache_degrades_to_memory_and_still_answers(
    corpus_dir: Path, cache_dir: Path, run_probe: Probe, prebuilt: bool
) -> None:
    import os

    cache_dir.mkdir()
    if os.geteuid() != 0:
        wrapper: list[str] = []
        if prebuilt:
            open_index(make_config(corpus_dir, cache_dir))
        for path in [cache_dir, *cache_dir.rglob("*")]:
            path.chmod(0o555 if path.is_dir() else 0o444)
    else:
        reason = _can_mount_read_only(cache_dir)
        if reason:
            pytest.skip(reason)
        if prebuilt:
            open_index(make_config(corpus_dir, cache_dir))
        wrapper = _read_only_wrapper(cache_dir)
    try:
        result = run_probe(spec(corpus_dir, cache_dir), wrapper=wrapper)
    finally:
        for path in [cache_dir, *cache_dir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    status = result["status"]
    assert status["backend"] == "memory"
    assert "in-memory" in status["degraded"]
    assert result["results"][0]["id"].startswith("alpha-outcomes#")


@pytest.mark.slow
def test_concurrent_builders_on_one_cache_all_succeed_and_build_once(
    corpus_dir: Path, cache_dir: Path
) -> None:
    env = probe_env()
    procs = [
        subprocess.Popen(
            probe_command(spec(corpus_dir, cache_dir)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        results.append(
            parse_probe(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
        )
    statuses = [r["status"] for r in results]
    assert all(s["backend"] == "persistent" and s["degraded"] is None for s in statuses)
    assert sum(s["rebuilt"] for s in statuses) == 1, statuses
    assert all(r["results"] == results[0]["results"] for r in results)
    assert len(list((cache_dir / "index").glob("build-*"))) == 1
    after = open_index(make_config(corpus_dir, cache_dir))
    assert after.status["rebuilt"] is False


def test_an_extra_knowledge_folder_is_indexed_and_boosted(
    corpus_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    company = tmp_path / "company-guide"
    company.mkdir()
    (company / "review-cadence.md").write_text(
        "---\nid: review-cadence\ntitle: How we review key results\nrules: [KR205]\n---\n"
        "## Weekly confidence check\n\nEach Monday the owner states a confidence from 0 to 10.\n"
    )
    config = make_config(corpus_dir, cache_dir)
    config.retrieval.knowledge_dirs.append(company)
    index = open_index(config)
    assert index.get("review-cadence#weekly-confidence-check") is not None
    top = index.search("raise checkout conversion from 2.0% to 2.1%", codes=["KR205"], k=1)
    assert top[0].id == "review-cadence#weekly-confidence-check"


def test_a_guide_repeating_the_same_section_keeps_a_persistent_index(
    corpus_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    # Identical passages embed identically, so the index check's probe may find its twin
    # first; that is a healthy index, not a corrupted one to replace with a memory index.
    company = tmp_path / "company-guide"
    company.mkdir()
    for number in range(40):
        (company / f"team-{number}.md").write_text(
            f"---\nid: team-{number}\ntitle: Team guide\nrules: []\n---\n"
            "## Weekly confidence check\n\nEach Monday the owner states a confidence.\n"
        )
    config = make_config(corpus_dir, cache_dir)
    config.retrieval.knowledge_dirs.append(company)
    first = open_index(config)
    assert first.status["backend"] == "persistent", first.status
    assert first.status["degraded"] is None, first.status
    again = open_index(config)
    assert again.status["backend"] == "persistent" and again.status["rebuilt"] is False
    assert again.status["degraded"] is None, again.status
