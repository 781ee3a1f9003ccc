"""The learner's workspace: their own copy of the labs, created once and never overwritten.

Every file placed in the workspace is recorded with the hash of the release it came from
(``.fairlab/placed.json``). On each sync a file is

- copied when it is absent (first run, or the learner deleted it to start again);
- updated in place when the release changed and the learner never touched their copy;
- left alone when the learner changed it; a newer release then lands beside it as
  ``<name>.updated-<date>.ipynb`` and a message says so.

Nothing in the workspace is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date
from pathlib import Path

from . import labs, paths

__all__ = ["STATE", "sync"]

#: The workspace's own records (hidden from JupyterLab's file browser).
STATE = ".fairlab"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(workspace: Path) -> dict[str, dict]:
    try:
        return json.loads((workspace / STATE / "placed.json").read_text())
    except (OSError, ValueError):
        return {}


def _save(workspace: Path, placed: dict[str, dict]) -> None:
    state = workspace / STATE
    state.mkdir(parents=True, exist_ok=True)
    tmp = state / "placed.json.tmp"
    tmp.write_text(json.dumps(placed, indent=1, sort_keys=True) + "\n")
    os.replace(tmp, state / "placed.json")


def _copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def _beside(target: Path) -> Path:
    """A free name beside ``target`` for a newer release: ``<stem>.updated-<date><suffix>``."""
    base = f"{target.stem}.updated-{date.today().isoformat()}"
    candidate, n = target.with_name(base + target.suffix), 2
    while candidate.exists():
        candidate, n = target.with_name(f"{base}-{n}{target.suffix}"), n + 1
    return candidate


def _sync_file(rel: str, src: Path, workspace: Path, placed: dict[str, dict]) -> str | None:
    """Bring one released file into the workspace; a message when something was done."""
    target, release = workspace / rel, _sha(src)
    record = placed.get(rel)
    if not target.exists():
        _copy(src, target)
        placed[rel] = {"release": release, "copy": release}
        return None if record is None else f"{rel}: missing, a fresh copy was put back"
    if record is None:
        # Files the workspace already had without a record (e.g. from an older fairlab): keep.
        placed[rel] = {"release": release, "copy": _sha(target)}
        return None
    if record["release"] == release or record.get("offered") == release:
        return None
    if _sha(target) == record["copy"]:
        _copy(src, target)
        placed[rel] = {"release": release, "copy": release}
        return f"{rel}: updated to the new version of the lab (you had not changed it)"
    new = _beside(target)
    _copy(src, new)
    record["offered"] = release
    return (f"{rel}: a new version of this lab came out; your copy is unchanged and the new "
            f"version is {new.relative_to(workspace)}")


def sync(workspace: Path | None = None, release_root: Path | None = None) -> list[str]:
    """Copy new labs into ``workspace`` without ever overwriting a learner's work; the messages."""
    workspace = workspace or paths.workspace_dir()
    release_root = release_root or paths.labs_dir()
    placed = _load(workspace)
    messages = []
    try:
        for lab in labs.lab_names(release_root):
            for src in labs.released_files(release_root / lab):
                rel = src.relative_to(release_root).as_posix()
                message = _sync_file(rel, src, workspace, placed)
                if message:
                    messages.append(message)
    finally:
        _save(workspace, placed)
    return messages
