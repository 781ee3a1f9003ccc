"""The course's labs: found in ``solutions/``, released into ``labs/`` by nbgrader."""

from __future__ import annotations

import filecmp
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from fnmatch import fnmatch
from importlib.metadata import version
from pathlib import Path

from . import paths

__all__ = [
    "NOT_RELEASED",
    "STAMP",
    "diff_release",
    "generate",
    "is_current",
    "lab_names",
    "notebooks",
    "release_into",
    "released_files",
    "write_nbgrader_config",
]

#: Files kept beside a solution that never reach learners.
NOT_RELEASED = [
    "wrong_answers.yml", "headlines.yml", "README.md", "reports",
    ".ipynb_checkpoints", "__pycache__", "*.pyc", ".release.json",
]
#: Written beside each release: the hash of its source and of each released file.
STAMP = ".release.json"


def lab_names(root: Path | None = None) -> list[str]:
    """Every lab in ``solutions/`` (a directory ``NN_name`` holding a notebook), in order."""
    root = root or paths.solutions_dir()
    if not root.is_dir():
        return []
    return sorted(
        d.name for d in root.iterdir()
        if d.is_dir() and d.name[:2].isdigit() and any(d.glob("*.ipynb"))
    )


def notebooks(lab: str, root: Path | None = None) -> list[Path]:
    """The notebooks of one lab, sorted by name."""
    root = root or paths.solutions_dir()
    folder = root / lab
    if not folder.is_dir():
        raise FileNotFoundError(f"No lab {lab!r} in {root}; labs are: {', '.join(lab_names(root))}")
    return sorted(folder.glob("*.ipynb"))


def _config_text(root: str) -> str:
    return (
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.root = {root!r}\n"
        "c.CourseDirectory.course_id = 'fairlab'\n"
        f"c.CourseDirectory.ignore = {NOT_RELEASED!r}\n"
        "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\\nraise NotImplementedError()'}\n"
        "c.ClearSolutions.text_stub = 'YOUR ANSWER HERE'\n"
        "c.Exchange.assignment_dir = '.'\n"
    )


def write_nbgrader_config(course: Path, *, extra: str = "") -> Path:
    """Write a minimal ``nbgrader_config.py`` for a course directory rooted at ``course``."""
    course.mkdir(parents=True, exist_ok=True)
    config = course / "nbgrader_config.py"
    config.write_text(_config_text(str(course.resolve())) + extra)
    return config


def released_files(folder: Path) -> list[Path]:
    """Files under ``folder`` that a release would contain (``NOT_RELEASED`` left out)."""
    def kept(path: Path) -> bool:
        parts = path.relative_to(folder).parts
        return not any(fnmatch(part, pat) for part in parts for pat in NOT_RELEASED)
    return sorted(p for p in folder.rglob("*") if p.is_file() and kept(p))


def _file_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in released_files(folder)}


def _source_hash(lab: str, source_root: Path) -> str:
    inputs = [version("nbgrader"), _config_text("."), _file_hashes(source_root / lab)]
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def is_current(lab: str, *, dest: Path | None = None, source_root: Path | None = None) -> bool:
    """True when ``dest/lab`` is the release of the current source (by content hashes)."""
    target = (dest or paths.labs_dir()) / lab
    try:
        stamp = json.loads((target / STAMP).read_text())
    except (OSError, ValueError):
        return False
    return (stamp.get("source") == _source_hash(lab, source_root or paths.solutions_dir())
            and stamp.get("files") == _file_hashes(target))


def release_into(lab: str, course: Path, *, source_root: Path | None = None) -> Path:
    """Run ``nbgrader generate_assignment`` for ``lab`` in ``course``; return the release dir."""
    source_root = source_root or paths.solutions_dir()
    src = course / "source" / lab
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(source_root / lab, src, ignore=shutil.ignore_patterns(*NOT_RELEASED))
    if not (course / "nbgrader_config.py").is_file():
        write_nbgrader_config(course)
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force",
           "--log-level=WARN"]
    result = subprocess.run(cmd, cwd=course, capture_output=True, text=True, env=paths.tool_env())
    if result.returncode != 0:
        raise RuntimeError(
            f"nbgrader generate_assignment {lab} failed:\n{result.stdout}\n{result.stderr}"
        )
    return course / "release" / lab


def generate(labs: list[str] | None = None, *, dest: Path | None = None,
             source_root: Path | None = None, force: bool = True,
             progress: Callable[[str], None] | None = None) -> list[Path]:
    """Generate student versions of ``labs`` (default: all) into ``dest`` (default ``labs/``).

    With ``force=False`` a lab whose release is current (``is_current``) is left as it is.
    Returns the lab folders written.
    """
    dest = dest or paths.labs_dir()
    source_root = source_root or paths.solutions_dir()
    names = labs or lab_names(source_root)
    todo = [n for n in names if force or not is_current(n, dest=dest, source_root=source_root)]
    if progress:
        progress(f"labs: {len(names) - len(todo)} of {len(names)} up to date"
                 + (f", generating {len(todo)}" if todo else ""))
    written = []
    with tempfile.TemporaryDirectory(prefix="fairlab-release-") as tmp:
        course = Path(tmp)
        write_nbgrader_config(course)
        for i, lab in enumerate(todo, 1):
            if progress:
                progress(f"  [{i}/{len(todo)}] {lab} …")
            release = release_into(lab, course, source_root=source_root)
            stamp = {"source": _source_hash(lab, source_root), "files": _file_hashes(release)}
            (release / STAMP).write_text(json.dumps(stamp, indent=1, sort_keys=True) + "\n")
            target = dest / lab
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(release, target)
            written.append(target)
    return written


def diff_release(lab: str, *, dest: Path | None = None,
                 source_root: Path | None = None) -> list[str]:
    """Files that differ between a fresh release of ``lab`` and ``dest/lab`` (empty: no drift)."""
    dest = dest or paths.labs_dir()
    with tempfile.TemporaryDirectory(prefix="fairlab-drift-") as tmp:
        fresh = generate([lab], dest=Path(tmp), source_root=source_root)[0]
        return _differences(fresh, dest / lab)


def _differences(a: Path, b: Path) -> list[str]:
    if not b.is_dir():
        return [f"{b} is missing"]
    # The stamp only saves regeneration work; a stale one is never drift.
    cmp = filecmp.dircmp(a, b, ignore=["__pycache__", ".ipynb_checkpoints", "reports", STAMP])
    out = [f"only in fresh release: {n}" for n in cmp.left_only]
    out += [f"only in {b}: {n}" for n in cmp.right_only]
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    out += [f"differs: {n}" for n in mismatch + errors]
    for sub in cmp.common_dirs:
        out += _differences(a / sub, b / sub)
    return out
