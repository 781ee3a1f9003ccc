"""Show a failed check as one clear line in IPython, instead of a traceback into the package.

The line is still an error output (``ename`` ``GradingError``, ``evalue`` the message), so
nbgrader and the grading engine score and read it exactly as before.
"""

from __future__ import annotations

import sys

from ._checks import GradingError

__all__ = ["install"]

_RED, _RESET = "\x1b[31m", "\x1b[0m"


def _one_line(shell, etype, value, tb, tb_offset=None) -> list[str]:
    stb = [f"{_RED}{etype.__name__}: {value}{_RESET}"]
    shell._showtraceback(etype, value, stb)  # the kernel sends it as the cell's error output
    return stb


def install() -> bool:
    """Register the one-line display with the running IPython shell; True when it is active."""
    ipython = sys.modules.get("IPython")  # never import IPython just to find no shell
    shell = ipython.get_ipython() if ipython else None
    if shell is None:
        return False
    if GradingError in shell.custom_exceptions:
        return True
    if shell.custom_exceptions:  # someone else's handler: leave it in place
        return False
    shell.set_custom_exc((GradingError,), _one_line)
    return True
