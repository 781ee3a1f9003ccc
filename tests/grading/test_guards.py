"""Refusals: no sandbox, a broken environment, a second coordinator; and kill-9 recovery."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from fairlab import cli
from fairlab.grading import _course, _engine

from . import corpus
from .conftest import make_course, release_of

pytestmark = pytest.mark.slow


def _collect(course, tmp_path, students):
    members = corpus.build(release_of(course), str(course), "/nowhere", "/nowhere")
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for student in students:
            archive.writestr(f"{student}/{corpus.NOTEBOOK}.ipynb",
                             members[f"{student}/{corpus.NOTEBOOK}.ipynb"])
    assert cli.main(["grade", "collect", corpus.ASSIGNMENT, "--from", str(export),
                     "--course", str(course)]) == 0


def test_grading_refuses_without_sandbox_unless_told(tmp_path, monkeypatch, capsys):
    course = make_course(tmp_path)
    _collect(course, tmp_path, ["correct_a"])
    monkeypatch.setattr(_engine, "bwrap_path", lambda: None)
    assert cli.main(["grade", "autograde", corpus.ASSIGNMENT, "--course", str(course)]) == 2
    assert "--unsafe-no-sandbox" in capsys.readouterr().err
    assert not (course / "fairlab" / "results").exists()
    assert cli.main(["grade", "autograde", corpus.ASSIGNMENT, "--course", str(course),
                     "--unsafe-no-sandbox"]) == 0


def test_preflight_refuses_when_the_environment_lacks_a_package(tmp_path):
    course = make_course(tmp_path)
    source = course / "source" / corpus.ASSIGNMENT / f"{corpus.NOTEBOOK}.ipynb"
    nb = json.loads(source.read_text())
    setup = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get(
        "grade_id") == "setup")
    setup["source"] = ["import not_installed_package_qz\n", *setup["source"]]
    source.write_text(json.dumps(nb))
    assert cli.main(["grade", "release", corpus.ASSIGNMENT, "--course", str(course)]) == 0
    _collect(course, tmp_path, ["correct_a"])
    with pytest.raises(_engine.PreflightError, match="solution of fixture lost points"):
        _engine.autograde(course, corpus.ASSIGNMENT, progress=False)
    assert not (course / "fairlab" / "results").exists()


def test_a_second_coordinator_is_refused(tmp_path):
    course = make_course(tmp_path)
    with _course.locked(course), pytest.raises(RuntimeError, match="another"):
        _engine.autograde(course, corpus.ASSIGNMENT, progress=False)


def test_a_batch_killed_midway_completes_on_rerun_grading_each_once(tmp_path):
    course = make_course(tmp_path)
    students = ["correct_a", "correct_b", "wrong_1", "wrong_2", "wrong_both", "blank"]
    _collect(course, tmp_path, students)
    results = course / "fairlab" / "results" / corpus.ASSIGNMENT
    cmd = [sys.executable, "-m", "fairlab.cli", "grade", "autograde", corpus.ASSIGNMENT,
           "--course", str(course), "--workers", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while len(list(results.glob("*/*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p: p.read_bytes() for p in results.glob("*/*.json")}
    assert 2 <= len(done) < len(students)
    seen = []
    final = _engine.autograde(course, corpus.ASSIGNMENT, progress=False, on_result=seen.append)
    assert len(seen) + len(done) == len(students)
    assert {p: p.read_bytes() for p in done} == done
    assert sorted(r["student"] for r in final) == sorted(students)
    assert {r["student"]: r["score"] for r in final} == {
        s: corpus.EXPECTED[s][1] for s in students}
