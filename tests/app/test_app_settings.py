"""Sidebar settings: rule selection, policy, and LLM mode (the key never shows)."""

from __future__ import annotations

import socket

from pagekit import block_text, cards, codes_shown, everything_rendered

SECRET_KEY = "sk-page-test-0123456789abcdefSECRET"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def review_paste(at, text: str):  # type: ignore[no-untyped-def]
    at.text_area(key="paste_text").input(text)
    at.button(key="review_button").click().run()
    assert not at.exception, at.exception
    return at


def use_llm(at, base_url: str, key: str = SECRET_KEY, model: str = "scripted-model"):  # type: ignore[no-untyped-def]
    at.sidebar.radio(key="mode").set_value("LLM").run()
    at.sidebar.text_input(key="llm_base_url").input(base_url)
    at.sidebar.text_input(key="llm_model").input(model)
    at.sidebar.text_input(key="llm_api_key").input(key)
    at.run()
    assert not at.exception, at.exception
    return at


def test_rule_selection_drops_a_code(page) -> None:  # type: ignore[no-untyped-def]
    rules = page.sidebar.multiselect(key="rules")
    assert "KR101" in rules.value
    assert "KR402 no-measurement-source" in rules.options  # options show code and name
    assert "KR402" not in rules.value  # off by default
    at = review_paste(page, "Migrate the CI pipeline to GitHub Actions")
    assert "KR101" in codes_shown(cards(at, "paste")[0])
    at.sidebar.multiselect(key="rules").unselect("KR101").run()
    at = review_paste(at, "Migrate the CI pipeline to GitHub Actions")
    assert "KR101" not in codes_shown(cards(at, "paste")[0])


def test_early_stage_policy_softens_an_output_key_result(page) -> None:  # type: ignore[no-untyped-def]
    at = review_paste(page, "Launch the new onboarding flow by the end of Q3")
    assert ":red-badge[:material/error: KR101]" in block_text(cards(at, "paste")[0])
    at.sidebar.selectbox(key="policy").select("early-stage").run()
    at = review_paste(at, "Launch the new onboarding flow by the end of Q3")
    text = block_text(cards(at, "paste")[0])
    assert ":orange-badge[:material/warning: KR101]" in text
    assert ":red-badge[:material/error: KR101]" not in text


def test_llm_settings_appear_only_in_llm_mode(page) -> None:  # type: ignore[no-untyped-def]
    keys = {w.key for w in page.sidebar.text_input}
    assert "llm_api_key" not in keys
    page.sidebar.radio(key="mode").set_value("LLM").run()
    keys = {w.key for w in page.sidebar.text_input}
    assert {"llm_base_url", "llm_model", "llm_api_key"} <= keys
    assert page.sidebar.text_input(key="llm_api_key").proto.type == 1  # PASSWORD


def test_unreachable_llm_falls_back_and_says_why_without_the_key(page) -> None:  # type: ignore[no-untyped-def]
    at = use_llm(page, f"http://127.0.0.1:{free_port()}/v1")
    at = review_paste(
        at,
        "Objective: Make deploys boring\n"
        "- Migrate the CI pipeline to GitHub Actions\n"
        "- Cut p95 CI build time from 14 min to 8 min by the end of Q3\n",
    )
    shown = cards(at, "paste")
    assert len(shown) == 2
    warnings = [str(w.value) for w in at.warning]
    assert any("2 key results fell back to the deterministic critic" in w for w in warnings)
    for card in shown:
        text = block_text(card)
        assert "deterministic critic" in text
        assert "The LLM critique was not used:" in text
    rendered = everything_rendered(at)
    assert SECRET_KEY not in rendered
    assert SECRET_KEY[-12:] not in rendered


def test_llm_mode_against_a_scripted_server(page, openai_server) -> None:  # type: ignore[no-untyped-def]
    at = use_llm(page, openai_server.base_url)
    at = review_paste(at, "Objective: Fast checkout\n- Rewrite the checkout service in Go\n")
    (card,) = cards(at, "paste")
    text = block_text(card)
    assert "LLM critic · scripted\\-model" in text
    assert "It can be completed without anything improving for users" in text
    assert "fell back" not in text
    assert openai_server.completions, "the page never called the endpoint"
    sent = openai_server.completions[0]
    assert sent.headers.get("authorization") == f"Bearer {SECRET_KEY}"
    assert "Rewrite the checkout service in Go" in sent.prompt
    rewrites = [str(code.value) for code in card.code]
    assert any("<baseline>" in r and "<target>" in r for r in rewrites)
    assert card.expander, "the LLM critique's cited passage should expand"
    assert SECRET_KEY not in everything_rendered(at)


def test_an_endpoint_that_echoes_the_key_cannot_leak_it(page, openai_server_factory) -> None:  # type: ignore[no-untyped-def]
    from support.openai_server import Reply

    server = openai_server_factory(
        Reply.error(401, f"Incorrect API key provided: {SECRET_KEY}. Find your key at ...")
    )
    at = use_llm(page, server.base_url)
    at = review_paste(at, "Objective: Calm on-call\n- Write runbooks for the top alerts\n")
    (card,) = cards(at, "paste")
    assert "The LLM critique was not used:" in block_text(card)
    assert server.completions
    rendered = everything_rendered(at)
    assert SECRET_KEY not in rendered
    assert SECRET_KEY[:14] not in rendered and SECRET_KEY[-14:] not in rendered
