"""One grading job as a pure function: release + hidden tests + submission bytes + config in,
a result (status, reason, per-cell points, learner messages, graded notebook) out.

The local pool and Dask workers both call ``grade``; neither needs the course directory.
"""

from __future__ import annotations

import secrets
import time

import nbformat
from nbgrader import utils as nbutils

from ._align import Malformed, align, parse_submission, role
from ._sandbox import SandboxError, execute

__all__ = ["STATUSES", "base_result", "grade", "worst"]

#: Every terminal status, from best to worst; a submission takes the worst that applies.
STATUSES = ("graded", "cells_restored", "tampered", "timeout", "kernel_died", "memory_limit",
            "malformed", "missing", "error")


def worst(statuses: list[str]) -> str:
    """The most severe of ``statuses`` (``graded`` for an empty list)."""
    return max(statuses, key=STATUSES.index, default="graded")


def _grade_cells(release: dict) -> list[dict]:
    cells = []
    for cell in release["cells"]:
        info = cell.get("metadata", {}).get("nbgrader") or {}
        if info.get("grade") and info.get("grade_id"):
            kind = "test" if role(cell) == "test" else (
                "manual" if cell["cell_type"] == "markdown" or role(cell) == "locked"
                else "answer")
            cells.append({"grade_id": info["grade_id"], "kind": kind,
                          "max_points": float(info.get("points", 0))})
    return cells


def base_result(job: dict) -> dict:
    """A result with every grade cell at 0 points and status ``graded``."""
    cells = _grade_cells(job["release"])
    for cell in cells:
        cell.update(points=0.0, message="", needs_manual=cell["kind"] == "manual")
    return {"student": job["student"], "assignment": job["assignment"],
            "notebook": job["notebook"], "submission_sha256": job.get("submission_sha256"),
            "template_sha256": job.get("template_sha256"), "status": "graded", "reason": "",
            "cells": cells, "max_score": sum(c["max_points"] for c in cells),
            "score": 0.0, "diffs": {}, "seconds": 0.0, "peak_rss": 0, "restarts": 0,
            "graded_notebook": None}


def _message(outputs: list[dict]) -> str:
    for out in outputs:
        if out["output_type"] == "error":
            if out["ename"] in ("GradingError", "AssertionError") and out["evalue"]:
                return out["evalue"]
            if out["ename"] == "AssertionError":
                return "A check failed."
            return f"{out['ename']}: {out['evalue']}" if out["evalue"] else out["ename"]
    return ""


_STATE_NOTES = {
    "timeout": ("timeout", "cell {cell} ran longer than {limit:g} s and was stopped"),
    "wall": ("timeout", "the submission hit its {wall:g} s limit in cell {cell}; "
                        "later cells were not run"),
    "hung": ("timeout", "cell {cell} ran longer than {limit:g} s and ignored the interrupt; "
                        "the kernel was restarted"),
    "died": ("kernel_died", "the kernel died in cell {cell}; it was restarted, the setup cells "
                            "re-run and grading continued"),
    "memory": ("memory_limit", "cell {cell} used more than the {memory} MiB memory limit"),
}


def grade(job: dict) -> dict:
    """Grade one notebook of one submission; never raises for anything the learner did."""
    start = time.monotonic()
    result = base_result(job)
    try:
        _grade_into(job, result)
    except SandboxError as exc:
        result.update(status="error", reason=str(exc))
    result["seconds"] = round(time.monotonic() - start, 3)
    result["score"] = round(sum(c["points"] for c in result["cells"]), 6)
    return result


def _grade_into(job: dict, result: dict) -> None:
    config = job["config"]
    try:
        submission = parse_submission(job["submission"])
    except Malformed as exc:
        result.update(status="malformed", reason=f"malformed: {exc}")
        return
    aligned = align(job["release"], job["tests"], submission, config["cell_timeout"])
    notes: list[tuple[str, str]] = [("tampered", t) for t in aligned["tampered"]]
    notes += [("cells_restored", r) for r in aligned["restored"]]
    result["diffs"] = aligned["diffs"]
    plan = {"cells": aligned["plan"], "guard_modules": aligned["guard_modules"],
            "nonce": secrets.token_hex(16), "limits": {
                "memory_bytes": config["memory_bytes"], "file_bytes": config["file_bytes"],
                "wall_seconds": config["wall_seconds"], "output_bytes": config["output_bytes"],
                "interrupt_grace": config["interrupt_grace"]}}
    outcome = execute(plan, config)
    if outcome.get("error"):
        raise SandboxError(outcome["error"])
    result["peak_rss"], result["restarts"] = outcome.get("peak_rss", 0), outcome["restarts"]
    nb = aligned["notebook"]
    scores: dict[str, tuple[float | None, str]] = {}
    count = 0
    for step, ran in zip(plan["cells"], outcome["cells"], strict=False):
        cell = nb.cells[step["index"]]
        name = repr(step["grade_id"] or f"#{step['index'] + 1}")
        state = ran["state"]
        outputs = list(ran["outputs"])
        if state in _STATE_NOTES:
            status, text = _STATE_NOTES[state]
            notes.append((status, text.format(cell=name, limit=step["timeout"],
                                              wall=config["wall_seconds"],
                                              memory=config["memory_bytes"] >> 20)))
        if state != "skipped":
            count += 1
            cell.execution_count = count
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        if ran.get("truncated"):
            notes.append(("graded", f"the output of cell {name} was truncated"))
        if step["kind"] == "test":
            scores[step["grade_id"]] = _test_score(cell, ran, name, notes)
    for info in result["cells"]:
        gid = info["grade_id"]
        if gid in scores:
            points, info["message"] = scores[gid]
            info["points"] = points
        elif info["kind"] != "test":
            cell = next(c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get(
                "grade_id") == gid)
            points, _ = nbutils.determine_grade(cell)
            info["points"] = float(points or 0)
            info["needs_manual"] = points is None
    result["graded_notebook"] = nbformat.writes(nb)
    result["status"] = worst([s for s, _ in notes if s != "graded"])
    ordered = sorted(notes, key=lambda n: -STATUSES.index(n[0]))
    result["reason"] = "; ".join(dict.fromkeys(text for _, text in ordered))


def _test_score(cell, ran: dict, name: str, notes: list) -> tuple[float, str]:
    state = ran["state"]
    if state == "skipped":
        return 0.0, "Not run: the submission hit its time limit before this test."
    if state in ("timeout", "wall", "hung"):
        return 0.0, "Stopped: this test ran out of time (look for an endless loop)."
    if state == "died":
        return 0.0, "The Python kernel crashed while running this test."
    if state == "memory":
        return 0.0, "This test ran out of memory."
    if ran.get("guard_before") is None or ran.get("guard_after") is None:
        notes.append(("tampered", f"the grader's integrity checks were disabled around {name}"))
        return 0.0, "The grader's integrity checks were disabled; this test scores 0."
    if ran["guard_before"]:
        notes.append(("tampered", "monkeypatched " + ", ".join(ran["guard_before"])
                       + f" (restored before test {name})"))
    if ran["guard_after"]:
        notes.append(("tampered", "monkeypatched " + ", ".join(ran["guard_after"])
                      + f" while test {name} ran"))
        return 0.0, "Your code changed Python or library functions while this test ran."
    points, _ = nbutils.determine_grade(cell)
    return float(points or 0), _message(ran["outputs"])
