"""Markup on the page is data: HTML, script tags and `javascript:` links written in key
results, objectives, file names -- or sent back by a hijacked LLM -- are shown as text,
never rendered. Checked on every element the page draws (AppTest), sidebar included.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hardkit import REPO
from support.openai_server import OpenAIServer, RecordedRequest, Reply

APP = REPO / "app.py"
LIVE_TAG = re.compile(r"<\s*(script|img|a|iframe|svg|style|b)\b", re.I)
# Elements whose text Streamlit renders as Markdown (st.code and st.text are literal).
MARKDOWN_KINDS = {"Markdown", "Caption", "Error", "Warning", "Info", "Success", "Expander"}
OBJECTIVE = "Make <b>checkout</b> fast <svg onload=alert(1)>"
KRS = [
    "Ship the <script>alert('okr')</script> widget to production",
    "Cut p95 latency <img src=x onerror=alert(1)> from 800 ms to 400 ms by Q3",
    "Launch the [status page](javascript:alert(document.cookie)) for customers",
]


@pytest.fixture
def page_env(monkeypatch: pytest.MonkeyPatch, warm_cache: Path) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "CHROMA_HOST", "CHROMA_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OKR_REVIEW_CACHE_DIR", str(warm_cache))
    monkeypatch.setenv("STREAMLIT_BROWSER_GATHER_USAGE_STATS", "false")
    monkeypatch.chdir(REPO)


def _elements(at: Any) -> list[Any]:
    found = []

    def walk(node: Any) -> None:
        found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _markdown_to_html(text: str) -> str:
    """CommonMark rendering with raw HTML and every link allowed: what escaping must stop."""
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True})
    renderer.validateLink = lambda url: True
    return renderer.render(text)


def _assert_inert(at: Any) -> list[str]:
    """No element renders HTML, no Markdown text renders a tag or a link; returns all texts."""
    texts: list[str] = []
    for node in _elements(at):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if getattr(proto, "allow_html", False):
            pytest.fail(f"an element renders HTML: {proto}")
        kind = type(node).__name__
        if kind not in MARKDOWN_KINDS:
            continue
        text = getattr(node, "label" if kind == "Expander" else "value", None)
        if isinstance(text, str):
            texts.append(text)
            html = _markdown_to_html(text)
            assert not LIVE_TAG.search(html), (kind, text, html)
    return texts


def _paste(at: Any) -> Any:
    paste = "Objective: " + OBJECTIVE + "\n" + "\n".join(f"- {kr}" for kr in KRS) + "\n"
    at.text_area(key="paste_text").set_value(paste)
    return at.button(key="review_button").click().run()


def _unescaped(texts: list[str]) -> str:
    return "\n".join(t.replace("\\", "") for t in texts)


def test_markup_in_the_paste_is_shown_as_text(page_env: None) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()
    _paste(at)
    assert not at.exception, at.exception
    texts = _assert_inert(at)
    shown = _unescaped(texts)
    for kr in KRS:
        assert kr in shown, kr  # all of it is there, as text


def _hijacked(request: RecordedRequest) -> Reply:
    from support.openai_server import passage_ids

    cite = passage_ids(request)[:1]
    return Reply.json(
        {
            "summary": "Pwned <script>alert(1)</script> [win](javascript:alert(2))",
            "kind": "output",
            "problems": [{"text": "<img src=x onerror=alert(3)> bad", "citations": cite}],
            "rewrites": [
                {
                    "text": "Raise week-one activation from <baseline> to <target> by <deadline>",
                    "metric": "week-one activation",
                    "baseline": "<baseline>",
                    "target": "<target>",
                    "deadline": "<deadline>",
                    "placeholders": ["baseline", "target", "deadline"],
                    "rationale": "<a href='javascript:alert(4)'>why</a>",
                }
            ],
        }
    )


def test_markup_written_by_a_hijacked_llm_is_shown_as_text(
    page_env: None, openai_server: OpenAIServer
) -> None:
    from streamlit.testing.v1 import AppTest

    openai_server.respond_with(_hijacked)
    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()
    at.sidebar.radio(key="mode").set_value("LLM").run()
    at.sidebar.text_input(key="llm_base_url").set_value(openai_server.base_url).run()
    _paste(at)
    assert not at.exception, at.exception
    assert openai_server.completions, "the page never asked the scripted endpoint"
    texts = _assert_inert(at)
    shown = _unescaped(texts)
    assert "Pwned <script>alert(1)</script>" in shown  # the LLM's words, as text


def test_markup_in_an_uploaded_file_and_its_name_is_shown_as_text(page_env: None) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=240)
    at.run()
    body = "Objective: " + OBJECTIVE + "\n" + "\n".join(KRS) + "\n"
    name = "<img src=x onerror=alert(9)>.txt"
    at.file_uploader(key="upload").set_value((name, body.encode(), "text/plain")).run()
    assert not at.exception, at.exception
    texts = _assert_inert(at)
    assert all(kr in _unescaped(texts) for kr in KRS)

    bad = "<script>alert(10)</script>.csv"
    at.file_uploader(key="upload").set_value((bad, b"\x00\x01binary", "text/csv")).run()
    assert not at.exception, at.exception
    assert at.error, "a binary upload must show an error"
    _assert_inert(at)
    assert any("<script>alert(10)</script>" in str(e.value).replace("\\", "") for e in at.error)
