"""Hiring case study: 20,000 job candidates from a structural causal model with ground truth.

Historical callbacks penalise Black candidates directly, calibrated to the callback rates of
Bertrand & Mullainathan's (2004) field experiment, and reward features that are proxies for
gender and race (school tier, clubs, employment gaps, agentic résumé wording). True job
performance depends on none of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.metrics import roc_auc_score
from sklearn.utils import Bunch

from ._base import DatasetSpec, load, register, split_column
from ._validate import CheckResult, close_to

__all__ = ["hiring_counterfactual", "load_hiring", "simulate_hiring"]

SEED = 20040901
N = 20_000
RACES = ["White", "Black", "Hispanic", "Asian"]
RACE_SHARE = np.array([0.62, 0.16, 0.14, 0.08])
SES_SHIFT = np.array([0.0, -0.45, -0.35, 0.1])  # structural gap in family socio-economic status
EDUCATION = ["high school", "bachelor", "master", "PhD"]
AGE_EDGES = [20, 29, 39, 49, 65]
AGE_BANDS = ["21-29", "30-39", "40-49", "50-65"]
CAREGIVING = {"female": 0.30, "male": 0.08}
# Clubs: (name, base probability, log-odds shifts by gender / race / socio-economic status).
CLUBS = [
    ("women in engineering", -4.0, {"female": 3.0}),
    ("rugby", -2.2, {"female": -1.8}),
    ("sailing", -3.0, {"ses": 0.9}),
    ("debate", -1.8, {}),
    ("chess", -2.2, {"female": -0.6}),
    ("volunteer tutoring", -2.0, {"female": 0.8}),
    ("black professionals network", -4.5, {"Black": 3.5}),
]
# Historical callback log-odds; BLACK_PENALTY is the direct discrimination (same résumé).
CALLBACK = {"intercept": -3.575, "skills": 0.55, "education": 0.25, "experience": 0.15,
            "tier1": 0.45, "tier3": -0.30, "gap_month": -0.025, "agentic": 0.25,
            "women_club": -0.35, "rugby_sailing": 0.3}
BLACK_PENALTY = 0.321
PERFORMANCE = {"ability": 0.8, "education": 0.12, "experience": 0.04, "noise": 0.5}
_AGENTIC = ["led", "drove", "executed", "owned", "captained"]
_COMMUNAL = ["supported", "helped", "collaborated on", "contributed to", "coordinated"]


def _draws(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    normal = {"ses", "ability", "skills", "experience", "performance"}
    names = ["race", "sex", "age", "ses", "ability", "education", "tier", "caregiving", "gap",
             "experience", "skills", "clubs", "wording", "verb", "callback", "performance"]
    out = {}
    for name in names:
        shape = (n, len(CLUBS)) if name == "clubs" else (n,)
        out[name] = rng.standard_normal(shape) if name in normal else rng.random(shape)
    return out


def simulate_hiring(n: int = N, seed: int = SEED, do: dict | None = None) -> pd.DataFrame:
    """Simulate the hiring SCM; ``do`` fixes ``race`` and/or ``sex`` for every candidate."""
    do = do or {}
    u = _draws(n, seed)
    race = np.minimum((u["race"][:, None] > np.cumsum(RACE_SHARE)).sum(axis=1), len(RACES) - 1)
    if "race" in do:
        race = np.full(n, RACES.index(do["race"]))
    female = u["sex"] < 0.48
    if "sex" in do:
        female = np.full(n, do["sex"] == "female")
    age = (21 + 44 * u["age"] ** 1.5).astype(int)
    ses = SES_SHIFT[race] + u["ses"]
    ability = u["ability"]
    edu_latent = 0.8 * ability + 0.5 * ses + 1.2 * (u["education"] - 0.5)
    education = np.digitize(edu_latent, [-0.9, 0.6, 1.5])
    tier_latent = 0.6 * ability + 0.8 * ses + 1.5 * (u["tier"] - 0.5)
    tier = 3 - np.digitize(tier_latent, [-0.4, 1.0])  # 1 = most selective
    caregiving = u["caregiving"] < np.where(female, CAREGIVING["female"], CAREGIVING["male"])
    gap = np.where(caregiving, 6 + np.floor(30 * u["gap"]),
                   np.where(u["gap"] < 0.1, np.floor(60 * u["gap"]), 0)).astype(int)
    career_years = np.maximum(age - 22 - 2 * np.maximum(education - 1, 0), 0)
    experience = np.clip(np.round(career_years - gap / 12 + 1.5 * u["experience"]), 0, None)
    skills = np.clip(np.round(60 + 11 * ability + 3 * education + 8 * u["skills"]), 0, 100)
    shifts = {"female": female, "Black": race == 1, "ses": ses}
    clubs = np.column_stack([
        u["clubs"][:, j] < expit(base + sum(w * shifts[k] for k, w in effect.items()))
        for j, (_, base, effect) in enumerate(CLUBS)
    ])
    agentic = u["wording"] < np.where(female, 0.3, 0.7)
    skills_z = (skills - 60) / 13
    z = (CALLBACK["intercept"] + CALLBACK["skills"] * skills_z
         + CALLBACK["education"] * education + CALLBACK["experience"] * np.sqrt(experience)
         + CALLBACK["tier1"] * (tier == 1) + CALLBACK["tier3"] * (tier == 3)
         + CALLBACK["gap_month"] * gap + CALLBACK["agentic"] * agentic
         + CALLBACK["women_club"] * clubs[:, 0] + CALLBACK["rugby_sailing"] * clubs[:, 1:3].any(1)
         - BLACK_PENALTY * (race == 1))
    performance = (PERFORMANCE["ability"] * ability + PERFORMANCE["education"] * education
                   + PERFORMANCE["experience"] * np.minimum(experience, 15)
                   + PERFORMANCE["noise"] * u["performance"])
    return pd.DataFrame({
        "candidate_id": np.arange(1, n + 1, dtype="int32"),
        "sex": pd.Categorical(np.where(female, "female", "male"), categories=["female", "male"]),
        "race": pd.Categorical.from_codes(race, categories=RACES),
        "age_band": pd.Categorical(pd.cut(age, AGE_EDGES, labels=AGE_BANDS).astype(str),
                                   categories=AGE_BANDS, ordered=True),
        "education": pd.Categorical.from_codes(education, categories=EDUCATION, ordered=True),
        "school_tier": tier.astype("int8"),
        "experience_years": experience.astype("int16"),
        "employment_gap_months": gap.astype("int16"),
        "skills_score": skills.astype("int16"),
        "clubs": ["; ".join(name for (name, _, _), on in zip(CLUBS, row, strict=True) if on)
                  for row in clubs],
        "resume_text": _resumes(education, tier, experience, gap, clubs, agentic, u["verb"]),
        "callback": (u["callback"] < expit(z)).astype("int8"),
        "age": age.astype("int16"),
        "ability": ability,
        "ses": ses,
        "caregiving": caregiving,
        "p_callback": expit(z),
        "performance": performance,
    })


def _resumes(education, tier, experience, gap, clubs, agentic, verb_draw) -> list[str]:
    texts = []
    for i in range(len(education)):
        verbs = _AGENTIC if agentic[i] else _COMMUNAL
        verb = verbs[int(verb_draw[i] * len(verbs))]
        parts = [f"{EDUCATION[education[i]].capitalize()} degree, tier-{tier[i]} school.",
                 f"{int(experience[i])} years of experience; {verb} a team project."]
        if gap[i]:
            parts.append(f"Career break of {gap[i]} months.")
        names = [name for (name, _, _), on in zip(CLUBS, clubs[i], strict=True) if on]
        if names:
            parts.append("Member: " + ", ".join(names) + ".")
        texts.append(" ".join(parts))
    return texts


PUBLIC = ["candidate_id", "sex", "race", "age_band", "education", "school_tier",
          "experience_years", "employment_gap_months", "skills_score", "clubs", "resume_text",
          "callback"]
TRUTH = ["candidate_id", "age", "ability", "ses", "caregiving", "p_callback", "performance"]


def hiring_counterfactual(do: dict) -> pd.DataFrame:
    """The same 20,000 candidates with ``race`` and/or ``sex`` set by intervention.

    Rows align with ``load_hiring().frame``; the instructor-only columns are included too.
    """
    return simulate_hiring(do=do)


def _build() -> dict[str, pd.DataFrame]:
    full = simulate_hiring()
    df = full[PUBLIC].copy()
    df["split"] = split_column(df["callback"], seed=0)
    return {"data": df, "ground_truth": full[TRUTH]}


def same_resume_ratio() -> float:
    """Callback probability of the White candidates' résumés under do(race=Black) / as is."""
    factual = simulate_hiring()
    twin = simulate_hiring(do={"race": "Black"})
    white = (factual["race"] == "White").to_numpy()
    return float(twin["p_callback"][white].mean() / factual["p_callback"][white].mean())


