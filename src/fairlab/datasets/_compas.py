"""ProPublica COMPAS two-year file (Broward County, 2013-14): ProPublica's sample, anonymised."""

from __future__ import annotations

import pandas as pd
from sklearn.utils import Bunch

from ._anonymise import k_anonymise
from ._base import DatasetSpec, load, register, split_column
from ._raw import raw_file
from ._validate import CheckResult, close_to, equal_to

__all__ = ["load_compas"]

# Direct identifiers, exact dates and case numbers of the raw file; none survives the build.
_IDENTIFIERS = (
    "id", "name", "first", "last", "dob", "age", "compas_screening_date", "c_jail_in",
    "c_jail_out", "c_case_number", "c_offense_date", "c_arrest_date", "r_case_number",
    "r_offense_date", "r_jail_in", "r_jail_out", "vr_case_number", "vr_offense_date",
    "screening_date", "v_screening_date", "in_custody", "out_custody",
)
_RACE = {"African-American": "African-American", "Caucasian": "Caucasian",
         "Hispanic": "Hispanic", "Other": "Other", "Asian": "Other", "Native American": "Other"}
_AGE = {"Less than 25": "under 25", "25 - 45": "25-45", "Greater than 45": "over 45"}
_QIS = ("sex", "race", "age_band")

# ProPublica (Angwin et al. 2016), error rates at the medium/high cut as their analysis notebook
# prints them; the "Machine Bias" article rounds them to 44.9, 23.5, 28.0 and 47.7 %.
PUBLISHED = {"fpr_black": 0.4485, "fpr_white": 0.2345, "fnr_black": 0.2799, "fnr_white": 0.4772}


def propublica_sample(raw: pd.DataFrame) -> pd.DataFrame:
    """ProPublica's filter of the two-year file (6,172 rows of the 7,214)."""
    keep = (
        raw["days_b_screening_arrest"].between(-30, 30)
        & (raw["is_recid"] != -1)
        & (raw["c_charge_degree"] != "O")
        & (raw["score_text"] != "N/A")
    )
    return raw[keep].reset_index(drop=True)


def _build() -> dict[str, pd.DataFrame]:
    raw = propublica_sample(pd.read_csv(raw_file("compas-scores-two-years.csv")))
    df = pd.DataFrame({
        "sex": pd.Categorical(raw["sex"].str.lower(), categories=["female", "male"]),
        "race": pd.Categorical(raw["race"].map(_RACE),
                               categories=["African-American", "Caucasian", "Hispanic", "Other"]),
        "age_band": pd.Categorical(raw["age_cat"].map(_AGE), categories=list(_AGE.values()),
                                   ordered=True),
        "screening_year": pd.to_datetime(raw["screening_date"]).dt.year.astype("int16"),
        "juv_fel_count": raw["juv_fel_count"].astype("int16"),
        "juv_misd_count": raw["juv_misd_count"].astype("int16"),
        "priors_count": raw["priors_count"].astype("int16"),
        "charge_degree": pd.Categorical(raw["c_charge_degree"].map({"F": "felony",
                                                                   "M": "misdemeanor"}),
                                        categories=["felony", "misdemeanor"]),
        "decile_score": raw["decile_score"].astype("int8"),
        "score_text": pd.Categorical(raw["score_text"], categories=["Low", "Medium", "High"],
                                     ordered=True),
        "two_year_recid": raw["two_year_recid"].astype("int8"),
    })
    df["split"] = split_column(df["two_year_recid"], seed=0)
    df, report = k_anonymise(df, _QIS, k=5)
    df.attrs["anonymisation"] = report.as_dict()
    return {"data": df}


def error_rates(frame: pd.DataFrame, race: str) -> tuple[float, float]:
    """FPR and FNR of ``score_text`` in {Medium, High} as a prediction of recidivism."""
    group = frame[frame["race"] == race]
    high = group["score_text"] != "Low"
    reoffended = group["two_year_recid"] == 1
    return float(high[~reoffended].mean()), float((~high)[reoffended].mean())


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    fpr_b, fnr_b = error_rates(frame, "African-American")
    fpr_w, fnr_w = error_rates(frame, "Caucasian")
    counts = frame["race"].value_counts()
    return [
        equal_to("rows in ProPublica's sample", len(frame), 6172),
        equal_to("African-American / Caucasian rows",
                 (int(counts["African-American"]), int(counts["Caucasian"])), (3175, 2103)),
        close_to("FPR, African-American (medium/high cut)", fpr_b, PUBLISHED["fpr_black"], 0.03),
        close_to("FPR, Caucasian (medium/high cut)", fpr_w, PUBLISHED["fpr_white"], 0.03),
        close_to("FNR, African-American (medium/high cut)", fnr_b, PUBLISHED["fnr_black"], 0.03),
        close_to("FNR, Caucasian (medium/high cut)", fnr_w, PUBLISHED["fnr_white"], 0.03),
        close_to("FPR ratio African-American / Caucasian", fpr_b / fpr_w,
                 PUBLISHED["fpr_black"] / PUBLISHED["fpr_white"], 0.1),
    ]


SPEC = register(
    DatasetSpec(
        name="compas",
        build=_build,
        target="two_year_recid",
        sensitive=("race", "sex", "age_band"),
        privileged={"race": "Caucasian", "sex": "female", "age_band": "over 45"},
        quasi_identifiers=_QIS,
        favorable_label=0,
        dropped_identifiers=_IDENTIFIERS,
        checks=_checks,
    )
)


def load_compas(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """ProPublica COMPAS sample: 6,172 defendants, target ``two_year_recid`` (1 = reoffended)."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
