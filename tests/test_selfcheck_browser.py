"""A learner in JupyterLab (headless Chromium): a wrong answer in lab 01, the check shows the
hint; the right answer, the check shows a pass. Screenshots in build/test-artefacts/selfcheck/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from fairlab import labserver, paths

pytestmark = pytest.mark.slow
LAB = "01_fairness_metrics"
TOKEN = "fairlab-browser-token"
ARTEFACTS = paths.repo_root() / "build" / "test-artefacts" / "selfcheck"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SECONDS = 1000  # Playwright counts in milliseconds
WRONG = "selection_rates = y_test.groupby(age_test, observed=True).mean()"
RIGHT = "selection_rates = y_pred.groupby(age_test, observed=True).mean()"


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    message = "chromium is not installed: `sudo apt-get install chromium` (what .ci/run installs)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab_server(tmp_path, course_data):
    """``fairlab lab`` on a fresh workspace: its URL and the workspace."""
    port, ws = _free_port(), tmp_path / "workspace"
    env = paths.tool_env(FAIRLAB_TOKEN=TOKEN, FAIRLAB_WORKSPACE=str(ws), INSTRUCTOR="0")
    proc = subprocess.Popen([sys.executable, "-m", "fairlab.cli", "lab", "--port", str(port),
                             "--browser", "0"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        assert labserver.wait_until_up(f"{base}/api/status?token={TOKEN}", proc, 180)
        yield base, ws
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def _answer_index(notebook) -> int:
    cells = json.loads(notebook.read_text())["cells"]
    return next(i for i, c in enumerate(cells)
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "selection_answer")


def test_wrong_answer_shows_the_hint_right_answer_shows_a_pass(lab_server):
    from playwright.sync_api import sync_playwright

    base, ws = lab_server
    notebook = ws / LAB / f"{LAB}.ipynb"
    index = _answer_index(notebook)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(90 * SECONDS)
            page.goto(f"{base}/lab/tree/{LAB}/{LAB}.ipynb?token={TOKEN}")
            page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
            page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=180 * SECONDS)
            cells = page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")

            def type_into(i: int, code: str) -> None:
                editor = cells.nth(i).locator(".cm-content")
                editor.scroll_into_view_if_needed()
                editor.click()
                page.keyboard.press("Control+a")
                page.keyboard.insert_text(code)

            def save_and_check(answer: str, expect: str, shot: str) -> str:
                page.keyboard.press("Control+s")
                deadline = time.monotonic() + 30
                while answer not in notebook.read_text():  # what the learner saved
                    assert time.monotonic() < deadline, "the notebook was not saved"
                    time.sleep(0.5)
                cells.nth(index + 1).locator(".cm-content").click()
                page.keyboard.press("Shift+Enter")
                output = cells.nth(index + 1).locator(".jp-OutputArea")
                output.get_by_text(expect).first.wait_for(timeout=400 * SECONDS)
                output.scroll_into_view_if_needed()
                page.screenshot(path=ARTEFACTS / shot)
                return output.inner_text()

            # The learner answers the first exercise wrongly, adds a cell with the check below
            # it, saves and runs the check.
            type_into(index, WRONG)
            page.keyboard.press("Escape")
            page.keyboard.press("b")
            type_into(index + 1, "import fairlab\nfairlab.check()")
            text = save_and_check(WRONG, "FAIL  selection", "1-wrong-answer-hint.png")
            line = next(x for x in text.splitlines() if "FAIL  selection" in x)
            assert "uses the true labels `y_test`" in line
            assert "HIDDEN TESTS" not in text and "Traceback" not in text

            # They fix it, save and check again: a visible pass.
            type_into(index, RIGHT)
            text = save_and_check(RIGHT, "PASS  selection", "2-right-answer-pass.png")
            assert "PASS  selection" in text and "1/1" in text
        finally:
            browser.close()
