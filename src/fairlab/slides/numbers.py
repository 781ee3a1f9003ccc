"""Every number a slide quotes, computed from the course data when the decks are built.

Cheap numbers are recomputed here with the labs' own definitions; numbers that need a lab's models
(a mitigation sweep, a monitoring replay) are read from the lab's ``headlines.yml``, which the lab
tests hold to the value the solution computes. ``tests/test_slides.py`` compares every computed
number with the lab that computes it, so a data or library change cannot leave a stale slide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd
import yaml

from .. import datasets, paths

__all__ = ["FROM_HEADLINES", "SlideNumber", "headline", "published", "slide_numbers"]


@dataclass(frozen=True)
class SlideNumber:
    """A quoted number: its value, how it is printed, and the lab (and headline) it must match."""

    value: float
    fmt: str
    lab: str
    headline: str | None = None

    def text(self) -> str:
        """The number as the slide prints it."""
        if self.fmt == "money":
            return f"${self.value:,.0f}"
        if self.fmt.endswith("pp"):  # a difference of two rates, in percentage points
            return format(self.value * 100, self.fmt[:-2] + "f").replace("-", "−") + " points"
        return format(self.value, self.fmt)


#: Slide name -> (lab, headline key, format): numbers only a lab's models can produce.
FROM_HEADLINES: dict[str, tuple[str, str, str]] = {
    "audit_spd": ("03_model_audit", "spd", "+.1pp"),
    "audit_di": ("03_model_audit", "di", ".2f"),
    "audit_z_fpr": ("03_model_audit", "z_fpr", ".1f"),
    "audit_region_auc": ("03_model_audit", "region_auc", ".2f"),
    "audit_small_cells": ("03_model_audit", "n_small_cells", ".0f"),
    "pre_dp_before": ("04_preprocessing", "dp_before", ".1pp"),
    "pre_dp_rw": ("04_preprocessing", "dp_rw", ".1pp"),
    "pre_dp_cr": ("04_preprocessing", "dp_cr", ".1pp"),
    "pre_optimism": ("04_preprocessing", "optimism", ".1pp"),
    "in_dp_base": ("05_inprocessing", "dp_diff_base", ".1pp"),
    "in_dp_eg": ("05_inprocessing", "dp_diff_eg", ".1pp"),
    "in_acc_base": ("05_inprocessing", "acc_base", ".1%"),
    "in_acc_eg": ("05_inprocessing", "acc_eg", ".1%"),
    "post_dp_before": ("06_postprocessing", "dp_before", ".1pp"),
    "post_dp_after": ("06_postprocessing", "dp_after_manual", ".1pp"),
    "post_eod_before": ("06_postprocessing", "eod_before", ".1pp"),
    "post_eod_after": ("06_postprocessing", "eod_after_manual", ".1pp"),
    "trade_acc_price": ("07_tradeoffs", "accuracy_price_of_parity", ".2pp"),
    "trade_cost_price": ("07_tradeoffs", "cost_price_of_parity", "money"),
    "trade_cost_before": ("07_tradeoffs", "cost_before", "money"),
    "mon_alert_delay": ("08_production_monitoring", "alert_delay_months", ".0f"),
    "mon_gap_after": ("08_production_monitoring", "gap_after", ".1pp"),
    "mon_gap_v10": ("08_production_monitoring", "gap_after_v10", ".1pp"),
    "mon_max_psi": ("08_production_monitoring", "max_psi", ".3f"),
    "gov_region_share": ("09_governance", "share_citing_region", ".0%"),
    "gov_region_share_black": ("09_governance", "region_share_black", ".0%"),
    "gov_air_baseline": ("09_governance", "air_baseline_race", ".2f"),
    "beyond_exposure": ("10_beyond_classification", "disparate_exposure", ".2f"),
    "beyond_pipeline_ratio": ("10_beyond_classification", "pipeline_ratio", ".2f"),
    "beyond_gender_auc": ("10_beyond_classification", "gender_auc", ".2f"),
    "cap_ratio_sex": ("11_capstone", "impact_ratio_sex", ".2f"),
    "cap_ratio_race": ("11_capstone", "impact_ratio_race", ".2f"),
}


@cache
def _headlines(lab: str) -> dict[str, dict]:
    return yaml.safe_load((paths.solutions_dir() / lab / "headlines.yml").read_text())


def headline(lab: str, key: str) -> tuple[float, float]:
    """A lab's headline value and its tolerance (``solutions/<lab>/headlines.yml``)."""
    entry = _headlines(lab)[key]
    return float(entry["value"]), float(entry["tolerance"])


def compas_frame() -> pd.DataFrame:
    """Lab 01's COMPAS sample: Black and white defendants, flagged at the Medium/High cut (decile >= 5)."""
    compas = datasets.load_compas().frame
    compas = compas[compas["race"].isin(["African-American", "Caucasian"])].copy()
    compas["race"] = compas["race"].cat.remove_unused_categories()
    compas["high_risk"] = (compas["decile_score"] >= 5).astype(int)
    return compas


def compas_error_rates() -> pd.DataFrame:
    """False positive and false negative rates by race, as lab 01 computes them."""
    compas = compas_frame()
    no_recid = compas["two_year_recid"] == 0
    fpr = compas.loc[no_recid].groupby("race", observed=True)["high_risk"].mean()
    fnr = 1 - compas.loc[~no_recid].groupby("race", observed=True)["high_risk"].mean()
    return pd.DataFrame({"FPR": fpr, "FNR": fnr})


def _compas() -> dict[str, SlideNumber]:
    rates = compas_error_rates()
    lab = "01_fairness_metrics"
    return {
        "compas_fpr_black": SlideNumber(rates.loc["African-American", "FPR"], ".1%", lab),
        "compas_fpr_white": SlideNumber(rates.loc["Caucasian", "FPR"], ".1%", lab),
        "compas_fnr_black": SlideNumber(rates.loc["African-American", "FNR"], ".1%", lab),
        "compas_fnr_white": SlideNumber(rates.loc["Caucasian", "FNR"], ".1%", lab),
    }


def credit_training_labels() -> pd.DataFrame:
    """Lab 04's training sample of the credit case: 15,000 rows (seed 0), with a ``black`` flag."""
    train = datasets.load_credit(split="train").frame.sample(n=15_000, random_state=0)
    return train.assign(black=(train["race"] == "Black").astype(int)).reset_index(drop=True)


def _credit() -> dict[str, SlideNumber]:
    train = credit_training_labels()
    rates = train.groupby("black")["approved"].mean()
    return {"credit_label_gap": SlideNumber(rates[1] - rates[0], "+.1pp", "04_preprocessing", "spd_before")}


def _from_headlines() -> dict[str, SlideNumber]:
    return {name: SlideNumber(headline(lab, key)[0], fmt, lab, key)
            for name, (lab, key, fmt) in FROM_HEADLINES.items()}


@cache
def slide_numbers() -> dict[str, SlideNumber]:
    """Every number the decks may quote, by name."""
    return {**_compas(), **_credit(), **_from_headlines()}


@cache
def published() -> dict[str, SlideNumber]:
    """Figures from the literature (``slides/published.yml``): quoted with the source on the slide."""
    entries = yaml.safe_load((paths.repo_root() / "slides" / "published.yml").read_text())
    return {name: SlideNumber(float(e["value"]), e["fmt"], e["lab"]) for name, e in entries.items()}
