"""Helpers for the hardening suites: the real CLI as a process, its time and peak memory,
clean environments, and report comparison that ignores what legitimately varies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EXAMPLE = EXAMPLES / "platform-team.yaml"
NETBLOCK = REPO / "tests" / "support" / "netblock"
# Environment that would point a run at a real LLM or a remote vector store.
REMOTE_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "OKR_REVIEW_MODEL",
    "CHROMA_HOST",
    "CHROMA_PORT",
    "OKR_REVIEW_DEBUG",
    "NO_COLOR",
)


# Peak memory of a child is only its own if a small process forks it: a child forked
# from a big parent (pytest, a benchmark that loaded chromadb) starts with the parent's
# resident set as its high-water mark. So a fresh, tiny `python -S` forks and waits.
RSS_HELPER = """
import os, signal, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def measured(command: Sequence[str], rss_file: Path) -> list[str]:
    """`command` wrapped so its own peak RSS (KB) is written to `rss_file`."""
    return [sys.executable, "-S", "-c", RSS_HELPER, str(rss_file), *command]


@dataclass
class Run:
    """A finished process: exit code, output, wall time and peak resident memory."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mb: float

    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def cli_command() -> list[str]:
    """The installed `okr-review` console script (the module if the script is missing)."""
    script = Path(sys.executable).parent / "okr-review"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reviewer.cli"]


def clean_env(
    cache_dir: Path | None, extra: dict[str, str] | None = None, *, netblock_log: Path | None = None
) -> dict[str, str]:
    """os.environ without LLM / remote-store settings, with its own cache folder.

    `netblock_log` puts the socket guard on PYTHONPATH so every Python process started
    with this environment refuses non-loopback connections and logs the attempts there.
    """
    env = {k: v for k, v in os.environ.items() if k not in REMOTE_ENV}
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    env["PYTHONUNBUFFERED"] = "1"
    if cache_dir is not None:
        env["OKR_REVIEW_CACHE_DIR"] = str(cache_dir)
    if netblock_log is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETBLOCK), env.get("PYTHONPATH")]))
        env["OKR_NETBLOCK_LOG"] = str(netblock_log)
    env.update(extra or {})
    return env


def run_process(
    command: Sequence[str],
    *,
    env: dict[str, str],
    stdin: bytes | None = None,
    cwd: Path = REPO,
    timeout: float = 180.0,
    preexec_fn: Callable[[], None] | None = None,
) -> Run:
    """Run a command to the end and measure its wall time and its own peak RSS."""
    import tempfile

    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        rss_file = Path(tmp) / "rss"
        started = time.perf_counter()
        proc = subprocess.Popen(
            measured(command, rss_file),
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
            env=env,
            preexec_fn=preexec_fn,
        )
        if stdin is not None:
            assert proc.stdin is not None
            try:
                proc.stdin.write(stdin)
                proc.stdin.close()
            except BrokenPipeError:
                pass  # the process read what it wanted (a size limit) and closed stdin
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise TimeoutError(f"{list(command)!r} did not finish within {timeout:.0f}s") from None
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        max_rss_kb = int(rss_file.read_text() or 0) if rss_file.exists() else 0
    return Run(
        code=code,
        stdout=stdout,
        stderr=stderr,
        seconds=seconds,
        max_rss_mb=max_rss_kb / 1024,  # Linux reports kilobytes
    )


def run_cli(
    *args: str,
    cache_dir: Path | None,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 180.0,
    wrapper: Sequence[str] = (),
    netblock_log: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Run:
    """Run `okr-review ARGS` in a clean environment and measure it."""
    return run_process(
        [*wrapper, *cli_command(), *args],
        env=clean_env(cache_dir, env, netblock_log=netblock_log),
        stdin=stdin,
        timeout=timeout,
        preexec_fn=preexec_fn,
    )


def start_cli(
    *args: str, cache_dir: Path | None, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start `okr-review ARGS` without waiting (for signals and concurrency)."""
    return subprocess.Popen(
        [*cli_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=clean_env(cache_dir, env),
    )


# -- checks -------------------------------------------------------------------------------
def assert_clean_error(run: Run, file_name: str, *, words: Iterable[str] = ()) -> str:
    """Exit 2, no traceback, and exactly one stderr line naming the file; returns that line."""
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.code == 2, (run.code, run.stderr[-2000:])
    naming = [line for line in run.stderr_lines() if file_name in line]
    assert len(naming) == 1, run.stderr[-2000:]
    line = naming[0]
    assert len(line) < 400, line
    for word in words:
        assert word.lower() in line.lower(), line
    return line


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert "internal error" not in run.stderr, run.stderr[-3000:]


VOLATILE = ("timings_ms",)


def comparable(report: dict[str, Any], *, drop: Iterable[str] = ()) -> dict[str, Any]:
    """A JSON report without what differs between two runs of the same review (timings),
    and without the top-level keys in `drop` (e.g. "usage", "notes")."""
    dropped = set(drop)
    return {k: _strip(v) for k, v in report.items() if k not in dropped and k not in VOLATILE}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def review_digest(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Per key result: text, kind, codes, critic, rewrites -- for short readable diffs."""
    rows = []
    for result in report.get("results", []):
        critique = result.get("critique") or {}
        rows.append(
            (
                str(result["key_result"])[:60],
                result.get("kind"),
                tuple(f["code"] for f in result.get("findings", [])),
                critique.get("critic"),
                tuple(r["text"] for r in result.get("rewrites", [])),
            )
        )
    return rows
