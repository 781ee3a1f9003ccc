"""The README and the curriculum stay inside the repository and name what exists."""

from __future__ import annotations

import re

from fairlab import labs, paths

ROOT = paths.repo_root()


def test_readme_never_points_outside_the_repository():
    text = (ROOT / "README.md").read_text()
    assert "../" not in text and "/work/" not in text
    assert "`docs/CURRICULUM.md`" in text


def test_curriculum_covers_every_lab_and_names_real_files():
    text = (ROOT / "docs" / "CURRICULUM.md").read_text()
    for lab in labs.lab_names():
        number = lab[:2]
        assert re.search(rf"^\*\*{number} — ", text, re.MULTILINE), f"no outcomes for {lab}"
    for path in re.findall(r"`((?:slides|capstone|rubrics|datasets)/[\w./]*)`", text):
        if "<" not in path:
            assert (ROOT / path).exists(), path
