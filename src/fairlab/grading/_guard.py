"""Runs inside the grading kernel: snapshot the pristine runtime before any student code runs,
put it back before every test cell, and report every monkeypatch found.

The coordinator calls these through ``user_expressions``, which IPython evaluates outside the
cell's input transformers. An in-process guard cannot stop a determined attacker who studies
it; it stops the ordinary cheats (patching builtins, numpy/pandas/sklearn functions, ``assert``
helpers, the grading helpers, or IPython's execution hooks) and records them as tampering.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import types

__all__ = ["GUARDED", "install", "remember", "restore"]

#: Top-level packages whose functions and classes hidden tests rely on.
GUARDED = frozenset({
    "builtins", "math", "cmath", "operator", "functools", "itertools", "numbers", "decimal",
    "fractions", "statistics", "json", "re", "unittest", "numpy", "pandas", "scipy",
    "sklearn", "fairlearn", "fairlab", "IPython", "ipykernel",
})
# Names the kernel itself rebinds between cells.
_VOLATILE = frozenset({"_", "__", "___", "exit", "quit", "get_ipython", "display", "__IPYTHON__"})
_SHELL_LISTS = ("input_transformers_cleanup", "input_transformers_post", "ast_transformers")
_SYS_HOOKS = ("excepthook", "displayhook")
_MISSING = object()
_STATE: dict = {}


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _guarded(key: str, value: object) -> bool:
    """Whether a module or class attribute is something a learner could patch to win.

    Public names and private functions, classes and modules are; private *data* is not: libraries
    fill it in lazily on first use (pandas' ``_pkg_dir``, scikit-learn's
    ``_threadpool_controller``), and replacing it wins nothing a test could be fooled by.
    """
    if key in _VOLATILE or (key.startswith("__") and key.endswith("__") and key != "__import__"):
        return False
    return not key.startswith("_") or callable(value) or isinstance(value, types.ModuleType)


def _snapshot_modules() -> None:
    modules, classes = {}, {}
    for name, mod in list(sys.modules.items()):
        if _top(name) not in GUARDED or not isinstance(mod, types.ModuleType):
            continue
        items = {k: v for k, v in vars(mod).items() if _guarded(k, v)}
        modules[name] = (mod, items)
        for value in items.values():
            if isinstance(value, type) and getattr(value, "__module__", None) == name:
                classes[id(value)] = (value, {k: v for k, v in vars(value).items()
                                              if _special(k) or _guarded(k, v)})
    _STATE["modules"], _STATE["classes"] = modules, classes
    _STATE["module_files"] = {n: getattr(m, "__file__", None) for n, (m, _) in modules.items()}


def _special(key: str) -> bool:
    """Dunder methods of a class (``__eq__``, ``__float__``): how comparisons can be fooled."""
    return key.startswith("__") and key.endswith("__") and key not in ("__dict__", "__weakref__",
                                                                      "__doc__", "__module__")


def _report(changes: list[str]) -> str:
    return json.dumps({"nonce": _STATE["nonce"], "changes": sorted(set(changes))})


def install(modules: list[str], nonce: str) -> str:
    """Import ``modules`` and snapshot everything guarded; answer with the nonce."""
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing optional module is checked by the tests
            continue
    shell = sys.modules["IPython"].get_ipython()
    _snapshot_modules()
    _STATE["nonce"] = nonce
    _STATE["shell"] = shell
    _STATE["shell_lists"] = {k: list(getattr(shell, k)) for k in _SHELL_LISTS}
    _STATE["events"] = {k: list(v) for k, v in shell.events.callbacks.items()}
    _STATE["custom_exceptions"] = shell.custom_exceptions
    _STATE["instances"] = [(obj, dict(vars(obj))) for obj in (shell, shell.kernel)]
    _STATE["sys"] = {k: getattr(sys, k) for k in _SYS_HOOKS}
    _STATE["meta_path"] = list(sys.meta_path)
    _STATE["namespace"] = {}
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    _STATE["roots"] = (sys.prefix, sys.base_prefix, package_root)
    return _report([])


def remember() -> str:
    """Record the modules and guarded functions a locked cell bound in the user namespace."""
    for name, value in _STATE["shell"].user_ns.items():
        if name.startswith("_"):
            continue
        module = value.__name__ if isinstance(value, types.ModuleType) else (
            getattr(value, "__module__", None) if callable(value) else None)
        if isinstance(module, str) and _top(module) in GUARDED:
            _STATE["namespace"][name] = value
    return _report([])


def _library(func: object) -> bool:
    """True for a function defined in an installed module (e.g. matplotlib's own hooks)."""
    module = sys.modules.get(getattr(func, "__module__", None) or "__main__")
    path = getattr(module, "__file__", None)
    return bool(path) and module.__name__ != "__main__" and str(path).startswith(_STATE["roots"])


def _restore_modules(changes: list[str]) -> None:
    for name, (mod, items) in _STATE["modules"].items():
        if sys.modules.get(name, _MISSING) is not mod:
            sys.modules[name] = mod
            changes.append(f"sys.modules[{name!r}]")
        live = vars(mod)
        for key, value in items.items():
            if live.get(key, _MISSING) is not value:
                setattr(mod, key, value)
                changes.append(f"{name}.{key}")
    for cls, items in _STATE["classes"].values():
        live = vars(cls)
        for key, value in items.items():
            if live.get(key, _MISSING) is not value:
                type.__setattr__(cls, key, value)
                changes.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
        for key in set(live) - set(items):
            guarded = _special(key) or _guarded(key, live[key])
            if guarded and any(key in vars(b) for b in cls.__mro__[1:] if b is not object):
                type.__delattr__(cls, key)
                changes.append(f"{cls.__module__}.{cls.__qualname__}.{key}")
    roots = _STATE["roots"]
    for name, mod in list(sys.modules.items()):
        if _top(name) in GUARDED and name not in _STATE["modules"]:
            path = getattr(mod, "__file__", None)
            if path and not str(path).startswith(roots):
                del sys.modules[name]
                changes.append(f"module {name} shadowed by {path}")


def _restore_runtime(changes: list[str]) -> None:
    shell = _STATE["shell"]
    for key, items in _STATE["shell_lists"].items():
        live = getattr(shell, key)
        if len(live) != len(items) or any(a is not b for a, b in zip(live, items, strict=False)):
            live[:] = items
            changes.append(f"IPython {key}")
    for event, items in _STATE["events"].items():
        live = shell.events.callbacks[event]
        added = [cb for cb in live if not any(cb is x for x in items)]
        kept = [cb for cb in added if _library(cb)]
        if len(kept) != len(added) or any(not any(x is cb for cb in live) for x in items):
            live[:] = items + kept
            changes.append(f"IPython event {event}")
    if shell.custom_exceptions is not _STATE["custom_exceptions"]:
        shell.custom_exceptions = _STATE["custom_exceptions"]
        changes.append("IPython custom_exceptions")
    for obj, items in _STATE["instances"]:
        for key, value in list(vars(obj).items()):
            if items.get(key, _MISSING) is value or not callable(getattr(type(obj), key, None)):
                continue
            if key in items:
                setattr(obj, key, items[key])
            else:
                delattr(obj, key)
            changes.append(f"{type(obj).__name__}.{key}")
    for key, value in _STATE["sys"].items():
        if getattr(sys, key) is not value:
            setattr(sys, key, value)
            changes.append(f"sys.{key}")
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.settrace(None)
        sys.setprofile(None)
        changes.append("sys.settrace/setprofile")
    if sys.meta_path != _STATE["meta_path"]:
        sys.meta_path[:] = _STATE["meta_path"]
        changes.append("sys.meta_path")
    namespace = shell.user_ns
    for name, value in _STATE["namespace"].items():
        if namespace.get(name, _MISSING) is not value:
            namespace[name] = value
            changes.append(f"name {name!r} from a locked cell rebound")


def restore() -> str:
    """Put every guarded object back; return JSON ``{"nonce": ..., "changes": [...]}``."""
    changes: list[str] = []
    _restore_modules(changes)
    _restore_runtime(changes)
    return _report(changes)
