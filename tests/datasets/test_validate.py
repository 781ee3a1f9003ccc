"""`fairlab data validate`: everything passes on a fresh build, and each kind of check can fail."""

from __future__ import annotations

import math
import shutil

import pytest

from fairlab import cli, datasets, paths
from fairlab.datasets import CheckResult, DatasetError
from fairlab.datasets._validate import at_least, close_to, column_dictionary, equal_to

pytestmark = pytest.mark.slow


def test_every_check_passes_on_a_fresh_build(built):
    results = datasets.validate()
    failed = [str(r) for r in results if not r.passed]
    assert not failed
    checked = {r.dataset for r in results}
    assert checked == set(datasets.dataset_names())
    for name in datasets.dataset_names():
        own = [r for r in results if r.dataset == name]
        assert any(r.name.startswith("schema") for r in own)
        assert len(own) >= 6, name


def test_result_line_shows_measured_beside_documented():
    result = close_to("proxy AUC", 0.812, 0.83, 0.02)
    assert isinstance(result, CheckResult)
    line = str(result)
    assert line.startswith("PASS") and "measured 0.812" in line and "0.83 ± 0.02" in line
    assert str(close_to("gap", 0.5, 0.2, 0.01)).startswith("FAIL")
    assert not close_to("nan", math.nan, 0.0, 1.0).passed
    assert not at_least("k", 3, 5).passed and at_least("k", 5, 5).passed
    assert not equal_to("rows", 999, 1000).passed


def test_tampered_parquet_is_reported_with_the_fix(scratch):
    target = scratch / "compas" / "data.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="corrupted or was modified.*make data"):
        datasets.load_compas()
    (result,) = datasets.validate(["compas"])
    assert not result.passed and "make data" in str(result)
    assert not datasets.is_built("compas")
    assert cli.main(["data", "build", "compas"]) == 0
    assert len(datasets.load_compas().data) == 6172


def test_student_install_without_ground_truth_counts_as_built(scratch):
    shutil.rmtree(scratch / "instructor")
    assert all(datasets.is_built(name) for name in datasets.dataset_names())


def test_missing_dataset_is_reported_with_the_fix(scratch):
    shutil.rmtree(scratch / "hiring")
    with pytest.raises(DatasetError, match="not built.*make data"):
        datasets.load_hiring()
    assert not datasets.is_built("hiring")


def test_schema_check_fails_when_the_datasheet_disagrees(built, tmp_path, monkeypatch):
    sheets = tmp_path / "datasets"
    shutil.copytree(paths.datasets_dir(), sheets, ignore=shutil.ignore_patterns(".cache"))
    sheet = sheets / "german_credit" / "DATASHEET.md"
    sheet.write_text(sheet.read_text().replace("| `savings` | category |", "| `savings` | int |"))
    monkeypatch.setenv("FAIRLAB_DATASETS", str(sheets))
    schema = [r for r in datasets.validate(["german_credit"]) if r.name.startswith("schema")]
    assert len(schema) == 1 and not schema[0].passed
    assert "savings: category vs datasheet int" in str(schema[0])


def test_column_dictionary_parses_only_its_section():
    text = ("## Column dictionary\n| column | type | meaning |\n|---|---|---|\n"
            "| `a` | int | x |\n| `b` | category | y |\n\n## Ground truth (instructor only)\n"
            "| `c` | float | z |\n")
    assert column_dictionary(text) == {"a": "int", "b": "category"}
    assert column_dictionary(text, "Ground truth (instructor only)") == {"c": "float"}
