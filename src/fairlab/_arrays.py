"""The one array coercion the metric helpers share."""

from __future__ import annotations

import numpy as np
import pandas as pd


def as_array(values: object) -> np.ndarray:
    """``values`` as a numpy array (a Series or Index by its values, not its index)."""
    return np.asarray(values.to_numpy() if isinstance(values, pd.Series | pd.Index) else values)
