"""Every location resolves inside the checkout and can be moved by an environment variable."""

from __future__ import annotations

import pytest

from fairlab import paths


def test_repo_root_holds_the_project():
    root = paths.repo_root()
    assert (root / "pyproject.toml").is_file() and (root / "src" / "fairlab").is_dir()


@pytest.mark.parametrize(
    ("func", "var", "default"),
    [
        (paths.data_dir, "FAIRLAB_DATA", "data"),
        (paths.solutions_dir, "FAIRLAB_SOLUTIONS", "solutions"),
        (paths.labs_dir, "FAIRLAB_LABS", "labs"),
        (paths.course_dir, "FAIRLAB_COURSE", "autograder"),
        (paths.datasets_dir, "FAIRLAB_DATASETS", "datasets"),
        (paths.workspace_dir, "FAIRLAB_WORKSPACE", "workspace"),
    ],
)
def test_override_by_environment(func, var, default, monkeypatch, tmp_path):
    monkeypatch.delenv(var, raising=False)
    assert func() == paths.repo_root() / default
    monkeypatch.setenv(var, str(tmp_path / "elsewhere"))
    assert func() == (tmp_path / "elsewhere").resolve()


def test_tool_env_puts_this_interpreter_first():
    import sys
    from pathlib import Path

    env = paths.tool_env(EXTRA="1")
    assert env["PATH"].split(":")[0] == str(Path(sys.executable).parent)
    assert env["EXTRA"] == "1"
