"""The guidance index: the one module that talks to chromadb.

`open_index(config)` returns a `GuidanceIndex` over the corpus, backed by one of:

- persistent (default): a `chromadb.PersistentClient` under `<cache_dir>/index`. Each
  build goes into a fresh sub-folder and `manifest.json` is replaced atomically once the
  build is complete, so a half-written build is never used. A build happens only when the
  corpus fingerprint changes (or the current build fails verification), under a file lock
  so processes sharing the cache never write at the same time.
- http: a Chroma server (`chroma_host`/`chroma_port`, or CHROMA_HOST/CHROMA_PORT), one
  collection per corpus fingerprint, filled idempotently, so a team can share it.
- memory: an `EphemeralClient`, the fallback when the cache cannot be used; `status`
  says why.
- lexical: no vector store at all (embedding "none", or the embedding is unavailable).

Whatever fails in the vector store, search still answers from BM25 and the rule codes;
the reason is recorded in `status["degraded"]` instead of reaching the review.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Config, load_config
from ..models import Passage
from .corpus import corpus_fingerprint, load_corpus
from .search import DEFAULT_WEIGHTS, LEXICAL_ONLY_WEIGHTS, FusionWeights, LexicalIndex, rank

if TYPE_CHECKING:
    import numpy as np

MANIFEST = "manifest.json"
LOCK_FILE = "build.lock"
COLLECTION = "okr-guidance"
MANIFEST_FORMAT = 1
LOCK_TIMEOUT_S = 120.0
QUERY_CANDIDATES = 200  # semantic candidates per query; the bundled corpus is smaller
DEFAULT_CHROMA_PORT = 8000


def default_cache_dir() -> Path:
    """The user cache folder for okr-review (OKR_REVIEW_CACHE_DIR overrides it)."""
    env = os.environ.get("OKR_REVIEW_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("okr-review", appauthor=False))


def resolve_cache_dir(config: Config) -> Path:
    """Where the index lives: the configured folder, else the environment, else the default."""
    if config.retrieval.cache_dir is not None:
        return Path(config.retrieval.cache_dir).expanduser()
    return default_cache_dir()


class GuidanceIndex:
    """Search over the guidance passages, with whatever vector store could be opened."""

    def __init__(
        self,
        passages: Sequence[Passage],
        status: dict[str, Any],
        vector: _VectorStore | None = None,
        top_k: int = 4,
        weights: FusionWeights | None = None,
        doc_rules: Mapping[str, Sequence[str]] | None = None,
        primary: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._passages = list(passages)
        # The codes each document explains as a whole (front matter). Without them, a
        # document is taken to explain what any of its passages explains.
        if doc_rules is None:
            derived: dict[str, list[str]] = {}
            for passage in self._passages:
                derived.setdefault(passage.doc_id, [])
                derived[passage.doc_id].extend(passage.rules)
            doc_rules = derived
        self.doc_rules = {doc: list(dict.fromkeys(codes)) for doc, codes in doc_rules.items()}
        # Passage id -> the codes it is the primary explanation of (`KR301*` in its section).
        self.primary = {pid: list(codes) for pid, codes in (primary or {}).items()}
        self._by_id = {p.id: p for p in self._passages}
        self._lexical = LexicalIndex(self._passages)
        self._vector = vector
        self._top_k = top_k
        self.weights = weights
        self.status = status

    def search(self, query: str, codes: Sequence[str] = (), k: int | None = None) -> list[Passage]:
        """The `k` passages most useful for `query` given the rule `codes` that fired.

        Each result is a copy with `score` set (0..1). Never raises for a vector store
        failure: it ranks lexically and records the reason in `status["degraded"]`.
        """
        limit = self._top_k if k is None else k
        lexical, semantic = self.signals(query)
        weights = self.weights or (
            DEFAULT_WEIGHTS if semantic is not None else LEXICAL_ONLY_WEIGHTS
        )
        return rank(
            self._passages,
            lexical,
            semantic,
            codes,
            limit,
            weights,
            doc_rules=self.doc_rules,
            primary=self.primary,
        )

    def signals(self, query: str) -> tuple[np.ndarray, np.ndarray | None]:
        """Raw BM25 and cosine scores of every passage (semantic None when unavailable)."""
        lexical = self._lexical.scores(query)
        semantic = None
        if self._vector is not None and query.strip():
            try:
                semantic = self._vector.similarities(query)
            except Exception as exc:  # the store failed: rank lexically, say why
                self.status["degraded"] = f"vector search failed, lexical only: {_short(exc)}"
        return lexical, semantic

    def passages(self) -> list[Passage]:
        """Every passage in the corpus, in document and section order."""
        return list(self._passages)

    def get(self, passage_id: str) -> Passage | None:
        """One passage by id (`doc-id#section-slug`), or None."""
        return self._by_id.get(passage_id)

    @property
    def fingerprint(self) -> str:
        """The corpus fingerprint this index was built from."""
        return str(self.status.get("fingerprint", ""))


class _VectorStore:
    """A chromadb collection plus the embedding function that embeds queries for it.

    A query wants every passage's similarity, and a small collection (at most
    `exact_search_max` passages, all of the bundled corpus) is read whole by each chroma
    query anyway: its vectors are read from the collection once, when the index opens
    (`prepare_search`), and each query is then an exact cosine over them in memory
    (0.02 ms rather than chroma's 1.7 ms per query, most of it fixed cost). A larger
    collection is searched by chroma's nearest-neighbour query, as is any collection
    whose vectors cannot be read whole.
    """

    exact_search_max = QUERY_CANDIDATES

    def __init__(self, collection: Any, embed: Any, passages: Sequence[Passage]) -> None:
        self.collection = collection
        self.embed = embed
        self._positions = {p.id: i for i, p in enumerate(passages)}
        self._count = len(passages)
        self._lock = threading.Lock()
        self._unit_vectors: np.ndarray | None = None
        self._read_whole: bool | None = None  # None: not tried yet

    @property
    def search_mode(self) -> str:
        """How queries are answered: "exact" (vectors in memory) or "chroma"."""
        return "exact" if self._read_whole else "chroma"

    def similarities(self, query: str) -> np.ndarray:
        """Cosine similarity of the query to each passage (passage order; unseen get the min)."""
        import numpy as np

        vector = np.asarray(self.embed.embed_query([query])[0], dtype=np.float32)
        passages = self._passage_vectors()
        if passages is not None:
            norm = float(np.linalg.norm(vector))
            unit = vector / norm if norm else vector
            return (passages @ unit).astype(np.float64)
        with self._lock:  # chromadb clients are not documented as thread-safe
            result = self.collection.query(
                query_embeddings=[vector],
                n_results=min(self._count, QUERY_CANDIDATES),
                include=["distances"],
            )
        similarity = np.full(self._count, np.nan)
        for pid, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            position = self._positions.get(pid)
            if position is not None:
                similarity[position] = 1.0 - float(distance)
        if np.isnan(similarity).all():
            raise RuntimeError("vector store returned no passages of this corpus")
        return np.nan_to_num(similarity, nan=float(np.nanmin(similarity)))

    def prepare_search(self, exact_search_max: int | None = None) -> str:
        """Read the vectors for exact search when the collection is small enough (once);
        returns `search_mode`."""
        if exact_search_max is not None:
            self.exact_search_max = exact_search_max
        self._passage_vectors()
        return self.search_mode

    def _passage_vectors(self) -> np.ndarray | None:
        """Every passage's unit vector (passage order), read once; None: ask chroma."""
        if self._read_whole is None:
            with self._lock:
                if self._read_whole is None:
                    self._unit_vectors = self._read_vectors()
                    self._read_whole = self._unit_vectors is not None
        return self._unit_vectors

    def _read_vectors(self) -> np.ndarray | None:
        import numpy as np

        if not 0 < self._count <= self.exact_search_max:
            return None
        try:
            stored = self.collection.get(include=["embeddings"])
            vectors = stored["embeddings"]
            if vectors is None or len(vectors) == 0:
                return None
            matrix = np.zeros((self._count, len(vectors[0])), dtype=np.float32)
            seen = 0
            for pid, vector in zip(stored["ids"], vectors, strict=True):
                position = self._positions.get(pid)
                if position is not None:
                    matrix[position] = vector
                    seen += 1
        except Exception:  # chroma will be asked per query, and say what is wrong there
            return None
        if seen != self._count:
            return None  # not this corpus's every passage: chroma's answer handles that
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)


