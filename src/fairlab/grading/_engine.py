"""The coordinator: build jobs, pre-flight, run them on a bounded pool or a Dask cluster, and be
the only writer of the gradebook and of the results. Re-running skips what is already graded.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from itertools import chain
from pathlib import Path

from tqdm import tqdm

from . import _course
from ._gradebook import open_gradebook, record
from ._job import base_result, grade
from ._sandbox import bwrap_path

__all__ = [
    "PreflightError",
    "SandboxMissing",
    "autograde",
    "grade_scratch",
    "load_results",
    "preflight",
    "preflight_problems",
    "submitted_students",
]


class SandboxMissing(RuntimeError):
    """bubblewrap is not installed and ``--unsafe-no-sandbox`` was not given."""


class PreflightError(RuntimeError):
    """The reference solution or the blank release did not grade as expected."""


def _result_path(course: Path, assignment: str, student: str, notebook: str) -> Path:
    return _course.state_dir(course) / "results" / assignment / student / f"{notebook}.json"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def load_results(course: Path, assignment: str) -> list[dict]:
    """Every stored result of ``assignment`` (one per student and notebook)."""
    root = _course.state_dir(course) / "results" / assignment
    return [json.loads(p.read_text()) for p in sorted(root.glob("*/*.json"))]


def submitted_students(course: Path, assignment: str) -> list[str]:
    """Students with a ``submitted/<student>/<assignment>/`` folder."""
    root = course / "submitted"
    return sorted(p.parent.name for p in root.glob(f"*/{assignment}") if p.is_dir())


def _timestamp(folder: Path) -> datetime | None:
    try:
        text = (folder / "timestamp.txt").read_text().strip()
        return datetime.strptime(text[:26], "%Y-%m-%d %H:%M:%S.%f")
    except (OSError, ValueError):
        return None


def _missing(student: str, assignment: str, notebook: str, template: dict) -> dict:
    result = base_result({"student": student, "assignment": assignment, "notebook": notebook,
                          "release": template["release"]})
    result.update(status="missing", reason=f"no {notebook}.ipynb in the submission",
                  template_sha256=template["sha256"])
    return result


def _plan_jobs(course: Path, assignment: str, templates: dict, config: dict, *,
               students: list[str], only_failed: bool, force: bool) -> tuple[list, list]:
    jobs, missing = [], []
    for student in students:
        folder = course / "submitted" / student / assignment
        for name, template in templates.items():
            previous = _result_path(course, assignment, student, name)
            old = json.loads(previous.read_text()) if previous.is_file() else None
            file = folder / f"{name}.ipynb"
            raw = file.read_bytes() if file.is_file() else None
            sha = hashlib.sha256(raw).hexdigest() if raw is not None else None
            current = old is not None and old.get("submission_sha256") == sha and \
                old.get("template_sha256") == template["sha256"]
            failed = current and old["status"] != "graded"
            if current and not force and not (only_failed and failed):
                continue
            if raw is None:
                missing.append(_missing(student, assignment, name, template))
                continue
            jobs.append({"student": student, "assignment": assignment, "notebook": name,
                         "release": template["release"], "tests": template["tests"],
                         "submission": raw, "submission_sha256": sha,
                         "template_sha256": template["sha256"], "config": config})
    return jobs, missing


def _safe_grade(job: dict) -> dict:
    try:
        return grade(job)
    except Exception as exc:  # noqa: BLE001 - one submission must never abort the batch
        return {"student": job["student"], "assignment": job["assignment"],
                "notebook": job["notebook"], "status": "error",
                "reason": f"grader error: {type(exc).__name__}: {exc}",
                "submission_sha256": job.get("submission_sha256"),
                "template_sha256": job.get("template_sha256"), "cells": [], "score": 0.0,
                "max_score": 0.0, "diffs": {}, "seconds": 0.0, "graded_notebook": None}


def _run(jobs: list[dict], workers: int, scheduler: str | None) -> Iterator[dict]:
    if not jobs:
        return
    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        with Client(scheduler) as client:
            futures = client.map(_safe_grade, jobs, pure=False)
            for future in dask_completed(futures):
                yield future.result()
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_safe_grade, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def _preflight_jobs(templates: dict, config: dict) -> list[dict]:
    jobs = []
    for name, template in templates.items():
        base = {"assignment": "preflight", "notebook": name, "release": template["release"],
                "tests": template["tests"], "config": config}
        jobs.append(dict(base, student="solution", submission=_course.solution_bytes(template)))
        jobs.append(dict(base, student="blank",
                         submission=json.dumps(template["release"]).encode()))
    return jobs


def preflight_problems(results: Iterable[dict]) -> list[str]:
    """What is wrong with graded ``solution`` and ``blank`` results: empty when pre-flight passes."""
    problems = []
    for result in results:
        where = f"the {result['student']} of {result['notebook']}"
        auto = [c for c in result["cells"] if not c["needs_manual"]]
        if result["status"] != "graded":
            problems.append(f"{where} was {result['status']}: {result['reason']}")
        elif result["student"] == "solution" and any(c["points"] < c["max_points"] for c in auto):
            lost = [f"{c['grade_id']} ({c['message'] or 'no message'})" for c in auto
                    if c["points"] < c["max_points"]]
            problems.append(f"{where} lost points in {', '.join(lost)}")
        elif result["student"] == "blank" and result["score"] != 0:
            problems.append(f"{where} scored {result['score']:g} instead of 0")
    return problems


def preflight(templates: dict, config: dict, workers: int, scheduler: str | None) -> None:
    """Grade the reference solution and the blank release; raise unless full marks and 0."""
    problems = preflight_problems(_run(_preflight_jobs(templates, config), workers, scheduler))
    if problems:
        raise PreflightError("pre-flight failed, nothing was graded: " + "; ".join(problems))


def grade_scratch(assignment: str, submissions: Callable[[dict], dict[str, dict[str, bytes]]],
                  *, solutions: Path | None = None, limits: dict | None = None,
                  workers: int | None = None, sandbox: bool = True) -> dict[str, dict[str, dict]]:
    """Grade what ``submissions(templates)`` returns (``{student: {notebook: bytes}}``) with the
    production engine in a throw-away course released from ``solutions``; results by student
    and notebook.

    Students ``solution`` and ``blank`` default to the reference solution and the blank
    release, so ``preflight_problems`` of their results is exactly the pre-flight check.
    """
    if sandbox and not bwrap_path():
        raise SandboxMissing("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    with tempfile.TemporaryDirectory(prefix="fairlab-scratch-course-") as tmp:
        course = Path(tmp)
        _course.init_course(course, solutions)
        if limits:
            lines = ["[grading]"] + [f"{k} = {json.dumps(v)}" for k, v in limits.items()]
            (course / "grading.toml").write_text("\n".join(lines) + "\n")
        _course.release(course, assignment)
        templates = _course.templates(course, assignment)
        config = _course.grading_config(course, sandbox=sandbox)
        chosen: dict[str, dict[str, bytes]] = {}
        for job in _preflight_jobs(templates, config):
            chosen.setdefault(job["student"], {})[job["notebook"]] = job["submission"]
        chosen.update(submissions(templates))
        jobs = [{"student": student, "assignment": assignment, "notebook": name,
                 "release": template["release"], "tests": template["tests"],
                 "submission": notebooks[name], "config": config}
                for student, notebooks in chosen.items()
                for name, template in templates.items() if name in notebooks]
        out: dict[str, dict[str, dict]] = {}
        for result in _run(jobs, workers or os.cpu_count() or 1, None):
            out.setdefault(result["student"], {})[result["notebook"]] = result
        return out


def autograde(course: Path, assignment: str, *, workers: int | None = None,
              student: str | None = None, only_failed: bool = False, force: bool = False,
              scheduler: str | None = None, sandbox: bool = True, progress: bool = True,
              on_result: Callable[[dict], None] | None = None) -> list[dict]:
    """Grade every new or changed submission of ``assignment``; return all its results."""
    if sandbox and not bwrap_path():
        raise SandboxMissing("bubblewrap (bwrap) is not installed: install it "
                             "(apt-get install bubblewrap) or pass --unsafe-no-sandbox")
    workers = workers or os.cpu_count() or 1
    with _course.locked(course):
        templates = _course.templates(course, assignment)
        config = _course.grading_config(course, sandbox=sandbox)
        students = [student] if student else submitted_students(course, assignment)
        jobs, missing = _plan_jobs(course, assignment, templates, config, students=students,
                                   only_failed=only_failed, force=force)
        if jobs:
            preflight(templates, config, workers, scheduler)
        gb = open_gradebook(course)
        try:
            bar = tqdm(total=len(jobs) + len(missing), unit="nb", disable=not progress,
                       file=sys.stderr, desc=f"grading {assignment}")
            for result in chain(missing, _run(jobs, workers, scheduler)):
                _store(course, gb, result, templates[result["notebook"]])
                if result["status"] != "graded":
                    bar.write(f"{result['student']}/{result['notebook']}: {result['status']} — "
                              f"{result['reason']}", file=sys.stderr)
                if on_result:
                    on_result(result)
                bar.update()
            bar.close()
        finally:
            gb.close()
    return load_results(course, assignment)


def _store(course: Path, gb, result: dict, template: dict) -> None:
    student, assignment, name = result["student"], result["assignment"], result["notebook"]
    folder = course / "submitted" / student / assignment
    if result["cells"]:
        record(gb, result, _timestamp(folder))
    graded = result.pop("graded_notebook", None) or json.dumps(template["release"])
    target = course / "autograded" / student / assignment
    _write_atomic(target / f"{name}.ipynb", graded.encode())
    if (folder / "timestamp.txt").is_file():
        _write_atomic(target / "timestamp.txt", (folder / "timestamp.txt").read_bytes())
    _write_atomic(_result_path(course, assignment, student, name),
                  json.dumps(result, indent=1).encode())
