"""The lab-author helpers: strict types, tolerance, and messages written for learners."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairlab.grading import GradingError, check_array, check_frame


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        return np.array([1.0, 2.0])


def test_check_array_accepts_close_values_and_rejects_impostors():
    check_array(np.array([1.0, 2.0 + 1e-12]), [1, 2], "rates")
    with pytest.raises(GradingError, match="should be a numpy array, not a AlwaysEqual"):
        check_array(AlwaysEqual(), [1, 2], "rates")
    with pytest.raises(GradingError, match=r"has shape \(3,\), but it should be \(2,\)"):
        check_array(np.zeros(3), [1, 2], "rates")
    with pytest.raises(GradingError, match=r"`rates`\[1\] = 3 is not the expected value"):
        check_array(np.array([1.0, 3.0]), [1, 2], "rates")


def test_check_frame_compares_columns_index_and_values():
    want = pd.DataFrame({"group": ["a", "b"], "rate": [0.5, 0.25]})
    check_frame(want.iloc[::-1].copy(), want, "table")
    with pytest.raises(GradingError, match="should have the columns"):
        check_frame(want.rename(columns={"rate": "r"}), want, "table")
    with pytest.raises(GradingError, match="row 1, column 'rate' is 0.3"):
        check_frame(want.assign(rate=[0.5, 0.3]), want, "table")
    with pytest.raises(GradingError, match="should hold numbers"):
        check_frame(want.assign(rate=["0.5", "0.25"]), want, "table")
    with pytest.raises(GradingError, match="should be a pandas DataFrame"):
        check_frame(AlwaysEqual(), want, "table")

    class Sneaky(pd.DataFrame):
        def __eq__(self, other):
            return True

    with pytest.raises(GradingError, match="should be a pandas DataFrame"):
        check_frame(Sneaky(want), want, "table")
