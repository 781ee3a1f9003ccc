"""The two commands a newcomer types, and the CLI behind the Makefile."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from fairlab import cli, paths

ROOT = paths.repo_root()


def test_make_help_is_the_default_and_lists_targets():
    out = subprocess.run(["make", "--no-print-directory"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    for target in ("lab", "test", "bench", "labs", "data"):
        assert f"make {target}" in out


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make lab" in head and "make test" in head


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert script.rstrip().splitlines()[-1].strip() == "make test"


def test_data_build_is_idempotent(capsys, course_data):
    assert cli.main(["data", "build"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_unknown_command_is_rejected():
    with pytest.raises(SystemExit):
        cli.main(["frobnicate"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lines_until(proc: subprocess.Popen, last: str, timeout: float) -> list[str]:
    """Stdout lines of ``proc`` up to the one containing ``last`` (the reader never blocks us)."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    while not any(last in line for line in lines):
        assert time.monotonic() < deadline and proc.poll() is None, "".join(lines)
        time.sleep(0.2)
    return lines


@pytest.mark.slow
def test_lab_serves_the_workspace_and_prints_the_url_last_once_it_answers(tmp_path):
    port = _free_port()
    env = paths.tool_env(FAIRLAB_TOKEN="fairlab-test-token",
                         FAIRLAB_WORKSPACE=str(tmp_path / "workspace"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "fairlab.cli", "lab", "--port", str(port), "--browser", "0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    token = "?token=fairlab-test-token"
    try:
        lines = _lines_until(proc, f"/lab{token}", 120)
        # Printed only once the server answers: no retry needed.
        contents = f"http://127.0.0.1:{port}/api/contents/00_orientation/00_orientation.ipynb"
        assert urllib.request.urlopen(f"{contents}{token}&content=0", timeout=10).status == 200
        page = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/lab/tree/00_orientation/00_orientation.ipynb{token}",
            timeout=10)
        assert page.status == 200
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    printed = [line.strip() for line in lines if line.strip()]
    assert printed[-1] == f"http://127.0.0.1:{port}/lab{token}", "the URL with its token, last"
    assert not [line for line in printed if line.startswith("[")], "Jupyter's log goes to a file"
    assert (tmp_path / "workspace" / "00_orientation" / "00_orientation.ipynb").is_file()


def test_data_validate_prints_each_check(capsys, course_data):
    assert cli.main(["data", "validate", "german_credit"]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "checks passed" in out and "FAIL" not in out
