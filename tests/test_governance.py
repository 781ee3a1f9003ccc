"""Governance helpers on small inputs whose answers can be checked by hand."""

from __future__ import annotations

import hashlib
import json
import math
import pickle

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from fairlab import governance

# Eight applicants, two groups of four.            a  a  a  a  b  b  b  b
Y_TRUE = np.array([1, 1, 0, 0, 1, 1, 0, 0])
Y_PRED = np.array([1, 1, 1, 0, 1, 0, 0, 0])   # a: approves 3/4, b: 1/4
FRAME = pd.DataFrame({"group": list("aaaabbbb"), "sex": list("fmfmfmfm")})


# --------------------------------------------------------------------------- hashing


def test_sha256_of_bytes_and_files(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc")
    want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 example
    assert governance.sha256_bytes(b"abc") == want
    assert governance.sha256_file(path) == want
    governance.verify_sha256(path, want.upper())
    with pytest.raises(governance.IntegrityError, match="x.bin"):
        governance.verify_sha256(path, "0" * 64)


def test_artefact_round_trip_is_verified(tmp_path):
    artefact = {"weights": [1.0, 2.0], "cutoff": 0.5}
    path = governance.save_artefact(artefact, tmp_path / "models" / "m.pkl")
    assert path.read_bytes() == pickle.dumps(artefact, protocol=5)
    digest = governance.sha256_file(path)
    assert governance.load_artefact(path, digest) == artefact
    path.write_bytes(pickle.dumps({"weights": [9.0], "cutoff": 0.5}, protocol=5))
    with pytest.raises(governance.IntegrityError):
        governance.load_artefact(path, digest)


def test_snapshot_is_canonical(tmp_path):
    frame = pd.DataFrame({"x": [0.1, 1 / 3], "y": ["a", "b"]})
    one = governance.write_snapshot(frame, tmp_path / "one.csv")
    two = governance.write_snapshot(frame.copy(), tmp_path / "two.csv")
    assert one.read_bytes() == two.read_bytes() == b"x,y\n0.1,a\n0.3333333333333333,b\n"
    assert pd.read_csv(one)["x"].tolist() == frame["x"].tolist()  # floats round-trip exactly


# --------------------------------------------------------------------------- disaggregated metrics


def test_disaggregated_metrics_by_hand():
    table = governance.disaggregated_metrics(Y_TRUE, Y_PRED, FRAME, ["group", "sex"], min_cell=1)
    assert list(table.index) == [("group", "a"), ("group", "b"), ("sex", "f"), ("sex", "m")]
    a, b = table.loc[("group", "a")], table.loc[("group", "b")]
    assert a["n"] == 4 and a["approval_rate"] == 0.75 and a["tpr"] == 1.0 and a["fpr"] == 0.5
    assert b["approval_rate"] == 0.25 and b["tpr"] == 0.5 and b["fpr"] == 0.0
    assert not table["small_cell"].any()


def test_disaggregated_metrics_suppresses_small_cells():
    table = governance.disaggregated_metrics(Y_TRUE, Y_PRED, FRAME, ["group"], min_cell=5)
    assert table["small_cell"].all()
    assert table[["approval_rate", "tpr", "fpr"]].isna().all().all()
    assert table["n"].tolist() == [4, 4]  # counts stay visible


# --------------------------------------------------------------------------- model cards


@pytest.fixture
def files(tmp_path):
    artefact = governance.save_artefact({"cutoff": 0.5}, tmp_path / "model.pkl")
    data = {"evaluation": governance.write_snapshot(FRAME, tmp_path / "eval.csv")}
    return artefact, data


def _card(files, **extra):
    artefact, data = files
    table = governance.disaggregated_metrics(Y_TRUE, Y_PRED, FRAME, ["group"], min_cell=1)
    kwargs = dict(name="m", version="1.0.0", artefact=artefact, data=data, owner="team",
                  intended_use="testing | with a pipe", metrics={"accuracy": 0.75, "n": 8},
                  disaggregated=table, fairness={"US": "pass"}, limitations=["small"],
                  regulatory={"decision logs | hashes": "Art. 12"}, sign_off={"legal": ""},
                  changes=["1.0.0: first"])
    kwargs.update(extra)
    return governance.model_card(**kwargs)


def test_model_card_is_locked_to_its_files(files):
    artefact, data = files
    card = _card(files)
    assert card["schema"] == governance.CARD_SCHEMA
    assert card["model"]["sha256"] == governance.sha256_file(artefact)
    assert card["data"]["evaluation"]["sha256"] == governance.sha256_file(data["evaluation"])
    assert card["disaggregated"]["group"]["b"]["tpr"] == 0.5
    assert governance.card_problems(card, artefact=artefact, data=data) == []


def test_card_is_rejected_for_another_artefact(files, tmp_path):
    card = _card(files)
    other = governance.save_artefact({"cutoff": 0.6}, tmp_path / "other.pkl")
    with pytest.raises(governance.ModelCardError, match="other.pkl"):
        governance.verify_model_card(card, artefact=other)
    stale = dict(card, data={"evaluation": {"file": "eval.csv", "sha256": "0" * 64}})
    assert any("evaluation data" in p for p in governance.card_problems(stale, data=files[1]))


def test_card_needs_identity_and_purpose(files):
    card = _card(files, intended_use="")
    assert governance.card_problems(card) == ["intended_use.purpose is missing"]
    with pytest.raises(governance.ModelCardError):
        governance.render_model_card(card)


def test_render_and_round_trip(files, tmp_path):
    card = _card(files)
    text = governance.render_model_card(card)
    assert card["model"]["sha256"] in text
    assert "| decision logs \\| hashes | Art. 12 |" in text  # a pipe cannot break a table row
    assert "| b | 4 | 25.0 % | 50.0 % | 0.0 % |" in text
    assert "| legal | pending |" in text
    path = governance.write_model_card(card, tmp_path / "cards" / "m.md")
    assert governance.read_model_card(path) == card
    assert path.read_text().split("---\n", 2)[2].strip() == text.strip()


def test_render_marks_suppressed_cells(files):
    table = governance.disaggregated_metrics(Y_TRUE, Y_PRED, FRAME, ["group"], min_cell=5)
    card = _card(files, disaggregated=table)
    assert card["disaggregated"]["group"]["a"]["approval_rate"] is None  # NaN is stored as null
    assert "| a | 4 | suppressed | suppressed | suppressed |" in governance.render_model_card(card)


def test_read_model_card_needs_front_matter(tmp_path):
    path = tmp_path / "plain.md"
    path.write_text("# no front matter\n")
    with pytest.raises(governance.ModelCardError):
        governance.read_model_card(path)


def test_flatten_and_card_diff():
    old = {"model": {"name": "a", "version": "1"}, "inputs": ["x", "y"], "fairness": {}}
    new = {"model": {"name": "a", "version": "2"}, "inputs": ["x"], "fairness": {"US": "pass"}}
    assert governance.flatten(old) == {"model.name": "a", "model.version": "1", "inputs": ["x", "y"],
                                       "fairness": {}}
    diff = governance.card_diff(old, new)
    assert diff["change"].to_dict() == {"fairness": "removed", "fairness.US": "added",
                                        "inputs": "changed", "model.version": "changed"}
    assert diff.loc["fairness.US", "before"] is None and diff.loc["fairness.US", "after"] == "pass"
    assert governance.card_diff(old, old).empty


# --------------------------------------------------------------------------- policies


POLICIES = {
    "X": {"attributes": ["group"], "metrics": {"approval_ratio": 0.8, "approval_difference": 0.1}},
    "Y": {"attributes": ["group"], "metrics": {"tpr_difference": 0.6}, "confidence": 0.5},
}


def test_policy_checks_by_hand():
    checks = governance.policy_checks(POLICIES, {"m": Y_PRED}, FRAME, Y_TRUE, level=0.95)
    ratio, diff, tpr = (checks.iloc[i] for i in range(3))
    assert (ratio["low_group"], ratio["high_group"]) == ("b", "a")
    assert ratio["estimate"] == pytest.approx(1 / 3) and ratio["better"] == "higher"
    # Katz interval: log(1/3) ± 1.96 * sqrt((1 - 1/4) / (4 / 4) + (1 - 3/4) / (4 * 3/4))
    se = math.sqrt(0.75 / 1 + 0.25 / 3)
    assert ratio["ci_low"] == pytest.approx(math.exp(math.log(1 / 3) - 1.959964 * se), rel=1e-5)
    assert diff["estimate"] == pytest.approx(0.5)
    se = math.sqrt(0.75 * 0.25 / 4 + 0.25 * 0.75 / 4)
    assert diff["ci_high"] == pytest.approx(0.5 + 1.959964 * se, rel=1e-5)
    # TPR among label 1: a 2/2, b 1/2; a 50 % interval from the policy's own confidence.
    assert tpr["estimate"] == pytest.approx(0.5) and tpr["n_low"] == 2
    assert tpr["ci_high"] - tpr["estimate"] == pytest.approx(0.674490 * math.sqrt(0.25 / 2), rel=1e-5)


def test_policy_checks_left_out_small_groups():
    frame = FRAME.assign(group=list("aaaabbbc"))
    policies = {"X": {"attributes": ["group"], "metrics": {"approval_difference": 0.1}, "min_group_size": 2}}
    checks = governance.policy_checks(policies, {"m": Y_PRED}, frame, Y_TRUE)
    assert checks.loc[0, "left_out"] == "c" and checks.loc[0, "n_low"] == 3


def test_policy_checks_rejects_unknown_metric():
    with pytest.raises(ValueError, match="unknown metric"):
        governance.policy_checks({"X": {"attributes": ["group"], "metrics": {"accuracy": 0.9}}},
                                 {"m": Y_PRED}, FRAME, Y_TRUE)


def test_verdicts_respect_direction_and_interval():
    checks = pd.DataFrame({
        "model": ["m", "m", "m", "n", "n", "n"], "jurisdiction": ["X", "X", "Y", "X", "X", "Y"],
        "better": ["higher", "lower", "lower", "higher", "lower", "lower"],
        "threshold": [0.8, 0.05, 0.05, 0.8, 0.05, 0.05],
        "ci_low": [0.82, 0.01, 0.06, 0.75, 0.01, 0.01], "ci_high": [0.9, 0.04, 0.09, 0.85, 0.04, 0.04],
        "estimate": [0.86, 0.02, 0.07, 0.8, 0.02, 0.02],
    })
    verdicts = governance.check_verdicts(checks)
    assert verdicts.tolist() == ["pass", "pass", "fail", "inconclusive", "pass", "pass"]
    table = governance.verdict_matrix(checks, verdicts)
    assert table.to_dict(orient="index") == {"m": {"X": "pass", "Y": "fail"},
                                             "n": {"X": "inconclusive", "Y": "pass"}}


def test_plot_verdicts_draws_every_check():
    checks = governance.policy_checks(POLICIES, {"m": Y_PRED, "n": Y_TRUE}, FRAME, Y_TRUE)
    ax = governance.plot_verdicts(checks, title="t")
    assert len(ax.texts) == len(checks) and ax.get_title() == "t"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["pass", "inconclusive", "fail"]
    plt.close("all")


# --------------------------------------------------------------------------- review and access


def test_release_gate_blocks_missing_evidence():
    criteria = {"engineering": ["tested"], "legal": ["reviewed"]}
    evidence = pd.DataFrame({"tested": [True, True, np.nan], "reviewed": [True, False, True]},
                            index=["ok", "refused", "unknown"], dtype=object)
    gate = governance.release_gate(criteria, evidence)
    assert gate["can_ship"].to_dict() == {"ok": True, "refused": False, "unknown": False}
    assert gate.loc["refused", "missing"] == ["legal: reviewed"]
    assert gate.loc["unknown", "missing"] == ["engineering: tested"]
    # A criterion with no evidence column at all blocks too.
    assert governance.release_gate({"product": ["signed"]}, evidence)["can_ship"].sum() == 0


def test_access_matrix_and_filter():
    sections = pd.DataFrame({"level": [0, 2, 2, 3], "personal_data": [False, False, True, False],
                             "privileged": [False, False, False, True]},
                            index=["faq", "metrics", "rows", "legal"])
    roles = pd.DataFrame({"clearance": [0, 2, 3], "personal_data": [False, False, True],
                          "privileged": [False, False, True]}, index=["agent", "engineer", "counsel"])
    access = governance.access_matrix(sections, roles)
    assert access.loc["agent"].to_dict() == {"faq": True, "metrics": False, "rows": False, "legal": False}
    assert access.loc["engineer"].to_dict() == {"faq": True, "metrics": True, "rows": False, "legal": False}
    assert access.loc["counsel"].all()
    report = {"faq": "text", "metrics": 1, "legal": "advice", "unlisted": "x"}
    assert governance.filter_report(report, access.loc["engineer"]) == {"faq": "text", "metrics": 1}
    assert governance.filter_report(report, {"unlisted": True}) == {"unlisted": "x"}


# --------------------------------------------------------------------------- archives


def test_manifest_detects_every_kind_of_change(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("reweighing")
    (tmp_path / "sub" / "b.txt").write_text("keep")
    (tmp_path / "c.txt").write_text("gone soon")
    manifest = governance.write_manifest(tmp_path, metadata={"model": "m", "score": np.float64(0.5)})
    recorded = json.loads(manifest.read_text())
    assert sorted(recorded["files"]) == ["a.txt", "c.txt", "sub/b.txt"]
    assert recorded["files"]["a.txt"]["sha256"] == hashlib.sha256(b"reweighing").hexdigest()
    assert recorded["metadata"] == {"model": "m", "score": 0.5}
    assert set(governance.verify_manifest(tmp_path)) == {"ok"}
    (tmp_path / "a.txt").write_text("resampling")  # same size
    (tmp_path / "c.txt").unlink()
    (tmp_path / "d.txt").write_text("new")
    status = governance.verify_manifest(tmp_path)
    assert status.to_dict() == {"a.txt": "altered", "c.txt": "missing", "d.txt": "unlisted",
                                "sub/b.txt": "ok"}


# --------------------------------------------------------------------------- adverse-action reasons


def test_linear_contributions_and_reasons_by_hand():
    columns = ["income", "region_A", "region_B", "score"]
    feature_of = {"region_A": "region", "region_B": "region"}
    X = np.array([[0.0, 1.0, 0.0, -1.0],
                  [2.0, 0.0, 1.0, 1.0]])
    coef = np.array([1.0, -0.5, 0.5, 2.0])
    reference = np.array([1.0, 0.5, 0.5, 0.0])
    raw = governance.linear_contributions(X, coef, reference, columns)
    assert raw.iloc[0].tolist() == [-1.0, -0.25, -0.25, -2.0]
    contrib = governance.linear_contributions(X, coef, reference, columns, feature_of)
    assert list(contrib.columns) == ["income", "region", "score"]
    assert contrib.iloc[0].tolist() == [-1.0, -0.5, -2.0]
    assert contrib.iloc[1].tolist() == [1.0, 0.5, 2.0]
    reasons = governance.principal_reasons(contrib, k=2)
    assert reasons.iloc[0].tolist() == ["score", "income"]
    assert reasons.iloc[1].tolist() == ["", ""]  # nothing lowered the score: no reason to give
    with pytest.raises(ValueError):
        governance.linear_contributions(X, coef[:3], reference, columns)
