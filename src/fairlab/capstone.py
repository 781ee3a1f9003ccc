"""The capstone's provided model: a résumé-screening model for the hiring case, and its data split.

The capstone presents this model as a vendor artefact: learners get a fitted scikit-learn pipeline
(``predict_proba`` on the columns in :data:`INPUT_COLUMNS`), the vendor's cut-off and the data, not
the training code. The code is here because the course is open source; the notebook does not use it
beyond :func:`load_screening_model`, :func:`model_path` and :func:`load_capstone_data`.

The model is trained deterministically on the hiring train split the first time it is needed and
cached as a pickle under ``fairlab.paths.cache_dir() / "capstone"``, with its SHA-256 recorded in a
file beside it; every later load checks the pickle against that record before unpickling it.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import Bunch
from threadpoolctl import threadpool_limits

from fairlab import paths
from fairlab.datasets import load_hiring
from fairlab.governance import sha256_file, verify_sha256

__all__ = [
    "CUTOFF",
    "INPUT_COLUMNS",
    "MODEL_FILE",
    "SPLIT_SEED",
    "build_screening_model",
    "load_capstone_data",
    "load_screening_model",
    "model_path",
    "model_sha256",
]

#: The columns the model reads (everything else in a frame is ignored).
INPUT_COLUMNS = ["resume_text", "education", "school_tier", "experience_years", "employment_gap_months",
                 "skills_score"]
#: The vendor's decision rule: call back when ``predict_proba(...)[:, 1] >= CUTOFF``.
CUTOFF = 0.12
MODEL_FILE = "screening-model-v1.pkl"
#: Seed of the development / holdout split of the hiring test split.
SPLIT_SEED = 11
_NUMERIC = ["skills_score", "experience_years", "employment_gap_months", "school_tier"]


def build_screening_model() -> Pipeline:
    """The unfitted pipeline: TF-IDF of the résumé words, scaled numbers, one-hot education, a logistic
    regression."""
    text = TfidfVectorizer(ngram_range=(1, 2), min_df=20, token_pattern=r"(?u)\b[a-z][a-z]+\b",
                           sublinear_tf=True)
    prep = ColumnTransformer([
        ("text", text, "resume_text"),
        ("num", StandardScaler(), _NUMERIC),
        ("edu", OneHotEncoder(handle_unknown="ignore"), ["education"]),
    ])
    return Pipeline([("prep", prep), ("clf", LogisticRegression(C=1.0, max_iter=2000))])


def _train() -> Pipeline:
    train = load_hiring(split="train").frame.reset_index(drop=True)
    with threadpool_limits(1):  # the last bits of the coefficients depend on the BLAS thread count
        model = build_screening_model().fit(train[INPUT_COLUMNS], train["callback"])
    return model


def model_path() -> Path:
    """Where the cached artefact lives (its SHA-256 is recorded in ``<file>.sha256`` beside it): the
    course cache, or ``~/.cache/fairlab/`` when the course cache is read-only (a hub image, a grading
    sandbox) and holds no model yet."""
    shared = paths.cache_dir() / "capstone" / MODEL_FILE
    existing = next(p for p in shared.parents if p.exists())
    if shared.is_file() or os.access(existing, os.W_OK):
        return shared
    return Path.home() / ".cache" / "fairlab" / "capstone" / MODEL_FILE


def _record(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def model_sha256() -> str:
    """The recorded SHA-256 of the artefact file (trains and caches the model first if needed)."""
    load_screening_model()
    return _record(model_path()).read_text().split()[0]


def load_screening_model(*, refresh: bool = False) -> Pipeline:
    """The fitted screening pipeline, from the cache (verified against its recorded SHA-256).

    The first call (or ``refresh=True``) trains it on the hiring train split and writes the pickle
    and its SHA-256. Training is deterministic (single-threaded: the same coefficients, the same
    predictions everywhere with the pinned libraries), but the pickle's bytes, and so its SHA-256,
    can differ from one process to another (pickle shares equal strings only when they are the same
    object), so each cache records the hash of its own file.
    """
    path = model_path()
    record = _record(path)
    if refresh or not (path.is_file() and record.is_file()):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(pickle.dumps(_train(), protocol=5))
        tmp.replace(path)
        record.write_text(f"{sha256_file(path)}  {path.name}\n")
    verify_sha256(path, record.read_text().split()[0])
    return pickle.loads(path.read_bytes())  # noqa: S301 - verified against the recorded hash


def load_capstone_data() -> Bunch:
    """The learner's data: ``train`` (hiring train split), and the hiring test split cut in two halves,
    ``development`` (for choosing thresholds and tuning mitigations) and ``holdout`` (final check only),
    stratified on race × sex × callback with a fixed seed. Frames keep the original ``candidate_id``."""
    train = load_hiring(split="train").frame.reset_index(drop=True)
    test = load_hiring(split="test").frame.reset_index(drop=True)
    strata = test["race"].astype(str) + "|" + test["sex"].astype(str) + "|" + test["callback"].astype(str)
    development, holdout = train_test_split(test, test_size=0.5, stratify=strata, random_state=SPLIT_SEED)
    development = development.sort_values("candidate_id").reset_index(drop=True)
    holdout = holdout.sort_values("candidate_id").reset_index(drop=True)
    return Bunch(train=train, development=development, holdout=holdout, target="callback",
                 inputs=list(INPUT_COLUMNS), cutoff=CUTOFF)

