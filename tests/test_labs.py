"""Contract tests over every lab found in solutions/: a new lab is covered without edits."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from fairlab import authoring, labs, paths
from fairlab.grading import _engine

LABS = labs.lab_names()
WRONG = [w for lab in LABS for w in authoring.wrong_answers(lab)]


def test_course_has_labs():
    assert "00_orientation" in LABS


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_solution_runs_without_errors_and_keeps_its_headline_numbers(lab, graded_lab):
    # The solution as nbgrader executed it while grading (one execution serves both checks).
    executed = graded_lab(lab).solution
    assert sorted(executed) == [nb.name for nb in labs.notebooks(lab)]
    errors = [(name, o.get("ename"), o.get("evalue")) for name, nb in executed.items()
              for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    expected = authoring.headlines(lab)
    got = {}
    if expected:
        for nb in executed.values():
            got.update(authoring.read_headlines(nb))
    assert authoring.headline_problems(expected, got) == []


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_labs_folder_matches_fresh_release(lab):
    assert labs.diff_release(lab) == [], "labs/ drifted from solutions/: run `make labs`"


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_lab_grades_as_designed(lab, graded_lab):
    grades = graded_lab(lab).grades
    exercises = authoring.graded_exercises(lab)
    assert exercises, f"{lab} has no autograded exercise"
    assert authoring.problems(lab, grades) == []


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_engine_preflight_passes_with_sandbox_and_guard(lab, graded_lab):
    # What `fairlab grade autograde` checks before grading a cohort, on the same results.
    results = [r for r in graded_lab(lab).results if r["student"] in ("solution", "blank")]
    assert len(results) == 2 * len(labs.notebooks(lab))
    assert _engine.preflight_problems(results) == []


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_engine_and_forked_path_agree_on_a_wrong_answer(lab, graded_lab):
    graded = graded_lab(lab)
    exercises = authoring.graded_exercises(lab)
    order = list(exercises)
    engine = [r for r in graded.results if r["student"].startswith(authoring.ENGINE_PREFIX)]
    assert engine, f"{lab}: no wrong answer was graded by the engine"
    for result in engine:
        assert result["status"] == "graded", result["reason"]
        student = result["student"].removeprefix(authoring.ENGINE_PREFIX)
        wrong = next(w for w in authoring.wrong_answers(lab) if w.student == student)
        forked = graded.grades[student]
        by_engine = graded.grades[result["student"]]
        for gid in order[: order.index(wrong.exercise) + 1]:
            assert by_engine[gid][0] == forked[gid][0], (gid, wrong.why)
        assert by_engine[wrong.exercise][0] < exercises[wrong.exercise]


@pytest.mark.slow
@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: f"{w.lab}:{w.cell}:{w.why[:40]}")
def test_wrong_answer_loses_points(wrong, graded_lab):
    grades = graded_lab(wrong.lab).grades[wrong.student]
    points = authoring.graded_exercises(wrong.lab)[wrong.exercise]
    assert grades[wrong.exercise][0] < points, f"still scores: {wrong.why}"


@pytest.mark.parametrize("lab", LABS)
def test_every_exercise_has_two_wrong_answers(lab):
    wrongs = authoring.wrong_answers(lab)
    for exercise in authoring.graded_exercises(lab):
        assert sum(w.exercise == exercise for w in wrongs) >= 2, exercise


@pytest.mark.parametrize("lab", LABS)
def test_lab_has_a_manually_graded_answer(lab):
    manual = [c for nb in labs.notebooks(lab) for c in nbformat.read(nb, 4).cells
              if c.metadata.get("nbgrader", {}).get("grade")
              and c.metadata["nbgrader"].get("solution")]
    assert manual, f"{lab} has no manually graded written answer"


def _committed_notebooks() -> list[Path]:
    root = paths.repo_root()
    return sorted(p for top in ("solutions", "labs", "tests", "capstone")
                  for p in (root / top).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", _committed_notebooks(), ids=lambda p: p.name)
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path}: a cell has outputs"
            assert cell.get("execution_count") is None, f"{path}: a cell has an execution count"
