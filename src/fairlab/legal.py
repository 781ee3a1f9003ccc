"""The course's one dated statement of time-dependent law, shown by every lab that mentions it.

Law about disparate impact, race-aware training, the EU AI Act's dates and the US state and city
rules on automated decisions changes from month to month. Rather than a different sentence per lab
(which drift apart and go stale one by one), each lab shows the same box::

    from fairlab.legal import status_box
    status_box("us_disparate_impact", "race_in_training")

The text is the Jinja2 template ``fairlab/templates/legal_status.md``; :data:`AS_OF` and
:data:`CHECKED` date it, and :data:`SOURCES` records what each topic was checked against. When you
re-check a topic, update its section, its sources and the dates together.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

__all__ = ["AS_OF", "CHECKED", "SOURCES", "TEMPLATE", "TOPICS", "status_box", "status_markdown"]

#: Month the box speaks for ("as of ...").
AS_OF = "December 2026"
#: Day the statements were last checked against the sources in :data:`SOURCES`.
CHECKED = "4 December 2026"
#: Template (in ``fairlab/templates/``) holding the text, one ``{% if %}`` section per topic.
TEMPLATE = "legal_status.md"

#: Topics in the order the box prints them.
TOPICS = (
    "us_disparate_impact",
    "race_in_training",
    "eu_ai_act",
    "recommenders",
    "hiring_laws",
    "colorado",
    "eu_consumer_credit",
)

#: What each topic's time-dependent statements were checked against (primary texts where the
#: statement is the text itself; law-firm, regulator and official-audit reports for events).
SOURCES: dict[str, tuple[str, ...]] = {
    "us_disparate_impact": (
        "Executive Order 14281, 23 April 2025, 90 FR 17537 (28 April 2025)",
        "CFPB withdrawal of 67 guidance documents incl. Circular 2022-03, effective 12 May 2025 "
        "(Krieg DeVault, 13 May 2025; Venable, May 2025)",
        "CFPB proposed Regulation B amendments, November 2025, comments to 15 December 2025 "
        "(Steptoe; Doeren)",
        "CFPB final rule amending Regulation B, published 22 April 2026, effective 21 July 2026 "
        "(Cooley, April 2026; Venable, May 2026; Orrick InfoBytes, 24 April 2026)",
        "Reported suit by fair-housing groups to vacate the rule (secondary press only; not confirmed)",
        "Title VII § 703(k), 42 U.S.C. § 2000e-2(k); ECOA civil liability, 15 U.S.C. § 1691e",
    ),
    "race_in_training": (
        "12 CFR 1002.5(b), 1002.13, 1002.15 (Regulation B)",
        "Title VII § 703(a), § 703(l); Ricci v. DeStefano, 557 U.S. 557 (2009)",
        "Regulation (EU) 2024/1689, Art. 10(5); Regulation (EU) 2016/679, Art. 9",
        "Reports on the digital omnibus's bias-detection change (June-July 2026); amended text not read",
    ),
    "eu_ai_act": (
        "Regulation (EU) 2024/1689, Art. 113 (application dates), Annex III points 4(a) and 5(b)",
        "Digital omnibus on AI: Commission proposal 19 November 2025 (Slaughter and May); political "
        "agreement 7 May 2026; Parliament 16 June 2026; Council final approval late June 2026 "
        "(DLA Piper, 2 July 2026; Council item note reported 24 June, others 29 June)",
        "Official Journal publication: expected July 2026 in all sources, not confirmed",
    ),
    "recommenders": (
        "Regulation (EU) 2024/1689, Annex III (no recommender category)",
        "Regulation (EU) 2022/2065 (Digital Services Act), Arts. 27, 34, 35, 38",
        "Regulation (EU) 2019/1150 (platform-to-business), Art. 5",
    ),
    "hiring_laws": (
        "NYC Admin. Code §§ 20-870-20-874; DCWP rules enforced from 5 July 2023",
        "New York State Comptroller, audit 'Enforcement of Local Law 144', issued 2 December 2025 "
        "(osc.ny.gov)",
        "Illinois HB 3773 amending the Illinois Human Rights Act, effective 1 January 2026 "
        "(law-firm and vendor summaries)",
        "Regulation (EU) 2024/1689, Annex III point 4(a)",
    ),
    "colorado": (
        "SB 25B-004, signed 28 August 2025 (delay to 30 June 2026)",
        "SB 26-189, signed 14 May 2026, effective 1 January 2027 (Colorado Attorney General, "
        "coag.gov/resources/ai; Ballard Spahr Consumer Finance Monitor, May 2026)",
    ),
    "eu_consumer_credit": (
        "Directive (EU) 2023/2225 of 18 October 2023 (OJ 30 October 2023): transposition by "
        "20 November 2025, application from 20 November 2026",
        "European Parliament Legislative Observatory summary 2021/0171(COD); Digital Policy Alert",
    ),
}

_TEMPLATES = Path(__file__).parent / "templates"


def _topics(topics: tuple[str, ...]) -> tuple[str, ...]:
    if not topics:
        return TOPICS
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise ValueError(f"unknown legal-status topic(s) {unknown}; choose from {list(TOPICS)}")
    return tuple(t for t in TOPICS if t in topics)


def status_markdown(*topics: str) -> str:
    """The box as Markdown (a blockquote) with the sections for ``topics`` (all when none given)."""
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, autoescape=False)
    text = env.get_template(TEMPLATE).render(topics=_topics(topics), as_of=AS_OF, checked=CHECKED)
    lines = text.strip("\n").splitlines()
    return "\n".join(f"> {line}" if line else ">" for line in lines) + "\n"


def status_box(*topics: str):
    """The box for a notebook: :func:`status_markdown` wrapped in ``IPython.display.Markdown``."""
    from IPython.display import Markdown

    return Markdown(status_markdown(*topics))
