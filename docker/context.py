"""Assemble the build context of the course image: ``python docker/context.py DEST``.

The context holds exactly what the image may contain, so nothing else can leak into it:

- ``wheels/``: every wheel of ``requirements.lock`` (hash-checked) and ``dist/``: the
  ``fairlab`` wheel, installed with ``pip --no-index``: the build needs no network;
- ``student/``: the generated labs, the public datasets and a manifest without the
  instructor-only ground truth, the datasheets, the rubrics and the built slide decks;
- ``instructor/``: the ground truth with the full manifest, ``solutions/`` and the grading
  configuration of ``autograder/`` (only the ``instructor`` target copies these);
- ``image/``: the start script and the Jupyter/nbgrader configuration from ``docker/image``.

Downloaded wheels are cached in ``docker/.cache/wheels`` (``--wheel-cache`` to move it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from fairlab import datasets, labs, paths
from fairlab.slides import build as slides

__all__ = ["build_context", "download_wheels"]

HERE = Path(__file__).resolve().parent


def download_wheels(cache: Path) -> Path:
    """Every wheel pinned in ``requirements.lock``, hash-checked, into ``cache`` (kept)."""
    cache.mkdir(parents=True, exist_ok=True)
    download = [sys.executable, "-m", "pip", "download", "--quiet", "--require-hashes",
                "--no-deps", "--only-binary=:all:", "-r",
                str(paths.repo_root() / "requirements.lock"), "-d", str(cache)]
    # A complete cache needs no index; anything missing is fetched from it.
    offline = subprocess.run([*download, "--no-index", "--find-links", str(cache)],
                             capture_output=True)
    if offline.returncode != 0:
        subprocess.run(download, check=True)
    return cache


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _public_data(dest: Path) -> None:
    """Public tables and a manifest that does not even name the ground truth."""
    root = paths.data_dir()
    missing = [n for n in datasets.dataset_names() if not datasets.is_built(n)]
    if missing:
        raise SystemExit(f"datasets not built: {', '.join(missing)} — run `make data` first")
    manifest = json.loads((root / "MANIFEST.json").read_text())
    public = {k: v for k, v in manifest.items() if not k.startswith("instructor/")}
    for rel in public:
        _link_or_copy(root / rel, dest / rel)
    (dest / "MANIFEST.json").write_text(json.dumps(public, indent=2) + "\n")


def _instructor_data(dest: Path) -> None:
    root = paths.data_dir()
    manifest = json.loads((root / "MANIFEST.json").read_text())
    for rel in manifest:
        if rel.startswith("instructor/"):
            _link_or_copy(root / rel, dest / rel)
    shutil.copy2(root / "MANIFEST.json", dest / "MANIFEST.json")


def build_context(dest: Path, wheel_cache: Path | None = None) -> Path:
    """Write the build context into ``dest`` (replaced if it exists); return ``dest``."""
    repo = paths.repo_root()
    if dest.exists():
        shutil.rmtree(dest)
    wheels = dest / "wheels"
    for wheel in download_wheels(wheel_cache or HERE / ".cache" / "wheels").glob("*.whl"):
        _link_or_copy(wheel, wheels / wheel.name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "-w", str(dest / "dist"), str(repo)],
                   check=True)
    shutil.copy2(repo / "requirements.lock", dest / "requirements.lock")

    student = dest / "student"
    _public_data(student / "data")
    for name in datasets.dataset_names():
        sheet = paths.datasets_dir() / name / "DATASHEET.md"
        _link_or_copy(sheet, student / "datasets" / name / "DATASHEET.md")
    ignore = shutil.ignore_patterns(*labs.NOT_RELEASED)
    shutil.copytree(paths.labs_dir(), student / "labs", ignore=ignore)
    shutil.copytree(repo / "rubrics", student / "rubrics")
    slides.build(student / "slides")

    instructor = dest / "instructor"
    _instructor_data(instructor / "data")
    shutil.copytree(paths.solutions_dir(), instructor / "solutions",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    for name in ("nbgrader_config.py", "grading.toml", "README.md"):
        _link_or_copy(paths.course_dir() / name, instructor / "course" / name)

    shutil.copytree(HERE / "image", dest / "image")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="directory to (re)create as the build context")
    parser.add_argument("--wheel-cache", type=Path, help="where downloaded wheels are kept")
    args = parser.parse_args(argv)
    print(build_context(args.dest.resolve(), args.wheel_cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
