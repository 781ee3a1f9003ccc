"""Hidden-test references of labs 04 to 07 are fresh copies: a change to one never reaches the next."""

from __future__ import annotations

import numpy as np

from fairlab import labrefs


def test_lab06_copies_are_independent():
    first = labrefs.lab06()
    target = first.TARGET_RATE
    first.test_view["race"] = "White"
    first.TARGET_RATE = 0.5
    second = labrefs.lab06()
    assert set(second.test_view["race"]) == {"Black", "White"}
    assert second.TARGET_RATE == target == float(second.tune_view["y_base"].mean())
    assert second.aif_test_true.labels.shape[0] == len(second.test_view)


def test_lab07_copies_are_independent():
    first = labrefs.lab07()
    first.y_test[:] = 0
    first.DP_BOUND = 1.0
    second = labrefs.lab07()
    assert second.DP_BOUND == 0.05 and second.PARITY_BOUND == 0.02
    assert second.y_test.mean() > 0.3
    assert np.array_equal(second.pred_baseline, second.baseline.predict(second.X_test))
    assert abs(second.aif_metric(second.pred_baseline).statistical_parity_difference()) > 0


def test_lab04_copies_are_independent():
    first = labrefs.lab04()
    first.train["black"] = 1
    first.X_train["income"] = 0.0
    first.folds.n_splits = 3
    first.LEVELS.append(2.0)
    second = labrefs.lab04()
    assert second.train["black"].mean() < 0.2 and second.X_train["income"].std() > 0
    assert second.folds.n_splits == 5 and second.LEVELS == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert np.array_equal(second.pred_before, second.baseline.predict(second.X_test))
    assert second.cv_acc_leaky > 0.85 and np.isclose(second.INCOME_FACTOR, 2.0)
    # the shifted split doubles the income itself: log income moves by log 2
    assert np.allclose(second.shifted_test["income"] - second.X_test["income"], np.log(2.0))


def test_lab04_quantile_repair_equalises_the_groups():
    ref = labrefs.lab04()
    repaired = ref.QuantileRepair(level=1.0).fit_transform(ref.X_train)
    assert "black" not in repaired.columns
    by_group = repaired["income"].groupby(ref.a_train).median()
    assert abs(by_group[0] - by_group[1]) < 0.01
    unchanged = ref.QuantileRepair(level=0.0).fit_transform(ref.X_train)
    assert np.allclose(unchanged["income"], ref.X_train["income"])


def test_lab05_copies_are_independent():
    first = labrefs.lab05()
    first.race_test[:] = "White"
    first.adv_stable.reverse()
    first.sweep.drop(index=[0, 10], inplace=True)
    first.MAX_ITER = 5
    second = labrefs.lab05()
    assert set(second.race_test) == {"Asian", "Black", "Hispanic", "Other", "White"}
    assert second.MAX_ITER == 15 and list(second.sweep.index) == [0, 10, 30, 100, 300]
    assert not np.array_equal(second.adv_stable[0], first.adv_stable[0])
    assert np.array_equal(second.base_pred_test, second.baseline.predict(second.X_test))
    # the rule of the lab's Exercise 7 picks eta = 30 on the reference sweep
    feasible = second.sweep[second.sweep["val_dp"] <= second.DP_BOUND]
    assert int(feasible["val_accuracy"].idxmax()) == 30
    metric = second.aif_metric(second.y_test, second.base_pred_test, second.race_test)
    assert metric.statistical_parity_difference() < 0


def test_lab07_splits_are_disjoint_and_copies_independent():
    first = labrefs.lab07_splits()
    ids = {part: set(getattr(first, part)["applicant_id"]) for part in ("train", "tune", "val", "test")}
    assert [len(ids[p]) for p in ("train", "tune", "val", "test")] == [12_000, 6_000, 24_000, 18_000]
    assert not (ids["train"] & ids["tune"] or ids["train"] & ids["val"] or ids["tune"] & ids["val"])
    assert not ids["test"] & (ids["train"] | ids["tune"] | ids["val"])
    # the training rows are lab 07's original 12,000, so the baseline is the one lab07() builds
    assert np.array_equal(first.baseline.coef_, labrefs.lab07().baseline.coef_)
    first.val_predictions["thresholds DP"][:] = 1
    first.val_table.loc["baseline", "dp_difference"] = 0.0
    first.y_val[:] = 0
    first.DP_BOUND = 1.0
    second = labrefs.lab07_splits()
    assert second.DP_BOUND == 0.05 and second.y_val.mean() > 0.3
    assert second.val_table.loc["baseline", "dp_difference"] > 0.05
    assert np.array_equal(second.pred_baseline, second.baseline.predict(second.X_val))
    assert np.array_equal(second.test_predictions["baseline"], second.baseline.predict(second.X_test))
    assert abs(second.aif_metric(second.pred_baseline).statistical_parity_difference()
               + second.val_table.loc["baseline", "dp_difference"]) < 1e-9


def test_lab07_splits_thresholds_are_fitted_on_the_tuning_split():
    from fairlearn.postprocessing import ThresholdOptimizer

    ref = labrefs.lab07_splits()
    for X, y, g, same in ((ref.X_tune, ref.y_tune, ref.g_tune, True),
                          (ref.X_train, ref.y_train, ref.g_train, False)):
        rule = ThresholdOptimizer(estimator=ref.baseline, constraints="demographic_parity", prefit=True,
                                  predict_method="predict_proba").fit(X, y, sensitive_features=g)
        pred = rule.predict(ref.X_val, sensitive_features=ref.g_val, random_state=ref.SEED)
        assert np.array_equal(pred, ref.val_predictions["thresholds DP"]) is same


def test_lab07_splits_rule_and_predictions_check():
    ref = labrefs.lab07_splits()
    table = ref.val_table
    assert list(table.index) == list(ref.val_predictions) and len(table) == 8
    assert set(table.index[table["uses_race_at_decision"]]) == set(ref.RACE_AT_DECISION)
    # no race-blind option meets the 5-point bound on validation: the rule falls back to the smallest gap
    blind = table[~table["uses_race_at_decision"]]
    assert (blind["dp_difference"] > ref.DP_BOUND).all()
    assert ref.constrained_choice(table) == str(blind["dp_difference"].idxmin())
    # with a bound some race-blind option meets, the rule takes the cheapest of those
    loose = float(blind["dp_difference"].max())
    assert ref.constrained_choice(table, loose) == str(blind["cost"].idxmin())
    assert ref.predictions_problem(dict(ref.val_predictions)) is None
    changed = {name: pred.copy() for name, pred in ref.val_predictions.items()}
    changed["thresholds DP"] = 1 - changed["thresholds DP"]
    assert "Exercise 3" in ref.predictions_problem(changed)
    changed["baseline"] = 1 - changed["baseline"]
    assert "'baseline'" in ref.predictions_problem(changed)
    assert "leave it as the lab builds it" in ref.predictions_problem({"baseline": ref.pred_baseline})
