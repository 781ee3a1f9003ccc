"""The capstone's provided model and data split (deterministic, cached and checked against its SHA-256,
disjoint), its reference mitigations, and the validity constants recomputed from the ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairlab import capstone, datasets
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


@pytest.fixture(scope="module")
def performance():
    try:
        truth = datasets.load_hiring(ground_truth=True)
    except datasets.DatasetError as error:
        pytest.skip(f"instructor ground truth not installed: {error}")
    return pd.Series(truth.ground_truth["performance"].to_numpy(),
                     index=truth.frame["candidate_id"].to_numpy())


def test_validation_study_constants_match_the_ground_truth(data, performance):
    dev = data.development
    study = capstone.validation_study(dev, performance.loc[dev["candidate_id"]])
    expected = pd.DataFrame(capstone.VALIDATION_STUDY).T.astype(float)
    pd.testing.assert_frame_equal(study.round(3), expected.loc[study.index], check_exact=False, atol=1e-9)
    assert list(study.index) == [*capstone.VALIDATED_INPUTS, *capstone.PROXY_INPUTS]


@pytest.mark.slow
def test_option_validity_constants_match_the_ground_truth(data, performance):
    dev, hold, train = data.development, data.holdout, data.train
    model = capstone.load_screening_model()
    prep, reducer = capstone.fit_reductions(train)
    options = {
        "vendor": (model.predict_proba(hold[capstone.INPUT_COLUMNS])[:, 1] >= capstone.CUTOFF).astype(int),
        "thresholds": capstone.fit_thresholds(model, dev).predict(
            hold[capstone.INPUT_COLUMNS], sensitive_features=capstone.group_label(hold), random_state=0),
        "proxy-free": capstone.fit_proxy_free(train).predict(hold),
        "reductions": reducer.predict(prep.transform(hold), random_state=0),
    }
    perf = performance.loc[hold["candidate_id"]]
    got = {name: round(capstone.decision_validity(d, perf), 3) for name, d in options.items()}
    assert got == capstone.OPTION_VALIDITY
    # The story the capstone tells: the vendor fails, every mitigation meets the constraints, and the
    # proxy-free model is the most valid while reductions buys its parity with validity.
    reports = {name: capstone.constraint_report(hold, d) for name, d in options.items()}
    assert not reports["vendor"]["meets constraints"]
    assert all(reports[n]["meets constraints"] for n in ("thresholds", "proxy-free", "reductions"))
    assert got["proxy-free"] > max(got["vendor"], got["thresholds"]) > got["reductions"]


def test_constraint_report_and_group_label(data):
    frame = data.development.head(400)
    assert set(capstone.group_label(frame)) <= {f"{r} · {s}" for r in ("White", "Black", "Hispanic", "Asian")
                                                for s in ("female", "male")}
    report = capstone.constraint_report(frame, np.ones(len(frame), dtype=int))
    assert report["ratio sex"] == report["ratio race"] == 1.0 and report["balanced accuracy"] == 0.5
    assert not report["meets constraints"]
