"""The dataset registry, the build that writes Parquet + a SHA-256 manifest, and the loader."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from .. import paths
from ._errors import DatasetError
from ._raw import sha256_of

__all__ = [
    "DatasetSpec",
    "build",
    "dataset_names",
    "datasheet",
    "datasheet_path",
    "is_built",
    "load",
    "register",
    "spec",
    "split_column",
    "time_split_column",
]

MANIFEST = "MANIFEST.json"
SPLIT = "split"
TIME_SPLIT = "time_split"


@dataclass(frozen=True)
class DatasetSpec:
    """How to build one dataset and what its columns mean."""

    name: str
    build: Callable[[], dict[str, pd.DataFrame]]
    target: str
    sensitive: tuple[str, ...]
    privileged: dict[str, object]
    quasi_identifiers: tuple[str, ...] = ()
    favorable_label: object = 1
    splits: tuple[str, ...] = ("train", "test")
    # Columns holding split labels (dropped from ``data``); ``time_split`` holds past/recent.
    split_columns: tuple[str, ...] = (SPLIT,)
    k: int = 5
    # k-anonymity counts distinct values of this column (e.g. users, not their ratings).
    k_unit: str | None = None
    # Direct identifiers of the raw source that the build must drop (tests check they do).
    dropped_identifiers: tuple[str, ...] = ()
    has_ground_truth: bool = False
    # Dataset-specific validation: takes the loaded Bunch, returns CheckResult objects.
    checks: Callable[[Bunch], list] | None = None
    extra: dict[str, object] = field(default_factory=dict)


_REGISTRY: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a dataset to the registry (each ``_<name>.py`` module calls this once)."""
    _REGISTRY[spec.name] = spec
    return spec


def dataset_names() -> list[str]:
    """Names of every registered dataset, sorted."""
    return sorted(_REGISTRY)


def spec(name: str) -> DatasetSpec:
    """The registered spec of ``name``; a clear error for an unknown name."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(dataset_names())
        raise DatasetError(f"Unknown dataset {name!r}; the course has: {known}.") from None


def split_column(y: pd.Series, *, test_size: float = 0.3, seed: int = 0) -> pd.Series:
    """A fixed, label-stratified train/test assignment for every row."""
    idx = np.arange(len(y))
    _, test_idx = train_test_split(idx, test_size=test_size, random_state=seed, stratify=y)
    split = np.full(len(y), "train", dtype=object)
    split[test_idx] = "test"
    return pd.Series(pd.Categorical(split, categories=["train", "test"]), index=y.index, name=SPLIT)


def time_split_column(dates: pd.Series, cutoff: str) -> pd.Series:
    """A time-based split: ``past`` before ``cutoff``, ``recent`` from it on."""
    recent = (dates >= pd.Timestamp(cutoff)).to_numpy()
    labels = np.where(recent, "recent", "past")
    return pd.Series(pd.Categorical(labels, categories=["past", "recent"]), index=dates.index,
                     name=TIME_SPLIT)


def _public_path(name: str) -> Path:
    return paths.data_dir() / name / "data.parquet"


def _ground_truth_path(name: str) -> Path:
    return paths.data_dir() / "instructor" / name / "ground_truth.parquet"


def _write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.reset_index(drop=True).to_parquet(path, engine="pyarrow", compression="zstd", index=False)


def _manifest_path() -> Path:
    return paths.data_dir() / MANIFEST


def _read_manifest() -> dict[str, str]:
    path = _manifest_path()
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def build(names: list[str] | None = None) -> dict[str, str]:
    """Build datasets into ``paths.data_dir()`` and record their SHA-256 in the manifest."""
    manifest = _read_manifest()
    root = paths.data_dir()
    for name in names or dataset_names():
        tables = spec(name).build()
        outputs = {"data": _public_path(name), "ground_truth": _ground_truth_path(name)}
        unknown = set(tables) - set(outputs)
        if unknown:
            raise DatasetError(f"{name}: builder returned unknown tables {sorted(unknown)}")
        for table, df in tables.items():
            _write(df, outputs[table])
            manifest[outputs[table].relative_to(root).as_posix()] = sha256_of(outputs[table])
    root.mkdir(parents=True, exist_ok=True)
    _manifest_path().write_text(json.dumps(dict(sorted(manifest.items())), indent=2) + "\n")
    return manifest


def is_built(name: str) -> bool:
    """True when ``name``'s tables are built and match the manifest (``make data`` skips it)."""
    public = _public_path(name)
    if not public.is_file():
        return False
    manifest = _read_manifest()
    # A student install ships without the ground truth: absent is fine, altered is not.
    present = [path for path in (public, _ground_truth_path(name)) if path.is_file()]
    return all(manifest.get(path.relative_to(paths.data_dir()).as_posix()) == sha256_of(path)
               for path in present)


