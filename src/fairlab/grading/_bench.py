"""Grading benchmark: ``fairlab grade autograde`` against plain sequential ``nbgrader autograde``
on identical copies of N submissions (the lab's solution), in the same run, and against the
physical limit: executing the solution alone (papermill) once per submission, spread over
every core."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from .. import labs, paths
from . import _course, _engine

__all__ = ["run"]

_MIB = 1 << 20


def _peak_rss(stop: threading.Event, peak: list[int]) -> None:
    me = psutil.Process()
    while not stop.wait(0.05):
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        peak[0] = max(peak[0], total)


def _measure(action) -> tuple[float, float]:
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=_peak_rss, args=(stop, peak), daemon=True)
    sampler.start()
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    return seconds, peak[0] / _MIB


def _course_with_submissions(root: Path, lab: str, submissions: int) -> Path:
    course = root / "course"
    labs.write_nbgrader_config(course)
    shutil.copytree(paths.solutions_dir() / lab, course / "source" / lab,
                    ignore=shutil.ignore_patterns(*labs.NOT_RELEASED))
    _course.release(course, lab)
    templates = _course.templates(course, lab)
    for number in range(1, submissions + 1):
        folder = course / "submitted" / f"student{number:03d}" / lab
        folder.mkdir(parents=True)
        for name, template in templates.items():
            (folder / f"{name}.ipynb").write_bytes(_course.solution_bytes(template))
        (folder / "timestamp.txt").write_text("2026-01-01 09:00:00.000000 UTC\n")
    return course


def run(submissions: int = 40, lab: str = "00_orientation",
        solution_seconds: float | None = None) -> None:
    """Print wall time, s/notebook and peak memory of both graders, their ratio, and the
    engine's overhead over ``solution_seconds`` (one papermill run of the solution) x
    submissions / cores."""
    if lab not in labs.lab_names():
        raise FileNotFoundError(f"no lab {lab!r} in {paths.solutions_dir()}")
    root = paths.bench_dir() / "grading"
    shutil.rmtree(root, ignore_errors=True)
    ours = _course_with_submissions(root / "fairlab", lab, submissions)
    theirs = root / "nbgrader" / "course"
    shutil.copytree(ours, theirs, ignore=shutil.ignore_patterns("nbgrader_config.py"))
    labs.write_nbgrader_config(theirs)
    notebooks = submissions * len(_course.assignment_notebooks(ours, lab))
    workers = os.cpu_count() or 1
    sandbox = _engine.bwrap_path() is not None

    results: list[dict] = []
    our_s, our_mib = _measure(lambda: results.extend(_engine.autograde(
        ours, lab, workers=workers, sandbox=sandbox, progress=False)))
    cmd = [sys.executable, "-m", "nbgrader", "autograde", lab, "--log-level=ERROR"]
    done: list[int] = []
    their_s, their_mib = _measure(lambda: done.append(subprocess.run(
        cmd, cwd=theirs, env=paths.tool_env(), capture_output=True).returncode))
    graded = sum(r["status"] == "graded" for r in results)
    full = sum(r["score"] == sum(c["max_points"] for c in r["cells"] if not c["needs_manual"])
               for r in results)
    print(f"grading benchmark: {lab}, {submissions} submissions ({notebooks} notebooks), "
          f"{os.cpu_count()} cores")
    print(f"  fairlab grade autograde ({workers} workers, "
          f"{'sandboxed' if sandbox else 'NO sandbox'}, incl. pre-flight): {our_s:7.1f} s  "
          f"{our_s / notebooks:5.2f} s/notebook  peak {our_mib:6.0f} MiB  "
          f"({graded} graded, {full} full marks)")
    print(f"  nbgrader autograde (sequential, exit {done[0]}):{' ' * 22}{their_s:7.1f} s  "
          f"{their_s / notebooks:5.2f} s/notebook  peak {their_mib:6.0f} MiB")
    print(f"  grading speed-up: {their_s / our_s:.2f}x (target >= 1.8 on 2 cores)")
    if solution_seconds:
        limit = solution_seconds * submissions / workers
        print(f"  physical limit (solution alone {solution_seconds:.1f} s x {submissions} / "
              f"{workers} cores): {limit:7.1f} s; the engine takes {our_s / limit:.2f}x that "
              f"(pre-flight's two extra runs included)")
