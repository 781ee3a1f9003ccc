"""ruff is clean on the package, the tests, the dataset code and the solution notebooks."""

from __future__ import annotations

import subprocess
import sys

from fairlab import paths


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise",
         "src", "tests", "solutions", "datasets"],
        cwd=paths.repo_root(), capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
