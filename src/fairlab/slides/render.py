"""Render a deck into one self-contained HTML file: slides, notes, figures, engine and fonts inlined."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable

from jinja2 import Environment, StrictUndefined

from .deck import Deck
from .vendor import Engine

__all__ = ["SLIDE_HEIGHT", "SLIDE_WIDTH", "image_tag", "render_deck"]

SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720

_CONFIG = {
    "hash": True, "width": SLIDE_WIDTH, "height": SLIDE_HEIGHT, "margin": 0.04, "center": False,
    "slideNumber": "c/t", "transition": "none", "showNotes": False,
    "pdfSeparateFragments": False, "pdfMaxPagesPerSlide": 1,
}

_STYLE = """
:root { --r-main-font-size: 30px; --r-heading1-size: 2.1em; --r-heading2-size: 1.5em;
        --r-heading3-size: 1.15em; --r-heading-text-transform: none; }
.reveal .slides section { text-align: left; }
.reveal .slides section.title-slide { text-align: center; padding-top: 160px; }
.reveal ul, .reveal ol { display: block; margin-left: 1.2em; }
.reveal li { margin-bottom: 0.25em; }
.reveal img.figure { display: block; margin: 0.2em auto; max-height: 390px; max-width: 100%; }
.reveal .cite { display: block; margin-top: 0.6em; font-size: 0.5em; color: #555; }
.reveal .legal { border-left: 6px solid #E69F00; padding-left: 0.6em; }
.reveal table { font-size: 0.7em; }
.reveal .lab { color: #0072B2; }
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
<style>{style}</style>
</head>
<body>
<div class="reveal"><div class="slides">
{sections}
</div></div>
<script>{js}</script>
<script>Reveal.initialize(Object.assign({config}, {{plugins: [RevealMarkdown, RevealNotes]}}));</script>
</body>
</html>
"""


def _inline_script(text: str) -> str:
    return text.replace("</script", "<\\/script")


def _section(markdown: str, notes: str, index: int) -> str:
    cls = ' class="title-slide"' if index == 0 else ""
    return (f'<section data-markdown data-separator="^\\n=====\\n$" data-separator-notes="^Note:$"{cls}>'
            f'<script type="text/template">\n{_inline_script(markdown)}\nNote:\n{_inline_script(notes)}\n'
            "</script></section>")


def render_deck(deck: Deck, engine: Engine, context: dict[str, Callable | str]) -> str:
    """The deck as one HTML page; ``context`` holds what slide text may call (``num``, ``fig``, ...)."""
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
    sections = []
    for i, slide in enumerate(deck.slides):
        body = env.from_string(slide.body).render(**context)
        notes = env.from_string(slide.notes).render(**context)
        sections.append(_section(body, notes, i))
    return _PAGE.format(title=html.escape(deck.title), css=engine.css, style=_STYLE,
                        sections="\n".join(sections), js=_inline_script(engine.js),
                        config=json.dumps(_CONFIG))


def image_tag(png: bytes, alt: str) -> str:
    """An ``<img>`` carrying the PNG as a data URI, with alternative text."""
    data = base64.b64encode(png).decode()
    return f'<img class="figure" alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
