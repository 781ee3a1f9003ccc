"""A real JupyterHub on 127.0.0.1 with ``docker/jupyterhub_config.py`` and the local spawner.

Used by the browser end-to-end test (tests/docker/test_hub_e2e.py) and by the capacity
benchmark (docker/bench_hub.py). configurable-http-proxy comes from the npm registry, pinned,
installed once into ``docker/.cache/chp``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["CHP_VERSION", "LocalHub", "free_port", "proxy_command"]

HERE = Path(__file__).resolve().parent
CHP_VERSION = "5.3.0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proxy_command(cache: Path | None = None) -> Path:
    """configurable-http-proxy, installed with npm into ``cache`` on first use."""
    prefix = cache or HERE / ".cache" / "chp"
    binary = prefix / "node_modules" / ".bin" / "configurable-http-proxy"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install configurable-http-proxy")
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                        str(prefix), f"configurable-http-proxy@{CHP_VERSION}"], check=True)
    return binary


class LocalHub:
    """Start the hub in ``hub_dir``; ``api()`` calls its REST API with an admin token."""

    def __init__(self, hub_dir: Path, *, exchange: Path, course: Path, password: str,
                 admin_password: str, instructor: str = "instructor",
                 timeout: float = 90) -> None:
        self.dir = hub_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instructor = instructor
        self.timeout = timeout
        self.env = dict(
            os.environ,
            PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
            FAIRLAB_HUB_DIR=str(hub_dir), FAIRLAB_HUB_URL=f"{self.url}/",
            FAIRLAB_HUB_SPAWNER="local", FAIRLAB_HUB_AUTHENTICATOR="shared-password",
            FAIRLAB_HUB_PASSWORD=password, FAIRLAB_HUB_ADMIN_PASSWORD=admin_password,
            FAIRLAB_HUB_INSTRUCTORS=instructor, FAIRLAB_HUB_API_PORT=str(free_port()),
            FAIRLAB_HUB_GRADER_PORT=str(free_port()), FAIRLAB_EXCHANGE=str(exchange),
            FAIRLAB_COURSE=str(course))
        self.process: subprocess.Popen | None = None
        self.token = ""

    def _jupyterhub(self, *args: str) -> list[str]:
        return [str(Path(sys.executable).parent / "jupyterhub"), *args,
                "-f", str(HERE / "jupyterhub_config.py"),
                f"--ConfigurableHTTPProxy.command={proxy_command()}",
                f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}"]

    def __enter__(self) -> LocalHub:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log = open(self.dir / "jupyterhub.log", "wb")
        self.process = subprocess.Popen(self._jupyterhub(), cwd=self.dir, env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api/", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"the hub did not start:\n{self.log_text()}") from None
                time.sleep(0.5)
        self.token = subprocess.run(
            self._jupyterhub("token", self.instructor), cwd=self.dir, env=self.env,
            capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # the hub stops the servers it spawned, then the proxy
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()
        self.log.close()

    def log_text(self) -> str:
        return (self.dir / "jupyterhub.log").read_text(errors="replace")[-6000:]

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> dict:
        """A JSON request to ``path`` on the hub's public URL (the hub or a server behind it)."""
        request = urllib.request.Request(
            f"{self.url}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def api(self, method: str, path: str, body: dict | None = None) -> dict:
        """The hub's REST API, as the instructor (an admin)."""
        return self.call(method, f"/hub/api{path}", self.token, body)

    def start_server(self, user: str) -> float:
        """Create ``user`` if needed, spawn their server, return the seconds until it is ready."""
        try:
            self.api("POST", f"/users/{user}")
        except urllib.error.HTTPError as exc:
            if exc.code != 409:  # 409: the user exists
                raise
        started = time.monotonic()
        self.api("POST", f"/users/{user}/server")
        while not self.api("GET", f"/users/{user}").get("servers", {}).get("", {}).get("ready"):
            if time.monotonic() - started > self.timeout * 2:
                raise RuntimeError(f"{user}'s server did not start:\n{self.log_text()}")
            time.sleep(0.25)
        return time.monotonic() - started
