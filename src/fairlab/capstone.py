"""The capstone's provided model: a résumé-screening model for the hiring case, and its data split.

The capstone presents this model as a vendor artefact: learners get a fitted scikit-learn pipeline
(``predict_proba`` on the columns in :data:`INPUT_COLUMNS`), the vendor's cut-off and the data, not
the training code. The code is here because the course is open source; the notebook does not use it
beyond :func:`load_screening_model`, :func:`model_path` and :func:`load_capstone_data`.

The module also holds what the capstone's hidden tests rely on, so that nothing a learner's cell
redefines can change a reference: the agreed constraints and the functions that report them, the
reference fits of the mitigations, and the results of the validation study (constants computed from
the hiring data's instructor-only ``performance``, which the grading sandbox does not have; the
course's tests recompute them).

The model is trained deterministically on the hiring train split the first time it is needed and
cached as a pickle under ``fairlab.paths.cache_dir() / "capstone"``, with its SHA-256 recorded in a
file beside it; every later load checks the pickle against that record before unpickling it.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.reductions import DemographicParity, ExponentiatedGradient
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
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
    "GATED_RACES",
    "INPUT_COLUMNS",
    "MIN_BALANCED_ACCURACY",
    "MIN_COUNT",
    "MIN_RATIO",
    "MODEL_FILE",
    "OPTION_VALIDITY",
    "PROTECTED",
    "PROXY_INPUTS",
    "SPLIT_SEED",
    "VALIDATED_INPUTS",
    "VALIDATION_STUDY",
    "build_screening_model",
    "constraint_report",
    "decision_validity",
    "fit_proxy_free",
    "fit_reductions",
    "fit_thresholds",
    "group_label",
    "load_capstone_data",
    "load_screening_model",
    "model_path",
    "model_sha256",
    "proxy_free_prep",
    "selection_ratio",
    "validation_study",
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

# The constraints agreed before the audit (Section 1 of the capstone).
MIN_RATIO = 0.80
GATED_RACES = ("White", "Black", "Hispanic")
MIN_BALANCED_ACCURACY = 0.55
MIN_COUNT = 150
#: Protected attributes of the hiring data: never a model input.
PROTECTED = ("sex", "race", "age_band")
#: The structured inputs with validity evidence (see :data:`VALIDATION_STUDY`).
VALIDATED_INPUTS = ("skills_score", "experience_years", "education")
#: Structured inputs the datasheet documents as proxies (school tier: socio-economic status and race;
#: employment gap: caregiving and sex); neither enters job performance in the structural model.
PROXY_INPUTS = ("school_tier", "employment_gap_months")

#: The employer's criterion-related validation study, on the development candidates: for each
#: structured input, its correlation with job performance (``validity``) and, for the proxies, with the
#: part of performance the three validated inputs leave unexplained (``incremental``). Computed by
#: :func:`validation_study` from the instructor-only ``performance``; tests/test_capstone.py checks it.
VALIDATION_STUDY = {
    "skills_score": {"validity": 0.688, "incremental": None},
    "experience_years": {"validity": 0.182, "incremental": None},
    "education": {"validity": 0.635, "incremental": None},
    "school_tier": {"validity": -0.439, "incremental": -0.023},
    "employment_gap_months": {"validity": -0.045, "incremental": -0.036},
}
#: Validity of each option's holdout decisions: the correlation between being called back and job
#: performance (:func:`decision_validity`), from the instructor-only ``performance``.
OPTION_VALIDITY = {"vendor": 0.514, "thresholds": 0.517, "proxy-free": 0.590, "reductions": 0.364}


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



def group_label(frame: pd.DataFrame) -> np.ndarray:
    """race · sex, one label per row: the groups the mitigations equalise."""
    return (frame["race"].astype(str) + " · " + frame["sex"].astype(str)).to_numpy()


def selection_ratio(decisions, groups) -> float:
    """Lowest group callback rate divided by the highest."""
    rates = pd.Series(np.asarray(decisions, dtype=float)).groupby(np.asarray(groups)).mean()
    return float(rates.min() / rates.max())


def constraint_report(frame: pd.DataFrame, decisions) -> pd.Series:
    """The agreed constraints for one set of 0/1 decisions on ``frame``."""
    decisions = np.asarray(decisions).astype(int)
    race = frame["race"].astype(str).to_numpy()
    gated = np.isin(race, GATED_RACES)
    out = pd.Series({
        "callback rate": decisions.mean(),
        "ratio sex": selection_ratio(decisions, frame["sex"].astype(str).to_numpy()),
        "ratio race": selection_ratio(decisions[gated], race[gated]),
        "balanced accuracy": balanced_accuracy_score(frame["callback"], decisions),
    })
    out["meets constraints"] = bool(out["ratio sex"] >= MIN_RATIO and out["ratio race"] >= MIN_RATIO
                                    and out["balanced accuracy"] >= MIN_BALANCED_ACCURACY)
    return out


def _codes(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column]
    return (values.cat.codes if isinstance(values.dtype, pd.CategoricalDtype) else values).to_numpy(float)


def validation_study(frame: pd.DataFrame, performance) -> pd.DataFrame:
    """Validity (correlation with ``performance``) and incremental validity (correlation with the
    residual of ``performance`` on the validated inputs) of each structured input."""
    perf = np.asarray(performance, dtype=float)
    base = np.column_stack([np.ones(len(frame))] + [_codes(frame, c) for c in VALIDATED_INPUTS])
    residual = perf - base @ np.linalg.lstsq(base, perf, rcond=None)[0]
    rows = {c: {"validity": np.corrcoef(_codes(frame, c), perf)[0, 1],
                "incremental": np.corrcoef(_codes(frame, c), residual)[0, 1] if c in PROXY_INPUTS else np.nan}
            for c in [*VALIDATED_INPUTS, *PROXY_INPUTS]}
    return pd.DataFrame(rows).T


def decision_validity(decisions, performance) -> float:
    """Correlation between 0/1 decisions and job performance (point-biserial)."""
    return float(np.corrcoef(np.asarray(decisions, dtype=float), np.asarray(performance, dtype=float))[0, 1])


def fit_thresholds(model: Pipeline, development: pd.DataFrame) -> ThresholdOptimizer:
    """Mitigation 1: per-group thresholds on the vendor's scores, fitted on development."""
    return ThresholdOptimizer(estimator=model, constraints="demographic_parity",
                              objective="balanced_accuracy_score", prefit=True,
                              predict_method="predict_proba").fit(
        development[INPUT_COLUMNS], development["callback"], sensitive_features=group_label(development))


