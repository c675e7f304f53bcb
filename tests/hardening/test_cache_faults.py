"""Injected faults in the index cache: read-only, full, deleted or corrupted between runs,
and two processes reviewing at once on one cache. Every review completes with the same
report as a healthy run (an in-memory or rebuilt index where needed, and the report says
so); afterwards the cache is healthy, and a rerun gives the reference report exactly.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hardkit import (
    EXAMPLE,
    REPO,
    assert_no_traceback,
    clean_env,
    cli_command,
    comparable,
    run_cli,
    start_cli,
)

STATUS_PROBE = """
import json, sys
from pathlib import Path
from reviewer.config import load_config
from reviewer.retrieve import open_index
index = open_index(load_config(overrides={"retrieval": {"cache_dir": Path(sys.argv[1])}}, use_env=False))
print(json.dumps({k: index.status.get(k) for k in ("backend", "rebuilt", "degraded")}))
"""


def check(cache: Path, **kwargs: Any) -> dict[str, Any]:
    """Review the example offline as JSON; the run must succeed (exit 1: it has findings)."""
    run = run_cli("check", str(EXAMPLE), "--offline", "-f", "json", cache_dir=cache, **kwargs)
    assert_no_traceback(run)
    assert run.code == 1, run.stderr[-3000:]
    return json.loads(run.stdout)


def index_status(cache: Path) -> dict[str, Any]:
    """The index status a new process sees for `cache` (builds nothing if it is healthy)."""
    done = subprocess.run(
        [sys.executable, "-c", STATUS_PROBE, str(cache)],
        capture_output=True,
        text=True,
        env=clean_env(cache),
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_healthy_again(cache: Path, baseline: dict[str, Any]) -> None:
    """A rerun gives the reference report (notes included), and the cache then stays built."""
    assert comparable(check(cache)) == comparable(baseline)
    status = index_status(cache)
    assert status == {"backend": "persistent", "rebuilt": False, "degraded": None}, status


def assert_same_review_degraded(report: dict[str, Any], baseline: dict[str, Any]) -> None:
    assert comparable(report, drop=("notes",)) == comparable(baseline, drop=("notes",))
    assert any("in-memory" in note or "degraded" in note for note in report["notes"]), report[
        "notes"
    ]


def _namespace_ok(tmp_path: Path) -> str | None:
    """None if this machine lets us mount in a private mount namespace, else why not."""
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    probe = tmp_path / "ns-probe"
    probe.mkdir()
    done = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            'mount -t tmpfs -o size=64k tmpfs "$0"',
            str(probe),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return f"cannot mount in a private namespace: {done.stderr.strip()[:200]}"
    return None


def _in_namespace(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace (mounts vanish when it exits)."""
    return subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-ec", script, "sh", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


# -- read-only ----------------------------------------------------------------------------
@pytest.mark.parametrize("prebuilt", [True, False], ids=["with-index", "empty"])
def test_a_read_only_cache_still_reviews_and_is_fine_afterwards(
    prebuilt: bool, cache_copy: Path, tmp_path: Path, baseline: dict[str, Any]
) -> None:
    if reason := _namespace_ok(tmp_path):
        pytest.skip(reason)
    cache = cache_copy if prebuilt else tmp_path / "empty-cache"
    cache.mkdir(exist_ok=True)
    out = tmp_path / "out.json"
    command = " ".join(f"'{c}'" for c in cli_command())
    script = (
        'mount --bind "$1" "$1"; mount -o remount,bind,ro "$1"; '
        'if touch "$1/probe" 2>/dev/null; then echo "still writable" >&2; exit 3; fi; '
        f'{command} check "$2" --offline -f json > "$3" || echo "exit $?" > "$3.code"'
    )
    done = _in_namespace(script, str(cache), str(EXAMPLE), str(out), env=clean_env(cache))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert (out.parent / "out.json.code").read_text().strip() == "exit 1"
    report = json.loads(out.read_text())
    if prebuilt:
        # A built index only needs reading: same report, nothing degraded, or memory.
        assert comparable(report, drop=("notes",)) == comparable(baseline, drop=("notes",))
    else:
        assert_same_review_degraded(report, baseline)
    assert_healthy_again(cache, baseline)


