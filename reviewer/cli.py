"""`okr-review`: the linter-style command line, a thin layer over the public API.

Subcommands: check (review OKR files), rules (the catalogue), knowledge (the guidance
corpus), eval (the eval suite), app (the Streamlit page). Only argparse and the standard
library load at start-up, so `--help` answers fast; each command imports what it needs.

Exit codes, as linters do: 0 nothing at or above --fail-on, 1 findings, 2 usage/input errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "markdown", "sarif", "github", "csv")
INPUT_FORMATS = ("yaml", "markdown", "csv", "text")


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line on usage errors (argparse's own default is 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The full command tree; kept import-light on purpose."""
    from . import __version__

    parser = _Parser(
        prog="okr-review",
        description="Review engineering OKR key results: rules, grounded critique, "
        "honest rewrites.",
    )
    parser.add_argument("--version", action="version", version=f"okr-review {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser(
        "check",
        help="review OKR files (YAML, Markdown, CSV, text, '-' for stdin)",
        description="Review OKR files and report findings, critique and rewrites.",
    )
    check.add_argument("paths", nargs="+", metavar="PATH", help="OKR file(s); '-' reads stdin")
    check.add_argument("--format", "-f", choices=FORMATS, default="text", help="output format")
    check.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (atomically)"
    )
    check.add_argument("--input-format", choices=INPUT_FORMATS, help="override format detection")
    check.add_argument("--select", metavar="CODES", help="only these rule codes (comma-separated)")
    check.add_argument("--extend-select", metavar="CODES", help="add off-by-default rules")
    check.add_argument("--ignore", metavar="CODES", help="skip these rule codes")
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    check.add_argument("--policy", choices=("strict", "early-stage"), help="policy preset")
    check.add_argument("--config", metavar="FILE", help="config file (default: found upward)")
    check.add_argument("--offline", action="store_true", help="never call an LLM")
    check.add_argument(
        "--rules-only",
        action="store_true",
        help="rules only: no retrieval, critique or rewrites (fastest)",
    )
    check.add_argument("--critic", choices=("auto", "llm", "deterministic"), help="which critic")
    check.add_argument("--base-url", metavar="URL", help="OpenAI-compatible endpoint")
    check.add_argument("--model", metavar="NAME", help="LLM model name")
    check.add_argument("--concurrency", type=int, metavar="N", help="LLM requests in flight")
    check.add_argument("--timeout", type=float, metavar="S", help="LLM request timeout in seconds")
    check.add_argument("--no-cache", action="store_true", help="bypass the LLM response cache")
    check.add_argument(
        "--knowledge",
        action="append",
        metavar="DIR",
        default=[],
        help="extra guidance folder (repeatable)",
    )
    check.add_argument("--cache-dir", metavar="DIR", help="index and response cache folder")
    check.add_argument("--no-color", action="store_true", help="plain text output")
    check.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")

    rules = sub.add_parser(
        "rules",
        help="list the rule catalogue or explain one rule",
        description="List the rule catalogue, or `rules explain CODE`.",
    )
    rules.add_argument("action", nargs="?", choices=("list", "explain"), default="list")
    rules.add_argument("code", nargs="?", help="rule code for `explain`, e.g. KR101")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    knowledge = sub.add_parser(
        "knowledge",
        help="inspect the guidance corpus and its index",
        description="Build the index, search it, or list passages.",
    )
    knowledge.add_argument("action", choices=("index", "search", "list"))
    knowledge.add_argument("query", nargs="?", help="search text for `search`")
    knowledge.add_argument("--codes", metavar="CODES", help="rule codes that fired (boosts)")
    knowledge.add_argument("-k", type=int, default=5, help="how many passages")
    knowledge.add_argument("--knowledge", action="append", metavar="DIR", default=[])
    knowledge.add_argument("--cache-dir", metavar="DIR")
    knowledge.add_argument("--embedding", choices=("wordllama", "chroma-default", "openai", "none"))
    knowledge.add_argument("--rebuild", action="store_true", help="rebuild even if current")
    knowledge.add_argument("--format", choices=("text", "json"), default="text")

    ev = sub.add_parser(
        "eval",
        help="run the eval suite and print the scores",
        description="Score rules, retrieval and critique on the labeled sets.",
    )
    ev.add_argument("--critic", choices=("offline", "llm"), default="offline")
    ev.add_argument("--split", choices=("dev", "test", "holdout", "all"), default="all")
    ev.add_argument("--data", metavar="DIR", help="eval data folder (default: the repo's evals/)")
    ev.add_argument("--out", metavar="DIR", help="where to write the JSON and Markdown reports")
    ev.add_argument(
        "--update-baseline",
        action="store_true",
        help="accept these numbers as the new committed baseline",
    )
    ev.add_argument("--check", action="store_true", help="exit 1 if any bar is missed")
    ev.add_argument(
        "--judge",
        action="store_true",
        help="with --critic llm: also grade critiques with an LLM judge (agreement reported)",
    )

    app = sub.add_parser(
        "app",
        help="launch the Streamlit page",
        description="Launch the Streamlit review page (streamlit run app.py).",
    )
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--host", default="127.0.0.1")
    return parser


_fast_exit_registered = False


def _register_fast_exit() -> None:
    """At interpreter exit, freeze the heap so shutdown does not garbage-collect all of it.

    Shutdown walks every object in a few full collections: ~0.2 s of a cold offline check
    once chromadb, numpy and pydantic are loaded, to free memory the system takes back
    anyway. Freezing runs after the command returned (reports are written and closed by
    then; standard streams are flushed after atexit handlers); the only difference is that
    finalizers of objects already unreachable in cycles at exit do not run, which Python
    never promises at exit either. Registered by the command line only, never by the API.
    """
    global _fast_exit_registered
    if not _fast_exit_registered:
        import atexit
        import gc

        atexit.register(gc.freeze)
        _fast_exit_registered = True


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code."""
    _register_fast_exit()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    from .errors import ReviewerError

    try:
        if args.command == "check":
            from .report.commands import run_check

            return run_check(args)
        if args.command == "rules":
            from .rules.docs import run_rules_command

            return run_rules_command(args)
        if args.command == "knowledge":
            from .retrieve.commands import run_knowledge_command

            return run_knowledge_command(args)
        if args.command == "eval":
            from .evaluation.runner import run_eval_command

            return run_eval_command(args)
        if args.command == "app":
            from .report.commands import run_app

            return run_app(args)
    except ReviewerError as exc:
        print(f"okr-review: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("okr-review: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if os.environ.get("OKR_REVIEW_DEBUG"):
            raise
        print(
            f"okr-review: internal error: {type(exc).__name__}: {exc} "
            "(set OKR_REVIEW_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    parser.error(f"unknown command {args.command!r}")
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
