"""The `check` and `app` commands: from parsed CLI arguments to output and an exit code.

`run_check` reviews every file it can read, reports the ones it cannot (one line each on
stderr, `file:line: message (hint)`), renders the report in the chosen format and writes
it to stdout or atomically to --output. Exit codes: 2 if any input or usage problem,
else 1 if any finding is at or above --fail-on, else 0.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..models import SEVERITY_ORDER, KeyResultReview, Report

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


# -- arguments to config ------------------------------------------------------------------
def config_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The Config overrides the flags ask for; flags left unset do not override the file."""
    overrides: dict[str, Any] = {
        "select": getattr(args, "select", None),
        "extend_select": getattr(args, "extend_select", None),
        "ignore": getattr(args, "ignore", None),
        "policy": getattr(args, "policy", None),
        "critic": getattr(args, "critic", None),
        "offline": True if getattr(args, "offline", False) else None,
        "rules_only": True if getattr(args, "rules_only", False) else None,
    }
    llm = {
        "base_url": getattr(args, "base_url", None),
        "model": getattr(args, "model", None),
        "concurrency": getattr(args, "concurrency", None),
        "timeout_s": getattr(args, "timeout", None),
        "cache": False if getattr(args, "no_cache", False) else None,
    }
    retrieval = {
        "knowledge_dirs": [Path(d) for d in getattr(args, "knowledge", None) or []] or None,
        "cache_dir": Path(args.cache_dir) if getattr(args, "cache_dir", None) else None,
    }
    overrides["llm"] = {k: v for k, v in llm.items() if v is not None}
    overrides["retrieval"] = {k: v for k, v in retrieval.items() if v is not None}
    return {k: v for k, v in overrides.items() if v is not None}


def expand_paths(paths: list[str]) -> list[str]:
    """Folders become the OKR files inside them (sorted); files and '-' pass through."""
    from ..parse import EXTENSIONS

    expanded: list[str] = []
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.is_dir():
            found = sorted(
                str(p)
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in EXTENSIONS
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            expanded.extend(found or [raw])  # an empty folder is reported by the reader
        else:
            expanded.append(raw)
    return list(dict.fromkeys(expanded))


# -- exit code ----------------------------------------------------------------------------
def exit_code(report: Report, fail_on: str) -> int:
    """2 for input problems, 1 for findings at or above `fail_on`, else 0."""
    if report.input_problems:
        return EXIT_ERROR
    if fail_on == "never":
        return EXIT_OK
    bar = SEVERITY_ORDER[fail_on]
    if any(SEVERITY_ORDER[f.severity] >= bar for f in report.all_findings()):
        return EXIT_FINDINGS
    return EXIT_OK


# -- output -------------------------------------------------------------------------------
def write_atomically(path: str | Path, text: str) -> None:
    """Write `text` to `path` so readers see the old file or the new one, never half."""
    write_atomically_with(path, lambda handle: handle.write(text))


def write_atomically_with(path: str | Path, write: Callable[[TextIO], object]) -> None:
    """Let `write` fill a temporary file next to `path`, then move it into place: readers
    see the old file or the whole new one, never half, even if `write` fails midway."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _write_stdout(write: Callable[[TextIO], object]) -> None:
    try:
        write(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `okr-review check ... | head`: the reader left, that is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _use_color(args: argparse.Namespace) -> bool:
    if args.format != "text" or args.output or getattr(args, "no_color", False):
        return False
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


class _Progress:
    """`reviewing 12/40` on a terminal's stderr, erased when the batch is done."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int, review: KeyResultReview) -> None:
        sys.stderr.write(f"\rokr-review: reviewing {done}/{total}")
        sys.stderr.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


# -- commands -----------------------------------------------------------------------------
def run_check(args: argparse.Namespace) -> int:
    """`okr-review check`: review files, render, write, and return the exit code."""
    from ..config import load_config
    from ..pipeline import Reviewer
    from . import write_report

    if list(args.paths).count("-") > 1:
        print("okr-review: '-' (stdin) can be given only once", file=sys.stderr)
        return EXIT_ERROR
    paths = expand_paths(list(args.paths))
    first = next((p for p in paths if p != "-"), None)
    config = load_config(
        start=Path(first) if first else None,
        overrides=config_overrides(args),
        config_file=Path(args.config) if getattr(args, "config", None) else None,
    )
    reviewer = Reviewer(config)
    progress = _Progress() if not args.quiet and sys.stderr.isatty() else None
    try:
        report = reviewer.review_files(paths, input_format=args.input_format, progress=progress)
    finally:
        if progress:
            progress.clear()

    for problem in report.input_problems:
        print(problem.message, file=sys.stderr)
    color = _use_color(args)

    def write(stream: TextIO) -> None:
        # Written as it is made: a 10,000-result JSON report is never one 50 MB string.
        write_report(report, args.format, stream, color=color)

    if args.output:
        try:
            write_atomically_with(args.output, write)
        except OSError as exc:
            print(f"okr-review: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    else:
        _write_stdout(write)
    return exit_code(report, args.fail_on)


def find_app() -> Path:
    """app.py in the source checkout that holds this package."""
    return Path(__file__).resolve().parents[2] / "app.py"


def run_app(args: argparse.Namespace) -> int:
    """`okr-review app`: run the Streamlit page on HOST:PORT until interrupted."""
    app = find_app()
    if not app.is_file():
        print(
            f"okr-review: the page {app} is missing (it ships with the source checkout; "
            "run from a clone of the repository)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        args.host,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    print(f"okr-review: serving the page on http://{args.host}:{args.port}", file=sys.stderr)
    return subprocess.call(command)
