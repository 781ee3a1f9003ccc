"""``fairlab data validate``: schema, hashes, k-anonymity and every documented bias mechanism."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

import pandas as pd
from sklearn.utils import Bunch

from ._anonymise import smallest_class
from ._base import _ground_truth_path, dataset_names, datasheet, load, spec
from ._errors import DatasetError

__all__ = ["CheckResult", "at_least", "close_to", "column_dictionary", "equal_to", "validate"]


@dataclass(frozen=True)
class CheckResult:
    """One validation check: what was measured next to what the datasheet documents."""

    name: str
    passed: bool
    measured: object
    documented: object
    tolerance: float | None = None
    comparison: str = "≈"
    dataset: str = ""

    def __str__(self) -> str:
        state = "PASS" if self.passed else "FAIL"
        expected = f"{self.comparison} {_fmt(self.documented)}"
        if self.tolerance is not None:
            expected += f" ± {_fmt(self.tolerance)}"
        where = f"{self.dataset}: " if self.dataset else ""
        return f"{state}  {where}{self.name}: measured {_fmt(self.measured)}, documented {expected}"


def _fmt(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def close_to(name: str, measured: float, documented: float, tolerance: float) -> CheckResult:
    """Pass when ``measured`` is within ``tolerance`` of ``documented`` (NaN fails)."""
    measured = float(measured)
    ok = not math.isnan(measured) and abs(measured - documented) <= tolerance
    return CheckResult(name, ok, measured, documented, tolerance, "≈")


def at_least(name: str, measured: float, minimum: float) -> CheckResult:
    """Pass when ``measured`` is at least ``minimum``."""
    return CheckResult(name, bool(measured >= minimum), measured, minimum, None, "≥")


def equal_to(name: str, measured: object, expected: object) -> CheckResult:
    """Pass when ``measured`` equals ``expected`` exactly (counts, column sets)."""
    return CheckResult(name, bool(measured == expected), measured, expected, None, "=")


_TYPE_OF_KIND = {"b": "bool", "i": "int", "u": "int", "f": "float", "M": "date", "O": "string"}


def _kind(series: pd.Series) -> str:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return "category"
    if pd.api.types.is_string_dtype(series.dtype):
        return "string"
    return _TYPE_OF_KIND.get(series.dtype.kind, str(series.dtype))


def column_dictionary(text: str, heading: str = "Column dictionary") -> dict[str, str]:
    """Columns and their types from the Markdown table under ``## <heading>`` of a datasheet."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if match is None:
        return {}
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|\s*([a-z]+)\s*\|", match.group(1), re.M)
    return dict(rows)


def _schema_check(name: str, frame: pd.DataFrame, documented: dict[str, str]) -> CheckResult:
    actual = {col: _kind(frame[col]) for col in frame.columns}
    diff = sorted(
        f"{col}: {actual.get(col, 'missing')} vs datasheet {documented.get(col, 'missing')}"
        for col in set(actual) | set(documented)
        if actual.get(col) != documented.get(col)
    )
    return CheckResult(name, not diff, "; ".join(diff) or "as documented",
                       f"{len(documented)} columns", None, "=")


def _generic_checks(name: str, bunch: Bunch) -> list[CheckResult]:
    ds = spec(name)
    sheet = datasheet(name)
    results = [
        at_least("datasheet length (characters)", len(sheet), 2000),
        _schema_check("schema matches the datasheet", bunch.frame, column_dictionary(sheet)),
    ]
    if "ground_truth" in bunch:
        documented = column_dictionary(sheet, "Ground truth (instructor only)")
        results.append(_schema_check("ground-truth schema matches the datasheet",
                                     bunch.ground_truth, documented))
    if ds.quasi_identifiers:
        people = bunch.frame if ds.k_unit is None else bunch.frame.drop_duplicates(ds.k_unit)
        k = smallest_class(people, ds.quasi_identifiers)
        results.append(at_least(f"k-anonymity over {', '.join(ds.quasi_identifiers)}", k, ds.k))
    survivors = sorted(set(ds.dropped_identifiers) & set(bunch.frame.columns))
    results.append(equal_to("direct identifiers left", survivors or "none", "none"))
    return results


def validate(names: list[str] | None = None) -> list[CheckResult]:
    """Check every built dataset against its manifest, datasheet and documented mechanisms."""
    results: list[CheckResult] = []
    for name in names or dataset_names():
        ds = spec(name)
        truth = ds.has_ground_truth and _ground_truth_path(name).is_file()
        try:
            bunch = load(name, ground_truth=truth)
        except DatasetError as err:
            results.append(CheckResult("built, SHA-256 as in the manifest", False, str(err),
                                       "built and intact", None, "=", name))
            continue
        checks = [CheckResult("built, SHA-256 as in the manifest", True, "built and intact",
                              "built and intact", None, "=")]
        checks += _generic_checks(name, bunch)
        if ds.checks is not None:
            checks += ds.checks(bunch)
        results += [replace(c, dataset=name) for c in checks]
    return results
