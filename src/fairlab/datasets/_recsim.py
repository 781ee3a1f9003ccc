"""A recommendation simulator with exposure bias and a popularity feedback loop.

Each round every user is shown ``k`` items ranked by the platform's policy; the user clicks
each with probability (true preference x position bias); the clicks feed the popularity
the next round's ranking uses. Items of the minority creator group start with less
catalogue exposure, so the loop concentrates exposure on majority creators and on the
majority user group's tastes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.special import expit

__all__ = ["FeedbackLoopSimulator", "exposure_share"]

Policy = Callable[["FeedbackLoopSimulator"], np.ndarray]


class FeedbackLoopSimulator:
    """Users, items and a ranking loop; ``run`` and ``step`` append rounds to ``log``."""

    def __init__(
        self,
        *,
        n_users: int = 1200,
        n_items: int = 2500,
        k: int = 10,
        minority_user_share: float = 0.25,
        minority_creator_share: float = 0.2,
        popularity_weight: float = 1.0,
        cold_start_penalty: float = 1.0,
        seed: int = 0,
    ) -> None:
        rng = np.random.default_rng(seed)
        self.k = k
        self.popularity_weight = popularity_weight
        self.round = 0
        self._rng = rng
        self.user_group = np.where(rng.random(n_users) < minority_user_share, "B", "A")
        self.creator_group = np.where(rng.random(n_items) < minority_creator_share,
                                      "minority", "majority")
        # Tastes: 8 latent dimensions; group B users and minority creators share a direction.
        dims = 8
        users = rng.normal(0.0, 0.6, (n_users, dims))
        items = rng.normal(0.0, 0.6, (n_items, dims))
        users[:, 0] += np.where(self.user_group == "B", 1.2, -1.0)
        items[:, 0] += np.where(self.creator_group == "minority", 1.0, -0.3)
        quality = rng.normal(-1.8, 0.6, n_items)
        affinity = users @ items.T / np.sqrt(dims) + quality
        self.true_preference = expit(affinity)
        # The platform's model of each user's taste: the truth seen through heavy noise.
        self.estimated_affinity = affinity + rng.normal(0.0, 1.5, affinity.shape)
        # Exposure bias at launch: minority creators get fewer initial impressions.
        prior = rng.poisson(np.where(self.creator_group == "minority", 2.0, 2.0 + 3.0
                                     * cold_start_penalty), n_items)
        self.clicks = prior.astype(float)
        self.impressions = prior.astype(float) * 4.0
        self.position_bias = 1.0 / np.log2(np.arange(2, k + 2))
        self.log: list[pd.DataFrame] = []

    def popularity_policy(self) -> np.ndarray:
        """Default ranking scores: estimated taste, smoothed click-through rate, popularity."""
        ctr = (self.clicks + 1.0) / (self.impressions + 10.0)
        popularity = self.popularity_weight * np.log1p(self.clicks)
        noise = self._rng.gumbel(0.0, 1.0, self.estimated_affinity.shape)
        return self.estimated_affinity + np.log(ctr) + popularity + noise

    def step(self, policy: Policy | None = None) -> pd.DataFrame:
        """Run one round: rank, show ``k`` items to every user, sample clicks, update counts."""
        scores = (policy or FeedbackLoopSimulator.popularity_policy)(self)
        top = np.argpartition(-scores, self.k, axis=1)[:, : self.k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1)
        shown = np.take_along_axis(top, order, axis=1)
        users = np.repeat(np.arange(len(self.user_group)), self.k)
        items = shown.ravel()
        p_true = self.true_preference[users, items]
        p_click = p_true * np.tile(self.position_bias, len(self.user_group))
        clicked = self._rng.random(len(items)) < p_click
        np.add.at(self.impressions, items, 1.0)
        np.add.at(self.clicks, items, clicked.astype(float))
        self.round += 1
        frame = pd.DataFrame({
            "round": np.full(len(items), self.round, dtype="int16"),
            "user_id": users.astype("int32"),
            "user_group": pd.Categorical(self.user_group[users], categories=["A", "B"]),
            "item_id": items.astype("int32"),
            "creator_group": pd.Categorical(self.creator_group[items],
                                            categories=["majority", "minority"]),
            "rank": np.tile(np.arange(1, self.k + 1, dtype="int8"), len(self.user_group)),
            "clicked": clicked.astype("int8"),
            "true_preference": p_true,
        })
        self.log.append(frame)
        return frame

    def run(self, rounds: int, policy: Policy | None = None) -> pd.DataFrame:
        """Run ``rounds`` rounds and return the whole interaction log so far."""
        for _ in range(rounds):
            self.step(policy)
        return pd.concat(self.log, ignore_index=True)


def exposure_share(log: pd.DataFrame, group: str = "minority") -> pd.Series:
    """Position-weighted exposure share of a creator group, by round."""
    weight = 1.0 / np.log2(log["rank"].to_numpy() + 1.0)
    exposed = pd.Series(weight * (log["creator_group"] == group).to_numpy())
    total = pd.Series(weight)
    rounds = log["round"].to_numpy()
    return exposed.groupby(rounds).sum() / total.groupby(rounds).sum()
