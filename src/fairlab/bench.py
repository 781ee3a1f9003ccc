"""``make bench``: wall time and peak memory of every solution notebook, then grading."""

from __future__ import annotations

import tempfile
from pathlib import Path

from . import labs, notebooks
from .grading import _bench as grading_bench

__all__ = ["HEAVY", "LIGHT", "main", "notebook_table"]

#: The grading benchmark's labs: the lightest, and one of the heaviest to grade.
LIGHT, HEAVY = "00_orientation", "05_inprocessing"


def notebook_table(lab_names: list[str] | None = None) -> list[tuple[str, float, float, float, bool]]:
    """Execute every solution notebook; rows of (name, seconds, parent MiB, kernel MiB, ok)."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="fairlab-bench-") as tmp:
        for lab in lab_names or labs.lab_names():
            for nb in labs.notebooks(lab):
                result = notebooks.execute(nb, output_path=Path(tmp) / nb.name,
                                           raise_on_error=False)
                rows.append((f"{lab}/{nb.name}", result.seconds, result.peak_parent_mib,
                             result.peak_kernel_mib, result.ok))
    return rows


def main(labs: list[str] | None = None, submissions: int = 40) -> int:
    """Print the notebook table, then the grading benchmark; non-zero if a notebook failed."""
    rows = notebook_table(labs)
    width = max(len(r[0]) for r in rows)
    print(f"{'notebook':<{width}}  {'seconds':>8}  {'parent MiB':>10}  {'kernel MiB':>10}  status")
    for name, seconds, parent, kernel, ok in rows:
        print(f"{name:<{width}}  {seconds:8.1f}  {parent:10.0f}  {kernel:10.0f}  "
              f"{'ok' if ok else 'FAILED'}")
    print(f"{'total':<{width}}  {sum(r[1] for r in rows):8.1f}  "
          f"{max(r[2] for r in rows):10.0f}  {max(r[3] for r in rows):10.0f}  (time: sum; memory: max)")
    seconds = {name.split("/", 1)[0]: 0.0 for name, *_ in rows}
    for name, took, *_ in rows:
        seconds[name.split("/", 1)[0]] += took
    for lab, count in ((LIGHT, submissions), (HEAVY, max(2, submissions // 4))):
        if lab in seconds:
            print()
            grading_bench.run(submissions=count, lab=lab, solution_seconds=seconds[lab])
    return 0 if all(r[4] for r in rows) else 1
