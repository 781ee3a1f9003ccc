"""Grading: helpers for hidden tests, and the parallel sandboxed autograding engine."""

from ._checks import GradingError, check_choice, check_number, check_series, check_true
from ._display import install as _install_display
from ._helpers import check_array, check_frame

__all__ = [
    "GradingError",
    "check_array",
    "check_choice",
    "check_frame",
    "check_number",
    "check_series",
    "check_true",
]

_install_display()
