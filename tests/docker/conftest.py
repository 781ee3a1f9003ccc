"""Podman, a Debian base image and the two course images, built once per session.

No registry is reachable from CI, so the base image is made from Debian packages
(debootstrap of bookworm with python3) and imported with ``podman import``; the course
Dockerfile is built on it with ``--build-arg BASE_IMAGE=…``. Heavy artefacts (the base
rootfs tarball, the wheelhouse, podman's storage with its layer cache) are kept under
``docker/.cache/`` so a second run only rebuilds what changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fairlab import paths

DOCKER = paths.repo_root() / "docker"
CACHE = DOCKER / ".cache"
sys.path.insert(0, str(DOCKER))

BASE_IMAGE = "localhost/fairlab-base:bookworm"
DEBIAN_PACKAGES = "podman runc debootstrap chromium nodejs npm"


def require(tool: str) -> str:
    """The path of ``tool``; skip with how to get it on a laptop, fail in CI (CI=true)."""
    found = shutil.which(tool) or next(
        (p for p in (f"/usr/sbin/{tool}", f"/sbin/{tool}") if os.access(p, os.X_OK)), None)
    if found:
        return found
    message = (f"{tool} is not installed: the container and hub tests need it. Enable them with "
               f"`sudo apt-get install {DEBIAN_PACKAGES}` (what .ci/run installs).")
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


class Podman:
    """podman with a private configuration and storage under ``docker/.cache/podman``."""

    def __init__(self, root: Path) -> None:
        self.binary = require("podman")
        root.mkdir(parents=True, exist_ok=True)
        # Without default_ulimits = [] every run fails with "error setting rlimit type 7" in
        # containers whose nofile limit is below podman's default; cgroupfs and the file events
        # logger work without systemd; overlay (or FAIRLAB_PODMAN_DRIVER=vfs) for storage.
        (root / "containers.conf").write_text(
            "[containers]\ndefault_ulimits = []\n"
            '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\n')
        driver = os.environ.get("FAIRLAB_PODMAN_DRIVER", "overlay")
        (root / "storage.conf").write_text(
            f'[storage]\ndriver = "{driver}"\nrunroot = "{root}/run"\n'
            f'graphroot = "{root}/storage-{driver}"\n')
        self.env = dict(os.environ, CONTAINERS_CONF=str(root / "containers.conf"),
                        CONTAINERS_STORAGE_CONF=str(root / "storage.conf"))

    def __call__(self, *args: str, check: bool = True, input: bytes | None = None,
                 timeout: float = 1800) -> subprocess.CompletedProcess:
        done = subprocess.run([self.binary, *args], env=self.env, capture_output=True,
                              input=input, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"podman {' '.join(args[:3])}… failed ({done.returncode}):\n"
                                 f"{done.stdout.decode(errors='replace')[-4000:]}\n"
                                 f"{done.stderr.decode(errors='replace')[-4000:]}")
        return done

    def run(self, image: str, *command: str, options: tuple[str, ...] = (),
            timeout: float = 900) -> str:
        """``podman run --rm`` without network; the command's stdout (it must succeed)."""
        return self("run", "--rm", "--network=none", "--no-healthcheck", *options, image,
                    *command, timeout=timeout).stdout.decode()


@pytest.fixture(scope="session")
def podman() -> Podman:
    require("runc")
    return Podman(CACHE / "podman")


@pytest.fixture(scope="session")
def base_image(podman: Podman) -> str:
    """Debian bookworm with python3, from debootstrap (cached as a tarball)."""
    if podman("image", "exists", BASE_IMAGE, check=False).returncode == 0:
        return BASE_IMAGE
    tarball = CACHE / "bookworm-python3.tar"
    if not tarball.exists():
        debootstrap = require("debootstrap")
        rootfs = CACHE / "rootfs"
        shutil.rmtree(rootfs, ignore_errors=True)
        subprocess.run([debootstrap, "--variant=minbase",
                        "--include=python3,python3-venv,ca-certificates", "bookworm",
                        str(rootfs), "http://deb.debian.org/debian"],
                       check=True, capture_output=True, timeout=1200)
        subprocess.run(["tar", "-C", str(rootfs), "-cf", f"{tarball}.part", "."], check=True)
        os.replace(f"{tarball}.part", tarball)
        shutil.rmtree(rootfs)
    podman("import", str(tarball), BASE_IMAGE)
    return BASE_IMAGE


@pytest.fixture(scope="session")
def build_context(course_data) -> Path:
    from context import build_context

    return build_context(CACHE / "context")


def _build(podman: Podman, base: str, context: Path, target: str) -> str:
    tag = f"localhost/fairlab-{target}:test"
    podman("build", "--format", "docker", "--network=none", "-f", str(DOCKER / "Dockerfile"),
           "--target", target, "--build-arg", f"BASE_IMAGE={base}", "-t", tag, str(context))
    return tag


@pytest.fixture(scope="session")
def student_image(podman, base_image, build_context) -> str:
    return _build(podman, base_image, build_context, "student")


@pytest.fixture(scope="session")
def instructor_image(podman, student_image, base_image, build_context) -> str:
    return _build(podman, base_image, build_context, "instructor")