# -- full -----------------------------------------------------------------------------------
def test_a_full_disk_degrades_to_memory_then_the_cache_recovers(
    tmp_path: Path, baseline: dict[str, Any]
) -> None:
    """A real ENOSPC: the cache folder is an 8 MB tmpfs filled to the brim."""
    if reason := _namespace_ok(tmp_path):
        pytest.skip(reason)
    cache = tmp_path / "cache"
    cache.mkdir()
    command = " ".join(f"'{c}'" for c in cli_command())
    probe = f"'{sys.executable}' -c '{STATUS_PROBE.replace(chr(39), chr(34))}' \"$1\""
    script = (
        'mount -t tmpfs -o size=8m tmpfs "$1"\n'
        'head -c 8000000 /dev/zero > "$1/filler" 2>/dev/null || true\n'
        f'{command} check "$2" --offline -f json > "$3/full.json" || echo $? > "$3/full.code"\n'
        'rm "$1/filler"\n'
        f'{command} check "$2" --offline -f json > "$3/freed.json" || echo $? > "$3/freed.code"\n'
        f'{probe} > "$3/status.json"\n'
        'ls -a "$1/index" > "$3/listing.txt"\n'
    )
    done = _in_namespace(script, str(cache), str(EXAMPLE), str(tmp_path), env=clean_env(cache))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert (tmp_path / "full.code").read_text().strip() == "1"
    assert (tmp_path / "freed.code").read_text().strip() == "1"
    full = json.loads((tmp_path / "full.json").read_text())
    assert_same_review_degraded(full, baseline)
    assert any("full" in note for note in full["notes"]), full["notes"]
    freed = json.loads((tmp_path / "freed.json").read_text())
    assert comparable(freed) == comparable(baseline)
    status = json.loads((tmp_path / "status.json").read_text().strip().splitlines()[-1])
    assert status == {"backend": "persistent", "rebuilt": False, "degraded": None}
    builds = [n for n in (tmp_path / "listing.txt").read_text().split() if n.startswith("build-")]
    assert len(builds) == 1, builds  # the half-written build was cleaned up


def test_a_file_size_limit_degrades_to_memory_and_leaves_no_broken_index(
    tmp_path: Path, baseline: dict[str, Any]
) -> None:
    """Writes fail with EFBIG (RLIMIT_FSIZE, the signal ignored): the same fault as a full
    disk from the writer's point of view, on any machine."""
    cache = tmp_path / "cache"

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    done = subprocess.run(
        [*cli_command(), "check", str(EXAMPLE), "--offline", "-f", "json"],
        capture_output=True,  # pipes: not files, so the limit does not cut the report
        env=clean_env(cache),
        cwd=REPO,
        timeout=180,
        preexec_fn=limit_file_size,
    )
    stderr = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert done.returncode == 1, stderr[-3000:]
    assert_same_review_degraded(json.loads(done.stdout), baseline)
    assert_healthy_again(cache, baseline)


# -- deleted or corrupted between runs ------------------------------------------------------
def _current_build(cache: Path) -> Path:
    manifest = json.loads((cache / "index" / "manifest.json").read_text())
    return cache / "index" / manifest["build"]


def _delete_everything(cache: Path) -> None:
    shutil.rmtree(cache)


def _delete_index(cache: Path) -> None:
    shutil.rmtree(cache / "index")


def _delete_database(cache: Path) -> None:
    (_current_build(cache) / "chroma.sqlite3").unlink()


def _garbage_database(cache: Path) -> None:
    (_current_build(cache) / "chroma.sqlite3").write_bytes(os.urandom(64 * 1024))


def _truncated_database(cache: Path) -> None:
    database = _current_build(cache) / "chroma.sqlite3"
    data = database.read_bytes()
    database.write_bytes(data[: len(data) // 3])


def _vector_segment_wiped(cache: Path) -> None:
    for segment in _current_build(cache).iterdir():
        if segment.is_dir():
            for item in segment.iterdir():
                item.write_bytes(b"\0" * 100)


def _garbage_manifest(cache: Path) -> None:
    (cache / "index" / "manifest.json").write_text('{"format": 1, "build": "../../etc"')


def _manifest_to_missing_build(cache: Path) -> None:
    path = cache / "index" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["build"] = "build-000000000000-deadbeef"
    path.write_text(json.dumps(manifest))


def _corrupt_llm_cache(cache: Path) -> None:
    folder = cache / "llm" / "ab"
    folder.mkdir(parents=True)
    (folder / ("ab" + "0" * 62 + ".json")).write_bytes(b"\xff\xfe not json")


FAULTS = {
    "cache-deleted": _delete_everything,
    "index-deleted": _delete_index,
    "database-deleted": _delete_database,
    "database-garbage": _garbage_database,
    "database-truncated": _truncated_database,
    "vector-segment-wiped": _vector_segment_wiped,
    "manifest-garbage": _garbage_manifest,
    "manifest-points-nowhere": _manifest_to_missing_build,
    "llm-cache-garbage": _corrupt_llm_cache,
}


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_a_cache_broken_between_runs_is_repaired_and_the_report_is_unchanged(
    fault: str, cache_copy: Path, baseline: dict[str, Any]
) -> None:
    FAULTS[fault](cache_copy)
    report = check(cache_copy)
    assert comparable(report, drop=("notes",)) == comparable(baseline, drop=("notes",))
    assert_healthy_again(cache_copy, baseline)


# -- two processes at once ------------------------------------------------------------------
def test_two_processes_reviewing_at_once_on_one_new_cache(
    tmp_path: Path, baseline: dict[str, Any]
) -> None:
    cache = tmp_path / "shared-cache"
    procs = [
        start_cli("check", str(EXAMPLE), "--offline", "-f", "json", cache_dir=cache)
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=240) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert "Traceback" not in err, err[-3000:]
        assert proc.returncode == 1, err[-3000:]
        assert comparable(json.loads(out)) == comparable(baseline)
    assert len(list((cache / "index").glob("build-*"))) == 1
    assert_healthy_again(cache, baseline)