def _verified_read(path: Path, what: str) -> pd.DataFrame:
    rel = path.relative_to(paths.data_dir()).as_posix()
    expected = _read_manifest().get(rel)
    if not path.is_file() or expected is None:
        raise DatasetError(
            f"{what} is not built at {path}. Run `make data` (or `fairlab data build`)."
        )
    actual = sha256_of(path)
    if actual != expected:
        raise DatasetError(
            f"{what} at {path} is corrupted or was modified (SHA-256 {actual[:12]}…, manifest "
            f"says {expected[:12]}…). Run `make data` to rebuild it."
        )
    return pd.read_parquet(path)


def _split_mask(ds: DatasetSpec, df: pd.DataFrame, split: str) -> np.ndarray:
    for col in ds.split_columns:
        if split in df[col].cat.categories:
            return (df[col] == split).to_numpy()
    raise DatasetError(f"{ds.name}: split {split!r} is declared but no split column holds it; "
                       "run `make data` to rebuild.")


def load(
    name: str,
    *,
    split: str | None = None,
    as_frame: bool = True,
    return_X_y: bool = False,
    ground_truth: bool = False,
):
    """Load a built dataset as a ``Bunch`` (or ``(X, y)``), verified against the manifest."""
    ds = spec(name)
    if split is not None and split not in ds.splits:
        raise DatasetError(
            f"{name} has no split {split!r}; choose one of {list(ds.splits)} or None."
        )
    if ground_truth and not ds.has_ground_truth:
        raise DatasetError(f"{name!r} is real data: its ground truth is unknown, so there is no "
                           "instructor table. Use ground_truth=False.")
    df = _verified_read(_public_path(name), f"Dataset {name!r}")
    if ground_truth:
        if not _ground_truth_path(name).is_file():
            raise DatasetError(
                f"The instructor-only ground truth of {name!r} is not installed here (student "
                "installs ship without it). Instructors: run `make data` in a course checkout."
            )
        truth = _verified_read(_ground_truth_path(name), f"Ground truth of {name!r}")
    if split is not None:
        keep = _split_mask(ds, df, split)
        df = df[keep]
        if ground_truth:
            truth = truth[keep]
    df = df.reset_index(drop=True)
    y = df[ds.target]
    X = df.drop(columns=[ds.target, *ds.split_columns])
    if return_X_y:
        return (X, y) if as_frame else (X.to_numpy(), y.to_numpy())
    bunch = Bunch(
        data=X if as_frame else X.to_numpy(),
        target=y if as_frame else y.to_numpy(),
        sensitive=df[list(ds.sensitive)],
        frame=df if as_frame else None,
        feature_names=list(X.columns),
        target_name=ds.target,
        favorable_label=ds.favorable_label,
        protected_attributes=list(ds.sensitive),
        privileged_groups=dict(ds.privileged),
        quasi_identifiers=list(ds.quasi_identifiers),
        anonymisation=dict(df.attrs.get("anonymisation", {})),
        DESCR=datasheet(name),
    )
    if ground_truth:
        bunch["ground_truth"] = truth.reset_index(drop=True)
    return bunch


def datasheet_path(name: str) -> Path:
    """Where ``name``'s datasheet lives."""
    return paths.datasets_dir() / name / "DATASHEET.md"


def datasheet(name: str) -> str:
    """The datasheet text of ``name`` (empty if the datasets/ folder is not shipped)."""
    path = datasheet_path(spec(name).name)
    return path.read_text() if path.is_file() else ""
