"""The single gradebook writer: results go into nbgrader's gradebook one at a time."""

from __future__ import annotations

import warnings
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning
from traitlets.config.loader import PyFileConfigLoader

__all__ = ["course_id", "open_gradebook", "record"]


def course_id(course: Path) -> str:
    """The ``CourseDirectory.course_id`` of a course (``fairlab`` unless configured)."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return str(config.get("CourseDirectory", {}).get("course_id", "fairlab"))


def open_gradebook(course: Path) -> Gradebook:
    """nbgrader's gradebook of ``course`` (created by ``generate_assignment``)."""
    return Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id(course))


def record(gb: Gradebook, result: dict, timestamp: datetime | None) -> None:
    """Write one notebook's automatic scores; manual scores already given are kept."""
    student, assignment = result["student"], result["assignment"]
    gb.update_or_create_student(student)
    try:
        submission = gb.find_submission(assignment, student)
        if timestamp is not None:
            submission.timestamp = timestamp
    except MissingEntry:
        with warnings.catch_warnings():  # nbgrader's own autoflush chatter
            warnings.simplefilter("ignore", SAWarning)
            gb.add_submission(assignment, student, timestamp=timestamp)
    for cell in result["cells"]:
        grade = gb.find_grade(cell["grade_id"], result["notebook"], assignment, student)
        grade.auto_score = None if cell["needs_manual"] else cell["points"]
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    gb.db.commit()
