"""A failed check is one line in the notebook, and the grading engine still reads and guards it."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from fairlab import paths, selfcheck
from fairlab.grading import _course, _job

LAB = "01_fairness_metrics"
SERIES = "`selection_rates` should be a pandas Series indexed by age group."


def _outputs(*sources: str) -> list[list[dict]]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    return [c.outputs for c in nb.cells]


@pytest.mark.slow
def test_failed_check_is_one_line_other_errors_keep_their_traceback():
    check, other = _outputs(
        "from fairlab.grading import check_number\n"
        "check_number(0.5, 0.4, 'rate', hints={0.5: 'divide by the group size'})",
        "1 / 0")
    (error,) = check
    assert error["output_type"] == "error" and error["ename"] == "GradingError"
    assert error["evalue"] == "`rate` = 0.5 is not right: divide by the group size"
    assert len(error["traceback"]) == 1 and "_checks.py" not in error["traceback"][0]
    assert "GradingError: `rate` = 0.5 is not right" in error["traceback"][0]
    assert other[0]["ename"] == "ZeroDivisionError" and len(other[0]["traceback"]) > 1


def _grade(answer: str) -> dict:
    nb = nbformat.read(paths.labs_dir() / LAB / f"{LAB}.ipynb", 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == "selection_answer")
    cell.source = answer
    template = selfcheck._template(LAB, LAB, paths.labs_dir(), paths.solutions_dir())
    config = _course.grading_config(paths.course_dir(), sandbox=False)
    return _job.grade({"student": "s", "assignment": LAB, "notebook": LAB,
                       "release": template["release"], "tests": template["tests"],
                       "submission": nbformat.writes(nb).encode(), "config": config})


def _test_cell(result: dict, grade_id: str):
    nb = nbformat.reads(result["graded_notebook"], 4)
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.slow
def test_engine_reads_the_check_message_and_sees_no_tampering(course_data):
    """The grading kernel imports fairlab.grading before its shell exists, so the display is
    off there; the guard's snapshot (taken after that import) must see nothing changed."""
    result = _grade("selection_rates = 'not a series'")
    assert result["status"] == "graded", result["reason"]
    cell = next(c for c in result["cells"] if c["grade_id"] == "selection_tests")
    assert cell["points"] == 0 and cell["message"] == SERIES
    (error,) = [o for o in _test_cell(result, "selection_tests").outputs
                if o["output_type"] == "error"]
    assert error["ename"] == "GradingError" and error["evalue"] == SERIES


@pytest.mark.slow
def test_engine_still_catches_a_learner_hiding_errors(course_data):
    result = _grade("get_ipython().set_custom_exc((Exception,), lambda *a, **k: [''])\n"
                    "selection_rates = 'not a series'")
    assert result["status"] == "tampered"
    assert "IPython custom_exceptions" in result["reason"]
    cell = next(c for c in result["cells"] if c["grade_id"] == "selection_tests")
    assert cell["points"] == 0
