"""Course datasets: built offline from hash-checked raw inputs, loaded as ``Bunch`` objects."""

from ._adult import load_adult
from ._base import build, dataset_names, datasheet, is_built, load, spec
from ._compas import load_compas
from ._credit import credit_counterfactual, load_credit, simulate_credit
from ._errors import DatasetError
from ._german_credit import load_german_credit
from ._healthcare import load_healthcare
from ._hiring import hiring_counterfactual, load_hiring, simulate_hiring
from ._movielens import load_movielens
from ._recommendation import load_recommendation
from ._recsim import FeedbackLoopSimulator, exposure_share
from ._validate import CheckResult, validate

__all__ = [
    "CheckResult",
    "DatasetError",
    "FeedbackLoopSimulator",
    "build",
    "credit_counterfactual",
    "dataset_names",
    "datasheet",
    "exposure_share",
    "hiring_counterfactual",
    "is_built",
    "load",
    "load_adult",
    "load_compas",
    "load_credit",
    "load_german_credit",
    "load_healthcare",
    "load_hiring",
    "load_movielens",
    "load_recommendation",
    "simulate_credit",
    "simulate_hiring",
    "spec",
    "validate",
]
