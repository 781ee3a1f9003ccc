"""Reference inputs for the hidden tests of labs 04 to 07, rebuilt from the data on disk.

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

__all__ = ["lab04", "lab05", "lab06", "lab07"]


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


# ----------------------------------------------------------------------------------------------
# Lab 04 (pre-processing)

_L04_NUM = ["income", "years_employed", "debt_to_income", "credit_history_months",
            "delinquencies_2y", "credit_score", "loan_amount"]
_L04_CAT = ["employment", "region"]
_L04_GROUP = "black"


def _l04_features(frame: pd.DataFrame) -> pd.DataFrame:
    X = frame[_L04_NUM + _L04_CAT + [_L04_GROUP]].copy()
    X["income"] = np.log(X["income"])
    X["loan_amount"] = np.log(X["loan_amount"])
    return X


def _l04_make_model(*steps, num=tuple(_L04_NUM), cat=tuple(_L04_CAT)):
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    prep = ColumnTransformer([("num", StandardScaler(), list(num)),
                              ("cat", OneHotEncoder(handle_unknown="ignore"), list(cat))])
    return Pipeline([*steps, ("prep", prep), ("clf", LogisticRegression(solver="newton-cholesky"))])


def _l04_scorecard(y_true, y_pred, groups) -> dict:
    from . import audit

    table = audit.confusion_by_group(y_true, y_pred, groups)
    return {"accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))),
            "selection_black": float(table.loc[1, "selection_rate"]),
            "selection_other": float(table.loc[0, "selection_rate"]),
            "dp_difference": float(np.ptp(table["selection_rate"])),
            "eo_difference": float(max(np.ptp(table["tpr"]), np.ptp(table["fpr"])))}


def _l04_parity_gap(y_true, y_pred, groups) -> float:
    from . import audit

    return float(np.ptp(audit.confusion_by_group(y_true, y_pred, groups)["selection_rate"]))


def _l04_resample_cells(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pg, py = frame[_L04_GROUP].value_counts(normalize=True), frame["approved"].value_counts(normalize=True)
    picked = [rng.choice(np.asarray(rows), size=round(len(frame) * pg[g] * py[y]), replace=True)
              for (g, y), rows in frame.groupby([_L04_GROUP, "approved"]).groups.items()]
    return frame.loc[np.concatenate(picked)].reset_index(drop=True)


def _l04_make_tree(seed: int = 0):
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.tree import DecisionTreeClassifier

    return Pipeline([("prep", ColumnTransformer([("num", "passthrough", _L04_NUM),
                                                 ("cat", OneHotEncoder(handle_unknown="ignore"), _L04_CAT)])),
                     ("clf", DecisionTreeClassifier(random_state=seed))])


class QuantileRepair:
    """Lab 04's quantile repair (Feldman et al. 2015), the reference the hidden tests fit: the same
    conventions as the lab's locked ``QuantileRepair``, kept here so that an answer cell that redefines
    the lab's class cannot move the reference."""

    def __init__(self, columns=tuple(_L04_NUM), group_column=_L04_GROUP, level=1.0):
        self.columns = columns
        self.group_column = group_column
        self.level = level

    def get_params(self, deep: bool = True) -> dict:
        return {"columns": self.columns, "group_column": self.group_column, "level": self.level}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X, y=None):
        groups = X[self.group_column].to_numpy()
        self.groups_ = np.unique(groups)
        self.sorted_, self.grid_ = {}, {}
        for col in self.columns:
            for g in self.groups_:
                x = X.loc[groups == g, col].to_numpy(dtype=float)
                u = (pd.Series(x).rank(method="average").to_numpy() - 0.5) / len(x)
                values, first = np.unique(x, return_index=True)
                self.sorted_[col, g] = np.sort(x)
                self.grid_[col, g] = (values, u[first])
        return self

    def transform(self, X):
        groups = X[self.group_column].to_numpy()
        out = X.drop(columns=[self.group_column])
        for col in self.columns:
            x = X[col].to_numpy(dtype=float)
            repaired = x.copy()
            for g in self.groups_:
                rows = groups == g
                values, u_grid = self.grid_[col, g]
                u = np.interp(x[rows], values, u_grid)
                target = np.median([np.interp(u * (len(self.sorted_[col, h]) - 1),
                                              np.arange(len(self.sorted_[col, h])), self.sorted_[col, h])
                                    for h in self.groups_], axis=0)
                repaired[rows] = (1 - self.level) * x[rows] + self.level * target
            out[col] = repaired
        return out

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)


