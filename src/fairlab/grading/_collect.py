"""Collect submissions from an nbgrader exchange, a folder or an LMS zip into ``submitted/``.

Every raw file is kept, content-addressed and read-only, under ``fairlab/raw/``; every file
taken gets a receipt (who, what, SHA-256, server-side receipt time) in ``receipts.jsonl``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from ._course import assignment_notebooks, state_dir

__all__ = ["collect", "safe_id"]

_UNSAFE = re.compile(r"[^\w.@+-]+")


def safe_id(raw: str) -> str:
    """A student id usable as one path component; a hash suffix keeps altered ids distinct."""
    text = unicodedata.normalize("NFC", raw).strip()
    clean = _UNSAFE.sub("_", text).strip("._") or "student"
    if clean != raw:
        clean += "-" + hashlib.sha256(raw.encode()).hexdigest()[:6]
    return clean


def _exchange_entries(root: Path, assignment: str) -> Iterator[tuple[str, str, bytes]]:
    latest: dict[str, Path] = {}
    for folder in sorted(root.glob(f"*+{assignment}+*")):
        student = folder.name.split("+", 1)[0]
        if folder.is_dir() and folder.name > latest.get(student, Path()).name:
            latest[student] = folder
    for student, folder in latest.items():
        for file in sorted(p for p in folder.rglob("*") if p.is_file()):
            yield student, file.name, file.read_bytes()


def _split(parts: tuple[str, ...], notebooks: list[str]) -> tuple[str, str] | None:
    if len(parts) >= 2:
        lead = 0
        while lead < len(parts) - 2 and parts[lead] in ("..", "."):
            lead += 1
        return "/".join(parts[: lead + 1]), parts[-1]
    for name in notebooks:
        suffix = f"_{name}.ipynb"
        if parts[0].endswith(suffix) and len(parts[0]) > len(suffix):
            return parts[0][: -len(suffix)], f"{name}.ipynb"
    return None


def _entries(source: Path, assignment: str, notebooks: list[str]
             ) -> Iterator[tuple[str, str, bytes]]:
    if source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                parts = tuple(p for p in PurePosixPath(info.filename).parts if p not in ("", "/"))
                split = None if info.is_dir() or not parts else _split(parts, notebooks)
                if split:
                    yield split[0], split[1], archive.read(info)
        return
    for inbound in (source / "inbound", *source.glob("*/inbound")):
        if inbound.is_dir():
            yield from _exchange_entries(inbound, assignment)
            return
    for file in sorted(p for p in source.rglob("*") if p.is_file()):
        split = _split(file.relative_to(source).parts, notebooks)
        if split:
            yield split[0], split[1], file.read_bytes()


def _notebook_for(filename: str, notebooks: list[str], files: int) -> str | None:
    stem = filename[:-6] if filename.lower().endswith(".ipynb") else None
    if stem in notebooks:
        return stem
    if stem is not None and len(notebooks) == 1 and files == 1:
        return notebooks[0]
    return None


def collect(course: Path, assignment: str, source: Path) -> list[dict]:
    """Normalise ``source`` into ``submitted/<student>/<assignment>/``; return the receipts."""
    notebooks = assignment_notebooks(course, assignment)
    raw_dir = state_dir(course) / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    received = datetime.now(UTC)
    by_student: dict[str, list[tuple[str, bytes]]] = {}
    for student, filename, data in _entries(Path(source), assignment, notebooks):
        by_student.setdefault(student, []).append((filename, data))
    receipts = []
    for student, files in sorted(by_student.items()):
        sid = safe_id(student)
        folder = course / "submitted" / sid / assignment
        folder.mkdir(parents=True, exist_ok=True)
        ipynbs = sum(name.lower().endswith(".ipynb") for name, _ in files)
        changed = False
        for filename, data in files:
            sha = hashlib.sha256(data).hexdigest()
            keep = raw_dir / sha
            if not keep.exists():
                keep.write_bytes(data)
                keep.chmod(0o444)
            notebook = _notebook_for(filename, notebooks, ipynbs)
            receipt = {"student": sid, "submitted_as": student, "assignment": assignment,
                       "file": filename, "notebook": notebook, "sha256": sha,
                       "received_at": received.isoformat(), "source": str(source)}
            receipts.append(receipt)
            if notebook is None:
                continue
            target = folder / f"{notebook}.ipynb"
            if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == sha:
                continue
            target.write_bytes(data)
            changed = True
        if changed or not (folder / "timestamp.txt").exists():
            stamp = received.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
            (folder / "timestamp.txt").write_text(stamp + "\n")
    with open(state_dir(course) / "receipts.jsonl", "a", encoding="utf-8") as log:
        for receipt in receipts:
            log.write(json.dumps(receipt, ensure_ascii=False) + "\n")
    return receipts
