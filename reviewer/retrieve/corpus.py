"""The guidance corpus: Markdown documents with front matter, split into citable passages.

A document is `<id>.md` with front matter (`id`, `title`, `rules`, `tags`, `applies_to`)
and a body of Markdown sections. Each section becomes one passage with a stable id
`<doc-id>#<section-slug>`; the text before the first section heading (the document's
lead-in) becomes `<doc-id>#overview`. Headings deeper than the splitting level stay inside
their section's text, and headings inside fenced code blocks are ignored.

Rule codes live at two levels. The front matter's `rules` are the codes the document as a
whole explains. A section can name the codes it explains itself with a comment as its first
line, right under its heading: `<!-- rules: KR201, KR205 -->` (or `<!-- rules: none -->` for
a section that explains no rule); a `*` after a code (`KR301*`) marks the section as that
rule's primary explanation, the first thing to cite when it fires. The comment is stripped
from the passage text; the passage's `rules` are the section's own codes when it has the
comment, else the document's.
The ranker gives a passage whose own section explains a fired code more weight than one
that merely sits in a document about it (see `search.py`). A section may also carry
`<!-- keywords: a, b -->`: words a draft needing this section tends to use that its text
does not (synonyms, typical phrasings); they join the passage's tags, which are indexed.

This module reads files only: no vector store, no embeddings, so the lexical path and the
corpus tests need nothing heavy.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..models import Passage

# Bump when splitting or id rules change, so persisted indexes are rebuilt.
SPLITTER_VERSION = "2"
OVERVIEW_SLUG = "overview"

_DOC_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_RULE_CODE = re.compile(r"^[A-Z]{2,}[0-9]{3}$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SECTION_NOTE = re.compile(
    r"^\s*<!--\s*(?P<kind>rules|keywords)\s*:(?P<value>.*?)-->\s*$", re.IGNORECASE
)
_NO_RULES = {"", "none", "-"}


@dataclass
class Corpus:
    """Passages plus each document's own (front matter) rule codes, for the ranker."""

    passages: list[Passage]
    doc_rules: dict[str, list[str]]
    # passage id -> the codes that passage is the primary explanation of (`KR301*`).
    primary: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class GuidanceDoc:
    """One guidance document as read from disk, before splitting."""

    id: str
    title: str
    path: Path
    rules: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    applies_to: list[str] = field(default_factory=list)
    body: str = ""
    # `body` split into (passage, primary codes), as `read_document` found it (so a corpus
    # load splits each document once); None for a document built by hand.
    sections: list[tuple[Passage, list[str]]] | None = field(
        default=None, repr=False, compare=False
    )


