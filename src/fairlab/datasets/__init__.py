"""Course datasets: built offline from hash-checked raw inputs, loaded as ``Bunch`` objects."""

from ._adult import load_adult
from ._base import build, dataset_names, datasheet, is_built, load, spec
from ._compas import load_compas
from ._errors import DatasetError
from ._german_credit import load_german_credit
from ._movielens import load_movielens
from ._validate import CheckResult, validate

__all__ = [
    "CheckResult",
    "DatasetError",
    "build",
    "dataset_names",
    "datasheet",
    "is_built",
    "load",
    "load_adult",
    "load_compas",
    "load_german_credit",
    "load_movielens",
    "spec",
    "validate",
]
