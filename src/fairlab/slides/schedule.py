"""The 3- and 4-day programmes: ``slides/schedule.yml`` timed with the decks' and labs' own minutes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import paths
from .deck import Deck, load_decks

__all__ = ["Block", "Day", "Programme", "Section", "lab_core_minutes", "lab_sections", "lab_stated_minutes",
           "load_programmes", "render_agenda"]

_STATED = re.compile(r"\*\*Time\.\*\* (?:About )?(\d+)(?:–(\d+))? (minutes|hours)")


@dataclass(frozen=True)
class Block:
    """One slot of a day: a deck, a discussion, a lab, a break or lunch."""

    kind: str  # "deck", "session", "lab", "break"
    name: str
    title: str
    minutes: int
    start: int  # minutes after midnight

    @property
    def instructor_led(self) -> bool:
        """Decks and facilitated discussions are the instructor-led share; labs are hands-on."""
        return self.kind in ("deck", "session")


@dataclass(frozen=True)
class Day:
    """A day of a programme."""

    number: int
    blocks: tuple[Block, ...]

    @property
    def end(self) -> int:
        """When the day's last block ends (minutes after midnight)."""
        last = self.blocks[-1]
        return last.start + last.minutes


@dataclass(frozen=True)
class Programme:
    """A schedule (3-day or 4-day) and the measures a test checks."""

    name: str
    days: tuple[Day, ...]

    def minutes(self, *kinds: str) -> int:
        """Total minutes of the blocks of the given kinds."""
        return sum(b.minutes for d in self.days for b in d.blocks if b.kind in kinds)

    @property
    def instructor_share(self) -> float:
        """Instructor-led minutes over instructor-led plus lab minutes (breaks excluded)."""
        led = self.minutes("deck", "session")
        return led / (led + self.minutes("lab"))


def schedule_path() -> Path:
    """The schedule data file (``slides/schedule.yml``)."""
    return paths.repo_root() / "slides" / "schedule.yml"


def load_schedule() -> dict:
    """The parsed ``slides/schedule.yml``."""
    return yaml.safe_load(schedule_path().read_text())


@dataclass(frozen=True)
class Section:
    """A level-2 section of a lab notebook, as its heading cell's ``metadata.fairlab`` marks it."""

    heading: str
    path: str  # "core" or "optional"
    minutes: int


def _notebook(lab: str) -> dict:
    return json.loads((paths.solutions_dir() / lab / f"{lab}.ipynb").read_text())


def lab_sections(lab: str) -> list[Section]:
    """Every section of the lab (a markdown cell opening with a ``## `` heading), core or optional.

    The heading cell carries ``metadata.fairlab = {"path": "core" | "optional", "minutes": N}``; a
    section heading without it is an error, so that a new section cannot slip out of the schedule.
    """
    sections = []
    for cell in _notebook(lab)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown" or not source.startswith("## "):
            continue
        heading = source.split("\n")[0]
        mark = cell["metadata"].get("fairlab")
        if not mark or mark.get("path") not in ("core", "optional"):
            raise ValueError(f"{lab}: section {heading!r} has no metadata.fairlab path (core or optional)")
        sections.append(Section(heading, mark["path"], int(mark["minutes"])))
    return sections


def lab_core_minutes(lab: str) -> int:
    """Minutes of the lab's core path: the sum of its core sections' minutes."""
    return sum(s.minutes for s in lab_sections(lab) if s.path == "core")


def lab_stated_minutes(lab: str) -> tuple[int, int]:
    """The time a lab's introduction states ("About 90 minutes", "4–6 hours"), as (low, high) minutes."""
    intro = "".join(_notebook(lab)["cells"][0]["source"])
    match = _STATED.search(intro)
    if not match:
        raise ValueError(f"{lab}: no '**Time.** About N minutes' line in the introduction")
    unit = 60 if match.group(3) == "hours" else 1
    low = int(match.group(1)) * unit
    return low, int(match.group(2) or match.group(1)) * unit


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _block(item: dict, decks: dict[str, Deck], lab_titles: dict[str, str], start: int) -> Block:
    if "deck" in item:
        deck = decks[item["deck"]]
        return Block("deck", deck.name, deck.title, round(deck.minutes), start)
    if "lab" in item:
        return Block("lab", item["lab"], lab_titles[item["lab"]], int(item["minutes"]), start)
    if "session" in item:
        return Block("session", item["session"], item["session"], int(item["minutes"]), start)
    return Block("break", item["break"], item["break"], int(item["minutes"]), start)


