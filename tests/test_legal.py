"""The shared legal-status box: every topic renders, dated, and only the topics asked for."""

from __future__ import annotations

import re

import pytest

from fairlab import legal

HEADINGS = {
    "us_disparate_impact": "US: disparate impact",
    "race_in_training": "Using race or sex when training",
    "eu_ai_act": "EU AI Act (Regulation (EU) 2024/1689)",
    "recommenders": "Recommenders and rankings",
    "hiring_laws": "Automated hiring tools",
    "colorado": "**Colorado**",
    "eu_consumer_credit": "EU Consumer Credit Directive",
}


def test_every_topic_has_a_heading_and_sources():
    assert set(HEADINGS) == set(legal.TOPICS) == set(legal.SOURCES)
    assert all(legal.SOURCES[t] for t in legal.TOPICS)


@pytest.mark.parametrize("topic", legal.TOPICS)
def test_one_topic_renders_dated_and_alone(topic):
    text = legal.status_markdown(topic)
    assert f"Legal status as of {legal.AS_OF}" in text
    assert legal.CHECKED in text
    assert HEADINGS[topic] in text
    assert [t for t, h in HEADINGS.items() if h in text] == [topic]
    assert "{{" not in text and "{%" not in text and "{#" not in text
    assert all(line.startswith(">") for line in text.splitlines())  # one blockquote


def test_no_topic_means_all_in_course_order():
    text = legal.status_markdown()
    positions = [text.index(HEADINGS[t]) for t in legal.TOPICS]
    assert positions == sorted(positions)
    assert legal.status_markdown(*reversed(legal.TOPICS)) == text


def test_unknown_topic_is_refused():
    with pytest.raises(ValueError, match="us_disparate_impact"):
        legal.status_markdown("gdpr")


def test_time_dependent_facts_are_stated_with_their_dates():
    text = legal.status_markdown()
    for fact in ["23 April 2025", "Circular 2022-03", "21 July 2026", "§ 703(k)", "1002.5(b)",
                 "1002.15", "Art. 10(5)", "2 August 2025", "2 December 2027",
                 "point 4(a)", "Digital Services Act", "Local Law 144", "1 January 2026",
                 "ZIP codes", "1 January 2027", "20 November 2026"]:
        assert fact in text, fact
    # what the sources could not settle is said, not asserted
    assert len(re.findall(r"not confirmed", text)) >= 4


def test_status_box_is_ipython_markdown():
    box = legal.status_box("colorado")
    assert type(box).__name__ == "Markdown"
    assert box.data == legal.status_markdown("colorado")
