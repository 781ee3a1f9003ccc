"""The course image, built for real with podman from docker/Dockerfile, checked from inside."""

from __future__ import annotations

import hashlib
import json
import re
import time
import tomllib

import pytest
from packaging.requirements import Requirement

from fairlab import paths

ROOT = paths.repo_root()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
pytestmark = pytest.mark.slow

#: Distribution name → the module it installs, where they differ.
MODULES = {"dask": "dask.distributed", "imbalanced-learn": "imblearn",
           "scikit-learn": "sklearn", "pyyaml": "yaml", "ipykernel": "ipykernel_launcher",
           "playwright": "playwright.sync_api", "ipython": "IPython"}


def _inspect(podman, image: str) -> dict:
    return json.loads(podman("image", "inspect", image).stdout)[0]


def test_dockerfile_default_version_is_the_package_version():
    text = (ROOT / "docker" / "Dockerfile").read_text()
    assert re.search(r"^ARG COURSE_VERSION=(\S+)$", text, re.M)[1] == PYPROJECT["project"]["version"]


def test_image_metadata(podman, student_image):
    image = _inspect(podman, student_image)
    config = image["Config"]
    assert config["User"] == "1000:100"
    assert config["Labels"]["org.opencontainers.image.version"] == PYPROJECT["project"]["version"]
    assert image["Healthcheck"]["Test"][-1] == "/opt/fairlab/bin/healthcheck.py"
    ids = podman.run(student_image, "sh", "-c", "id -u; id -g; echo $HOME").split()
    assert ids == ["1000", "100", "/home/jovyan"]
    # As jovyan, nbgrader submits under the hub's user name, not the shared OS user.
    who = podman.run(student_image, "python", "-c",
                     "from nbgrader.utils import get_username; print(get_username())",
                     options=("-e", "JUPYTERHUB_USER=learner7"))
    assert who.split() == ["learner7"]


def test_every_declared_package_imports_at_its_pin(podman, student_image):
    pins = {Requirement(d).name.lower(): str(Requirement(d).specifier)[2:]
            for d in PYPROJECT["project"]["dependencies"]}
    script = (
        "import importlib, importlib.metadata as md, json, sys\n"
        f"pins = {pins!r}\nmodules = {MODULES!r}\nout = {{}}\n"
        "for name, pin in pins.items():\n"
        "    importlib.import_module(modules.get(name, name.replace('-', '_')))\n"
        "    out[name] = md.version(name)\n"
        "out['fairlab'] = md.version('fairlab')\n"
        "print(json.dumps(out))\n")
    versions = json.loads(podman.run(student_image, "python", "-c", script).splitlines()[-1])
    assert {k: v for k, v in versions.items() if k != "fairlab"} == pins
    assert versions["fairlab"] == PYPROJECT["project"]["version"]


def test_lab_00_executes_with_papermill(podman, student_image):
    """The reference answers, run in the learner's environment, execute top to bottom."""
    source = ROOT / "solutions" / "00_orientation" / "00_orientation.ipynb"
    out = podman("run", "--rm", "--network=none", "--no-healthcheck",
                 "-v", f"{source}:/tmp/in/00_orientation.ipynb:ro", student_image,
                 "sh", "-c", "cd /tmp && papermill --no-progress-bar /tmp/in/00_orientation.ipynb "
                 "out.ipynb >/dev/null && cat out.ipynb", timeout=900).stdout
    nb = json.loads(out)
    codes = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert codes and all(c["execution_count"] for c in codes)
    assert not [o for c in codes for o in c["outputs"] if o["output_type"] == "error"]
    assert any("image/png" in o.get("data", {}) for c in codes for o in c["outputs"])


def test_each_dataset_loads_and_the_ground_truth_is_absent(podman, student_image):
    from fairlab import datasets

    script = (
        "from fairlab import datasets\n"
        "for name in datasets.dataset_names():\n"
        "    b = datasets.load(name)\n"
        "    assert len(b.frame) > 0 and b.DESCR, name\n"
        "    print(name, len(b.frame))\n"
        "    if datasets.spec(name).has_ground_truth:\n"
        "        try:\n"
        "            datasets.load(name, ground_truth=True)\n"
        "        except datasets.DatasetError as exc:\n"
        "            assert 'not installed here' in str(exc), exc\n"
        "        else:\n"
        "            raise AssertionError(f'{name}: ground truth present')\n")
    lines = podman.run(student_image, "python", "-c", script).splitlines()
    assert [line.split()[0] for line in lines] == datasets.dataset_names()


def _instructor_only() -> dict[str, str]:
    """SHA-256 → path of every file that must never be in the student image."""
    files = [p for p in (ROOT / "solutions").rglob("*") if p.is_file()]
    files += [p for p in (paths.data_dir() / "instructor").rglob("*") if p.is_file()]
    return {hashlib.sha256(p.read_bytes()).hexdigest(): str(p.relative_to(ROOT)) for p in files}


