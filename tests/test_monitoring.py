"""Monitoring helpers on small streams whose answers can be checked by hand (and against Fairlearn)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from scipy import stats

from fairlab import monitoring

# Eight decisions over two months: January a 1/2, b 1/1; February a 1/3, b 0/2.
TIMES = pd.to_datetime(["2023-01-05", "2023-01-20", "2023-01-31", "2023-02-01", "2023-02-02",
                        "2023-02-10", "2023-02-27", "2023-02-28"])
GROUPS = np.array(["a", "a", "b", "a", "b", "a", "a", "b"])
OUTCOMES = np.array([1, 0, 1, 0, 0, 1, 0, 0])


def test_window_counts_by_hand():
    counts = monitoring.window_counts(TIMES, GROUPS, OUTCOMES, freq="M")
    jan, feb = pd.Timestamp("2023-01-01"), pd.Timestamp("2023-02-01")
    assert counts.loc[(jan, "a"), "n"] == 2 and counts.loc[(jan, "a"), "positive"] == 1
    assert counts.loc[(feb, "a"), "n"] == 3 and counts.loc[(feb, "a"), "positive"] == 1
    assert counts.loc[(feb, "b"), "rate"] == 0.0
    rates = monitoring.window_rates(TIMES, GROUPS, OUTCOMES, freq="M")
    assert list(rates.columns) == ["a", "b"]
    assert rates.loc[jan].tolist() == [0.5, 1.0]
    assert rates.loc[feb, "a"] == pytest.approx(1 / 3)


def test_window_rates_agree_with_fairlearn_metricframe():
    rng = np.random.default_rng(0)
    times = pd.Timestamp("2022-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 365, 3000)), unit="D")
    groups = rng.choice(["x", "y", "z"], size=3000, p=[0.7, 0.2, 0.1])
    outcomes = (rng.random(3000) < np.where(groups == "x", 0.6, 0.5)).astype(int)
    rates = monitoring.window_rates(times, groups, outcomes, freq="M")
    months = pd.Series(times).dt.to_period("M").dt.start_time.to_numpy()
    frame = MetricFrame(metrics=selection_rate, y_true=outcomes, y_pred=outcomes,
                        sensitive_features=pd.DataFrame({"month": months, "group": groups}))
    expected = frame.by_group.unstack("group")
    np.testing.assert_allclose(rates.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-12)


def test_weeks_run_monday_to_sunday():
    times = pd.to_datetime(["2023-01-01", "2023-01-02", "2023-01-08", "2023-01-09"])  # Sun, Mon, Sun, Mon
    rates = monitoring.window_rates(times, ["a"] * 4, [1, 0, 0, 1], freq="W")
    assert list(rates.index) == list(pd.to_datetime(["2022-12-26", "2023-01-02", "2023-01-09"]))
    assert rates["a"].tolist() == [1.0, 0.0, 1.0]


def test_trailing_rates_by_brute_force():
    rng = np.random.default_rng(6)
    times = pd.Timestamp("2022-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 60, 500)), unit="D")
    groups = rng.choice(["a", "b"], size=500)
    outcomes = rng.integers(0, 2, 500)
    rates = monitoring.trailing_rates(times, groups, outcomes, days=14)
    assert rates.index[0] == times.min() + pd.Timedelta(days=13)
    for day in rates.index[::7]:
        inside = (times > day - pd.Timedelta(days=14)) & (times <= day)
        for g in ("a", "b"):
            assert rates.loc[day, g] == pytest.approx(outcomes[inside & (groups == g)].mean())


def test_stream_equals_batch_exactly():
    rng = np.random.default_rng(1)
    times = pd.Timestamp("2022-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 200, 2000)), unit="D")
    groups = rng.choice(["a", "b"], size=2000, p=[0.9, 0.1])
    outcomes = rng.integers(0, 2, 2000)
    batch = monitoring.window_rates(times, groups, outcomes, freq="M")
    stream = monitoring.stream_window_rates(times, groups, outcomes, freq="M")
    pd.testing.assert_frame_equal(stream, batch, check_names=False, check_freq=False, rtol=0, atol=0)


def test_stream_rejects_unordered_input():
    with pytest.raises(ValueError, match="time order"):
        monitoring.stream_window_rates(TIMES[::-1], GROUPS, OUTCOMES)


def test_group_counter_single_batch_and_merge_agree():
    one, batch = monitoring.GroupCounter(), monitoring.GroupCounter()
    for g, y in zip(GROUPS, OUTCOMES, strict=True):
        one.add(g, y)
    batch.add_batch(GROUPS[:3], OUTCOMES[:3])
    other = monitoring.GroupCounter()
    other.add_batch(GROUPS[3:], OUTCOMES[3:])
    merged = batch.merge(other)
    assert one.rates() == merged.rates() == {"a": 2 / 5, "b": 1 / 3}
    assert one.n == {"a": 5, "b": 3}
    one.reset()
    assert one.rates() == {}


def test_gap_control_limits_by_hand():
    limits = monitoring.gap_control_limits([100, 400], [25, 100], 0.6, 0.5, sigmas=3)
    sigma0 = math.sqrt(0.6 * 0.4 / 100 + 0.5 * 0.5 / 25)
    assert limits["center"].tolist() == pytest.approx([0.1, 0.1])
    assert limits.loc[0, "sigma"] == pytest.approx(sigma0)
    assert limits.loc[1, "sigma"] == pytest.approx(sigma0 / 2)  # four times the decisions: half the sigma
    assert limits.loc[0, "ucl"] == pytest.approx(0.1 + 3 * sigma0)
    assert limits.loc[0, "lcl"] == pytest.approx(0.1 - 3 * sigma0)


def test_gap_control_limits_false_alarm_rate_matches_normal_tail():
    rng = np.random.default_rng(2)
    n_a, n_b, p_a, p_b = 1500, 120, 0.6, 0.55
    gaps = rng.binomial(n_a, p_a, 200_000) / n_a - rng.binomial(n_b, p_b, 200_000) / n_b
    limits = monitoring.gap_control_limits([n_a], [n_b], p_a, p_b, sigmas=2).iloc[0]
    outside = np.mean((gaps > limits["ucl"]) | (gaps < limits["lcl"]))
    assert outside == pytest.approx(2 * stats.norm.sf(2), abs=0.005)


def test_cusum_by_hand():
    z = pd.Series([1.0, 2.0, -3.0, 1.5, 3.0, 0.0], index=list("abcdef"))
    statistic, alarm = monitoring.cusum(z, k=0.5, h=3.0)
    # 0.5, 2.0, max(0, -1.5) = 0, 1.0, 3.5 > 3 (alarm at e), 3.0
    assert statistic.tolist() == pytest.approx([0.5, 2.0, 0.0, 1.0, 3.5, 3.0])
    assert alarm == "e"
    assert monitoring.cusum([0.1, -0.2, 0.3], k=0.5, h=4.0)[1] is None


def test_psi_by_hand():
    reference = np.arange(100)           # deciles: ten bins of ten values
    same = np.arange(100)
    assert monitoring.psi(reference, same) == pytest.approx(0.0, abs=1e-12)
    shifted = np.concatenate([np.arange(50), np.arange(50)])  # only the lower five bins, 20 % each
    # five bins: (0.2 - 0.1) ln 2; five empty bins floored at eps: (eps - 0.1) ln(eps / 0.1)
    eps = 1e-4
    expected = 5 * 0.1 * math.log(2) + 5 * (eps - 0.1) * math.log(eps / 0.1)
    assert monitoring.psi(reference, shifted, eps=eps) == pytest.approx(expected)


def test_psi_is_symmetric_and_grows_with_shift():
    rng = np.random.default_rng(3)
    reference = rng.normal(size=20_000)
    small = monitoring.psi(reference, rng.normal(0.1, 1, 5000))
    large = monitoring.psi(reference, rng.normal(0.5, 1, 5000))
    assert 0 < small < 0.05 < large


def test_membership_probabilities_and_weighted_gap():
    proxy = np.array(["r1", "r1", "r1", "r1", "r2", "r2"])
    groups = np.array(["B", "W", "W", "W", "B", "B"])
    table = monitoring.membership_probabilities(proxy, groups)
    assert table.loc["r1", "B"] == 0.25 and table.loc["r2", "B"] == 1.0
    assert table.sum(axis=1).tolist() == [1.0, 1.0]
    p = np.array([0.25, 0.75])
    y = np.array([1, 0])
    # rest: 0.75 * 1 / (0.75 + 0.25); group: 0.25 * 1 / (0.25 + 0.75)
    assert monitoring.weighted_gap(y, p) == pytest.approx(0.75 - 0.25)
    # With certain membership the weighted gap is the ordinary gap.
    assert monitoring.weighted_gap([1, 1, 0, 1], [0, 0, 1, 1]) == pytest.approx(1.0 - 0.5)


def test_frechet_bounds_by_hand_and_contain_the_truth():
    # One cell, 40 % in the group, 50 % favourable: the group's favourable share J lies in [0, 0.4].
    proxy, y = ["r"] * 10, [1] * 5 + [0] * 5
    low, high = monitoring.frechet_gap_bounds(proxy, y, [0.4] * 10)
    # J = 0.4: rest 0.1 / 0.6, group 1; J = 0: rest 0.5 / 0.6, group 0.
    assert low == pytest.approx(0.1 / 0.6 - 1.0)
    assert high == pytest.approx(0.5 / 0.6 - 0.0)
    rng = np.random.default_rng(4)
    region = rng.integers(0, 5, 5000)
    share = np.array([0.05, 0.1, 0.3, 0.6, 0.9])
    in_group = rng.random(5000) < share[region]
    y = (rng.random(5000) < np.where(in_group, 0.4, 0.6)).astype(int)
    p = pd.Series(in_group).groupby(region).transform("mean").to_numpy()
    low, high = monitoring.frechet_gap_bounds(region, y, p)
    truth = y[~in_group].mean() - y[in_group].mean()
    assert low <= truth <= high
    assert low <= monitoring.weighted_gap(y, p) <= high


def test_frechet_bounds_collapse_when_the_proxy_is_perfect():
    proxy = ["a"] * 4 + ["b"] * 4
    y = [1, 1, 0, 1, 1, 0, 0, 0]
    p = [1.0] * 4 + [0.0] * 4
    low, high = monitoring.frechet_gap_bounds(proxy, y, p)
    assert low == pytest.approx(high) == pytest.approx(0.25 - 0.75)


def test_suppression_primary_and_complementary():
    counts = pd.DataFrame([[50, 3, 40], [60, 30, 20], [70, 80, 90]], index=["r1", "r2", "r3"],
                          columns=["c1", "c2", "c3"])
    hidden = monitoring.suppress_small_cells(counts, k=10)
    # 3 is primary; row r1 then hides its smallest other cell (40); column c2 hides 30 (its smallest
    # visible), column c3 then has one hidden cell (40) and hides 20; row r2 has 30 and 20 hidden: done.
    assert hidden.to_numpy().tolist() == [[False, True, True], [False, True, True], [False, False, False]]
    for axis in (0, 1):
        assert not (hidden.sum(axis=axis) == 1).any()


def test_suppression_leaves_safe_tables_alone():
    counts = pd.DataFrame([[12, 30], [40, 10]])
    assert not monitoring.suppress_small_cells(counts, k=10).to_numpy().any()


def test_required_window_by_hand_and_by_simulation():
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    per_day = 0.5 * 0.5 / 0.1 + 0.6 * 0.4 / 0.9
    days = monitoring.required_window_days(0.1, 50, 0.1, 0.5, 0.6)
    assert days == math.ceil(z ** 2 * per_day / (0.01 * 50))
    assert monitoring.detectable_gap(days, 50, 0.1, 0.5, 0.6) <= 0.1 < monitoring.detectable_gap(
        days - 1, 50, 0.1, 0.5, 0.6)
    # Simulated power of the two-proportion z-test with that many days is about 80 %.
    rng = np.random.default_rng(5)
    n_b, n_a = round(days * 50 * 0.1), round(days * 50 * 0.9)
    pb, pa = rng.binomial(n_b, 0.5, 20_000) / n_b, rng.binomial(n_a, 0.6, 20_000) / n_a
    se = np.sqrt(pb * (1 - pb) / n_b + pa * (1 - pa) / n_a)
    assert np.mean(np.abs(pa - pb) / se > stats.norm.ppf(0.975)) == pytest.approx(0.8, abs=0.02)


def test_plot_control_chart_marks_points_outside():
    values = pd.Series([0.1, 0.1, 0.5], index=pd.date_range("2023-01-01", periods=3, freq="MS"))
    limits = monitoring.gap_control_limits([100] * 3, [100] * 3, 0.6, 0.5).set_index(values.index)
    ax = monitoring.plot_control_chart(values, limits, title="t", ylabel="gap",
                                       events={"release": "2023-02-15"})
    labels = ax.get_legend_handles_labels()[1]
    assert "outside the limits" in labels and "release" in labels
    plt.close(ax.figure)
