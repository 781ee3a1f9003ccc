"""Anonymisation as code: coarsen quasi-identifiers, then enforce k-anonymity by suppression."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

__all__ = ["SUPPRESSED", "KAnonymityReport", "bands", "k_anonymise", "smallest_class"]

SUPPRESSED = "suppressed"


@dataclass(frozen=True)
class KAnonymityReport:
    """What enforcing k-anonymity changed: suppressed cells per column, rows removed."""

    k: int
    quasi_identifiers: tuple[str, ...]
    suppressed_cells: dict[str, int]
    dropped_rows: int
    smallest_class: int

    def as_dict(self) -> dict:
        """Plain types: stored in the Parquet metadata, shown as ``Bunch.anonymisation``."""
        out = asdict(self)
        out["quasi_identifiers"] = list(self.quasi_identifiers)
        return out


def bands(values: pd.Series, edges: Sequence[float], labels: Sequence[str]) -> pd.Series:
    """Coarsen a numeric column into ordered categorical bands ``(edges[i], edges[i+1]]``."""
    cut = pd.cut(values, list(edges), labels=list(labels))
    if cut.isna().any() and values.notna().all():
        raise ValueError(f"{values.name}: values outside the band edges {list(edges)}")
    return pd.Series(
        pd.Categorical(cut.astype(str), categories=list(labels), ordered=True),
        index=values.index,
        name=values.name,
    )


def smallest_class(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """Size of the smallest equivalence class over ``quasi_identifiers`` (the k it achieves)."""
    if not quasi_identifiers or df.empty:
        return len(df)
    return int(df.groupby(list(quasi_identifiers), observed=True).size().min())


def _small_rows(df: pd.DataFrame, qis: list[str], k: int) -> np.ndarray:
    sizes = df.groupby(qis, observed=True)[qis[0]].transform("size")
    return (sizes < k).to_numpy()


def _suppressed(values: pd.Series, mask: np.ndarray) -> pd.Series:
    values = values.astype("category")
    if SUPPRESSED not in values.cat.categories:
        values = values.cat.add_categories([SUPPRESSED])
    values[mask] = SUPPRESSED
    return values


def _fill_small_classes(
    out: pd.DataFrame, qis: list[str], suppress: list[str], k: int, cells: dict[str, int]
) -> pd.DataFrame:
    kept = [q for q in qis if q not in suppress]
    sizes = out.groupby(qis, observed=True)[qis[0]].transform("size").to_numpy()
    full = (out[suppress] == SUPPRESSED).all(axis=1).to_numpy()
    for key, rows in out[full & (sizes < k)].groupby(kept, observed=True).groups.items():
        need = k - len(rows)
        same = np.ones(len(out), dtype=bool)
        for col, value in zip(kept, key if isinstance(key, tuple) else (key,), strict=True):
            same &= (out[col] == value).to_numpy()
        donors = out[same & ~full & (sizes >= k + need)]
        if donors.empty:
            continue
        biggest = donors.groupby(qis, observed=True).size().idxmax()
        match = (donors[qis] == pd.Series(biggest, index=qis)).all(axis=1)
        take = np.isin(np.arange(len(out)), donors.index[match][:need])
        for col in suppress:
            out[col] = _suppressed(out[col], take)
            cells[col] += need
    return out


def k_anonymise(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    k: int = 5,
    suppress: Sequence[str] = (),
) -> tuple[pd.DataFrame, KAnonymityReport]:
    """Make ``df`` k-anonymous over ``quasi_identifiers``.

    Rows in an equivalence class smaller than ``k`` first have the columns of ``suppress``
    replaced, one column at a time in the order given, by the category ``"suppressed"``
    (local suppression of the rarest cells). A fully suppressed class still below ``k`` is
    topped up with rows suppressed from the largest class it can spare them from; rows still
    in a class below ``k`` are removed.
    """
    qis = list(quasi_identifiers)
    out = df.copy()
    cells = dict.fromkeys(suppress, 0)
    # Suppressing a cell moves its row out of its class, which can leave that class below k:
    # repeat each step until it changes nothing, then suppress every listed column at once.
    for step in [[col] for col in suppress] + [list(suppress)]:
        while True:
            small = _small_rows(out, qis, k)
            changed = False
            for col in step:
                hit = small & (out[col] != SUPPRESSED).to_numpy()
                if hit.any():
                    out[col] = _suppressed(out[col], hit)
                    cells[col] += int(hit.sum())
                    changed = True
            if not changed:
                break
    if suppress:
        out = _fill_small_classes(out, qis, list(suppress), k, cells)
    small = _small_rows(out, qis, k)
    out = out[~small].reset_index(drop=True)
    report = KAnonymityReport(
        k=k,
        quasi_identifiers=tuple(qis),
        suppressed_cells={col: n for col, n in cells.items() if n},
        dropped_rows=int(small.sum()),
        smallest_class=smallest_class(out, qis),
    )
    return out, report
