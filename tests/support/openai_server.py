"""A small, real OpenAI-compatible HTTP server for tests: scripted answers on 127.0.0.1.

It speaks enough of the Chat Completions API for the real `openai` / `ChatOpenAI` client:
`POST /v1/chat/completions` (content answers, forced tool-call answers, error statuses,
delays, hangs) and `GET /v1/models`. Each test scripts it with a queue of replies and/or
a default reply, where a reply may be a function of the recorded request, so an answer
can be built from the prompt the client actually sent (its passage ids, its key result).

    with OpenAIServer() as server:
        server.push(Reply.error(429, retry_after_ms=5), Reply.json(answer))
        ... point LLMConfig(base_url=server.base_url) at it ...
        assert len(server.completions) == 2

`openai_server_factory` (and the `openai_server` fixture built on it) are importable from
other test folders: `from support.openai_server import Reply, critique_answer, ...`.

For timing a client, `ServerProcess` runs the same server, answering `answer_with()`, in a
process of its own (`python -m support.openai_server`), so its work (HTTP parsing, JSON,
the answers, its threads) is not done under the measured client's GIL. It is driven
over stdin and reports its request count and peak concurrency on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

import pytest


@dataclass
class RecordedRequest:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    received_at: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def prompt(self) -> str:
        """Every message's text joined: what the model would read."""
        parts = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(c.get("text", "") for c in content if isinstance(c, dict))
            parts.append(str(content or ""))
        return "\n".join(parts)

    @property
    def last_user_message(self) -> str:
        users = [m for m in self.messages if m.get("role") == "user"]
        return str(users[-1].get("content", "")) if users else ""

    @property
    def wants_tool_call(self) -> bool:
        return bool(self.body.get("tools"))

    @property
    def is_reask(self) -> bool:
        return any(m.get("role") == "assistant" for m in self.messages)


@dataclass
class Reply:
    """What the server does with one request: an answer, an error, a delay or a hang."""

    status: int = 200
    content: str | None = None  # the assistant message text (or tool-call arguments)
    body: bytes | None = None  # a raw body that overrides everything (e.g. broken JSON)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    finish_reason: str = "stop"
    refusal: str | None = None

    @classmethod
    def json(cls, answer: dict[str, Any], **kwargs: Any) -> Reply:
        """A well-formed answer whose message content is `answer` as JSON."""
        return cls(content=json.dumps(answer), **kwargs)

    @classmethod
    def text(cls, content: str, **kwargs: Any) -> Reply:
        """An answer whose message content is `content` verbatim (malformed JSON, prose)."""
        return cls(content=content, **kwargs)

    @classmethod
    def error(
        cls, status: int, message: str = "scripted error", retry_after_ms: int | None = None
    ) -> Reply:
        """An HTTP error in the OpenAI error shape, optionally with `retry-after-ms`."""
        headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
        # Tell the SDK plainly whether to retry, like the real API does.
        headers["x-should-retry"] = (
            "true" if status in (408, 409, 429) or status >= 500 else "false"
        )
        payload = {"error": {"message": message, "type": "scripted", "code": status}}
        return cls(status=status, body=json.dumps(payload).encode(), headers=headers)

    @classmethod
    def hang(cls, seconds: float = 30.0) -> Reply:
        """Sleep past the client's timeout before answering (the answer is never read)."""
        return cls(content="{}", delay_s=seconds)


Responder = Reply | Callable[[RecordedRequest], Reply]


class _Server(ThreadingHTTPServer):
    # socketserver's default listen backlog is 5: at concurrency 16 the other connects wait
    # for SYN retransmits (a second or more), which measured as a slow client.
    request_queue_size = 128


