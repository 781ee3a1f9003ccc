"""Fairness in production: windowed and streaming group rates, control charts, drift, proxies, reports."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy import stats

from ._arrays import as_array as _array

__all__ = [
    "GroupCounter",
    "cusum",
    "detectable_gap",
    "frechet_gap_bounds",
    "gap_control_limits",
    "membership_probabilities",
    "plot_control_chart",
    "psi",
    "required_window_days",
    "stream_window_rates",
    "suppress_small_cells",
    "trailing_rates",
    "weighted_gap",
    "window_counts",
    "window_rates",
]


def _windows(times: object, freq: str) -> pd.Series:
    """Start of the calendar window (a pandas period alias: "M", "W", "Q", "D") of each time."""
    return pd.Series(pd.to_datetime(_array(times))).dt.to_period(freq).dt.start_time


def window_counts(times: object, groups: object, outcomes: object, freq: str = "M") -> pd.DataFrame:
    """Decisions ``n``, favourable outcomes ``positive`` and their ``rate`` per (window, group)."""
    frame = pd.DataFrame({"window": _windows(times, freq).to_numpy(), "group": _array(groups),
                          "outcome": _array(outcomes).astype(float)})
    out = frame.groupby(["window", "group"], observed=True)["outcome"].agg(n="count", positive="sum")
    out["positive"] = out["positive"].astype(int)
    out["rate"] = out["positive"] / out["n"]
    return out


def window_rates(times: object, groups: object, outcomes: object, freq: str = "M") -> pd.DataFrame:
    """Favourable-outcome rate of each group (columns) in each calendar window (rows)."""
    rates = window_counts(times, groups, outcomes, freq)["rate"].unstack("group")
    rates.columns.name = None
    return rates.sort_index(axis=1, key=lambda c: c.map(str))


@dataclass
class GroupCounter:
    """Streaming accumulator: decisions and favourable outcomes per group, updated one at a time."""

    n: dict[Hashable, int] = field(default_factory=dict)
    positive: dict[Hashable, int] = field(default_factory=dict)

    def add(self, group: Hashable, outcome: int) -> None:
        """Count one decision of ``group`` (``outcome`` 1 = favourable)."""
        self.n[group] = self.n.get(group, 0) + 1
        self.positive[group] = self.positive.get(group, 0) + int(outcome)

    def add_batch(self, groups: object, outcomes: object) -> None:
        """Count a mini-batch of decisions at once (same result as adding them one by one)."""
        labels, inverse = np.unique(_array(groups), return_inverse=True)
        counts = np.bincount(inverse, minlength=len(labels))
        positives = np.bincount(inverse, weights=_array(outcomes).astype(int), minlength=len(labels))
        for label, n, positive in zip(labels.tolist(), counts, positives, strict=True):
            self.n[label] = self.n.get(label, 0) + int(n)
            self.positive[label] = self.positive.get(label, 0) + int(positive)

    def merge(self, other: GroupCounter) -> GroupCounter:
        """A new counter holding the counts of both (e.g. two shards of the same window)."""
        out = GroupCounter(dict(self.n), dict(self.positive))
        for group, n in other.n.items():
            out.n[group] = out.n.get(group, 0) + n
            out.positive[group] = out.positive.get(group, 0) + other.positive[group]
        return out

    def rates(self) -> dict[Hashable, float]:
        """Favourable-outcome rate of each group counted so far."""
        return {group: self.positive[group] / n for group, n in self.n.items()}

    def reset(self) -> None:
        """Forget every count (start a new window)."""
        self.n.clear()
        self.positive.clear()


def trailing_rates(times: object, groups: object, outcomes: object, days: int) -> pd.DataFrame:
    """Rate of each group over the trailing ``days`` calendar days, recomputed every day (rolling window)."""
    frame = pd.DataFrame({"day": pd.to_datetime(_array(times)).normalize(), "group": _array(groups),
                          "outcome": _array(outcomes).astype(float)})
    daily = frame.groupby(["day", "group"], observed=True)["outcome"].agg(["count", "sum"]).unstack("group")
    calendar = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
    daily = daily.reindex(calendar, fill_value=0).fillna(0)
    rolled = daily.rolling(days, min_periods=days).sum()
    rates = rolled["sum"] / rolled["count"]
    rates.columns.name = None
    return rates.dropna(how="all").sort_index(axis=1, key=lambda c: c.map(str))


def stream_window_rates(times: object, groups: object, outcomes: object, freq: str = "M") -> pd.DataFrame:
    """:func:`window_rates` computed as a stream: one decision at a time, in time order, one window kept."""
    windows = _windows(times, freq).to_numpy()
    if len(windows) > 1 and np.any(windows[1:] < windows[:-1]):
        raise ValueError("a stream must arrive in time order")
    counter, rows, current = GroupCounter(), {}, None
    for window, group, outcome in zip(windows, _array(groups), _array(outcomes), strict=True):
        if current is not None and window != current:
            rows[current] = counter.rates()
            counter.reset()
        current = window
        counter.add(group, outcome)
    if current is not None:
        rows[current] = counter.rates()
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index = pd.DatetimeIndex(out.index, name="window")
    return out.sort_index(axis=1, key=lambda c: c.map(str))


def gap_control_limits(n_a: object, n_b: object, p_a: float, p_b: float, *,
                       sigmas: float = 3.0) -> pd.DataFrame:
    """Shewhart limits for the rate gap a − b per window, from baseline rates and each window's sizes."""
    n_a = pd.Series(n_a, dtype=float)
    n_b = pd.Series(_array(n_b), index=n_a.index, dtype=float)
    sigma = np.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    center = pd.Series(p_a - p_b, index=n_a.index)
    return pd.DataFrame({"center": center, "sigma": sigma, "lcl": center - sigmas * sigma,
                         "ucl": center + sigmas * sigma})


