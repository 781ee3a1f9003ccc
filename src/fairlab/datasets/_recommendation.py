"""Recommendation case study: 10 rounds of the feedback-loop simulator, 120,000 impressions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from ._base import DatasetSpec, load, register
from ._recsim import FeedbackLoopSimulator, exposure_share
from ._validate import CheckResult, close_to

__all__ = ["load_recommendation"]

SEED = 5
ROUNDS = 10
TEST_ROUNDS = (9, 10)


def _build() -> dict[str, pd.DataFrame]:
    log = FeedbackLoopSimulator(seed=SEED).run(ROUNDS)
    test = np.isin(log["round"].to_numpy(), TEST_ROUNDS)
    log["split"] = pd.Categorical(np.where(test, "test", "train"), categories=["train", "test"])
    truth = log[["user_id", "item_id", "true_preference"]]
    return {"data": log.drop(columns="true_preference"), "ground_truth": truth}


def ctr_gap(frame: pd.DataFrame, rounds: tuple[int, ...]) -> float:
    """Click-through rate of group A users minus group B users over ``rounds``."""
    shown = frame[frame["round"].isin(rounds)]
    rate = shown.groupby("user_group", observed=True)["clicked"].mean()
    return float(rate["A"] - rate["B"])


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    share = exposure_share(frame)
    catalogue = frame.drop_duplicates("item_id")
    results = [
        close_to("minority creators' share of items shown", float(
            (catalogue["creator_group"] == "minority").mean()), 0.21, 0.01),
        close_to("exposure share of minority creators, round 1", float(share[1]), 0.088, 0.01),
        close_to("feedback loop: exposure share, round 10 minus round 1",
                 float(share[ROUNDS] - share[1]), -0.017, 0.008),
        close_to("quality of service: click-through gap A - B users, rounds 1-2",
                 ctr_gap(frame, (1, 2)), 0.009, 0.008),
        close_to("quality of service: click-through gap A - B users, rounds 9-10",
                 ctr_gap(frame, TEST_ROUNDS), 0.021, 0.008),
    ]
    if "ground_truth" in bunch:
        pref = bunch.ground_truth["true_preference"]
        liked = pref.groupby([frame["user_group"].to_numpy(),
                              frame["creator_group"].to_numpy()]).mean()
        results.append(close_to("true preference for minority creators' items, B - A users",
                                float(liked["B", "minority"] - liked["A", "minority"]),
                                0.167, 0.02))
    return results


SPEC = register(
    DatasetSpec(
        name="recommendation",
        build=_build,
        target="clicked",
        sensitive=("user_group", "creator_group"),
        privileged={"user_group": "A", "creator_group": "majority"},
        favorable_label=1,
        has_ground_truth=True,
        checks=_checks,
    )
)


def load_recommendation(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """Simulated impressions log (rounds 1-8 train, 9-10 test), target ``clicked``."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
