"""A learner and an instructor use the course on a real JupyterHub, in a real browser.

The hub is docker/jupyterhub_config.py with the local spawner (the course environment of this
checkout) and the shared-password authenticator, on 127.0.0.1; Chromium is Debian's, driven by
Playwright. Screenshots are kept in build/test-artefacts/hub/.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fairlab import labs, paths

from .conftest import require

pytestmark = pytest.mark.slow
LAB = "00_orientation"
ARTEFACTS = paths.repo_root() / "build" / "test-artefacts" / "hub"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SECONDS = 1000  # Playwright counts in milliseconds
# nbgrader submits under the server's OS user; in the image that user is jovyan, for whom it
# takes JUPYTERHUB_USER instead (test_image.py checks that). The local spawner runs every
# learner as the hub's own user, so that is the id the exchange and the gradebook see here.
SUBMITTER = pwd.getpwuid(os.getuid()).pw_name


def _fairlab(*args: str, timeout: float = 900) -> str:
    done = subprocess.run([str(Path(sys.executable).parent / "fairlab"), *args],
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"fairlab {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _wait_for(condition, what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def _open_assignment_list(page) -> None:
    page.get_by_role("menuitem", name="Nbgrader").click()
    page.get_by_role("menuitem", name="Assignment List").click()


@pytest.fixture
def course(tmp_path, course_data) -> tuple[Path, Path]:
    """An instructor's course directory whose release went into a fresh exchange."""
    exchange, course = tmp_path / "exchange", tmp_path / "course"
    exchange.mkdir(mode=0o1777)
    labs.write_nbgrader_config(course, extra=f"c.Exchange.root = {str(exchange)!r}\n")
    _fairlab("grade", "init", str(course))
    _fairlab("grade", "release", LAB, "--course", str(course))
    assert (exchange / "fairlab" / "outbound" / LAB / f"{LAB}.ipynb").is_file()
    return course, exchange


def test_learner_works_and_submits_instructor_grades(tmp_path, course):
    require("node")
    chromium = require("chromium")
    from localhub import LocalHub
    from playwright.sync_api import sync_playwright

    from fairlab.grading._align import role
    from fairlab.grading._course import solution_bytes, templates

    course, exchange = course
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    password, admin_password = secrets.token_hex(8), secrets.token_hex(16)
    with LocalHub(tmp_path / "hub", exchange=exchange, course=course, password=password,
                  admin_password=admin_password) as hub, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(90 * SECONDS)

            # The learner logs in; the hub spawns their server and JupyterLab opens.
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", "learner1")
            page.fill("#password_input", password)
            page.click("#login_submit")
            page.wait_for_url(re.compile(r".*/user/learner1/lab.*"), timeout=240 * SECONDS)
            page.wait_for_selector("#jp-main-dock-panel")
            home = tmp_path / "hub" / "homes" / "learner1"

            # They fetch lab 00 through the nbgrader exchange.
            _open_assignment_list(page)
            page.locator("#released_assignments_list").get_by_role("button", name="Fetch").click()
            fetched = home / LAB / f"{LAB}.ipynb"
            _wait_for(fetched.is_file, "the fetched assignment", 60)
            page.screenshot(path=ARTEFACTS / "1-assignment-fetched.png")

            # Their answers (typing them cell by cell is not what this test is about).
            fetched.write_bytes(solution_bytes(templates(course, LAB)[LAB]))

            # They open the notebook, run all cells and see a figure.
            page.goto(f"{hub.url}/user/learner1/lab/tree/{LAB}/{LAB}.ipynb")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            status = page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\| Idle"))
            status.wait_for(timeout=180 * SECONDS)  # the kernel is up and connected
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.locator("li[data-command='runmenu:run-all']").click()

            def ran_every_cell() -> bool:
                page.keyboard.press("Control+s")  # the learner saves; we read what was saved
                time.sleep(2)
                cells = [c for c in json.loads(fetched.read_text())["cells"]
                         if c["cell_type"] == "code"]
                failed = [o for c in cells for o in c["outputs"] if o["output_type"] == "error"]
                assert not failed, f"a cell raised in the browser: {failed[0]['evalue']}"
                return all(c["execution_count"] for c in cells)

            try:
                _wait_for(ran_every_cell, "every cell to run in the browser", 600)
            finally:
                page.screenshot(path=ARTEFACTS / "2-lab-run.png")
            errors = page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()
            assert errors == 0, "a cell raised an error in the browser"
            figure = page.locator(".jp-RenderedImage img").first
            figure.scroll_into_view_if_needed()
            assert figure.is_visible()
            assert figure.evaluate("img => img.naturalWidth") > 100
            page.screenshot(path=ARTEFACTS / "3-figure.png")

            # They submit it.
            page.goto(f"{hub.url}/user/learner1/lab")
            page.wait_for_selector("#jp-main-dock-panel")
            _open_assignment_list(page)
            page.locator("#fetched_assignments_list").get_by_role("button", name="Submit").click()
            inbound = exchange / "fairlab" / "inbound"
            _wait_for(lambda: any(inbound.glob(f"{SUBMITTER}+{LAB}+*")), "the submission", 60)
            page.locator("#submitted_assignments_list").get_by_text(LAB).first.wait_for()
            page.screenshot(path=ARTEFACTS / "4-submitted.png")

            # The instructor collects and autogrades with `fairlab grade` ...
            _fairlab("grade", "collect", LAB, "--from", str(exchange / "fairlab"),
                     "--course", str(course))
            _fairlab("grade", "autograde", LAB, "--course", str(course))
            _fairlab("grade", "export", "--out", str(tmp_path / "grades.csv"),
                     "--course", str(course))
            rows = [r for r in csv.DictReader((tmp_path / "grades.csv").open())
                    if r["student_id"] == SUBMITTER]
            source = templates(course, LAB)[LAB]["source"]
            autograded = sum(c.metadata.nbgrader.points for c in source.cells if role(c) == "test")
            assert len(rows) == 1 and autograded > 0
            assert float(rows[0]["score"]) == autograded  # written answers await the instructor

            # ... and sees the learner's grade in formgrader, served by the hub.
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.set_default_timeout(90 * SECONDS)
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", "instructor")
            page.fill("#password_input", admin_password)
            page.click("#login_submit")
            page.wait_for_url(re.compile(r".*/(hub|user)/.*"), timeout=240 * SECONDS)
            page.goto(f"{hub.url}/services/fairlab-grader/formgrader/manage_students")
            row = page.locator("tr", has_text=SUBMITTER).first
            row.wait_for(timeout=120 * SECONDS)
            assert re.search(rf"\b{autograded:g} / \d+", row.inner_text()), row.inner_text()
            page.screenshot(path=ARTEFACTS / "5-formgrader-grade.png")
        finally:
            browser.close()
            shutil.copy(hub.dir / "jupyterhub.log", ARTEFACTS / "jupyterhub.log")