def _l04_to_aif(scaler, X: pd.DataFrame, y):
    from aif360.datasets import BinaryLabelDataset

    frame = pd.DataFrame(scaler.transform(X[_L04_NUM]), columns=_L04_NUM)
    frame[_L04_GROUP], frame["approved"] = X[_L04_GROUP].to_numpy(dtype=float), np.asarray(y, dtype=float)
    return BinaryLabelDataset(df=frame, label_names=["approved"], protected_attribute_names=[_L04_GROUP])


@functools.cache
def _lab04() -> bytes:
    import logging

    from aif360.algorithms.preprocessing import LFR, Reweighing
    from aif360.datasets import BinaryLabelDataset
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    from . import datasets

    logging.getLogger("aif360").setLevel(logging.ERROR)
    seed, n_train, group = 0, 15_000, _L04_GROUP
    train = datasets.load_credit(split="train").frame.sample(n=n_train, random_state=seed)
    train = train.reset_index(drop=True)
    test = datasets.load_credit(split="test").frame.reset_index(drop=True)
    for frame in (train, test):
        frame[group] = (frame["race"] == "Black").astype(int)
    X_train, X_test = _l04_features(train), _l04_features(test)
    y_train, y_test = train["approved"].to_numpy(), test["approved"].to_numpy()
    a_train, a_test = train[group].to_numpy(), test[group].to_numpy()
    unpriv, priv = [{group: 1}], [{group: 0}]
    with threadpool_limits(1):  # as the lab's setup cell
        baseline = _l04_make_model().fit(X_train, y_train)
        aif_train = BinaryLabelDataset(df=train[[group, "approved"]].astype(float), label_names=["approved"],
                                       protected_attribute_names=[group], favorable_label=1,
                                       unfavorable_label=0)
        reweighing = Reweighing(unprivileged_groups=unpriv, privileged_groups=priv).fit(aif_train)
        aif_train_rw = reweighing.transform(aif_train)

        hiring_train = datasets.load_hiring(split="train").frame
        hiring_test = datasets.load_hiring(split="test").frame

        def hiring_features(frame: pd.DataFrame) -> pd.DataFrame:
            columns = ["school_tier", "experience_years", "employment_gap_months", "skills_score"]
            X = frame[columns].astype(float)
            return X.assign(education=frame["education"].cat.codes.astype(float))

        from imblearn.pipeline import Pipeline as ImbPipeline

        Xh_train, Xh_test = hiring_features(hiring_train), hiring_features(hiring_test)
        yh_train, yh_test = hiring_train["callback"].to_numpy(), hiring_test["callback"].to_numpy()
        hiring_plain = ImbPipeline([("scale", StandardScaler()),
                                    ("clf", LogisticRegression(solver="newton-cholesky"))])
        hiring_plain.fit(Xh_train, yh_train)

        scaler = StandardScaler().fit(X_train[_L04_NUM])
        sub = X_train.sample(n=1500, random_state=seed).index
        lfr = LFR(unprivileged_groups=unpriv, privileged_groups=priv, k=5, Ax=0.01, Ay=1.0, Az=50.0,
                  seed=seed)
        lfr.fit(_l04_to_aif(scaler, X_train.loc[sub], y_train[sub]), maxiter=60, maxfun=1200)
        lfr_train = lfr.transform(_l04_to_aif(scaler, X_train, y_train))
        lfr_test = lfr.transform(_l04_to_aif(scaler, X_test, y_test))

        dev = train.iloc[:5000].reset_index(drop=True)
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        leaky_data = _l04_resample_cells(dev, seed)
        scores = []
        for fit_idx, val_idx in folds.split(leaky_data, leaky_data["approved"]):
            fit, val = leaky_data.iloc[fit_idx], leaky_data.iloc[val_idx]
            tree = _l04_make_tree(seed).fit(_l04_features(fit), fit["approved"])
            scores.append(accuracy_score(val["approved"], tree.predict(_l04_features(val))))
    income_factor = 2.0
    return pickle.dumps({
        "SEED": seed, "N_TRAIN": n_train, "NUM": list(_L04_NUM), "CAT": list(_L04_CAT), "GROUP": group,
        "UNPRIV": unpriv, "PRIV": priv, "LEVELS": [0.0, 0.25, 0.5, 0.75, 1.0], "INCOME_FACTOR": income_factor,
        "train": train, "test": test, "X_train": X_train, "X_test": X_test,
        "y_train": y_train, "y_test": y_test, "a_train": a_train, "a_test": a_test,
        "baseline": baseline, "pred_before": baseline.predict(X_test),
        "aif_train": aif_train, "aif_train_rw": aif_train_rw, "aif_weights": aif_train_rw.instance_weights,
        "hiring_train": hiring_train, "hiring_test": hiring_test, "Xh_train": Xh_train, "Xh_test": Xh_test,
        "yh_train": yh_train, "yh_test": yh_test,
        "sex_train": hiring_train["sex"].astype(str).to_numpy(),
        "sex_test": hiring_test["sex"].astype(str).to_numpy(),
        "hiring_plain": hiring_plain, "pred_plain": hiring_plain.predict(Xh_test),
        "scaler": scaler, "lfr_train_features": lfr_train.features, "lfr_test_features": lfr_test.features,
        "lfr_test_labels": lfr_test.labels.ravel(),
        "dev": dev, "folds": folds, "cv_acc_leaky": float(np.mean(scores)),
        "shifted_test": _l04_features(test.assign(income=test["income"] * income_factor)),
    })


