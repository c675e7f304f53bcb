"""Importing chromadb without paying for what a review never uses.

Three costs of `import chromadb` buy an offline review nothing; together they were ~0.45 s
of a ~2 s cold `okr-review check --offline`:

1. chromadb decorates some 160 methods (in the modules a review loads) with
   `overrides.override`. That decorator runs while each class is being defined: it
   disassembles the defining frame's bytecode to find the base classes and compares the
   method's signature with the base method's. The check guards chromadb's own code against
   itself (it only ever raises for a mistake in chromadb) and cost ~0.25 s. Here `override`
   is swapped for a decorator that keeps what matters at run time, the `__override__` mark
   that `overrides.EnforceOverrides` looks for when a subclass is defined; docstrings are
   inherited afterwards as `override` would have. The original decorator is put back as
   soon as the import is done, so nothing imported later (the user's own code included)
   loses its checks. `OKR_REVIEW_CHROMA_OVERRIDE_CHECKS=1` keeps the checks.
2. httpx (chromadb's HTTP client) imports its own command line, and with it rich, pygments
   and click (~0.1 s); see `_httpx_cli_deferred`.
3. chromadb's tracing module imports OpenTelemetry's gRPC span exporter (grpc, protobuf
   and the OpenTelemetry metrics SDK: some 140 modules, ~0.1 s), which it only uses when
   an OpenTelemetry collector is configured; see `_otlp_exporter_deferred`.

`import_chromadb()` also imports the Rust-backed client module that `PersistentClient`
would load on first use (~40 more decorated methods). When chromadb is already imported it
is a plain import.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

# Imported together, under one swap: the client module holds ~40 of the decorated methods
# and is otherwise imported by the first `PersistentClient(...)`.
_MODULES = ("chromadb", "chromadb.api.rust")
_lock = threading.Lock()


def import_chromadb() -> ModuleType:
    """The `chromadb` module, imported with the override checks skipped (see module doc)."""
    if all(name in sys.modules for name in _MODULES):
        return sys.modules["chromadb"]
    checked = bool(os.environ.get("OKR_REVIEW_CHROMA_OVERRIDE_CHECKS"))
    with _lock:
        before = set(sys.modules)
        with (
            _httpx_cli_deferred(),
            _otlp_exporter_deferred(),
            contextlib.nullcontext() if checked else _override_checks_skipped(),
        ):
            for name in _MODULES:
                try:
                    importlib.import_module(name)
                except ImportError:
                    if name == "chromadb":
                        raise
        if not checked:
            new = [sys.modules.get(name) for name in set(sys.modules) - before]
            _inherit_docstrings([module for module in new if module is not None])
        return sys.modules["chromadb"]


@contextlib.contextmanager
def _override_checks_skipped() -> Iterator[None]:
    """Swap `overrides.override`/`overrides.overrides` for a marking-only decorator."""
    try:
        import overrides
    except ImportError:  # a chromadb without `overrides`: nothing to skip
        yield
        return
    saved = {name: getattr(overrides, name, None) for name in ("override", "overrides")}
    for name, original in saved.items():
        if callable(original):
            setattr(overrides, name, _mark_only)
    try:
        yield
    finally:
        for name, original in saved.items():
            if callable(original):
                setattr(overrides, name, original)


@contextlib.contextmanager
def _httpx_cli_deferred() -> Iterator[None]:
    """Import httpx (chromadb imports it for its HTTP client) without its command line.

    `import httpx` also imports `httpx._main`, the `httpx` console command, and with it
    rich, pygments and click when they are installed (streamlit brings them): some 85
    modules and ~0.1 s that an offline review never uses. While chromadb imports, that
    module is marked missing, so httpx falls back to a stand-in `main`; afterwards the mark
    is removed and `httpx.main` is a function that imports the real one when called.
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        yield
        return
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if "httpx._main" in sys.modules and sys.modules["httpx._main"] is None:
            del sys.modules["httpx._main"]
        httpx = sys.modules.get("httpx")
        if httpx is not None:
            httpx.main = _httpx_main  # type: ignore[attr-defined]


def _httpx_main(*args: Any, **kwargs: Any) -> Any:
    """`httpx.main`, the console command, imported on first call."""
    from httpx._main import main

    return main(*args, **kwargs)


_OTLP_TRACE_EXPORTER = "opentelemetry.exporter.otlp.proto.grpc.trace_exporter"


@contextlib.contextmanager
def _otlp_exporter_deferred() -> Iterator[None]:
    """Let chromadb import a stand-in for OpenTelemetry's gRPC span exporter.

    chromadb's tracing module takes `OTLPSpanExporter` from that module at import time and
    calls it only in `otel_init`, when tracing to a collector is configured (the
    CHROMA_OTEL_* settings). While chromadb imports, the module is a stand-in whose
    `OTLPSpanExporter` imports the real module and returns a real exporter when called;
    afterwards the stand-in is removed, so anyone else importing the module gets the real
    one.
    """
    if _OTLP_TRACE_EXPORTER in sys.modules or "chromadb.telemetry.opentelemetry" in sys.modules:
        yield
        return
    stand_in = ModuleType(_OTLP_TRACE_EXPORTER, "okr-review: imported on first use")
    stand_in.OTLPSpanExporter = _DeferredOTLPSpanExporter  # type: ignore[attr-defined]
    sys.modules[_OTLP_TRACE_EXPORTER] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(_OTLP_TRACE_EXPORTER) is stand_in:
            del sys.modules[_OTLP_TRACE_EXPORTER]


class _DeferredOTLPSpanExporter:
    """chromadb's `OTLPSpanExporter`: calling it makes the real exporter."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if getattr(sys.modules.get(_OTLP_TRACE_EXPORTER), "OTLPSpanExporter", None) is cls:
            del sys.modules[_OTLP_TRACE_EXPORTER]  # called while chromadb was importing
        real = importlib.import_module(_OTLP_TRACE_EXPORTER)
        return real.OTLPSpanExporter(*args, **kwargs)


def _mark_only(method: Any = None, **_options: Any) -> Any:
    """`@override` / `@override(check_signature=...)` minus the signature comparison."""
    if method is None:
        return _mark_only
    with_mark: Callable[..., Any] = method
    with_mark.__override__ = True  # type: ignore[attr-defined]
    return with_mark


def _inherit_docstrings(modules: list[ModuleType]) -> None:
    """Give marked methods without a docstring their base method's, as `override` does.

    (`help(client.delete_collection)` shows chromadb's documentation either way.) Bases
    first, as class definition order would have it: a base's own docstring may be inherited.
    """
    classes = {
        cls
        for module in modules
        if str(getattr(module, "__name__", "")).startswith("chromadb")
        for cls in list(vars(module).values())
        if isinstance(cls, type) and cls.__module__ == module.__name__
    }
    for cls in sorted(classes, key=lambda c: (len(c.__mro__), c.__module__, c.__qualname__)):
        for name, value in list(vars(cls).items()):
            function = value.fget if isinstance(value, property) else value
            function = getattr(function, "__func__", function)  # static/class methods
            if not getattr(function, "__override__", False) or function.__doc__:
                continue
            for base in cls.__bases__:
                if hasattr(base, name):
                    with contextlib.suppress(AttributeError, TypeError):
                        function.__doc__ = getattr(base, name).__doc__
                    break
