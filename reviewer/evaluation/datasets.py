"""Loading the eval datasets: `evals/datasets/*.yaml` (or a folder of files per dataset)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError

# The gated splits: the bars apply to these (rules and corpus are tuned on dev only).
SPLITS: tuple[str, ...] = ("dev", "test")
# Written blind after the test split was partly seen; scored and reported, never gated.
HOLDOUT = "holdout"
REPORTED_ONLY_SPLITS: tuple[str, ...] = (HOLDOUT,)
ALL_SPLITS: tuple[str, ...] = (*SPLITS, *REPORTED_ONLY_SPLITS)
# Files that hold exactly one split, apart from the dataset's main file, so that readers of
# `key_results.yaml` (tests, benchmarks, tuning loops) never see the held-out cases.
SPLIT_FILES: dict[str, dict[str, str]] = {"key_results": {"key_results_holdout": HOLDOUT}}
DATASETS: dict[str, str] = {
    "key_results": "key_results",
    "sets": "sets",
    "critique": "critique",
    "retrieval": "retrieval",
}


def default_data_dir() -> Path:
    """The repository's `evals/` folder (next to the `reviewer` package in a checkout)."""
    return Path(__file__).resolve().parents[2] / "evals"


def _read_yaml(path: Path, default_split: str = "dev") -> list[dict[str, Any]]:
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
        case.setdefault("split", default_split)
    return data


def load_dataset(name: str, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """The cases of one dataset: `datasets/<name>.yaml` plus any `datasets/<name>/*.yaml`,
    plus its single-split files (`key_results_holdout.yaml`, see `SPLIT_FILES`).

    A dataset that does not exist yet is empty rather than an error, so a partial checkout
    still scores what it has. A held-out case must live in its own file, and that file
    holds nothing else: a case cannot drift into or out of the holdout by an edited label.
    """
    root = (data_dir or default_data_dir()) / "datasets"
    stem = DATASETS.get(name, name)
    split_files = SPLIT_FILES.get(name, {})
    files: list[tuple[Path, str | None]] = []
    single = root / f"{stem}.yaml"
    if single.is_file():
        files.append((single, None))
    folder = root / stem
    if folder.is_dir():
        files.extend((path, None) for path in sorted(folder.glob("*.yaml")))
    for split_stem, split in split_files.items():
        path = root / f"{split_stem}.yaml"
        if path.is_file():
            files.append((path, split))
    own_file_splits = set(split_files.values())
    cases: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path, only_split in files:
        for case in _read_yaml(path, default_split=only_split or "dev"):
            if case["id"] in seen:
                raise InputError(f"duplicate case id {case['id']!r}", file=str(path))
            if only_split is not None and case["split"] != only_split:
                raise InputError(
                    f"case {case['id']!r} has split {case['split']!r} in the {only_split} file",
                    file=str(path),
                    hint=f"every case in {path.name} is split: {only_split}",
                )
            if only_split is None and case["split"] in own_file_splits:
                raise InputError(
                    f"case {case['id']!r} has split {case['split']!r} outside its own file",
                    file=str(path),
                    hint="held-out cases live only in their own file (see evals/README.md)",
                )
            seen.add(case["id"])
            cases.append(case)
    return cases


def by_split(cases: Sequence[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """The cases of one split ("all" keeps every case, the holdout included)."""
    if split == "all":
        return list(cases)
    return [c for c in cases if c.get("split") == split]