def cusum(z: object, *, k: float = 0.5, h: float = 4.0) -> tuple[pd.Series, Hashable | None]:
    """Upper one-sided CUSUM of standardised values ``z``: the statistic and the first label above ``h``."""
    z = pd.Series(z, dtype=float)
    values, s = [], 0.0
    for value in z.to_numpy():
        s = max(0.0, s + value - k)
        values.append(s)
    statistic = pd.Series(values, index=z.index, name="cusum")
    above = statistic[statistic > h]
    return statistic, (above.index[0] if len(above) else None)


def psi(reference: object, current: object, *, bins: int = 10, eps: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``, on the reference's quantile bins."""
    reference, current = _array(reference).astype(float), _array(current).astype(float)
    inner = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))
    expected = np.bincount(np.searchsorted(inner, reference, side="right"), minlength=len(inner) + 1)
    actual = np.bincount(np.searchsorted(inner, current, side="right"), minlength=len(inner) + 1)
    e = np.maximum(expected / expected.sum(), eps)
    a = np.maximum(actual / actual.sum(), eps)
    return float(np.sum((a - e) * np.log(a / e)))


def membership_probabilities(proxy: object, groups: object) -> pd.DataFrame:
    """P(group | proxy) from a reference table with both columns: one row per proxy value."""
    table = pd.crosstab(pd.Series(_array(proxy), name="proxy"), pd.Series(_array(groups), name="group"),
                        normalize="index")
    table.columns.name = None
    return table


def weighted_gap(outcomes: object, p_group: object) -> float:
    """Rate of the rest minus rate of the group, each decision weighted by its membership probability."""
    y, p = _array(outcomes).astype(float), _array(p_group).astype(float)
    return float(np.sum((1 - p) * y) / np.sum(1 - p) - np.sum(p * y) / np.sum(p))


