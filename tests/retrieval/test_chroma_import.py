"""Importing chromadb with its override checks skipped: same classes, scoped, undone after."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Runs in a fresh interpreter: the test process may have imported chromadb already, and
# then `import_chromadb` is (correctly) a plain import with nothing to observe.
SCRIPT = r"""
import hashlib, json, sys
import overrides
originals = (overrides.override, overrides.overrides)
from reviewer.retrieve.chroma import import_chromadb

chromadb = import_chromadb()
restored = (overrides.override, overrides.overrides) == originals

# Decorators applied after the import check again: a method that overrides nothing fails.
class Base:
    def ping(self, a): ...

try:
    class Broken(Base):
        @overrides.override
        def pong(self): ...
    checks_back = False
except TypeError:
    checks_back = True

# What the decorator leaves on chromadb's classes: the mark and the (inherited) docstring.
methods = {}
for name, module in sorted(sys.modules.items()):
    if not name.startswith("chromadb"):
        continue
    for cls in list(vars(module).values()):
        if not isinstance(cls, type) or cls.__module__ != name:
            continue
        for attr, value in vars(cls).items():
            function = value.fget if isinstance(value, property) else value
            function = getattr(function, "__func__", function)
            if getattr(function, "__override__", False):
                doc = (function.__doc__ or "").encode()
                methods[f"{name}.{cls.__qualname__}.{attr}"] = hashlib.sha1(doc).hexdigest()
# httpx came without its command line (rich, click), which still works when asked for.
import httpx
cli_deferred = not any(name in sys.modules for name in ("httpx._main", "rich", "click"))
from httpx._main import main as real_main
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()) as shown:
    try:
        httpx.main(["--help"])
    except SystemExit:
        pass
# OpenTelemetry's gRPC exporter came as a stand-in that makes the real one when called.
otlp_deferred = "grpc" not in sys.modules
from chromadb.telemetry import opentelemetry as chroma_otel
exporter = chroma_otel.OTLPSpanExporter(endpoint="http://127.0.0.1:9", headers={})
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
otlp_works = isinstance(exporter, OTLPSpanExporter) and "grpc" in sys.modules
exporter.shutdown()
print(json.dumps({
    "otlp_deferred": otlp_deferred,
    "otlp_works": otlp_works,
    "cli_deferred": cli_deferred,
    "cli_works": "Usage" in shown.getvalue() and callable(real_main),
    "restored": restored,
    "checks_back": checks_back,
    "rust_loaded": "chromadb.api.rust" in sys.modules,
    "methods": methods,
}))
"""


def run(**extra_env: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "OKR_REVIEW_CHROMA_OVERRIDE_CHECKS"}
    env.update(extra_env)
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_skipping_the_checks_leaves_chromadb_as_the_checked_import_would() -> None:
    fast = run()
    checked = run(OKR_REVIEW_CHROMA_OVERRIDE_CHECKS="1")
    assert fast["rust_loaded"] and checked["rust_loaded"]
    assert fast["cli_deferred"] and fast["cli_works"]
    assert fast["otlp_deferred"] and fast["otlp_works"]
    # The decorator is put back, so code imported afterwards is checked again.
    assert fast["restored"] and fast["checks_back"]
    # Same marked methods (what EnforceOverrides reads) with the same docstrings.
    assert len(fast["methods"]) > 100
    assert fast["methods"] == checked["methods"]


def test_the_marking_decorator_takes_both_forms() -> None:
    from reviewer.retrieve.chroma import _mark_only

    def method(self: object) -> None: ...

    assert _mark_only(method) is method and method.__override__  # type: ignore[attr-defined]
    assert _mark_only(check_signature=False)(method) is method
