"""The coordinator grades in threads: what it parses must not race, and several real labs
graded at once in one pool each get exactly what pre-flight expects."""

from __future__ import annotations

import gc
import threading

import pytest

from fairlab.grading import _align, _course, _engine

SOURCE = "\n".join(f"def f{i}(x):\n    return [x + {i} for _ in range(3)] or {{'k': x}}"
                   for i in range(600))


def test_parsing_from_many_threads_under_gc_pressure_never_raises():
    # CPython 3.11 shares one AST depth counter between threads; a GC pass that switches
    # threads mid-parse raised "SystemError: AST constructor recursion depth mismatch".
    errors: list[BaseException] = []
    stop = threading.Event()

    class Cycle:
        def __del__(self):
            sum(range(200))

    def churn():
        for _ in range(300_000):
            if stop.is_set():
                return
            a, b = Cycle(), Cycle()
            a.other, b.other = b, a

    def parse():
        try:
            for _ in range(25):
                _align.parse_python(SOURCE)
                assert _align.literal("'{\"nonce\": \"x\"}'") == '{"nonce": "x"}'
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(exc)

    threshold = gc.get_threshold()
    gc.set_threshold(50)
    try:
        workers = [threading.Thread(target=parse) for _ in range(3)]
        churner = threading.Thread(target=churn)
        churner.start()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        stop.set()
        churner.join()
        gc.set_threshold(*threshold)
    assert errors == []


@pytest.mark.slow
def test_two_real_labs_graded_at_once_in_one_pool(tmp_path, course_data):
    course = tmp_path / "course"
    _course.init_course(course)
    jobs = []
    for lab in ("00_orientation", "01_fairness_metrics"):
        _course.release(course, lab)
        jobs += _engine._preflight_jobs(_course.templates(course, lab),
                                        _course.grading_config(course))
    results = list(_engine._run(jobs, 2, None))
    assert sorted((r["notebook"], r["student"]) for r in results) == sorted(
        (j["notebook"], j["student"]) for j in jobs)
    assert _engine.preflight_problems(results) == []
