"""Healthcare case study: 25,000 patients; cost stands in for need (Obermeyer et al. 2019).

Black patients face access barriers, so the same need produces lower spending: a model that
predicts cost ranks them as healthier than they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ._base import DatasetSpec, load, register, split_column
from ._validate import CheckResult, close_to

__all__ = ["load_healthcare"]

SEED = 20191025
N = 25_000
BLACK_SHARE = 0.12
AGE_EDGES = [17, 34, 49, 64, 79, 95]
AGE_BANDS = ["18-34", "35-49", "50-64", "65-79", "80+"]
INSURANCE = ["commercial", "medicare", "medicaid"]
NEED_RACE_RATE = 1.5  # structural health inequity: more chronic illness at the same age
ACCESS = {"White": 1.0, "Black": 0.65, "medicaid": 0.85, "rural": 0.9}
COST_PER_CONDITION = 2400.0
FLAG_QUANTILE = 0.97  # the programme auto-enrols the top 3 % of the risk score


def _build() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(SEED)
    black = rng.random(N) < BLACK_SHARE
    female = rng.random(N) < 0.6
    age = np.clip(np.round(rng.normal(50, 15, N)), 18, 95).astype(int)
    frailty = rng.gamma(2.0, 0.5, N)
    rate = frailty * np.exp((age - 50) / 25) * np.where(black, NEED_RACE_RATE, 1.0)
    conditions = rng.poisson(rate)  # observed this year
    need = rng.poisson(0.5 * rate + 0.5 * conditions)  # next year's active conditions
    insurance = np.where(age >= 65, 1, np.where(rng.random(N) < 0.2 + 0.15 * black, 2, 0))
    rural = rng.random(N) < 0.2
    access = (np.where(black, ACCESS["Black"], ACCESS["White"])
              * np.where(insurance == 2, ACCESS["medicaid"], 1.0)
              * np.where(rural, ACCESS["rural"], 1.0))
    primary = rng.poisson(1.5 + 1.2 * conditions * access)
    emergency = rng.poisson(0.1 + 0.15 * conditions * (1.3 - access))
    prior_cost = np.round((600 + COST_PER_CONDITION * conditions) * access
                          * rng.lognormal(0.0, 0.5, N), -1)
    cost = np.round((600 + COST_PER_CONDITION * need) * access * rng.lognormal(0.0, 0.5, N), -1)
    df = pd.DataFrame({
        "patient_id": np.arange(1, N + 1, dtype="int32"),
        "sex": pd.Categorical(np.where(female, "female", "male"), categories=["female", "male"]),
        "race": pd.Categorical(np.where(black, "Black", "White"), categories=["White", "Black"]),
        "age_band": pd.Categorical(pd.cut(age, AGE_EDGES, labels=AGE_BANDS).astype(str),
                                   categories=AGE_BANDS, ordered=True),
        "insurance": pd.Categorical.from_codes(insurance, categories=INSURANCE),
        "rural": rural,
        "chronic_conditions": conditions.astype("int16"),
        "primary_care_visits": primary.astype("int16"),
        "er_visits": emergency.astype("int16"),
        "prior_cost": prior_cost,
        "cost": cost,
    })
    df["split"] = split_column(df["race"], seed=0)
    truth = pd.DataFrame({"patient_id": df["patient_id"], "age": age.astype("int16"),
                          "frailty": frailty, "access": access,
                          "need": need.astype("int16")})
    return {"data": df, "ground_truth": truth}


def black_share_flagged(frame: pd.DataFrame, score: pd.Series) -> float:
    """Share of Black patients among the top 3 % by ``score`` (ties broken by row order)."""
    top = score.rank(method="first", ascending=False) <= round(len(score) * (1 - FLAG_QUANTILE))
    return float((frame.loc[top.to_numpy(), "race"] == "Black").mean())


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    per = frame.groupby("race", observed=True)["cost"].sum() / frame.groupby(
        "race", observed=True)["chronic_conditions"].sum()
    results = [
        close_to("Black share of patients", float((frame["race"] == "Black").mean()), 0.12,
                 0.01),
        close_to("cost per chronic condition, Black / White", float(per["Black"] / per["White"]),
                 0.59, 0.05),
        close_to("Black share of the top 3 % by cost (the proxy label)",
                 black_share_flagged(frame, frame["cost"]), 0.083, 0.02),
    ]
    if "ground_truth" in bunch:
        need = bunch.ground_truth["need"].astype(float)
        results.append(close_to("Black share of the top 3 % by need (the true label)",
                                black_share_flagged(frame, need), 0.235, 0.02))
    return results


SPEC = register(
    DatasetSpec(
        name="healthcare",
        build=_build,
        target="cost",
        sensitive=("race", "sex", "age_band"),
        privileged={"race": "White"},
        quasi_identifiers=("race", "sex", "age_band", "rural"),
        favorable_label=None,
        has_ground_truth=True,
        checks=_checks,
    )
)


def load_healthcare(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """Synthetic patients, target ``cost`` next year (a biased proxy for the hidden ``need``)."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
