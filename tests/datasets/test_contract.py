"""Contract tests over every public loader, found by introspection."""

from __future__ import annotations

import inspect
import time

import numpy as np
import pandas as pd
import pytest

from fairlab import datasets
from fairlab.datasets import DatasetError

pytestmark = pytest.mark.slow

LOADERS = {name.removeprefix("load_"): getattr(datasets, name)
           for name in datasets.__all__ if name.startswith("load_")}
SECTIONS = ["## Motivation", "## Composition", "## Collection process",
            "## Preprocessing and anonymisation", "## Uses", "## Distribution",
            "## Maintenance", "## Column dictionary", "## Known biases"]


def test_every_dataset_has_exactly_one_loader():
    assert sorted(LOADERS) == datasets.dataset_names()


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_loader_signature(name):
    params = inspect.signature(LOADERS[name]).parameters
    assert list(params) == ["split", "as_frame", "return_X_y", "ground_truth"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert LOADERS[name].__doc__


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_bunch_fields(built, name):
    spec = datasets.spec(name)
    start = time.perf_counter()
    bunch = LOADERS[name]()
    assert time.perf_counter() - start < 2.0
    assert isinstance(bunch.data, pd.DataFrame) and isinstance(bunch.target, pd.Series)
    assert bunch.feature_names == list(bunch.data.columns)
    assert bunch.target.name == bunch.target_name == spec.target
    assert spec.target not in bunch.feature_names
    assert not set(spec.split_columns) & set(bunch.feature_names)
    assert list(bunch.sensitive.columns) == bunch.protected_attributes == list(spec.sensitive)
    assert len(bunch.sensitive) == len(bunch.data) == len(bunch.frame) > 0
    for attribute, group in bunch.privileged_groups.items():
        assert group in set(bunch.sensitive[attribute]), (attribute, group)
    assert set(bunch.quasi_identifiers) <= set(bunch.frame.columns)
    assert bunch.DESCR == datasets.datasheet(name)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_datasheet_has_gebru_sections(name):
    sheet = datasets.datasheet(name)
    assert len(sheet) > 2000
    missing = [s for s in SECTIONS if s not in sheet]
    assert not missing
    if datasets.spec(name).has_ground_truth:
        assert "## Ground truth (instructor only)" in sheet


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_as_frame_false_and_return_X_y(built, name):
    bunch = LOADERS[name](as_frame=False)
    assert isinstance(bunch.data, np.ndarray) and isinstance(bunch.target, np.ndarray)
    assert bunch.frame is None
    X, y = LOADERS[name](return_X_y=True)
    assert isinstance(X, pd.DataFrame) and len(X) == len(y) == bunch.data.shape[0]
    X, y = LOADERS[name](return_X_y=True, as_frame=False)
    assert isinstance(X, np.ndarray) and X.shape == bunch.data.shape


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_splits_partition_the_rows(built, name):
    spec = datasets.spec(name)
    total = len(LOADERS[name]().data)
    sizes = {split: len(LOADERS[name](split=split).data) for split in spec.splits}
    assert all(sizes.values())
    for column in spec.split_columns:
        in_column = [s for s in spec.splits
                     if s in datasets.load(name).frame[column].cat.categories]
        assert sum(sizes[s] for s in in_column) == total


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_bad_split_is_refused(built, name):
    with pytest.raises(DatasetError, match="no split 'validation'"):
        LOADERS[name](split="validation")


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_ground_truth(built, name):
    if not datasets.spec(name).has_ground_truth:
        with pytest.raises(DatasetError, match="real data"):
            LOADERS[name](ground_truth=True)
        return
    bunch = LOADERS[name](split="test", ground_truth=True)
    truth = bunch.ground_truth
    assert len(truth) == len(bunch.frame)
    key = "user_id" if "user_id" in truth else truth.columns[0]
    assert (truth[key].to_numpy() == bunch.frame[key].to_numpy()).all()


def test_missing_ground_truth_is_explained(scratch):
    (scratch / "instructor" / "credit" / "ground_truth.parquet").unlink()
    with pytest.raises(DatasetError, match="not installed"):
        datasets.load_credit(ground_truth=True)
    assert len(datasets.load_credit().data) == 60_000


def test_unknown_dataset_is_refused():
    with pytest.raises(DatasetError, match="Unknown dataset 'iris'.*german_credit"):
        datasets.load("iris")


def test_lab00_columns_of_german_credit(built):
    frame = datasets.load_german_credit().frame
    assert "sex" not in frame  # not recoverable from the source's codebook (Groemping 2019)
    assert set(frame["age_group"]) == {"under 25", "25 or older"}
    assert set(frame["credit"]) == {0, 1} and frame["credit"].sum() == 700
    assert set(frame["split"]) == {"train", "test"}
