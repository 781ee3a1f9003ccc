"""Concept-session slide decks: Markdown sources in ``slides/decks/``, built into offline HTML and PDF.

``fairlab slides build`` renders every deck with the numbers and figures computed from the course
data (:mod:`.numbers`, :mod:`.figures`), inlines reveal.js from the pinned npm package
(:mod:`.vendor`), prints one PDF handout per deck in Chromium (:mod:`.browser`) and regenerates
``slides/AGENDA.md`` from ``slides/schedule.yml`` (:mod:`.schedule`).
"""
