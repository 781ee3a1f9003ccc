"""Grading: helpers for hidden tests (and, in the engine, parallel sandboxed autograding)."""

from ._checks import GradingError, check_choice, check_number, check_series, check_true

__all__ = ["GradingError", "check_choice", "check_number", "check_series", "check_true"]
