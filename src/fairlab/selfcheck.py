"""Check a learner's saved notebook with the course's hidden tests, through the grading engine.

The notebook is graded exactly as an instructor would grade it (``grading._job.grade``: locked
cells and tests restored from the release, hidden tests added, sandboxed when bubblewrap is
installed). The learner sees, per exercise, pass or fail and the test's own message: never the
hidden test code, the graded notebook or the solution.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from . import labs, paths

__all__ = ["GRADING_ENV", "check", "check_notebook", "find_lab", "format_report", "latest_notebook"]

#: Set in the grading kernel, so that a ``fairlab.check()`` cell does nothing while it is graded.
GRADING_ENV = "FAIRLAB_GRADING"


def find_lab(notebook: Path, release_root: Path | None = None) -> tuple[str, str]:
    """The lab and the release notebook (stem) that ``notebook`` is a copy of."""
    release_root = release_root or paths.labs_dir()
    lab = notebook.resolve().parent.name
    if lab not in labs.lab_names(release_root):
        raise LookupError(f"{notebook} is not in a lab folder (one of {release_root}/NN_name)")
    stems = sorted((p.stem for p in labs.notebooks(lab, release_root)), key=len, reverse=True)
    stem = next((s for s in stems if notebook.stem == s or notebook.stem.startswith(s + ".")),
                None)
    if stem is None:
        raise LookupError(f"{notebook.name} is not one of the notebooks of {lab}: "
                          f"{', '.join(s + '.ipynb' for s in stems)}")
    return lab, stem


def latest_notebook(workspace: Path | None = None) -> Path:
    """The most recently saved lab notebook in the workspace."""
    workspace = workspace or paths.workspace_dir()
    found = [p for p in workspace.glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    if not found:
        raise LookupError(f"no lab notebook in {workspace}: run `make lab` first")
    return max(found, key=lambda p: p.stat().st_mtime)


def _template(lab: str, stem: str, release_root: Path, solutions_root: Path) -> dict:
    from .grading import _course

    with tempfile.TemporaryDirectory(prefix="fairlab-check-") as tmp:
        course = Path(tmp)
        ignore = shutil.ignore_patterns(*labs.NOT_RELEASED)
        shutil.copytree(solutions_root / lab, course / "source" / lab, ignore=ignore)
        shutil.copytree(release_root / lab, course / "release" / lab, ignore=ignore)
        return _course.templates(course, lab)[stem]


def check_notebook(notebook: Path, *, sandbox: bool | None = None) -> dict:
    """Grade the saved ``notebook``; the engine's result plus ``mode`` and ``note`` for the learner.

    ``result["hidden_tests"]`` is False (and nothing is graded) where the solutions are absent.
    """
    from .grading import _course, _job, _sandbox

    notebook = Path(notebook).resolve()
    lab, stem = find_lab(notebook)
    solutions = paths.solutions_dir()
    base = {"notebook": str(notebook), "lab": lab, "saved": notebook.stat().st_mtime}
    if not (solutions / lab / f"{stem}.ipynb").is_file():
        return dict(base, hidden_tests=False, cells=[], mode="", note="")
    template = _template(lab, stem, paths.labs_dir(), solutions)
    if sandbox is None:
        sandbox = _sandbox.bwrap_path() is not None
    note = "" if sandbox else ("bubblewrap is not installed, so your notebook ran without the "
                               "grading sandbox (fine for your own work)")
    config = _course.grading_config(paths.course_dir(), sandbox=sandbox)
    config["env"][GRADING_ENV] = "1"
    job = {"student": "you", "assignment": lab, "notebook": stem, "release": template["release"],
           "tests": template["tests"], "submission": notebook.read_bytes(), "config": config}
    result = _job.grade(job)
    if sandbox and result["status"] == "error":
        note = f"the grading sandbox could not start ({result['reason']}), so it ran without it"
        result = _job.grade(dict(job, config=dict(config, sandbox=False)))
    # The graded notebook holds the hidden tests and their tracebacks: it is never shown.
    todo = _unanswered(result.pop("graded_notebook", None))
    for cell in result["cells"]:
        cell["unanswered"] = cell["grade_id"] in todo
    return dict(result, **base, hidden_tests=True, mode="sandbox" if sandbox else "local",
                note=note)


def _unanswered(graded: str | None) -> set[str]:
    """Test cells whose answer cell (the one before them) still raises NotImplementedError."""
    import nbformat

    from .grading._align import role

    if not graded:
        return set()
    todo, blank = set(), False
    for cell in nbformat.reads(graded, 4).cells:
        kind = role(cell)
        if kind == "answer":
            blank = any(o.get("ename") == "NotImplementedError" for o in cell.get("outputs", []))
        elif kind == "test" and blank:  # every test up to the next answer cell relies on it
            todo.add(cell.metadata.nbgrader.grade_id)
    return todo


def _name(grade_id: str) -> str:
    return grade_id.removesuffix("_tests").replace("_", " ")


def format_report(result: dict) -> str:
    """What the learner reads: one line per exercise, pass or fail and the test's message."""
    saved = time.strftime("%H:%M:%S", time.localtime(result["saved"]))
    shown = Path(result["notebook"])
    if shown.is_relative_to(paths.workspace_dir()):
        shown = shown.relative_to(paths.workspace_dir())
    lines = [f"Checked {shown} as saved at {saved}."]
    if not result["hidden_tests"]:
        lines.append("The course's hidden tests are not part of this installation: your "
                     "instructor grades your answers when you submit them.")
        return "\n".join(lines)
    auto = [c for c in result["cells"] if c["kind"] != "manual"]
    width = max((len(_name(c["grade_id"])) for c in auto), default=0)
    for cell in auto:
        ok = cell["points"] >= cell["max_points"]
        mark = "PASS" if ok else "TODO" if cell.get("unanswered") else "FAIL"
        line = f"  {mark}  {_name(cell['grade_id']):<{width}}  {cell['points']:g}/{cell['max_points']:g}"
        if mark == "TODO":
            line += "  not answered yet"
        elif not ok:
            line += f"  {cell['message'] or 'this exercise does not pass yet.'}"
        lines.append(line)
    manual = [c for c in result["cells"] if c["kind"] == "manual"]
    if manual:
        names = ", ".join(_name(c["grade_id"]) for c in manual)
        lines.append(f"  ....  written answers ({names}): graded by your instructor")
    score = sum(c["points"] for c in auto)
    total = sum(c["max_points"] for c in auto)
    lines.append(f"{score:g} of {total:g} points on the exercises checked automatically.")
    if result["status"] != "graded":
        lines.append(f"Note ({result['status']}): {result['reason']}")
    if result["note"]:
        lines.append(f"Note: {result['note']}.")
    return "\n".join(lines)


def _session_notebook(name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else Path.cwd() / path.name


def check(notebook: str | os.PathLike | None = None) -> None:
    """Check this notebook (as last saved) with the hidden tests and print the result."""
    if os.environ.get(GRADING_ENV):
        print("(fairlab.check() does nothing while the notebook is being graded)")
        return
    session = os.environ.get("JPY_SESSION_NAME")
    if notebook is None and not session:
        print("fairlab.check() finds its notebook through JupyterLab; here, pass the path: "
              "fairlab.check('01_fairness_metrics.ipynb'), or run `make check` in a terminal.")
        return
    path = Path(notebook) if notebook else _session_notebook(session)
    print(f"Checking {path.name} as last saved (save first: Ctrl+S); this runs the whole "
          "notebook in a fresh kernel, which takes a minute…", flush=True)
    print(format_report(check_notebook(path)))