def open_index(config: Config | None = None, *, rebuild: bool = False) -> GuidanceIndex:
    """Open (building if needed) the guidance index the config describes.

    Raises InputError only for a corpus that cannot be read (a malformed document); every
    vector store problem degrades to another backend and is recorded in `status`.
    """
    with _collection_paused():
        return _open_index(config or load_config(), rebuild=rebuild)


def _open_index(config: Config, *, rebuild: bool) -> GuidanceIndex:
    settings = config.retrieval
    started = time.perf_counter()
    corpus = load_corpus(settings.knowledge_dirs, bundled=settings.bundled_corpus)
    passages = corpus.passages
    fingerprint = corpus_fingerprint(passages, settings.embedding)
    status: dict[str, Any] = {
        "backend": "lexical",
        "embedding": settings.embedding,
        "rebuilt": False,
        "build_ms": 0.0,
        "degraded": None,
        "passages": len(passages),
        "fingerprint": fingerprint,
        "location": None,
        "search": None,  # "exact" (vectors in memory) or "chroma" (a query per search)
    }
    vector: _VectorStore | None = None
    if not passages:
        status["degraded"] = "no guidance documents found"
    elif settings.embedding != "none":
        vector = _open_vector_store(config, passages, fingerprint, status, rebuild=rebuild)
        if vector is not None:
            status["search"] = vector.prepare_search(settings.exact_search_max)
    status["open_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return GuidanceIndex(
        passages,
        status,
        vector,
        top_k=settings.top_k,
        doc_rules=corpus.doc_rules,
        primary=corpus.primary,
    )


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Garbage collection off while the index opens, back to its former state after.

    Opening imports chromadb, wordllama and their dependencies (~100,000 long-lived objects)
    and the cyclic collector would walk the growing heap again and again meanwhile (~60 ms
    of a cold review). Nothing opened here is garbage, so pausing it loses nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- backends --------------------------------------------------------------------------


