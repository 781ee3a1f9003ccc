"""The CSV export (one row per student and assignment) and the plain-text report."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from nbgrader.api import MissingEntry

from . import _course
from ._engine import load_results
from ._gradebook import open_gradebook
from ._job import STATUSES, worst

__all__ = ["export", "report"]


def _assignments(course: Path) -> list[str]:
    root = _course.state_dir(course) / "results"
    return sorted(p.name for p in root.iterdir()) if root.is_dir() else []


def _submitted_as(course: Path) -> dict[str, str]:
    log = _course.state_dir(course) / "receipts.jsonl"
    if not log.is_file():
        return {}
    rows = (json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line)
    return {r["student"]: r["submitted_as"] for r in rows}


def export(course: Path, out: Path) -> int:
    """Write the CSV; return the number of rows. Scores include manual grades."""
    rows, exercises = [], []
    names = _submitted_as(course)
    gb = open_gradebook(course)
    try:
        for assignment in _assignments(course):
            by_student: dict[str, list[dict]] = {}
            for result in load_results(course, assignment):
                by_student.setdefault(result["student"], []).append(result)
            for student, results in sorted(by_student.items()):
                row = {"student_id": student, "submitted_as": names.get(student, student),
                       "assignment": assignment, "score": 0.0, "max_score": 0.0,
                       "status": worst([r["status"] for r in results]),
                       "reason": "; ".join(f"{r['notebook']}: {r['reason']}" for r in results
                                           if r["reason"])}
                for result in results:
                    for cell in result["cells"]:
                        key = f"{assignment}/{result['notebook']}/{cell['grade_id']}"
                        try:
                            grade = gb.find_grade(cell["grade_id"], result["notebook"],
                                                  assignment, student)
                            points = float(grade.score or 0)
                        except MissingEntry:
                            points = cell["points"]
                        row[key] = points
                        row["score"] += points
                        row["max_score"] += cell["max_points"]
                        if key not in exercises:
                            exercises.append(key)
                rows.append(row)
    finally:
        gb.close()
    header = ["student_id", "submitted_as", "assignment", "score", "max_score", "status",
              "reason", *exercises]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def report(course: Path, assignment: str, slowest: int = 5) -> str:
    """How many were graded, by status, the slowest, and every non-graded one with its reason."""
    results = load_results(course, assignment)
    counts = Counter(r["status"] for r in results)
    lines = [f"{assignment}: {len(results)} notebooks, {counts['graded']} graded"]
    lines += [f"  {status:15s} {counts[status]}" for status in STATUSES if counts[status]]
    ranked = sorted(results, key=lambda r: -r.get("seconds", 0))[:slowest]
    lines.append("slowest:")
    lines += [f"  {r['seconds']:7.1f} s  {r['student']}/{r['notebook']}" for r in ranked]
    problems = [r for r in results if r["status"] != "graded"]
    if problems:
        lines.append("not graded cleanly:")
        lines += [f"  {r['student']}/{r['notebook']}: {r['status']} — {r['reason']}"
                  for r in problems]
    return "\n".join(lines)
