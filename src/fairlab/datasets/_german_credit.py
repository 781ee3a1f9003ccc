"""UCI Statlog German credit (1,000 loans of 1973-75, published 1994): decoded, anonymised, split."""

from __future__ import annotations

import pandas as pd
from sklearn.utils import Bunch

from ._anonymise import bands, k_anonymise
from ._base import DatasetSpec, load, register, split_column
from ._raw import raw_file
from ._validate import CheckResult, close_to, equal_to

__all__ = ["load_german_credit"]

_COLUMNS = [
    "checking_status", "duration_months", "credit_history", "purpose", "credit_amount",
    "savings", "employment_since", "installment_rate", "personal_status_sex", "other_debtors",
    "residence_since", "property", "age", "installment_plans", "housing", "existing_credits",
    "job", "dependents", "telephone", "foreign_worker", "credit",
]

# Codebook of the UCI documentation (german.doc), shortened.
_CODES = {
    "checking_status": {"A11": "< 0 DM", "A12": "0-200 DM", "A13": ">= 200 DM",
                        "A14": "no account"},
    "credit_history": {"A30": "no credits / all paid", "A31": "all paid at this bank",
                       "A32": "existing paid duly", "A33": "past delays",
                       "A34": "critical account"},
    "purpose": {"A40": "car (new)", "A41": "car (used)", "A42": "furniture/equipment",
                "A43": "radio/television", "A44": "domestic appliances", "A45": "repairs",
                "A46": "education", "A47": "vacation", "A48": "retraining", "A49": "business",
                "A410": "other"},
    "savings": {"A61": "< 100 DM", "A62": "100-500 DM", "A63": "500-1000 DM",
                "A64": ">= 1000 DM", "A65": "unknown / none"},
    "employment_since": {"A71": "unemployed", "A72": "< 1 year", "A73": "1-4 years",
                         "A74": "4-7 years", "A75": ">= 7 years"},
    "other_debtors": {"A101": "none", "A102": "co-applicant", "A103": "guarantor"},
    "property": {"A121": "real estate", "A122": "savings / insurance", "A123": "car / other",
                 "A124": "unknown / none"},
    "installment_plans": {"A141": "bank", "A142": "stores", "A143": "none"},
    "housing": {"A151": "rent", "A152": "own", "A153": "for free"},
    "job": {"A171": "unskilled non-resident", "A172": "unskilled resident",
            "A173": "skilled", "A174": "highly qualified / self-employed"},
    "telephone": {"A191": "none", "A192": "yes"},
    "foreign_worker": {"A201": "yes", "A202": "no"},
}

AGE_BANDS = ["19-24", "25-34", "35-44", "45-59", "60+"]
_QIS = ("age_band", "age_group", "foreign_worker")


def _build() -> dict[str, pd.DataFrame]:
    raw = pd.read_csv(raw_file("german.data"), sep=" ", header=None, names=_COLUMNS)
    df = raw.copy()
    for col, codes in _CODES.items():
        df[col] = pd.Categorical(df[col].map(codes), categories=sorted(set(codes.values())))
    # The personal-status-and-sex code cannot give sex: Groemping (2019) shows that the UCI
    # codebook is wrong and that one code pools non-single women with single men. The column is
    # dropped, not decoded (see the datasheet).
    df = df.drop(columns=["personal_status_sex"])
    # Age is a quasi-identifier: publish bands, plus the AIF360 convention (25+ privileged).
    df["age_band"] = bands(raw["age"], [0, 24, 34, 44, 59, 200], AGE_BANDS)
    df["age_group"] = pd.Categorical(
        (raw["age"] >= 25).map({True: "25 or older", False: "under 25"}),
        categories=["under 25", "25 or older"],
    )
    df = df.drop(columns=["age"])
    df["credit"] = (raw["credit"] == 1).astype("int8")  # 1 = good credit risk (favourable)
    df["split"] = split_column(df["credit"], seed=0)
    ordered = [c for c in df.columns if c not in ("credit", "split")] + ["credit", "split"]
    df, report = k_anonymise(df[ordered], _QIS, k=5, suppress=("foreign_worker", "age_band"))
    df.attrs["anonymisation"] = report.as_dict()
    return {"data": df}


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    train = frame[frame["split"] == "train"]
    good = train.groupby("age_group", observed=True)["credit"].mean()
    return [
        equal_to("rows", len(frame), 1000),
        equal_to("good credit risks", int(frame["credit"].sum()), 700),
        close_to("mean difference in good credit, under 25 - 25 or older (train split)",
                 float(good["under 25"] - good["25 or older"]), -0.17, 0.05),
    ]


SPEC = register(
    DatasetSpec(
        name="german_credit",
        build=_build,
        target="credit",
        sensitive=("age_group",),
        privileged={"age_group": "25 or older"},
        quasi_identifiers=_QIS,
        favorable_label=1,
        dropped_identifiers=("age", "personal_status_sex"),
        checks=_checks,
    )
)


def load_german_credit(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """UCI German credit: 1,000 loans, target ``credit`` (1 = contract complied with)."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