def frechet_gap_bounds(proxy: object, outcomes: object, p_group: object) -> tuple[float, float]:
    """Worst-case (partial-identification) bounds on the gap of :func:`weighted_gap` when the only link
    between group and outcome is that both are known per proxy cell."""
    frame = pd.DataFrame({"proxy": _array(proxy), "y": _array(outcomes).astype(float),
                          "p": _array(p_group).astype(float)})
    cells = frame.groupby("proxy", observed=True).agg(n=("y", "size"), rate=("y", "mean"), p=("p", "mean"))
    n_group, n_rest = float((cells.n * cells.p).sum()), float((cells.n * (1 - cells.p)).sum())
    positives = float((cells.n * cells.rate).sum())

    def gap(joint: pd.Series) -> float:
        in_group = float((cells.n * joint).sum())  # favourable outcomes inside the group
        return (positives - in_group) / n_rest - in_group / n_group

    # The gap falls as more of each cell's favourable outcomes are placed in the group.
    low = gap(np.minimum(cells.rate, cells.p))
    high = gap(np.maximum(0.0, cells.rate + cells.p - 1))
    return float(low), float(high)


def suppress_small_cells(counts: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """Cells to hide in a table published with its row and column totals: every cell with fewer than
    ``k`` decisions (primary), then, while a row or column has exactly one hidden cell, also its
    smallest visible cell (complementary), so no hidden cell is the difference of a total and the rest.
    """
    n = counts.to_numpy(dtype=float)
    hidden = n < k
    changed = True
    while changed:
        changed = False
        for axis in (1, 0):
            lines = hidden if axis == 1 else hidden.T
            values = n if axis == 1 else n.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1 and (~lines[i]).any():
                    j = int(np.argmin(np.where(lines[i], np.inf, values[i])))
                    lines[i, j] = True
                    changed = True
    return pd.DataFrame(hidden, index=counts.index, columns=counts.columns)


def _z_sum(alpha: float, power: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))


def required_window_days(gap: float, daily_volume: float, share: float, p_group: float, p_rest: float, *,
                         alpha: float = 0.05, power: float = 0.8) -> int:
    """Days of decisions needed to detect a rate ``gap`` between a group (``share`` of the volume) and
    the rest with a two-sided two-proportion z-test of level ``alpha`` and the given ``power``."""
    per_day = p_group * (1 - p_group) / share + p_rest * (1 - p_rest) / (1 - share)
    return math.ceil(_z_sum(alpha, power) ** 2 * per_day / (gap ** 2 * daily_volume))


def detectable_gap(days: object, daily_volume: float, share: float, p_group: float, p_rest: float, *,
                   alpha: float = 0.05, power: float = 0.8) -> np.ndarray:
    """Smallest rate gap a window of ``days`` detects (inverse of :func:`required_window_days`)."""
    per_day = p_group * (1 - p_group) / share + p_rest * (1 - p_rest) / (1 - share)
    days = np.asarray(days, dtype=float)
    return _z_sum(alpha, power) * np.sqrt(per_day / (days * daily_volume))


def plot_control_chart(values: pd.Series, limits: pd.DataFrame, *, title: str, ylabel: str,
                       events: dict[str, object] | None = None, ax: plt.Axes | None = None,
                       percent: bool = True) -> plt.Axes:
    """A monitored statistic with its center line and control limits; points outside are marked."""
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 4.5))
    scale = 100 if percent else 1
    x = pd.DatetimeIndex(values.index)
    limits = limits.reindex(values.index)
    ax.plot(x, scale * values.to_numpy(), marker="o", color="#0072B2", label="observed", zorder=3)
    ax.plot(x, scale * limits["center"].to_numpy(), color="#555555", linewidth=1.2, label="center (baseline)")
    ax.step(x, scale * limits["ucl"].to_numpy(), where="mid", color="#D55E00", linestyle="--",
            label="control limits")
    ax.step(x, scale * limits["lcl"].to_numpy(), where="mid", color="#D55E00", linestyle="--")
    out = (values > limits["ucl"]) | (values < limits["lcl"])
    if out.any():
        ax.scatter(x[out.to_numpy()], scale * values[out].to_numpy(), s=120, facecolors="none",
                   edgecolors="#D55E00", linewidths=2, label="outside the limits", zorder=4)
    for label, when in (events or {}).items():
        ax.axvline(pd.Timestamp(when), color="#009E73", linestyle=":", linewidth=2, label=label)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("Month")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=10)
    return ax