def lab04() -> SimpleNamespace:
    """Lab 04's fixed inputs: split, features, baseline, AIF360 reweighing, hiring split and plain model,
    LFR representation, the leakage section's development set, folds and leaky estimate, the shifted test
    split; and the lab's helpers (``features``, ``make_model``, ``scorecard``, ``parity_gap``,
    ``resample_cells``, ``make_tree``, ``QuantileRepair``)."""
    ref = SimpleNamespace(**pickle.loads(_lab04()))
    ref.features, ref.make_model, ref.scorecard = _l04_features, _l04_make_model, _l04_scorecard
    ref.parity_gap, ref.resample_cells, ref.make_tree = _l04_parity_gap, _l04_resample_cells, _l04_make_tree
    ref.QuantileRepair = QuantileRepair
    return ref


# ----------------------------------------------------------------------------------------------
# Lab 05 (in-processing)

_L05_NUMERIC = ["income", "years_employed", "debt_to_income", "credit_history_months",
                "delinquencies_2y", "credit_score", "loan_amount"]


def _sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -35, 35)))


def _l05_score(w, X) -> np.ndarray:
    return _sigmoid(w[0] + np.asarray(X, dtype=float) @ w[1:])


def _l05_dp_gap(pred, groups) -> float:
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    rates = np.bincount(codes, weights=np.asarray(pred, dtype=float)) / np.bincount(codes)
    return float(rates.max() - rates.min())


def _l05_tpr_by_group(y_true, y_pred, groups) -> pd.Series:
    positive = np.asarray(y_true) == 1
    return pd.Series(np.asarray(y_pred)[positive]).groupby(np.asarray(groups)[positive]).mean()


def _l05_prejudice_index(scores, groups) -> float:
    p, g = np.asarray(scores, dtype=float), np.asarray(groups)
    q = np.clip(p.mean(), 1e-12, 1 - 1e-12)
    total = 0.0
    for s in np.unique(g):
        q_s = np.clip(p[g == s].mean(), 1e-12, 1 - 1e-12)
        total += (g == s).mean() * (q_s * np.log(q_s / q) + (1 - q_s) * np.log((1 - q_s) / (1 - q)))
    return float(total)


