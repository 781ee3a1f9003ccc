"""The corpus of submissions for the fixture assignment: correct ones and every kind of bad one.

``build(release)`` returns ``{zip member name: bytes}`` (an LMS-style export) and
``EXPECTED`` says what grading each student must produce: status, score, words in the reason.
"""

from __future__ import annotations

import copy
import json

ASSIGNMENT = "01_fixture"
NOTEBOOK = "fixture"

RIGHT_1 = "def triple(x):\n    return SCALE * x"
WRONG_1 = "def triple(x):\n    return x + SCALE"
RATES = 'rates = pd.Series({"a": 0.5, "b": 0.25, "c": 0.375})\n'
RIGHT_2 = "gap = float(rates.max() - rates.min())"
WRONG_2 = "gap = 0.3"
#: Student code that records whether each attempt it makes was allowed or blocked.
ATTEMPTS = r'''
import json, os, socket
attempts = {}
def attempt(name, action):
    try:
        action()
        attempts[name] = "ALLOWED"
    except Exception as exc:
        attempts[name] = "blocked: " + type(exc).__name__
'''
SNOOP = ATTEMPTS + r'''
attempt("read_source", lambda: open(COURSE + "/source/01_fixture/fixture.ipynb").read())
attempt("read_gradebook", lambda: open(COURSE + "/gradebook.db", "rb").read())
attempt("list_submitted", lambda: os.listdir(COURSE + "/submitted"))
attempt("write_course", lambda: open(COURSE + "/pwned.txt", "w").write("x"))
attempt("write_repo", lambda: open(REPO + "/src/pwned.txt", "w").write("x"))
attempt("write_root", lambda: open("/pwned.txt", "w").write("x"))
attempt("network", lambda: socket.create_connection(("1.1.1.1", 80), timeout=2))
attempt("read_solutions", lambda: os.listdir(REPO + "/solutions"))
def list_instructor_data():
    if not os.listdir(DATA + "/instructor"):
        raise LookupError("empty")
attempt("list_instructor_data", list_instructor_data)
print("SNOOP" + json.dumps(attempts))
'''

#: student -> (status, score, words that must appear in the reason)
EXPECTED = {
    "correct_a": ("graded", 5, []),
    "correct_b": ("graded", 5, []),
    "correct_helpers": ("graded", 5, []),
    "Zoë O'Brien": ("graded", 5, []),
    "flat_student": ("graded", 5, []),
    "../../escape": ("graded", 5, []),
    "wrong_1": ("graded", 3, []),
    "wrong_2": ("graded", 2, []),
    "wrong_both": ("graded", 0, []),
    "blank": ("graded", 0, []),
    "malformed_json": ("malformed", 0, ["not valid JSON"]),
    "wrong_nbformat": ("malformed", 0, ["nbformat 3"]),
    "not_a_notebook": ("malformed", 0, ["not a notebook"]),
    "zero_byte": ("malformed", 0, ["empty"]),
    "non_utf8": ("malformed", 0, ["UTF-8"]),
    "missing": ("missing", 0, ["no fixture.ipynb"]),
    "os_exit": ("kernel_died", 2, ["'ex2-answer'"]),
    "segfault": ("kernel_died", 2, ["'ex2-answer'"]),
    "loop_before_def": ("timeout", 3, ["'ex1-answer'"]),
    "loop_after_def": ("timeout", 3, ["'ex1-tests'"]),
    "c_level_hang": ("timeout", 3, ["'ex1-answer'", "ignored the interrupt"]),
    "memory_bomb": ("memory_limit", 2, ["'ex2-answer'"]),
    "sys_exit": ("graded", 5, []),
    "huge_output": ("graded", 5, ["truncated"]),
    "duplicated_cell": ("cells_restored", 5, ["duplicated"]),
    "deleted_test": ("cells_restored", 5, ["'ex1-tests' was missing"]),
    "deleted_answer_kept_code": ("cells_restored", 5, ["'ex2-answer'"]),
    "reordered": ("cells_restored", 5, ["re-ordered"]),
    "stripped_metadata": ("cells_restored", 5, ["lost its nbgrader metadata"]),
    "tampered_test": ("tampered", 3, ["'ex1-tests' was edited"]),
    "tampered_setup": ("tampered", 5, ["'setup' was edited"]),
    "tampered_points": ("tampered", 5, ["'ex2-tests' was edited"]),
    "cheat_builtins_numpy": ("tampered", 2, ["builtins.abs", "numpy.isclose"]),
    "cheat_math": ("tampered", 3, ["math.isclose"]),
    "cheat_helpers": ("tampered", 3, ["check_number"]),
    "cheat_during_test": ("tampered", 3, ["while test"]),
    "cheat_transformer": ("tampered", 0, ["input_transformers_cleanup"]),
    "snoop": ("graded", 5, []),
}

#: cheat -> the same submission without the cheat
CHEAT_PAIRS = {
    "cheat_builtins_numpy": "wrong_2",
    "cheat_math": "wrong_1",
    "cheat_helpers": "wrong_1",
    "cheat_during_test": "wrong_1",
    "cheat_transformer": "wrong_both",
}


def _cell(nb: dict, gid: str) -> dict:
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == gid)


def _index(nb: dict, gid: str) -> int:
    return nb["cells"].index(_cell(nb, gid))


def _answers(release: dict, one: str = RIGHT_1, two: str = RIGHT_2) -> dict:
    nb = copy.deepcopy(release)
    _cell(nb, "ex1-answer")["source"] = one
    _cell(nb, "ex2-answer")["source"] = RATES + two
    _cell(nb, "reflection")["source"] = "Groups differ, so the gap is positive."
    return nb