def proxy_free_prep() -> ColumnTransformer:
    """The validated inputs only: scaled numbers and one-hot education (unfitted)."""
    return ColumnTransformer([("num", StandardScaler(), ["skills_score", "experience_years"]),
                              ("edu", OneHotEncoder(handle_unknown="ignore"), ["education"])])


def fit_proxy_free(train: pd.DataFrame) -> Pipeline:
    """Mitigation 2: a logistic regression on the validated inputs, one cut-off (0.5) for everyone."""
    with threadpool_limits(1):
        return Pipeline([("prep", proxy_free_prep()),
                         ("clf", LogisticRegression(max_iter=2000, class_weight="balanced"))]).fit(
            train, train["callback"])


def fit_reductions(train: pd.DataFrame) -> tuple[ColumnTransformer, ExponentiatedGradient]:
    """Mitigation 3: exponentiated gradient under demographic parity over race × sex, on the validated
    inputs (the groups are used in training only)."""
    prep = proxy_free_prep().fit(train)
    reducer = ExponentiatedGradient(LogisticRegression(max_iter=2000, class_weight="balanced"),
                                    constraints=DemographicParity(difference_bound=0.01),
                                    max_iter=50, nu=1e-3)
    with threadpool_limits(1):
        reducer.fit(prep.transform(train), train["callback"], sensitive_features=group_label(train))
    return prep, reducer
