"""Checks for hidden tests: strict about types (an object that claims to equal everything
fails), tolerant about floating point, and written so the failure message teaches."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["GradingError", "check_choice", "check_number", "check_series", "check_true"]


class GradingError(AssertionError):
    """A hidden test failed; the message is shown to the learner."""


def _as_float(value: object, name: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | np.number):
        raise GradingError(
            f"`{name}` should be a number, but it is a {type(value).__name__} ({value!r:.80})."
        )
    result = float(value)
    if math.isnan(result):
        raise GradingError(f"`{name}` is NaN: check for an empty group or a division by zero.")
    return result


def check_number(
    value: object,
    expected: float,
    name: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    hints: Mapping[float, str] | None = None,
) -> None:
    """Fail unless ``value`` is a real number within tolerance of ``expected``.

    ``hints`` maps the value a known mistake produces to the advice that mistake needs; when
    ``value`` matches one of them, that advice is the failure message.
    """
    actual = _as_float(value, name)
    if math.isclose(actual, expected, rel_tol=rtol, abs_tol=atol):
        return
    for wrong, advice in (hints or {}).items():
        if math.isclose(actual, wrong, rel_tol=rtol, abs_tol=atol):
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
    """Fail unless ``value`` is a pandas Series with ``expected``'s labels and close values."""
    if not isinstance(value, pd.Series):
        raise GradingError(
            f"`{name}` should be a pandas Series indexed by group, not a {type(value).__name__}."
        )
    want = {str(k) for k in expected.index}
    got = {str(k) for k in value.index}
    if want != got:
        raise GradingError(
            f"`{name}` should have one entry per group {sorted(want)}, but its index is "
            f"{sorted(got)}."
        )
    lookup = {str(k): v for k, v in value.items()}
    for key, want_value in expected.items():
        got_value = _as_float(lookup[str(key)], f"{name}[{key!r}]")
        if not math.isclose(got_value, float(want_value), rel_tol=rtol, abs_tol=atol):
            raise GradingError(f"`{name}[{key!r}]` = {got_value:.4g} is not the expected value.")


def check_choice(value: object, expected: str, name: str, options: Iterable[str]) -> None:
    """Fail unless ``value`` is the string ``expected`` (one of ``options``)."""
    options = list(options)
    if type(value) is not str:
        raise GradingError(f"`{name}` should be one of the strings {options}, not {value!r:.80}.")
    if value not in options:
        raise GradingError(f"`{name}` = {value!r} is not one of the options {options}.")
    if value != expected:
        raise GradingError(f"`{name}` = {value!r} is not the best choice; re-read the question.")


def check_true(condition: object, message: str) -> None:
    """Fail with ``message`` unless ``condition`` is exactly ``True`` (a real bool)."""
    if not (type(condition) in (bool, np.bool_) and bool(condition)):
        raise GradingError(message)
