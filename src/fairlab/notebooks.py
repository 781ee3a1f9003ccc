"""One notebook runner, built on papermill, used by the tests, the CLI and the benchmark."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import papermill
import psutil

__all__ = ["ExecutionResult", "execute", "strip_outputs"]

_MIB = 1024 * 1024


@dataclass
class ExecutionResult:
    """What running a notebook produced and cost."""

    notebook: nbformat.NotebookNode
    seconds: float
    peak_parent_mib: float
    peak_kernel_mib: float
    error: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when every cell ran without raising."""
        return self.error is None


class _PeakMemory:
    """Samples the resident memory of this process and of its child processes (the kernel)."""

    def __init__(self, interval: float = 0.05) -> None:
        self._proc = psutil.Process(os.getpid())
        self._interval = interval
        self._stop = threading.Event()
        self.parent = 0
        self.kernel = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self._interval)

    def _sample(self) -> None:
        try:
            self.parent = max(self.parent, self._proc.memory_info().rss)
            kids = 0
            for child in self._proc.children(recursive=True):
                try:
                    kids += child.memory_info().rss
                except psutil.Error:
                    continue
            self.kernel = max(self.kernel, kids)
        except psutil.Error:
            pass

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def execute(
    path: str | os.PathLike,
    parameters: dict[str, Any] | None = None,
    *,
    timeout: float = 600,
    output_path: str | os.PathLike | None = None,
    cwd: str | os.PathLike | None = None,
    raise_on_error: bool = True,
) -> ExecutionResult:
    """Run a notebook top to bottom with papermill; report time and peak memory.

    ``timeout`` bounds each cell (seconds). ``cwd`` defaults to the notebook's directory, so
    relative paths in a lab behave as they do in JupyterLab. With ``raise_on_error=False`` a
    failing cell is returned in ``ExecutionResult.error`` instead of raised.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No notebook at {path}")
    start = time.perf_counter()
    error: BaseException | None = None
    with _PeakMemory() as peak:
        try:
            nb = papermill.execute_notebook(
                str(path),
                str(output_path) if output_path else None,
                parameters=parameters or {},
                cwd=str(cwd or path.parent),
                execution_timeout=timeout,
                progress_bar=False,
                kernel_name="python3",
                log_output=False,
            )
        except papermill.PapermillExecutionError as exc:
            if raise_on_error:
                raise
            error = exc
            nb = nbformat.read(str(output_path), as_version=4) if output_path else None
    seconds = time.perf_counter() - start
    return ExecutionResult(
        notebook=nb,
        seconds=seconds,
        peak_parent_mib=peak.parent / _MIB,
        peak_kernel_mib=peak.kernel / _MIB,
        error=error,
    )


def strip_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs and execution counts in place (what is committed) and return ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("papermill", None)
    return nb
