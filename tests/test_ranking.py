"""Unit tests of fairlab.ranking against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fairlab import ranking


def test_position_exposure_is_the_dcg_discount():
    got = ranking.position_exposure([1, 2, 3, 7])
    assert np.allclose(got, [1.0, 1 / math.log2(3), 0.5, 1 / 3])
    with pytest.raises(ValueError):
        ranking.position_exposure([0])


def test_exposure_by_group_shares():
    # ranks 1 and 3 for group a (1 + 0.5), rank 2 for b (0.6309...)
    got = ranking.exposure_by_group([1, 2, 3], ["a", "b", "a"])
    b = 1 / math.log2(3)
    assert got["a"] == pytest.approx(1.5 / (1.5 + b))
    assert got["b"] == pytest.approx(b / (1.5 + b))
    assert got.sum() == pytest.approx(1.0)


def test_fair_rerank_swaps_in_the_best_protected_candidate():
    scores = np.array([[5.0, 4.0, 3.0, 2.0, 1.0]])
    protected = np.array([[False, False, False, True, True]])
    # no constraint: the top three by score
    assert ranking.fair_rerank(scores, protected, 3, 0.0).tolist() == [[0, 1, 2]]
    # a protected item at rank 3 has share 0.5 / (1 + 0.631 + 0.5) = 0.235
    assert ranking.fair_rerank(scores, protected, 3, 0.2).tolist() == [[0, 1, 3]]
    # 0.3 needs two protected items: share (0.631 + 0.5) / 2.131 = 0.531
    assert ranking.fair_rerank(scores, protected, 3, 0.3).tolist() == [[0, 3, 4]]
    # tolerance: 0.25 - 0.05 is met by one protected item
    assert ranking.fair_rerank(scores, protected, 3, 0.25, tolerance=0.05).tolist() == [[0, 1, 3]]
    # a target no list can meet stops when no protected candidate is left
    assert ranking.fair_rerank(scores, protected, 3, 1.0).tolist() == [[0, 3, 4]]


def test_fair_rerank_targets_per_row():
    scores = np.array([[3.0, 2.0, 1.0], [3.0, 2.0, 1.0]])
    protected = np.array([[False, False, True], [False, False, True]])
    got = ranking.fair_rerank(scores, protected, 2, [0.0, 0.3])
    assert got.tolist() == [[0, 1], [0, 2]]
    with pytest.raises(ValueError):
        ranking.fair_rerank(scores, protected[:1], 2, 0.0)


def test_gini_hand_values():
    assert ranking.gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert ranking.gini([0, 0, 0, 1]) == pytest.approx(0.75)  # (n - 1) / n
    # x = 1, 2, 3: sum((2i - n - 1) x_i) = -2 + 0 + 6 = 4; 4 / (3 * 6)
    assert ranking.gini([3, 1, 2]) == pytest.approx(4 / 18)
    assert ranking.gini([0, 0]) == 0.0
    with pytest.raises(ValueError):
        ranking.gini([-1, 2])


def test_pipeline_rates_condition_on_reaching_the_stage():
    groups = np.array(["a", "a", "a", "a", "b", "b", "b", "b"])
    stage1 = np.array([1, 1, 1, 0, 1, 1, 0, 0], dtype=bool)
    stage2 = np.array([1, 1, 0, 1, 1, 0, 1, 1], dtype=bool)  # passes of non-reachers are ignored
    table = ranking.pipeline_rates([stage1, stage2], groups, names=["screen", "interview"])
    assert list(table.index) == ["screen", "interview", "end to end"]
    assert table.loc["screen"].to_dict() == {"a": 0.75, "b": 0.5}
    assert table.loc["interview", "a"] == pytest.approx(2 / 3)
    assert table.loc["interview", "b"] == pytest.approx(0.5)
    # end to end is the product of the stage rates
    pd.testing.assert_series_equal(table.loc["end to end"], table.loc["screen"] * table.loc["interview"],
                                   check_names=False)
