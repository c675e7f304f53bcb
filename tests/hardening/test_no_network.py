"""No network in offline mode: the full offline review through the CLI, the Python API and
the page, each in a fresh process whose sockets refuse everything but loopback (the guard
in tests/support/netblock, loaded by sitecustomize), from an empty cache so the guidance
index is built under the guard too. The guard's log of attempts must stay empty.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hardkit import EXAMPLE, REPO, assert_no_traceback, clean_env, run_cli

API_SCRIPT = """
import json, sys
from reviewer import pipeline
from reviewer.config import load_config
from reviewer.pipeline import Reviewer, review

report = Reviewer(load_config(overrides={"offline": True})).review_file(sys.argv[1])
one = review("Migrate the billing service to Kubernetes by Q3")
print(json.dumps({
    "reviews": len(report.reviews),
    "critics": sorted({r.critique.critic for r in report.reviews if r.critique}),
    "retrieved": sum(len(r.retrieved) for r in report.reviews),
    "one_kind": one.kind,
    "one_critic": one.critique.critic if one.critique else None,
    "notes": report.notes,
}))
"""

PAGE_SCRIPT = """
import json, sys
from streamlit.testing.v1 import AppTest

at = AppTest.from_file(sys.argv[1], default_timeout=240)
at.run()
at.text_area(key="paste_text").set_value(
    "Objective: Make deploys boring\\n"
    "- Migrate the CI pipeline to GitHub Actions\\n"
    "- Cut p95 build time from 14 min to 8 min by the end of Q3\\n"
)
at.button(key="review_button").click().run()
cards = []
while True:
    try:
        cards.append(at.get_by_key(f"paste-card-{len(cards)}"))
    except KeyError:
        break
print(json.dumps({
    "exceptions": [str(e.value) for e in at.exception],
    "errors": [str(e.value) for e in at.error],
    "cards": len(cards),
}))
"""


def _attempts(log: Path) -> str:
    return log.read_text() if log.exists() else ""


def test_the_guard_really_blocks_and_logs_in_a_subprocess(tmp_path: Path) -> None:
    """Without this, an empty log would prove nothing."""
    log = tmp_path / "netblock.log"
    code = (
        "import socket\n"
        "try:\n"
        "    socket.socket().connect(('192.0.2.1', 80))\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__)\n"
        "try:\n"
        "    socket.getaddrinfo('example.com', 443)\n"
        "except OSError as exc:\n"
        "    print(type(exc).__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean_env(None, netblock_log=log),
        timeout=60,
    )
    assert done.stdout.split() == ["NetworkBlocked", "gaierror"], done.stderr
    assert "192.0.2.1" in _attempts(log) and "example.com" in _attempts(log)


def test_cli_full_offline_review_makes_no_connection(tmp_path: Path) -> None:
    log = tmp_path / "netblock.log"
    run = run_cli(
        "check", str(EXAMPLE), "-f", "json", cache_dir=tmp_path / "cache", netblock_log=log
    )
    assert_no_traceback(run)
    assert run.code == 1, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["mode"] == "offline"
    assert all(r["critique"]["critic"] == "deterministic" for r in report["results"])
    assert any(r["retrieved"] for r in report["results"])  # the index was built and used
    assert not any("degraded" in n or "unavailable" in n for n in report["notes"])
    assert _attempts(log) == ""


def test_python_api_offline_review_makes_no_connection(tmp_path: Path) -> None:
    log = tmp_path / "netblock.log"
    done = subprocess.run(
        [sys.executable, "-c", API_SCRIPT, str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path / "cache", netblock_log=log),
        cwd=REPO,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["reviews"] == 14
    assert result["critics"] == ["deterministic"]
    assert result["retrieved"] > 0
    assert result["one_critic"] == "deterministic"
    assert not any("degraded" in n or "unavailable" in n for n in result["notes"])
    assert _attempts(log) == ""


@pytest.mark.slow
def test_page_offline_review_makes_no_connection(tmp_path: Path) -> None:
    log = tmp_path / "netblock.log"
    done = subprocess.run(
        [sys.executable, "-c", PAGE_SCRIPT, str(REPO / "app.py")],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path / "cache", netblock_log=log),
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["exceptions"] == [] and result["errors"] == [], result
    assert result["cards"] == 2
    assert _attempts(log) == ""
