"""Hidden-test references of labs 06 and 07 are fresh copies: a change to one never reaches the next."""

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
