"""Ranking: lexical BM25, semantic similarity and fired rule codes, fused into one score.

Static embeddings miss paraphrase that a transformer would catch, and BM25 misses synonyms;
the rule codes that fired on a key result are the strongest signal of all. Codes live at
two levels in the corpus: a document's front matter lists the rules it explains, and each
section's `<!-- rules: ... -->` comment lists the rules that section itself explains, with
`*` on the rule's primary section. So a passage earns full code credit when its own
section explains a fired code (plus a little when it is that rule's primary explanation)
and only partial credit when just its document does. BM25 and cosine similarity are each
min-max normalised over the corpus and combined with the code credit in a weighted sum.

Everything here is pure Python plus numpy and bm25s: no vector store, so lexical-only
ranking works with no chromadb at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..models import Passage
from .corpus import OVERVIEW_SLUG

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class FusionWeights:
    """How much each normalised signal counts.

    The defaults were chosen by `benchmarks/bench_retrieval.py --tune` on the dev split of
    `evals/datasets/retrieval.yaml` only (the test split is reported, never tuned on).
    """

    semantic: float = 0.5
    lexical: float = 1.0
    # A passage whose section explains every fired code gains as much as the best word
    # match: guidance for a fired rule outranks anything that merely shares words with it.
    code: float = 1.0
    # Put the best passage for each fired code ahead of everything else. Off by default:
    # on the dev split it cost recall, because the second citation a reviewer wants is
    # often a metric recipe from another document rather than more of the rule's own.
    one_per_code_first: bool = False
    # A document's lead-in summarises it; the section that explains the point is the
    # better citation (reviewers never picked a lead-in), so lead-ins count for half.
    overview: float = 0.5
    # A fired code that the passage's document explains, but not the passage's own section
    # (its `<!-- rules: -->` comment names other codes), earns this share of full credit.
    # (The bundled corpus tags every section, so this matters for partly tagged guides.)
    doc_code: float = 0.25
    # How fast a section's credit per code shrinks with the number of codes it explains:
    # credit = 1 / (1 + breadth * (codes - 1)). Off by default: on the dev split, sections
    # tagged with several codes were cited as often as single-code ones.
    breadth: float = 0.0
    # Extra credit for the section marked as a fired rule's primary explanation (`KR301*`
    # in its rules comment): the passage a reviewer cites first when nothing in the draft
    # points elsewhere.
    primary: float = 0.2


DEFAULT_WEIGHTS = FusionWeights()
# Without the semantic signal the codes carry more of the ranking (tuned on dev the same way).
LEXICAL_ONLY_WEIGHTS = FusionWeights(semantic=0.0, code=1.5, primary=0.1)


def passage_search_text(passage: Passage) -> str:
    """The text a passage is indexed by: title, section, body, tags and rule codes."""
    return "\n".join(
        (
            passage.title,
            passage.section,
            passage.text,
            " ".join(passage.tags),
            " ".join(passage.rules),
        )
    )


class LexicalIndex:
    """BM25 over the passages' search text, with English stemming and stop words."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        import logging

        import bm25s

        # bm25s sets its own logger to DEBUG at import; its progress notes are not ours.
        logging.getLogger("bm25s").setLevel(logging.WARNING)

        self._size = len(passages)
        self._stem = _stemmer()
        self._retriever: Any = None
        if passages:
            tokens = bm25s.tokenize(
                [passage_search_text(p) for p in passages],
                stopwords="en",
                stemmer=self._stem,
                show_progress=False,
            )
            self._retriever = bm25s.BM25()
            self._retriever.index(tokens, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query`, in passage order (zeros when no match)."""
        import bm25s
        import numpy as np

        if self._retriever is None or not query.strip():
            return np.zeros(self._size, dtype=np.float32)
        tokens = bm25s.tokenize(
            [query], stopwords="en", stemmer=self._stem, show_progress=False, return_ids=False
        )[0]
        if not tokens:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)


def minmax(values: np.ndarray) -> np.ndarray:
    """Scale to [0, 1]; a constant vector (no signal) becomes all zeros."""
    import numpy as np

    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def code_match(
    passages: Sequence[Passage],
    codes: Sequence[str],
    doc_rules: Mapping[str, Sequence[str]] | None = None,
    weights: FusionWeights = DEFAULT_WEIGHTS,
    primary: Mapping[str, Sequence[str]] | None = None,
) -> np.ndarray:
    """For each passage, how well it explains the fired codes (averaged over codes).

    A fired code the passage's own section explains counts 1, shared out when the section
    explains many codes (a checklist touching every rule explains each one less than a
    section about that rule), plus `weights.primary` when the section is that rule's
    primary explanation. A code only its document explains counts `doc_code`. So values
    run from 0 to 1 + `weights.primary`.
    """
    import numpy as np

    wanted = [c.upper() for c in dict.fromkeys(codes)]
    if not wanted:
        return np.zeros(len(passages))
    doc_rules = doc_rules or {}
    primary = primary or {}
    scores = []
    for passage in passages:
        own = set(passage.rules)
        first_for = set(primary.get(passage.id, ()))
        whole_doc = set(doc_rules.get(passage.doc_id, ()))
        focus = 1.0 / (1.0 + weights.breadth * max(len(own) - 1, 0))
        credit = 0.0
        for code in wanted:
            if code in own:
                credit += focus + (weights.primary if code in first_for else 0.0)
            elif code in whole_doc:
                credit += weights.doc_code
        scores.append(credit / len(wanted))
    return np.asarray(scores, dtype=np.float64)


def rank(
    passages: Sequence[Passage],
    lexical: np.ndarray,
    semantic: np.ndarray | None,
    codes: Sequence[str] = (),
    k: int = 4,
    weights: FusionWeights = DEFAULT_WEIGHTS,
    doc_rules: Mapping[str, Sequence[str]] | None = None,
    primary: Mapping[str, Sequence[str]] | None = None,
) -> list[Passage]:
    """The top `k` passages by fused score, each a copy carrying its score (0..1).

    `doc_rules` maps a document id to the codes its front matter lists; `primary` maps a
    passage id to the codes it is the primary explanation of (see `code_match`).
    """
    import numpy as np

    if not passages or k <= 0:
        return []
    sem_weight = weights.semantic if semantic is not None else 0.0
    total = sem_weight + weights.lexical + weights.code * (1.0 + weights.primary) or 1.0
    fused = weights.lexical * minmax(lexical)
    if semantic is not None and sem_weight:
        fused = fused + sem_weight * minmax(semantic)
    matched = code_match(passages, codes, doc_rules, weights, primary)
    fused = (fused + weights.code * matched) / total
    if weights.overview != 1.0:
        fused = fused * np.asarray(
            [weights.overview if p.id.endswith(f"#{OVERVIEW_SLUG}") else 1.0 for p in passages]
        )

    order = [int(i) for i in np.argsort(-fused, kind="stable")]
    if codes and weights.one_per_code_first:
        first: list[int] = []
        for code in dict.fromkeys(c.upper() for c in codes):
            best = next((i for i in order if code in passages[i].rules), None)
            if best is not None and best not in first:
                first.append(best)
        order = first + [i for i in order if i not in first]
    # A passage with no signal at all (no word, no meaning, no code in common) is noise.
    picked = [i for i in order if fused[i] > 0][:k]
    return [passages[i].model_copy(update={"score": round(float(fused[i]), 4)}) for i in picked]


def _stemmer() -> Any:
    """Snowball English stemming when available, else none (plain BM25 still works)."""
    try:
        import snowballstemmer
    except ImportError:  # pragma: no cover - it is a dependency, but keep lexical usable
        return None
    return snowballstemmer.stemmer("english").stemWords
