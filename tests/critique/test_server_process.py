"""The scripted server in a process of its own (`ServerProcess`), and its delay's meaning."""

from __future__ import annotations

import json
import threading
import time

import openai
from support.openai_server import OpenAIServer, ServerProcess, answer_with

PROMPT = (
    "Review it.\n"
    '<passage id="baselines#why-a-baseline" title="Baselines">Know where you start.</passage>\n'
    "<key_result>\nLaunch dark mode\n</key_result>"
)


def ask(base_url: str) -> dict:
    api = openai.OpenAI(base_url=base_url, api_key="sk-test-process", max_retries=0)
    answer = api.chat.completions.create(
        model="m", messages=[{"role": "user", "content": PROMPT}], timeout=10
    )
    return json.loads(answer.choices[0].message.content)


def test_the_child_serves_the_scripted_critique_and_counts_requests():
    with ServerProcess() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        answer = ask(server.base_url)
        assert answer["problems"][0]["citations"] == ["baselines#why-a-baseline"]
        assert server.stats() == (1, 1)
        # What was received can be replayed: the benchmark's HTTP floor sends it again.
        (body,) = server.request_bodies()
        assert body["model"] == "m" and body["messages"][0]["content"] == PROMPT
        server.reset()
        assert server.stats() == (0, 0)
        assert server.request_bodies() == []
        process = server._process
    assert process.poll() is not None  # stopped with the block


def test_the_child_delays_each_request_and_records_peak_concurrency():
    with ServerProcess(delay_s=0.3) as server:
        elapsed: list[float] = []

        def one() -> None:
            started = time.perf_counter()
            ask(server.base_url)
            elapsed.append(time.perf_counter() - started)

        threads = [threading.Thread(target=one) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert len(elapsed) == 3 and all(0.3 <= e < 0.9 for e in elapsed), elapsed
        assert server.stats() == (3, 3)
        server.delay_s = 0.0
        started = time.perf_counter()
        ask(server.base_url)
        assert time.perf_counter() - started < 0.3


def test_the_delay_counts_from_the_request_s_arrival():
    # The answer is built during the delay, so a round trip is the delay plus transport,
    # not the delay plus the server's own parsing and answer building.
    with OpenAIServer(answer_with()) as server:
        server.delay_s = 0.25
        ask(server.base_url)  # the client's first-use costs are not the point
        started = time.perf_counter()
        ask(server.base_url)
        elapsed = time.perf_counter() - started
    assert 0.25 <= elapsed < 0.25 + 0.2, elapsed
