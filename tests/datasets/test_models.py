"""The generating models: counterfactuals through the SCMs and the recommendation simulator."""

from __future__ import annotations

import numpy as np
import pytest

from fairlab.datasets import (
    FeedbackLoopSimulator,
    credit_counterfactual,
    exposure_share,
    hiring_counterfactual,
    simulate_credit,
    simulate_hiring,
)


def test_credit_counterfactual_changes_only_descendants_of_race():
    factual = simulate_credit()
    twin = credit_counterfactual({"race": "White"})
    assert (twin["race"] == "White").all()
    for column in ["applicant_id", "application_date", "sex", "age_band", "debt_to_income",
                   "delinquencies_2y"]:
        assert twin[column].equals(factual[column]), column
    white = (factual["race"] == "White").to_numpy()
    assert twin[white].equals(factual.loc[white, twin.columns])
    black = (factual["race"] == "Black").to_numpy()
    assert twin["approved"][black].mean() > factual["approved"][black].mean() + 0.1
    assert (twin["region"][black] != factual["region"][black]).mean() > 0.5


def test_hiring_counterfactual_changes_only_descendants_of_sex():
    factual = simulate_hiring()
    twin = hiring_counterfactual({"sex": "male"})
    assert twin["ability"].equals(factual["ability"]) and twin["race"].equals(factual["race"])
    male = (factual["sex"] == "male").to_numpy()
    assert twin[male].equals(factual[male])
    female = ~male
    same_path = female & (twin["experience_years"] == factual["experience_years"]).to_numpy()
    assert np.allclose(twin["performance"][same_path], factual["performance"][same_path])
    assert twin["employment_gap_months"][female].mean() < factual[
        "employment_gap_months"][female].mean() - 2


@pytest.mark.parametrize("simulate", [simulate_credit, simulate_hiring])
def test_scm_is_deterministic(simulate):
    assert simulate(n=2000).equals(simulate(n=2000))
    assert not simulate(n=2000).equals(simulate(n=2000, seed=1))


def test_simulator_feedback_loop_and_policy_hook():
    sim = FeedbackLoopSimulator(n_users=300, n_items=600, seed=0)
    log = sim.run(6)
    assert len(log) == 300 * 10 * 6 and sim.round == 6
    assert set(log["rank"]) == set(range(1, 11))
    assert sim.clicks.sum() > 0

    def boost_minority(s: FeedbackLoopSimulator) -> np.ndarray:
        return s.popularity_policy() + 5.0 * (s.creator_group == "minority")

    boosted = FeedbackLoopSimulator(n_users=300, n_items=600, seed=0).run(2, boost_minority)
    assert exposure_share(boosted).min() > exposure_share(log).max()


def test_simulator_is_deterministic():
    a = FeedbackLoopSimulator(n_users=100, n_items=200, seed=3).run(2)
    b = FeedbackLoopSimulator(n_users=100, n_items=200, seed=3).run(2)
    assert a.equals(b)


def test_credit_label_bias_share_names_exactly_the_penalised_groups():
    # Lab 02's hidden test reads LABEL_BIAS_SHARE instead of the instructor-only table (hidden
    # while grading): the two must name the same groups.
    from fairlab.datasets._credit import LABEL_BIAS_SHARE

    frame = simulate_credit()
    penalty = frame.groupby("race", observed=True)["label_bias"].mean()
    assert {str(g) for g, v in penalty.items() if v > 0} == {
        g for g, share in LABEL_BIAS_SHARE if share > 0} == {"Black", "Hispanic"}
