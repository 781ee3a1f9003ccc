"""Shared fixtures: built course data, and each lab graded once per session."""

from __future__ import annotations

from functools import cache

import pytest


@pytest.fixture(scope="session")
def course_data():
    """Build any course dataset that is not built yet (labs read them)."""
    from fairlab import datasets

    missing = [n for n in datasets.dataset_names() if not datasets.is_built(n)]
    if missing:
        datasets.build(missing)


@pytest.fixture(scope="session")
def graded_lab(course_data):
    """Grades of the solution, the blank release and each wrong answer of a lab (once each)."""
    from fairlab import authoring

    return cache(authoring.grade_lab)
