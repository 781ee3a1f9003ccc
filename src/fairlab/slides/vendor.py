"""reveal.js from the pinned npm package (``slides/package-lock.json``), read for inlining into each deck."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import paths

__all__ = ["Engine", "engine", "install_reveal"]

_FONT_FACES = (("regular", "normal", "normal"), ("italic", "normal", "italic"),
               ("semibold", "600", "normal"), ("semibolditalic", "600", "italic"))


@dataclass(frozen=True)
class Engine:
    """The CSS and JavaScript every deck inlines: reveal.js, its white theme with local fonts, plugins."""

    css: str
    js: str


def _lock_digest(slides: Path) -> str:
    return hashlib.sha256((slides / "package-lock.json").read_bytes()).hexdigest()


def install_reveal(build_dir: Path) -> Path:
    """Run ``npm ci`` on the pinned lock into ``build_dir`` (once per lock) and return reveal.js's folder."""
    slides = paths.repo_root() / "slides"
    vendor = build_dir
    stamp = vendor / ".lock-sha256"
    digest = _lock_digest(slides)
    if not (stamp.is_file() and stamp.read_text() == digest):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed: `sudo apt-get install npm` (what .ci/run installs)")
        shutil.rmtree(vendor, ignore_errors=True)
        vendor.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(slides / name, vendor / name)
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=vendor, check=True)
        stamp.write_text(digest)
    return vendor / "node_modules" / "reveal.js"


def _fonts(reveal: Path) -> str:
    folder = reveal / "dist" / "theme" / "fonts" / "source-sans-pro"
    faces = []
    for name, weight, style in _FONT_FACES:
        data = base64.b64encode((folder / f"source-sans-pro-{name}.woff").read_bytes()).decode()
        faces.append(f"@font-face{{font-family:'Source Sans Pro';font-weight:{weight};font-style:{style};"
                     f"src:url(data:font/woff;base64,{data}) format('woff');}}")
    return "\n".join(faces)


def engine(reveal: Path) -> Engine:
    """Read reveal.js, the white theme (its font import replaced by inlined WOFF files) and the plugins."""
    theme = (reveal / "dist" / "theme" / "white.css").read_text()
    theme = re.sub(r"@import url\([^)]*\);", "", theme)
    css = "\n".join([(reveal / "dist" / "reveal.css").read_text(), _fonts(reveal), theme])
    js = "\n".join((reveal / part).read_text() for part in
                   ("dist/reveal.js", "plugin/markdown/markdown.js", "plugin/notes/notes.js"))
    return Engine(css=css, js=js)
