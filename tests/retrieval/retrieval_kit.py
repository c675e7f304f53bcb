"""Helpers for the retrieval tests: configs over the fixture corpus and a new-process probe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from reviewer.config import Config, RetrievalConfig

FIXTURE_CORPUS = Path(__file__).parent / "fixtures" / "corpus"
NETBLOCK = Path(__file__).parents[1] / "support" / "netblock"

# Runs in a fresh interpreter: opens the index the spec describes, searches once, and prints
# the status and results as JSON. A new process is the only honest check that a persisted
# index is reused (nothing cached in memory) and that concurrent builders do not collide.
PROBE = r"""
import json, sys
from reviewer.config import Config, RetrievalConfig
from reviewer.retrieve import open_index

spec = json.loads(sys.argv[1])
config = Config(retrieval=RetrievalConfig(**spec["retrieval"]))
index = open_index(config, rebuild=spec.get("rebuild", False))
hits = index.search(spec.get("query", ""), spec.get("codes", []), k=spec.get("k", 3))
print(json.dumps({
    "status": index.status,
    "results": [{"id": p.id, "score": p.score} for p in hits],
    "chromadb_loaded": "chromadb" in sys.modules,
}))
"""


def retrieval_settings(corpus: Path, cache: Path, **extra: Any) -> dict[str, Any]:
    """RetrievalConfig fields for the fixture corpus only (no bundled corpus)."""
    return {
        "knowledge_dirs": [str(corpus)],
        "bundled_corpus": False,
        "cache_dir": str(cache),
        **extra,
    }


def make_config(corpus: Path, cache: Path, **extra: Any) -> Config:
    """A Config over the fixture corpus with its own cache."""
    return Config(retrieval=RetrievalConfig(**retrieval_settings(corpus, cache, **extra)))


def probe_command(spec: dict[str, Any]) -> list[str]:
    """The argv that runs PROBE for `spec` in a new interpreter."""
    return [sys.executable, "-c", PROBE, json.dumps(spec)]


def probe_env(netlog: Path | None = None) -> dict[str, str]:
    """Environment for a probe: the loopback-only network guard on, and its log file."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(NETBLOCK), *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
    )
    for name in ("CHROMA_HOST", "CHROMA_PORT", "OKR_REVIEW_CACHE_DIR"):
        env.pop(name, None)
    if netlog is not None:
        env["OKR_NETBLOCK_LOG"] = str(netlog)
    return env


def parse_probe(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The probe's JSON, or a failure that shows what the process printed."""
    assert proc.returncode == 0, f"probe failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def current_build(cache: Path) -> Path:
    """The build folder the cache's manifest points at."""
    manifest = json.loads((cache / "index" / "manifest.json").read_text())
    return cache / "index" / manifest["build"]
