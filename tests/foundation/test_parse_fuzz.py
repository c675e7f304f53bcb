"""Whatever text arrives, a reader returns an OKR set or raises InputError, nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.errors import InputError
from reviewer.parse import INPUT_FORMATS, read_okr_text

# Fragments that steer random text into each reader's interesting paths.
FRAGMENTS = [
    "objectives:",
    "  - objective: A",
    "    key_results:",
    "      - ",
    "text: ",
    "ignore: [{code: KR201}]",
    "&a ",
    "*a",
    "<<: *a",
    "[",
    "{",
    "---",
    "# ",
    "## Objective: ",
    "- ",
    "  - ",
    "1. ",
    "Objective: ",
    "Team: ",
    '<!-- okr-review: ignore KR101 reason="x" -->',
    "<!-- okr-review: ",
    "<!--",
    "-->",
    "```",
    "objective,key_result,ignore",
    '"',
    ",",
    ";",
    "\t",
    "\n",
    "\r\n",
    "KR101",
    "Cut p95 latency from 800 ms to 400 ms",
]

texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30).map(
    "".join
)


@pytest.mark.parametrize("input_format", INPUT_FORMATS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts)
def test_readers_return_a_set_or_raise_input_error(input_format, text):
    try:
        okr_set = read_okr_text(text, source="fuzz", input_format=input_format)
    except InputError as error:
        assert error.file == "fuzz"
        assert error.one_line().startswith("fuzz")
        assert "\n" not in error.one_line()
        return
    for objective, kr in okr_set.key_results():
        assert kr.text.strip()
        assert kr.location.file == "fuzz" and kr.location.line >= 1
        assert objective.location.line is None or objective.location.line >= 1
