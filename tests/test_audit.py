"""Audit helpers agree with hand computations, scipy, Fairlearn and AIF360 on small cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, true_positive_rate
from scipy.stats import chi2_contingency
from sklearn.metrics import mutual_info_score

from fairlab import audit


@pytest.fixture
def toy():
    rng = np.random.default_rng(1)
    n = 2000
    group = np.where(rng.random(n) < 0.4, "f", "m")
    y = (rng.random(n) < np.where(group == "f", 0.3, 0.5)).astype(int)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    return y, pred, group


def test_rate_difference_is_signed(toy):
    _, pred, group = toy
    d = audit.rate_difference(pred, group, "f", "m")
    assert d == pytest.approx(pred[group == "f"].mean() - pred[group == "m"].mean())
    assert audit.rate_difference(pred, group, "m", "f") == pytest.approx(-d)


def test_bootstrap_ci_is_reproducible_and_covers_the_estimate(toy):
    _, pred, group = toy

    def stat(p, g):
        return audit.rate_difference(p, g, "f", "m")

    a = audit.bootstrap_ci(stat, pred, group, n_boot=300, seed=3)
    b = audit.bootstrap_ci(stat, pred, group, n_boot=300, seed=3)
    assert a == b
    assert a.low < a.estimate < a.high
    se = np.sqrt(sum(pred[group == g].var() / (group == g).sum() for g in "fm"))
    assert a.width == pytest.approx(2 * 1.96 * se, rel=0.2)
    assert a.excludes(a.high + 1) and not a.excludes(a.estimate)


def test_bootstrap_rejects_ragged_arrays():
    with pytest.raises(ValueError):
        audit.bootstrap_replicates(np.mean, [1, 2, 3], [1, 2], n_boot=2)


def test_ztest_matches_chi_square():
    z, p = audit.two_proportion_ztest(30, 200, 70, 300)
    table = [[30, 170], [70, 230]]
    chi2, p_chi, _, _ = chi2_contingency(table, correction=False)
    assert z**2 == pytest.approx(chi2)
    assert p == pytest.approx(p_chi)
    assert z < 0


def test_permutation_test_finds_a_real_gap_and_not_a_null_one(toy):
    y, _, group = toy
    assert audit.permutation_test(y, group, "f", "m", n_perm=200) < 0.01
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 2, len(group))
    assert audit.permutation_test(noise, group, "f", "m", n_perm=200) > 0.01


def test_confusion_by_group_matches_fairlearn(toy):
    y, pred, group = toy
    table = audit.confusion_by_group(y, pred, group)
    assert table[["tn", "fp", "fn", "tp"]].sum(axis=1).tolist() == table["n"].tolist()
    mf = MetricFrame(metrics={"tpr": true_positive_rate, "fpr": false_positive_rate},
                     y_true=y, y_pred=pred, sensitive_features=group)
    np.testing.assert_allclose(table["tpr"], mf.by_group["tpr"])
    np.testing.assert_allclose(table["fpr"], mf.by_group["fpr"])
    np.testing.assert_allclose(table["fnr"], 1 - table["tpr"])


def test_intersectional_table_warns_about_small_groups(toy):
    y, pred, group = toy
    other = np.where(np.arange(len(y)) < 50, "rare", "common")
    attrs = pd.DataFrame({"sex": group, "kind": other})
    with pytest.warns(audit.SmallGroupWarning):
        table = audit.intersectional_table(y, pred, attrs, min_count=100)
    assert table["n"].sum() == len(y)
    assert table.loc[table["small"]].index.get_level_values("kind").unique().tolist() == ["rare"]


def test_shap_summaries():
    values = np.array([[1.0, -2.0], [-1.0, 2.0], [3.0, 0.0]])
    imp = audit.mean_abs_shap(values, ["a", "b"])
    assert imp.to_dict() == pytest.approx({"a": 5 / 3, "b": 4 / 3})
    by = audit.shap_by_group(values, ["a", "b"], ["x", "x", "y"])
    assert by.loc["a", "x"] == 0 and by.loc["a", "y"] == 3 and by.loc["b", "x"] == 0


def test_proxy_ranking_is_mutual_information():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 2, 500)
    X = pd.DataFrame({"proxy": s * 2 + rng.integers(0, 2, 500), "noise": rng.integers(0, 3, 500)})
    ranking = audit.proxy_ranking(X, s)
    assert ranking.index[0] == "proxy"
    assert ranking["proxy"] == pytest.approx(mutual_info_score(X["proxy"], s))


@pytest.mark.parametrize(("low", "high", "expected"), [
    (-0.05, 0.05, "pass"), (-0.3, -0.2, "fail"), (-0.15, -0.05, "inconclusive"), (0.2, 0.3, "fail"),
])
def test_verdict(low, high, expected):
    assert audit.verdict(low, high, -0.1, 0.1) == expected
    table = pd.DataFrame({"ci_low": [low], "ci_high": [high], "lower": [-0.1], "upper": [0.1]})
    assert audit.verdict_table(table).tolist() == [expected]
