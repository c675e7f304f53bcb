"""The scripted OpenAI-compatible test server itself, driven by the plain openai client."""

from __future__ import annotations

import json

import openai
import pytest
from support.openai_server import OpenAIServer, Reply


def client(server: OpenAIServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="sk-test-server", max_retries=0)


def test_models_and_chat_completions_with_the_real_client(openai_server_factory):
    server = openai_server_factory(Reply.json({"ok": True}))
    api = client(server)
    assert [m.id for m in api.models.list()] == ["scripted-model"]
    answer = api.chat.completions.create(model="m", messages=[{"role": "user", "content": "hello"}])
    assert json.loads(answer.choices[0].message.content) == {"ok": True}
    assert answer.usage.total_tokens > 0
    [request] = server.completions
    assert request.body["model"] == "m" and request.prompt == "hello"
    assert request.headers["authorization"] == "Bearer sk-test-server"


def test_queue_then_default_and_errors(openai_server_factory):
    server = openai_server_factory(Reply.text("default"))
    server.push(Reply.text("first"), lambda request: Reply.text(f"echo {request.prompt}"))
    api = client(server)
    texts = [
        api.chat.completions.create(model="m", messages=[{"role": "user", "content": c}])
        .choices[0]
        .message.content
        for c in ("a", "b", "c")
    ]
    assert texts == ["first", "echo b", "default"]
    server.push(Reply.error(503, "busy"))
    with pytest.raises(openai.InternalServerError):
        api.chat.completions.create(model="m", messages=[{"role": "user", "content": "d"}])


def test_unscripted_server_answers_500(openai_server_factory):
    server = openai_server_factory()
    with pytest.raises(openai.InternalServerError):
        client(server).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )


def test_tool_call_answers_for_function_calling(openai_server_factory):
    server = openai_server_factory(Reply.json({"a": 1}))
    answer = client(server).chat.completions.create(
        model="m",
        messages=[{"role": "user", "content": "x"}],
        tools=[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        tool_choice={"type": "function", "function": {"name": "f"}},
    )
    call = answer.choices[0].message.tool_calls[0]
    assert call.function.name == "f" and json.loads(call.function.arguments) == {"a": 1}