def _l05_prejudice_remover(X, y, groups, eta: float, l2: float = 1e-3) -> np.ndarray:
    from scipy.optimize import minimize

    Xb = np.column_stack([np.ones(len(X)), np.asarray(X, dtype=float)])
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    counts, n = np.bincount(codes), len(y)

    def objective(w):
        p = np.clip(_sigmoid(Xb @ w), 1e-12, 1 - 1e-12)
        q_s, q = np.bincount(codes, p) / counts, p.mean()
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        pi = np.sum(counts / n * (q_s * np.log(q_s / q) + (1 - q_s) * np.log((1 - q_s) / (1 - q))))
        push = (np.log(q_s / (1 - q_s))[codes] - np.log(q / (1 - q))) * p * (1 - p)
        ridge = np.r_[0.0, w[1:]]
        value = loss + eta * pi + l2 / 2 * ridge @ ridge
        return value, Xb.T @ (p - y) / n + eta * Xb.T @ push / n + l2 * ridge

    return minimize(objective, np.zeros(Xb.shape[1]), jac=True, method="L-BFGS-B").x


def _l05_adversarial(X, y, groups, *, alpha: float, lr: float, epochs: int = 10, batch_size: int = 256,
                     seed: int = 0) -> list[np.ndarray]:
    Xb = np.column_stack([np.ones(len(X)), np.asarray(X, dtype=float)])
    levels, codes = np.unique(np.asarray(groups), return_inverse=True)
    k, n = len(levels), len(y)
    rng = np.random.default_rng(seed)
    w, u, c = np.zeros(Xb.shape[1]), np.zeros(k), np.zeros(k)
    snapshots = []
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            xb, yb, gb = Xb[rows], y[rows], codes[rows]
            z = xb @ w
            logits = np.clip(np.outer(z, u) + c, -50, 50)
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
            residual = probs - np.eye(k)[gb]
            grad_pred = xb.T @ (_sigmoid(z) - yb) / len(rows)
            grad_adv_z = xb.T @ (residual @ u) / len(rows)
            w -= lr * (grad_pred - alpha * grad_adv_z)
            u -= lr * (residual * z[:, None]).mean(axis=0)
            c -= lr * residual.mean(axis=0)
        snapshots.append(w.copy())
    return snapshots


@functools.cache
def _lab05() -> bytes:
    from sklearn.linear_model import LogisticRegression

    from . import datasets

    seed, n_train = 0, 15_000
    credit_train = datasets.load_credit(split="train").frame
    credit_test = datasets.load_credit(split="test").frame
    order = np.random.default_rng(seed).permutation(len(credit_train))
    train_frame = credit_train.iloc[order[:n_train]].reset_index(drop=True)
    val_frame = credit_train.iloc[order[n_train:]].reset_index(drop=True)
    test_frame = credit_test.reset_index(drop=True)

    def raw_features(frame: pd.DataFrame) -> pd.DataFrame:
        X = frame[_L05_NUMERIC].astype(float)
        X["income"] = np.log1p(X["income"])
        X["loan_amount"] = np.log1p(X["loan_amount"])
        X["region_number"] = frame["region"].astype(str).str[1:].astype(float)
        return X

    raw_train = raw_features(train_frame)
    mean, std = raw_train.mean(), raw_train.std()

    def encode(frame: pd.DataFrame) -> pd.DataFrame:
        X = (raw_features(frame) - mean) / std
        return X.join(pd.get_dummies(frame["employment"], prefix="employment", dtype=float))

    X_train, X_val, X_test = encode(train_frame), encode(val_frame), encode(test_frame)
    y_train, y_val, y_test = (f["approved"].to_numpy() for f in (train_frame, val_frame, test_frame))
    race_train, race_val, race_test = (f["race"].astype(str).to_numpy()
                                       for f in (train_frame, val_frame, test_frame))
    baseline = LogisticRegression(solver="newton-cholesky").fit(X_train, y_train)
    etas = [0, 10, 30, 100, 300]
    pr_models = {eta: _l05_prejudice_remover(X_train, y_train, race_train, eta) for eta in etas}
    rows = []
    for eta in etas:
        row = {"eta": eta}
        for split, X, y, g in [("train", X_train, y_train, race_train), ("val", X_val, y_val, race_val),
                               ("test", X_test, y_test, race_test)]:
            p = (_l05_score(pr_models[eta], X) >= 0.5).astype(int)
            row[f"{split}_accuracy"] = (p == y).mean()
            row[f"{split}_dp"] = _l05_dp_gap(p, g)
        row["val_pi"] = _l05_prejudice_index(_l05_score(pr_models[eta], X_val), race_val)
        rows.append(row)
    return pickle.dumps({
        "SEED": seed, "N_TRAIN": n_train, "MAX_ITER": 15, "ETAS": etas, "DP_BOUND": 0.04, "ALPHA": 3.0,
        "GROUPS": sorted(set(race_train)),
        "train_frame": train_frame, "val_frame": val_frame, "test_frame": test_frame,
        "X_train": X_train, "X_val": X_val, "X_test": X_test,
        "y_train": y_train, "y_val": y_val, "y_test": y_test,
        "race_train": race_train, "race_val": race_val, "race_test": race_test,
        "baseline": baseline, "base_pred_train": baseline.predict(X_train),
        "base_pred_val": baseline.predict(X_val), "base_pred_test": baseline.predict(X_test),
        "pr_models": pr_models, "sweep": pd.DataFrame(rows).set_index("eta"),
        "adv_stable": _l05_adversarial(X_train, y_train, race_train, alpha=3.0, lr=0.1, seed=seed),
    })


