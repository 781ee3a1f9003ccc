"""`fairlab check` on the real lab 01: a wrong answer gets its hint, a right one a visible pass,
and nothing of the hidden tests reaches the learner."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from fairlab import cli, labs, paths, selfcheck
from fairlab.grading._align import role

pytestmark = pytest.mark.slow
LAB = "01_fairness_metrics"
WRONG = "selection_rates = y_test.groupby(age_test, observed=True).mean()"
RIGHT = "selection_rates = y_pred.groupby(age_test, observed=True).mean()"
HINT = "uses the true labels `y_test`"


def _learner_copy(folder, code: str, name: str = f"{LAB}.ipynb"):
    """The released lab 01 with ``code`` typed into the first exercise, as saved by JupyterLab."""
    nb = nbformat.read(paths.labs_dir() / LAB / f"{LAB}.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == "selection_answer")
    cell.source = code
    path = folder / LAB / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _hidden_lines() -> list[str]:
    nb = nbformat.read(paths.solutions_dir() / LAB / f"{LAB}.ipynb", 4)
    hidden = []
    for cell in nb.cells:
        if role(cell) == "test" and "### BEGIN HIDDEN TESTS" in cell.source:
            body = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1]
            hidden += [line.strip() for line in body.splitlines() if len(line.strip()) > 12]
    return hidden


@pytest.fixture(scope="module")
def wrong_report(tmp_path_factory, course_data):
    path = _learner_copy(tmp_path_factory.mktemp("ws"), WRONG)
    result = selfcheck.check_notebook(path)
    return result, selfcheck.format_report(result)


def test_wrong_answer_shows_the_hint(wrong_report):
    result, report = wrong_report
    assert result["status"] == "graded", result["reason"]
    line = next(x for x in report.splitlines() if "selection" in x and "/1" in x)
    assert line.split()[0] == "FAIL" and HINT in line
    assert result["mode"] == "sandbox" or "without the grading sandbox" in report


def test_hidden_test_code_is_never_shown(wrong_report):
    result, report = wrong_report
    text = report + repr(result)
    assert "graded_notebook" not in result
    assert "HIDDEN TESTS" not in text and "Traceback" not in text
    leaked = [line for line in _hidden_lines() if line in text]
    assert leaked == []
    assert "### BEGIN SOLUTION" not in text and RIGHT not in text


def test_blank_exercises_fail_and_written_answers_go_to_the_instructor(wrong_report):
    _, report = wrong_report
    assert "graded by your instructor" in report
    assert re.search(r"^0 of \d+ points on the exercises checked automatically\.$", report,
                     re.MULTILINE)


def test_right_answer_shows_a_pass_from_the_command_line(tmp_path, course_data, capsys,
                                                         monkeypatch):
    path = _learner_copy(tmp_path, RIGHT, name=f"{LAB}.updated-2026-12-04.ipynb")
    status = cli.main(["check", str(path)])
    out = capsys.readouterr().out
    assert status == 1  # the other exercises are still blank
    line = next(x for x in out.splitlines() if "selection" in x and "/1" in x)
    assert line.split()[:3] == ["PASS", "selection", "1/1"]
    assert re.search(r"^1 of \d+ points", out, re.MULTILINE)


def test_without_solutions_grading_is_left_to_the_instructor(tmp_path, monkeypatch):
    """The student image: labs but no solutions/."""
    path = _learner_copy(tmp_path, WRONG)
    monkeypatch.setenv("FAIRLAB_SOLUTIONS", str(tmp_path / "no-solutions"))
    result = selfcheck.check_notebook(path)
    assert result["hidden_tests"] is False
    assert "your instructor grades your answers" in selfcheck.format_report(result)


def test_in_notebook_check_finds_its_notebook_and_never_recurses(tmp_path, monkeypatch, capsys):
    path = _learner_copy(tmp_path, WRONG)
    assert selfcheck._session_notebook(str(path)) == path
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    selfcheck.check()  # papermill, nbclient: no session, so a hint instead of an error
    assert "pass the path" in capsys.readouterr().out
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    monkeypatch.setenv(selfcheck.GRADING_ENV, "1")
    selfcheck.check()
    assert "does nothing while the notebook is being graded" in capsys.readouterr().out


def test_a_notebook_outside_a_lab_is_refused(tmp_path):
    stray = tmp_path / "notes" / "mine.ipynb"
    stray.parent.mkdir()
    shutil.copy(paths.labs_dir() / LAB / f"{LAB}.ipynb", stray)
    with pytest.raises(LookupError, match="not in a lab folder"):
        selfcheck.find_lab(stray)
    assert LAB in labs.lab_names()