def test_no_solution_hidden_test_or_ground_truth_in_the_student_image(podman, student_image):
    secret = _instructor_only()
    assert any(v.startswith("solutions/") for v in secret.values())
    # Every file of the image (nbgrader's own documentation and test fixtures aside) is hashed
    # and searched for nbgrader's solution and hidden-test markers.
    script = (
        "import hashlib, json, os, sys\n"
        "skip = ('/proc', '/sys', '/dev', '/opt/fairlab/venv/lib/python3.11/site-packages/nbgrader/')\n"
        "markers = (b'BEGIN SOLUTION', b'BEGIN HIDDEN TESTS')\n"
        "hashes, marked, names = {}, [], []\n"
        "for top, dirs, files in os.walk('/'):\n"
        "    dirs[:] = [d for d in dirs if not os.path.join(top, d).startswith(skip)]\n"
        "    for f in files:\n"
        "        p = os.path.join(top, f)\n"
        "        if f in ('wrong_answers.yml', 'gradebook.db', 'ground_truth.parquet'):\n"
        "            names.append(p)\n"
        "        if not os.path.isfile(p) or os.path.islink(p) or os.path.getsize(p) > 50_000_000:\n"
        "            continue\n"
        "        data = open(p, 'rb').read()\n"
        "        hashes[hashlib.sha256(data).hexdigest()] = p\n"
        "        if p.endswith('.ipynb') and any(m in data for m in markers):\n"
        "            marked.append(p)\n"
        "print(json.dumps({'hashes': hashes, 'marked': marked, 'names': names}))\n")
    found = json.loads(podman.run(student_image, "python", "-c", script, options=("--user=0",))
                       .splitlines()[-1])
    assert len(found["hashes"]) > 10_000
    leaked = {secret[h]: p for h, p in found["hashes"].items() if h in secret}
    assert not leaked, f"instructor-only files in the student image: {leaked}"
    assert not found["marked"], f"notebooks with solutions or hidden tests: {found['marked']}"
    assert not found["names"], f"instructor-only files: {found['names']}"
    manifest = json.loads(podman.run(student_image, "cat", "/opt/fairlab/data/MANIFEST.json"))
    assert manifest and not [k for k in manifest if k.startswith("instructor/")]
    labs = podman.run(student_image, "ls", "/opt/fairlab/labs").split()
    assert labs == sorted(p.name for p in paths.labs_dir().iterdir() if p.is_dir())


def test_server_starts_seeds_the_home_and_is_healthy(podman, student_image):
    name = f"fairlab-health-{time.monotonic_ns()}"
    podman("run", "-d", "--name", name, "--network=none", "--no-healthcheck", student_image)
    try:
        deadline = time.monotonic() + 240
        while podman("exec", name, "python", "/opt/fairlab/bin/healthcheck.py",
                     check=False).returncode != 0:
            assert time.monotonic() < deadline, podman("logs", name).stderr.decode()[-3000:]
            time.sleep(2)
        home = podman("exec", name, "ls", "/home/jovyan/labs").stdout.decode().split()
        assert "00_orientation" in home
        shared = podman("exec", name, "ls", "/home/jovyan/slides/", "/home/jovyan/rubrics/")
        assert "index.html" in shared.stdout.decode().split()
    finally:
        podman("rm", "-f", name, check=False)


def test_student_image_ships_decks_handouts_rubrics_and_rise(podman, student_image):
    from fairlab.slides.deck import load_decks

    decks = sorted(d.name for d in load_decks())
    files = podman.run(student_image, "ls", "/opt/fairlab/slides").split()
    assert sorted(f for f in files if f.endswith(".html") and f != "index.html") == \
        [f"{d}.html" for d in decks]
    assert sorted(f for f in files if f.endswith(".pdf")) == [f"{d}.pdf" for d in decks]
    rubrics = podman.run(student_image, "ls", "/opt/fairlab/rubrics").split()
    assert rubrics == sorted(p.name for p in (ROOT / "rubrics").iterdir())
    listing = podman.run(student_image, "sh", "-c", "jupyter labextension list 2>&1")
    assert re.search(r"jupyterlab-rise v0\.43\.1 \S*enabled", listing), listing
    # Learner mode: nbgrader's instructor tools and Validate are off in the page config.
    config = json.loads(podman.run(
        student_image, "cat", "/opt/fairlab/venv/etc/jupyter/labconfig/page_config.json"))
    off = {k for k, v in config["disabledExtensions"].items() if v}
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:validate-assignment"} <= off


def test_instructor_image_has_formgrader_solutions_and_ground_truth(podman, instructor_image):
    config = _inspect(podman, instructor_image)["Config"]
    assert config["User"] == "1000:100"
    assert config["Labels"]["io.fairlab.variant"] == "instructor"
    script = (
        "set -e\n"
        "jupyter server extension list 2>&1 | grep -q 'formgrader.*enabled'\n"
        "python -c \"from fairlab import datasets; "
        "print(len(datasets.load('hiring', ground_truth=True).ground_truth))\"\n"
        "mkdir -p /tmp/h && HOME=/tmp/h FAIRLAB_COURSE=/tmp/h/course "
        "timeout 60 /opt/fairlab/bin/start.sh --version >/dev/null 2>&1 || true\n"
        "ls /tmp/h/course/source\n"
        "grep -c '^c.Exchange.root' /tmp/h/course/nbgrader_config.py\n")
    out = podman.run(instructor_image, "sh", "-c", script).split()
    assert int(out[0]) > 0
    assert out[1:-1] == sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    assert out[-1] == "1"
