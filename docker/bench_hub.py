"""Capacity of the hub: N simulated learners each spawn a server and run a lab.

    python docker/bench_hub.py --learners 10 --lab 00_orientation

Each learner is created through the hub's REST API, their server is spawned (the spawn time
is from the request to the server being ready), then the lab's reference notebook is run
cell by cell in a kernel of that server over the Jupyter websocket protocol, as JupyterLab
does. Memory is the resident set of the learner's server plus its kernels, sampled every
0.2 s; the peak per learner is what the memory guarantee and limit of the Zero to JupyterHub
values file (docker/z2jh-values.yaml) are set from.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil
import websocket

from fairlab import datasets, labs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from localhub import LocalHub  # noqa: E402

__all__ = ["main", "run"]
MIB = 1 << 20


def _tree_rss(pid: int) -> int:
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def _execute(hub: LocalHub, user: str, token: str, notebook: Path, timeout: float) -> None:
    """Run every code cell of ``notebook`` in a new kernel of ``user``'s server."""
    base = f"/user/{user}/api"
    session = hub.call("POST", f"{base}/sessions", token, {
        "path": notebook.name, "type": "notebook", "name": notebook.name,
        "kernel": {"name": "python3"}})
    kernel = session["kernel"]["id"]
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{hub.port}{base}/kernels/{kernel}/channels",
        header=[f"Authorization: token {token}"], timeout=timeout)
    try:
        for cell in nbformat.read(notebook, 4).cells:
            if cell.cell_type != "code":
                continue
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user,
                           "session": kernel, "version": "5.3"},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": cell.source, "silent": False, "store_history": True,
                            "user_expressions": {}, "allow_stdin": False,
                            "stop_on_error": True}}))
            while True:
                msg = json.loads(ws.recv())
                if (msg["msg_type"] == "execute_reply"
                        and msg["parent_header"].get("msg_id") == msg_id):
                    if msg["content"]["status"] != "ok":
                        raise RuntimeError(f"{user}: cell failed: {msg['content'].get('evalue')}")
                    break
    finally:
        ws.close()
        hub.call("DELETE", f"{base}/sessions/{session['id']}", token)


def run(learners: int = 10, lab: str = "00_orientation", timeout: float = 600) -> dict:
    """Spawn ``learners`` servers at once, run ``lab`` in each; times and peak MiB per learner."""
    missing = [n for n in datasets.dataset_names() if not datasets.is_built(n)]
    if missing:
        datasets.build(missing)
    (notebook,) = labs.notebooks(lab)
    with tempfile.TemporaryDirectory(prefix="fairlab-bench-hub-") as tmp:
        tmp = Path(tmp)
        (tmp / "course").mkdir()
        with LocalHub(tmp / "hub", exchange=tmp / "exchange", course=tmp / "course",
                      password=uuid.uuid4().hex, admin_password=uuid.uuid4().hex,
                      timeout=timeout) as hub:
            peaks: dict[str, int] = {}
            pids: dict[str, int] = {}
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.2):
                    for user, pid in list(pids.items()):
                        peaks[user] = max(peaks.get(user, 0), _tree_rss(pid))

            def learner(i: int) -> tuple[float, float]:
                user = f"learner{i:03d}"
                spawn = hub.start_server(user)
                model = hub.api("GET", f"/users/{user}")
                pids[user] = model["servers"][""]["state"]["pid"]
                token = hub.api("POST", f"/users/{user}/tokens", {"expires_in": 3600})["token"]
                home = hub.dir / "homes" / user
                (home / notebook.name).write_bytes(notebook.read_bytes())
                started = time.monotonic()
                _execute(hub, user, token, home / notebook.name, timeout)
                return spawn, time.monotonic() - started

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            with ThreadPoolExecutor(max_workers=learners) as pool:
                results = list(pool.map(learner, range(learners)))
            done.set()
            sampler.join()
    spawns = sorted(r[0] for r in results)
    runs = sorted(r[1] for r in results)
    mib = sorted(v / MIB for v in peaks.values())
    return {"learners": learners, "lab": lab, "spawn_s": spawns, "run_s": runs, "peak_mib": mib}


def _p95(values: list[float]) -> float:
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--lab", default="00_orientation")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    result = run(args.learners, args.lab)
    print(f"{result['learners']} learners, lab {result['lab']}, "
          f"{psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / (1 << 30):.0f} GiB")
    for name, key, unit in (("spawn time", "spawn_s", "s"), ("lab run time", "run_s", "s"),
                            ("peak memory per learner (server + kernel)", "peak_mib", "MiB")):
        values = result[key]
        print(f"  {name:44s} median {statistics.median(values):7.1f} {unit}   "
              f"p95 {_p95(values):7.1f} {unit}   max {max(values):7.1f} {unit}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
