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


def test_proxy_ranking_bins_continuous_columns():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 2, 2000)
    X = pd.DataFrame({"income": rng.normal(size=2000) + s, "code": rng.integers(0, 3, 2000)})
    with pytest.warns(UserWarning, match="continuous"):  # scikit-learn notices the floats
        raw = audit.proxy_ranking(X, s)
    binned = audit.proxy_ranking(X, s, bin_columns=["income"], bins=10)
    deciles = pd.qcut(X["income"], 10, labels=False, duplicates="drop")
    assert binned["income"] == pytest.approx(mutual_info_score(deciles, s))
    assert binned["code"] == pytest.approx(raw["code"])
    # every distinct float is its own category without binning: the estimate is inflated
    assert raw["income"] > 2 * binned["income"]


@pytest.mark.parametrize(("values", "expected"), [
    (["pass", "pass"], "pass"), (["pass", "inconclusive"], "inconclusive"),
    (["inconclusive", "fail", "pass"], "fail"), (pd.Series(["fail"]), "fail"),
])
def test_overall_verdict(values, expected):
    assert audit.overall_verdict(values) == expected


def test_overall_verdict_rejects_nonsense():
    with pytest.raises(ValueError):
        audit.overall_verdict([])
    with pytest.raises(ValueError, match="unknown"):
        audit.overall_verdict(["pass", "ok"])


def test_disparity_table_matches_fairlearn_and_aif360(toy):
    from aif360.datasets import BinaryLabelDataset
    from aif360.metrics import ClassificationMetric
    from fairlearn.metrics import demographic_parity_difference, demographic_parity_ratio

    y, pred, group = toy
    thresholds = {m: (-0.1, 0.1) if "difference" in m else (0.8, 1.25) for m in audit.DISPARITY_METRICS}
    table = audit.disparity_table(y, pred, {"sex": (group, "f", "m")}, thresholds, n_boot=200, seed=1)
    assert list(table.index.get_level_values("metric")) == list(audit.DISPARITY_METRICS)
    row = table.loc["sex"]
    frame = pd.DataFrame({"male": (group == "m").astype(float), "label": y.astype(float)})
    truth = BinaryLabelDataset(df=frame, label_names=["label"], protected_attribute_names=["male"])
    decided = truth.copy()
    decided.labels = pred.reshape(-1, 1).astype(float)
    aif = ClassificationMetric(truth, decided, unprivileged_groups=[{"male": 0}],
                               privileged_groups=[{"male": 1}])
    assert row.loc["parity difference", "estimate"] == pytest.approx(aif.statistical_parity_difference())
    assert row.loc["disparate impact", "estimate"] == pytest.approx(aif.disparate_impact())
    assert row.loc["TPR difference", "estimate"] == pytest.approx(aif.true_positive_rate_difference())
    assert row.loc["FPR difference", "estimate"] == pytest.approx(aif.false_positive_rate_difference())
    assert abs(row.loc["parity difference", "estimate"]) == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=group))
    assert row.loc["disparate impact", "estimate"] == pytest.approx(
        demographic_parity_ratio(y, pred, sensitive_features=group))
    assert row.loc["TPR difference", "n_unprivileged"] == ((group == "f") & (y == 1)).sum()
    assert row.loc["FPR difference", "n_privileged"] == ((group == "m") & (y == 0)).sum()
    assert (table["ci_low"] < table["estimate"]).all() and (table["estimate"] < table["ci_high"]).all()
    assert audit.verdict_table(table).isin(audit.VERDICTS).all()


def test_disparity_table_leaves_out_other_groups_and_checks_inputs(toy):
    y, pred, group = toy
    three = np.where(np.arange(len(y)) % 10 == 0, "x", group)
    table = audit.disparity_table(y, pred, {"c": (three, "f", "m")}, {"parity difference": (-0.1, 0.1)},
                                  n_boot=50)
    keep = three != "x"
    expected = audit.rate_difference(pred[keep], three[keep], "f", "m")
    assert table.loc[("c", "parity difference"), "estimate"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="unknown metric"):
        audit.disparity_table(y, pred, {"c": (group, "f", "m")}, {"accuracy": (0, 1)})
    with pytest.raises(ValueError, match="no rows"):
        audit.disparity_table(y, pred, {"c": (group, "f", "nobody")}, {"parity difference": (-0.1, 0.1)})
    with pytest.raises(ValueError, match="group labels"):
        audit.disparity_table(y, pred, {"c": (group[:10], "f", "m")}, {"parity difference": (-0.1, 0.1)})
