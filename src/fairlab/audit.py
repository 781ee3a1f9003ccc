"""Audit helpers for a trained classifier: uncertainty, disaggregation, explanations, proxies."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.feature_selection import mutual_info_classif

from ._arrays import as_array as _array

__all__ = [
    "DISPARITY_METRICS",
    "VERDICTS",
    "Interval",
    "SmallGroupWarning",
    "bootstrap_ci",
    "bootstrap_replicates",
    "confusion_by_group",
    "disparity_table",
    "intersectional_table",
    "mean_abs_shap",
    "overall_verdict",
    "permutation_test",
    "proxy_ranking",
    "rate_difference",
    "shap_by_group",
    "two_proportion_ztest",
    "verdict",
    "verdict_table",
]

#: The three outcomes of an audit check, from :func:`verdict`.
VERDICTS: tuple[str, ...] = ("pass", "inconclusive", "fail")

#: The metrics :func:`disparity_table` knows, each unprivileged vs privileged group.
DISPARITY_METRICS: tuple[str, ...] = (
    "parity difference", "disparate impact", "TPR difference", "FPR difference",
)


class SmallGroupWarning(UserWarning):
    """A group is too small for its metrics to be reported without a caveat."""


@dataclass(frozen=True)
class Interval:
    """A point estimate with a confidence interval ``[low, high]``."""

    estimate: float
    low: float
    high: float

    @property
    def width(self) -> float:
        """Length of the interval."""
        return self.high - self.low

    def excludes(self, value: float = 0.0) -> bool:
        """True when ``value`` lies outside the interval."""
        return not (self.low <= value <= self.high)


def rate_difference(values: object, groups: object, unprivileged: object, privileged: object) -> float:
    """Mean of ``values`` in the unprivileged group minus the privileged group (signed)."""
    values, groups = _array(values).astype(float), _array(groups)
    return float(values[groups == unprivileged].mean() - values[groups == privileged].mean())


def bootstrap_replicates(
    statistic: Callable[..., float], *arrays: object, n_boot: int = 1000, seed: int = 0
) -> np.ndarray:
    """``statistic`` on ``n_boot`` resamples of the rows (with replacement) of ``arrays``."""
    data = [_array(a) for a in arrays]
    n = len(data[0])
    if any(len(a) != n for a in data):
        raise ValueError("all arrays must have the same number of rows")
    rng = np.random.default_rng(seed)
    out = np.empty(n_boot)
    for b in range(n_boot):
        idx = rng.integers(0, n, size=n)
        out[b] = statistic(*(a[idx] for a in data))
    return out


def bootstrap_ci(
    statistic: Callable[..., float],
    *arrays: object,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> Interval:
    """Percentile bootstrap confidence interval of ``statistic(*arrays)``."""
    replicates = bootstrap_replicates(statistic, *arrays, n_boot=n_boot, seed=seed)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail])
    return Interval(float(statistic(*(_array(a) for a in arrays))), float(low), float(high))


def two_proportion_ztest(
    successes_a: int, n_a: int, successes_b: int, n_b: int
) -> tuple[float, float]:
    """Pooled two-proportion z-test of ``a`` vs ``b``: ``(z, two-sided p-value)``."""
    p_a, p_b = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    z = (p_a - p_b) / se
    return float(z), float(2 * stats.norm.sf(abs(z)))


def permutation_test(
    values: object,
    groups: object,
    unprivileged: object,
    privileged: object,
    *,
    n_perm: int = 2000,
    seed: int = 0,
) -> float:
    """Two-sided permutation p-value of :func:`rate_difference` (group labels shuffled)."""
    values, groups = _array(values).astype(float), _array(groups)
    keep = (groups == unprivileged) | (groups == privileged)
    values, is_unpriv = values[keep], groups[keep] == unprivileged
    observed = values[is_unpriv].mean() - values[~is_unpriv].mean()
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(n_perm):
        perm = rng.permutation(is_unpriv)
        if abs(values[perm].mean() - values[~perm].mean()) >= abs(observed) - 1e-12:
            hits += 1
    return (hits + 1) / (n_perm + 1)


def confusion_by_group(y_true: object, y_pred: object, groups: object) -> pd.DataFrame:
    """Confusion-matrix counts and error rates computed separately within each group."""
    frame = pd.DataFrame({"y": _array(y_true).astype(int), "p": _array(y_pred).astype(int),
                          "g": _array(groups)})
    rows = {}
    for group, part in frame.groupby("g", sort=True, observed=True):
        y, p = part["y"], part["p"]
        tp, fp = int(((y == 1) & (p == 1)).sum()), int(((y == 0) & (p == 1)).sum())
        fn, tn = int(((y == 1) & (p == 0)).sum()), int(((y == 0) & (p == 0)).sum())
        rows[group] = {
            "n": len(part), "tn": tn, "fp": fp, "fn": fn, "tp": tp,
            "selection_rate": (tp + fp) / len(part),
            "tpr": tp / (tp + fn) if tp + fn else np.nan,
            "fpr": fp / (fp + tn) if fp + tn else np.nan,
            "fnr": fn / (tp + fn) if tp + fn else np.nan,
            "precision": tp / (tp + fp) if tp + fp else np.nan,
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    return table


def intersectional_table(
    y_true: object, y_pred: object, attributes: pd.DataFrame, *, min_count: int = 100
) -> pd.DataFrame:
    """Per-intersection counts and rates, flagging (and warning about) groups below ``min_count``."""
    frame = attributes.reset_index(drop=True).copy()
    frame["_y"], frame["_p"] = _array(y_true).astype(int), _array(y_pred).astype(int)
    keys = list(attributes.columns)
    grouped = frame.groupby(keys, observed=True)
    table = pd.DataFrame({
        "n": grouped.size(),
        "n_positive": grouped["_y"].sum(),
        "selection_rate": grouped["_p"].mean(),
        "tpr": frame[frame["_y"] == 1].groupby(keys, observed=True)["_p"].mean(),
    })
    table["n_positive"] = table["n_positive"].astype(int)
    table["small"] = table["n"] < min_count
    small = table.index[table["small"]].tolist()
    if small:
        warnings.warn(
            f"{len(small)} group(s) have fewer than {min_count} members; report their rates with "
            f"an interval or suppress them: {small}",
            SmallGroupWarning,
            stacklevel=2,
        )
    return table


def mean_abs_shap(shap_values: object, feature_names: Sequence[str]) -> pd.Series:
    """Global importance: mean absolute SHAP value per feature, largest first."""
    values = np.abs(np.asarray(shap_values)).mean(axis=0)
    return pd.Series(values, index=list(feature_names), name="mean_abs_shap").sort_values(
        ascending=False
    )


def shap_by_group(shap_values: object, feature_names: Sequence[str], groups: object) -> pd.DataFrame:
    """Mean signed SHAP value per feature (rows) within each group (columns)."""
    frame = pd.DataFrame(np.asarray(shap_values), columns=list(feature_names))
    return frame.groupby(_array(groups), sort=True).mean().T


def proxy_ranking(
    X: pd.DataFrame,
    sensitive: object,
    *,
    bin_columns: Sequence[str] = (),
    bins: int = 10,
    seed: int = 0,
) -> pd.Series:
    """Mutual information (nats) of each feature with the protected attribute, largest first.

    Every column is treated as discrete; the columns named in ``bin_columns`` (continuous ones)
    are first cut into ``bins`` quantile bins, as ``pd.qcut(..., labels=False, duplicates="drop")``.
    """
    X = X.copy()
    for column in bin_columns:
        X[column] = pd.qcut(X[column], bins, labels=False, duplicates="drop")
    mi = mutual_info_classif(X, _array(sensitive), discrete_features=True, random_state=seed)
    return pd.Series(mi, index=X.columns, name="mutual_information").sort_values(ascending=False)


def verdict(low: float, high: float, lower: float, upper: float) -> str:
    """``pass`` if ``[low, high]`` lies inside ``[lower, upper]``, ``fail`` if outside, else inconclusive."""
    if lower <= low and high <= upper:
        return "pass"
    if high < lower or low > upper:
        return "fail"
    return "inconclusive"


def verdict_table(table: pd.DataFrame) -> pd.Series:
    """:func:`verdict` for each row of a table with ``ci_low, ci_high, lower, upper`` columns."""
    return pd.Series(
        [verdict(r.ci_low, r.ci_high, r.lower, r.upper) for r in table.itertuples()],
        index=table.index,
        name="verdict",
    )


def overall_verdict(verdicts: object) -> str:
    """``fail`` if any check fails, else ``inconclusive`` if any is, else ``pass``."""
    values = [str(v) for v in _array(verdicts).ravel()]
    if not values:
        raise ValueError("no verdicts to combine")
    unknown = sorted(set(values) - set(VERDICTS))
    if unknown:
        raise ValueError(f"unknown verdict(s) {unknown}; expected one of {list(VERDICTS)}")
    for outcome in ("fail", "inconclusive"):
        if outcome in values:
            return outcome
    return "pass"


def _rate_gap(pred: np.ndarray, unpriv: np.ndarray) -> float:
    return float(pred[unpriv].mean() - pred[~unpriv].mean())


def _rate_ratio(pred: np.ndarray, unpriv: np.ndarray) -> float:
    return float(pred[unpriv].mean() / pred[~unpriv].mean())


def disparity_table(
    y_true: object,
    y_pred: object,
    comparisons: Mapping[str, tuple[object, object, object]],
    thresholds: Mapping[str, tuple[float, float]],
    *,
    n_boot: int = 400,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Each metric of ``thresholds`` for each comparison, with group sizes and a bootstrap interval.

    ``comparisons`` maps a name to ``(groups, unprivileged, privileged)``: one group label per row
    and the two labels compared (other rows are left out). ``thresholds`` maps metric names from
    :data:`DISPARITY_METRICS` to the acceptable range ``(lower, upper)``. Differences are
    unprivileged − privileged and the ratio unprivileged / privileged (AIF360's conventions); TPR
    and FPR are compared among rows with ``y_true`` 1 and 0 respectively. Pass the result to
    :func:`verdict_table`.
    """
    unknown = [m for m in thresholds if m not in DISPARITY_METRICS]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose from {list(DISPARITY_METRICS)}")
    y_true, y_pred = _array(y_true).astype(int), _array(y_pred).astype(float)
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred must have the same length")
    rows = []
    for name, (groups, unprivileged, privileged) in comparisons.items():
        groups = _array(groups)
        if len(groups) != len(y_true):
            raise ValueError(f"{name!r}: {len(groups)} group labels for {len(y_true)} rows")
        is_unpriv, is_priv = groups == unprivileged, groups == privileged
        for metric, (lower, upper) in thresholds.items():
            keep = is_unpriv | is_priv
            if metric == "TPR difference":
                keep &= y_true == 1
            elif metric == "FPR difference":
                keep &= y_true == 0
            n_unpriv, n_priv = int((keep & is_unpriv).sum()), int((keep & is_priv).sum())
            if not (n_unpriv and n_priv):
                raise ValueError(f"{name!r}, {metric}: a group has no rows")
            statistic = _rate_ratio if metric == "disparate impact" else _rate_gap
            ci = bootstrap_ci(statistic, y_pred[keep], is_unpriv[keep], n_boot=n_boot, level=level,
                              seed=seed)
            rows.append({"comparison": name, "metric": metric, "n_unprivileged": n_unpriv,
                         "n_privileged": n_priv, "estimate": ci.estimate, "ci_low": ci.low,
                         "ci_high": ci.high, "lower": float(lower), "upper": float(upper)})
    return pd.DataFrame(rows).set_index(["comparison", "metric"])
