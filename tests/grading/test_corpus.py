"""The whole corpus graded in one batch: every case gets its status, score and reason."""

from __future__ import annotations

import pytest

from . import corpus


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(corpus.EXPECTED))
def test_each_case_gets_its_status_score_and_reason(graded, student):
    status, score, words = corpus.EXPECTED[student]
    result = graded.results[student]
    assert (result["status"], result["score"]) == (status, score), result["reason"]
    for word in words:
        assert word in result["reason"]
    if status != "graded":
        assert result["reason"]
