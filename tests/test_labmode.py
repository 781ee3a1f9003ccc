"""Learners see no nbgrader instructor tools; INSTRUCTOR=1 keeps them all (real JupyterLab)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from fairlab import labmode, labserver, paths

TOKEN = "fairlab-labmode-token"
PLUGINS = {f"@jupyter/nbgrader:{p}" for p in (
    "formgrader", "create-assignment", "course-list", "validate-assignment", "assignment-list",
    "menu")}
NEWS = "@jupyterlab/apputils-extension:announcements"


def test_learner_without_exchange_sees_no_nbgrader():
    assert set(labmode.disabled_plugins(instructor=False, exchange=False)) == PLUGINS | {NEWS}
    assert not any(labmode.server_extensions(instructor=False, exchange=False).values())


def test_learner_with_exchange_gets_only_the_assignment_list():
    hidden = set(labmode.disabled_plugins(instructor=False, exchange=True))
    assert NEWS in hidden
    assert PLUGINS - hidden == {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu"}
    enabled = labmode.server_extensions(instructor=False, exchange=True)
    assert [k for k, on in enabled.items() if on] == ["nbgrader.server_extensions.assignment_list"]


def test_instructor_keeps_everything(monkeypatch):
    monkeypatch.setenv("INSTRUCTOR", "1")
    assert labmode.instructor_mode()
    assert labmode.disabled_plugins(instructor=True, exchange=False) == []
    assert all(labmode.server_extensions(instructor=True, exchange=False).values())


def test_image_config_is_learner_mode_with_an_exchange():
    """docker/image/page_config.json: what the student image's JupyterLab disables."""
    shipped = json.loads((paths.repo_root() / "docker" / "image" / "page_config.json").read_text())
    assert shipped == {"disabledExtensions": {
        p: True for p in labmode.disabled_plugins(instructor=False, exchange=True)}}


def test_exchange_is_found_in_the_servers_nbgrader_config(tmp_path):
    exchange = tmp_path / "exchange"
    (tmp_path / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.Exchange.root = {str(exchange)!r}\n")
    assert labmode.exchange_root(tmp_path) is None, "configured but absent: no list"
    exchange.mkdir()
    assert labmode.exchange_root(tmp_path) == exchange


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as err:
        return err.code


@pytest.fixture
def server(tmp_path):
    """Start ``fairlab lab`` (learner or instructor mode) on a fresh workspace; its base URL."""
    procs = []

    def start(instructor: bool) -> str:
        port = _free_port()
        env = paths.tool_env(FAIRLAB_TOKEN=TOKEN, FAIRLAB_WORKSPACE=str(tmp_path / "ws"),
                             INSTRUCTOR="1" if instructor else "0")
        proc = subprocess.Popen([sys.executable, "-m", "fairlab.cli", "lab", "--port", str(port),
                                 "--browser", "0"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        assert labserver.wait_until_up(f"{base}/api/status?token={TOKEN}", proc, 120)
        return base

    yield start
    for proc in procs:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def _disabled(base: str) -> set[str]:
    page = urllib.request.urlopen(f"{base}/lab?token={TOKEN}", timeout=10).read().decode()
    data = re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1)
    return set(json.loads(data)["disabledExtensions"])


@pytest.mark.slow
@pytest.mark.parametrize("instructor", [False, True], ids=["learner", "instructor"])
def test_jupyterlab_shows_the_mode(server, instructor):
    base = server(instructor)
    nbgrader = {p for p in _disabled(base) if p.startswith("@jupyter/nbgrader")}
    assert nbgrader == (set() if instructor else PLUGINS)
    for endpoint in ("formgrader", "formgraders", "assignments"):  # formgrader, course list
        status = _status(f"{base}/{endpoint}?token={TOKEN}")
        assert (status == 404) is not instructor, (endpoint, status)
