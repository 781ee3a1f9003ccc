"""The slide decks: well-formed sources, numbers that match the labs, schedules that fit, and built
decks that work offline in headless Chromium (no console error, nothing missing, nothing overflowing,
notes on every slide, one PDF page per slide)."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from fairlab import labs, paths
from fairlab.slides import build, numbers, schedule
from fairlab.slides.deck import NOTE_FIELDS, load_decks
from fairlab.slides.render import SLIDE_HEIGHT, SLIDE_WIDTH

DECKS = load_decks()
# A quoted figure must come from num()/pub(): percentages, decimals below one and money are not typed.
_PASTED = re.compile(r"\d+(?:[.,]\d+)?\s?%|(?<![\d.])0\.\d+|\$\s?\d")
_CITE = re.compile(r'<span class="cite">.*?</span>', re.S)


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        message = f"{tool} is not installed: `sudo apt-get install chromium npm` (what .ci/run installs)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def test_decks_follow_the_curriculum_and_end_at_their_lab():
    assert [d.lab for d in DECKS if d.lab] == labs.lab_names()
    assert DECKS[0].name.endswith("opening") and DECKS[-1].name.endswith("closing")
    for deck in DECKS:
        if deck.lab:
            assert f"labs/{deck.lab}" in deck.slides[-1].body, f"{deck.name}: last slide must name its lab"


@pytest.mark.parametrize("deck", DECKS, ids=lambda d: d.name)
def test_every_slide_has_speaker_notes_for_an_instructor(deck):
    for i, slide in enumerate(deck.slides):
        assert {"Say", "Time"} <= slide.fields, f"{deck.name} slide {i + 1}: notes need Say and Time"
        if 0 < i < len(deck.slides) - 1:
            missing = set(NOTE_FIELDS) - slide.fields
            assert not missing, f"{deck.name} slide {i + 1} ({slide.title}): notes lack {sorted(missing)}"


@pytest.mark.parametrize("deck", DECKS, ids=lambda d: d.name)
def test_slides_quote_no_pasted_numbers(deck):
    for i, slide in enumerate(deck.slides):
        text = _CITE.sub("", re.sub(r"\{\{.*?\}\}", "", slide.body, flags=re.S))
        pasted = _PASTED.findall(text)
        assert not pasted, f"{deck.name} slide {i + 1}: {pasted} typed by hand; use num() or pub()"


def test_numbers_computed_for_the_slides_match_the_lab_headlines(course_data):
    checked = 0
    for name, number in numbers.slide_numbers().items():
        if number.headline:
            value, tolerance = numbers.headline(number.lab, number.headline)
            assert abs(number.value - value) <= tolerance + 1e-12, (
                f"{name}: slide {number.value} vs {number.lab} headline {number.headline} = {value}")
            checked += 1
    assert checked == len(numbers.slide_numbers()) - 4  # the four COMPAS rates: lab 01 has no headlines


def _run_lab_cells(lab: str, grade_ids: list[str]) -> dict:
    """Execute the named cells of a solution notebook (the lab's own code) and return its globals."""
    nb = json.loads((paths.solutions_dir() / lab / f"{lab}.ipynb").read_text())
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in nb["cells"]}
    namespace: dict = {}
    exec("import pandas as pd\nfrom fairlab import datasets, plotting", namespace)  # noqa: S102
    for grade_id in grade_ids:
        exec(cells[grade_id], namespace)  # noqa: S102
    return namespace


def test_compas_numbers_are_those_lab_01_computes(course_data):
    lab = _run_lab_cells("01_fairness_metrics", ["compas_data", "compas_rates_answer"])
    quoted = numbers.slide_numbers()
    for race, key in (("African-American", "black"), ("Caucasian", "white")):
        assert quoted[f"compas_fpr_{key}"].value == pytest.approx(lab["fpr_compas"][race], abs=1e-12)
        assert quoted[f"compas_fnr_{key}"].value == pytest.approx(lab["fnr_compas"][race], abs=1e-12)
        published = numbers.published()[f"propublica_fpr_{key}"].value
        assert published == pytest.approx(lab["PROPUBLICA"].loc[race, "FPR"], abs=1e-3)


