"""Run a lab's wrong answers cheaply: execute the solution once in one IPython shell and, at each
answer cell that has wrong answers, fork the process; the child runs the wrong code in place of
the solution and continues up to the exercise's test cell. A test cell scores when it raises
nothing, which is how nbgrader scores the course's all-or-nothing test cells.

Each child records where its run failed: the answer cell itself, a cell between it and the test
cell, or the test cell (and whether with an ``AssertionError``, as the checks raise). A control
child per answer cell runs the solution's own region through the same substitution, so a
substitution that breaks code is caught.

Used by :func:`fairlab.authoring.grade_lab`:
``python -m fairlab._wrongcheck NOTEBOOK WRONG.json OUT.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import nbformat

_TIMEOUT = 600.0


def _cells(path: Path) -> list[tuple[str | None, bool, str, str]]:
    """(grade_id, is_test, code with the solution in place, source with its markers) of every
    code cell of a source notebook."""
    from .authoring import _SOLUTION

    out = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        is_test = bool(meta.get("grade")) and not meta.get("solution")
        out.append((meta.get("grade_id"), is_test, _SOLUTION.sub("", cell.source), cell.source))
    return out


def _run(shell, code: str) -> dict | None:
    """Run one cell; return None, or the error it raised (type, message, whether an assertion)."""
    import matplotlib.pyplot as plt

    result = shell.run_cell(code, store_history=False, silent=True)
    plt.close("all")
    if result.success:
        return None
    error = result.error_in_exec or result.error_before_exec
    return {"type": type(error).__name__, "message": str(error)[:500],
            "assertion": isinstance(error, AssertionError)}


def _child(shell, cells, start: int, code: str, exercise: str, out: Path) -> None:
    run: dict = {"answer": None, "between": {}, "tests": {}}
    for index, (gid, is_test, source, _) in enumerate(cells[start:], start):
        error = _run(shell, code if index == start else source)
        if index == start:
            run["answer"] = error
        elif is_test:
            run["tests"][gid] = error
        elif error is not None:
            run["between"][gid or f"cell {index}"] = error
        if gid == exercise:
            break
    out.write_text(json.dumps(run))


def _controls(cells, wrongs: list[dict]) -> list[dict]:
    """One control per answer cell with wrong answers: its own solution region, run up to the
    last exercise its wrong answers name."""
    from .authoring import solution_region

    order = [gid for gid, *_ in cells]
    raw = {gid: source for gid, _, _, source in cells}
    out = {}
    for wrong in wrongs:
        last = out.get(wrong["cell"], {}).get("exercise")
        if last is None or order.index(wrong["exercise"]) > order.index(last):
            out[wrong["cell"]] = {"student": f"control-{wrong['cell']}", "cell": wrong["cell"],
                                  "exercise": wrong["exercise"],
                                  "code": solution_region(raw[wrong["cell"]])}
    return list(out.values())


def _reap(children: dict[int, tuple[str, float]], block: bool, timeout: float) -> None:
    while children:
        for pid, (_, started) in list(children.items()):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                del children[pid]
            elif time.monotonic() - started > timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                del children[pid]
        if not block and len(children) < (os.cpu_count() or 1):
            return
        time.sleep(0.05)


def check(notebook: Path, wrongs: list[dict], *, timeout: float = _TIMEOUT) -> dict[str, dict]:
    """The run of each wrong answer and of each control (keyed by ``student``; see
    :func:`_child`: the answer cell's error, errors of cells between, outcomes of the test cells
    up to its exercise); plus ``"solution"``, the solution's test-cell outcomes."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from .authoring import _SOLUTION, substitute

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    cells = _cells(notebook)
    wrongs = [*wrongs, *_controls(cells, wrongs)]
    by_cell: dict[str, list[dict]] = {}
    for wrong in wrongs:
        by_cell.setdefault(wrong["cell"], []).append(wrong)
    scratch = Path(tempfile.mkdtemp(prefix="fairlab-wrongcheck-"))
    children: dict[int, tuple[str, float]] = {}
    solution: dict[str, dict | None] = {}
    devnull = os.open(os.devnull, os.O_WRONLY)
    saved = os.dup(1), os.dup(2)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    try:
        for index, (gid, is_test, source, raw) in enumerate(cells):
            for wrong in by_cell.get(gid, []):
                replaced = _SOLUTION.sub("", substitute(raw, wrong["code"]))
                _reap(children, block=False, timeout=timeout)
                pid = os.fork()
                if pid == 0:  # the child: the wrong answer, then on to its exercise
                    try:
                        _child(shell, cells, index, replaced, wrong["exercise"],
                               scratch / f"{wrong['student']}.json")
                    finally:
                        os._exit(0)
                children[pid] = (wrong["student"], time.monotonic())
            error = _run(shell, source)
            if is_test:
                solution[gid] = error
        _reap(children, block=True, timeout=timeout)
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
    out: dict[str, dict] = {"solution": solution}
    for wrong in wrongs:
        path = scratch / f"{wrong['student']}.json"
        lost = {"type": "Timeout", "message": f"no result (the process died or ran over {timeout:.0f} s)",
                "assertion": False}
        out[wrong["student"]] = (json.loads(path.read_text()) if path.is_file() else
                                 {"answer": None, "between": {}, "tests": {wrong["exercise"]: lost}})
    shutil.rmtree(scratch)
    return out


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m fairlab._wrongcheck")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("wrongs", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    notebook, out = args.notebook.resolve(), args.out.resolve()
    wrongs = json.loads(args.wrongs.read_text())
    with tempfile.TemporaryDirectory(prefix="fairlab-wrongcheck-cwd-") as cwd:
        os.chdir(cwd)  # what the notebook writes (reports, figures) lands here
        out.write_text(json.dumps(check(notebook, wrongs)))


if __name__ == "__main__":
    main()
