"""Feedback HTML for learners: per exercise the points and the failure message, never a test.

Every page is checked against the hidden tests and the solutions before it is written: a
message that quotes either is replaced by a neutral sentence.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from . import _course
from ._align import role
from ._engine import load_results

__all__ = ["feedback", "secrets_of"]

_MARKER = re.compile(r"###\s*(BEGIN|END)\s+(HIDDEN TESTS|SOLUTION)")
_HIDDEN = "(This message quoted the hidden tests, so it is not shown.)"
_MEANING = {
    "graded": "Graded.",
    "cells_restored": "Some grading cells were missing, duplicated or moved; they were put "
                      "back from the original assignment and graded.",
    "tampered": "Locked cells or library functions were changed; the originals were put back "
                "and graded.",
    "timeout": "Part of the notebook ran out of time.",
    "kernel_died": "The Python kernel crashed; grading continued after a restart.",
    "memory_limit": "The notebook used too much memory.",
    "malformed": "The file could not be read as a notebook.",
    "missing": "The notebook was not in your submission.",
    "error": "The grader failed on this notebook; your instructor has been told.",
}


def secrets_of(template: dict) -> list[str]:
    """Lines of hidden tests and solutions that appear nowhere in the release notebook."""
    public = {line.strip() for c in template["release"]["cells"]
              for line in c["source"].splitlines()}
    lines = []
    for cell in template["source"].cells:
        if role(cell) == "test":
            lines += cell.source.split("### BEGIN HIDDEN TESTS", 1)[-1].splitlines()
        elif role(cell) == "answer":
            lines += cell.source.splitlines()
    return sorted({s for line in lines if len(s := line.strip()) >= 6 and s not in public
                   and not _MARKER.search(s)})


def _clean(text: str, secrets: list[str]) -> str:
    return _HIDDEN if any(s in text for s in secrets) else text


def _page(result: dict, secrets: list[str]) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(c['grade_id'])}</td><td>{c['points']:g} / {c['max_points']:g}"
        f"{' (graded by hand)' if c['needs_manual'] else ''}</td>"
        f"<td>{html.escape(_clean(c['message'], secrets))}</td></tr>" for c in result["cells"])
    reason = html.escape(_clean(result["reason"], secrets))
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>Feedback: {html.escape(result['assignment'])}</title><style>"
        "body{font-family:sans-serif;max-width:50em;margin:2em auto}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
        "table{border-collapse:collapse}</style></head><body>"
        f"<h1>{html.escape(result['assignment'])} / {html.escape(result['notebook'])}</h1>"
        f"<p><strong>Score: {result['score']:g} / {result['max_score']:g}</strong></p>"
        f"<p>Status: <code>{result['status']}</code> — {_MEANING[result['status']]}</p>"
        + (f"<p>{reason}</p>" if reason else "")
        + "<table><tr><th>Exercise</th><th>Points</th><th>Message</th></tr>"
        f"{rows}</table></body></html>\n")


def feedback(course: Path, assignment: str) -> list[Path]:
    """Write ``feedback/<student>/<assignment>/<notebook>.html`` for every result."""
    templates = _course.templates(course, assignment)
    secrets = {name: secrets_of(t) for name, t in templates.items()}
    written = []
    for result in load_results(course, assignment):
        page = _page(result, secrets[result["notebook"]])
        if any(s in page for s in secrets[result["notebook"]]):
            raise RuntimeError(f"feedback for {result['student']} would reveal a hidden test")
        target = course / "feedback" / result["student"] / assignment / \
            f"{result['notebook']}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        written.append(target)
    return written
