"""Fairlab."""

from __future__ import annotations

import os


def check(notebook: str | os.PathLike | None = None) -> None:
    """Check this lab notebook, as last saved, with the hidden tests: pass or fail and a hint."""
    from .selfcheck import check as run

    run(notebook)