def lab05() -> SimpleNamespace:
    """Lab 05's fixed inputs: train/validation/test split, encoded features, baseline and its decisions,
    the prejudice-remover models and sweep, the adversarial run's snapshots and the constants; and the
    lab's helpers (``score``, ``dp_gap``, ``tpr_by_group``, ``aif_metric``, ``fit_prejudice_remover``)."""
    ref = SimpleNamespace(**pickle.loads(_lab05()))
    race_code = {g: i for i, g in enumerate(ref.GROUPS)}

    def aif_metric(y_true, y_pred, groups, unprivileged="Black", privileged="White"):
        from aif360.datasets import BinaryLabelDataset
        from aif360.metrics import ClassificationMetric

        df = pd.DataFrame({"race": [race_code[g] for g in groups], "label": np.asarray(y_true, dtype=float)})
        truth = BinaryLabelDataset(df=df, label_names=["label"], protected_attribute_names=["race"],
                                   favorable_label=1, unfavorable_label=0)
        decided = truth.copy()
        decided.labels = np.asarray(y_pred, dtype=float).reshape(-1, 1)
        return ClassificationMetric(truth, decided, unprivileged_groups=[{"race": race_code[unprivileged]}],
                                    privileged_groups=[{"race": race_code[privileged]}])

    ref.score, ref.dp_gap, ref.tpr_by_group = _l05_score, _l05_dp_gap, _l05_tpr_by_group
    ref.aif_metric, ref.fit_prejudice_remover = aif_metric, _l05_prejudice_remover
    return ref


# ----------------------------------------------------------------------------------------------
# Lab 07 with a tuning and a validation split (issue 19, item 12): options are fitted on `train`,
# the per-group thresholds on `tune`, every option is compared and selected on `val`, and only the
# chosen one is judged on `test`. `lab07()` above stays as it was.

#: Options of lab 07 that need the applicant's race when deciding.
_L07_RACE_AT_DECISION = ("correlation remover", "thresholds EO", "thresholds DP")


