"""Trade-off helpers on small tables whose answers can be checked by hand."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from fairlab import tradeoffs

# Eight applicants, two groups of four.          a  a  a  a  b  b  b  b
Y_TRUE = np.array([1, 1, 0, 0, 1, 1, 0, 0])
GROUP = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
PERFECT = Y_TRUE.copy()
# a: approves 3/4 (one false positive); b: approves 1/4 (one false negative).
SKEWED = np.array([1, 1, 1, 0, 1, 0, 0, 0])


@pytest.fixture
def options():
    return {"perfect": PERFECT, "skewed": SKEWED}


def test_comparison_table_by_hand(options):
    table = tradeoffs.comparison_table(options, Y_TRUE, GROUP)
    assert list(table.index) == ["perfect", "skewed"]
    perfect, skewed = table.loc["perfect"], table.loc["skewed"]
    assert perfect["accuracy"] == 1.0
    assert perfect["dp_difference"] == 0.0 and perfect["eo_difference"] == 0.0
    assert skewed["accuracy"] == pytest.approx(6 / 8)
    assert skewed["approval_rate"] == pytest.approx(4 / 8)
    assert skewed["selection_rate_a"] == pytest.approx(3 / 4)
    assert skewed["selection_rate_b"] == pytest.approx(1 / 4)
    assert skewed["dp_difference"] == pytest.approx(0.5)
    assert skewed["dp_ratio"] == pytest.approx(1 / 3)
    # TPR a = 1, b = 1/2; FPR a = 1/2, b = 0: both gaps are 1/2.
    assert skewed["eo_difference"] == pytest.approx(0.5)


def test_comparison_table_rejects_wrong_length():
    with pytest.raises(ValueError, match="predictions"):
        tradeoffs.comparison_table({"short": [1, 0]}, Y_TRUE, GROUP)


def test_is_dominated_by_hand():
    table = pd.DataFrame(
        {"accuracy": [0.90, 0.88, 0.85, 0.88, 0.87], "dp_difference": [0.10, 0.02, 0.05, 0.02, 0.10]},
        index=["A", "B", "C", "B_twin", "D"],
    )
    dominated = tradeoffs.is_dominated(table, maximize=["accuracy"], minimize=["dp_difference"])
    # C is beaten by B (more accurate, smaller gap); D by A (same gap, more accurate).
    # B and its exact twin do not dominate each other.
    assert dominated.to_dict() == {"A": False, "B": False, "C": True, "B_twin": False, "D": True}


def test_is_dominated_direction_matters():
    table = pd.DataFrame({"accuracy": [0.9, 0.8], "dp_difference": [0.1, 0.0]}, index=["x", "y"])
    assert not tradeoffs.is_dominated(table, maximize=["accuracy"], minimize=["dp_difference"]).any()
    # Maximising the gap (wrong way round) makes y dominated by x.
    wrong = tradeoffs.is_dominated(table, maximize=["accuracy", "dp_difference"])
    assert wrong.to_dict() == {"x": False, "y": True}
    with pytest.raises(ValueError):
        tradeoffs.is_dominated(table)


def test_pareto_front_returns_non_dominated_rows_sorted():
    table = pd.DataFrame({"accuracy": [0.85, 0.90, 0.80], "dp_difference": [0.01, 0.08, 0.05]},
                         index=["fair", "accurate", "bad"])
    front = tradeoffs.pareto_front(table)
    assert list(front.index) == ["accurate", "fair"]
    assert list(front.columns) == list(table.columns)


def test_cost_matrix_layout():
    costs = tradeoffs.cost_matrix(false_positive=5.0, false_negative=2.0, true_positive=-1.0)
    assert costs.loc[0, 1] == 5.0  # true 0, approved
    assert costs.loc[1, 0] == 2.0  # true 1, rejected
    assert costs.loc[1, 1] == -1.0 and costs.loc[0, 0] == 0.0


def test_decision_cost_by_hand():
    costs = tradeoffs.cost_matrix(false_positive=5.0, false_negative=2.0)
    # SKEWED has one false positive (row 2) and one false negative (row 5).
    assert tradeoffs.decision_cost(Y_TRUE, SKEWED, costs) == pytest.approx(7.0)
    exposure = np.arange(1, 9, dtype=float)  # row i lends i + 1
    assert tradeoffs.decision_cost(Y_TRUE, SKEWED, costs, exposure) == pytest.approx(5 * 3 + 2 * 6)
    assert tradeoffs.decision_cost(Y_TRUE, PERFECT, costs, exposure) == 0.0


def test_cost_table_by_hand(options):
    costs = tradeoffs.cost_matrix(false_positive=5.0, false_negative=2.0)
    exposure = np.arange(1, 9, dtype=float)
    table = tradeoffs.cost_table(options, Y_TRUE, costs, exposure)
    skewed = table.loc["skewed"]
    assert skewed["approvals"] == 4
    assert skewed["amount_approved"] == pytest.approx(1 + 2 + 3 + 5)
    assert skewed["cost_false_positive"] == pytest.approx(15.0)
    assert skewed["cost_false_negative"] == pytest.approx(12.0)
    assert skewed["cost"] == pytest.approx(27.0)
    assert table.loc["perfect", "cost"] == 0.0


def test_plot_pareto_greys_dominated_points():
    table = pd.DataFrame({"accuracy": [0.85, 0.90, 0.80], "dp_difference": [0.01, 0.08, 0.05]},
                         index=["fair", "accurate", "bad"])
    ax = tradeoffs.plot_pareto(table, title="T", xlabel="Gap", ylabel="Accuracy", highlight="fair")
    assert ax.get_title() == "T"
    assert ax.get_xlabel().startswith("Gap") and ax.get_ylabel().startswith("Accuracy")
    grey_rgb = matplotlib.colors.to_rgb(tradeoffs.DOMINATED_COLOR)
    grey = [c for c in ax.collections
            if len(c.get_facecolor()) and np.allclose(c.get_facecolor()[0][:3], grey_rgb)]
    assert len(grey) == 1 and len(grey[0].get_offsets()) == 1  # only "bad" is dominated
    assert {t.get_text() for t in ax.texts} == {"fair", "accurate", "bad"}
    plt.close(ax.figure)


def test_render_memo_fills_every_placeholder():
    table = pd.DataFrame(
        {"accuracy": [0.90, 0.88], "dp_difference": [0.08, 0.01], "cost": [1000.0, 1500.0]},
        index=["baseline", "fair model"],
    )
    memo = tradeoffs.render_memo(table, "fair model", title="Memo", decision="Pick a model.",
                                 rationale="Because.", risks=["Risk one."])
    assert memo.startswith("# Memo")
    assert "$" not in memo.replace("$1,000", "").replace("$1,500", "")  # no unfilled placeholder
    assert "**fair model**" in memo
    assert "90.0% today → **88.0%**" in memo
    assert "| fair model (recommended) | 88.0% | 1.0 points | $1,500 |" in memo
    assert "8.0 points today → **1.0 points**" in memo
    assert "- Risk one." in memo


def test_render_memo_default_paragraph_and_considered_override():
    table = pd.DataFrame({"accuracy": [0.90, 0.88], "dp_difference": [0.08, 0.01]},
                         index=["baseline", "fair"])
    memo = tradeoffs.render_memo(table, "fair", title="M", decision="D", rationale="R", risks=[],
                                 population="the same 100 applicants")
    assert ("We compared 2 options on the same 100 applicants. The table shows today's model, the\n"
            "recommendation and the strongest alternatives; an option is *dominated* when another one is at "
            "least\nas good on every measure and better on one.\n\n| Option |") in memo
    chosen_on_val = tradeoffs.render_memo(table, "fair", title="M", decision="D", rationale="R", risks=[],
                                          considered="  Eight options were compared on validation rows.\n")
    assert ("## The options we considered\n\nEight options were compared on validation rows.\n\n"
            "| Option |") in chosen_on_val
    assert "We compared" not in chosen_on_val and "$" not in chosen_on_val


def test_render_memo_rejects_unknown_rows():
    table = pd.DataFrame({"accuracy": [0.9]}, index=["baseline"])
    with pytest.raises(KeyError):
        tradeoffs.render_memo(table, "missing", title="M", decision="D", rationale="R", risks=[])


def test_comparison_table_agrees_with_fairlearn():
    from fairlearn.metrics import (
        demographic_parity_difference,
        demographic_parity_ratio,
        equalized_odds_difference,
    )

    rng = np.random.default_rng(7)
    n = 3000
    group = rng.choice(["x", "y", "z"], size=n, p=[0.5, 0.3, 0.2])
    y = (rng.random(n) < np.where(group == "x", 0.6, 0.4)).astype(int)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    row = tradeoffs.comparison_table({"model": pred}, y, group).loc["model"]
    by = {"sensitive_features": group}
    assert row["dp_difference"] == pytest.approx(demographic_parity_difference(y, pred, **by))
    assert row["dp_ratio"] == pytest.approx(demographic_parity_ratio(y, pred, **by))
    assert row["eo_difference"] == pytest.approx(equalized_odds_difference(y, pred, **by))
    assert row["selection_rate_z"] == pytest.approx(pred[group == "z"].mean())
