"""Embedding functions: offline wordllama, chromadb registration, OpenAI endpoint, fallbacks."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from retrieval_kit import current_build, make_config, probe_env, retrieval_settings

from reviewer.config import Config, LLMConfig, RetrievalConfig
from reviewer.retrieve import open_index


def test_wordllama_embeddings_are_offline_normalised_and_deterministic() -> None:
    from reviewer.retrieve.embeddings import WordLlamaEmbeddingFunction

    embed = WordLlamaEmbeddingFunction()
    first = embed(["reduce p95 latency", "hire three engineers"])
    again = embed(["reduce p95 latency"])
    assert len(first) == 2 and first[0].shape == (256,)
    assert np.allclose(np.linalg.norm(np.stack(first), axis=1), 1.0, atol=1e-5)
    assert np.allclose(first[0], again[0])
    assert float(first[0] @ first[1]) < 0.99


def test_embedding_functions_round_trip_through_chromadb_config() -> None:
    from chromadb.utils.embedding_functions import known_embedding_functions

    from reviewer.retrieve.embeddings import (
        OPENAI_NAME,
        WORDLLAMA_NAME,
        OpenAIEndpointEmbeddingFunction,
        WordLlamaEmbeddingFunction,
    )

    assert known_embedding_functions[WORDLLAMA_NAME] is WordLlamaEmbeddingFunction
    assert known_embedding_functions[OPENAI_NAME] is OpenAIEndpointEmbeddingFunction
    rebuilt = WordLlamaEmbeddingFunction.build_from_config(
        WordLlamaEmbeddingFunction().get_config()
    )
    assert rebuilt.dim == 256 and not rebuilt.is_legacy()
    remote = OpenAIEndpointEmbeddingFunction(model="m", base_url="http://x/v1", api_key="sk-secret")
    assert "sk-secret" not in json.dumps(remote.get_config())  # keys are never persisted


def test_importing_wordllama_leaves_root_logging_alone() -> None:
    code = (
        "import logging\n"
        "from reviewer.retrieve.embeddings import load_wordllama\n"
        "load_wordllama()\n"
        "root = logging.getLogger()\n"
        "print(root.level, len(root.handlers))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [str(logging.WARNING), "0"]


def test_loading_wordllama_leaves_requests_unimported_until_someone_uses_it() -> None:
    code = (
        "import sys\n"
        "from reviewer.retrieve.embeddings import load_wordllama\n"
        "load_wordllama().embed(['p95 latency'])\n"
        "print('requests' in sys.modules, 'urllib3' in sys.modules)\n"
        "import wordllama.wordllama as w\n"
        "error = w.requests.RequestException  # wordllama's own name reaches the real one\n"
        "import requests\n"
        "print(error is requests.exceptions.RequestException, type(requests).__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True", "module"]


REOPEN = r"""
import json, sys
import chromadb
import reviewer.retrieve.embeddings  # registers the embedding function with chromadb
client = chromadb.PersistentClient(path=sys.argv[1])
collection = client.get_collection("okr-guidance")  # no embedding function passed
hits = collection.query(query_texts=["slow responses for the API"], n_results=1)
ef = collection.configuration_json["embedding_function"]
print(json.dumps({"ids": hits["ids"][0], "ef": ef["name"]}))
"""


def test_a_persisted_collection_reopens_with_plain_chromadb_in_a_new_process(
    corpus_dir: Path, cache_dir: Path
) -> None:
    open_index(make_config(corpus_dir, cache_dir))
    proc = subprocess.run(
        [sys.executable, "-c", REOPEN, str(current_build(cache_dir))],
        capture_output=True,
        text=True,
        env=probe_env(),
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # The query text was embedded by the persisted wordllama function: chromadb's own
    # default would have needed a download, which the network guard blocks.
    assert result["ef"] == "okr-review-wordllama"
    assert result["ids"][0].startswith("gamma-latency#")


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible `/v1/embeddings`: hashed bag of words, 64 dimensions."""

    calls: list[dict[str, Any]]

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.calls.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": bag_of_words(t)}
            for i, t in enumerate(texts)
        ]
        payload = json.dumps(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


def bag_of_words(text: str) -> list[float]:
    vector = [0.0] * 64
    for word in text.lower().split():
        vector[int(hashlib.md5(word.strip(".,:;").encode()).hexdigest(), 16) % 64] += 1.0
    return vector


@pytest.fixture
def embeddings_server() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    calls: list[dict[str, Any]] = []
    handler = type("Handler", (_EmbeddingsHandler,), {"calls": calls})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", calls
    finally:
        server.shutdown()
        server.server_close()


def test_openai_embeddings_through_the_configured_endpoint(
    corpus_dir: Path, cache_dir: Path, embeddings_server: tuple[str, list[dict[str, Any]]]
) -> None:
    base_url, calls = embeddings_server
    config = Config(
        retrieval=RetrievalConfig(**retrieval_settings(corpus_dir, cache_dir, embedding="openai")),
        llm=LLMConfig(base_url=base_url, api_key="sk-test-not-stored"),
    )
    index = open_index(config)
    assert index.status["backend"] == "persistent"
    assert index.status["embedding"] == "openai"
    assert index.status["degraded"] is None
    hits = index.search("p95 latency targets", k=1)
    assert hits[0].doc_id == "gamma-latency"
    assert calls[0]["path"] == "/v1/embeddings"
    assert calls[0]["auth"] == "Bearer sk-test-not-stored"
    assert len(calls[0]["input"]) == 8  # the whole corpus in one batch
    database = (current_build(cache_dir) / "chroma.sqlite3").read_bytes()
    assert b"sk-test-not-stored" not in database
    assert open_index(config).status["rebuilt"] is False


def test_an_embedding_that_needs_the_network_degrades_to_lexical(
    corpus_dir: Path, cache_dir: Path, tmp_path: Path
) -> None:
    # chromadb's default embedding downloads an ONNX model on first use; offline it fails.
    # Whatever happens, a review still gets passages, and the reason is recorded.
    spec = {
        "retrieval": retrieval_settings(corpus_dir, cache_dir, embedding="chroma-default"),
        "query": "p99 latency",
        "codes": ["KR403"],
    }
    from retrieval_kit import probe_command

    netlog = tmp_path / "net.log"
    proc = subprocess.run(
        probe_command(spec), capture_output=True, text=True, env=probe_env(netlog), timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    status = result["status"]
    if status["backend"] == "lexical":
        assert "embedding 'chroma-default' failed" in status["degraded"]
        assert netlog.exists()  # it tried, and the guard stopped it
        assert not list((cache_dir / "index").glob("build-*"))  # no half-made folder left
    else:  # the ONNX model was already cached on this machine
        assert status["backend"] == "persistent"
    assert result["results"][0]["id"].startswith("gamma-latency#")
