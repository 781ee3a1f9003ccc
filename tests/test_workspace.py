"""The learner's workspace: created once, never overwritten, a new release lands beside it."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from fairlab import labs, paths, workspace

LAB = "01_fairness_metrics"
NB = f"{LAB}/{LAB}.ipynb"


@pytest.fixture
def release(tmp_path):
    """A copy of the committed labs/ (what a clone has), to release into."""
    root = tmp_path / "labs"
    shutil.copytree(paths.labs_dir(), root)
    return root


def _answer(path, code: str) -> None:
    nb = nbformat.read(path, 4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")
                == "selection_answer")
    cell.source = code
    nbformat.write(nb, path)


def test_first_run_copies_every_lab(tmp_path, release):
    ws = tmp_path / "workspace"
    assert workspace.sync(ws, release) == []
    for lab in labs.lab_names(release):
        for src in labs.released_files(release / lab):
            assert (ws / src.relative_to(release)).read_bytes() == src.read_bytes()
    assert not list(ws.glob(f"*/{labs.STAMP}")), "the release stamp is not the learner's"


def test_edit_survives_running_the_setup_again(tmp_path, release):
    ws = tmp_path / "workspace"
    workspace.sync(ws, release)
    _answer(ws / NB, "selection_rates = 'my answer'")
    mine = (ws / NB).read_bytes()
    assert workspace.sync(ws, release) == []
    assert (ws / NB).read_bytes() == mine
    assert sorted(p.name for p in (ws / LAB).iterdir()) == [f"{LAB}.ipynb"]


def test_deleted_lab_comes_back_fresh(tmp_path, release):
    ws = tmp_path / "workspace"
    workspace.sync(ws, release)
    (ws / NB).unlink()
    assert workspace.sync(ws, release) == [f"{NB}: missing, a fresh copy was put back"]
    assert (ws / NB).read_bytes() == (release / NB).read_bytes()


@pytest.mark.slow
def test_changed_solution_lands_beside_the_learners_copy(tmp_path, release):
    """Change a solution, regenerate the release: the learner keeps theirs and gets the new one."""
    ws, source = tmp_path / "workspace", tmp_path / "solutions"
    shutil.copytree(paths.solutions_dir() / LAB, source / LAB)
    workspace.sync(ws, release)
    _answer(ws / NB, "selection_rates = 'my answer'")
    mine = (ws / NB).read_bytes()
    untouched = ws / "00_orientation" / "00_orientation.ipynb"
    before = untouched.read_bytes()

    nb = nbformat.read(source / NB, 4)
    nb.cells[0].source += "\n\nA sentence added in a new version of the lab."
    nbformat.write(nb, source / NB)
    assert not labs.is_current(LAB, dest=release, source_root=source)
    assert labs.generate([LAB], dest=release, source_root=source, force=False)
    assert labs.is_current(LAB, dest=release, source_root=source)
    assert labs.generate([LAB], dest=release, source_root=source, force=False) == []

    messages = workspace.sync(ws, release)
    beside = [p for p in (ws / LAB).glob("*.ipynb") if p.name != f"{LAB}.ipynb"]
    assert len(beside) == 1 and beside[0].name.startswith(f"{LAB}.updated-")
    assert (ws / NB).read_bytes() == mine
    assert "A sentence added in a new version" in beside[0].read_text()
    assert messages == [f"{NB}: a new version of this lab came out; your copy is unchanged and "
                        f"the new version is {LAB}/{beside[0].name}"]
    assert untouched.read_bytes() == before
    assert workspace.sync(ws, release) == [], "the same new version is offered once"


def test_untouched_copy_is_updated_in_place(tmp_path, release):
    ws = tmp_path / "workspace"
    workspace.sync(ws, release)
    nb = nbformat.read(release / NB, 4)
    nb.cells[0].source += "\n\nNew release."
    nbformat.write(nb, release / NB)
    assert workspace.sync(ws, release) == [
        f"{NB}: updated to the new version of the lab (you had not changed it)"]
    assert (ws / NB).read_bytes() == (release / NB).read_bytes()
    assert sorted(p.name for p in (ws / LAB).iterdir()) == [f"{LAB}.ipynb"]
