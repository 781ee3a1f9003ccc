"""The lab harness can fail: a broken solution, a drifted release, a wrong answer that
still scores, and a missing wrong answer are all caught (on a tiny fixture lab)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from fairlab import authoring, labs, notebooks

FIXTURES = Path(__file__).parent / "fixtures" / "labs"
LAB = "01_tiny"


@pytest.fixture
def root(tmp_path) -> Path:
    shutil.copytree(FIXTURES / LAB, tmp_path / "solutions" / LAB)
    return tmp_path / "solutions"


def _set_solution(root: Path, code: str) -> None:
    path = root / LAB / f"{LAB}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "area_answer")
    cell.source = f"### BEGIN SOLUTION\n{code}\n### END SOLUTION"
    nbformat.write(nb, path)


def test_fixture_lab_is_found(root):
    assert labs.lab_names(root) == [LAB]


@pytest.mark.slow
def test_broken_solution_fails_execution(root, tmp_path):
    _set_solution(root, "area = 1 / 0")
    result = notebooks.execute(root / LAB / f"{LAB}.ipynb", raise_on_error=False,
                               output_path=tmp_path / "out.ipynb")
    assert not result.ok
    assert "ZeroDivisionError" in str(result.error)


@pytest.mark.slow
def test_drifted_release_is_reported(root, tmp_path):
    dest = tmp_path / "labs"
    labs.generate([LAB], dest=dest, source_root=root)
    assert labs.diff_release(LAB, dest=dest, source_root=root) == []
    released = dest / LAB / f"{LAB}.ipynb"
    released.write_text(released.read_text().replace("radius = 3.0", "radius = 5.0"))
    assert labs.diff_release(LAB, dest=dest, source_root=root) == [f"differs: {LAB}.ipynb"]


@pytest.mark.slow
def test_grading_catches_a_wrong_answer_that_still_scores(root):
    wrong = root / LAB / "wrong_answers.yml"
    entries = yaml.safe_load(wrong.read_text())
    entries.append({"cell": "area_answer", "exercise": "area_tests",
                    "why": "equivalent rewrite, not actually wrong",
                    "code": "area = radius * radius * math.pi"})
    wrong.write_text(yaml.safe_dump(entries))
    grades = authoring.grade_lab(LAB, source_root=root).grades
    assert grades["solution"]["area_tests"] == (1.0, 1.0)
    assert grades["blank"]["area_tests"] == (0.0, 1.0)
    found = authoring.problems(LAB, grades, source_root=root)
    assert found == ["wrong answer still scores on area_tests: equivalent rewrite, not actually wrong"]


@pytest.mark.slow
def test_wrong_answer_that_kills_its_process_loses_points(root):
    wrong = root / LAB / "wrong_answers.yml"
    entries = yaml.safe_load(wrong.read_text())
    entries.append({"cell": "area_answer", "exercise": "area_tests", "why": "exits the interpreter",
                    "code": "import os\nos._exit(0)"})
    wrong.write_text(yaml.safe_dump(entries))
    graded = authoring.grade_lab(LAB, source_root=root)
    assert authoring.problems(LAB, graded.grades, source_root=root) == []
    killer = next(w for w in authoring.wrong_answers(LAB, source_root=root)
                  if w.why == "exits the interpreter")
    assert graded.grades[killer.student]["area_tests"] == (0.0, 1.0)


@pytest.mark.slow
def test_solution_short_of_full_marks_is_reported(root):
    _set_solution(root, "area = 12.0")
    grades = authoring.grade_lab(LAB, source_root=root).grades
    assert "solution scores 0.0/1.0 on area_tests" in authoring.problems(LAB, grades,
                                                                          source_root=root)


def test_too_few_wrong_answers_is_reported(root):
    (root / LAB / "wrong_answers.yml").write_text("[]\n")
    fake = {"solution": {"area_tests": (1.0, 1.0)}, "blank": {"area_tests": (0.0, 1.0)}}
    assert authoring.problems(LAB, fake, source_root=root) == [
        "area_tests has 0 wrong answer(s) in wrong_answers.yml; at least 2 needed"
    ]


def test_submission_hides_hidden_tests_and_fills_answers(root):
    sub = authoring.make_submission(LAB, {"area_answer": "area = 0"}, source_root=root)
    text = nbformat.writes(sub[f"{LAB}.ipynb"])
    assert "HIDDEN TESTS" not in text and "check_number(area" not in text
    assert "area = 0" in text and "BEGIN SOLUTION" not in text
    blank = nbformat.writes(authoring.make_submission(LAB, blank=True, source_root=root)[f"{LAB}.ipynb"])
    assert "raise NotImplementedError()" in blank


def test_submission_until_an_exercise_ends_with_its_test_cell(root):
    sub = authoring.make_submission(LAB, {"area_answer": "area = 0"}, until="area_answer",
                                    source_root=root)[f"{LAB}.ipynb"]
    assert sub.cells[-1].metadata["nbgrader"]["grade_id"] == "area_answer"
    assert not any(c.metadata.get("nbgrader", {}).get("grade_id") == "area_tests" for c in sub.cells)
    whole = authoring.make_submission(LAB, until="no_such_cell", source_root=root)[f"{LAB}.ipynb"]
    assert whole.cells[-1].metadata["nbgrader"]["grade_id"] == "area_tests"


@pytest.mark.slow
def test_headline_number_that_moved_is_reported(root, tmp_path):
    (root / LAB / "headlines.yml").write_text("area:\n  value: 28.274\n  tolerance: 0.01\n")
    expected = authoring.headlines(LAB, source_root=root)
    nb = authoring.with_headline_probe(nbformat.read(root / LAB / f"{LAB}.ipynb", 4), ["area"])
    nbformat.write(nb, tmp_path / "probed.ipynb")
    got = authoring.read_headlines(notebooks.execute(tmp_path / "probed.ipynb").notebook)
    assert authoring.headline_problems(expected, got) == []
    assert authoring.headline_problems({"area": {"value": 30.0, "tolerance": 0.5}}, got) == [
        f"area = {got['area']}, expected 30.0 ± 0.5"
    ]


def test_substitution_reindents_code_to_the_region():
    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n\n\ny = f(1)\n"
    flush_left = authoring.substitute(source, "z = x * 2\nreturn z\n")
    assert flush_left == "def f(x):\n    z = x * 2\n    return z\n\n\ny = f(1)\n"
    assert authoring.solution_region(source) == "return x + 1\n"
    assert authoring.substitute(source, authoring.solution_region(source)) == (
        "def f(x):\n    return x + 1\n\n\ny = f(1)\n")


def _runs(root: Path, entries: list[dict]) -> tuple[authoring.GradedLab, list[str]]:
    """Wrong answers of the fixture lab run by the fork harness alone (no nbgrader)."""
    (root / LAB / "wrong_answers.yml").write_text(yaml.safe_dump(entries))
    wrongs = authoring.wrong_answers(LAB, source_root=root)
    grades, runs = authoring._grade_wrong_answers(root / LAB / f"{LAB}.ipynb", wrongs,
                                                  {"area_tests": (1.0, 1.0)})
    graded = authoring.GradedLab(grades=grades, solution={}, runs=runs, results=[])
    return graded, authoring.run_problems(LAB, graded, source_root=root)


def _wrong(why: str, code: str, **extra) -> dict:
    return {"cell": "area_answer", "exercise": "area_tests", "why": why, "code": code, **extra}


@pytest.mark.slow
def test_wrong_answers_must_fail_at_their_test_cell_by_a_check(root):
    graded, found = _runs(root, [
        _wrong("fails at its check", "area = 2 * math.pi * radius"),
        _wrong("does not parse", "area = (1"),
        _wrong("raises in its own cell", "area = 1 / 0"),
        _wrong("raises, as marked", "area = 1 / 0", raises="ZeroDivisionError"),
        _wrong("marked but does not raise", "area = 1.0", raises="ZeroDivisionError"),
        _wrong("never defines the answer", "radius_squared = radius ** 2"),
    ])
    assert len(found) == 4
    assert found[0].startswith("wrong answer 'does not parse' fails in its own cell area_answer, not at "
                               "its test: SyntaxError")
    assert found[1:] == [
        "wrong answer 'raises in its own cell' fails in its own cell area_answer, not at its test: "
        "ZeroDivisionError: division by zero",
        "wrong answer 'marked but does not raise' should raise ZeroDivisionError in area_answer, but "
        "GradingError: `area` = 1 is not the expected value.",
        "wrong answer 'never defines the answer' fails at area_tests with NameError: name 'area' is "
        "not defined, not by a check",
    ]
    assert all(g["area_tests"] == (0.0, 1.0) for g in graded.grades.values())
    assert graded.runs["control-area_answer"] == {"answer": None, "between": {},
                                                  "tests": {"area_tests": None}}


@pytest.mark.slow
def test_a_substitution_that_changes_the_solution_fails_the_control(root):
    path = root / LAB / f"{LAB}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "area_answer")
    # Re-indenting this region changes the string literal, so the substituted solution is wrong.
    cell.source = ('def _area():\n    ### BEGIN SOLUTION\n    note = """\nx"""\n'
                   "    return math.pi * radius**2 * len(note) / 2\n    ### END SOLUTION\n\n\n"
                   "area = _area()")
    nbformat.write(nb, path)
    _, found = _runs(root, [_wrong("circumference", "return 2 * math.pi * radius")])
    assert found == ["control control-area_answer: the solution region, substituted, fails at "
                     "area_tests: GradingError: `area` = 84.82 is not the expected value."]


@pytest.mark.slow
@pytest.mark.parametrize("lab", labs.lab_names())
def test_every_wrong_answer_fails_at_its_test_cell(lab, graded_lab):
    assert authoring.run_problems(lab, graded_lab(lab)) == []
