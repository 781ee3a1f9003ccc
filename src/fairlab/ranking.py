"""Fairness beyond classification: exposure in rankings, a fair re-ranker, concentration of
exposure (Gini), and selection rates through a pipeline of decision stages."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "exposure_by_group",
    "fair_rerank",
    "gini",
    "pipeline_rates",
    "position_exposure",
]


def position_exposure(ranks: object) -> np.ndarray:
    """Exposure of a 1-based rank: 1 / log2(1 + rank) (the DCG discount)."""
    r = np.asarray(ranks, dtype=float)
    if np.any(r < 1):
        raise ValueError("ranks are 1-based: the top of a list is rank 1")
    return 1.0 / np.log2(1.0 + r)


def exposure_by_group(ranks: object, groups: object) -> pd.Series:
    """Share of the total position exposure that each group's impressions receive."""
    weight = pd.Series(position_exposure(ranks))
    shares = weight.groupby(np.asarray(groups)).sum() / weight.sum()
    shares.index.name = None
    return shares


def fair_rerank(scores: object, protected: object, k: int, min_share: object,
                tolerance: float = 0.0) -> np.ndarray:
    """Top-``k`` column indices per row, swapping in the best protected candidates until the
    protected share of the list's exposure reaches ``min_share`` − ``tolerance`` (order by score)."""
    s = np.asarray(scores, dtype=float)
    p = np.asarray(protected, dtype=bool)
    if s.ndim != 2 or s.shape != p.shape:
        raise ValueError("scores and protected must be 2-D arrays of the same shape")
    if not 1 <= k <= s.shape[1]:
        raise ValueError("k must be between 1 and the number of candidates")
    target = np.broadcast_to(np.asarray(min_share, dtype=float), (s.shape[0],))
    weight = position_exposure(np.arange(1, k + 1))
    out = np.empty((s.shape[0], k), dtype=int)
    for row in range(s.shape[0]):
        order = np.argsort(-s[row], kind="stable")
        chosen = list(order[:k])
        outside = [j for j in order[k:] if p[row, j]]  # protected candidates not shown, best first
        while True:
            chosen.sort(key=lambda j, row=row: -s[row, j])
            share = float(weight[p[row, chosen]].sum() / weight.sum())
            unprotected = [j for j in chosen if not p[row, j]]
            if share >= target[row] - tolerance or not outside or not unprotected:
                break
            chosen.remove(unprotected[-1])  # the lowest-scored unprotected item leaves
            chosen.append(outside.pop(0))
        out[row] = chosen
    return out


def gini(values: object) -> float:
    """Gini coefficient of non-negative values (0 = all equal, → 1 = all on one)."""
    x = np.sort(np.asarray(values, dtype=float).ravel())
    if x.size == 0 or np.any(x < 0):
        raise ValueError("gini needs at least one value, none negative")
    total = x.sum()
    if total == 0:
        return 0.0
    n = x.size
    return float(np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / (n * total))


def pipeline_rates(stages: Sequence[object], groups: object,
                   names: Sequence[str] | None = None) -> pd.DataFrame:
    """Pass rate of each group at each stage among those who reached it, and end to end.

    ``stages`` holds one boolean array per stage over all candidates (True = passed that stage);
    a candidate reaches stage *i* only by passing every earlier stage.
    """
    g = np.asarray(groups)
    names = list(names) if names is not None else [f"stage {i + 1}" for i in range(len(stages))]
    if len(names) != len(stages):
        raise ValueError("one name per stage")
    reached = np.ones(len(g), dtype=bool)
    rows = {}
    for name, stage in zip(names, stages, strict=True):
        passed = np.asarray(stage, dtype=bool)
        rows[name] = pd.Series(passed[reached]).groupby(g[reached]).mean()
        reached = reached & passed
    rows["end to end"] = pd.Series(reached).groupby(g).mean()
    table = pd.DataFrame(rows).T
    table.columns.name = None
    return table
