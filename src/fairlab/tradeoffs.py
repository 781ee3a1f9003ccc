"""Compare mitigations side by side: fairness and accuracy table, Pareto front, money, decision memo."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from string import Template

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from fairlearn.metrics import false_positive_rate, selection_rate, true_positive_rate
from matplotlib.ticker import PercentFormatter
from sklearn.metrics import accuracy_score

from fairlab.plotting import PALETTE

from ._arrays import as_array as _array

__all__ = [
    "DOMINATED_COLOR",
    "MEMO_COLUMNS",
    "MEMO_TEMPLATE",
    "comparison_table",
    "cost_matrix",
    "cost_table",
    "decision_cost",
    "is_dominated",
    "pareto_front",
    "plot_pareto",
    "render_memo",
]

#: Colour of dominated options in :func:`plot_pareto`.
DOMINATED_COLOR = "#AAAAAA"


def _rate_gap(by_group: dict[object, float]) -> float:
    values = [v for v in by_group.values() if not np.isnan(v)]
    return float(max(values) - min(values))


def comparison_table(
    predictions: Mapping[str, object], y_true: object, sensitive: object
) -> pd.DataFrame:
    """One row per option: accuracy, approval rate, selection rate by group, DP and equalized-odds gaps.

    Rates come from Fairlearn's metric functions applied within each group; the differences follow
    Fairlearn's definitions (max − min between groups; equalized odds: the larger of the TPR and FPR
    differences; ratio: min / max), without the per-call overhead of ``MetricFrame``.
    """
    y_true, sensitive = _array(y_true).astype(int), _array(sensitive)
    groups = sorted(pd.unique(sensitive), key=str)
    masks = {group: sensitive == group for group in groups}
    rows = {}
    for name, y_pred in predictions.items():
        y_pred = _array(y_pred).astype(int)
        if len(y_pred) != len(y_true):
            raise ValueError(f"{name!r}: {len(y_pred)} predictions for {len(y_true)} labels")
        sel = {g: float(selection_rate(y_true[m], y_pred[m])) for g, m in masks.items()}
        tpr = {g: float(true_positive_rate(y_true[m], y_pred[m])) for g, m in masks.items()}
        fpr = {g: float(false_positive_rate(y_true[m], y_pred[m])) for g, m in masks.items()}
        row = {"accuracy": float(accuracy_score(y_true, y_pred)), "approval_rate": float(y_pred.mean())}
        row.update({f"selection_rate_{g}": rate for g, rate in sel.items()})
        row["dp_difference"] = _rate_gap(sel)
        row["dp_ratio"] = float(min(sel.values()) / max(sel.values())) if max(sel.values()) > 0 else np.nan
        row["eo_difference"] = max(_rate_gap(tpr), _rate_gap(fpr))
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "option"
    return table


def is_dominated(
    table: pd.DataFrame, *, maximize: Sequence[str] = (), minimize: Sequence[str] = ()
) -> pd.Series:
    """True for rows another row beats: at least as good on every objective, strictly better on one."""
    if not maximize and not minimize:
        raise ValueError("name at least one objective in maximize or minimize")
    # Flip minimised columns so that larger is better everywhere.
    scores = np.column_stack([table[c].to_numpy(float) for c in maximize]
                             + [-table[c].to_numpy(float) for c in minimize])
    at_least = (scores[None, :, :] >= scores[:, None, :]).all(axis=2)  # [i, j]: j at least as good as i
    strictly = (scores[None, :, :] > scores[:, None, :]).any(axis=2)   # [i, j]: j better somewhere
    dominated = (at_least & strictly).any(axis=1)
    return pd.Series(dominated, index=table.index, name="dominated")


def pareto_front(
    table: pd.DataFrame,
    *,
    maximize: Sequence[str] = ("accuracy",),
    minimize: Sequence[str] = ("dp_difference",),
) -> pd.DataFrame:
    """The non-dominated rows of ``table``, sorted by the first objective (best first)."""
    front = table[~is_dominated(table, maximize=maximize, minimize=minimize)]
    if maximize:
        return front.sort_values(maximize[0], ascending=False)
    return front.sort_values(minimize[0])


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _annotate(ax: plt.Axes, table: pd.DataFrame, x: str, y: str, dominated: pd.Series) -> None:
    """Label each point, moving a label to another corner when it would overlap an earlier one."""
    xs, ys = table[x].to_numpy(float), table[y].to_numpy(float)
    span_x, span_y = float(np.ptp(xs)) or 1.0, float(np.ptp(ys)) or 1.0
    # Candidate places (offset in points, alignment) and the label box they give, in units of the
    # data span: (left, bottom, width, height) relative to the point.
    corners = [((6, 4), "left", 0.01, 0.0), ((6, -14), "left", 0.01, -0.06),
               ((-6, 4), "right", None, 0.0), ((-6, -14), "right", None, -0.06)]
    placed: list[tuple[float, float, float, float]] = []
    for name, px, py in zip(table.index, xs, ys, strict=True):
        nx, ny = (px - xs.min()) / span_x, (py - ys.min()) / span_y
        width = 0.011 * len(str(name))
        boxes = [(nx + (left if left is not None else -0.01 - width), ny + bottom, width, 0.05)
                 for _, _, left, bottom in corners]
        pick = next((i for i, box in enumerate(boxes) if not any(_overlaps(box, o) for o in placed)), 0)
        offset, align = corners[pick][:2]
        placed.append(boxes[pick])
        ax.annotate(str(name), (px, py), xytext=offset, textcoords="offset points", fontsize=9, ha=align,
                    color="#777777" if dominated[name] else "#222222")


def plot_pareto(
    table: pd.DataFrame,
    *,
    x: str = "dp_difference",
    y: str = "accuracy",
    title: str,
    xlabel: str,
    ylabel: str,
    x_better: str = "lower",
    y_better: str = "higher",
    highlight: str | None = None,
    x_percent: bool = True,
    y_percent: bool = True,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Scatter of the options on two objectives: front in colour and joined, dominated points greyed."""
    if x_better not in ("lower", "higher") or y_better not in ("lower", "higher"):
        raise ValueError("x_better and y_better are 'lower' or 'higher'")
    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 5.5))
    maximize = [c for c, b in ((x, x_better), (y, y_better)) if b == "higher"]
    minimize = [c for c, b in ((x, x_better), (y, y_better)) if b == "lower"]
    dominated = is_dominated(table, maximize=maximize, minimize=minimize)
    front = table[~dominated].sort_values(x)
    ax.scatter(table.loc[dominated, x], table.loc[dominated, y], s=55, color=DOMINATED_COLOR,
               label="dominated option", zorder=2)
    ax.plot(front[x], front[y], "-o", color=PALETTE[0], markersize=8, linewidth=1.5,
            label="Pareto front (not dominated)", zorder=3)
    if highlight is not None:
        ax.scatter([table.loc[highlight, x]], [table.loc[highlight, y]], s=260, facecolors="none",
                   edgecolors=PALETTE[5], linewidths=2.5, label=f"chosen: {highlight}", zorder=4)
    _annotate(ax, table, x, y, dominated)
    if x_percent:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    if y_percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
    arrow = {"lower": "←", "higher": "→"}
    ax.set_xlabel(f"{xlabel}  ({arrow[x_better]} better)")
    ax.set_ylabel(f"{ylabel}  ({'↑' if y_better == 'higher' else '↓'} better)")
    ax.set_title(title)
    ax.margins(x=0.12, y=0.12)
    ax.legend(loc="best", fontsize=10)
    return ax