class OpenAIServer:
    """A ThreadingHTTPServer on 127.0.0.1 and a free port, scripted per test."""

    def __init__(self, default: Responder | None = None, model: str = "scripted-model") -> None:
        self.default: Responder | None = default
        self.model = model
        self.delay_s = 0.0  # added to every chat request, to measure concurrency
        self.requests: list[RecordedRequest] = []
        self._queue: deque[Responder] = deque()
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The URL to give the client (`base_url`), ending in /v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> OpenAIServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases any hanging handler
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ----------------------------------------------------------------------
    def push(self, *replies: Responder) -> None:
        """Queue replies for the next chat requests, in order; then `default` answers."""
        with self._lock:
            self._queue.extend(replies)

    def respond_with(self, responder: Responder) -> None:
        """Answer every request not covered by the queue with `responder`."""
        self.default = responder

    @property
    def completions(self) -> list[RecordedRequest]:
        """The chat-completion requests received so far."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def reset(self) -> None:
        """Forget recorded requests and queued replies (the default stays)."""
        with self._lock:
            self.requests.clear()
            self._queue.clear()
            self.max_in_flight = 0

    # -- serving ------------------------------------------------------------------------
    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            responder = self._queue.popleft() if self._queue else self.default
        if responder is None:
            return Reply.error(500, "no scripted reply for this request")
        return responder(request) if callable(responder) else responder

    def _completion_body(self, request: RecordedRequest, reply: Reply) -> bytes:
        if reply.body is not None:
            return reply.body
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        finish = reply.finish_reason
        if reply.refusal is not None:
            message = {"role": "assistant", "content": None, "refusal": reply.refusal}
        elif request.wants_tool_call:
            tool = request.body["tools"][0]["function"]["name"]
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": f"call_{next(self._ids)}",
                        "type": "function",
                        "function": {"name": tool, "arguments": reply.content or ""},
                    }
                ],
            }
            finish = "tool_calls" if finish == "stop" else finish
        prompt_tokens = max(1, len(request.prompt) // 4)
        completion_tokens = max(1, len(reply.content or "") // 4)
        payload = {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.body.get("model", self.model),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
        return json.dumps(payload).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, like real endpoints: the client reuses its connections rather than
            # opening one per request (HTTP/1.0's default), which inflated client latency.
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY the body waits for
            # the client's delayed ACK (~40 ms) on a kept-alive connection.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet test output
                return

            _with_body = b""  # set while _send builds a response: written with the headers
            _arrived = 0.0  # when the request line had been read

            def parse_request(self) -> bool:
                self._arrived = time.monotonic()
                return super().parse_request()

            def flush_headers(self) -> None:
                # Headers and body in one write (one segment for a small answer), as
                # servers commonly send them; http.server would write them separately.
                if self._with_body:
                    self.wfile.write(b"".join(self._headers_buffer) + self._with_body)
                    self._headers_buffer = []
                else:
                    super().flush_headers()

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self._with_body = body
                    try:
                        self.end_headers()
                    finally:
                        self._with_body = b""
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing to tell it

            def _record(self, body: dict[str, Any]) -> RecordedRequest:
                request = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    received_at=time.monotonic(),
                )
                with server._lock:
                    server.requests.append(request)
                return request

            def do_GET(self) -> None:
                self._record({})
                if self.path.rstrip("/").endswith("/models"):
                    body = {"object": "list", "data": [{"id": server.model, "object": "model"}]}
                    self._send(200, json.dumps(body).encode(), {})
                else:
                    self._send(404, b'{"error": {"message": "not found"}}', {})

            def do_POST(self) -> None:
                arrived = self._arrived or time.monotonic()
                length = int(self.headers.get("Content-Length", "0") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                request = self._record(body)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}', {})
                    return
                with server._lock:
                    server._in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server._in_flight)
                try:
                    reply = server._next_reply(request)
                    body_bytes = server._completion_body(request, reply)
                    # The delay runs from the request's arrival, and the answer is built
                    # before it: the client sees the delay, not the delay plus this
                    # server's own parsing and answer building.
                    delay = server.delay_s + reply.delay_s
                    wait = delay - (time.monotonic() - arrived)
                    if delay and wait > 0 and server._stopping.wait(wait):
                        return
                    self._send(reply.status, body_bytes, reply.headers)
                finally:
                    with server._lock:
                        server._in_flight -= 1

        return Handler


# -- answers built from the request ---------------------------------------------------------
_PASSAGE_ID = re.compile(r'<passage id="([^"]+)"')
# The delimiting tags on lines of their own: the system prompt also names `<key_result>`.
_KEY_RESULT = re.compile(r"^<key_result>\n(.*?)\n</key_result>$", re.DOTALL | re.MULTILINE)


def passage_ids(request: RecordedRequest) -> list[str]:
    """The passage ids the client put in its prompt, in order."""
    return _PASSAGE_ID.findall(request.prompt)


def key_result_text(request: RecordedRequest) -> str:
    """The key result the client delimited in its prompt."""
    match = _KEY_RESULT.search(request.prompt)
    return match.group(1).strip() if match else ""


def critique_answer(
    request: RecordedRequest,
    *,
    rewrite: str = "Reduce p95 latency of the checkout API from <baseline> to <target> by <deadline>",
    metric: str = "p95 latency of the checkout API",
    citations: list[str] | None = None,
    kind: str = "output",
    baseline: str = "<baseline>",
    target: str = "<target>",
    deadline: str = "<deadline>",
    placeholders: list[str] | None = None,
    rewrites: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A schema-valid critique answer citing the request's first passage id."""
    ids = passage_ids(request)
    cited = citations if citations is not None else ids[:1]
    if rewrites is None:
        rewrites = [
            {
                "text": rewrite,
                "metric": metric,
                "baseline": baseline,
                "target": target,
                "deadline": deadline,
                "placeholders": placeholders
                if placeholders is not None
                else [
                    name
                    for name, value in (
                        ("baseline", baseline),
                        ("target", target),
                        ("deadline", deadline),
                    )
                    if value.startswith("<")
                ],
                "rationale": "Measures the result the work is for, not the work.",
            }
        ]
    return {
        "summary": "The key result names work to do rather than the result it should cause.",
        "kind": kind,
        "problems": [
            {
                "text": "It can be completed without anything improving for users.",
                "citations": cited,
            }
        ],
        "rewrites": rewrites,
    }


