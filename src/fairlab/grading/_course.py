"""The course directory: nbgrader's layout plus ``fairlab/`` for receipts, raw files and results.

``source/`` and ``release/`` are nbgrader's; the grading template of a notebook is its release
version plus the hidden tests of its source version, and nothing else.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
from traitlets.config.loader import PyFileConfigLoader

from .. import labs, paths
from ._align import role

__all__ = [
    "DEFAULTS",
    "assignment_notebooks",
    "course_path",
    "grading_config",
    "init_course",
    "locked",
    "release",
    "solution_bytes",
    "state_dir",
    "templates",
]

#: Grading limits; override any of them in ``<course>/grading.toml`` under ``[grading]``.
DEFAULTS = {
    "cell_timeout": 60.0,
    "wall_seconds": 600.0,
    "memory_mib": 2048,
    "file_mib": 256,
    "output_kib": 1024,
    "interrupt_grace": 5.0,
    "read_only": [],
}
_SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def course_path(value: str | os.PathLike | None) -> Path:
    """The course directory from ``--course`` (default: ``paths.course_dir()``)."""
    return Path(value).expanduser().resolve() if value else paths.course_dir()


def state_dir(course: Path) -> Path:
    """Where fairlab keeps receipts, raw files and results inside a course directory."""
    return course / "fairlab"


def init_course(dest: Path, solutions: Path | None = None) -> list[str]:
    """Make ``dest`` a self-contained course: nbgrader config, grading.toml, ``source/``.

    An existing ``nbgrader_config.py`` or ``grading.toml`` is kept; ``source/`` is refreshed.
    """
    solutions = solutions or paths.solutions_dir()
    if not (dest / "nbgrader_config.py").is_file():
        labs.write_nbgrader_config(dest)
    config = dest / "grading.toml"
    if not config.exists():
        lines = ["[grading]"] + [f"{k} = {json.dumps(v)}" for k, v in DEFAULTS.items()]
        config.write_text("\n".join(lines) + "\n")
    names = labs.lab_names(solutions)
    for name in names:
        target = dest / "source" / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(solutions / name, target,
                        ignore=shutil.ignore_patterns(*labs.NOT_RELEASED))
    state_dir(dest).mkdir(exist_ok=True)
    return names


def grading_config(course: Path, *, sandbox: bool = True) -> dict:
    """The job config: limits from ``grading.toml`` and what the sandbox may see."""
    values = dict(DEFAULTS)
    file = course / "grading.toml"
    if file.is_file():
        values.update(tomllib.loads(file.read_text()).get("grading", {}))
    read_only = [str(Path(p).expanduser()) for p in values["read_only"]]
    env, hidden = {}, []
    if paths.data_dir().is_dir():
        read_only.append(str(paths.data_dir()))
        env["FAIRLAB_DATA"] = str(paths.data_dir())
        hidden += [str(p) for p in paths.data_dir().glob("instructor*")]
    if paths.datasets_dir().is_dir():
        # The datasheets (a lab may display one, as `load_*().DESCR`); public, like the package.
        read_only.append(str(paths.datasets_dir()))
        env["FAIRLAB_DATASETS"] = str(paths.datasets_dir())
    return {
        "cell_timeout": float(values["cell_timeout"]),
        "wall_seconds": float(values["wall_seconds"]),
        "memory_bytes": int(values["memory_mib"]) << 20,
        "file_bytes": int(values["file_mib"]) << 20,
        "output_bytes": int(values["output_kib"]) << 10,
        "interrupt_grace": float(values["interrupt_grace"]),
        "read_only": read_only,
        "hidden": hidden,
        "env": env,
        "sandbox": sandbox,
    }


def release(course: Path, assignment: str) -> Path:
    """``nbgrader generate_assignment`` (and ``release_assignment`` when an exchange is set)."""
    if not (course / "source" / assignment).is_dir():
        raise FileNotFoundError(f"no source/{assignment} in {course}")
    steps = [["generate_assignment", assignment, "--force"]]
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    if "root" in config.get("Exchange", {}):
        steps.append(["release_assignment", assignment, "--force"])
    for step in steps:
        done = subprocess.run([sys.executable, "-m", "nbgrader", *step, "--log-level=WARN"],
                              cwd=course, capture_output=True, text=True, env=paths.tool_env())
        if done.returncode != 0:
            raise RuntimeError(f"nbgrader {step[0]} failed:\n{done.stdout}\n{done.stderr}")
    return course / "release" / assignment


def assignment_notebooks(course: Path, assignment: str) -> list[str]:
    """Notebook names (without ``.ipynb``) of a released assignment."""
    folder = course / "release" / assignment
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{assignment} is not released in {course}: run `fairlab grade release {assignment}`")
    return sorted(p.stem for p in folder.glob("*.ipynb"))


def templates(course: Path, assignment: str) -> dict[str, dict]:
    """Per notebook: its release version, the hidden-test source of each test cell, a hash."""
    out = {}
    for name in assignment_notebooks(course, assignment):
        release_nb = json.loads((course / "release" / assignment / f"{name}.ipynb").read_text())
        for cell in release_nb["cells"]:
            cell["source"] = "".join(cell["source"]) if isinstance(cell["source"], list) \
                else cell["source"]
        source_nb = nbformat.read(course / "source" / assignment / f"{name}.ipynb", 4)
        tests = {c.metadata.nbgrader.grade_id: c.source for c in source_nb.cells
                 if role(c) == "test"}
        digest = hashlib.sha256(json.dumps([release_nb, tests], sort_keys=True).encode())
        out[name] = {"release": release_nb, "tests": tests, "sha256": digest.hexdigest(),
                     "source": source_nb}
    return out


def solution_bytes(template: dict, answers: dict[str, str] | None = None,
                   extra_cells: tuple[str, ...] = ()) -> bytes:
    """The release notebook with every answer filled in from the source (or from ``answers``,
    by grade id), then ``extra_cells`` of code: a perfect submission unless told otherwise."""
    given = answers or {}
    answers = {c.metadata.nbgrader.grade_id: c.source for c in template["source"].cells
               if role(c) == "answer"}
    nb = nbformat.from_dict(json.loads(json.dumps(template["release"])))
    for cell in nb.cells:
        gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if gid in given and role(cell) == "answer":
            cell.source = given[gid]
        elif gid in answers and role(cell) == "answer":
            cell.source = "\n".join(line for line in answers[gid].splitlines()
                                    if not _SOLUTION.match(line))
    nb.cells += [nbformat.v4.new_code_cell(code) for code in extra_cells]
    return nbformat.writes(nb).encode()


@contextmanager
def locked(course: Path) -> Iterator[None]:
    """Hold the course's grading lock: one coordinator (one gradebook writer) at a time."""
    state_dir(course).mkdir(parents=True, exist_ok=True)
    with open(state_dir(course) / "lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another `fairlab grade` is running on {course}") from None
        yield
