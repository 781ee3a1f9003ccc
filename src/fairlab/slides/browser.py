"""Headless Chromium (Debian's, via Playwright) with the network blocked: print handouts, inspect decks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CHROMIUM_FLAGS", "chromium_path", "offline_page", "open_browser", "print_pdf", "wait_for_reveal"]

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
_MS = 1000  # Playwright counts in milliseconds


def chromium_path() -> str:
    """The Chromium binary (``FAIRLAB_CHROMIUM``, else ``chromium`` on PATH)."""
    found = os.environ.get("FAIRLAB_CHROMIUM") or shutil.which("chromium")
    if not found:
        raise RuntimeError("Chromium is not installed: `sudo apt-get install chromium` (as .ci/run does)")
    return found


@contextmanager
def open_browser() -> Iterator[object]:
    """A headless Chromium browser for the duration of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, *, width: int = 1280, height: int = 720, blocked: list[str] | None = None):
    """A new page that may load only ``file:`` and ``data:`` URLs; other requests are aborted (and listed)."""
    context = browser.new_context(viewport={"width": width, "height": height})

    def _route(route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            if blocked is not None:
                blocked.append(route.request.url)
            route.abort()

    context.route("**/*", _route)
    page = context.new_page()
    page.set_default_timeout(60 * _MS)
    return page


def wait_for_reveal(page) -> None:
    """Wait until reveal.js has parsed the Markdown and laid out the deck."""
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")


def print_pdf(browser, deck_html: Path, pdf: Path, slides: int) -> None:
    """Print a deck of ``slides`` slides in reveal.js's print layout: one PDF page per slide."""
    page = offline_page(browser)
    try:
        page.goto(deck_html.resolve().as_uri() + "?print-pdf")
        wait_for_reveal(page)
        # reveal.js lays out the print pages after it reports ready (and, while it starts, counts
        # no slides at all): wait for one page per slide of the deck.
        page.wait_for_function(f"() => document.querySelectorAll('.pdf-page').length >= {slides}")
        page.wait_for_function("() => document.fonts.status === 'loaded'")
        page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    finally:
        page.context.close()
