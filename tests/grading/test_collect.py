"""Collecting from an nbgrader exchange and a folder: ids, receipts, immutable raw files."""

from __future__ import annotations

import json
import stat

import pytest

from fairlab.grading import _collect

from . import corpus
from .conftest import make_course, release_of


def test_safe_id_keeps_plain_ids_and_makes_others_safe_and_distinct():
    assert _collect.safe_id("alice_01") == "alice_01"
    odd = [_collect.safe_id(s) for s in ("../../etc", "Zoë O'Brien", "a b", "a_b ")]
    assert all("/" not in s and ".." not in s and " " not in s for s in odd)
    assert len(set(odd)) == len(odd)
    assert odd[1].startswith("Zoë_O_Brien-")


@pytest.mark.slow
def test_collect_from_exchange_and_folder(tmp_path):
    course = make_course(tmp_path)
    data = json.dumps(release_of(course)).encode()
    inbound = tmp_path / "exchange" / "fairlab" / "inbound"
    for folder in ("bob+01_fixture+2026-01-01 10:00:00.000000 UTC+ab",
                   "bob+01_fixture+2026-01-02 10:00:00.000000 UTC+cd"):
        (inbound / folder).mkdir(parents=True)
    (inbound / "bob+01_fixture+2026-01-01 10:00:00.000000 UTC+ab" / "fixture.ipynb").write_bytes(
        b"old")
    (inbound / "bob+01_fixture+2026-01-02 10:00:00.000000 UTC+cd" / "fixture.ipynb").write_bytes(
        data)
    receipts = _collect.collect(course, corpus.ASSIGNMENT, tmp_path / "exchange")
    assert [(r["student"], r["notebook"]) for r in receipts] == [("bob", "fixture")]
    submitted = course / "submitted" / "bob" / corpus.ASSIGNMENT
    assert (submitted / "fixture.ipynb").read_bytes() == data
    assert (submitted / "timestamp.txt").read_text().endswith("UTC\n")

    folder = tmp_path / "lms"
    (folder / "carol").mkdir(parents=True)
    (folder / "carol" / "my lab (1).ipynb").write_bytes(data)
    (folder / "dave_fixture.ipynb").write_bytes(b"")
    receipts = _collect.collect(course, corpus.ASSIGNMENT, folder)
    assert sorted((r["student"], r["notebook"]) for r in receipts) == [
        ("carol", "fixture"), ("dave", "fixture")]
    raw = course / "fairlab" / "raw" / receipts[0]["sha256"]
    assert raw.is_file() and not raw.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP)
    log = (course / "fairlab" / "receipts.jsonl").read_text().splitlines()
    assert len(log) == 3 and all("received_at" in json.loads(line) for line in log)
