"""Which nbgrader extensions JupyterLab shows: learners see no instructor tools.

Learner mode hides formgrader, assignment creation and the course list, and Validate (which
knows only the visible checks: `fairlab check` grades with the hidden tests instead). The
assignment list is shown only when an nbgrader exchange is configured and exists. Instructor
mode (``INSTRUCTOR=1``) keeps every extension.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

__all__ = [
    "INSTRUCTOR_ONLY",
    "disabled_plugins",
    "exchange_root",
    "instructor_mode",
    "server_extensions",
    "write_config",
]

_PLUGIN = "@jupyter/nbgrader:"
_SERVER = "nbgrader.server_extensions."
#: nbgrader's pieces for instructors: (lab plugin, server extension or None).
INSTRUCTOR_ONLY = [("formgrader", "formgrader"), ("create-assignment", None),
                   ("course-list", "course_list"), ("validate-assignment", "validate_assignment")]
_EXCHANGE = [("assignment-list", "assignment_list"), ("menu", None)]
_NBGRADER_DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
_NEWS = "@jupyterlab/apputils-extension:announcements"


def instructor_mode() -> bool:
    """True when ``INSTRUCTOR=1`` is set: every nbgrader extension stays."""
    return os.environ.get("INSTRUCTOR", "") not in ("", "0")


def exchange_root(server_dir: Path) -> Path | None:
    """The nbgrader exchange the server in ``server_dir`` would use, if it exists, else None."""
    from jupyter_core.paths import jupyter_config_path

    root = _NBGRADER_DEFAULT_EXCHANGE
    for folder in [*reversed(jupyter_config_path()), str(server_dir)]:  # last wins
        if (Path(folder) / "nbgrader_config.py").is_file():
            loaded = PyFileConfigLoader("nbgrader_config.py", path=folder).load_config()
            root = loaded.get("Exchange", {}).get("root", root)
    return Path(root) if Path(root).is_dir() else None


def _hidden(instructor: bool, exchange: bool) -> list[tuple[str, str | None]]:
    if instructor:
        return []
    return INSTRUCTOR_ONLY + ([] if exchange else _EXCHANGE)


def disabled_plugins(*, instructor: bool, exchange: bool) -> list[str]:
    """The JupyterLab plugins to disable for this mode (learners also skip Jupyter's news pop-up)."""
    hidden = [_PLUGIN + plugin for plugin, _ in _hidden(instructor, exchange)]
    return sorted(hidden if instructor else [*hidden, _NEWS])


def server_extensions(*, instructor: bool, exchange: bool) -> dict[str, bool]:
    """nbgrader's server extensions, each enabled or not for this mode."""
    hidden = {server for _, server in _hidden(instructor, exchange) if server}
    every = {server for _, server in INSTRUCTOR_ONLY + _EXCHANGE if server}
    return {_SERVER + name: name not in hidden for name in sorted(every)}


def write_config(dest: Path, *, instructor: bool, exchange: bool) -> Path:
    """A Jupyter config dir for ``JUPYTER_CONFIG_PATH`` that applies this mode; returns it."""
    (dest / "labconfig").mkdir(parents=True, exist_ok=True)
    page = {"disabledExtensions": {p: True for p in
                                   disabled_plugins(instructor=instructor, exchange=exchange)}}
    (dest / "labconfig" / "page_config.json").write_text(json.dumps(page, indent=1) + "\n")
    server = {"ServerApp": {"jpserver_extensions": server_extensions(instructor=instructor,
                                                                     exchange=exchange)}}
    (dest / "jupyter_server_config.json").write_text(json.dumps(server, indent=1) + "\n")
    return dest
