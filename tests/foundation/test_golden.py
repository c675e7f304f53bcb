"""Golden files: the text and JSON reports of the example, rules only, byte for byte.

Timings are the only thing normalised. After an intended change to the rules or the
renderers, regenerate and review the diff:

    OKR_REVIEW_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/foundation/test_golden.py
"""

from __future__ import annotations

import json
import os
import re

import pytest

from .helpers import REPO

GOLDEN = REPO / "tests" / "golden"
EXAMPLE = "examples/platform-team.yaml"
UPDATE = os.environ.get("OKR_REVIEW_UPDATE_GOLDEN") == "1"


def normalise_text(text: str) -> str:
    return re.sub(r" · \d+\.\d+ s$", " · <time> s", text, flags=re.MULTILINE)


def normalise_json(text: str) -> str:
    data = json.loads(text)
    data["timings_ms"] = {key: 0.0 for key in sorted(data["timings_ms"])}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("fmt", "golden", "normalise"),
    [
        ("text", "platform-team.rules-only.txt", normalise_text),
        ("json", "platform-team.rules-only.json", normalise_json),
    ],
)
def test_report_matches_golden_file(okr_review, fmt, golden, normalise):
    run = okr_review("check", EXAMPLE, "--rules-only", "--no-color", "--format", fmt)
    assert run.code == 1, run.stderr
    actual = normalise(run.stdout)
    path = GOLDEN / golden
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; create it with OKR_REVIEW_UPDATE_GOLDEN=1"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{fmt} report differs from {path.name}; if the change is intended, regenerate with "
        "OKR_REVIEW_UPDATE_GOLDEN=1 and review the diff"
    )
