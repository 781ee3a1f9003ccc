"""The autograder README's round trip on real labs — the lightest (00) and one of the heaviest
(05) — with bad submissions built from each lab's own answers: init, release, collect from an
LMS zip, autograde, feedback, export and report, each case ending with the status it gets on
the fixture corpus."""

from __future__ import annotations

import csv
import json
import zipfile
from types import SimpleNamespace

import pytest

from fairlab import authoring, cli, paths
from fairlab.grading import _course, _feedback
from fairlab.grading._align import role

from . import corpus

pytestmark = pytest.mark.slow

LABS = ["00_orientation", "05_inprocessing"]
# Test-sized limits: a looping cell costs cell_timeout seconds of a worker.
LIMITS = "[grading]\ncell_timeout = 45\ninterrupt_grace = 3\nmemory_mib = 2048\n"
CHECKS = ("check_number", "check_series", "check_choice", "check_true", "check_array",
          "check_frame")
SNOOP = corpus.ATTEMPTS + r'''
attempt("read_source", lambda: os.listdir(COURSE + "/source"))
attempt("read_gradebook", lambda: open(COURSE + "/gradebook.db", "rb").read())
attempt("read_solutions", lambda: os.listdir(REPO + "/solutions"))
attempt("write_repo", lambda: open(REPO + "/src/pwned.txt", "w").write("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 80), timeout=2))
def list_instructor_data():
    if not os.listdir(DATA + "/instructor"):
        raise LookupError("empty")
attempt("list_instructor_data", list_instructor_data)
print("SNOOP" + json.dumps(attempts))
'''


def _ids(nb: dict, kind: str) -> list[str]:
    return [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
            if role(c) == kind and c["cell_type"] == "code"]


def _text(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _cell(nb: dict, gid: str) -> dict:
    return next(c for c in nb["cells"] if (c["metadata"].get("nbgrader") or {}).get("grade_id")
                == gid)


def _corpus(lab: str, template: dict, course: str) -> tuple[dict[str, bytes], dict, str]:
    """Submissions of one notebook by case, what each must get, and the wrong answer's exercise."""
    solution = json.loads(_course.solution_bytes(template))
    answers, tests = _ids(solution, "answer"), _ids(solution, "test")
    wrong = authoring.wrong_answers(lab)[0]
    wrong_nb = authoring.make_submission(lab, {wrong.cell: wrong.code})[f"{lab}.ipynb"]
    wrong_answer = {wrong.cell: next(c.source for c in wrong_nb.cells if (
        c.metadata.get("nbgrader") or {}).get("grade_id") == wrong.cell)}

    def variant(edit=None, answers_=None) -> bytes:
        nb = json.loads(_course.solution_bytes(template, answers_))
        if edit:
            edit(nb)
        return json.dumps(nb).encode()

    def append(gid: str, code: str):
        return lambda nb: _cell(nb, gid).update(source=_text(_cell(nb, gid)) + "\n" + code)

    def prepend(gid: str, code: str):
        return lambda nb: _cell(nb, gid).update(source=code + "\n" + _text(_cell(nb, gid)))

    def strip(nb: dict) -> None:
        for cell in nb["cells"]:
            cell["metadata"] = {}

    def snoop(nb: dict) -> None:
        where = f"COURSE, REPO, DATA = {course!r}, {str(paths.repo_root())!r}, " \
                f"{str(paths.data_dir())!r}\n"
        nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                            "execution_count": None, "source": where + SNOOP})

    patch = "\nimport fairlab.grading as _g, fairlab.grading._checks as _c\n" + "".join(
        f"_g.{name} = lambda *a, **k: None\n" for name in CHECKS) + "".join(
        f"_c.{name} = lambda *a, **k: None\n" for name in CHECKS[:4])
    cheat = dict(wrong_answer)
    cheat[wrong.cell] += patch
    cases = {
        "correct": variant(),
        "blank": json.dumps(template["release"]).encode(),
        "wrong": variant(answers_=wrong_answer),
        "cheat_helpers": variant(answers_=cheat),
        "malformed_json": b'{"cells": [ {"cell_type": ',
        "os_exit": variant(append(answers[-1], "import os\nos._exit(3)")),
        "loop": variant(prepend(answers[0], "while True:\n    pass")),
        "memory_bomb": variant(prepend(answers[-1], "hog = []\nwhile True:\n"
                                                    "    hog.append(bytearray(256 << 20))")),
        "tampered_test": variant(append(tests[0], "pass")),
        "stripped_metadata": variant(strip),
        "snoop": variant(snoop),
    }
    expected = {
        "correct": ("graded", []),
        "blank": ("graded", []),
        "wrong": ("graded", []),
        "cheat_helpers": ("tampered", ["check_"]),
        "malformed_json": ("malformed", ["not valid JSON"]),
        "os_exit": ("kernel_died", [repr(answers[-1])]),
        "loop": ("timeout", [repr(answers[0])]),
        "memory_bomb": ("memory_limit", [repr(answers[-1])]),
        "tampered_test": ("tampered", [f"{tests[0]!r} was edited"]),
        "stripped_metadata": ("cells_restored", ["lost its nbgrader metadata"]),
        "snoop": ("graded", []),
    }
    return cases, expected, wrong.exercise


