"""Execute one planned notebook cell by cell in a kernel that runs inside the sandbox.

This side (the grading thread) holds the plan, hidden tests included; only the kernel runs
in the sandbox, and it receives each test cell at the moment it runs. The two talk over
ZeroMQ IPC sockets in the job's runtime folder, the one path both sides can see.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import time

import psutil
from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from ._align import literal

__all__ = ["run"]

_GUARD = "__fairlab_guard__"
_TRUNCATED = "\n[output truncated by the grader]\n"


class _Kernel:
    """One sandboxed ipykernel process with its resource limits, and a client talking to it."""

    def __init__(self, limits: dict, runtime: str, launcher: list[str], env: dict | None,
                 cwd: str | None) -> None:
        self.limits = limits
        self.runtime = runtime
        self.launcher, self.env, self.cwd = launcher, env, cwd
        self.starts = 0
        self.peak_rss = 0
        self.proc: subprocess.Popen | None = None
        self.kernel: psutil.Process | None = None
        self.client: BlockingKernelClient | None = None
        self._next_rss = 0.0

    def start(self) -> None:
        self.starts += 1
        path = os.path.join(self.runtime, f"k{self.starts}.json")
        write_connection_file(fname=path, ip=os.path.join(self.runtime, f"k{self.starts}"),
                              transport="ipc")
        log = os.path.join(self.runtime, f"k{self.starts}.log")
        with open(log, "wb") as err:
            self.proc = subprocess.Popen(
                [*self.launcher, sys.executable, "-m", "fairlab.grading._kernel",
                 str(self.limits["memory_bytes"]), str(self.limits["file_bytes"]), "-f", path,
                 "--HistoryManager.hist_file=:memory:"],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=self.env, cwd=self.cwd,
                start_new_session=True)
        self.client = BlockingKernelClient()
        self.client.load_connection_file(path)
        self.client.start_channels()
        if not self._ready(time.monotonic() + 120):
            with open(log, "rb") as fh:
                tail = fh.read()[-600:].decode("utf-8", "replace")
            raise RuntimeError(f"kernel did not start: {tail}")
        self.kernel = self._find_kernel()

    def _find_kernel(self) -> psutil.Process:
        root = psutil.Process(self.proc.pid)
        for proc in [root, *root.children(recursive=True)]:
            try:
                if proc.cmdline()[1:3] == ["-m", "fairlab.grading._kernel"]:
                    return proc
            except psutil.Error:
                continue
        return root

    def _ready(self, deadline: float) -> bool:
        """Ask for ``kernel_info`` until its idle status arrives on iopub (not the heartbeat)."""
        while time.monotonic() < deadline and self.proc.poll() is None:
            msg_id = self.client.kernel_info()
            end = time.monotonic() + 0.25
            while time.monotonic() < end:
                try:
                    msg = self.client.get_iopub_msg(timeout=0.05)
                except queue.Empty:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id and \
                        msg["msg_type"] == "status" and \
                        msg["content"]["execution_state"] == "idle":
                    return True
        return False

    def alive(self) -> bool:
        try:
            return self.proc.poll() is None and self.kernel.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def rss(self) -> int:
        """Resident memory of everything in the sandbox, sampled at most twice a second."""
        if time.monotonic() < self._next_rss:
            return 0
        self._next_rss = time.monotonic() + 0.5
        total = 0
        try:
            for proc in [self.kernel, *self.kernel.children(recursive=True)]:
                total += proc.memory_info().rss
        except psutil.Error:
            pass
        self.peak_rss = max(self.peak_rss, total)
        return total

    def interrupt(self) -> None:
        try:
            self.kernel.send_signal(signal.SIGINT)
        except psutil.Error:
            pass

    def kill(self) -> None:
        for proc in (self.kernel, psutil.Process(self.proc.pid) if self.proc.poll() is None
                     else None):
            try:
                if proc is not None:
                    proc.kill()
            except psutil.Error:
                pass

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.client is not None:
            self.client.stop_channels()
        if self.proc.poll() is None:
            self.kill()
        self.proc.wait()

    def execute(self, code: str, timeout: float, deadline: float, *, silent: bool = False,
                expressions: dict | None = None) -> dict:
        """Run ``code``; stop it at ``timeout`` seconds or the submission ``deadline``."""
        start = time.monotonic()
        msg_id = self.client.execute(code, silent=silent, store_history=not silent,
                                     user_expressions=expressions or {}, allow_stdin=False,
                                     stop_on_error=False)
        cell_deadline = min(start + timeout, deadline)
        outputs: list[dict] = []
        budget = [self.limits["output_bytes"], False]
        state, interrupted = "ok", None
        while True:
            now = time.monotonic()
            if not self.alive():
                state = "died"
                break
            if self.rss() > self.limits["memory_bytes"]:
                self.kill()
                state = "memory"
                break
            if interrupted is None and now > cell_deadline:
                state = "wall" if now > deadline else "timeout"
                self.interrupt()
                interrupted = now
            elif interrupted is not None and now > interrupted + self.limits["interrupt_grace"]:
                self.kill()
                state = "hung" if state == "timeout" else state
                break
            try:
                msg = self.client.get_iopub_msg(timeout=0.05)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind in ("stream", "execute_result", "display_data", "error"):
                _add_output(outputs, kind, content, budget)
        result = {"state": state, "outputs": outputs, "seconds": time.monotonic() - start,
                  "truncated": budget[1], "expressions": {}}
        if state in ("ok", "timeout", "wall"):
            result["expressions"] = self._reply(msg_id)
        if state == "ok" and any(o["output_type"] == "error" and o["ename"] == "MemoryError"
                                 for o in outputs):
            result["state"] = "memory"
        return result

    def _reply(self, msg_id: str) -> dict:
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                msg = self.client.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if not self.alive():
                    break
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"].get("user_expressions", {})
        return {}


def _add_output(outputs: list[dict], kind: str, content: dict, budget: list) -> None:
    if kind == "error":
        outputs.append({"output_type": "error", "ename": str(content["ename"])[:200],
                        "evalue": str(content["evalue"])[:2000],
                        "traceback": [str(t)[:2000] for t in content["traceback"][-20:]]})
        return
    if kind == "stream":
        item = {"output_type": "stream", "name": content["name"], "text": content["text"]}
    else:
        item = {"output_type": kind, "data": content["data"],
                "metadata": content.get("metadata", {})}
        if kind == "execute_result":
            item["execution_count"] = content.get("execution_count")
    size = len(json.dumps(item))
    if size > budget[0]:
        if not budget[1]:
            budget[1] = True
            outputs.append({"output_type": "stream", "name": "stdout", "text": _TRUNCATED})
        return
    budget[0] -= size
    last = outputs[-1] if outputs else None
    if kind == "stream" and last and last["output_type"] == "stream" and last["name"] == \
            item["name"] and not budget[1]:
        last["text"] += item["text"]
    else:
        outputs.append(item)


def _guard_reply(result: dict, nonce: str) -> list[str] | None:
    """The guard's list of changes, or None when the guard did not answer honestly."""
    reply = result.get("expressions", {}).get("g", {})
    if reply.get("status") != "ok":
        return None
    try:
        data = json.loads(literal(reply["data"]["text/plain"]))
    except (KeyError, ValueError, SyntaxError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("nonce") != nonce:
        return None
    return [str(c) for c in data.get("changes", [])]


def _boot(kernel: _Kernel, plan: dict, deadline: float) -> bool:
    for attempt in range(3):
        try:
            kernel.start()
            break
        except RuntimeError:
            kernel.stop()
            if attempt == 2:
                raise
    expr = f"{_GUARD}.install({plan['guard_modules']!r}, {plan['nonce']!r})"
    result = kernel.execute(f"import fairlab.grading._guard as {_GUARD}", 120, deadline,
                            silent=True, expressions={"g": expr})
    return result["state"] == "ok" and _guard_reply(result, plan["nonce"]) is not None


def run(plan: dict, runtime: str, launcher: list[str], env: dict | None = None,
        cwd: str | None = None) -> dict:
    """Execute ``plan`` in kernels started by ``launcher``; return every cell's outcome."""
    limits = plan["limits"]
    deadline = time.monotonic() + limits["wall_seconds"]
    kernel = _Kernel(limits, runtime, launcher, env, cwd)
    cells: list[dict] = []
    try:
        if not _boot(kernel, plan, deadline):
            return {"error": "the grading kernel did not start", "cells": [], "restarts": 0}
        for index, cell in enumerate(plan["cells"]):
            if time.monotonic() > deadline:
                cells.append({"state": "skipped", "outputs": []})
                continue
            cells.append(_run_cell(kernel, plan, cell, deadline))
            if cells[-1]["state"] in ("died", "hung", "memory") and time.monotonic() < deadline:
                kernel.stop()
                if not _boot(kernel, plan, deadline):
                    return {"error": "the grading kernel did not restart", "cells": cells,
                            "restarts": kernel.starts - 1}
                for setup in plan["cells"][:index]:
                    if setup["kind"] == "setup":
                        _run_cell(kernel, plan, setup, deadline)
    except RuntimeError as exc:
        return {"error": f"the grading kernel did not start: {exc}", "cells": cells,
                "restarts": kernel.starts - 1}
    finally:
        kernel.stop()
    return {"cells": cells, "restarts": kernel.starts - 1, "peak_rss": kernel.peak_rss}


def _run_cell(kernel: _Kernel, plan: dict, cell: dict, deadline: float) -> dict:
    nonce = plan["nonce"]
    before = None
    if cell["kind"] == "test":
        check = kernel.execute("", 30, deadline, silent=True,
                               expressions={"g": f"{_GUARD}.restore()"})
        before = _guard_reply(check, nonce)
    expressions = {}
    if cell["kind"] == "test":
        expressions = {"g": f"{_GUARD}.restore()"}
    elif cell["kind"] == "setup":
        expressions = {"g": f"{_GUARD}.remember()"}
    result = kernel.execute(cell["code"], cell["timeout"], deadline, expressions=expressions)
    if cell["kind"] == "test":
        result["guard_before"] = before
        failed = result["state"] != "ok" or any(
            o["output_type"] == "error" for o in result["outputs"])
        result["guard_after"] = [] if failed else _guard_reply(result, nonce)
    result.pop("expressions", None)
    return result
