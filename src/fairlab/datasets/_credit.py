"""Credit case study: 60,000 loan applicants from a structural causal model with ground truth.

Every variable is a function of its parents in the DAG (documented in the datasheet) and of
its own exogenous noise; all noise is drawn from one seeded generator in a fixed order, so
the same seed with an intervention ``do={"race": ...}`` gives the counterfactual twins of
the same applicants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from scipy.stats import poisson
from sklearn.metrics import roc_auc_score
from sklearn.utils import Bunch

from ._base import DatasetSpec, load, register, split_column, time_split_column
from ._validate import CheckResult, close_to

__all__ = ["credit_counterfactual", "load_credit", "simulate_credit"]

SEED = 20240501
N = 60_000
RACES = ["White", "Black", "Hispanic", "Asian", "Other"]
# Shares of the population the lender serves, and each group's relative chance of appearing
# among applicants (Black residents are under-represented: fewer apply, fewer are marketed to).
POPULATION_SHARE = np.array([0.60, 0.13, 0.18, 0.06, 0.03])
APPLICANT_RATE = np.array([1.0, 0.55, 1.0, 1.0, 1.0])
APPLICANT_SHARE = POPULATION_SHARE * APPLICANT_RATE / (POPULATION_SHARE * APPLICANT_RATE).sum()
# Residential segregation: the pull of each group towards high-"minority index" regions.
SEGREGATION = np.array([-1.6, 3.0, 1.6, 0.3, 0.0])
N_REGIONS = 50
AGE_EDGES = [17, 24, 34, 44, 54, 64, 80]
AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
EMPLOYMENT = ["employed", "self-employed", "unemployed", "retired"]
START, MONTHS = pd.Timestamp("2021-01-01"), 36
# Structural coefficients (see the datasheet's DAG).
LOG_INCOME = {"intercept": 10.75, "capacity": 0.30, "female": -0.17, "region_wealth": 0.15,
              "race": np.array([0.0, -0.18, -0.12, 0.05, 0.0]), "noise": 0.35}
THIN_FILE_MONTHS = 36
SCORE_NOISE = {"thin": 60.0, "thick": 15.0}
REPAY = {"intercept": 2.0, "capacity": 1.1, "dti": -3.0, "delinquency": -0.35,
         "log_income": 0.5}
LENDER_NOISE, APPROVAL_CUTOFF = 0.6, 1.35
# Label bias: the historical decision subtracts this from a Black applicant's assessed
# log-odds (half of it for Hispanic applicants); it grows linearly over the 36 months.
LABEL_BIAS_START, LABEL_BIAS_END = 0.3, 1.0
#: Share of the historical log-odds penalty each group bore (groups not listed bore none). A tuple,
#: so that hidden tests can read the truth without the instructor-only table, and no answer cell
#: can change it in place.
LABEL_BIAS_SHARE = (("Black", 1.0), ("Hispanic", 0.5))


def _draws(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    names = ["race", "sex", "age", "region", "capacity", "income", "employment", "history",
             "delinquency", "dti", "loan", "date", "score", "lender", "repay"]
    return {name: rng.random(n) if name not in ("capacity", "income", "score", "lender")
            else rng.standard_normal(n) for name in names}


def _region_table() -> tuple[np.ndarray, np.ndarray]:
    minority = np.linspace(0.0, 1.0, N_REGIONS)
    wealth = 1.0 - 2.0 * minority
    weights = np.exp(np.outer(SEGREGATION, minority) * 1.4)
    return np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1), wealth


def _pick(u: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    return np.minimum((u[:, None] > cumulative).sum(axis=1), cumulative.shape[-1] - 1)


def simulate_credit(n: int = N, seed: int = SEED, do: dict | None = None) -> pd.DataFrame:
    """Simulate the credit SCM; ``do`` fixes ``race`` and/or ``sex`` for every applicant."""
    do = do or {}
    u = _draws(n, seed)
    race = _pick(u["race"], np.cumsum(APPLICANT_SHARE))
    if "race" in do:
        race = np.full(n, RACES.index(do["race"]))
    female = u["sex"] < 0.47
    if "sex" in do:
        female = np.full(n, do["sex"] == "female")
    age = (18 + 57 * u["age"] ** 1.4).astype(int)
    cumulative, wealth = _region_table()
    region = _pick(u["region"], cumulative[race])
    capacity = u["capacity"]
    log_income = (LOG_INCOME["intercept"] + LOG_INCOME["capacity"] * capacity
                  + LOG_INCOME["female"] * female + LOG_INCOME["race"][race]
                  + LOG_INCOME["region_wealth"] * wealth[region]
                  + 0.25 * np.clip((age - 18) / 20, 0, 1) + LOG_INCOME["noise"] * u["income"])
    p_unemployed = expit(-2.6 - 0.8 * capacity)
    employment = np.where(age >= 65, 3, np.where(u["employment"] < p_unemployed, 2,
                                                 np.where(u["employment"] > 0.88, 1, 0)))
    years_employed = np.where(employment < 2,
                              np.floor((age - 18) * u["employment"] ** 0.7), 0).astype(int)
    income = np.round(np.exp(log_income) * np.where(employment == 2, 0.35, 1.0), -2)
    # Thin files: minority applicants have had less access to mainstream credit.
    access = np.where(np.isin(race, [1, 2]), 1.8, 1.0)
    history = np.floor((age - 18) * 12 * u["history"] ** access).astype(int)
    thin = history < THIN_FILE_MONTHS
    delinquencies = poisson.ppf(u["delinquency"], np.exp(-0.7 - 0.8 * capacity)).astype(int)
    dti = np.clip(0.32 - 0.06 * capacity + 0.12 * (u["dti"] - 0.5) * 2, 0.01, 0.95)
    loan = np.maximum(np.round(income * (0.1 + 0.5 * u["loan"]), -2), 500)
    date = START + pd.to_timedelta(np.floor(u["date"] * 1095), unit="D")
    months = (date.year - START.year) * 12 + (date.month - 1)
    true_score = np.clip(680 + 55 * capacity - 18 * delinquencies, 300, 850)
    noise = np.where(thin, SCORE_NOISE["thin"], SCORE_NOISE["thick"])
    score = np.clip(np.round(true_score + noise * u["score"]), 300, 850)
    z_repay = (REPAY["intercept"] + REPAY["capacity"] * capacity + REPAY["dti"] * (dti - 0.3)
               + REPAY["delinquency"] * delinquencies
               + REPAY["log_income"] * (np.log(np.maximum(income, 1000)) - 10.75))
    p_repay = expit(z_repay)
    repaid = (u["repay"] < p_repay).astype("int8")
    # The lender sees only the observed features: its assessment is noisy, and the historical
    # decision subtracts the label bias; the unbiased decision uses the same noise without it.
    assessed = (logit(np.clip(p_repay, 1e-6, 1 - 1e-6)) + 0.004 * (score - true_score)
                + LENDER_NOISE * u["lender"])
    share = dict(LABEL_BIAS_SHARE)
    bias = label_bias(np.asarray(months)) * np.array([share.get(r, 0.0) for r in RACES])[race]
    return pd.DataFrame({
        "applicant_id": np.arange(1, n + 1, dtype="int32"),
        "application_date": np.asarray(date, dtype="datetime64[s]"),
        "sex": pd.Categorical(np.where(female, "female", "male"), categories=["female", "male"]),
        "race": pd.Categorical.from_codes(race, categories=RACES),
        "age": age.astype("int16"),
        "age_band": pd.Categorical(pd.cut(age, AGE_EDGES, labels=AGE_BANDS).astype(str),
                                   categories=AGE_BANDS, ordered=True),
        "region": pd.Categorical.from_codes(region, categories=[f"R{i + 1:02d}"
                                                                for i in range(N_REGIONS)]),
        "income": income.astype("float64"),
        "employment": pd.Categorical.from_codes(employment, categories=EMPLOYMENT),
        "years_employed": years_employed.astype("int16"),
        "debt_to_income": np.round(dti, 3),
        "credit_history_months": history.astype("int16"),
        "delinquencies_2y": delinquencies.astype("int16"),
        "credit_score": score.astype("int16"),
        "loan_amount": loan.astype("float64"),
        "approved": (assessed - bias > APPROVAL_CUTOFF).astype("int8"),
        "capacity": capacity,
        "true_credit_score": true_score,
        "thin_file": thin,
        "p_repay": p_repay,
        "repaid": repaid,
        "approved_unbiased": (assessed > APPROVAL_CUTOFF).astype("int8"),
        "label_bias": bias,
    })


def label_bias(months: np.ndarray) -> np.ndarray:
    """Log-odds penalty of the historical decision for Black applicants, by month since start."""
    return LABEL_BIAS_START + (LABEL_BIAS_END - LABEL_BIAS_START) * months / (MONTHS - 1)


PUBLIC = ["applicant_id", "application_date", "sex", "race", "age_band", "region", "income",
          "employment", "years_employed", "debt_to_income", "credit_history_months",
          "delinquencies_2y", "credit_score", "loan_amount", "approved"]
TRUTH = ["applicant_id", "age", "capacity", "true_credit_score", "thin_file", "p_repay",
         "repaid", "approved_unbiased", "label_bias"]


def credit_counterfactual(do: dict) -> pd.DataFrame:
    """The same 60,000 applicants with ``race`` and/or ``sex`` set by intervention (public columns).

    Rows align with ``load_credit().frame``: only descendants of the intervened attributes
    change.
    """
    return simulate_credit(do=do)[PUBLIC]


def _build() -> dict[str, pd.DataFrame]:
    full = simulate_credit()
    df = full[PUBLIC].copy()
    df["split"] = split_column(df["approved"], seed=0)
    df["time_split"] = time_split_column(df["application_date"], "2023-07-01")
    return {"data": df, "ground_truth": full[TRUTH]}


def approval_gap(frame: pd.DataFrame, truth: pd.DataFrame, year: int | None = None) -> float:
    """White minus Black approval rate among applicants who truly repay."""
    keep = (truth["repaid"] == 1).to_numpy().copy()
    if year is not None:
        keep &= (frame["application_date"].dt.year == year).to_numpy()
    rate = frame[keep].groupby("race", observed=True)["approved"].mean()
    return float(rate["White"] - rate["Black"])


def region_auc(frame: pd.DataFrame) -> float:
    """AUC of predicting Black race from the share of Black applicants in one's region."""
    black = (frame["race"] == "Black").to_numpy()
    share = pd.Series(black).groupby(frame["region"].to_numpy()).transform("mean")
    return float(roc_auc_score(black, share))


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    median = frame.groupby("sex", observed=True)["income"].median()
    results = [
        close_to("proxy: AUC of race (Black) from region", region_auc(frame), 0.83, 0.02),
        close_to("under-representation: Black share of applicants",
                 float((frame["race"] == "Black").mean()), 0.075, 0.004),
        close_to("female / male median income", float(median["female"] / median["male"]),
                 0.85, 0.02),
    ]
    if "ground_truth" in bunch:
        truth = bunch.ground_truth
        residual = frame["credit_score"] - truth["true_credit_score"]
        sd = residual.groupby(truth["thin_file"].to_numpy()).std()
        results += [
            close_to("label bias: approval gap White - Black among repayers",
                     approval_gap(frame, truth), 0.19, 0.02),
            close_to("drift: label-bias gap 2023 minus 2021",
                     approval_gap(frame, truth, 2023) - approval_gap(frame, truth, 2021),
                     0.19, 0.03),
            close_to("measurement: score error SD, thin / thick file", sd[True] / sd[False],
                     4.0, 0.3),
        ]
    return results


SPEC = register(
    DatasetSpec(
        name="credit",
        build=_build,
        target="approved",
        sensitive=("sex", "race", "age_band"),
        privileged={"sex": "male", "race": "White", "age_band": "35-44"},
        quasi_identifiers=("sex", "race", "age_band"),
        favorable_label=1,
        splits=("train", "test", "past", "recent"),
        split_columns=("split", "time_split"),
        has_ground_truth=True,
        checks=_checks,
    )
)


def load_credit(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """Synthetic credit applicants (SCM), target ``approved`` (historical, biased decision)."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
