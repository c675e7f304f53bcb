"""YAML OKR files: `team`, `period`, `objectives: [{objective, key_results: [...]}]`.

A key result is a string or a mapping with `text` and the optional `owner`, `baseline`,
`target`, `deadline`, `measured_by` and `ignore: [{code, reason}]`. Objectives and the
file itself may carry `ignore` too.

Loading is safe by construction: only the safe loader's types, nesting depth checked on
the event stream before anything is built (the composer recurses), and aliases counted
and their expansion measured on the node graph before any Python object exists, so an
alias bomb costs a few microseconds and a clear error instead of the machine's memory.
Line numbers come from the nodes, so every key result and objective keeps its line.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import InputError
from ..models import KeyResult, Objective, OKRSet, SourceLocation, Suppression
from .suppressions import clean_reason, normalise_code

MAX_DEPTH = 32  # an OKR file needs about 6 levels
MAX_ALIASES = 200
MAX_EXPANDED_NODES = 100_000  # nodes once every alias is expanded

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "null", "bool", "int", "float", "timestamp", "seq", "map", "merge")
}
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_TAG_NAMES = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "nothing",
    "tag:yaml.org,2002:timestamp": "a date",
    "tag:yaml.org,2002:str": "text",
}
# Keys a team may keep for its own use; everything else unknown is probably a typo.
_IGNORED_KEYS = {"id", "description", "notes", "note", "comment", "comments", "status", "links"}
_TOP_KEYS = {"team", "period", "objectives", "ignore"}
_OBJECTIVE_KEYS = {"objective", "text", "key_results", "ignore", "owner"}
_KR_FIELDS = ("owner", "baseline", "target", "deadline", "measured_by")
_KR_KEYS = {"text", "ignore", *_KR_FIELDS}
_KEY_ALIASES = {"krs": "key_results", "key_result": "key_results", "source": "measured_by"}
HINT_SHAPE = "expected team, period and objectives: [{objective: ..., key_results: [...]}]"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _TAG_NAMES.get(node.tag, f"a value tagged {node.tag}")


# -- safe composition ---------------------------------------------------------------------
def _check_events(text: str, file: str, first_line: int) -> None:
    """Depth and alias count from the event stream, which the parser produces iteratively."""
    try:
        _check_event_stream(text, file, first_line)
    except yaml.MarkedYAMLError as exc:
        # The libyaml in recent PyYAML wheels (6.0.4 here) stops at 1,000 levels of flow
        # nesting while scanning ahead, before the depth check below sees those events:
        # the same input gets the same message whichever PyYAML is installed.
        if "maximum nesting depth" not in str(exc.problem):
            raise
        mark = exc.problem_mark or exc.context_mark
        raise InputError(
            f"YAML is nested more than {MAX_DEPTH} levels deep",
            file=file,
            line=(mark.line if mark else 0) + first_line,
            hint="an OKR file needs only a few levels; check the indentation",
        ) from None


def _check_event_stream(text: str, file: str, first_line: int) -> None:
    depth = aliases = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(
                    f"YAML is nested more than {MAX_DEPTH} levels deep",
                    file=file,
                    line=event.start_mark.line + first_line,
                    hint="an OKR file needs only a few levels; check the indentation",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise InputError(
                    f"YAML uses more than {MAX_ALIASES} aliases",
                    file=file,
                    line=event.start_mark.line + first_line,
                    hint="write the values out instead of using &anchors and *aliases",
                )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node, file: str, first_line: int) -> None:
    """Size of the document with aliases expanded, memoised per node; cycles rejected."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]

    def fail(node: yaml.Node, message: str) -> InputError:
        return InputError(
            message,
            file=file,
            line=node.start_mark.line + first_line,
            hint="write the values out instead of using &anchors and *aliases",
        )

    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > MAX_EXPANDED_NODES:
                raise fail(node, f"YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        on_path.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in on_path:
                raise fail(child, "YAML alias refers to itself")
            if id(child) not in sizes:
                stack.append((child, False))


def compose_safely(text: str, file: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """The loader and root node of one YAML document, after the safety checks."""
    try:
        _check_events(text, file, first_line)
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "cannot parse"
        problem = " ".join(problem.split())  # one line, whatever the parser wrote
        raise InputError(
            f"invalid YAML: {problem}",
            file=file,
            line=mark.line + first_line if mark else None,
            hint="check the indentation and quote text containing ': ' or '#'",
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + first_line
        raise InputError(
            f"invalid YAML: character U+{exc.character:04X} is not allowed",
            file=file,
            line=line,
            hint="remove the character or quote the text",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {' '.join(str(exc).split())}", file=file) from None
    if root is not None:
        _check_expansion(root, file, first_line)
    return loader, root


# -- reading nodes ------------------------------------------------------------------------
class _NodeReader:
    """Turns the checked node graph into the data model, with lines and clear errors."""

    def __init__(self, loader: Any, file: str, first_line: int) -> None:
        self.loader = loader
        self.file = file
        self.offset = first_line - 1

    def line(self, node: yaml.Node) -> int:
        return _line(node) + self.offset

    def error(self, node: yaml.Node, message: str, hint: str | None = None) -> InputError:
        return InputError(message, file=self.file, line=self.line(node), hint=hint)

    def mapping(self, node: yaml.Node, allowed: set[str], what: str) -> dict[str, yaml.Node]:
        """A mapping's values by normalised key; unknown keys are errors, `x-` keys skipped."""
        self.check_tag(node)
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping, not {_describe(node)}", HINT_SHAPE)
        self.loader.flatten_mapping(node)  # resolves `<<: *defaults` merge keys
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, f"{what} has a key that is not text")
            raw_key = str(key_node.value).strip()
            key = raw_key.lower().replace("-", "_").replace(" ", "_")
            key = _KEY_ALIASES.get(key, key)
            if key.startswith("x_") or key in _IGNORED_KEYS:
                continue
            if key not in allowed:
                raise self.error(
                    key_node,
                    f"unknown key {raw_key!r} in {what}",
                    "expected one of "
                    + ", ".join(sorted(allowed))
                    + " (prefix your own keys with x-)",
                )
            if key in found:
                raise self.error(key_node, f"duplicate key {raw_key!r} in {what}")
            found[key] = value_node
        return found

    def check_tag(self, node: yaml.Node) -> None:
        """Only YAML's standard types: a `!!python/...` or custom tag is refused, not built."""
        if node.tag not in _STANDARD_TAGS:
            raise self.error(
                node, f"unsupported YAML tag {node.tag}", "OKR files need only plain text and lists"
            )

    def text(self, node: yaml.Node | None, what: str, *, required: bool = False) -> str | None:
        """A scalar as written (numbers and dates keep their spelling); None for null."""
        if node is None:
            return None
        self.check_tag(node)
        if isinstance(node, yaml.ScalarNode) and node.tag != _NULL:
            value = str(node.value).strip()
            return value or None
        if isinstance(node, yaml.ScalarNode) and not required:
            return None
        raise self.error(node, f"{what} must be text, not {_describe(node)}")

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return []
        self.check_tag(node)
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list, not {_describe(node)}", HINT_SHAPE)
        return list(node.value)

    def suppressions(self, node: yaml.Node | None, what: str) -> list[Suppression]:
        """`ignore:` as a list of `{code, reason}` mappings or bare codes (or one code)."""
        if node is None:
            return []
        entries = [node] if isinstance(node, yaml.ScalarNode) and node.tag != _NULL else None
        result: list[Suppression] = []
        for entry in entries or self.sequence(node, f"ignore in {what}"):
            location = SourceLocation(file=self.file, line=self.line(entry))
            if isinstance(entry, yaml.ScalarNode):
                code, reason = self.text(entry, "a rule code", required=True), None
            else:
                fields = self.mapping(entry, {"code", "reason"}, "an ignore entry")
                if "code" not in fields:
                    raise self.error(
                        entry, "ignore entry has no code", "write {code: KR201, reason: ...}"
                    )
                code = self.text(fields["code"], "a rule code", required=True)
                reason = clean_reason(self.text(fields.get("reason"), "a reason"))
            result.append(
                Suppression(
                    code=normalise_code(code or "", file=self.file, line=location.line),
                    reason=reason,
                    location=location,
                )
            )
        return result

    def key_result(self, node: yaml.Node) -> KeyResult:
        location = SourceLocation(file=self.file, line=self.line(node))
        self.check_tag(node)
        if isinstance(node, yaml.SequenceNode):
            raise self.error(
                node, "key result must be text, not a list", "write one key result per item"
            )
        if isinstance(node, yaml.ScalarNode):
            if node.tag != _STR:
                raise self.error(
                    node,
                    f"key result must be text, not {_describe(node)}",
                    "write the key result as a sentence; quote it if it starts with a number",
                )
            text = str(node.value).strip()
            if not text:
                raise self.error(
                    node, "key result is empty", "write the key result or remove the item"
                )
            return KeyResult(text=text, location=location)
        fields = self.mapping(node, _KR_KEYS, "a key result")
        if "text" not in fields:
            raise self.error(node, "key result has no text", "write {text: ..., baseline: ...}")
        text_node = fields["text"]
        if not isinstance(text_node, yaml.ScalarNode) or text_node.tag != _STR:
            raise self.error(text_node, f"key result must be text, not {_describe(text_node)}")
        text = str(text_node.value).strip()
        if not text:
            raise self.error(
                text_node, "key result is empty", "write the key result or remove the item"
            )
        values = {name: self.text(fields.get(name), name) for name in _KR_FIELDS}
        return KeyResult(
            text=text,
            location=location,
            suppressions=self.suppressions(fields.get("ignore"), "a key result"),
            **values,
        )

    def objective(self, node: yaml.Node) -> Objective:
        location = SourceLocation(file=self.file, line=self.line(node))
        if isinstance(node, yaml.ScalarNode):  # an objective with no key results yet
            text = self.text(node, "objective", required=True)
            if not text:
                raise self.error(node, "objective text is empty")
            return Objective(text=text, location=location)
        fields = self.mapping(node, _OBJECTIVE_KEYS, "an objective")
        text_node = fields.get("objective", fields.get("text"))
        if text_node is None:
            raise self.error(node, "objective has no `objective:` text", HINT_SHAPE)
        text = self.text(text_node, "objective", required=True)
        if not text:
            raise self.error(text_node, "objective text is empty")
        return Objective(
            text=text,
            location=location,
            key_results=[
                self.key_result(item)
                for item in self.sequence(fields.get("key_results"), "key_results")
            ],
            suppressions=self.suppressions(fields.get("ignore"), "an objective"),
        )


def read_front_matter(text: str, file: str, first_line: int) -> dict[str, Any]:
    """Team, period and set suppressions from a Markdown file's YAML front matter."""
    loader, root = compose_safely(text, file, first_line)
    if root is None:
        return {}
    reader = _NodeReader(loader, file, first_line)
    if not isinstance(root, yaml.MappingNode):
        raise reader.error(root, "front matter must be a mapping such as `team: Platform`")
    fields = reader.mapping(
        root, {"team", "period", "ignore", "title", "owner"}, "the front matter"
    )
    return {
        "team": reader.text(fields.get("team"), "team"),
        "period": reader.text(fields.get("period"), "period"),
        "suppressions": reader.suppressions(fields.get("ignore"), "the front matter"),
    }


def read_yaml(text: str, file: str) -> OKRSet:
    """Read a YAML OKR file into an OKRSet."""
    loader, root = compose_safely(text, file)
    if root is None:
        raise InputError("file has no YAML content", file=file, hint=HINT_SHAPE)
    reader = _NodeReader(loader, file, 1)
    if isinstance(root, yaml.SequenceNode):  # a bare list of objectives
        fields: dict[str, yaml.Node] = {"objectives": root}
    elif isinstance(root, yaml.MappingNode):
        fields = reader.mapping(root, _TOP_KEYS, "the file")
    else:
        raise reader.error(root, f"the file must be a mapping, not {_describe(root)}", HINT_SHAPE)
    if "objectives" not in fields:
        raise reader.error(root, "no `objectives:` list", HINT_SHAPE)
    objectives = [
        reader.objective(item) for item in reader.sequence(fields["objectives"], "objectives")
    ]
    if not objectives:
        raise reader.error(fields["objectives"], "the objectives list is empty", HINT_SHAPE)
    return OKRSet(
        team=reader.text(fields.get("team"), "team"),
        period=reader.text(fields.get("period"), "period"),
        objectives=objectives,
        source_file=file,
        suppressions=reader.suppressions(fields.get("ignore"), "the file"),
    )
