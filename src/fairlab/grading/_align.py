"""Read a submission defensively and line its cells up with the release version.

Locked and test cells always come from the release (test cells with their hidden tests);
answer cells keep the learner's text under the release's metadata. Deleted, duplicated,
re-ordered or metadata-stripped grade cells are restored; edited locked cells are restored
and reported with a diff. Everything here is pure: bytes and dicts in, dicts out.
"""

from __future__ import annotations

import ast
import copy
import difflib
import json
import threading

import nbformat
from nbgrader import utils as nbutils

__all__ = ["Malformed", "align", "literal", "parse_python", "parse_submission", "role"]

_DEFAULT_IMPORTS = ["numpy", "pandas", "fairlab.grading"]


# CPython 3.11 keeps one AST-construction depth counter per interpreter: two grading threads
# building ASTs at once (a GC pass can switch threads mid-build) raise "SystemError: AST
# constructor recursion depth mismatch". Every AST this process builds goes through this lock.
_AST_LOCK = threading.Lock()


def parse_python(source: str) -> ast.Module:
    """``ast.parse``, safe to call from several grading threads at once."""
    with _AST_LOCK:
        return ast.parse(source)


def literal(text: str) -> object:
    """``ast.literal_eval``, safe to call from several grading threads at once."""
    with _AST_LOCK:
        return ast.literal_eval(text)


