"""Embedding functions for the guidance index, as chromadb `EmbeddingFunction`s.

The default is wordllama: static word embeddings whose weights ship inside the wheel, so
indexing and search work with no network at all. The classes are registered with chromadb
so a persisted collection reopens in a new process. This module imports chromadb at import
time and is itself imported only by `reviewer.retrieve.index` (lazily), never by the
lexical-only path.

Other choices (`RetrievalConfig.embedding`): "chroma-default" (chromadb's ONNX MiniLM,
downloaded on first use, so it needs the network once), "openai" (the configured
OpenAI-compatible endpoint), "none" (no embeddings: lexical ranking only).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .chroma import import_chromadb

import_chromadb()  # first: it imports chromadb without its slow override checks

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space  # noqa: E402
from chromadb.utils.embedding_functions import register_embedding_function  # noqa: E402

if TYPE_CHECKING:
    from ..config import Config

WORDLLAMA_NAME = "okr-review-wordllama"
OPENAI_NAME = "okr-review-openai"
DEFAULT_OPENAI_MODEL = "text-embedding-3-small"

_model_lock = threading.Lock()
_wordllama_models: dict[int, Any] = {}


def load_wordllama(dim: int = 256) -> Any:
    """The wordllama model, loaded once per process from the weights inside the wheel.

    `WordLlama.load()` alone looks for its tokenizer in a folder the wheel does not ship and
    then tries to download it; pointing `cache_dir` at the package finds everything locally.
    """
    with _model_lock:
        model = _wordllama_models.get(dim)
        if model is None:
            with _root_logging_untouched(), _requests_deferred():
                import wordllama
                from wordllama import WordLlama

            model = WordLlama.load(
                cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=dim
            )
            _wordllama_models[dim] = model
        return model


@contextlib.contextmanager
def _requests_deferred() -> Iterator[None]:
    """Import wordllama without importing `requests` (and urllib3, and its TLS set-up).

    wordllama imports `requests` at the top of its main module and uses it only to download
    weights, which `disable_download=True` never does: ~0.05-0.1 s of every cold review.
    While wordllama imports, `requests` is a stand-in module that imports the real one the
    first time an attribute is read; afterwards the stand-in leaves `sys.modules`, so any
    other importer gets the real `requests`.
    """
    if "requests" in sys.modules:
        yield
        return
    stand_in = _DeferredModule("requests", "okr-review: imported on first use")
    sys.modules["requests"] = stand_in
    try:
        yield
    finally:
        if sys.modules.get("requests") is stand_in:
            del sys.modules["requests"]


class _DeferredModule(ModuleType):
    """A module that imports the real module of its name when an attribute is first read."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]  # read while still standing in: make way
        return getattr(importlib.import_module(self.__name__), name)


@contextlib.contextmanager
def _root_logging_untouched() -> Iterator[None]:
    """Undo the `logging.basicConfig(level=INFO)` wordllama runs at import time.

    Left alone, it would send every library's INFO records to the user's stderr.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@register_embedding_function
class WordLlamaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Offline, normalised wordllama embeddings (256 dimensions by default)."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        vectors = load_wordllama(self.dim).embed(list(input), norm=True)
        return [np.asarray(row, dtype=np.float32) for row in vectors]

    @staticmethod
    def name() -> str:
        return WORDLLAMA_NAME

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> WordLlamaEmbeddingFunction:
        return WordLlamaEmbeddingFunction(dim=int(config.get("dim", 256)))

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim}


@register_embedding_function
class OpenAIEndpointEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeddings from an OpenAI-compatible endpoint (the one configured for the LLM).

    The API key is never persisted in the collection: it is read from the config or from
    OPENAI_API_KEY when the collection is reopened.
    """

    def __init__(
        self,
        model: str = DEFAULT_OPENAI_MODEL,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self.timeout_s = timeout_s
        self._client: Any = None

    def _get_client(self) -> Any:
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(
                base_url=self.base_url,
                api_key=self._api_key or os.environ.get("OPENAI_API_KEY") or "not-needed",
                timeout=self.timeout_s,
                max_retries=1,
            )
        return self._client

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        response = self._get_client().embeddings.create(model=self.model, input=list(input))
        rows = sorted(response.data, key=lambda item: item.index)
        vectors = [np.asarray(item.embedding, dtype=np.float32) for item in rows]
        return [v / (np.linalg.norm(v) or 1.0) for v in vectors]

    @staticmethod
    def name() -> str:
        return OPENAI_NAME

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAIEndpointEmbeddingFunction:
        return OpenAIEndpointEmbeddingFunction(
            model=config.get("model", DEFAULT_OPENAI_MODEL), base_url=config.get("base_url")
        )

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url}


def make_embedding_function(config: Config) -> EmbeddingFunction[Documents] | None:
    """The embedding function `config.retrieval.embedding` names; None for "none"."""
    choice = config.retrieval.embedding
    if choice == "none":
        return None
    if choice == "wordllama":
        return WordLlamaEmbeddingFunction()
    if choice == "chroma-default":
        from chromadb.utils.embedding_functions import DefaultEmbeddingFunction

        return DefaultEmbeddingFunction()
    if choice == "openai":
        key = config.llm.api_key.get_secret_value() if config.llm.api_key else None
        return OpenAIEndpointEmbeddingFunction(
            model=os.environ.get("OKR_REVIEW_EMBEDDING_MODEL", DEFAULT_OPENAI_MODEL),
            base_url=config.llm.base_url,
            api_key=key,
            timeout_s=config.llm.timeout_s,
        )
    raise ValueError(f"unknown embedding {choice!r}")