@pytest.fixture(scope="module", params=LABS)
def round_trip(request, tmp_path_factory, course_data) -> SimpleNamespace:
    """One real lab taken through the README's round trip with the corpus."""
    lab = request.param
    root = tmp_path_factory.mktemp(lab)
    course = root / "course"
    assert cli.main(["grade", "init", str(course)]) == 0
    (course / "grading.toml").write_text(LIMITS)
    assert cli.main(["grade", "release", lab, "--course", str(course)]) == 0
    template = _course.templates(course, lab)[lab]
    cases, expected, exercise = _corpus(lab, template, str(course))
    export = root / "lms.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for student, data in cases.items():
            archive.writestr(f"{student}/{lab}.ipynb", data)
    assert cli.main(["grade", "collect", lab, "--from", str(export), "--course", str(course)]) == 0
    code = cli.main(["grade", "autograde", lab, "--course", str(course)])
    results = {r["student"]: r for r in map(json.loads, map(
        lambda p: p.read_text(), (course / "fairlab" / "results" / lab).glob("*/*.json")))}
    return SimpleNamespace(lab=lab, course=course, code=code, results=results, template=template,
                           expected=expected, exercise=exercise)


def _full(result: dict) -> float:
    return sum(c["max_points"] for c in result["cells"] if not c["needs_manual"])


def test_every_case_gets_its_status_and_reason(round_trip):
    assert round_trip.code == 1  # some submissions are not cleanly graded, all have a status
    assert set(round_trip.results) == set(round_trip.expected)
    for student, (status, words) in round_trip.expected.items():
        result = round_trip.results[student]
        assert result["status"] == status, (student, result["reason"])
        for word in words:
            assert word in result["reason"], (student, result["reason"])


def test_scores_on_a_real_lab(round_trip):
    results = round_trip.results
    full = _full(results["correct"])
    assert full > 0 and results["correct"]["score"] == full
    for student in ("stripped_metadata", "snoop", "tampered_test"):
        assert results[student]["score"] == full, student
    assert results["blank"]["score"] == results["malformed_json"]["score"] == 0
    points = {c["grade_id"]: c["points"] for c in results["wrong"]["cells"]}
    assert points[round_trip.exercise] == 0
    assert results["cheat_helpers"]["score"] <= results["wrong"]["score"] < full
    for student in ("os_exit", "loop", "memory_bomb"):
        assert results[student]["score"] < full, student


def test_student_code_saw_neither_the_course_nor_the_network(round_trip):
    student = round_trip.course / "autograded" / "snoop" / round_trip.lab
    nb = json.loads((student / f"{round_trip.lab}.ipynb").read_text())
    text = "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", []))
    attempts = json.loads(text.split("SNOOP", 1)[1].splitlines()[0])
    assert len(attempts) == 6
    assert all(v.startswith("blocked") for v in attempts.values()), attempts


def test_feedback_export_and_report(round_trip, tmp_path, capsys):
    course, lab = round_trip.course, round_trip.lab
    assert cli.main(["grade", "feedback", lab, "--course", str(course)]) == 0
    secrets = _feedback.secrets_of(round_trip.template)
    assert len(secrets) > 10
    pages = sorted((course / "feedback").rglob("*.html"))
    assert len(pages) == len(round_trip.expected)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not [s for s in secrets if s in text], page
    out = tmp_path / "grades.csv"
    assert cli.main(["grade", "export", "--out", str(out), "--course", str(course)]) == 0
    rows = {r["submitted_as"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert {s: rows[s]["status"] for s in rows} == {s: e[0] for s, e in
                                                     round_trip.expected.items()}
    assert cli.main(["grade", "report", lab, "--course", str(course)]) == 0
    report = capsys.readouterr().out
    for status in {e[0] for e in round_trip.expected.values()}:
        assert f"  {status} " in report
