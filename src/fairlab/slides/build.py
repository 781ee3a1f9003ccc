"""``fairlab slides build``: every deck to offline HTML and a PDF handout, and the generated agenda."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from .. import legal, paths
from . import browser, figures, numbers, schedule, vendor
from .deck import load_decks
from .render import image_tag, render_deck

__all__ = ["agenda_path", "build", "output_dir", "slide_context"]


def output_dir() -> Path:
    """Where built decks go (``<repo>/build/slides``)."""
    return paths.repo_root() / "build" / "slides"


def agenda_path() -> Path:
    """The generated agenda (``slides/AGENDA.md``)."""
    return paths.repo_root() / "slides" / "AGENDA.md"


@cache
def _figure(name: str) -> bytes:
    return figures.png(name)


def slide_context() -> dict:
    """What a slide's text may call: ``num``, ``pub`` (numbers), ``fig`` (figures), the legal-status box."""
    computed, literature = numbers.slide_numbers(), numbers.published()
    return {
        "num": lambda name: computed[name].text(),
        "pub": lambda name: literature[name].text(),
        "fig": lambda name, alt: image_tag(_figure(name), alt),
        "legal_as_of": legal.AS_OF,
        "legal_box": legal.status_markdown,
    }


def _index(names: list[tuple[str, str]]) -> str:
    items = "\n".join(f'<li><a href="{n}.html">{html.escape(t)}</a> (<a href="{n}.pdf">PDF handout</a>)</li>'
                      for n, t in names)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fairlab slides</title></head>'
            f"<body><h1>Fairlab: slide decks</h1><ol>\n{items}\n</ol></body></html>\n")


def build(out: Path | None = None, *, pdf: bool = True, only: list[str] | None = None) -> list[Path]:
    """Build the decks (all, or those named in ``only``) into ``out``; return the files written."""
    out = out or output_dir()
    out.mkdir(parents=True, exist_ok=True)
    engine = vendor.engine(vendor.install_reveal(paths.repo_root() / "build" / "slides-engine"))
    context = slide_context()
    decks = [d for d in load_decks() if not only or d.name in only]
    written = []
    for deck in decks:
        target = out / f"{deck.name}.html"
        target.write_text(render_deck(deck, engine, context), encoding="utf-8")
        written.append(target)
    if pdf:
        with browser.open_browser() as chromium:
            for deck in decks:
                handout = out / f"{deck.name}.pdf"
                browser.print_pdf(chromium, out / f"{deck.name}.html", handout, len(deck.slides))
                written.append(handout)
    (out / "index.html").write_text(_index([(d.name, d.title) for d in load_decks()]), encoding="utf-8")
    agenda_path().write_text(schedule.render_agenda(), encoding="utf-8")
    return [*written, out / "index.html", agenda_path()]