@functools.cache
def _lab07_splits() -> bytes:
    from aif360.algorithms.preprocessing import Reweighing
    from aif360.datasets import BinaryLabelDataset
    from fairlearn.postprocessing import ThresholdOptimizer
    from fairlearn.preprocessing import CorrelationRemover
    from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from threadpoolctl import threadpool_limits

    from . import datasets, tradeoffs

    seed, n_train, n_tune = 0, 12_000, 6_000
    pool = datasets.load_credit(split="train").frame
    train = pool.sample(n=n_train, random_state=seed)
    rest = pool.drop(train.index).sample(frac=1.0, random_state=seed)
    tune, val = rest.iloc[:n_tune], rest.iloc[n_tune:]
    test = datasets.load_credit(split="test").frame
    frames = {name: part.reset_index(drop=True) for name, part in
              (("train", train), ("tune", tune), ("val", val), ("test", test))}
    for frame in frames.values():
        frame["group"] = np.where(frame["race"] == "Black", "Black", "non-Black")
        frame["log_income"] = np.log(frame["income"])
    numeric = ["log_income", "years_employed", "debt_to_income", "credit_history_months",
               "delinquencies_2y", "credit_score", "loan_amount"]
    categorical = ["employment", "region"]
    onehot = OneHotEncoder(sparse_output=False, handle_unknown="ignore")
    encoder = ColumnTransformer([("num", StandardScaler(), numeric), ("cat", onehot, categorical)])
    X = {"train": encoder.fit_transform(frames["train"])}
    X.update({name: encoder.transform(frames[name]) for name in ("tune", "val", "test")})
    y = {name: frame["approved"].to_numpy() for name, frame in frames.items()}
    g = {name: frame["group"].to_numpy() for name, frame in frames.items()}

    decide = {}
    with threadpool_limits(1):
        baseline = LogisticRegression(max_iter=1000).fit(X["train"], y["train"])
        decide["baseline"] = lambda X_, g_: baseline.predict(X_)
        aif_train = BinaryLabelDataset(
            df=pd.DataFrame({"black": (g["train"] == "Black").astype(float),
                             "approved": y["train"].astype(float)}),
            label_names=["approved"], protected_attribute_names=["black"])
        weights = Reweighing(unprivileged_groups=[{"black": 1}], privileged_groups=[{"black": 0}]).fit(
            aif_train).transform(aif_train).instance_weights
        reweighed = LogisticRegression(max_iter=1000).fit(X["train"], y["train"], sample_weight=weights)
        decide["reweighing"] = lambda X_, g_: reweighed.predict(X_)
        column = X["train"].shape[1]
        remover = CorrelationRemover(sensitive_feature_ids=[column], alpha=1.0)

        def with_race(X_, g_):
            return np.hstack([X_, (g_ == "Black").astype(float)[:, None]])

        decorrelated = LogisticRegression(max_iter=1000).fit(
            remover.fit_transform(with_race(X["train"], g["train"])), y["train"])
        decide["correlation remover"] = (
            lambda X_, g_: decorrelated.predict(remover.transform(with_race(X_, g_))))
        for constraint, eps in [(DemographicParity, 0.01), (DemographicParity, 0.02), (EqualizedOdds, 0.02)]:
            reduction = ExponentiatedGradient(LogisticRegression(max_iter=1000),
                                              constraint(difference_bound=eps), eps=eps)
            reduction.fit(X["train"], y["train"], sensitive_features=g["train"])
            short = "DP" if constraint is DemographicParity else "EO"
            decide[f"reductions {short} ε={eps}"] = (
                lambda X_, g_, r=reduction: r.predict(X_, random_state=seed))
        for short, constraints in (("EO", "equalized_odds"), ("DP", "demographic_parity")):
            rule = ThresholdOptimizer(estimator=baseline, constraints=constraints, prefit=True,
                                      predict_method="predict_proba")
            rule.fit(X["tune"], y["tune"], sensitive_features=g["tune"])
            decide[f"thresholds {short}"] = (
                lambda X_, g_, r=rule: r.predict(X_, sensitive_features=g_, random_state=seed))
        val_predictions = {name: np.asarray(f(X["val"], g["val"])) for name, f in decide.items()}
        test_predictions = {name: np.asarray(f(X["test"], g["test"])) for name, f in decide.items()}

    constants = {"LOSS_RATE": 0.10, "MARGIN_RATE": 0.06, "PARITY_BOUND": 0.02, "DP_BOUND": 0.05,
                 "GAP_PRICE": 20_000}
    costs = tradeoffs.cost_matrix(false_positive=constants["LOSS_RATE"],
                                  false_negative=constants["MARGIN_RATE"])

    def full_table(predictions, part):
        table = tradeoffs.comparison_table(predictions, y[part], g[part]).join(
            tradeoffs.cost_table(predictions, y[part], costs, frames[part]["loan_amount"].to_numpy()))
        table["uses_race_at_decision"] = [name in _L07_RACE_AT_DECISION for name in table.index]
        return table

    return pickle.dumps({
        "SEED": seed, "N_TRAIN": n_train, "N_TUNE": n_tune, "baseline": baseline,
        **{name: frame[["applicant_id", "race", "group", "approved", "loan_amount"]].copy()
           for name, frame in frames.items()},
        **{f"X_{name}": X[name] for name in X}, **{f"y_{name}": y[name] for name in y},
        **{f"g_{name}": g[name] for name in g},
        "amount_val": frames["val"]["loan_amount"].to_numpy(),
        "amount_test": frames["test"]["loan_amount"].to_numpy(),
        "pred_baseline": val_predictions["baseline"], "val_predictions": val_predictions,
        "test_predictions": test_predictions, "val_table": full_table(val_predictions, "val"),
        "test_table": full_table(test_predictions, "test"), "costs": costs,
        "RACE_AT_DECISION": _L07_RACE_AT_DECISION, **constants,
    })


