"""The lab-author helpers: strict types, tolerance, and messages written for learners."""

from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd
import pytest

from fairlab.grading import (
    GradingError,
    check_array,
    check_choice,
    check_frame,
    check_number,
    check_series,
    check_true,
)


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


def _stolen_expected() -> float:
    """The first float named ``expected`` or ``want`` in a calling frame (the attack's lookup)."""
    frame = sys._getframe(1)
    while frame is not None:
        for key in ("expected", "want", "want_value"):
            found = frame.f_locals.get(key)
            if type(found) is float:
                return found
        frame = frame.f_back
    return 0.0


class StackFloat(float):
    """A float that claims to be whatever the grader expects."""

    def __float__(self):
        return _stolen_expected()

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class StackInt(int):
    def __float__(self):
        return _stolen_expected()

    def __index__(self):
        return int(_stolen_expected())


class StackNumpy(np.float64):
    def __float__(self):
        return _stolen_expected()


def test_stack_reading_attack_works_on_a_naive_check():
    def naive(value, expected):
        return math.isclose(float(value), expected)

    assert naive(StackFloat(1.0), 0.25)  # what the checks must not fall for


@pytest.mark.parametrize("impostor", [StackFloat(1.0), StackInt(1), StackNumpy(1.0)],
                         ids=["float", "int", "float64"])
def test_check_number_rejects_number_subclasses_without_calling_them(impostor):
    with pytest.raises(GradingError, match="should be a number .* a subclass of|should be a number"):
        check_number(impostor, 0.25, "rate")


@pytest.mark.parametrize("value", ["0.25", True, np.bool_(True), None, [0.25], np.array(0.25),
                                   np.array([0.25]), pd.Series([0.25]), 0.25j, object()],
                         ids=lambda v: type(v).__name__)
def test_check_number_rejects_what_is_not_a_plain_number(value):
    with pytest.raises(GradingError, match="should be a number"):
        check_number(value, 0.25, "rate")


@pytest.mark.parametrize("value", [0.25, np.float64(0.25), np.float32(0.25), 1, np.int64(1),
                                   np.uint8(1)], ids=lambda v: type(v).__name__)
def test_check_number_accepts_plain_numbers(value):
    check_number(value, float(value), "rate", rtol=1e-6)


def test_check_number_messages_and_hints():
    check_number(0.25 + 1e-12, 0.25, "rate")
    with pytest.raises(GradingError, match="divides by everyone"):
        check_number(0.1, 0.25, "rate", hints={0.1: "divides by everyone"})
    with pytest.raises(GradingError, match="is NaN"):
        check_number(float("nan"), 0.25, "rate")
    with pytest.raises(TypeError, match="expected value must be a plain number"):
        check_number(0.25, StackFloat(0.25), "rate")


def test_check_series_rejects_impostors_and_bad_dtypes():
    want = pd.Series({"a": 0.5, "b": 0.25})
    check_series(pd.Series({"b": 0.25, "a": 0.5}), want, "rates")
    check_series(pd.Series({"a": 1, "b": 0}).astype("Int64") / 2 + pd.Series({"a": 0, "b": 0.25}),
                 want, "rates")

    class SneakySeries(pd.Series):
        def __eq__(self, other):
            return True

    with pytest.raises(GradingError, match="should be a pandas Series"):
        check_series(SneakySeries([0.0, 0.0], index=["a", "b"]), want, "rates")
    impostors = pd.Series([StackFloat(0.0), StackFloat(0.0)], index=["a", "b"], dtype=object)
    with pytest.raises(GradingError, match="should hold numbers, but its dtype is object"):
        check_series(impostors, want, "rates")
    with pytest.raises(GradingError, match="should hold numbers, but its dtype is bool"):
        check_series(pd.Series([True, False], index=["a", "b"]), want, "rates")
    with pytest.raises(GradingError, match="should hold numbers"):
        check_series(pd.Series(["0.5", "0.25"], index=["a", "b"]), want, "rates")
    with pytest.raises(GradingError, match=r"`rates\['b'\]` = 0.3"):
        check_series(pd.Series({"a": 0.5, "b": 0.3}), want, "rates")
    with pytest.raises(GradingError, match="one entry per group"):
        check_series(pd.Series({"a": 0.5, "b": 0.25, "c": 0.0}), want, "rates")
    with pytest.raises(GradingError, match="is NaN"):
        check_series(pd.Series({"a": 0.5, "b": float("nan")}), want, "rates")


def test_check_series_rejects_labels_that_are_not_plain():
    class Label(str):
        def __str__(self):
            return "a"

    want = pd.Series({"a": 0.5})
    with pytest.raises(GradingError, match="plain group labels"):
        check_series(pd.Series([0.5], index=pd.Index([Label("z")], dtype=object)), want, "rates")


def test_check_frame_rejects_impostor_cells():
    want = pd.DataFrame({"group": ["a", "b"], "rate": [0.5, 0.25]})

    class Cell(str):
        def __str__(self):
            return "a"

    with pytest.raises(GradingError, match="should hold plain values"):
        check_frame(want.assign(group=pd.Series([Cell("x"), "b"], dtype=object)), want, "table")
    with pytest.raises(GradingError, match="should hold plain values"):
        check_frame(want.assign(group=pd.Series([[Cell("x")], "b"], dtype=object)), want, "table")
    listed = want.assign(group=pd.Series([["a", 1], None], dtype=object))
    check_frame(listed.copy(), listed, "table")
    with pytest.raises(GradingError, match="should hold numbers"):
        check_frame(want.assign(rate=pd.Series([StackFloat(0), StackFloat(0)], dtype=object)),
                    want, "table")


def test_check_choice_and_check_true_take_only_plain_values():
    class Always(str):
        def __eq__(self, other):
            return True

        __hash__ = str.__hash__

    with pytest.raises(GradingError, match="should be one of the strings"):
        check_choice(Always("x"), "a", "pick", ["a", "b"])
    check_choice("a", "a", "pick", ["a", "b"])
    with pytest.raises(GradingError, match="not the best choice"):
        check_choice("b", "a", "pick", ["a", "b"])

    class Truthy:
        def __bool__(self):
            return True

    for value in (Truthy(), 1, np.array([True]), "yes"):
        with pytest.raises(GradingError, match="no"):
            check_true(value, "no")
    check_true(np.bool_(True), "no")