def cost_matrix(
    *, false_positive: float, false_negative: float, true_positive: float = 0.0, true_negative: float = 0.0
) -> pd.DataFrame:
    """A 2×2 cost matrix: rows are the true label (0, 1), columns the decision (0 = reject, 1 = approve)."""
    matrix = pd.DataFrame([[true_negative, false_positive], [false_negative, true_positive]],
                          index=pd.Index([0, 1], name="true label"),
                          columns=pd.Index([0, 1], name="decision"), dtype=float)
    return matrix


def decision_cost(
    y_true: object, y_pred: object, costs: pd.DataFrame, exposure: object | None = None
) -> float:
    """Total cost of the decisions: each row costs ``costs[true label, decision]`` times its exposure."""
    y_true, y_pred = _array(y_true).astype(int), _array(y_pred).astype(int)
    per_row = costs.to_numpy(float)[y_true, y_pred]
    weight = np.ones(len(y_true)) if exposure is None else _array(exposure).astype(float)
    return float((per_row * weight).sum())


def cost_table(
    predictions: Mapping[str, object], y_true: object, costs: pd.DataFrame, exposure: object | None = None
) -> pd.DataFrame:
    """Per option: approvals, amount approved, cost of false positives, of false negatives, and in total."""
    y_true = _array(y_true).astype(int)
    weight = np.ones(len(y_true)) if exposure is None else _array(exposure).astype(float)
    matrix = costs.to_numpy(float)
    rows = {}
    for name, y_pred in predictions.items():
        y_pred = _array(y_pred).astype(int)
        cell = matrix[y_true, y_pred] * weight
        rows[name] = {
            "approvals": float(y_pred.sum()),
            "amount_approved": float(weight[y_pred == 1].sum()),
            "cost_false_positive": float(cell[(y_true == 0) & (y_pred == 1)].sum()),
            "cost_false_negative": float(cell[(y_true == 1) & (y_pred == 0)].sum()),
            "cost": float(cell.sum()),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "option"
    return table


def _points(value: float) -> str:
    return f"{100 * value:.1f} points"


#: Columns a memo shows when the table has them: column -> (label, format string or function).
MEMO_COLUMNS: dict[str, tuple[str, str | Callable[[float], str]]] = {
    "accuracy": ("Agreement with past decisions (accuracy)", "{:.1%}"),
    "approval_rate": ("Share of applicants approved", "{:.1%}"),
    "dp_difference": ("Gap in approval rates between groups", _points),
    "eo_difference": ("Gap in error rates between groups", _points),
    "cost": ("Expected cost of wrong decisions", "${:,.0f}"),
}

#: The decision memo (``string.Template``); :func:`render_memo` fills it.
MEMO_TEMPLATE = Template("""\
# $title

**Decision requested.** $decision

**Recommendation.** Adopt **$chosen** in place of the current model (**$baseline**).

## What changes, compared with today

$changes

## The options we considered

$considered

$table

## Why this option

$rationale

## Risks and open questions

$risks

## Sign-off

| Role | Name | Decision and date |
|---|---|---|
$sign_off
""")


def _fmt(value: float, fmt: str | Callable[[float], str]) -> str:
    if pd.isna(value):
        return "n/a"
    return fmt(value) if callable(fmt) else fmt.format(value)


def render_memo(
    table: pd.DataFrame,
    chosen: str,
    *,
    title: str,
    decision: str,
    rationale: str,
    risks: Sequence[str],
    baseline: str = "baseline",
    also_show: Sequence[str] = (),
    population: str = "the same held-out applicants",
    columns: Mapping[str, tuple[str, str | Callable[[float], str]]] | None = None,
    sign_off: Mapping[str, str] | None = None,
    considered: str | None = None,
) -> str:
    """Fill :data:`MEMO_TEMPLATE` from a comparison table and the chosen row; returns Markdown.

    ``considered`` replaces the paragraph above the table (which otherwise says that the table's
    options were compared on ``population``): use it when the options were compared and chosen on
    one split and the table reports the chosen one on another.
    """
    for name in [chosen, baseline, *also_show]:
        if name not in table.index:
            raise KeyError(f"{name!r} is not a row of the table")
    columns = {c: spec for c, spec in (columns or MEMO_COLUMNS).items() if c in table.columns}
    if not columns:
        raise ValueError("the table has none of the memo's columns")
    changes = [f"- {label}: {_fmt(table.loc[baseline, c], fmt)} today → "
               f"**{_fmt(table.loc[chosen, c], fmt)}** with {chosen}." for c, (label, fmt) in columns.items()]
    shown = list(dict.fromkeys([baseline, chosen, *also_show]))
    header = "| Option | " + " | ".join(label for label, _ in columns.values()) + " |"
    rule = "|---|" + "---|" * len(columns)
    lines = [header, rule]
    for name in shown:
        marker = " (recommended)" if name == chosen else " (today)" if name == baseline else ""
        cells = " | ".join(_fmt(table.loc[name, c], fmt) for c, (_, fmt) in columns.items())
        lines.append(f"| {name}{marker} | {cells} |")
    people = sign_off or {"Model owner (engineering)": "", "Compliance / legal": "",
                          "Business owner (credit risk)": ""}
    return MEMO_TEMPLATE.substitute(
        title=title,
        decision=decision,
        chosen=chosen,
        baseline=baseline,
        changes="\n".join(changes),
        considered=(considered.strip() if considered is not None else
                    f"We compared {len(table)} options on {population}. The table shows today's model, the\n"
                    "recommendation and the strongest alternatives; an option is *dominated* when another "
                    "one is at least\nas good on every measure and better on one."),
        table="\n".join(lines),
        rationale=rationale.strip(),
        risks="\n".join(f"- {risk}" for risk in risks) or "- None recorded.",
        sign_off="\n".join(f"| {role} | {name} | |" for role, name in people.items()),
    )
