"""The ``fairlab`` command line: what the Makefile, CI, instructors and assessors call."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from . import paths

__all__ = ["main"]


def _cmd_labs_generate(args: argparse.Namespace) -> int:
    from . import labs

    def progress(line: str) -> None:
        print(line, flush=True)

    labs.generate(args.lab or None, force=args.force, progress=progress)
    return 0


def _cmd_labs_check(args: argparse.Namespace) -> int:
    from . import labs

    status = 0
    for lab in args.lab or labs.lab_names():
        diffs = labs.diff_release(lab)
        if diffs:
            status = 1
            print(f"{lab}: labs/ has drifted from solutions/ — run `make labs`:")
            for line in diffs:
                print(f"  {line}")
        else:
            print(f"{lab}: in sync")
    return status


def _cmd_labs_execute(args: argparse.Namespace) -> int:
    from . import labs, notebooks

    _ensure_data()
    root = paths.labs_dir() if args.student else paths.solutions_dir()
    failed = 0
    for lab in args.lab or labs.lab_names():
        for nb in labs.notebooks(lab, root):
            result = notebooks.execute(nb, timeout=args.timeout, raise_on_error=False)
            state = "ok" if result.ok else f"FAILED: {str(result.error).splitlines()[0:3]}"
            print(f"{lab}/{nb.name}: {result.seconds:.1f} s, kernel peak "
                  f"{result.peak_kernel_mib:.0f} MiB — {state}")
            failed += not result.ok
    return 1 if failed else 0


def _cmd_data_build(args: argparse.Namespace) -> int:
    from . import datasets

    names = args.name or datasets.dataset_names()
    todo = [n for n in names if args.force or not datasets.is_built(n)]
    if not todo:
        print(f"datasets up to date in {paths.data_dir()} ({', '.join(names)})")
        return 0
    for i, name in enumerate(todo, 1):
        print(f"data: [{i}/{len(todo)}] building {name} …", flush=True)
        datasets.build([name])
        print(f"built {name}", flush=True)
    return 0


def _cmd_data_validate(args: argparse.Namespace) -> int:
    from . import datasets

    results = datasets.validate(args.name or None)
    for result in results:
        print(result)
    failed = [r for r in results if not r.passed]
    print(f"{len(results) - len(failed)} of {len(results)} checks passed")
    return 1 if failed else 0


def _cmd_data_list(args: argparse.Namespace) -> int:
    from . import datasets

    for name in datasets.dataset_names():
        state = "built" if datasets.is_built(name) else "not built"
        print(f"{name:20s} {state}")
    return 0


def _ensure_data() -> None:
    from . import datasets

    missing = [n for n in datasets.dataset_names() if not datasets.is_built(n)]
    if missing:
        datasets.build(missing)


def _cmd_lab(args: argparse.Namespace) -> int:
    from . import labserver

    return labserver.serve(args.port, browser=bool(args.browser))


def _cmd_check(args: argparse.Namespace) -> int:
    from . import selfcheck

    try:
        notebook = Path(args.notebook) if args.notebook else selfcheck.latest_notebook()
        print(f"Checking {notebook} (a minute: the whole notebook runs in a fresh kernel) …",
              flush=True)
        result = selfcheck.check_notebook(notebook)
    except LookupError as exc:
        print(f"fairlab check: {exc}", file=sys.stderr)
        return 2
    print(selfcheck.format_report(result))
    failed = [c for c in result["cells"] if c["points"] < c["max_points"] and c["kind"] != "manual"]
    return 1 if failed else 0


def _cmd_test(args: argparse.Namespace) -> int:
    return subprocess.call([sys.executable, "-m", "pytest", *args.pytest_args],
                           cwd=paths.repo_root())


def _cmd_lint(args: argparse.Namespace) -> int:
    root = paths.repo_root()
    ruff = [sys.executable, "-m", "ruff"]
    return subprocess.call([*ruff, "check", "src", "tests", "solutions", "datasets"], cwd=root)


def _cmd_bench(args: argparse.Namespace) -> int:
    from . import bench

    return bench.main(labs=args.lab or None, submissions=args.submissions)


def _cmd_bench_hub(args: argparse.Namespace) -> int:
    script = paths.repo_root() / "docker" / "bench_hub.py"
    return subprocess.call([sys.executable, str(script), "--learners", str(args.learners),
                            "--lab", args.lab])


def _cmd_slides_build(args: argparse.Namespace) -> int:
    from .slides import build

    for path in build.build(pdf=not args.no_pdf, only=args.deck or None):
        print(f"wrote {path.relative_to(paths.repo_root())}")
    return 0


def _cmd_clean(args: argparse.Namespace) -> int:
    for path in (paths.data_dir(), paths.cache_dir(), paths.bench_dir()):
        if path.exists():
            shutil.rmtree(path)
            print(f"removed {path}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fairlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    labs_p = sub.add_parser("labs", help="generate, check or execute the labs")
    labs_sub = labs_p.add_subparsers(dest="labs_command", required=True)
    p = labs_sub.add_parser("generate", help="release solutions/ into labs/ with nbgrader")
    p.add_argument("lab", nargs="*")
    p.add_argument("--force", action="store_true",
                   help="regenerate even the labs whose release is up to date")
    p.set_defaults(func=_cmd_labs_generate)
    p = labs_sub.add_parser("check", help="fail if labs/ differs from a fresh release")
    p.add_argument("lab", nargs="*")
    p.set_defaults(func=_cmd_labs_check)
    p = labs_sub.add_parser("execute", help="run lab notebooks top to bottom (papermill)")
    p.add_argument("lab", nargs="*")
    p.add_argument("--student", action="store_true", help="run labs/ instead of solutions/")
    p.add_argument("--timeout", type=float, default=600, help="seconds per cell")
    p.set_defaults(func=_cmd_labs_execute)

    data_p = sub.add_parser("data", help="build, validate and list the course datasets")
    data_sub = data_p.add_subparsers(dest="data_command", required=True)
    p = data_sub.add_parser("build", help="build datasets into data/ (skips what is built)")
    p.add_argument("name", nargs="*")
    p.add_argument("--force", action="store_true", help="rebuild even when up to date")
    p.set_defaults(func=_cmd_data_build)
    p = data_sub.add_parser("validate", help="check hashes, k-anonymity and bias mechanisms")
    p.add_argument("name", nargs="*")
    p.set_defaults(func=_cmd_data_validate)
    p = data_sub.add_parser("list", help="list datasets and whether they are built")
    p.set_defaults(func=_cmd_data_list)

    p = sub.add_parser("lab", help="copy new labs into workspace/ (never overwriting your "
                                   "work) and start JupyterLab on it (INSTRUCTOR=1: nbgrader's "
                                   "instructor tools too)")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--browser", type=int, choices=[0, 1], default=1,
                   help="1 opens a browser tab, 0 for a headless machine")
    p.set_defaults(func=_cmd_lab)

    p = sub.add_parser("check", help="check your saved lab notebook with the hidden tests: "
                                     "pass or fail and a hint per exercise")
    p.add_argument("notebook", nargs="?",
                   help="the notebook (default: the one saved last in workspace/)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("test", help="run the test suite (extra arguments go to pytest)")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=_cmd_test)

    p = sub.add_parser("lint", help="ruff on the package, tests and solution notebooks")
    p.set_defaults(func=_cmd_lint)

    p = sub.add_parser("bench", help="time and measure every solution notebook, and grading")
    p.add_argument("lab", nargs="*")
    p.add_argument("--submissions", type=int, default=40,
                   help="submissions of lab 00 in the grading benchmark (lab 05 gets a quarter)")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("bench-hub", help="N simulated learners on a local JupyterHub")
    p.add_argument("--learners", type=int, default=10)
    p.add_argument("--lab", default="00_orientation")
    p.set_defaults(func=_cmd_bench_hub)

    slides_p = sub.add_parser("slides", help="build the concept-session decks and the agenda")
    slides_sub = slides_p.add_subparsers(dest="slides_command", required=True)
    p = slides_sub.add_parser("build", help="decks to offline HTML and PDF handouts in build/slides/")
    p.add_argument("deck", nargs="*", help="deck names (default: all)")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF handouts (no Chromium needed)")
    p.set_defaults(func=_cmd_slides_build)

    p = sub.add_parser("clean", help="remove built data, caches and benchmark scratch")
    p.set_defaults(func=_cmd_clean)
    from .grading._cli import add_commands as add_grade_commands
    add_grade_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``fairlab`` command."""
    args = _parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
