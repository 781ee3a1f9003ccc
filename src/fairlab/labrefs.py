"""Reference inputs for the hidden tests of labs 06 and 07, rebuilt from the data on disk.

A hidden test that computes its expected value from notebook state (``TARGET_RATE``, ``DP_BOUND``,
``test_view``, a helper defined in an earlier cell) agrees with a wrong answer whose cell redefined
or mutated that state. The hidden tests of these labs therefore take their inputs from here: the
same split, model and constants as the lab's locked setup cells, rebuilt from ``fairlab.datasets``
(never the instructor-only ground truth) and handed out as a fresh copy on every call, so nothing
an answer cell does to the notebook or to a previous copy reaches the reference.

The lab's own setup cells stay in the notebook, where learners read them; the lab tests prove the
two agree, because the solution only gets full marks when they do.
"""

from __future__ import annotations

import functools
import pickle
from types import SimpleNamespace

import numpy as np
import pandas as pd

__all__ = ["lab06", "lab07"]


@functools.cache
def _lab06() -> bytes:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from . import datasets

    seed, cutoff = 0, 0.5
    credit = datasets.load_credit()
    frame = credit.frame[credit.frame["race"].isin(["White", "Black"])].copy()
    for column in ("race", "sex", "age_band"):
        frame[column] = frame[column].astype(str)
    train = frame[frame["split"] == "train"].sample(n=18_000, random_state=seed)
    fit_frame = train.iloc[:12_000].reset_index(drop=True)
    tune_frame = train.iloc[12_000:].reset_index(drop=True)
    test_frame = frame[frame["split"] == "test"].reset_index(drop=True)
    numeric = ["income", "years_employed", "debt_to_income", "credit_history_months",
               "delinquencies_2y", "credit_score", "loan_amount"]
    categorical = ["employment", "region"]

    def features(part: pd.DataFrame) -> pd.DataFrame:
        X = part[numeric + categorical].copy()
        X["income"] = np.log(X["income"])
        return X

    model = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), numeric),
                           ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)]),
        LogisticRegression(max_iter=1000),
    )
    model.fit(features(fit_frame), fit_frame["approved"])
    X_tune, X_test = features(tune_frame), features(test_frame)

    def view(part: pd.DataFrame, X: pd.DataFrame) -> pd.DataFrame:
        out = part[["race", "sex", "age_band", "credit_history_months"]].copy()
        out["y_true"] = part["approved"].astype(int)
        out["score"] = model.predict_proba(X)[:, 1]
        out["y_base"] = (out["score"] >= cutoff).astype(int)
        return out

    tune_view, test_view = view(tune_frame, X_tune), view(test_frame, X_test)
    return pickle.dumps({
        "SEED": seed, "CUTOFF": cutoff, "model": model, "test_frame": test_frame,
        "X_tune": X_tune, "X_test": X_test,
        "y_tune": tune_frame["approved"], "y_test": test_frame["approved"],
        "race_tune": tune_frame["race"], "race_test": test_frame["race"],
        "tune_view": tune_view, "test_view": test_view, "TARGET_RATE": float(tune_view["y_base"].mean()),
        "UNPRIV": [{"race": 0}], "PRIV": [{"race": 1}],
        "CONSTRAINTS": ["true_positive_rate_parity", "equalized_odds", "demographic_parity"],
    })


def _aif_dataset(view_: pd.DataFrame, labels, scores=None):
    from aif360.datasets import BinaryLabelDataset

    df = pd.DataFrame({"race": (view_["race"] == "White").astype(int).to_numpy(),
                       "label": np.asarray(labels, dtype=float)})
    data = BinaryLabelDataset(df=df, label_names=["label"], protected_attribute_names=["race"],
                              favorable_label=1, unfavorable_label=0)
    if scores is not None:
        data.scores = np.asarray(scores, dtype=float).reshape(-1, 1)
    return data