def test_schedules_fit_the_day_and_the_core_path():
    data = schedule.load_schedule()
    day_end = sum(int(x) * m for x, m in zip(data["day_ends"].split(":"), (60, 1), strict=True))
    low, high = data["instructor_share"]
    for programme in schedule.load_programmes():
        for day in programme.days:
            assert day.end <= day_end, f"{programme.name} day {day.number} ends after {data['day_ends']}"
        share = programme.instructor_share
        assert low <= share <= high, f"{programme.name}: {share:.0%} instructor-led"
        blocks = [b for d in programme.days for b in d.blocks]
        assert [b.name for b in blocks if b.kind == "deck"] == [d.name for d in DECKS]
        lab_order = list(dict.fromkeys(b.name for b in blocks if b.kind == "lab"))
        assert lab_order == labs.lab_names(), f"{programme.name}: labs missing or out of order"
        assert blocks[-1].name == DECKS[-1].name, "the closing deck ends the programme"
        assert "11_capstone" in [b.name for b in programme.days[-1].blocks], "the capstone is on the last day"
        take_home = (data.get("take_home") or {}).get(programme.name, {})
        for lab in data["labs"]:
            core = schedule.lab_core_minutes(lab)  # from the notebook's section metadata
            in_class = sum(b.minutes for b in blocks if b.kind == "lab" and b.name == lab)
            minutes = in_class + take_home.get(lab, 0)
            assert minutes >= core, f"{programme.name}: {lab} {minutes} min < core path {core} min"


def test_schedule_lists_every_lab_and_no_core_minutes():
    data = schedule.load_schedule()
    assert list(data["labs"]) == labs.lab_names()
    for lab, entry in data["labs"].items():
        assert "core" not in entry, f"{lab}: core minutes come from the notebook's section metadata"
    for name, take_home in (data.get("take_home") or {}).items():
        assert set(take_home) <= {"11_capstone"}, f"{name}: only the capstone is finished after the course"


@pytest.mark.parametrize("lab", labs.lab_names())
def test_core_path_is_within_each_labs_stated_time(lab):
    low, high = schedule.lab_stated_minutes(lab)
    sections = schedule.lab_sections(lab)
    total = sum(s.minutes for s in sections)
    assert schedule.lab_core_minutes(lab) <= low or all(s.path == "core" for s in sections), lab
    assert 0.85 * low <= total <= 1.15 * high, f"{lab}: sections add up to {total} min, stated {low}–{high}"


def _cells(lab: str) -> list[dict]:
    return json.loads((paths.solutions_dir() / lab / f"{lab}.ipynb").read_text())["cells"]


def _graded_points(cells: list[dict]) -> float:
    return sum(c["metadata"].get("nbgrader", {}).get("points") or 0 for c in cells
               if c["metadata"].get("nbgrader", {}).get("grade"))


@pytest.mark.parametrize("lab", labs.lab_names())
def test_every_section_is_marked_core_or_optional_in_metadata_and_visibly(lab):
    cells = _cells(lab)
    heads = []
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            continue
        inner = [line for line in source.split("\n")[1:] if line.startswith("## ")]
        assert not inner, f"{lab} cell {i}: {inner[0]!r} must open its own cell (which carries its mark)"
        if source.startswith("## "):
            mark = cell["metadata"].get("fairlab", {})
            heading = source.split("\n")[0]
            assert mark.get("path") in ("core", "optional"), f"{lab}: {heading!r}: no metadata.fairlab path"
            assert isinstance(mark.get("minutes"), int) and mark["minutes"] > 0, f"{lab}: {heading!r} minutes"
            heads.append(i)
    assert heads, lab
    optional_points = 0.0
    for n, i in enumerate(heads):
        heading = "".join(cells[i]["source"]).split("\n")[0]
        section = cells[i:heads[n + 1] if n + 1 < len(heads) else len(cells)]
        optional = cells[i]["metadata"]["fairlab"]["path"] == "optional"
        assert optional == bool(re.search(r" — optional(?: \(\d+ points?\))?$", heading)), (
            f"{lab}: {heading!r}: an optional section's heading ends with '— optional', and only then")
        points = _graded_points(section)
        if optional:
            optional_points += points
            if points:  # a learner who skips it must see what it costs
                assert f"({points:g} point" in heading, f"{lab}: {heading!r} holds {points:g} graded points"
    intro = "".join(cells[0]["source"])
    stated = re.search(r"\*\*Core path\.\*\*(.*?)(?:\n\n|$)", intro, re.S)
    assert stated, f"{lab}: the introduction says what the core path is"
    said = re.sub(r"\s+", " ", stated.group(1))
    assert f"about {schedule.lab_core_minutes(lab)} minutes" in said, f"{lab}: intro vs metadata: {said}"
    if optional_points:
        assert f"hold {optional_points:g} of the lab's graded points" in said, f"{lab}: {said}"