def answer_with(**kwargs: Any) -> Callable[[RecordedRequest], Reply]:
    """A responder that answers each request with `critique_answer(request, **kwargs)`."""

    def respond(request: RecordedRequest) -> Reply:
        return Reply.json(critique_answer(request, **kwargs))

    return respond


# -- the server in a process of its own --------------------------------------------------------
class ServerProcess:
    """`OpenAIServer(answer_with())` in a child process, for measuring a client's own time.

        with ServerProcess(delay_s=0.5) as server:
            ... LLMConfig(base_url=server.base_url) ...
            server.reset()
            ... run the client ...
            completions, max_in_flight = server.stats()

    Commands go over the child's stdin, one line each, and every command is answered
    with one JSON line, so `reset()` has taken effect when it returns.
    """

    def __init__(self, delay_s: float = 0.0, *, timeout_s: float = 30.0) -> None:
        self._timeout_s = timeout_s
        tests_dir = str(Path(__file__).resolve().parent.parent)  # the folder holding support/
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (tests_dir, env.get("PYTHONPATH", "")) if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "support.openai_server", "--delay", str(delay_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        hello = self._read()
        self.base_url: str = hello["base_url"]
        self._delay_s = delay_s

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            code = self._process.poll()
            raise RuntimeError(f"the scripted server process ended (exit code {code})")
        return dict(json.loads(line))

    def _command(self, line: str) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        return self._read()

    @property
    def delay_s(self) -> float:
        """Added to every chat request, counted from the request's arrival."""
        return self._delay_s

    @delay_s.setter
    def delay_s(self, seconds: float) -> None:
        self._command(f"delay {seconds}")
        self._delay_s = seconds

    def reset(self) -> None:
        """Forget the recorded requests and the peak concurrency."""
        self._command("reset")

    def stats(self) -> tuple[int, int]:
        """(chat-completion requests received, most of them in flight at once) since reset."""
        answer = self._command("stats")
        return int(answer["completions"]), int(answer["max_in_flight"])

    def request_bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat requests received since reset, in arrival order."""
        return list(self._command("bodies")["bodies"])

    def stop(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(BrokenPipeError, RuntimeError, ValueError):
                self._command("stop")
            try:
                self._process.wait(timeout=self._timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(delay_s: float, commands: TextIO, out: TextIO) -> None:
    """Serve `answer_with()` with `delay_s` per request until `stop` or the end of `commands`."""
    server = OpenAIServer(answer_with()).start()
    server.delay_s = delay_s

    def say(**fields: Any) -> None:
        out.write(json.dumps(fields) + "\n")
        out.flush()

    say(base_url=server.base_url)
    try:
        for line in commands:
            command, _, value = line.strip().partition(" ")
            if command == "delay":
                server.delay_s = float(value)
                say(ok=True)
            elif command == "reset":
                server.reset()
                say(ok=True)
            elif command == "stats":
                say(completions=len(server.completions), max_in_flight=server.max_in_flight)
            elif command == "bodies":
                say(bodies=[request.body for request in server.completions])
            elif command == "stop":
                say(ok=True)
                break
            else:
                say(error=f"unknown command {command!r}")
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=serve.__doc__)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds per chat request")
    args = parser.parse_args(argv)
    serve(args.delay, sys.stdin, sys.stdout)
    return 0


@pytest.fixture
def openai_server_factory() -> Iterator[Callable[..., OpenAIServer]]:
    """Start scripted servers on demand; all are stopped when the test ends."""
    started: list[OpenAIServer] = []

    def make(default: Responder | None = None) -> OpenAIServer:
        server = OpenAIServer(default=default).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def openai_server(openai_server_factory: Callable[..., OpenAIServer]) -> OpenAIServer:
    """One scripted server that answers every request with a valid critique by default."""
    return openai_server_factory(answer_with())


if __name__ == "__main__":
    sys.exit(main())