def slugify(text: str) -> str:
    """Lowercase, ASCII-folded, non-alphanumerics to '-', trimmed: `Why it matters?` -> `why-it-matters`."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or "section"


def bundled_knowledge_dirs() -> list[Path]:
    """The corpus shipped with the package (see `reviewer.resources`)."""
    from ..resources import resource_dir

    found = resource_dir("knowledge")
    return [found] if found is not None and any(found.glob("*.md")) else []


def corpus_dirs(extra: Iterable[Path | str] = (), *, bundled: bool = True) -> list[Path]:
    """The folders a corpus is read from, bundled first so extra folders can override it."""
    dirs = bundled_knowledge_dirs() if bundled else []
    seen = {d.resolve() for d in dirs}
    for folder in extra:
        path = Path(folder).expanduser()
        if path.resolve() not in seen:
            seen.add(path.resolve())
            dirs.append(path)
    return dirs


def load_passages(dirs: Sequence[Path | str] = (), *, bundled: bool = True) -> list[Passage]:
    """Read the bundled corpus plus every `*.md` in `dirs`, split into passages.

    A document in a later folder replaces an earlier document with the same id, so a
    company guide can override one of ours. `bundled=False` reads `dirs` only. Raises
    InputError naming the file for a malformed document or a missing folder.
    """
    return load_corpus(dirs, bundled=bundled).passages


def load_corpus(dirs: Sequence[Path | str] = (), *, bundled: bool = True) -> Corpus:
    """Like `load_passages`, plus the document-level rule codes the ranker falls back on."""
    corpus = Corpus([], {})
    for doc in load_documents(corpus_dirs(dirs, bundled=bundled)):
        split = doc.sections if doc.sections is not None else _split_sections(doc)
        corpus.passages.extend(passage for passage, _ in split)
        corpus.primary.update({passage.id: codes for passage, codes in split if codes})
        corpus.doc_rules[doc.id] = list(doc.rules)
    return corpus


def load_documents(dirs: Sequence[Path | str]) -> list[GuidanceDoc]:
    """Read and validate the documents of `dirs`, later folders overriding earlier ids."""
    by_id: dict[str, GuidanceDoc] = {}
    for folder in dirs:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise InputError(
                "knowledge folder not found",
                file=str(path),
                hint="pass a folder of Markdown guidance documents",
            )
        seen_here: dict[str, Path] = {}
        for file in sorted(path.glob("*.md")):
            doc = read_document(file)
            if doc.id in seen_here:
                raise InputError(
                    f"duplicate document id {doc.id!r} (also in {seen_here[doc.id].name})",
                    file=str(file),
                    hint="give each document its own id",
                )
            seen_here[doc.id] = file
            by_id[doc.id] = doc
    return sorted(by_id.values(), key=lambda d: d.id)


def read_document(path: Path) -> GuidanceDoc:
    """Read one guidance document and validate its front matter."""
    import frontmatter
    import yaml

    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", file=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from exc
    try:
        post = frontmatter.loads(raw)
    except yaml.YAMLError as exc:
        raise InputError(
            f"invalid front matter: {_first_line(exc)}",
            file=str(path),
            hint="front matter is YAML between two '---' lines",
        ) from exc
    except (ValueError, TypeError) as exc:
        raise InputError(f"invalid front matter: {_first_line(exc)}", file=str(path)) from exc
    meta: dict[str, Any] = dict(post.metadata)
    body = post.content

    doc_id = meta.get("id", slugify(path.stem))
    if not isinstance(doc_id, str) or not _DOC_ID.match(doc_id):
        raise InputError(
            f"invalid id {doc_id!r}",
            file=str(path),
            hint="use lowercase letters, digits and '-', e.g. 'outcomes-vs-outputs'",
        )
    title = meta.get("title")
    if title is None:
        title = _first_h1(body) or path.stem.replace("-", " ").capitalize()
    if not isinstance(title, str) or not title.strip():
        raise InputError("title must be text", file=str(path))
    rules = [code.upper() for code in _string_list(meta.get("rules"), "rules", path)]
    _check_codes(rules, "rules", path)
    doc = GuidanceDoc(
        id=doc_id,
        title=title.strip(),
        path=path,
        rules=rules,
        tags=[t.lower() for t in _string_list(meta.get("tags"), "tags", path)],
        applies_to=_string_list(meta.get("applies_to"), "applies_to", path),
        body=body,
    )
    doc.sections = _split_sections(doc)
    if not doc.sections:
        raise InputError("document has no text", file=str(path))
    return doc


def split_document(doc: GuidanceDoc) -> list[Passage]:
    """Split a document at its section headings into passages with stable, unique ids.

    The splitting level is the shallowest heading level below the title (normally `##`);
    a lone leading `#` is the document title, not a section. Deeper headings stay in text.
    """
    return [passage for passage, _ in _split_sections(doc)]


def _split_sections(doc: GuidanceDoc) -> list[tuple[Passage, list[str]]]:
    """`split_document`, with the codes each passage is the primary explanation of."""
    lines = doc.body.splitlines()
    headings = _headings(lines)
    levels = [level for _, level, _ in headings]
    title_line = None
    if headings and headings[0][1] == 1 and levels.count(1) == 1:
        title_line = headings[0][0]
    section_levels = [lvl for i, (_, lvl, _) in enumerate(headings) if i or title_line is None]
    split_level = min(section_levels) if section_levels else None

    sections: list[tuple[str, list[str]]] = [("", [])]
    heading_at = {h[0]: h for h in headings}
    for number, line in enumerate(lines):
        if number == title_line:
            continue
        heading = heading_at.get(number)
        if heading is not None and heading[1] == split_level:
            sections.append((heading[2], []))
        else:
            sections[-1][1].append(line)

    passages: list[tuple[Passage, list[str]]] = []
    used: set[str] = set()
    for name, body_lines in sections:
        section_rules, primary, keywords = _pop_section_notes(body_lines, name, doc)
        text = "\n".join(body_lines).strip()
        if not text:
            continue
        slug = slugify(name) if name else OVERVIEW_SLUG
        unique, n = slug, 2
        while unique in used:
            unique, n = f"{slug}-{n}", n + 1
        used.add(unique)
        passages.append(
            (
                Passage(
                    id=f"{doc.id}#{unique}",
                    doc_id=doc.id,
                    title=doc.title,
                    section=name or "Overview",
                    text=text,
                    rules=list(doc.rules) if section_rules is None else section_rules,
                    tags=list(dict.fromkeys([*doc.tags, *keywords])),
                ),
                primary,
            )
        )
    return passages


def corpus_fingerprint(passages: Sequence[Passage], embedding: str = "") -> str:
    """A content hash of the passages, the splitter version and the embedding name.

    Two corpora with the same fingerprint index to the same vectors, so a persisted index
    whose fingerprint matches needs no rebuild.
    """
    digest = hashlib.sha256()
    digest.update(f"splitter={SPLITTER_VERSION}\nembedding={embedding}\n".encode())
    for passage in sorted(passages, key=lambda p: p.id):
        record = {
            "id": passage.id,
            "title": passage.title,
            "section": passage.section,
            "text": passage.text,
            "rules": passage.rules,
            "tags": passage.tags,
        }
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _pop_section_notes(
    lines: list[str], section: str, doc: GuidanceDoc
) -> tuple[list[str] | None, list[str], list[str]]:
    """Remove a section's leading `<!-- rules: -->` / `<!-- keywords: -->` comment lines.

    Returns (the section's codes, or None when it has no rules comment; the codes marked
    `*`, which this section is the primary explanation of; its keywords). Only comments
    that open the section count, so a comment deeper in the text stays text.
    """
    codes: list[str] | None = None
    primary: list[str] = []
    keywords: list[str] = []
    while True:
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        match = _SECTION_NOTE.match(lines[first]) if first is not None else None
        if first is None or match is None:
            return codes, primary, keywords
        del lines[first]
        value = match.group("value").strip()
        if match.group("kind").lower() == "keywords":
            keywords.extend(k.strip().lower() for k in value.split(",") if k.strip())
            continue
        found = [] if value.lower() in _NO_RULES else re.split(r"[\s,]+", value.upper())
        marked = [code[:-1] for code in found if code.endswith("*")]
        found = [code.rstrip("*") for code in found]
        where = f"the rules comment of section {section or 'Overview'!r}"
        _check_codes(found, where, doc.path)
        codes = list(dict.fromkeys([*(codes or []), *found]))
        primary = list(dict.fromkeys([*primary, *marked]))


def _check_codes(codes: Sequence[str], where: str, path: Path) -> None:
    for code in codes:
        if not _RULE_CODE.match(code):
            raise InputError(
                f"invalid rule code {code!r} in {where}", file=str(path), hint="e.g. KR101"
            )


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line number, level, text) of each Markdown heading outside fenced code blocks."""
    found: list[tuple[int, int, str]] = []
    in_fence = False
    for number, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _HEADING.match(line)
        if match:
            found.append((number, len(match.group(1)), match.group(2).strip()))
    return found


def _first_h1(body: str) -> str | None:
    for _, level, text in _headings(body.splitlines()):
        if level == 1:
            return text
    return None


def _string_list(value: Any, name: str, path: Path) -> list[str]:
    """A front matter list of strings; a comma-separated string is accepted too."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return [str(item).strip() for item in value if str(item).strip()]
    raise InputError(f"{name} must be a list of strings", file=str(path), hint=f"{name}: [a, b]")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
