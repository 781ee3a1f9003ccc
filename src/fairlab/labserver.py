"""Start JupyterLab on the learner's workspace and print its URL once it answers."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from pathlib import Path

from . import labmode, paths, workspace

__all__ = ["command", "serve", "wait_until_up"]


def command(root: Path, port: int, token: str) -> list[str]:
    """The JupyterLab command line (no browser: ``serve`` opens it once the server answers)."""
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", "--no-browser"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    return cmd


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 180) -> bool:
    """Poll ``url`` until it answers 200; False when the server exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    return False


def serve(port: int, *, browser: bool, token: str | None = None) -> int:
    """Sync the workspace, start JupyterLab on it, print the URL last; wait for Ctrl-C."""
    root = paths.workspace_dir()
    for message in workspace.sync(root):
        print(f"workspace: {message}", flush=True)
    instructor = labmode.instructor_mode()
    exchange = labmode.exchange_root(root) is not None
    state = root / workspace.STATE
    config = labmode.write_config(state / ("jupyter-instructor" if instructor else "jupyter"),
                                  instructor=instructor, exchange=exchange)
    token = token or os.environ.get("FAIRLAB_TOKEN") or secrets.token_hex(16)
    env = paths.tool_env(JUPYTER_CONFIG_PATH=os.pathsep.join(
        [str(config), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])]))
    log = state / "jupyterlab.log"
    mode = "instructor mode (INSTRUCTOR=1)" if instructor else "learner mode"
    print(f"JupyterLab: starting on {root} in {mode} (log: {log}) …", flush=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(command(root, port, token), env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}/lab?token={token}"
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop JupyterLab with us
    try:
        if not wait_until_up(f"http://127.0.0.1:{port}/api/status?token={token}", proc):
            tail = log.read_text(errors="replace").splitlines()[-15:]
            print("JupyterLab did not start:\n  " + "\n  ".join(tail), file=sys.stderr)
            return 1
        print(f"\nFairlab is ready. Your work is in {root} and is never overwritten; "
              "Ctrl-C stops the server.\nOpen this URL (it holds your access token):\n\n"
              f"    {url}\n", flush=True)
        if browser:
            webbrowser.open(url)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
