"""More checks for hidden tests: arrays and DataFrames, strict about types, with messages that
tell the learner what to look at (shape, columns, index, the first wrong value)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import NUMBER_TYPES, GradingError, is_label, is_plain, numeric_values

__all__ = ["check_array", "check_frame"]


def check_array(value: object, expected: object, name: str, *, rtol: float = 1e-6,
                atol: float = 1e-9) -> None:
    """Fail unless ``value`` is a numeric numpy array of ``expected``'s shape with close values."""
    want = np.asarray(expected, dtype=float)
    if type(value) is not np.ndarray:
        raise GradingError(f"`{name}` should be a numpy array, not a {type(value).__name__}.")
    if value.shape != want.shape:
        raise GradingError(f"`{name}` has shape {value.shape}, but it should be {want.shape}.")
    if value.dtype.kind not in "biuf":
        raise GradingError(f"`{name}` should hold numbers, but its dtype is {value.dtype}.")
    got = value.astype(float)
    close = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=False)
    if not bool(np.all(close)):
        where = tuple(int(i) for i in np.argwhere(~close)[0])
        raise GradingError(f"`{name}`{list(where)} = {got[where]:.4g} is not the expected value.")


def check_frame(value: object, expected: pd.DataFrame, name: str, *, check_order: bool = False,
                rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Fail unless ``value`` is a DataFrame with ``expected``'s columns, index and close values."""
    if type(value) is not pd.DataFrame:
        raise GradingError(f"`{name}` should be a pandas DataFrame, not a {type(value).__name__}.")
    for what, labels in (("columns", value.columns), ("index", value.index)):
        if not all(is_label(k) for k in labels):
            raise GradingError(f"the {what} of `{name}` should be plain labels (strings, numbers).")
    want_cols, got_cols = [str(c) for c in expected.columns], [str(c) for c in value.columns]
    if sorted(want_cols) != sorted(got_cols) or (check_order and want_cols != got_cols):
        raise GradingError(f"`{name}` should have the columns {want_cols}, not {got_cols}.")
    if sorted(map(str, expected.index)) != sorted(map(str, value.index)):
        raise GradingError(f"`{name}` has {len(value)} rows with index {list(value.index)[:5]}…, "
                           f"but the expected rows are {list(expected.index)[:5]}….")
    got = value.copy()
    got.columns, got.index = got_cols, [str(i) for i in got.index]
    want = expected.copy()
    want.columns, want.index = want_cols, [str(i) for i in want.index]
    got = got.loc[want.index, want_cols]
    for column in want_cols:
        a, b = got[column], want[column]
        if pd.api.types.is_numeric_dtype(b.dtype):
            if pd.api.types.is_bool_dtype(a.dtype) != pd.api.types.is_bool_dtype(b.dtype):
                raise GradingError(f"column `{column}` of `{name}` should hold numbers like "
                                   f"{b.iloc[0]!r}, but its dtype is {a.dtype}.")
            if pd.api.types.is_bool_dtype(a.dtype):
                a = a.astype(int)
            try:
                got_values = numeric_values(a, f"column {column!r} of {name}")
            except GradingError:
                raise GradingError(f"column `{column}` of `{name}` should hold numbers like "
                                   f"{b.iloc[0]!r}, but its dtype is {a.dtype}.") from None
            ok = np.isclose(got_values, b.to_numpy(float), rtol=rtol, atol=atol, equal_nan=True)
        else:
            if not all(is_plain(x) for x in a):
                raise GradingError(f"column `{column}` of `{name}` should hold plain values "
                                   "(strings, numbers, or lists of them).")
            ok = np.array([str(x) == str(y) for x, y in zip(a, b, strict=True)])
        if not ok.all():
            row = want.index[int(np.argmin(ok))]
            value = a[row]
            shown = f"{float(value):.4g}" if type(value) in NUMBER_TYPES else repr(value)
            raise GradingError(f"`{name}` row {row}, column {column!r} is {shown}; "
                               "that is not the expected value.")
