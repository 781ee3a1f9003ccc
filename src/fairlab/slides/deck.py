"""Read a Markdown deck: YAML front matter, slides split by ``---`` lines, speaker notes after ``Note:``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import paths

__all__ = ["NOTE_FIELDS", "Deck", "DeckError", "Slide", "decks_dir", "load_deck", "load_decks"]

#: What the notes of every content slide must tell an instructor who did not write the deck.
NOTE_FIELDS: tuple[str, ...] = ("Say", "Ask", "Expect", "Time")

_SEPARATOR = re.compile(r"^---[ \t]*$", re.M)
_NOTES = re.compile(r"^Note:[ \t]*$", re.M)
_FIELD = re.compile(r"^- \*\*(\w+):\*\*", re.M)
_MINUTES = re.compile(r"^- \*\*Time:\*\* (\d+(?:\.\d+)?) min", re.M)


class DeckError(ValueError):
    """A deck source does not follow the format in ``slides/README.md``."""


@dataclass(frozen=True)
class Slide:
    """One slide: its Markdown body, its speaker notes and the minutes the notes give it."""

    body: str
    notes: str
    minutes: float

    @property
    def title(self) -> str:
        """The slide's first heading (without the ``#`` marks)."""
        match = re.search(r"^#+ (.+)$", self.body, re.M)
        return match.group(1).strip() if match else ""

    @property
    def fields(self) -> set[str]:
        """The ``- **Field:**`` entries the notes contain."""
        return set(_FIELD.findall(self.notes))


@dataclass(frozen=True)
class Deck:
    """A deck: its name (the file stem), front matter and slides."""

    name: str
    title: str
    lab: str
    slides: tuple[Slide, ...]
    path: Path

    @property
    def minutes(self) -> float:
        """Running time of the session: the sum of its slides' timings."""
        return sum(s.minutes for s in self.slides)


def decks_dir() -> Path:
    """Where the deck sources live (``<repo>/slides/decks``)."""
    return paths.repo_root() / "slides" / "decks"


def _slide(chunk: str, where: str) -> Slide:
    parts = _NOTES.split(chunk)
    if len(parts) != 2:
        raise DeckError(f"{where}: needs exactly one 'Note:' line before its speaker notes")
    body, notes = parts[0].strip(), parts[1].strip()
    minutes = _MINUTES.search(notes)
    if not minutes:
        raise DeckError(f"{where}: the notes need a '- **Time:** N min' line")
    return Slide(body=body, notes=notes, minutes=float(minutes.group(1)))


def load_deck(path: Path) -> Deck:
    """Parse one deck source file."""
    text = path.read_text(encoding="utf-8")
    chunks = _SEPARATOR.split(text)
    if len(chunks) < 3 or chunks[0].strip():
        raise DeckError(f"{path.name}: must start with YAML front matter between '---' lines")
    meta = yaml.safe_load(chunks[1]) or {}
    missing = {"title", "lab"} - set(meta)
    if missing:
        raise DeckError(f"{path.name}: front matter lacks {sorted(missing)}")
    slides = tuple(_slide(c, f"{path.name} slide {i + 1}") for i, c in enumerate(chunks[2:]))
    return Deck(name=path.stem, title=meta["title"], lab=meta["lab"], slides=slides, path=path)


def load_decks(root: Path | None = None) -> list[Deck]:
    """Every deck in curriculum order (file names start with their position)."""
    return [load_deck(p) for p in sorted((root or decks_dir()).glob("*.md"))]
