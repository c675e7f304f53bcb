"""`okr-review knowledge index|search|list`: inspect the guidance corpus and its index."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from ..config import Config, load_config
from ..errors import InputError
from ..models import Passage

EXIT_OK, EXIT_ERROR = 0, 2
SNIPPET_CHARS = 240


def knowledge_config(args: argparse.Namespace, base: Config | None = None) -> Config:
    """The config with the command's flags applied: extra folders are added, not replaced."""
    config = base or load_config(Path.cwd())
    retrieval = config.retrieval.model_copy(deep=True)
    extra = [Path(d).expanduser() for d in (getattr(args, "knowledge", None) or [])]
    retrieval.knowledge_dirs = [*retrieval.knowledge_dirs, *extra]
    if getattr(args, "cache_dir", None):
        retrieval.cache_dir = Path(args.cache_dir).expanduser()
    if getattr(args, "embedding", None):
        retrieval.embedding = args.embedding
    return config.model_copy(update={"retrieval": retrieval})


def run_knowledge_command(args: argparse.Namespace) -> int:
    """Run `knowledge index|search|list`; returns the exit code."""
    config = knowledge_config(args)
    fmt = getattr(args, "format", "text") or "text"
    if args.action == "list":
        return _list(config, fmt)
    if args.action == "index":
        return _index(config, fmt, rebuild=bool(getattr(args, "rebuild", False)))
    if args.action == "search":
        query = (args.query or "").strip()
        codes = _codes(getattr(args, "codes", None))
        if not query and not codes:
            raise InputError(
                "nothing to search for",
                file="knowledge search",
                hint='give a query, e.g. okr-review knowledge search "launch the new app"',
            )
        k = getattr(args, "k", None) or config.retrieval.top_k
        if k < 1:
            raise InputError("-k must be at least 1", file="knowledge search")
        return _search(config, fmt, query, codes, k, rebuild=bool(getattr(args, "rebuild", False)))
    raise InputError(f"unknown action {args.action!r}", file="knowledge")


def _list(config: Config, fmt: str) -> int:
    from .corpus import load_corpus

    corpus = load_corpus(config.retrieval.knowledge_dirs, bundled=config.retrieval.bundled_corpus)
    passages = corpus.passages
    if fmt == "json":
        _print_json({"passages": [_passage_dict(p, with_text=False) for p in passages]})
        return EXIT_OK
    if not passages:
        print("no guidance documents found")
        return EXIT_OK
    width = max(len(p.id) for p in passages)
    for passage in passages:
        # `KR301*`: this section is the rule's primary explanation.
        first_for = corpus.primary.get(passage.id, [])
        rules = ",".join(c + ("*" if c in first_for else "") for c in passage.rules) or "-"
        print(f"{passage.id:<{width}}  {rules:<12}  {passage.section}")
    docs = len({p.doc_id for p in passages})
    print(f"\n{len(passages)} passages in {docs} documents")
    return EXIT_OK


def _index(config: Config, fmt: str, *, rebuild: bool) -> int:
    from .index import open_index

    index = open_index(config, rebuild=rebuild)
    status = index.status
    if fmt == "json":
        _print_json({"status": status})
        return EXIT_OK
    where = f" at {status['location']}" if status.get("location") else ""
    state = f"built in {status['build_ms']:.0f} ms" if status["rebuilt"] else "current, not rebuilt"
    print(
        f"index: {status['backend']}{where} ({status['passages']} passages, "
        f"embedding {status['embedding']}): {state}"
    )
    if status.get("search"):
        how = {"exact": "exact, over vectors read once", "chroma": "chroma query per search"}
        print(f"search: {how.get(status['search'], status['search'])}")
    if status.get("repaired"):
        print(f"repaired: {status['repaired']}")
    if status.get("degraded"):
        print(f"degraded: {status['degraded']}")
    return EXIT_OK


def _search(
    config: Config, fmt: str, query: str, codes: list[str], k: int, *, rebuild: bool
) -> int:
    from .index import open_index

    index = open_index(config, rebuild=rebuild)
    results = index.search(query, codes=codes, k=k)
    if fmt == "json":
        _print_json(
            {
                "query": query,
                "codes": codes,
                "status": index.status,
                "results": [_passage_dict(p, with_text=True) for p in results],
            }
        )
        return EXIT_OK
    if index.status.get("degraded"):
        print(f"okr-review: note: {index.status['degraded']}", file=sys.stderr)
    if not results:
        print("no matching passages")
        return EXIT_OK
    for rank, passage in enumerate(results, 1):
        rules = f"  [{', '.join(passage.rules)}]" if passage.rules else ""
        print(f"{rank}. {passage.id}  score {passage.score:.3f}{rules}")
        print(f"   {passage.title} / {passage.section}")
        snippet = " ".join(passage.text.split())
        if len(snippet) > SNIPPET_CHARS:
            snippet = snippet[: SNIPPET_CHARS - 3].rsplit(" ", 1)[0] + "..."
        print(textwrap.indent(textwrap.fill(snippet, width=88), "   "))
    return EXIT_OK


def _codes(raw: str | None) -> list[str]:
    if not raw:
        return []
    return [c.strip().upper() for c in raw.replace(" ", ",").split(",") if c.strip()]


def _passage_dict(passage: Passage, *, with_text: bool) -> dict[str, Any]:
    data = passage.model_dump()
    if not with_text:
        data.pop("text")
        data.pop("score")
    return data


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
