"""The graded batch as a whole: exit code, export, sandbox, feedback, idempotence, Dask."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from fairlab import cli, paths
from fairlab.grading import _course, _engine, _feedback

from . import corpus
from .conftest import tree_hashes

pytestmark = pytest.mark.slow


def test_batch_exits_nonzero_only_because_some_are_not_graded(graded):
    assert graded.code == 1
    assert set(graded.results) == set(corpus.EXPECTED)


def test_cheats_never_score_more_than_the_same_submission_without_the_patch(graded):
    for cheat, honest in corpus.CHEAT_PAIRS.items():
        assert graded.results[cheat]["score"] <= graded.results[honest]["score"], cheat


def test_export_has_one_row_per_student_with_status_reason_and_exercises(graded, tmp_path):
    out = tmp_path / "grades.csv"
    assert cli.main(["grade", "export", "--out", str(out), "--course", str(graded.course)]) == 0
    rows = {r["submitted_as"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert set(rows) == set(corpus.EXPECTED)
    for student, (status, score, _) in corpus.EXPECTED.items():
        row = rows[student]
        assert (row["status"], float(row["score"]), float(row["max_score"])) == \
            (status, score, 6.0)
        assert float(row[f"{corpus.ASSIGNMENT}/{corpus.NOTEBOOK}/ex1-tests"]) in (0, 2)
        assert bool(row["reason"]) == (status != "graded" or student == "huge_output")


def test_nothing_outside_the_scratch_directories_changed(graded):
    assert tree_hashes(*graded.watched) == graded.before
    assert not (graded.course / "pwned.txt").exists()
    assert not (paths.repo_root() / "src" / "pwned.txt").exists()
    assert not Path("/pwned.txt").exists()


def test_student_code_could_not_see_the_course_repo_or_network(graded):
    student = next(s for s, raw in graded.names.items() if raw == "snoop")
    nb = json.loads((graded.course / "autograded" / student / corpus.ASSIGNMENT /
                     f"{corpus.NOTEBOOK}.ipynb").read_text())
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    attempts = json.loads(text.split("SNOOP", 1)[1].splitlines()[0])
    assert len(attempts) == 9
    assert all(v.startswith("blocked") for v in attempts.values()), attempts


def test_feedback_shows_points_and_messages_but_no_hidden_test_or_solution(graded):
    assert cli.main(["grade", "feedback", corpus.ASSIGNMENT,
                     "--course", str(graded.course)]) == 0
    template = _course.templates(graded.course, corpus.ASSIGNMENT)[corpus.NOTEBOOK]
    secrets = _feedback.secrets_of(template)
    assert any("hidden_expected_qz" in s for s in secrets)
    assert any("tripled_value_qz" in s for s in secrets)
    assert any("distinctive_reflection_qz" in s for s in secrets)
    pages = sorted((graded.course / "feedback").rglob("*.html"))
    assert len(pages) == len(corpus.EXPECTED)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], page
        assert "BEGIN HIDDEN" not in text and "_qz" not in text
    wrong = next(s for s, raw in graded.names.items() if raw == "wrong_1")
    text = (graded.course / "feedback" / wrong / corpus.ASSIGNMENT / "fixture.html").read_text()
    assert "`triple(2)` = 5 is not the expected value." in text
    assert "0 / 2" in text


def test_report_lists_every_status_and_reason(graded, capsys):
    assert cli.main(["grade", "report", corpus.ASSIGNMENT, "--course", str(graded.course)]) == 0
    out = capsys.readouterr().out
    for status in ("graded", "malformed", "missing", "kernel_died", "timeout", "tampered",
                   "cells_restored", "memory_limit"):
        assert f"  {status} " in out
    assert "no fixture.ipynb in the submission" in out


def test_rerun_grades_nothing_twice(graded):
    seen = []
    results = _engine.autograde(graded.course, corpus.ASSIGNMENT, progress=False,
                                on_result=seen.append)
    assert seen == []
    assert len(results) == len(corpus.EXPECTED)


def test_only_failed_regrades_exactly_the_non_graded(graded):
    seen = []
    _engine.autograde(graded.course, corpus.ASSIGNMENT, progress=False, only_failed=True,
                      student=next(s for s, r in graded.names.items() if r == "zero_byte"),
                      on_result=seen.append)
    assert [r["status"] for r in seen] == ["malformed"]


def test_dask_cluster_gives_identical_results(graded, tmp_path):
    from distributed import LocalCluster

    course = tmp_path / "course"
    shutil.copytree(graded.course, course, ignore=shutil.ignore_patterns(
        "fairlab", "autograded", "feedback", "nbgrader_config.py"))
    _course.init_course(course, tmp_path / "no-solutions")
    shutil.copy(graded.course / "grading.toml", course / "grading.toml")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        results = _engine.autograde(course, corpus.ASSIGNMENT, progress=False,
                                    scheduler=cluster.scheduler_address)

    def key(r):
        return (r["status"], r["score"], [c["points"] for c in r["cells"]])

    assert {r["student"]: key(r) for r in results} == \
        {r["student"]: key(r) for r in graded.results.values()}
