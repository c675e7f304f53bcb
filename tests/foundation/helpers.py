"""Shared helpers for the foundation tests: the real console script and the examples."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
EXAMPLE_FORMATS = ("yaml", "md", "csv", "txt")


@dataclass
class Run:
    """A finished `okr-review` process."""

    code: int
    stdout: str
    stderr: str


def console_script() -> list[str]:
    """The installed `okr-review` entry point (the module, if the script is missing)."""
    script = Path(sys.executable).parent / "okr-review"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "reviewer.cli"]


def run_cli(
    *args: str,
    cache_dir: Path,
    stdin: str | bytes | None = None,
    cwd: Path = REPO,
    env: dict[str, str] | None = None,
) -> Run:
    """Run `okr-review ARGS` in a clean environment (no LLM configured, own cache)."""
    environment = {**os.environ, "OKR_REVIEW_CACHE_DIR": str(cache_dir)}
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "NO_COLOR", "OKR_REVIEW_DEBUG"):
        environment.pop(key, None)
    environment.update(env or {})
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [*console_script(), *args],
        input=data,
        capture_output=True,
        cwd=cwd,
        env=environment,
        timeout=240,
    )
    return Run(done.returncode, done.stdout.decode(), done.stderr.decode())


def example(fmt: str) -> Path:
    """The bundled example in one of its four formats."""
    return EXAMPLES / f"platform-team.{fmt}"


def line_of(path: Path, fragment: str) -> int:
    """The 1-based line of the first line containing `fragment`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return number
    raise AssertionError(f"{fragment!r} not in {path}")
