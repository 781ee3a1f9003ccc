"""Run the cell executor in a bubblewrap sandbox: no network, read-only system, one scratch dir.

Only the Python installation, the virtual environment, the ``fairlab`` package and the paths
named in the grading config are visible (read-only). The course directory, ``source/``, the
gradebook and every other submission are simply absent. The plan travels on stdin.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import fairlab

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
        "HOME": scratch, "TMPDIR": "/tmp", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
        "IPYTHONDIR": f"{scratch}/.ipython", "MPLCONFIGDIR": "/tmp/matplotlib",
        "JUPYTER_PLATFORM_DIRS": "1", "JUPYTER_RUNTIME_DIR": "/tmp/runtime",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
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
    for path in _visible_paths(config.get("read_only", [])):
        cmd += ["--ro-bind", path, path]
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--bind", str(scratch / "home"), _SCRATCH, "--bind", str(scratch / "tmp"), "/tmp",
            "--remount-ro", "/", "--chdir", _SCRATCH]
    for key, value in _environment(_SCRATCH, config).items():
        cmd += ["--setenv", key, value]
    return cmd


def execute(plan: dict, config: dict) -> dict:
    """Run ``plan`` in a fresh sandbox (or unsandboxed when ``config['sandbox']`` is false)."""
    root = Path(tempfile.mkdtemp(prefix="fairlab-job-"))
    try:
        (root / "home").mkdir()
        (root / "tmp" / "runtime").mkdir(parents=True)
        for path in (root / "home", root / "tmp", root / "tmp" / "runtime"):
            path.chmod(0o777)
        executor = [sys.executable, "-m", "fairlab.grading._executor"]
        if config.get("sandbox", True):
            cmd, env, cwd = _bwrap_command(root, config) + ["--", *executor], None, None
            plan = dict(plan, runtime="/tmp/runtime")
        else:
            cmd, cwd = executor, str(root / "home")
            env = dict(os.environ, **_environment(str(root / "home"), config))
            env["TMPDIR"] = env["MPLCONFIGDIR"] = str(root / "tmp")
            plan = dict(plan, runtime=str(root / "tmp" / "runtime"))
        limit = plan["limits"]["wall_seconds"] + 120
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd,
                                start_new_session=True)
        try:
            out, err = proc.communicate(json.dumps(plan).encode(), timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise SandboxError(f"the sandbox did not finish within {limit:.0f} s") from None
        if proc.returncode != 0:
            tail = err.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise SandboxError(f"the grading sandbox exited with {proc.returncode}: "
                               + " | ".join(tail))
        try:
            return json.loads(out)
        except json.JSONDecodeError:
            raise SandboxError("the grading sandbox returned no result") from None
    finally:
        shutil.rmtree(root, ignore_errors=True)
