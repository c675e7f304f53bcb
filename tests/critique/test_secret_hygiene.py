"""The API key reaches the endpoint and nowhere else: not reports, cache, logs or errors."""

from __future__ import annotations

import logging

from critique_kit import okr_set
from support.openai_server import Reply

from reviewer.critique.llm import scrub
from reviewer.report import render

DRAFTS = ("Migrate the checkout service to Kubernetes", "Launch dark mode")


def everything_written(tmp_path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in tmp_path.rglob("*")
        if p.is_file() and p.suffix in (".json", ".txt", ".log", "")
    )


def test_key_is_sent_but_never_shown(
    openai_server, llm_config, reviewer_for, api_key, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    # An endpoint that echoes the key in its error, like some real ones do.
    openai_server.push(Reply.error(401, f"Incorrect API key provided: {api_key}"))
    openai_server.push(Reply.error(500, f"upstream said Bearer {api_key}"))
    reviewer = reviewer_for(llm_config(openai_server, concurrency=1))
    report = reviewer.review_set(okr_set(*DRAFTS))

    # The test can fail: the key really went to the server.
    assert openai_server.completions[0].headers["authorization"] == f"Bearer {api_key}"
    assert [r.critique.critic for r in report.reviews] == ["deterministic", "deterministic"]
    outputs = [
        report.model_dump_json(),
        *(render(report, fmt) for fmt in ("text", "json", "markdown", "sarif", "github")),
        repr(reviewer.config),
        str(reviewer.config.model_dump()),
        reviewer.config.model_dump_json(),
        everything_written(tmp_path),
        caplog.text,
        "\n".join(str(r.args) for r in caplog.records),
    ]
    for text in outputs:
        assert api_key not in text
    assert "401" in report.reviews[0].critique.fallback_reason


def test_cache_files_do_not_hold_the_key(
    openai_server, llm_config, reviewer_for, api_key, tmp_path
):
    reviewer_for(llm_config(openai_server)).review_set(okr_set(*DRAFTS))
    written = everything_written(tmp_path)
    assert '"answer"' in written  # the cache was written
    assert api_key not in written


def test_scrub_masks_configured_and_key_shaped_secrets():
    assert scrub("key sk-live-abcdefghijkl here") == "key *** here"
    assert scrub("Authorization: Bearer abcdefghijklmnop") == "Authorization: ***"
    assert scrub("my-own-token-1234 leaked", ("my-own-token-1234",)) == "*** leaked"
