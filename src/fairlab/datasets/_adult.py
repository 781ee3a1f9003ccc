"""UCI Adult (1994 US Census extract, 48,842 people): integrity-checked, anonymised."""

from __future__ import annotations

import pandas as pd
from sklearn.utils import Bunch

from ._anonymise import bands, k_anonymise
from ._base import DatasetSpec, load, register
from ._errors import DatasetError
from ._raw import raw_file
from ._validate import CheckResult, close_to, equal_to

__all__ = ["load_adult"]

_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status",
    "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
    "hours_per_week", "native_country", "income",
]
# UCI's documented race counts over all 48,842 rows (adult.data + adult.test).
RACE_COUNTS = {"White": 41762, "Black": 4685, "Asian-Pac-Islander": 1519,
               "Amer-Indian-Eskimo": 470, "Other": 406}
AGE_EDGES = [16, 24, 34, 44, 54, 64, 90]
AGE_BANDS = ["17-24", "25-34", "35-44", "45-54", "55-64", "65+"]
_REGIONS = {
    "United-States": ["United-States"],
    "Latin America": ["Mexico", "Puerto-Rico", "Cuba", "Jamaica", "Dominican-Republic",
                      "El-Salvador", "Guatemala", "Columbia", "Haiti", "Nicaragua", "Peru",
                      "Ecuador", "Honduras", "Trinadad&Tobago"],
    "Asia": ["Philippines", "India", "China", "Japan", "Vietnam", "Taiwan", "Iran",
             "Cambodia", "Thailand", "Laos", "Hong", "South"],
    "Europe": ["Germany", "England", "Italy", "Poland", "Portugal", "Greece", "France",
               "Ireland", "Yugoslavia", "Hungary", "Scotland", "Holand-Netherlands"],
}
_REGION_OF = {country: region for region, countries in _REGIONS.items() for country in countries}
_QIS = ("age_band", "sex", "race", "native_region", "marital_status")


def _read(name: str) -> pd.DataFrame:
    df = pd.read_csv(raw_file(name), header=None, names=_COLUMNS, skipinitialspace=True,
                     comment="|", na_values="?")
    df["income"] = df["income"].str.rstrip(".")
    return df


def _category(values: pd.Series) -> pd.Categorical:
    values = values.fillna("unknown")
    return pd.Categorical(values, categories=sorted(set(values)))


def _build() -> dict[str, pd.DataFrame]:
    raw = pd.concat([_read("adult.data").assign(split="train"),
                     _read("adult.test").assign(split="test")], ignore_index=True)
    counts = raw["race"].value_counts().to_dict()
    if len(raw) != 48842 or counts != RACE_COUNTS:
        raise DatasetError(f"Adult raw files fail the integrity check: {len(raw)} rows, race "
                           f"counts {counts}, expected 48,842 and {RACE_COUNTS}.")
    df = pd.DataFrame({
        "age_band": bands(raw["age"], AGE_EDGES, AGE_BANDS),
        "workclass": _category(raw["workclass"]),
        "education": _category(raw["education"]),
        "education_num": raw["education_num"].astype("int8"),
        "marital_status": _category(raw["marital_status"]),
        "occupation": _category(raw["occupation"]),
        "relationship": _category(raw["relationship"]),
        "race": pd.Categorical(raw["race"], categories=list(RACE_COUNTS)),
        "sex": pd.Categorical(raw["sex"].str.lower(), categories=["female", "male"]),
        "capital_gain": raw["capital_gain"].astype("int32"),
        "capital_loss": raw["capital_loss"].astype("int32"),
        "hours_per_week": raw["hours_per_week"].astype("int8"),
        "native_region": pd.Categorical(
            raw["native_country"].map(_REGION_OF).fillna("other or unknown"),
            categories=[*_REGIONS, "other or unknown"]),
        "income": (raw["income"] == ">50K").astype("int8"),
        "split": pd.Categorical(raw["split"], categories=["train", "test"]),
    })
    df, report = k_anonymise(df, _QIS, k=5,
                             suppress=("native_region", "marital_status", "age_band"))
    df.attrs["anonymisation"] = report.as_dict()
    return {"data": df}


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    counts = {race: int(n) for race, n in frame["race"].value_counts().items()}
    rate = frame.groupby("sex", observed=True)["income"].mean()
    return [
        equal_to("rows (adult.data + adult.test)", len(frame), 48842),
        equal_to("race counts", counts, RACE_COUNTS),
        close_to("share >50K, male - female", float(rate["male"] - rate["female"]), 0.196, 0.005),
    ]


SPEC = register(
    DatasetSpec(
        name="adult",
        build=_build,
        target="income",
        sensitive=("sex", "race", "age_band"),
        privileged={"sex": "male", "race": "White"},
        quasi_identifiers=_QIS,
        favorable_label=1,
        dropped_identifiers=("fnlwgt", "age", "native_country"),
        checks=_checks,
    )
)


def load_adult(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """UCI Adult: 48,842 people, target ``income`` (1 = more than $50K a year)."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
