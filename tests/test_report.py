"""The audit report template: content, embedded figures, escaping, and clear errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import base64
import datetime as dt
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from fairlab import audit, report

THRESHOLDS = {"parity difference": (-0.05, 0.05), "disparate impact": (0.8, 1.25)}


@pytest.fixture
def metrics():
    index = pd.MultiIndex.from_tuples(
        [("race: Black vs non-Black", "parity difference"), ("race: Black vs non-Black", "disparate impact"),
         ("sex: female vs male", "parity difference"), ("sex: female vs male", "disparate impact")],
        names=["comparison", "metric"],
    )
    return pd.DataFrame({"n_unprivileged": [1317, 1317, 8362, 8362],
                         "estimate": [-0.0596, 0.898, -0.0366, 0.939],
                         "ci_low": [-0.089, 0.850, -0.051, 0.915],
                         "ci_high": [-0.034, 0.941, -0.022, 0.962]}, index=index)


@pytest.fixture
def verdicts(metrics):
    table = metrics.assign(lower=[-0.05, 0.8, -0.05, 0.8], upper=[0.05, 1.25, 0.05, 1.25])
    return audit.verdict_table(table)


@pytest.fixture
def figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["a", "b"], [1, 2])
    ax.set_title("Selection rate by group")
    yield fig
    plt.close(fig)


def _render(tmp_path, table, verdicts, figure, **overrides):
    kwargs = dict(
        title="Credit model audit",
        model=report.ModelInfo(name="approval model", version="abc123", description="approves loans"),
        data=report.DataInfo(name="credit", split="test", n_rows=18_000),
        thresholds=THRESHOLDS,
        metrics=table,
        verdicts=verdicts,
        findings=["Black applicants are approved 6.0 points less often."],
        limitations=["The labels are historical decisions, not repayment."],
        figures={"Selection rate by group": figure},
        date=dt.date(2024, 5, 1),
    )
    kwargs.update(overrides)
    return report.render_audit_report(tmp_path / "out", **kwargs)


def test_writes_html_markdown_and_figures(tmp_path, metrics, verdicts, figure):
    files = _render(tmp_path, metrics, verdicts, figure, recommendations=["Retrain without region."],
                    tables={"Small groups": pd.DataFrame({"group": ["Black · female · 65+"], "n": [81]})})
    assert files.html == tmp_path / "out" / "report.html" and files.html.is_file()
    assert files.markdown.is_file()
    assert len(files.figures) == 1 and files.figures[0].suffix == ".png" and files.figures[0].is_file()
    assert files.overall == audit.overall_verdict(verdicts)
    for text in (files.html.read_text(), files.markdown.read_text()):
        for expected in ("Credit model audit", "approval model", "abc123", "credit", "test", "18,000",
                         "2024-05-01", "parity difference", "-0.050", "1.250", "-0.060",
                         "race: Black vs non-Black", "6.0 points less often", "historical decisions",
                         "Retrain without region.", "Black · female · 65+", "Selection rate by group"):
            assert expected in text, expected
        for verdict in set(verdicts):
            assert verdict in text.lower()
    assert "![Selection rate by group](" + files.figures[0].name + ")" in files.markdown.read_text()


def test_html_is_self_contained_with_embedded_png(tmp_path, metrics, verdicts, figure):
    page = _render(tmp_path, metrics, verdicts, figure).html.read_text()
    sources = re.findall(r'src="([^"]+)"', page)
    assert len(sources) == 1 and sources[0].startswith("data:image/png;base64,")
    png = base64.b64decode(sources[0].split(",", 1)[1])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert '<td class="verdict inconclusive">inconclusive</td>' in page


def test_user_strings_are_escaped(tmp_path, metrics, verdicts, figure):
    evil = '<script>alert("x")</script>'
    renamed = metrics.rename(index={"race: Black vs non-Black": f"race {evil}"})
    files = _render(tmp_path, renamed, verdicts.rename(index={"race: Black vs non-Black": f"race {evil}"}),
                    figure, title=f"Audit {evil}", findings=[f"a | b {evil}"],
                    figures={f"fig {evil}": figure},
                    model=report.ModelInfo(name=evil, version="v1", owner="<b>team</b>"))
    for text in (files.html.read_text(), files.markdown.read_text()):
        assert "<script>" not in text and "<b>team</b>" not in text
        assert "&lt;script&gt;" in text
    assert "a \\| b" in files.markdown.read_text()  # a pipe cannot break a Markdown table


def test_preview_in_jupyter(tmp_path, metrics, verdicts, figure):
    files = _render(tmp_path, metrics, verdicts, figure)
    preview = files._repr_html_()
    assert "<iframe" in preview and str(files.html) in preview and files.overall in preview
    assert "<script>" not in preview
    assert files.html.stat().st_mode & 0o044  # readable by others, like any report


def test_verdict_column_and_mappings_are_accepted(tmp_path, metrics, verdicts, figure):
    files = _render(tmp_path, metrics.assign(verdict=verdicts), None, figure,
                    model={"name": "m", "version": report.model_fingerprint({"w": [1, 2]})},
                    data={"name": "credit", "split": "test"}, figures=None)
    assert files.figures == ()
    assert report.model_fingerprint({"w": [1, 2]}) in files.html.read_text()


@pytest.mark.parametrize(("override", "message"), [
    ({"title": " "}, "`title` is empty"),
    ({"model": report.ModelInfo(name="m", version="")}, "`model.version` is empty"),
    ({"data": report.DataInfo(name="credit", split="")}, "`data.split` is empty"),
    ({"findings": []}, "`findings` needs at least one finding"),
    ({"limitations": ["  "]}, "`limitations` needs at least one limitation"),
    ({"thresholds": {}}, "`thresholds` is empty"),
    ({"metrics": pd.DataFrame()}, "`metrics` should be a non-empty DataFrame"),
    ({"model": {"name": "m"}}, "`model` does not describe a ModelInfo"),
])
def test_missing_required_fields_raise_a_clear_error(tmp_path, metrics, verdicts, figure, override, message):
    with pytest.raises(report.ReportError, match=re.escape(message)):
        _render(tmp_path, metrics, verdicts, figure, **override)
    assert not (tmp_path / "out" / "report.html").exists()


def test_every_missing_field_is_named_at_once(tmp_path, metrics, verdicts, figure):
    with pytest.raises(report.ReportError) as error:
        _render(tmp_path, metrics, verdicts, figure, findings=[], limitations=[], title="")
    assert all(word in str(error.value) for word in ("title", "findings", "limitations"))


def test_inconsistent_inputs_are_rejected(tmp_path, metrics, verdicts, figure):
    with pytest.raises(report.ReportError, match="verdicts"):
        _render(tmp_path, metrics, None, figure)
    with pytest.raises(report.ReportError, match="2 verdicts for 4 rows"):
        _render(tmp_path, metrics, ["pass", "fail"], figure)
    with pytest.raises(report.ReportError, match="unknown verdict"):
        _render(tmp_path, metrics, ["pass", "fail", "ok", "pass"], figure)
    with pytest.raises(report.ReportError, match="does not match"):
        _render(tmp_path, metrics, verdicts.reset_index(drop=True).set_axis(list("wxyz")), figure)
    with pytest.raises(report.ReportError, match="no threshold stated for \\['disparate impact'\\]"):
        _render(tmp_path, metrics, verdicts, figure, thresholds={"parity difference": (-0.05, 0.05)})
    with pytest.raises(report.ReportError, match="lower <= upper"):
        _render(tmp_path, metrics, verdicts, figure,
                thresholds={"parity difference": (0.05, -0.05), "disparate impact": (0.8, 1.25)})
    with pytest.raises(report.ReportError, match="not a matplotlib Figure"):
        _render(tmp_path, metrics, verdicts, figure, figures={"oops": "figure.png"})


def test_model_fingerprint_changes_with_the_fitted_parameters():
    from sklearn.linear_model import LogisticRegression

    X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    a = LogisticRegression().fit(X, y)
    b = LogisticRegression().fit(X, [0, 1, 1, 1])
    assert repr(a) == repr(b)  # the repr only shows hyper-parameters …
    assert report.model_fingerprint(a) != report.model_fingerprint(b)  # … the fingerprint sees the fit
    assert report.model_fingerprint(a) == report.model_fingerprint(a)
    assert re.fullmatch(r"[0-9a-f]{64}", report.model_fingerprint(a))
    assert report.ModelInfo.of(a, "lr").version == report.model_fingerprint(a)


def test_public_names_are_documented():
    for name in report.__all__:
        obj = getattr(report, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), name
