"""Checks for hidden tests: strict about types, tolerant about floating point, and written so the
failure message teaches.

Only plain values are accepted: the exact built-in or numpy number types, pandas objects of
exactly their own class with numeric numpy dtypes, labels of plain types. A learner's object
(a ``float`` subclass, an object with ``__eq__`` or ``__float__``) is rejected before any of its
methods runs, so it cannot look up the expected value on the stack and agree with it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["GradingError", "check_choice", "check_number", "check_series", "check_true"]

#: Exact types of a plain real number (bool is not a number here).
NUMBER_TYPES = frozenset(
    {int, float} | {t for t in np.sctypeDict.values()
                    if issubclass(t, np.integer | np.floating)}
)
#: Exact types of a plain label (an index entry, a category, a cell of a text column).
LABEL_TYPES = NUMBER_TYPES | {str, bool, type(None), np.str_, np.bool_, np.datetime64,
                              np.timedelta64, pd.Timestamp, pd.Timedelta, pd.Period,
                              type(pd.NaT)}
#: Exact dtype classes of a plain pandas column: numpy's, and pandas' own extension dtypes.
_DTYPE_TYPES = frozenset(
    {type(np.dtype(c)) for c in ("b", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8",
                                   "f2", "f4", "f8", "g", "M8[ns]", "m8[ns]", "O", "U", "S")}
    | {pd.CategoricalDtype, pd.StringDtype, pd.BooleanDtype, pd.DatetimeTZDtype,
       pd.Float32Dtype, pd.Float64Dtype, pd.Int8Dtype, pd.Int16Dtype, pd.Int32Dtype,
       pd.Int64Dtype, pd.UInt8Dtype, pd.UInt16Dtype, pd.UInt32Dtype, pd.UInt64Dtype}
)


class GradingError(AssertionError):
    """A hidden test failed; the message is shown to the learner."""


def _kind(value: object) -> str:
    """What ``value`` is, for a message, without calling any method of it."""
    kind = type(value)
    if kind in LABEL_TYPES:
        return f"{kind.__name__} ({value!r:.80})"
    plain = next((t.__name__ for t in (bool, int, float, str) if issubclass(kind, t)), None)
    return f"{kind.__name__}, a subclass of {plain}" if plain else kind.__name__


def is_label(value: object) -> bool:
    """Whether ``value`` is a plain label: a LABEL_TYPES value, or a tuple or interval of them."""
    if type(value) is tuple:
        return all(is_label(part) for part in value)
    if type(value) is pd.Interval:
        return is_label(value.left) and is_label(value.right)
    return type(value) in LABEL_TYPES


def is_plain(value: object) -> bool:
    """Whether ``value`` is a plain label, or a list, tuple or dict built only of plain values."""
    if type(value) in (list, tuple):
        return all(is_plain(part) for part in value)
    if type(value) is dict:
        return all(is_plain(k) and is_plain(v) for k, v in value.items())
    return is_label(value)


def plain_float(value: object, name: str) -> float:
    """``value`` as a float if it is exactly a plain number (not NaN), else a GradingError."""
    if type(value) not in NUMBER_TYPES:
        raise GradingError(
            f"`{name}` should be a number (a Python int or float, or a numpy number), but it is "
            f"a {_kind(value)}."
        )
    try:
        result = float(value)
    except OverflowError:
        raise GradingError(f"`{name}` is too large to be the expected value.") from None
    if math.isnan(result):
        raise GradingError(f"`{name}` is NaN: check for an empty group or a division by zero.")
    return result


def numeric_values(series: pd.Series, name: str) -> np.ndarray:
    """The values of a plain pandas Series of numbers as a float array, else a GradingError."""
    dtype = series.dtype
    if type(dtype) not in _DTYPE_TYPES or not pd.api.types.is_numeric_dtype(dtype) \
            or pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
        raise GradingError(f"`{name}` should hold numbers, but its dtype is {dtype}.")
    return series.to_numpy(dtype=float, na_value=np.nan)


def _expected_float(value: object) -> float:
    if type(value) not in NUMBER_TYPES:
        raise TypeError(f"the expected value must be a plain number, not {type(value).__name__}")
    return float(value)


def check_number(
    value: object,
    expected: float,
    name: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hints: Mapping[float, str] | None = None,
) -> None:
    """Fail unless ``value`` is a plain real number within tolerance of ``expected``.

    ``hints`` maps the value a known mistake produces to the advice that mistake needs; when
    ``value`` matches one of them, that advice is the failure message.
    """
    actual, want = plain_float(value, name), _expected_float(expected)
    if math.isclose(actual, want, rel_tol=rtol, abs_tol=atol):
        return
    for wrong, advice in (hints or {}).items():
        if math.isclose(actual, _expected_float(wrong), rel_tol=rtol, abs_tol=atol):
            raise GradingError(f"`{name}` = {actual:.4g} is not right: {advice}")
    raise GradingError(f"`{name}` = {actual:.4g} is not the expected value.")


def check_series(
    value: object,
    expected: pd.Series,
    name: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> None:
    """Fail unless ``value`` is a pandas Series of numbers with ``expected``'s labels and close
    values."""
    if type(value) is not pd.Series:
        raise GradingError(
            f"`{name}` should be a pandas Series indexed by group, not a {_kind(value)}."
        )
    if type(expected) is not pd.Series:
        raise TypeError(f"the expected value must be a pandas Series, not {type(expected).__name__}")
    labels = list(value.index)
    if not all(is_label(k) for k in labels):
        bad = next(k for k in labels if not is_label(k))
        raise GradingError(f"`{name}` should be indexed by plain group labels, not a {_kind(bad)}.")
    want = [str(k) for k in expected.index]
    got = [str(k) for k in labels]
    if sorted(want) != sorted(got):
        raise GradingError(
            f"`{name}` should have one entry per group {sorted(set(want))}, but its index is "
            f"{sorted(got)}."
        )
    values = dict(zip(got, numeric_values(value, name), strict=True))
    for key, want_value in zip(want, numeric_values(expected, "expected"), strict=True):
        got_value = values[key]
        if math.isnan(got_value):
            raise GradingError(f"`{name}[{key!r}]` is NaN: check for an empty group.")
        if not math.isclose(got_value, want_value, rel_tol=rtol, abs_tol=atol):
            raise GradingError(f"`{name}[{key!r}]` = {got_value:.4g} is not the expected value.")


def check_choice(value: object, expected: str, name: str, options: Iterable[str]) -> None:
    """Fail unless ``value`` is the string ``expected`` (one of ``options``)."""
    options = list(options)
    if type(value) is not str:
        raise GradingError(f"`{name}` should be one of the strings {options}, not a {_kind(value)}.")
    if value not in options:
        raise GradingError(f"`{name}` = {value!r} is not one of the options {options}.")
    if value != expected:
        raise GradingError(f"`{name}` = {value!r} is not the best choice; re-read the question.")


def check_true(condition: object, message: str) -> None:
    """Fail with ``message`` unless ``condition`` is exactly ``True`` (a real bool)."""
    if not (type(condition) in (bool, np.bool_) and bool(condition)):
        raise GradingError(message)