def _open_vector_store(
    config: Config,
    passages: list[Passage],
    fingerprint: str,
    status: dict[str, Any],
    *,
    rebuild: bool,
) -> _VectorStore | None:
    """Try the configured store, then memory; None means lexical only (reason in status)."""
    try:
        from .embeddings import make_embedding_function

        embed = make_embedding_function(config)
    except Exception as exc:
        status["degraded"] = f"vector store unavailable, lexical only: {_short(exc)}"
        return None
    if embed is None:
        return None
    problems: list[str] = []
    host = config.retrieval.chroma_host
    try:
        if host:
            port = config.retrieval.chroma_port or DEFAULT_CHROMA_PORT
            status["backend"], status["location"] = "http", f"http://{host}:{port}"
            return _open_http(config, embed, passages, fingerprint, status, rebuild=rebuild)
        root = resolve_cache_dir(config) / "index"
        status["backend"], status["location"] = "persistent", str(root)
        return _open_persistent(root, embed, passages, fingerprint, status, rebuild=rebuild)
    except _EmbeddingFailed as exc:
        status["backend"], status["location"] = "lexical", None
        status["degraded"] = f"embedding {config.retrieval.embedding!r} failed, lexical only: {exc}"
        return None
    except Exception as exc:
        if status.get("rejected"):
            problems.append(str(status["rejected"]))
        problems.append(f"{status['backend']} index unusable ({_short(exc)})")
    try:
        status["backend"], status["location"] = "memory", None
        store = _open_memory(embed, passages, fingerprint, status)
        status["degraded"] = "; ".join([*problems, "using an in-memory index"])
        return store
    except _EmbeddingFailed as exc:
        problems.append(f"embedding {config.retrieval.embedding!r} failed ({exc})")
    except Exception as exc:
        problems.append(f"in-memory index failed ({_short(exc)})")
    status["backend"] = "lexical"
    status["degraded"] = "; ".join([*problems, "lexical only"])
    return None


class _EmbeddingFailed(Exception):
    """The embedding function could not embed the corpus: no store can help."""


def _settings() -> Any:
    from .chroma import import_chromadb

    import_chromadb()
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


def _embed_corpus(embed: Any, passages: Sequence[Passage]) -> list[Any]:
    from .search import passage_search_text

    try:
        return list(embed([passage_search_text(p) for p in passages]))
    except Exception as exc:
        raise _EmbeddingFailed(_short(exc)) from exc


