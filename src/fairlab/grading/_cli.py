"""``fairlab grade …``: init, release, collect, autograde, feedback, export, report."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import paths

__all__ = ["add_commands"]


def _init(args: argparse.Namespace) -> int:
    from ._course import init_course

    dest = Path(args.dir).expanduser().resolve()
    names = init_course(dest, Path(args.solutions).resolve() if args.solutions else None)
    print(f"course directory {dest} with source/ for: {', '.join(names) or '(no labs)'}")
    return 0


def _release(args: argparse.Namespace) -> int:
    from ._course import course_path, release

    print(f"released {release(course_path(args.course), args.assignment)}")
    return 0


def _collect(args: argparse.Namespace) -> int:
    from ._collect import collect
    from ._course import course_path

    receipts = collect(course_path(args.course), args.assignment, Path(args.source))
    students = {r["student"] for r in receipts}
    print(f"collected {len(receipts)} files from {len(students)} students into submitted/")
    return 0


def _autograde(args: argparse.Namespace) -> int:
    from ._course import course_path
    from ._engine import PreflightError, SandboxMissing, autograde

    try:
        results = autograde(course_path(args.course), args.assignment, workers=args.workers,
                            student=args.student, only_failed=args.only_failed,
                            force=args.force, scheduler=args.scheduler,
                            sandbox=not args.unsafe_no_sandbox)
    except (SandboxMissing, PreflightError) as exc:
        print(f"fairlab grade: {exc}", file=sys.stderr)
        return 2
    bad = [r for r in results if r["status"] != "graded"]
    print(f"{len(results) - len(bad)} of {len(results)} notebooks graded cleanly; "
          f"`fairlab grade report {args.assignment}` lists the rest")
    return 1 if bad else 0


def _feedback(args: argparse.Namespace) -> int:
    from ._course import course_path
    from ._feedback import feedback

    print(f"wrote {len(feedback(course_path(args.course), args.assignment))} feedback pages")
    return 0


def _export(args: argparse.Namespace) -> int:
    from ._course import course_path
    from ._export import export

    rows = export(course_path(args.course), Path(args.out))
    print(f"wrote {rows} rows to {args.out}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from ._course import course_path
    from ._export import report

    print(report(course_path(args.course), args.assignment))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``grade`` and its subcommands to the ``fairlab`` parser."""
    grade = sub.add_parser("grade", help="sandboxed, parallel nbgrader autograding")
    commands = grade.add_subparsers(dest="grade_command", required=True)

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = commands.add_parser(name, help=help_text)
        p.add_argument("--course", default=os.environ.get("FAIRLAB_COURSE"),
                       help=f"course directory (default {paths.course_dir()})")
        p.set_defaults(func=func)
        return p

    p = command("init", _init, "create a self-contained course directory")
    p.add_argument("dir")
    p.add_argument("--solutions", help="where the source labs are (default solutions/)")
    p = command("release", _release, "generate (and release) an assignment")
    p.add_argument("assignment")
    p = command("collect", _collect, "take submissions from an exchange, folder or zip")
    p.add_argument("assignment")
    p.add_argument("--from", dest="source", required=True)
    p = command("autograde", _autograde, "grade submissions in parallel, sandboxed")
    p.add_argument("assignment")
    p.add_argument("--workers", type=int, help="parallel jobs (default: number of cores)")
    p.add_argument("--student", help="grade only this student")
    p.add_argument("--only-failed", action="store_true", help="re-grade non-graded ones")
    p.add_argument("--force", action="store_true", help="re-grade even if up to date")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code without bubblewrap (trusted code only)")
    p = command("feedback", _feedback, "write feedback HTML per student")
    p.add_argument("assignment")
    p = command("export", _export, "write grades as CSV")
    p.add_argument("--out", required=True)
    p = command("report", _report, "summarise an assignment's grading")
    p.add_argument("assignment")