def _plain(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


def _dump(nb: dict) -> bytes:
    return json.dumps(nb, ensure_ascii=False).encode()


def _notebooks(release: dict, course: str, repo: str, data: str) -> dict[str, bytes]:
    ok = _answers(release)
    out = {s: _dump(ok) for s in ("correct_a", "Zoë O'Brien", "flat_student", "../../escape")}
    out["correct_b"] = _dump(_answers(release, "def triple(x):\n    return x * 3"))
    helpers = _answers(release, "def triple(x):\n    return helper(x)")
    helpers["cells"].insert(_index(helpers, "ex1-answer"), _plain("def helper(x):\n    return 3 * x"))
    out["correct_helpers"] = _dump(helpers)
    out["wrong_1"] = _dump(_answers(release, WRONG_1))
    out["wrong_2"] = _dump(_answers(release, two=WRONG_2))
    out["wrong_both"] = _dump(_answers(release, WRONG_1, WRONG_2))
    out["blank"] = _dump(release)
    out["malformed_json"] = b'{"cells": [ {"cell_type": '
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [], "cells": []}
    out["wrong_nbformat"] = _dump(v3)
    out["not_a_notebook"] = b'{"name": "my essay", "text": "..."}'
    out["zero_byte"] = b""
    out["non_utf8"] = b'{"cells": [], "nbformat": 4, "x": "\xff\xfe\xfa"}'
    out["os_exit"] = _dump(_answers(release, two="import os\nos._exit(3)"))
    out["segfault"] = _dump(_answers(release, two="import ctypes\nctypes.string_at(0)"))
    out["loop_before_def"] = _dump(_answers(release, "while True:\n    pass\n" + RIGHT_1))
    out["loop_after_def"] = _dump(_answers(
        release, "def triple(x):\n    while True:\n        pass"))
    out["c_level_hang"] = _dump(_answers(
        release, RIGHT_1 + "\nimport ctypes, signal\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])\nctypes.CDLL(None).pause()"))
    out["memory_bomb"] = _dump(_answers(
        release, two="hog = []\nwhile True:\n    hog.append(bytearray(512 * 1024 * 1024))\n"
        + RIGHT_2))
    out["sys_exit"] = _dump(_answers(release, two=RIGHT_2 + "\nimport sys\nsys.exit(0)"))
    out["huge_output"] = _dump(_answers(
        release, RIGHT_1 + "\nfor _ in range(250):\n    print('x' * 100_000)"))
    dup = _answers(release)
    dup["cells"].insert(_index(dup, "ex1-answer"), copy.deepcopy(_cell(dup, "ex1-answer")))
    out["duplicated_cell"] = _dump(dup)
    deleted = _answers(release)
    del deleted["cells"][_index(deleted, "ex1-tests")]
    out["deleted_test"] = _dump(deleted)
    kept = _answers(release)
    kept["cells"][_index(kept, "ex2-answer")] = _plain(RATES + RIGHT_2)
    out["deleted_answer_kept_code"] = _dump(kept)
    reordered = _answers(release)
    a, t = _index(reordered, "ex2-answer"), _index(reordered, "ex2-tests")
    reordered["cells"][a], reordered["cells"][t] = reordered["cells"][t], reordered["cells"][a]
    out["reordered"] = _dump(reordered)
    stripped = _answers(release)
    for cell in stripped["cells"]:
        cell["metadata"] = {}
    out["stripped_metadata"] = _dump(stripped)
    tampered = _answers(release, WRONG_1)
    _cell(tampered, "ex1-tests")["source"] = "pass"
    out["tampered_test"] = _dump(tampered)
    setup = _answers(release)
    _cell(setup, "setup")["source"] += "\nSCALE = 4"
    out["tampered_setup"] = _dump(setup)
    points = _answers(release)
    _cell(points, "ex2-tests")["metadata"]["nbgrader"]["points"] = 30
    out["tampered_points"] = _dump(points)
    out["cheat_builtins_numpy"] = _dump(_answers(
        release, two=WRONG_2 + "\nimport builtins\nbuiltins.abs = lambda x: 0\n"
        "np.isclose = lambda *a, **k: True"))
    out["cheat_math"] = _dump(_answers(
        release, WRONG_1 + "\nmath.isclose = lambda *a, **k: True"))
    out["cheat_helpers"] = _dump(_answers(
        release, WRONG_1 + "\nimport fairlab.grading as g, fairlab.grading._checks as c\n"
        "g.check_number = c.check_number = lambda *a, **k: None\n"
        "check_number = lambda *a, **k: None"))
    out["cheat_during_test"] = _dump(_answers(
        release, "def triple(x):\n    import math\n    math.isclose = lambda *a, **k: True\n"
        "    return x + SCALE"))
    out["cheat_transformer"] = _dump(_answers(
        release, WRONG_1, WRONG_2 + "\nget_ipython().input_transformers_cleanup.append(\n"
        "    lambda lines: ['pass\\n'] if any('check_' in l or 'assert' in l for l in lines)"
        " else lines)"))
    out["snoop"] = _dump(_answers(
        release, RIGHT_1 + f"\nCOURSE, REPO, DATA = {course!r}, {repo!r}, {data!r}\n" + SNOOP))
    return out


def build(release: dict, course: str, repo: str, data: str) -> dict[str, bytes]:
    """The LMS-style zip members of the whole corpus."""
    members = {}
    for student, notebook in _notebooks(release, course, repo, data).items():
        if student == "flat_student":
            members[f"{student}_{NOTEBOOK}.ipynb"] = notebook
        else:
            members[f"{student}/{NOTEBOOK}.ipynb"] = notebook
    members["missing/notes.txt"] = b"I could not finish, sorry."
    members["missing/essay.md"] = b"# essay"
    return members
