"""Tools for lab authors: build submissions from a solution, grade them with the production
engine, and prove that every graded exercise rejects its plausible wrong answers."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

from . import labs, paths

__all__ = [
    "GradedLab",
    "ENGINE_PREFIX",
    "Grades",
    "WrongAnswer",
    "grade_lab",
    "graded_exercises",
    "headline_problems",
    "headlines",
    "make_submission",
    "problems",
    "read_headlines",
    "run_problems",
    "solution_region",
    "substitute",
    "with_headline_probe",
    "wrong_answers",
]

WRONG_ANSWERS = "wrong_answers.yml"
HEADLINES = "headlines.yml"
_HEADLINE_MARK = "FAIRLAB-HEADLINES:"
_SOLUTION = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.MULTILINE)
_REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION[ \t]*\n?",
                     re.DOTALL | re.MULTILINE)

#: Students graded by the engine as well as on the forked path carry this prefix.
ENGINE_PREFIX = "engine-"
# The engine's defaults, but room for every figure a solution draws (output is capped per cell
# for learners; the headline probe prints after the last figure).
_TEST_LIMITS = {"output_kib": 16384}

#: student -> grade_id -> (score, max_score); score is None for manually graded cells.
Grades = dict[str, dict[str, tuple[float | None, float]]]


def solution_region(source: str) -> str:
    """The code between a cell's solution markers, dedented (as a wrong answer is written)."""
    match = _REGION.search(source)
    if match is None:
        raise ValueError("the cell has no ### BEGIN SOLUTION / ### END SOLUTION region")
    return textwrap.dedent(match.group(2))


def substitute(source: str, code: str) -> str:
    """``source`` with its solution region replaced by ``code``, re-indented to the region's
    indentation (so code written flush-left fits a region inside a function body)."""
    def fill(match: re.Match) -> str:
        body = textwrap.dedent(code).strip("\n") + "\n"
        return textwrap.indent(body, match.group(1))

    return _REGION.sub(fill, source, count=1)


@dataclass(frozen=True)
class GradedLab:
    """What grading a lab produced: everyone's grades, and the solution as nbgrader ran it."""

    grades: Grades
    #: notebook file name -> the solution after autograding (with outputs and the headline probe)
    solution: dict[str, nbformat.NotebookNode]
    #: the engine's results (status, reason, cells) of everything it graded, one per notebook
    results: list[dict]
    #: student -> how its wrong answer (or a ``control-<cell>``) ran: see :func:`run_problems`
    runs: dict[str, dict]


@dataclass(frozen=True)
class WrongAnswer:
    """A plausible mistake: code that replaces one answer cell's solution region."""

    lab: str
    notebook: str
    cell: str
    exercise: str
    why: str
    code: str
    #: the exception type this wrong answer is meant to raise (in its answer cell, or at its test
    #: cell instead of a check's assertion)
    raises: str | None = None

    @property
    def student(self) -> str:
        """A student id naming this wrong answer (used when grading it)."""
        digest = hashlib.sha256(f"{self.why}\n{self.code}".encode()).hexdigest()[:8]
        return f"wrong-{self.cell}-{digest}"


def _grade_cells(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if "nbgrader" in c.metadata and "grade_id" in c.metadata["nbgrader"]}


def graded_exercises(lab: str, *, source_root: Path | None = None) -> dict[str, float]:
    """Autograded test cells of a lab (``grade_id`` -> points), across its notebooks."""
    out = {}
    for path in labs.notebooks(lab, source_root):
        for gid, cell in _grade_cells(nbformat.read(path, as_version=4)).items():
            meta = cell.metadata["nbgrader"]
            if meta.get("grade") and not meta.get("solution") and cell.cell_type == "code":
                out[gid] = float(meta.get("points", 0))
    return out


def wrong_answers(lab: str, *, source_root: Path | None = None) -> list[WrongAnswer]:
    """The wrong answers kept beside a lab's solution in ``wrong_answers.yml``."""
    root = source_root or paths.solutions_dir()
    path = root / lab / WRONG_ANSWERS
    if not path.is_file():
        return []
    entries = yaml.safe_load(path.read_text()) or []
    default_nb = labs.notebooks(lab, root)[0].name
    return [
        WrongAnswer(lab=lab, notebook=e.get("notebook", default_nb), cell=e["cell"],
                    exercise=e["exercise"], why=e["why"], code=e["code"], raises=e.get("raises"))
        for e in entries
    ]


