"""Start grading kernels in a bubblewrap sandbox: no network, read-only system, one scratch dir.

Only the Python installation, the virtual environment, the ``fairlab`` package and the paths
named in the grading config are visible (read-only). The course directory, ``source/``, the
gradebook, every other submission and the hidden tests are simply absent.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import fairlab

from ._executor import run

__all__ = ["SandboxError", "bwrap_path", "execute"]

_SCRATCH = "/scratch"


class SandboxError(RuntimeError):
    """The sandbox or the executor inside it failed (not the student's code)."""


def bwrap_path() -> str | None:
    """The ``bwrap`` executable, or None when bubblewrap is not installed."""
    return shutil.which("bwrap")


def _visible_paths(extra: list[str]) -> list[str]:
    package_root = str(Path(fairlab.__file__).resolve().parent.parent)
    wanted = [sys.base_prefix, sys.prefix, package_root, *extra]
    return sorted({str(Path(p).resolve()) for p in wanted if p and Path(p).exists()})


def _environment(scratch: str, config: dict) -> dict[str, str]:
    env = {
        "HOME": scratch, "TMPDIR": "/tmp", "LANG": "C.UTF-8",
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "IPYTHONDIR": f"{scratch}/.ipython", "MPLCONFIGDIR": "/tmp/matplotlib",
        "JUPYTER_PLATFORM_DIRS": "1", "JUPYTER_RUNTIME_DIR": "/tmp/runtime",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        # A lab's own "check my answers" cell (fairlab.check()) does nothing while graded.
        "FAIRLAB_GRADING": "1",
    }
    env.update(config.get("env", {}))
    return env


def _bwrap_command(scratch: Path, config: dict) -> list[str]:
    cmd = [bwrap_path() or "bwrap", "--unshare-user", "--uid", "65534", "--gid", "65534",
           "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
           "--clearenv"]
    for name in ("usr", "bin", "sbin", "lib", "lib32", "lib64"):
        host = Path("/") / name
        if host.is_symlink():
            cmd += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            cmd += ["--ro-bind", str(host), f"/{name}"]
    # /tmp first: a checkout or venv that lives under /tmp is bound on top of it, not hidden.
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--bind", str(scratch / "home"), _SCRATCH, "--bind", str(scratch / "tmp"), "/tmp"]
    for path in _visible_paths(config.get("read_only", [])):
        cmd += ["--ro-bind", path, path]
    for path in config.get("hidden", []):
        cmd += ["--ro-bind", str(scratch / "empty"), path]
    run = str(scratch / "run")
    cmd += ["--bind", run, run, "--remount-ro", "/", "--chdir", _SCRATCH]
    for key, value in _environment(_SCRATCH, config).items():
        cmd += ["--setenv", key, value]
    return [*cmd, "--"]


def execute(plan: dict, config: dict) -> dict:
    """Run ``plan`` with its kernel in a fresh sandbox (none when ``config['sandbox']`` is false)."""
    root = Path(tempfile.mkdtemp(prefix="fairlab-job-"))
    try:
        for name in ("home", "tmp", "run"):
            (root / name).mkdir()
            (root / name).chmod(0o777)
        (root / "empty").mkdir(mode=0o555)
        if config.get("sandbox", True):
            return run(plan, str(root / "run"), _bwrap_command(root, config))
        env = dict(os.environ, **_environment(str(root / "home"), config))
        env["TMPDIR"] = env["MPLCONFIGDIR"] = str(root / "tmp")
        env["JPY_PARENT_PID"] = str(os.getpid())  # the kernel exits if the grader dies
        return run(plan, str(root / "run"), [], env=env, cwd=str(root / "home"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