def lab07_splits() -> SimpleNamespace:
    """Lab 07's fixed inputs with separate training, tuning, validation and test splits.

    Every option is fitted as the lab fits it (models on ``train``, per-group thresholds on
    ``tune``); ``val_predictions`` / ``val_table`` hold every option's decisions and measures on the
    validation split, where the lab selects, and ``test_predictions`` / ``test_table`` the same on
    the test split, where it reports the chosen option once. A fresh copy on every call; its helper
    functions hold their own references to the inputs (never to the namespace), so a copy is freed
    as soon as a hidden test drops it — the grader runs each notebook under a memory limit.
    """
    ref = SimpleNamespace(**pickle.loads(_lab07_splits()))
    y_val, g_val, bound = ref.y_val, ref.g_val, float(ref.DP_BOUND)
    reference = {name: pred.copy() for name, pred in ref.val_predictions.items()}

    def aif_metric(y_pred, y_true=None, groups=None):
        # AIF360's view of validation-set predictions (or of the given split): Black = 1 is unprivileged.
        from aif360.datasets import BinaryLabelDataset
        from aif360.metrics import ClassificationMetric

        y_true = y_val if y_true is None else np.asarray(y_true)
        groups = g_val if groups is None else np.asarray(groups)
        frame = pd.DataFrame({"black": (groups == "Black").astype(float), "approved": y_true.astype(float)})
        truth = BinaryLabelDataset(df=frame, label_names=["approved"], protected_attribute_names=["black"])
        pred = truth.copy()
        pred.labels = np.asarray(y_pred, dtype=float).reshape(-1, 1)
        return ClassificationMetric(truth, pred, unprivileged_groups=[{"black": 1}],
                                    privileged_groups=[{"black": 0}])

    def constrained_choice(table, bound=bound):
        # The lab's pre-registered rule: cheapest race-blind option within the bound, else the
        # race-blind option with the smallest DP difference.
        blind = table[~table["uses_race_at_decision"].astype(bool)]
        eligible = blind[blind["dp_difference"] <= bound]
        if len(eligible):
            return str(eligible["cost"].idxmin())
        return str(blind["dp_difference"].idxmin())

    def predictions_problem(predictions):
        # None when `predictions` holds exactly the reference validation decisions, else the advice.
        if not isinstance(predictions, dict) or set(predictions) != set(reference):
            return ("`predictions` was changed: it should hold the validation decisions of the options "
                    f"{list(reference)}; leave it as the lab builds it.")
        changed = [name for name, want in reference.items()
                   if np.shape(np.ravel(predictions[name])) != want.shape
                   or not np.array_equal(np.ravel(predictions[name]), want)]
        if changed == ["thresholds DP"]:
            return ("`predictions[\"thresholds DP\"]` (your answer to Exercise 3) is not the reference's; "
                    "this exercise builds on it, so correct Exercise 3 first.")
        if changed:
            return (f"`predictions` was changed for {changed}: its entries are the options' fixed validation "
                    "decisions; leave them as they are.")
        return None

    ref.aif_metric = aif_metric
    ref.constrained_choice = constrained_choice
    ref.predictions_problem = predictions_problem
    return ref


__all__ += ["lab07_splits"]