def make_submission(
    lab: str,
    replacements: dict[str, str] | None = None,
    *,
    blank: bool = False,
    until: str | None = None,
    source_root: Path | None = None,
) -> dict[str, nbformat.NotebookNode]:
    """Notebooks a student would hand in: the solution's answers (or none, with ``blank``),
    with the solution region of the cells named in ``replacements`` swapped for other code;
    with ``until``, the notebook holding that grade cell ends with it."""
    replacements = replacements or {}
    out = {}
    for path in labs.notebooks(lab, source_root):
        nb = nbformat.read(path, as_version=4)
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
        if until is not None and until in ids:
            nb.cells = nb.cells[: ids.index(until) + 1]
        for gid, cell in _grade_cells(nb).items():
            if not cell.metadata["nbgrader"].get("solution"):
                continue
            if gid in replacements:
                cell.source = substitute(cell.source, replacements[gid])
            elif blank:
                cell.source = substitute(cell.source, "YOUR ANSWER HERE" if cell.cell_type ==
                                         "markdown" else "# YOUR CODE HERE\nraise NotImplementedError()")
            cell.source = _SOLUTION.sub("", cell.source)
        # What students hand in never contains hidden tests.
        for cell in nb.cells:
            cell.source = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "",
                                 cell.source, flags=re.DOTALL)
        out[path.name] = nb
    return out


def grade_lab(lab: str, *, source_root: Path | None = None) -> GradedLab:
    """Grade the solution (with the headline probe), the blank release and the first wrong
    answer of each notebook with the production engine (sandbox and runtime guard on, as an
    assessor grades), and every wrong answer on the fast forked path."""
    from .grading import _course, _engine

    names = sorted(headlines(lab, source_root=source_root))
    probe = (_headline_probe(names),) if names else ()
    wrongs = wrong_answers(lab, source_root=source_root)
    first = {w.notebook: w for w in reversed(wrongs)}

    def submissions(templates: dict) -> dict[str, dict[str, bytes]]:
        out = {"solution": {name: _course.solution_bytes(t, extra_cells=probe)
                            for name, t in templates.items()}}
        for notebook, wrong in first.items():
            nb = make_submission(lab, {wrong.cell: wrong.code}, source_root=source_root)[notebook]
            answers = {gid: cell.source for gid, cell in _grade_cells(nb).items()
                       if cell.metadata["nbgrader"].get("solution")}
            name = Path(notebook).stem
            out[ENGINE_PREFIX + wrong.student] = {
                name: _course.solution_bytes(templates[name], answers)}
        return out

    results = _engine.grade_scratch(lab, submissions, solutions=source_root, limits=_TEST_LIMITS)
    grades: Grades = {student: {c["grade_id"]: (None if c["needs_manual"] else c["points"],
                                                c["max_points"])
                                for result in by_notebook.values() for c in result["cells"]}
                      for student, by_notebook in results.items()}
    executed = {f"{name}.ipynb": nbformat.reads(result["graded_notebook"], as_version=4)
                for name, result in results["solution"].items()}
    runs: dict[str, dict] = {}
    for path in labs.notebooks(lab, source_root):
        here = [w for w in wrongs if w.notebook == path.name]
        if here:
            graded, ran = _grade_wrong_answers(path, here, grades["solution"])
            grades.update(graded)
            runs.update(ran)
    return GradedLab(grades=grades, solution=executed, runs=runs,
                     results=[r for by_notebook in results.values() for r in by_notebook.values()])


def _grade_wrong_answers(notebook: Path, wrongs: list[WrongAnswer],
                         solution: dict[str, tuple[float | None, float]]
                         ) -> tuple[Grades, dict[str, dict]]:
    """Grades of wrong answers from :mod:`fairlab._wrongcheck` (one process, forked at each answer
    cell): test cells before the answer cell keep the solution's nbgrader grades (the code up to
    there is the solution's); test cells from the answer cell to its exercise score their points
    when they raise nothing; later exercises are not run. Also returns each run (controls too)."""
    order = [c.metadata.get("nbgrader", {}).get("grade_id")
             for c in nbformat.read(notebook, as_version=4).cells]
    with tempfile.TemporaryDirectory(prefix="fairlab-wrong-") as tmp:
        spec, out = Path(tmp) / "wrong.json", Path(tmp) / "out.json"
        spec.write_text(json.dumps([{"student": w.student, "cell": w.cell, "exercise": w.exercise,
                                     "code": w.code} for w in wrongs]))
        env = dict(paths.tool_env(), MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                   MKL_NUM_THREADS="1")
        result = subprocess.run([sys.executable, "-m", "fairlab._wrongcheck", str(notebook), str(spec),
                                 str(out)], capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"checking the wrong answers of {notebook.name} failed:\n"
                               f"{result.stderr[-4000:]}")
        outcomes = json.loads(out.read_text())
    grades: Grades = {}
    for wrong in wrongs:
        before = order[: order.index(wrong.cell)]
        got = {gid: solution[gid] for gid in before if gid in solution}
        for gid, error in outcomes[wrong.student]["tests"].items():
            points = solution[gid][1]
            got[gid] = (0.0 if error else points, points)
        grades[wrong.student] = got
    return grades, {k: v for k, v in outcomes.items() if k != "solution"}


def _said(error: dict) -> str:
    return f"{error['type']}: {error['message'][:200]}"


