"""The pins: pyproject.toml, requirements.lock and environment.yml agree, and hold here."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement

from fairlab import paths

ROOT = paths.repo_root()


def _direct() -> dict[str, str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    out = {}
    for dep in deps:
        req = Requirement(dep)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{dep} is not pinned exactly"
        out[req.name.lower()] = spec.version
    return out


def _lock() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {m[0].lower(): m[1] for m in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\", text, re.M)}


def test_every_direct_dependency_is_locked_at_its_pin():
    lock = _lock()
    for name, version in _direct().items():
        assert lock.get(name) == version, f"{name}: pyproject {version}, lock {lock.get(name)}"


def test_lock_has_hashes_for_every_package():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.strip())
    for block in blocks:
        if block.startswith("#"):
            continue
        assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"


def test_environment_yml_mirrors_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    conda_python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert conda_python == "python=3.11"
    pins = {}
    for line in pip:
        if line.startswith("-e"):
            continue
        req = Requirement(line)
        pins[req.name.lower()] = next(iter(req.specifier)).version
    assert pins == _direct()


@pytest.mark.parametrize("name", sorted(_lock()))
def test_installed_version_matches_lock(name):
    assert importlib.metadata.version(name) == _lock()[name]
