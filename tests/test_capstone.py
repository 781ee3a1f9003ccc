"""The capstone's provided model and data split: deterministic, cached and checked against its SHA-256,
disjoint."""

from __future__ import annotations

import numpy as np
import pytest

from fairlab import capstone
from fairlab.governance import IntegrityError, sha256_file


@pytest.fixture(scope="module")
def data():
    return capstone.load_capstone_data()


def test_cached_model_matches_its_recorded_sha256():
    model = capstone.load_screening_model()
    path = capstone.model_path()
    assert sha256_file(path) == capstone.model_sha256()
    assert hasattr(model, "predict_proba")


def test_training_is_deterministic(data):
    cached = capstone.load_screening_model()
    retrained = capstone._train()
    frame = data.development[capstone.INPUT_COLUMNS]
    assert np.array_equal(cached.predict_proba(frame), retrained.predict_proba(frame))
    assert np.array_equal(cached.named_steps["clf"].coef_, retrained.named_steps["clf"].coef_)


def test_tampered_artefact_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FAIRLAB_CACHE", str(tmp_path))
    capstone.load_screening_model()
    path = capstone.model_path()
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(IntegrityError):
        capstone.load_screening_model()
    capstone.load_screening_model(refresh=True)  # retraining restores the same file
    assert sha256_file(path) == capstone.model_sha256()


def test_splits_are_disjoint_stable_and_cover_the_test_split(data):
    dev, hold, train = data.development, data.holdout, data.train
    ids = [set(f["candidate_id"]) for f in (train, dev, hold)]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    assert len(dev) + len(hold) == 6000 and abs(len(dev) - len(hold)) <= 1
    again = capstone.load_capstone_data()
    assert again.development["candidate_id"].tolist() == dev["candidate_id"].tolist()
    assert abs(dev["callback"].mean() - hold["callback"].mean()) < 0.002


def test_scores_use_only_the_documented_inputs(data):
    model = capstone.load_screening_model()
    frame = data.development.head(50)
    full = model.predict_proba(frame)[:, 1]
    only = model.predict_proba(frame[capstone.INPUT_COLUMNS])[:, 1]
    np.testing.assert_allclose(full, only)