class Malformed(ValueError):
    """The submission is not a readable version-4 notebook; the message says why."""


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def parse_submission(raw: bytes) -> nbformat.NotebookNode:
    """Parse submission bytes into a notebook, or raise ``Malformed`` with the reason."""
    if not raw.strip():
        raise Malformed(f"the file is empty ({len(raw)} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
                        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Malformed(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise Malformed("JSON, but not a notebook (no list of cells)")
    if data.get("nbformat") != 4:
        raise Malformed(f"nbformat {data.get('nbformat')!r}, expected 4")
    for number, cell in enumerate(data["cells"], 1):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw") \
                or not isinstance(cell.get("source", ""), str | list):
            raise Malformed(f"cell {number} is not a valid notebook cell")
        cell["source"] = _source(cell)
        meta = cell.get("metadata")
        cell["metadata"] = meta if isinstance(meta, dict) else {}
        if not isinstance(cell["metadata"].get("nbgrader", {}), dict):
            del cell["metadata"]["nbgrader"]
    return nbformat.from_dict(data)


def role(cell: dict) -> str:
    """``answer``, ``test``, ``locked`` or ``free`` (no nbgrader metadata) for a cell."""
    info = cell.get("metadata", {}).get("nbgrader") or {}
    if not info.get("grade_id"):
        return "free"
    if info.get("solution"):
        return "answer"
    if info.get("grade") and cell.get("cell_type") == "code":
        return "test"
    return "locked" if info.get("locked") or info.get("task") or info.get("grade") else "free"


def _grade_id(cell: dict) -> str | None:
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def _checksum(cell: dict) -> str | None:
    try:
        return nbutils.compute_checksum(nbformat.from_dict(cell))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _diff(release: dict, submitted: dict) -> str:
    lines = difflib.unified_diff(_source(release).splitlines(), _source(submitted).splitlines(),
                                 "release", "submitted", lineterm="")
    text = "\n".join(lines)
    return text or "metadata changed: " + json.dumps(
        submitted.get("metadata", {}).get("nbgrader"), sort_keys=True)


def _imports(sources: list[str]) -> list[str]:
    names = list(_DEFAULT_IMPORTS)
    for src in sources:
        try:
            tree = parse_python(src)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.append(node.module)
    return sorted(set(names))


def _adopt_stripped(entries: list[dict], template: dict[str, tuple[int, dict]],
                    notes: list[str]) -> None:
    present = {e["gid"] for e in entries if e["gid"]}
    by_source = {_source(c).strip(): gid for gid, (_, c) in template.items()
                 if role(c) in ("locked", "test") and gid not in present and _source(c).strip()}
    for entry in entries:
        gid = by_source.get(_source(entry["cell"]).strip()) if entry["gid"] is None else None
        if gid and gid not in present:
            entry.update(gid=gid, stripped=True)
            present.add(gid)
            notes.append(f"cell {gid!r} had lost its nbgrader metadata")
    order = sorted(template, key=lambda g: template[g][0])
    for gid in order:
        if gid in present or role(template[gid][1]) != "answer":
            continue
        before = [g for g in order[:order.index(gid)] if g in present]
        after = [g for g in order[order.index(gid) + 1:] if g in present]
        start = max((i for i, e in enumerate(entries) if e["gid"] in before[-1:]), default=-1)
        end = min((i for i, e in enumerate(entries) if e["gid"] in after[:1]), default=len(entries))
        kind = template[gid][1]["cell_type"]
        candidates = [e for e in entries[start + 1:end]
                      if e["gid"] is None and e["cell"]["cell_type"] == kind]
        if len(candidates) == 1:
            candidates[0].update(gid=gid, stripped=True)
            present.add(gid)
            notes.append(f"cell {gid!r} had lost its nbgrader metadata")


def align(release: dict, tests: dict[str, str], submission: nbformat.NotebookNode,
          default_timeout: float) -> dict:
    """Line ``submission`` up with ``release``: the cells to run, notes, tamper diffs."""
    template = {}
    for index, cell in enumerate(release["cells"]):
        gid = _grade_id(cell)
        if gid and role(cell) != "free":
            template[gid] = (index, cell)
    restored, tampered, diffs = [], [], {}
    entries, seen = [], set()
    for cell in submission.cells:
        gid = _grade_id(cell)
        if gid not in template or role(cell) == "free":
            gid = None
        if gid in seen:
            restored.append(f"cell {gid!r} was duplicated")
            if role(template[gid][1]) != "answer":
                continue
            gid = None
        if gid:
            seen.add(gid)
        entries.append({"cell": cell, "gid": gid, "stripped": False})
    _adopt_stripped(entries, template, restored)

    groups, pending = [], []
    for entry in entries:
        pending.append(entry)
        if entry["gid"]:
            groups.append((template[entry["gid"]][0], pending))
            pending = []
    positions = [pos for pos, _ in groups]
    if positions != sorted(positions):
        restored.append("grade cells were re-ordered")
    present = {e["gid"] for e in entries if e["gid"]}
    for gid, (index, _cell) in template.items():
        if gid not in present:
            restored.append(f"cell {gid!r} was missing")
            groups.append((index, [{"cell": None, "gid": gid, "stripped": True}]))
    groups.sort(key=lambda g: g[0])
    if pending:
        groups.append((len(release["cells"]), pending))

    cells = []
    for _, group in groups:
        for entry in group:
            cells.append(_restore(entry, template, tests, tampered, diffs, restored))
    nb = copy.deepcopy(submission)
    nb.cells = [nbformat.from_dict(c) for c in cells]
    nb.metadata = nbformat.from_dict(copy.deepcopy(release.get("metadata", {})))
    locked_sources = [_source(c) for _, c in template.values() if role(c) in ("locked", "test")]
    return {"notebook": nb, "restored": restored, "tampered": tampered, "diffs": diffs,
            "guard_modules": _imports(locked_sources + list(tests.values())),
            "plan": _plan(nb, template, default_timeout)}


def _restore(entry: dict, template: dict, tests: dict[str, str], tampered: list[str],
             diffs: dict[str, str], restored: list[str]) -> dict:
    gid, cell = entry["gid"], entry["cell"]
    if gid is None:
        out = copy.deepcopy(dict(cell))
        out["metadata"].pop("nbgrader", None)
        return out
    release = template[gid][1]
    kind = role(release)
    if kind == "answer":
        out = copy.deepcopy(dict(release))
        if cell is None:
            out["source"] = _source(release) if release["cell_type"] == "markdown" else ""
        else:
            out["source"] = _source(cell)
            if cell["cell_type"] != release["cell_type"]:
                restored.append(f"cell {gid!r} had its type changed")
            mine = cell.get("metadata", {}).get("nbgrader") or {}
            theirs = release["metadata"]["nbgrader"]
            fields = ("grade", "solution", "locked", "points")
            if not entry["stripped"] and any(mine.get(f) != theirs.get(f) for f in fields
                                             if f in theirs or f in mine):
                tampered.append(f"the nbgrader metadata of answer cell {gid!r} was edited")
                diffs[gid] = _diff(release, cell)
    else:
        out = copy.deepcopy(dict(release))
        if cell is not None and not entry["stripped"] and _checksum(cell) != _checksum(release):
            tampered.append(f"locked cell {gid!r} was edited")
            diffs[gid] = _diff(release, cell)
        if kind == "test":
            out["source"] = tests.get(gid, _source(release))
    if out["cell_type"] == "code":
        out["outputs"], out["execution_count"] = [], None
    else:
        out.pop("outputs", None)
        out.pop("execution_count", None)
    return out


def _plan(nb: nbformat.NotebookNode, template: dict, default_timeout: float) -> list[dict]:
    plan = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = _grade_id(cell)
        kind = {"locked": "setup", "test": "test", "answer": "answer"}.get(role(cell), "plain")
        timeout = default_timeout
        if gid in template:
            timeout = float(template[gid][1]["metadata"].get("fairlab", {}).get(
                "timeout", default_timeout))
        plan.append({"index": index, "code": cell.source, "kind": kind, "timeout": timeout,
                     "grade_id": gid})
    return plan
