"""Byte-compile the reviewer package before timing whole processes.

An installed wheel has its bytecode (pip compiles it at install time), and Python caches
it for an editable checkout on first import, unless PYTHONDONTWRITEBYTECODE is set, as it
is on our development machines. Then every process compiles the package's modules from
source again: 0.2-0.3 s of a cold 50-key-result check there (medians of 6, 2026-12-07).
Cold-start figures are for the tool as installed, so the scripts that time processes
compile it first; compileall skips files whose bytecode is current.
"""

from __future__ import annotations

import compileall
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reviewer"


def compile_package() -> str:
    """Write current bytecode for every module of the package; returns a line saying so."""
    compileall.compile_dir(PACKAGE, quiet=1)
    skipped = (
        " (PYTHONDONTWRITEBYTECODE is set here)"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else ""
    )
    return f"reviewer package byte-compiled before timing, as an installed wheel is{skipped}"
