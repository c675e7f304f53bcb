"""The command line leaves fast: the heap is frozen at exit, after the command's own work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The handler registered first runs last (atexit is LIFO), so it sees what `main` left.
SCRIPT = r"""
import atexit, gc, sys
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > 0, flush=True))
from reviewer.cli import main
code = main(sys.argv[1:])
print("frozen before exit:", gc.get_freeze_count() > 0, flush=True)
print("exit code:", code, flush=True)
"""


def run(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.splitlines()


def test_the_heap_is_frozen_only_once_the_command_has_returned() -> None:
    lines = run("rules", "--format", "json")
    assert lines[-3:] == ["frozen before exit: False", "exit code: 0", "frozen at exit: True"]
    assert '"KR101"' in "\n".join(lines[:-3])  # the command's own output came first, whole


def test_the_python_api_registers_nothing(tmp_path: Path) -> None:
    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from reviewer import review\n"
        "review('Launch the new onboarding flow by Q3')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "OKR_REVIEW_"))}
    env["OKR_REVIEW_CACHE_DIR"] = str(tmp_path / "cache")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "frozen at exit: False"
