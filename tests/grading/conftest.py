"""A graded course built once for the module: init, release, collect the corpus, autograde."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from fairlab import cli, labs, paths
from fairlab.grading._sandbox import bwrap_path

from . import corpus

FIXTURE = Path(__file__).parents[1] / "fixtures" / "grading" / "solutions"
LIMITS = """[grading]
cell_timeout = 4
interrupt_grace = 2
wall_seconds = 120
memory_mib = 1536
"""


def tree_hashes(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under ``roots``."""
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
            for root in roots for p in sorted(root.rglob("*")) if p.is_file()}


_RELEASED: list[Path] = []


def make_course(root: Path) -> Path:
    """A released fixture course with test-sized limits (released once, then copied)."""
    course = root / "course"
    if not _RELEASED:
        assert cli.main(["grade", "init", str(course), "--solutions", str(FIXTURE)]) == 0
        (course / "grading.toml").write_text(LIMITS)
        assert cli.main(["grade", "release", corpus.ASSIGNMENT, "--course", str(course)]) == 0
        _RELEASED.append(root.parent / "released-fixture-course")
        shutil.copytree(course, _RELEASED[0])
        return course
    shutil.copytree(_RELEASED[0], course)
    labs.write_nbgrader_config(course)
    return course


def release_of(course: Path) -> dict:
    """The release notebook of the fixture assignment."""
    path = course / "release" / corpus.ASSIGNMENT / f"{corpus.NOTEBOOK}.ipynb"
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def graded(tmp_path_factory) -> SimpleNamespace:
    """The corpus, collected from an LMS zip and graded in one batch."""
    if not bwrap_path():
        pytest.fail("bubblewrap is required for the grading tests (apt-get install bubblewrap)")
    root = tmp_path_factory.mktemp("grading")
    course = make_course(root)
    members = corpus.build(release_of(course), str(course), str(paths.repo_root()),
                           str(paths.data_dir()))
    export = root / "lms-export.zip"
    with zipfile.ZipFile(export, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert cli.main(["grade", "collect", corpus.ASSIGNMENT, "--from", str(export),
                     "--course", str(course)]) == 0
    watched = [course / "source", course / "release", course / "submitted",
               course / "fairlab" / "raw", FIXTURE]
    before = tree_hashes(*watched)
    code = cli.main(["grade", "autograde", corpus.ASSIGNMENT, "--course", str(course)])
    receipts = [json.loads(line) for line in
                (course / "fairlab" / "receipts.jsonl").read_text().splitlines()]
    names = {r["student"]: r["submitted_as"] for r in receipts}
    results = {}
    for path in (course / "fairlab" / "results" / corpus.ASSIGNMENT).glob("*/*.json"):
        result = json.loads(path.read_text())
        results[names[result["student"]]] = result
    return SimpleNamespace(course=course, code=code, results=results, names=names,
                           watched=watched, before=before, after=tree_hashes(*watched))