@pytest.mark.parametrize("lab", labs.lab_names())
def test_lab_ends_with_a_check_your_answers_section(lab):
    cells = _cells(lab)
    heading, code = cells[-2], cells[-1]
    assert "".join(heading["source"]).startswith("## Check your answers"), lab
    text = "".join(heading["source"])
    for needed in ("Save the notebook first", "fresh kernel", "instructor"):
        assert needed in text, f"{lab}: the check section should say {needed!r}"
    assert code["cell_type"] == "code" and "".join(code["source"]) == "import fairlab\n\nfairlab.check()"
    grading = code["metadata"].get("nbgrader", {})
    assert not grading.get("grade") and not grading.get("solution"), f"{lab}: the check cell is not graded"


def _anchors(markdown: str) -> set[str]:
    """Explicit `<a id>` anchors and GitHub-style heading anchors of a Markdown file."""
    found = set(re.findall(r'<a (?:id|name)="([^"]+)"', markdown))
    for heading in re.findall(r"^#+ (.+)$", markdown, re.M):
        found.add(re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-"))
    return found


@pytest.mark.parametrize("lab", labs.lab_names())
def test_every_written_answer_links_its_rubric(lab):
    cells = _cells(lab)
    answers = [(i, c["metadata"]["nbgrader"]["grade_id"]) for i, c in enumerate(cells)
               if c["cell_type"] == "markdown" and c["metadata"].get("nbgrader", {}).get("solution")
               and c["metadata"]["nbgrader"].get("grade")]
    assert answers, lab
    for i, grade_id in answers:
        before = "".join(cells[i - 1]["source"])
        if lab == "11_capstone":  # not shipped in the image, so named rather than linked
            section = re.search(r"section ([A-C]) of the capstone rubric, `capstone/RUBRIC.md`", before)
            assert section, f"{lab} {grade_id}: name the rubric and its section"
            rubric = (paths.repo_root() / "capstone" / "RUBRIC.md").read_text()
            assert re.search(rf"^## {section.group(1)}\. ", rubric, re.M), f"{lab} {grade_id}"
            continue
        links = re.findall(r"\[rubric\]\(([^)#]+)#([^)]+)\)", before)
        assert links, f"{lab} {grade_id}: the instructions before the answer link its rubric"
        for target, anchor in links:
            # relative to labs/NN/ (also workspace/NN/ and the image's ~/labs/NN/, whose ../../rubrics exists)
            path = (paths.repo_root() / "labs" / lab / target).resolve()
            assert path.is_file(), f"{lab} {grade_id}: {target} does not exist"
            assert path.parent == (paths.repo_root() / "rubrics").resolve(), f"{lab}: {target}: not a rubric"
            assert anchor == grade_id, f"{lab}: {grade_id} links #{anchor}"
            assert anchor in _anchors(path.read_text()), f"{lab}: #{anchor} not in {target}"


def test_agenda_is_generated_from_the_schedule():
    assert build.agenda_path().read_text() == schedule.render_agenda(), "run `make slides`"


@pytest.fixture(scope="module")
def built(tmp_path_factory, course_data):
    _require("chromium")
    _require("npm")
    out = tmp_path_factory.mktemp("slides")
    build.build(out)
    return out


_INSPECT = """() => {
  const slides = Reveal.getSlides();
  const out = {slides: slides.length, notes: [], images: [], fonts: []};
  slides.forEach((s, i) => {
    const note = s.querySelector('aside.notes');
    out.notes.push(note ? note.textContent.trim().length : 0);
  });
  document.querySelectorAll('img').forEach(img => out.images.push(img.complete && img.naturalWidth > 0));
  document.fonts.forEach(f => out.fonts.push(f.family + ' ' + f.weight + ' ' + f.status));
  return out;
}"""


@pytest.mark.slow
def test_built_decks_work_offline_in_chromium(built):
    from fairlab.slides import browser

    with browser.open_browser() as chromium:
        for deck in DECKS:
            problems: list[str] = []
            blocked: list[str] = []
            page = browser.offline_page(chromium, width=SLIDE_WIDTH, height=SLIDE_HEIGHT, blocked=blocked)
            page.on("console", lambda m, p=problems: m.type == "error" and p.append(f"console: {m.text}"))
            page.on("pageerror", lambda e, p=problems: p.append(f"page error: {e}"))
            page.on("requestfailed", lambda r, p=problems: p.append(f"failed: {r.url}"))
            page.goto((built / f"{deck.name}.html").as_uri())
            browser.wait_for_reveal(page)
            page.wait_for_function("() => document.fonts.status === 'loaded'")
            found = page.evaluate(_INSPECT)
            assert found["slides"] == len(deck.slides), deck.name
            assert all(found["notes"]), f"{deck.name}: slides without speaker notes {found['notes']}"
            assert all(found["images"]), f"{deck.name}: an image did not load"
            assert not [f for f in found["fonts"] if f.endswith("error")], f"{deck.name}: {found['fonts']}"
            assert any(f.endswith("loaded") for f in found["fonts"]), f"{deck.name}: course font not used"
            for i in range(len(deck.slides)):
                page.evaluate(f"Reveal.slide({i})")
                height, width = page.evaluate(
                    "() => [Reveal.getCurrentSlide().scrollHeight, Reveal.getCurrentSlide().scrollWidth]")
                assert height <= SLIDE_HEIGHT and width <= SLIDE_WIDTH, (
                    f"{deck.name} slide {i + 1} ({deck.slides[i].title}) overflows: {width}x{height}")
            assert not problems and not blocked, f"{deck.name}: {problems} {blocked}"
            page.context.close()


@pytest.mark.slow
def test_each_handout_has_one_page_per_slide(built):
    for deck in DECKS:
        pdf = (built / f"{deck.name}.pdf").read_bytes()
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        assert pages == len(deck.slides), f"{deck.name}.pdf: {pages} pages for {len(deck.slides)} slides"


def _written_answers(lab: str) -> dict[str, int]:
    nb = json.loads((paths.solutions_dir() / lab / f"{lab}.ipynb").read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: int(c["metadata"]["nbgrader"]["points"])
            for c in nb["cells"] if c["cell_type"] == "markdown"
            and c["metadata"].get("nbgrader", {}).get("solution") and c["metadata"]["nbgrader"].get("grade")}


@pytest.mark.parametrize("lab", [lab for lab in labs.lab_names() if lab != "11_capstone"])
def test_every_written_answer_has_a_rubric_with_its_points(lab):
    rubric = (paths.repo_root() / "rubrics" / f"{lab}.md").read_text()
    sections = dict(re.findall(r"^## `(\w+)` \((\d+) points?\)$", rubric, re.M))
    answers = _written_answers(lab)
    assert {k: int(v) for k, v in sections.items()} == answers, f"rubrics/{lab}.md vs the notebook"
    for grade_id, points in answers.items():
        body = rubric.split(f"## `{grade_id}`")[1].split("\n## ")[0]
        criteria = [int(p) for p in re.findall(r"^\|.*\| (\d+) \|$", body, re.M)]
        assert sum(criteria) == points, f"{lab} {grade_id}: criteria add up to {sum(criteria)}, not {points}"
        assert "Common weak answer" in body, f"{lab} {grade_id}: no common weak answer"
