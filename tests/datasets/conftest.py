"""Build every dataset once per session into a temporary directory; point tests at it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fairlab import datasets


@pytest.fixture(scope="session")
def _session_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FAIRLAB_DATA", str(root))
        datasets.build()
    return root


@pytest.fixture
def built(_session_data: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The session's built data (read-only by convention); FAIRLAB_DATA points at it."""
    monkeypatch.setenv("FAIRLAB_DATA", str(_session_data))
    return _session_data


@pytest.fixture
def scratch(_session_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built data, safe to tamper with."""
    root = tmp_path / "data"
    shutil.copytree(_session_data, root)
    monkeypatch.setenv("FAIRLAB_DATA", str(root))
    return root
