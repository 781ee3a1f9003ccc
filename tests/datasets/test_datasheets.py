"""Every datasheet says truthfully which labs use its dataset.

A datasheet's ``**Used in labs:**`` line must list exactly the labs whose solution notebook
calls one of the dataset's loaders (directly, or through a ``fairlab`` module the notebook
imports, as the capstone does), and no other sentence of the datasheet may cite a lab outside
that list.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import pytest

from fairlab import datasets, paths

PACKAGE = Path(datasets.__file__).parents[1]
_USED_IN = re.compile(r"^\*\*Used in labs:\*\*\s*(.+)$", re.MULTILINE)
_LAB_MENTION = re.compile(r"\blabs?\s+(\d\d(?:\s*(?:,|and|–|-|to)\s*\d\d)*)", re.IGNORECASE)
# Public callables that belong to a dataset although they live in a helper module.
_EXTRA_MODULES = {"recommendation": ["fairlab.datasets._recsim"]}


def _loader_names(name: str) -> set[str]:
    """Public names of the modules that build and load dataset ``name``."""
    names: set[str] = set()
    for module in [f"fairlab.datasets._{name}", *_EXTRA_MODULES.get(name, [])]:
        names |= set(importlib.import_module(module).__all__)
    return names


def _code_of(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _identifiers(code: str) -> set[str]:
    """Every identifier in ``code``, and every name used by the ``fairlab`` modules it imports."""
    found: set[str] = set()
    for line in code.splitlines():
        found |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line))
    for module in re.findall(r"from fairlab import ([\w, ]+)", code):
        for part in (m.strip() for m in module.split(",")):
            path = PACKAGE / f"{part}.py"
            if part not in ("datasets", "grading", "plotting") and path.is_file():
                tree = ast.parse(path.read_text())
                found |= {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
                found |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    return found


def _labs_using(name: str) -> set[str]:
    loaders = _loader_names(name)
    used = set()
    for notebook in sorted(paths.solutions_dir().glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb")):
        code = _code_of(notebook)
        direct = re.search(rf"""datasets\.load\(\s*["']{name}["']""", code)
        if direct or loaders & _identifiers(code):
            used.add(notebook.parent.name[:2])
    return used


def _expand(text: str) -> set[str]:
    numbers = [int(n) for n in re.findall(r"\d\d", text)]
    if re.search(r"\d\d\s*(?:–|-|to)\s*\d\d", text) and len(numbers) == 2:
        return {f"{n:02d}" for n in range(numbers[0], numbers[1] + 1)}
    return {f"{n:02d}" for n in numbers}


@pytest.mark.parametrize("name", datasets.dataset_names())
def test_used_in_matches_the_labs_loader_calls(name):
    sheet = datasets.datasheet(name)
    match = _USED_IN.search(sheet)
    assert match, f"{name}: the datasheet has no '**Used in labs:**' line"
    declared = set() if match.group(1).strip().lower().startswith("none") else _expand(
        match.group(1).split("(")[0])
    assert declared == _labs_using(name), (
        f"{name}: the datasheet says labs {sorted(declared)}, the notebooks load it in "
        f"{sorted(_labs_using(name))}")


@pytest.mark.parametrize("name", datasets.dataset_names())
def test_no_sentence_cites_a_lab_that_does_not_use_the_data(name):
    sheet = datasets.datasheet(name)
    used = _labs_using(name)
    for mention in _LAB_MENTION.finditer(sheet):
        cited = _expand(mention.group(1))
        assert cited <= used, f"{name}: '{mention.group(0)}' cites labs that do not load it"


def test_the_scanner_sees_direct_and_indirect_loaders():
    assert "01" in _labs_using("compas") and "03" not in _labs_using("compas")
    assert "11" in _labs_using("hiring")  # through fairlab.capstone
    assert _expand("02–05") == {"02", "03", "04", "05"}
    assert _expand("02, 04 and 10") == {"02", "04", "10"}