def _fill(collection: Any, passages: Sequence[Passage], vectors: list[Any]) -> None:
    """Upsert every passage with its embedding, text and metadata (idempotent)."""
    batch = 256
    for start in range(0, len(passages), batch):
        chunk = passages[start : start + batch]
        collection.upsert(
            ids=[p.id for p in chunk],
            embeddings=vectors[start : start + batch],
            documents=[p.text for p in chunk],
            metadatas=[_metadata(p) for p in chunk],
        )


def _metadata(passage: Passage) -> dict[str, str]:
    # chromadb metadata values are scalars: lists are stored comma-joined, with edge commas
    # so a `$contains: ",KR101,"` filter matches whole codes only.
    return {
        "doc_id": passage.doc_id,
        "title": passage.title,
        "section": passage.section,
        "rules": "," + ",".join(passage.rules) + "," if passage.rules else "",
        "tags": ",".join(passage.tags),
    }


def _verify(collection: Any, passages: Sequence[Passage]) -> None:
    """Raise unless the collection holds exactly this corpus and answers a query."""
    count = collection.count()
    if count != len(passages):
        raise RuntimeError(f"index holds {count} passages, corpus has {len(passages)}")
    probe = passages[len(passages) // 2].id
    got = collection.get(ids=[probe], include=["embeddings"])
    if got["ids"] != [probe] or got["embeddings"] is None or len(got["embeddings"]) != 1:
        raise RuntimeError(f"passage {probe} missing from the index")
    # A corpus may hold passages with the same text (two guides repeating a section), and
    # then the probe's twin can come first: the probe must be among the nearest few, or
    # the nearest must be an exact match.
    hit = collection.query(
        query_embeddings=[got["embeddings"][0]],
        n_results=min(count, 8),
        include=["distances"],
    )
    distances = hit.get("distances") or [[]]
    exact = bool(distances[0]) and float(distances[0][0]) <= 1e-6
    if probe not in hit["ids"][0] and not exact:
        raise RuntimeError("vector index does not find a stored passage")


def _collection(client: Any, name: str, embed: Any, fingerprint: str) -> Any:
    return client.get_or_create_collection(
        name=name,
        embedding_function=embed,
        metadata={"fingerprint": fingerprint, "corpus": "okr-review guidance"},
        configuration={"hnsw": {"space": "cosine"}},
    )


def _open_memory(
    embed: Any, passages: list[Passage], fingerprint: str, status: dict[str, Any]
) -> _VectorStore:
    from .chroma import import_chromadb

    chromadb = import_chromadb()

    started = time.perf_counter()
    vectors = _embed_corpus(embed, passages)
    client = chromadb.EphemeralClient(settings=_settings())
    # In-memory clients share one store per process: a unique name keeps indexes apart.
    name = f"{COLLECTION}-{uuid.uuid4().hex[:12]}"
    collection = _collection(client, name, embed, fingerprint)
    _fill(collection, passages, vectors)
    status["rebuilt"] = True
    status["build_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return _VectorStore(collection, embed, passages)


def _open_http(
    config: Config,
    embed: Any,
    passages: list[Passage],
    fingerprint: str,
    status: dict[str, Any],
    *,
    rebuild: bool,
) -> _VectorStore:
    from .chroma import import_chromadb

    chromadb = import_chromadb()

    port = config.retrieval.chroma_port or DEFAULT_CHROMA_PORT
    client = chromadb.HttpClient(
        host=config.retrieval.chroma_host or "localhost", port=int(port), settings=_settings()
    )
    # One collection per corpus version: teammates on another version never clash, and
    # filling is an idempotent upsert, so concurrent first users are harmless.
    name = f"{COLLECTION}-{fingerprint[:16]}"
    collection = _collection(client, name, embed, fingerprint)
    try:
        if rebuild:
            raise RuntimeError("rebuild requested")
        _verify(collection, passages)
    except Exception:
        started = time.perf_counter()
        _fill(collection, passages, _embed_corpus(embed, passages))
        _verify(collection, passages)
        status["rebuilt"] = True
        status["build_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return _VectorStore(collection, embed, passages)


def _open_persistent(
    root: Path,
    embed: Any,
    passages: list[Passage],
    fingerprint: str,
    status: dict[str, Any],
    *,
    rebuild: bool,
) -> _VectorStore:
    """Open the current build if it matches and verifies; otherwise build under the lock."""
    from filelock import FileLock, Timeout

    rejected: str | None = None
    if not rebuild:
        manifest = _read_manifest(root)
        if manifest and manifest.get("fingerprint") == fingerprint:
            try:
                return _open_build(root / manifest["build"], embed, passages)
            except _EmbeddingFailed:
                raise
            except Exception as exc:
                rejected = manifest["build"]
                status["rejected"] = f"index {rejected} unusable ({_short(exc)})"

    root.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(root / LOCK_FILE), timeout=LOCK_TIMEOUT_S):
            # Another process may have built it while this one waited for the lock.
            manifest = _read_manifest(root)
            if (
                not rebuild
                and manifest
                and manifest.get("fingerprint") == fingerprint
                and manifest.get("build") != rejected
            ):
                try:
                    return _open_build(root / manifest["build"], embed, passages)
                except _EmbeddingFailed:
                    raise
                except Exception as exc:
                    status["rejected"] = f"index {manifest['build']} unusable ({_short(exc)})"
            store = _build(root, embed, passages, fingerprint, status)
            if status.get("rejected"):
                status["repaired"] = f"{status['rejected']}; rebuilt"
            previous = manifest.get("build") if manifest else None
            _remove_old_builds(root, keep={store.collection_build, previous})
            return store
    except Timeout as exc:
        raise RuntimeError(
            f"timed out after {LOCK_TIMEOUT_S:.0f}s waiting for {exc.lock_file}"
        ) from exc


class _PersistentStore(_VectorStore):
    """A vector store that remembers which build folder it lives in."""

    collection_build: str = ""


def _open_build(folder: Path, embed: Any, passages: list[Passage]) -> _PersistentStore:
    from .chroma import import_chromadb

    chromadb = import_chromadb()

    if not (folder / "chroma.sqlite3").is_file():
        raise RuntimeError(f"{folder.name}/chroma.sqlite3 is missing")
    client = chromadb.PersistentClient(path=str(folder), settings=_settings())
    collection = client.get_collection(COLLECTION, embedding_function=embed)
    _verify(collection, passages)
    store = _PersistentStore(collection, embed, passages)
    store.collection_build = folder.name
    return store


def _build(
    root: Path, embed: Any, passages: list[Passage], fingerprint: str, status: dict[str, Any]
) -> _PersistentStore:
    """Build a new index folder, verify it, then point the manifest at it (atomically)."""
    from .chroma import import_chromadb

    chromadb = import_chromadb()

    started = time.perf_counter()
    vectors = _embed_corpus(embed, passages)  # first: a failing embedding leaves no folder
    build = f"build-{fingerprint[:12]}-{uuid.uuid4().hex[:8]}"
    folder = root / build
    client = chromadb.PersistentClient(path=str(folder), settings=_settings())
    collection = _collection(client, COLLECTION, embed, fingerprint)
    _fill(collection, passages, vectors)
    _verify(collection, passages)
    build_ms = round((time.perf_counter() - started) * 1000, 1)
    _write_manifest(
        root,
        {
            "format": MANIFEST_FORMAT,
            "fingerprint": fingerprint,
            "build": build,
            "collection": COLLECTION,
            "passages": len(passages),
            "embedding": getattr(embed, "name", lambda: "?")(),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_ms": build_ms,
        },
    )
    status["rebuilt"] = True
    status["build_ms"] = build_ms
    store = _PersistentStore(collection, embed, passages)
    store.collection_build = build
    return store


def _read_manifest(root: Path) -> dict[str, Any] | None:
    """The manifest of the current build, or None if missing, unreadable or malformed."""
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("format") != MANIFEST_FORMAT
        or not isinstance(data.get("build"), str)
        or "/" in data["build"]
        or not data["build"].startswith("build-")
    ):
        return None
    return data


def _write_manifest(root: Path, data: dict[str, Any]) -> None:
    tmp = root / f".{MANIFEST}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / MANIFEST)


def _remove_old_builds(root: Path, keep: set[Any]) -> None:
    """Delete build folders other than the current and the previous one (best effort).

    The previous build is kept because a process that read the old manifest a moment ago
    may still be opening it.
    """
    for folder in root.glob("build-*"):
        if folder.name not in keep and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
    for stale in root.glob(f".{MANIFEST}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    detail = text[0] if text else ""
    detail = detail[:200]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
