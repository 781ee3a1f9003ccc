"""Course datasets: built offline from hash-checked raw inputs, loaded as ``Bunch`` objects."""

from ._base import build, dataset_names, datasheet, is_built, load, spec
from ._errors import DatasetError
from ._german_credit import load_german_credit

__all__ = [
    "DatasetError",
    "build",
    "dataset_names",
    "datasheet",
    "is_built",
    "load",
    "load_german_credit",
    "spec",
]
