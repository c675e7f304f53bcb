"""The page in a real browser: `streamlit run app.py` driven by Playwright and Debian chromium.

Offline and loopback only: the Streamlit process runs with the test suite's network guard
on its PYTHONPATH and Chromium resolves no host names. Skipped when no chromium is installed
(`.ci/run` installs it with apt-get).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pagekit import REPO
from support.openai_server import answer_with

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
NETBLOCK = REPO / "tests" / "support" / "netblock"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
SECRET_KEY = "sk-browser-test-9f8e7d6c5b4a39281706"
PASTE = """Objective: Make deploys boring
- Migrate the CI pipeline to GitHub Actions
- Run 10 brown-bag sessions on testing
- Cut p95 CI build time from 14 min to 8 min by the end of Q3
"""
HOSTILE = "Ship the [widget](javascript:window.__pwned=1) <img src=x onerror=window.__pwned=1>"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """`streamlit run app.py` on a free loopback port, with the network guard installed."""
    work = tmp_path_factory.mktemp("page-browser")
    port = free_port()
    netlog = work / "netblock.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "CHROMA_"))}
    env.update(
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        PYTHONPATH=os.pathsep.join(filter(None, [str(NETBLOCK), env.get("PYTHONPATH")])),
        OKR_NETBLOCK_LOG=str(netlog),
        OKR_REVIEW_CACHE_DIR=str(work / "cache"),
    )
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "app.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    log = (work / "streamlit.log").open("w")
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"streamlit did not start:\n{(work / 'streamlit.log').read_text()}")
            time.sleep(0.5)
        yield {"url": url, "netlog": netlog, "log": work / "streamlit.log", "work": work}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(120_000)
    tab.goto(server["url"])
    tab.get_by_text("OKR key-result reviewer").first.wait_for()
    yield tab
    context.close()


def fill_text_area(page, label: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into a Streamlit text area and commit it (Streamlit commits on blur/Ctrl+Enter)."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Control+Enter")
    page.wait_for_timeout(300)


def wait_for_cards(page, mode: str, count: int) -> list:  # type: ignore[no-untyped-def]
    page.locator(f".st-key-{mode}-card-{count - 1}").wait_for()
    settle(page)
    return [page.locator(f".st-key-{mode}-card-{n}") for n in range(count)]


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script run is over and lazily loaded elements have painted."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    for selector in ('[data-testid="stMetricValue"]', '[data-testid="stCode"]'):
        if page.locator(selector).count():
            page.locator(selector).first.wait_for(state="visible")
    page.wait_for_timeout(1500)


def assert_offline(server) -> None:  # type: ignore[no-untyped-def]
    netlog = Path(server["netlog"])
    attempts = netlog.read_text() if netlog.exists() else ""
    assert attempts == "", f"the page tried to reach the network:\n{attempts}"


def test_paste_review_in_the_browser(page, server) -> None:  # type: ignore[no-untyped-def]
    fill_text_area(page, "Key results", PASTE)
    page.get_by_role("button", name="Review").click()
    output, activity, outcome = wait_for_cards(page, "paste", 3)
    assert "output" in output.inner_text()
    assert "KR101" in output.inner_text()
    assert "activity" in activity.inner_text()
    assert "KR102" in activity.inner_text()
    assert "outcome" in outcome.inner_text()
    rewrite = output.locator('[data-testid="stCode"]').first
    assert "<" in rewrite.inner_text()  # an unknown value left as a placeholder
    assert "Fill in:" in output.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "page-paste.png"))
    assert_offline(server)


def test_example_button_in_the_browser(page, server) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Try the example").click()
    first = page.locator(".st-key-paste-card-0")
    first.wait_for()
    settle(page)  # cards stream in: count them once the run is over
    assert page.get_by_role("textbox", name="Key results").input_value().strip()
    count = page.locator('[class*="st-key-paste-card-"]').count()
    assert count >= 3
    metrics = page.locator('[data-testid="stMetric"]')
    assert metrics.first.inner_text().split() == ["Key", "results", str(count)]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # The picture for the README: the example box, the counts and the first card whole.
    page.set_viewport_size({"width": 1400, "height": 1700})
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "page.png"))
    # A cited passage opens to its text.
    passage = first.locator('[data-testid="stExpander"]').first
    passage.locator("summary").click()
    assert len(passage.inner_text()) > 80
    assert_offline(server)


def test_upload_and_download_in_the_browser(page, server) -> None:  # type: ignore[no-untyped-def]
    example = next(
        p
        for p in sorted((REPO / "examples").glob("*"))
        if p.suffix in {".yaml", ".yml", ".md", ".csv"}
    )
    page.get_by_role("tab", name="Review a team file").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(example))
    page.locator(".st-key-file-card-0").wait_for()
    settle(page)
    assert page.get_by_text("Findings by code").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download JSON").click()
    report = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    cards_shown = page.locator('[class*="st-key-file-card-"]').count()
    assert len(report["results"]) == cards_shown >= 3
    assert download_info.value.suggested_filename == "okr-review.json"
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    assert "KR" in Path(download_info.value.path()).read_text(encoding="utf-8")
    page.set_viewport_size({"width": 1400, "height": 1700})
    settle(page)
    page.screenshot(path=str(ARTIFACTS / "page-file.png"))
    assert_offline(server)


def test_hostile_text_stays_inert(page, server) -> None:  # type: ignore[no-untyped-def]
    fill_text_area(page, "Key results", HOSTILE)
    page.get_by_role("button", name="Review").click()
    (card,) = wait_for_cards(page, "paste", 1)
    assert "javascript:window.__pwned=1" in card.inner_text()
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.locator(".st-key-paste-card-0 img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_api_key_never_reaches_the_page_or_a_download(page, server) -> None:  # type: ignore[no-untyped-def]
    closed = free_port()  # nothing listens here: every LLM call fails and falls back
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("LLM", exact=True).click()
    url_box = sidebar.get_by_role("textbox", name="Endpoint base URL")
    url_box.fill(f"http://127.0.0.1:{closed}/v1")
    url_box.press("Enter")
    key_box = sidebar.get_by_label("API key", exact=True)
    key_box.fill(SECRET_KEY)
    key_box.press("Enter")
    page.wait_for_timeout(500)
    fill_text_area(page, "Key results", "Migrate the CI pipeline to GitHub Actions")
    page.get_by_role("button", name="Review").click()
    wait_for_cards(page, "paste", 1)
    assert "fell back to the deterministic critic" in page.locator("body").inner_text()
    page.get_by_text("Download this review").click()
    for label in ("Download Markdown", "Download JSON", "Download CSV"):
        with page.expect_download() as download_info:
            page.get_by_role("button", name=label).click()
        assert SECRET_KEY not in Path(download_info.value.path()).read_text(encoding="utf-8")
    html = page.content()
    assert html.count(SECRET_KEY) <= 1  # at most the password input's own value attribute
    assert SECRET_KEY not in page.locator("body").inner_text()
    assert SECRET_KEY not in Path(server["log"]).read_text()


def test_llm_batch_shows_progress_then_llm_cards(page, server, openai_server_factory) -> None:  # type: ignore[no-untyped-def]
    endpoint = openai_server_factory(answer_with())
    endpoint.delay_s = 0.8  # slow enough for the progress bar to be seen
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("LLM", exact=True).click()
    url_box = sidebar.get_by_role("textbox", name="Endpoint base URL")
    url_box.fill(endpoint.base_url)
    url_box.press("Enter")
    page.wait_for_timeout(500)
    drafts = "\n".join(
        f"- Migrate service {name} to the new deploy pipeline"
        for name in ("billing", "search", "auth", "ledger", "profile", "media", "mail", "feeds")
    )
    fill_text_area(page, "Key results", "Objective: Boring deploys\n" + drafts)
    page.get_by_role("button", name="Review").click()
    page.locator('[data-testid="stProgress"]').wait_for(state="visible")
    cards = wait_for_cards(page, "paste", 8)
    settle(page)
    assert page.locator('[data-testid="stProgress"]').count() == 0  # cleared when done
    assert "LLM critic" in cards[0].inner_text()
    assert len(endpoint.completions) >= 8
    assert_offline(server)