def load_programmes() -> list[Programme]:
    """Every programme of ``schedule.yml``, each block timed and placed on the clock."""
    data = load_schedule()
    decks = {d.name: d for d in load_decks()}
    lab_titles = {lab: entry["title"] for lab, entry in data["labs"].items()}
    programmes = []
    for name, days in data["programmes"].items():
        built = []
        for number, items in enumerate(days, start=1):
            clock, blocks = _clock(data["day_starts"]), []
            for item in items:
                block = _block(item, decks, lab_titles, clock)
                blocks.append(block)
                clock += block.minutes
            built.append(Day(number, tuple(blocks)))
        programmes.append(Programme(name, tuple(built)))
    return programmes


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_table(day: Day) -> list[str]:
    rows = [f"#### Day {day.number}", "", "| time | | what | minutes |", "|---|---|---|---|"]
    kinds = {"deck": "talk", "session": "discussion", "lab": "lab", "break": ""}
    for b in day.blocks:
        what = {"deck": f"{b.title} (`slides/decks/{b.name}.md`)", "lab": f"{b.title} (`labs/{b.name}`)"}
        rows.append(f"| {_hhmm(b.start)}–{_hhmm(b.start + b.minutes)} | {kinds[b.kind]} | "
                    f"{what.get(b.kind, b.title)} | {b.minutes} |")
    return [*rows, ""]


def _programme_section(p: Programme) -> list[str]:
    led, lab = p.minutes("deck", "session"), p.minutes("lab")
    lines = [f"### {p.name}", "",
             f"Instructor-led {led} min ({led / 60:.1f} h), labs {lab} min ({lab / 60:.1f} h): "
             f"**{p.instructor_share:.0%} instructor-led, {1 - p.instructor_share:.0%} labs**.", ""]
    for day in p.days:
        lines += _day_table(day)
    return lines


def _take_home_section(data: dict) -> list[str]:
    rows = [(name, lab, minutes) for name, labs in (data.get("take_home") or {}).items()
            for lab, minutes in labs.items()]
    if not rows:
        return []
    lines = ["## Take-home", "", data["take_home_note"].strip(), "",
             "| programme | lab | core min | in class | take-home |", "|---|---|---|---|---|"]
    programmes = {p.name: p for p in load_programmes()}
    for name, lab, minutes in rows:
        in_class = sum(b.minutes for d in programmes[name].days for b in d.blocks
                       if b.kind == "lab" and b.name == lab)
        lines.append(f"| {name} | `{lab}` | {lab_core_minutes(lab)} | {in_class} | {minutes} |")
    return [*lines, ""]


def _labs_section(data: dict) -> list[str]:
    lines = ["## Labs: core path and breakouts", "",
             "Core minutes are the sum of the lab's core sections, read from the notebook (each section's "
             "heading cell is marked core or optional, with its minutes, in `metadata.fairlab`); the "
             "optional sections are homework, or a longer programme, and their headings say so. The "
             "stated time is the lab's own estimate.", "",
             "| lab | core min | optional min | stated | breakout (remote) | hands back |",
             "|---|---|---|---|---|---|"]
    for lab, entry in data["labs"].items():
        low, high = lab_stated_minutes(lab)
        stated = f"{low}" if low == high else f"{low}–{high}"
        optional = sum(s.minutes for s in lab_sections(lab) if s.path == "optional")
        b = entry["breakout"]
        lines.append(f"| `{lab}` | {lab_core_minutes(lab)} | {optional} | {stated} "
                     f"| {b['size']}: {b['roles']} | {b['hands_back']} |")
    return [*lines, ""]


def render_agenda() -> str:
    """``slides/AGENDA.md``, generated: the programmes, their split, the labs' core path and breakouts."""
    data = load_schedule()
    lines = ["<!-- Generated by `fairlab slides build` from slides/schedule.yml, the decks' timings and "
             "the labs' section metadata; do not edit. -->", "# Agenda", "", data["intro"].strip(), ""]
    for programme in load_programmes():
        lines += _programme_section(programme)
    lines += _labs_section(data)
    lines += _take_home_section(data)
    lines += ["## Delivery", "", data["delivery"].strip(), ""]
    return "\n".join(lines)