def _checks(bunch: Bunch) -> list[CheckResult]:
    frame = bunch.frame
    rate = frame.groupby("race", observed=True)["callback"].mean()
    female = (frame["sex"] == "female").to_numpy()
    results = [
        close_to("callback rate, White (B&M: 9.65%)", float(rate["White"]), 0.0965, 0.006),
        close_to("callback ratio Black / White, same résumé (B&M: 0.67)", same_resume_ratio(),
                 0.67, 0.02),
        close_to("callback ratio Black / White, observed", float(rate["Black"] / rate["White"]),
                 0.69, 0.05),
        close_to("proxy: AUC of gender from employment gap",
                 roc_auc_score(female, frame["employment_gap_months"]), 0.61, 0.02),
    ]
    if "ground_truth" in bunch:
        truth = bunch.ground_truth
        top = (truth["performance"] >= truth["performance"].quantile(0.75)).to_numpy()
        among = frame[top].groupby("race", observed=True)["callback"].mean()
        results.append(close_to("label bias: callback ratio Black / White, top-quartile performers",
                                float(among["Black"] / among["White"]), 0.71, 0.05))
    return results


SPEC = register(
    DatasetSpec(
        name="hiring",
        build=_build,
        target="callback",
        sensitive=("sex", "race", "age_band"),
        privileged={"sex": "male", "race": "White", "age_band": "30-39"},
        quasi_identifiers=("sex", "race", "age_band"),
        favorable_label=1,
        has_ground_truth=True,
        checks=_checks,
    )
)


def load_hiring(
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """Synthetic job candidates (SCM), target ``callback`` (historical, biased decision)."""
    return load(SPEC.name, split=split, as_frame=as_frame, return_X_y=return_X_y,
                ground_truth=ground_truth)