def run_problems(lab: str, graded: GradedLab, *, source_root: Path | None = None) -> list[str]:
    """Every wrong answer that is not proven wrong by its test cell: it fails to run (a syntax
    error after substitution, an exception in the answer cell or a cell before the test, unless
    ``raises`` names it), or its test cell fails other than by an assertion; and every answer
    cell whose own solution region, put through the same substitution, loses points."""
    found = []
    for student, run in graded.runs.items():
        if not student.startswith("control-"):
            continue
        broken = {"answer": run["answer"], **run["between"],
                  **{gid: e for gid, e in run["tests"].items() if e}}
        for where, error in broken.items():
            if error:
                found.append(f"control {student}: the solution region, substituted, fails at "
                             f"{where}: {_said(error)}")
    for wrong in wrong_answers(lab, source_root=source_root):
        run = graded.runs[wrong.student]
        failed = run["tests"].get(wrong.exercise)
        if wrong.raises:
            error = run["answer"] or failed
            if error is None or error["type"] != wrong.raises:
                found.append(f"wrong answer {wrong.why!r} should raise {wrong.raises} in "
                             f"{wrong.cell}, but " + (_said(error) if error else "it ran"))
            continue
        if run["answer"]:
            found.append(f"wrong answer {wrong.why!r} fails in its own cell {wrong.cell}, not at "
                         f"its test: {_said(run['answer'])}")
        elif run["between"]:
            where, error = next(iter(run["between"].items()))
            found.append(f"wrong answer {wrong.why!r} fails at {where}, before its test: "
                         f"{_said(error)}")
        elif failed and not failed["assertion"]:
            found.append(f"wrong answer {wrong.why!r} fails at {wrong.exercise} with "
                         f"{_said(failed)}, not by a check")
    return found


def problems(lab: str, grades: Grades, *, source_root: Path | None = None) -> list[str]:
    """Everything wrong with how a lab grades: the solution short of full marks, the blank
    scoring, an exercise with fewer than two wrong answers, a wrong answer that keeps its
    exercise's points or breaks an exercise before it."""
    exercises = graded_exercises(lab, source_root=source_root)
    order = list(exercises)
    found = []
    for gid, points in exercises.items():
        score = grades["solution"][gid][0]
        if score != points:
            found.append(f"solution scores {score}/{points} on {gid}")
        if grades["blank"][gid][0] not in (0, 0.0):
            found.append(f"blank release scores {grades['blank'][gid][0]} on {gid}")
    wrongs = wrong_answers(lab, source_root=source_root)
    for gid in exercises:
        count = sum(w.exercise == gid for w in wrongs)
        if count < 2:
            found.append(f"{gid} has {count} wrong answer(s) in {WRONG_ANSWERS}; at least 2 needed")
    for wrong in wrongs:
        if wrong.exercise not in exercises:
            found.append(f"wrong answer {wrong.why!r} names unknown exercise {wrong.exercise}")
            continue
        got = grades[wrong.student]
        if got[wrong.exercise][0] >= exercises[wrong.exercise]:
            found.append(f"wrong answer still scores on {wrong.exercise}: {wrong.why}")
        for earlier in order[: order.index(wrong.exercise)]:
            if got[earlier][0] != exercises[earlier]:
                found.append(f"wrong answer {wrong.why!r} also broke earlier exercise {earlier}")
    return found


def headlines(lab: str, *, source_root: Path | None = None) -> dict[str, dict[str, float]]:
    """A lab's headline numbers (``variable -> {value, tolerance}``) from ``headlines.yml``."""
    path = (source_root or paths.solutions_dir()) / lab / HEADLINES
    if not path.is_file():
        return {}
    return {name: {"value": float(v["value"]), "tolerance": float(v["tolerance"])}
            for name, v in (yaml.safe_load(path.read_text()) or {}).items()}


def _headline_probe(names: list[str]) -> str:
    return ("import json as _json\n"
            f"print({_HEADLINE_MARK!r} + _json.dumps({{_n: float(globals()[_n]) for _n in {names!r}}}))")


def with_headline_probe(nb: nbformat.NotebookNode, names: list[str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` ending in a cell that prints the named variables as JSON."""
    out = nbformat.from_dict(nb)
    out.cells.append(nbformat.v4.new_code_cell(_headline_probe(names)))
    return out


def read_headlines(executed: nbformat.NotebookNode) -> dict[str, float]:
    """The values printed by the probe cell of an executed notebook."""
    for output in executed.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if _HEADLINE_MARK in text:
            return json.loads(text.split(_HEADLINE_MARK, 1)[1])
    raise ValueError("the headline probe cell printed nothing; did the notebook run to the end?")


def headline_problems(expected: dict[str, dict[str, float]], got: dict[str, float]) -> list[str]:
    """Headline numbers that moved outside their stated tolerance."""
    found = []
    for name, spec in expected.items():
        value = got.get(name)
        if value is None or abs(value - spec["value"]) > spec["tolerance"]:
            found.append(f"{name} = {value}, expected {spec['value']} ± {spec['tolerance']}")
    return found