def _sharpen(score, k: float) -> np.ndarray:
    p = np.clip(np.asarray(score, dtype=float), 1e-9, 1 - 1e-9)
    return 1 / (1 + np.exp(-k * np.log(p / (1 - p))))


def lab06() -> SimpleNamespace:
    """Lab 06's fixed inputs: split, model, score views, ``TARGET_RATE``, AIF360 datasets, v2 scores."""
    ref = SimpleNamespace(**pickle.loads(_lab06()))
    ref.aif_dataset = _aif_dataset
    ref.aif_tune_true = _aif_dataset(ref.tune_view, ref.tune_view["y_true"])
    ref.aif_tune_pred = _aif_dataset(ref.tune_view, ref.tune_view["y_base"], ref.tune_view["score"])
    ref.aif_test_true = _aif_dataset(ref.test_view, ref.test_view["y_true"])
    ref.aif_test_pred = _aif_dataset(ref.test_view, ref.test_view["y_base"], ref.test_view["score"])
    ref.score_tune_v2 = _sharpen(ref.tune_view["score"], 2.0)
    ref.score_test_v2 = _sharpen(ref.test_view["score"], 2.0)
    return ref


@functools.cache
def _lab07() -> bytes:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from threadpoolctl import threadpool_limits

    from . import datasets

    seed = 0
    full = datasets.load_credit(split="train").frame
    train = full.sample(n=12_000, random_state=seed).reset_index(drop=True)
    test = datasets.load_credit(split="test").frame.reset_index(drop=True)
    for frame in (train, test):
        frame["group"] = np.where(frame["race"] == "Black", "Black", "non-Black")
        frame["log_income"] = np.log(frame["income"])
    numeric = ["log_income", "years_employed", "debt_to_income", "credit_history_months",
               "delinquencies_2y", "credit_score", "loan_amount"]
    categorical = ["employment", "region"]
    onehot = OneHotEncoder(sparse_output=False, handle_unknown="ignore")
    encoder = ColumnTransformer([("num", StandardScaler(), numeric), ("cat", onehot, categorical)])
    X_train = encoder.fit_transform(train)
    with threadpool_limits(1):
        baseline = LogisticRegression(max_iter=1000).fit(X_train, train["approved"].to_numpy())
    X_test = encoder.transform(test)
    return pickle.dumps({
        "SEED": seed, "train": train, "test": test, "baseline": baseline,
        "X_train": X_train, "X_test": X_test,
        "y_train": train["approved"].to_numpy(), "y_test": test["approved"].to_numpy(),
        "g_train": train["group"].to_numpy(), "g_test": test["group"].to_numpy(),
        "pred_baseline": baseline.predict(X_test), "amount": test["loan_amount"].to_numpy(),
        "LOSS_RATE": 0.10, "MARGIN_RATE": 0.06, "PARITY_BOUND": 0.02, "DP_BOUND": 0.05, "GAP_PRICE": 20_000,
        "RACE_AT_DECISION": ("correlation remover", "thresholds EO", "thresholds DP"),
    })


def lab07() -> SimpleNamespace:
    """Lab 07's fixed inputs: train and test splits, encoded inputs, the baseline model and the constants."""
    ref = SimpleNamespace(**pickle.loads(_lab07()))

    def aif_metric(y_pred):
        # AIF360's view of test-set predictions: Black = 1 is the unprivileged group.
        from aif360.datasets import BinaryLabelDataset
        from aif360.metrics import ClassificationMetric

        black = (ref.g_test == "Black").astype(float)
        frame = pd.DataFrame({"black": black, "approved": ref.y_test.astype(float)})
        truth = BinaryLabelDataset(df=frame, label_names=["approved"], protected_attribute_names=["black"])
        pred = truth.copy()
        pred.labels = np.asarray(y_pred, dtype=float).reshape(-1, 1)
        return ClassificationMetric(truth, pred, unprivileged_groups=[{"black": 1}],
                                    privileged_groups=[{"black": 0}])

    ref.aif_metric = aif_metric
    return ref
