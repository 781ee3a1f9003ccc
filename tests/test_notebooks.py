"""The papermill runner: parameters, timeouts, errors, memory figures, output stripping."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from fairlab import notebooks


def _write(path, *sources, tagged_parameters=False):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    if tagged_parameters:
        nb.cells[0].metadata["tags"] = ["parameters"]
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_execute_injects_parameters_and_measures(tmp_path):
    path = _write(tmp_path / "p.ipynb", "n = 1", "x = bytearray(n * 1024 * 1024)\nprint(len(x))",
                  tagged_parameters=True)
    result = notebooks.execute(path, parameters={"n": 64}, output_path=tmp_path / "out.ipynb")
    assert result.ok and result.seconds > 0
    printed = [o["text"] for o in result.notebook.cells[-1].outputs if o.get("name") == "stdout"]
    assert printed == [f"{64 * 1024 * 1024}\n"]
    assert result.peak_kernel_mib > 64


@pytest.mark.slow
def test_execute_reports_errors_and_timeouts(tmp_path):
    bad = _write(tmp_path / "bad.ipynb", "raise ValueError('nope')")
    with pytest.raises(Exception, match="nope"):
        notebooks.execute(bad)
    result = notebooks.execute(bad, raise_on_error=False, output_path=tmp_path / "o.ipynb")
    assert not result.ok and "nope" in str(result.error)
    slow = _write(tmp_path / "slow.ipynb", "import time; time.sleep(30)")
    with pytest.raises(Exception, match="(?i)timed? ?out"):
        notebooks.execute(slow, timeout=2)


def test_missing_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="No notebook"):
        notebooks.execute(tmp_path / "absent.ipynb")


def test_strip_outputs(tmp_path):
    nb = new_notebook(cells=[new_code_cell("1")])
    nb.cells[0].outputs = [{"output_type": "stream", "name": "stdout", "text": "1"}]
    nb.cells[0].execution_count = 3
    notebooks.strip_outputs(nb)
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
