"""Loading the eval datasets: `evals/datasets/*.yaml` (or a folder of files per dataset)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError

SPLITS: tuple[str, ...] = ("dev", "test")
DATASETS: dict[str, str] = {
    "key_results": "key_results",
    "sets": "sets",
    "critique": "critique",
    "retrieval": "retrieval",
}


def default_data_dir() -> Path:
    """The repository's `evals/` folder (next to the `reviewer` package in a checkout)."""
    return Path(__file__).resolve().parents[2] / "evals"


def _read_yaml(path: Path) -> list[dict[str, Any]]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read eval dataset: {exc}", file=str(path)) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=str(path)) from exc
    if isinstance(data, dict):
        data = data.get("cases")
    if not isinstance(data, list) or not all(isinstance(c, dict) for c in data):
        raise InputError(
            "expected a list of cases (or a mapping with `cases:`)",
            file=str(path),
            hint="see evals/README.md for the case fields",
        )
    for case in data:
        if "id" not in case:
            raise InputError("a case has no `id`", file=str(path))
        case.setdefault("split", "dev")
    return data


def load_dataset(name: str, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """The cases of one dataset: `datasets/<name>.yaml` plus any `datasets/<name>/*.yaml`.

    A dataset that does not exist yet is empty rather than an error, so a partial checkout
    still scores what it has.
    """
    root = (data_dir or default_data_dir()) / "datasets"
    stem = DATASETS.get(name, name)
    files: list[Path] = []
    single = root / f"{stem}.yaml"
    if single.is_file():
        files.append(single)
    folder = root / stem
    if folder.is_dir():
        files.extend(sorted(folder.glob("*.yaml")))
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in files:
        for case in _read_yaml(path):
            if case["id"] in seen:
                raise InputError(f"duplicate case id {case['id']!r}", file=str(path))
            seen.add(case["id"])
            cases.append(case)
    return cases


def by_split(cases: Sequence[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The cases of one split ("all" keeps every case)."""
    if split == "all":
        return list(cases)
    return [c for c in cases if c.get("split") == split]
