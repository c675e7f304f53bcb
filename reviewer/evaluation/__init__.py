"""Evaluation: labeled datasets in, pure scores out, a runner that prints and compares.

`scorers` holds the pure functions (`(cases, results) -> score`), `bars` the quality floor
the issues set, `datasets` the loaders for `evals/datasets/*.yaml`, and `runner` the
`okr-review eval` command. Importing this package is cheap: nothing heavy loads until the
runner reviews something.
"""

from __future__ import annotations

from .scorers import (
    KINDS,
    CodeScore,
    KeyResultPrediction,
    confusion_matrix,
    kind_accuracy,
    mean_reciprocal_rank,
    precision_recall_f1,
    recall_at_k,
)

__all__ = [
    "KINDS",
    "CodeScore",
    "KeyResultPrediction",
    "confusion_matrix",
    "kind_accuracy",
    "mean_reciprocal_rank",
    "precision_recall_f1",
    "recall_at_k",
]
