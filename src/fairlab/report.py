"""Fairness audit reports: one self-contained HTML file and a Markdown twin, tied to a model version.

:func:`render_audit_report` takes what an audit produced (the metrics table with its verdicts, the
thresholds agreed before the audit, figures, findings, limitations) and writes ``report.html``
(figures embedded, no external resources) and ``report.md`` (figures saved as PNG files beside it)
into one folder. Every string the caller passes is escaped, so a group or feature name can never
inject markup into the report. Lab 03 and the capstone both use it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import io
import math
import numbers
import os
import pickle
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from matplotlib.figure import Figure

from fairlab.audit import VERDICTS, overall_verdict

__all__ = [
    "HTML_TEMPLATE",
    "MARKDOWN_TEMPLATE",
    "AuditReport",
    "DataInfo",
    "ModelInfo",
    "ReportError",
    "model_fingerprint",
    "render_audit_report",
]

#: Template files in ``fairlab/templates/`` (Jinja2).
HTML_TEMPLATE = "audit_report.html.j2"
MARKDOWN_TEMPLATE = "audit_report.md.j2"

_TEMPLATES = Path(__file__).parent / "templates"


class ReportError(ValueError):
    """The report cannot be written: a required field is missing or inconsistent."""


def model_fingerprint(model: object) -> str:
    """SHA-256 (hex) of the pickled model: the version an audit report is tied to."""
    return hashlib.sha256(pickle.dumps(model)).hexdigest()


@dataclass(frozen=True)
class ModelInfo:
    """The audited model: a name, the exact version audited, and what it decides."""

    name: str
    version: str
    description: str = ""
    owner: str = ""

    @classmethod
    def of(cls, model: object, name: str, *, description: str = "", owner: str = "") -> ModelInfo:
        """Describe a fitted model object, versioned by :func:`model_fingerprint`."""
        return cls(name=name, version=model_fingerprint(model), description=description, owner=owner)


@dataclass(frozen=True)
class DataInfo:
    """The data the audit was run on: dataset name, split and number of rows."""

    name: str
    split: str
    n_rows: int | None = None
    description: str = ""


@dataclass(frozen=True)
class AuditReport:
    """The files of a rendered report; displays as a preview of the HTML file in Jupyter."""

    directory: Path
    html: Path
    markdown: Path
    figures: tuple[Path, ...] = field(default_factory=tuple)
    overall: str = ""

    def _repr_html_(self) -> str:
        document = self.html.read_text(encoding="utf-8")
        return (
            f"<p>Audit report written to <code>{html.escape(str(self.html))}</code> and "
            f"<code>{html.escape(str(self.markdown))}</code> (with {len(self.figures)} figure file(s) "
            f"beside it). Overall verdict: <strong>{html.escape(self.overall)}</strong>.</p>"
            f'<iframe title="audit report preview" srcdoc="{html.escape(document, quote=True)}" '
            'style="width: 100%; height: 640px; border: 1px solid #bbb;"></iframe>'
        )


def _as_info(value: object, cls: type, what: str) -> object:
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        try:
            return cls(**value)
        except TypeError as error:
            raise ReportError(f"`{what}` does not describe a {cls.__name__}: {error}") from None
    raise ReportError(f"`{what}` should be a {cls.__name__} or a mapping of its fields, "
                      f"not a {type(value).__name__}.")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_list(values: object, what: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, Sequence):
        raise ReportError(f"`{what}` should be a list of strings.")
    return [str(v).strip() for v in values if not _blank(v)]


def _fmt_cell(value: object, float_format: str) -> str:
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return float_format.format(float(value))
    if isinstance(value, tuple):
        return " · ".join(str(v) for v in value)
    return str(value)


def _table(frame: pd.DataFrame, float_format: str) -> dict[str, list]:
    """Header and rows of formatted cells (text, is-number); index levels become leading columns."""
    flat = frame.copy()
    if isinstance(flat.index, pd.RangeIndex) and flat.index.name is None:
        flat = flat.reset_index(drop=True)
    else:
        names = [n if n is not None else ("" if flat.index.nlevels == 1 else f"level {i}")
                 for i, n in enumerate(flat.index.names)]
        flat.index = flat.index.set_names(names)
        flat = flat.reset_index()
    header = [str(c) for c in flat.columns]
    rows = [[{"text": _fmt_cell(v, float_format),
              "num": isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_)}
             for v in row] for row in flat.itertuples(index=False)]
    return {"header": header, "rows": rows}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "figure"


def _png(figure: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a report is meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _md(value: object) -> str:
    """Markdown-safe text: HTML escaped, table pipes escaped, one line."""
    text = html.escape(str(value), quote=False).replace("|", "\\|")
    return " ".join(text.split())


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), undefined=StrictUndefined,
                      autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = _md
    return env


def _fairlab_version() -> str:
    try:
        return metadata.version("fairlab")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _metric_names(metrics: pd.DataFrame) -> list[str] | None:
    if "metric" in metrics.index.names:
        return [str(m) for m in metrics.index.get_level_values("metric").unique()]
    if "metric" in metrics.columns:
        return [str(m) for m in metrics["metric"].unique()]
    return None


def render_audit_report(
    out_dir: str | os.PathLike,
    *,
    title: str,
    model: ModelInfo | Mapping[str, object],
    data: DataInfo | Mapping[str, object],
    thresholds: Mapping[str, tuple[float, float]],
    metrics: pd.DataFrame,
    findings: Sequence[str],
    limitations: Sequence[str],
    verdicts: pd.Series | Sequence[str] | None = None,
    figures: Mapping[str, Figure] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    summary: str = "",
    recommendations: Sequence[str] = (),
    thresholds_note: str = "",
    min_group_size: int | None = None,
    auditor: str = "",
    date: dt.date | str | None = None,
    float_format: str = "{:.3f}",
    dpi: int = 100,
) -> AuditReport:
    """Write ``report.html`` (self-contained) and ``report.md`` (+ PNG figures) into ``out_dir``.

    ``metrics`` holds one row per check (e.g. from :func:`fairlab.audit.disparity_table`); its
    verdicts come from ``verdicts`` (aligned with its rows) or from a ``verdict`` column. Every
    metric named in the table's ``metric`` level or column must have a threshold in
    ``thresholds`` (``metric -> (lower, upper)``), stated before the audit. ``figures`` maps a
    caption to a matplotlib figure; ``tables`` maps a caption to any extra DataFrame. Raises
    :class:`ReportError` naming every missing or inconsistent field.
    """
    problems: list[str] = []
    if _blank(title):
        problems.append("`title` is empty")
    try:
        model = _as_info(model, ModelInfo, "model")
        data = _as_info(data, DataInfo, "data")
    except ReportError as error:
        raise ReportError(f"cannot write the audit report: {error}") from None
    for owner, attr in ((model, "name"), (model, "version"), (data, "name"), (data, "split")):
        if _blank(getattr(owner, attr)):
            kind = "model" if owner is model else "data"
            hint = " (e.g. report.model_fingerprint(model))" if attr == "version" else ""
            problems.append(f"`{kind}.{attr}` is empty{hint}")
    findings_list = _text_list(findings, "findings")
    limitations_list = _text_list(limitations, "limitations")
    recommendations_list = _text_list(recommendations, "recommendations")
    if not findings_list:
        problems.append("`findings` needs at least one finding")
    if not limitations_list:
        problems.append("`limitations` needs at least one limitation: every audit has some")
    if not thresholds:
        problems.append("`thresholds` is empty: state the acceptable range of each metric")
    if not isinstance(metrics, pd.DataFrame) or metrics.empty:
        problems.append("`metrics` should be a non-empty DataFrame with one row per check")
    if problems:
        raise ReportError("cannot write the audit report: " + "; ".join(problems) + ".")

    table = metrics.copy()
    if verdicts is not None:
        verdict_values = pd.Series(verdicts)
        if len(verdict_values) != len(table):
            raise ReportError(f"cannot write the audit report: {len(verdict_values)} verdicts for "
                              f"{len(table)} rows of `metrics`.")
        if isinstance(verdicts, pd.Series) and not verdicts.index.equals(table.index):
            try:
                verdict_values = verdicts.reindex(table.index)
            except (ValueError, TypeError):
                verdict_values = pd.Series([None] * len(table))
            if verdict_values.isna().any():
                raise ReportError("cannot write the audit report: the index of `verdicts` does not "
                                  "match the rows of `metrics`.")
        table["verdict"] = [str(v) for v in verdict_values]
    elif "verdict" not in table.columns:
        raise ReportError("cannot write the audit report: pass `verdicts` or give `metrics` a "
                          "`verdict` column (one of pass / inconclusive / fail per row).")
    bad = sorted({str(v) for v in table["verdict"]} - set(VERDICTS))
    if bad:
        raise ReportError(f"cannot write the audit report: unknown verdict(s) {bad}; "
                          f"use {list(VERDICTS)}.")
    named = _metric_names(table)
    if named is not None:
        missing = [m for m in named if m not in thresholds]
        if missing:
            raise ReportError(f"cannot write the audit report: no threshold stated for {missing}; "
                              "every verdict needs a range agreed before the audit.")
    for metric, bounds in thresholds.items():
        if len(tuple(bounds)) != 2 or not float(bounds[0]) <= float(bounds[1]):
            raise ReportError(f"cannot write the audit report: the threshold of {metric!r} should "
                              f"be (lower, upper) with lower <= upper, not {bounds!r}.")

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    when = date if isinstance(date, str) else (date or dt.date.today()).isoformat()
    counts = {v: int((table["verdict"] == v).sum()) for v in VERDICTS}

    figure_items, figure_paths, used = [], [], set()
    for i, (caption, figure) in enumerate((figures or {}).items(), start=1):
        if not isinstance(figure, Figure):
            raise ReportError(f"cannot write the audit report: figure {caption!r} is a "
                              f"{type(figure).__name__}, not a matplotlib Figure.")
        name = f"figure-{i:02d}-{_slug(str(caption))}.png"
        while name in used:
            name = name.replace(".png", "-x.png")
        used.add(name)
        png = _png(figure, dpi)
        _write_atomic(out / name, png)
        figure_paths.append(out / name)
        figure_items.append({"caption": str(caption), "file": name,
                             "data": base64.b64encode(png).decode("ascii")})

    context = {
        "title": str(title).strip(),
        "summary": str(summary or "").strip(),
        "model": model,
        "data": data,
        "date": when,
        "auditor": str(auditor or "").strip(),
        "fairlab_version": _fairlab_version(),
        "overall": overall_verdict(table["verdict"]),
        "counts": counts,
        "thresholds": [{"metric": str(m), "lower": _fmt_cell(float(b[0]), float_format),
                        "upper": _fmt_cell(float(b[1]), float_format)} for m, b in thresholds.items()],
        "thresholds_note": str(thresholds_note or "").strip(),
        "min_group_size": min_group_size,
        "metrics": _table(table, float_format),
        "findings": findings_list,
        "limitations": limitations_list,
        "recommendations": recommendations_list,
        "figures": figure_items,
        "tables": [{"caption": str(c), **_table(t, float_format)} for c, t in (tables or {}).items()],
    }
    env = _environment()
    html_path, md_path = out / "report.html", out / "report.md"
    _write_atomic(html_path, env.get_template(HTML_TEMPLATE).render(context).encode("utf-8"))
    _write_atomic(md_path, env.get_template(MARKDOWN_TEMPLATE).render(context).encode("utf-8"))
    return AuditReport(directory=out, html=html_path, markdown=md_path, figures=tuple(figure_paths),
                       overall=context["overall"])
