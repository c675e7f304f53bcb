"""Importing chromadb without paying for its development-time checks.

chromadb decorates some 160 methods (in the modules a review loads) with
`overrides.override`. That decorator runs while each class is being defined: it
disassembles the defining frame's bytecode to find the base classes and compares the
method's signature with the base method's. The check guards chromadb's own code against
itself (it only ever raises for a mistake in chromadb) and cost about a quarter of a second
of every cold start (measured: `import chromadb` plus its client module, ~0.65 s -> ~0.4 s).

`import_chromadb()` imports chromadb (and the Rust-backed client module that
`PersistentClient` loads on first use) with `override` swapped for a decorator that keeps
what matters at run time: the `__override__` mark that `overrides.EnforceOverrides` looks
for when a subclass is defined. The original decorator is put back as soon as the import is
done, so nothing imported later (the user's own code included) loses its checks. When
chromadb is already imported, or `OKR_REVIEW_CHROMA_OVERRIDE_CHECKS=1` asks for the checks,
it is a plain import.
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
        with contextlib.nullcontext() if checked else _override_checks_skipped():
            for name in _MODULES:
                try:
                    importlib.import_module(name)
                except ImportError:
                    if name == "chromadb":
                        raise
        if not checked:
            _inherit_docstrings([sys.modules[name] for name in set(sys.modules) - before])
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
        if module.__name__.startswith("chromadb")
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
