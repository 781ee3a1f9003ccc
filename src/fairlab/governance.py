"""Governance helpers: version-locked artefacts and model cards, fairness policies applied to a model
registry, release gates, role-based report access, archives for regulators, adverse-action reasons.

Everything here is plain data in, plain data out (dicts, DataFrames, files with SHA-256 hashes), so a
review board, an auditor or a regulator can re-run a check without the code that trained the model.
Lab 09 introduces each helper; the capstone reuses :func:`model_card` and :func:`write_model_card` for
a model the learner did not train.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from matplotlib.patches import Patch
from scipy import stats

from fairlab.audit import overall_verdict, verdict

from ._arrays import as_array as _array
from .datasets._raw import sha256_of

__all__ = [
    "CARD_SCHEMA",
    "MANIFEST_NAME",
    "MODEL_CARD_TEMPLATE",
    "POLICY_METRICS",
    "VERDICT_COLORS",
    "IntegrityError",
    "ModelCardError",
    "access_matrix",
    "card_diff",
    "card_problems",
    "check_verdicts",
    "disaggregated_metrics",
    "filter_report",
    "flatten",
    "linear_contributions",
    "load_artefact",
    "model_card",
    "plot_verdicts",
    "policy_checks",
    "principal_reasons",
    "read_model_card",
    "release_gate",
    "render_model_card",
    "save_artefact",
    "sha256_bytes",
    "sha256_file",
    "verdict_matrix",
    "verify_manifest",
    "verify_model_card",
    "verify_sha256",
    "write_manifest",
    "write_model_card",
    "write_snapshot",
]

#: Identifies the structure of the dicts :func:`model_card` returns.
CARD_SCHEMA = "fairlab-model-card/1"

#: Jinja2 template (in ``fairlab/templates/``) that :func:`render_model_card` fills.
MODEL_CARD_TEMPLATE = "model_card.md.j2"

#: File name of the manifest :func:`write_manifest` writes into an archive folder.
MANIFEST_NAME = "manifest.json"

#: Policy metrics :func:`policy_checks` knows, and which direction is better for each.
POLICY_METRICS: dict[str, str] = {
    "approval_ratio": "higher",       # lowest group approval rate / highest (four-fifths style)
    "approval_difference": "lower",   # highest group approval rate - lowest
    "tpr_difference": "lower",        # highest true positive rate - lowest (equal opportunity)
}

#: Colours of the three verdicts (Okabe-Ito green, orange, vermillion).
VERDICT_COLORS: dict[str, str] = {"pass": "#009E73", "inconclusive": "#E69F00", "fail": "#D55E00"}

_TEMPLATES = Path(__file__).parent / "templates"

class IntegrityError(ValueError):
    """A file's SHA-256 is not the one it was recorded with."""


class ModelCardError(ValueError):
    """A model card is incomplete or does not describe the artefact it is checked against."""


# --------------------------------------------------------------------------- hashing and artefacts


def sha256_bytes(data: bytes) -> str:
    """SHA-256 of a byte string, as 64 hexadecimal digits."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes (read in chunks), as 64 hexadecimal digits."""
    return sha256_of(Path(path))  # the checksum the dataset build verifies raw files with


def verify_sha256(path: str | Path, expected: str) -> None:
    """Raise :class:`IntegrityError` unless the file's SHA-256 is ``expected``."""
    actual = sha256_file(path)
    if actual != str(expected).strip().lower():
        raise IntegrityError(f"{Path(path).name}: SHA-256 is {actual[:12]}…, expected {str(expected)[:12]}…; "
                             "the file is not the one that was recorded.")


def save_artefact(obj: object, path: str | Path) -> Path:
    """Serialise ``obj`` with pickle (protocol 5) to ``path``; the file is the versioned artefact."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(obj, protocol=5))
    return path


def load_artefact(path: str | Path, expected_sha256: str) -> object:
    """Unpickle an artefact only after checking its SHA-256 (never unpickle an unverified file)."""
    verify_sha256(path, expected_sha256)
    return pickle.loads(Path(path).read_bytes())  # noqa: S301 - verified against a recorded hash


def write_snapshot(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a data snapshot as canonical CSV (no index, ``\\n`` line ends), so equal data hash equally."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


# --------------------------------------------------------------------------- disaggregated metrics


def disaggregated_metrics(
    y_true: object, y_pred: object, frame: pd.DataFrame, attributes: Sequence[str], *, min_cell: int = 100
) -> pd.DataFrame:
    """Per (attribute, group): n, approval rate, TPR, FPR, small-cell flag; small cells' rates are NaN."""
    y_true, y_pred = _array(y_true).astype(int), _array(y_pred).astype(int)
    parts = {}
    for attribute in attributes:
        data = pd.DataFrame({"y": y_true, "p": y_pred, "g": frame[attribute].astype(str).to_numpy()})
        grouped = data.groupby("g", sort=True)
        table = pd.DataFrame({
            "n": grouped.size(),
            "approval_rate": grouped["p"].mean(),
            "tpr": data[data["y"] == 1].groupby("g")["p"].mean(),
            "fpr": data[data["y"] == 0].groupby("g")["p"].mean(),
        })
        table["small_cell"] = table["n"] < min_cell
        table.loc[table["small_cell"], ["approval_rate", "tpr", "fpr"]] = np.nan
        parts[attribute] = table
    out = pd.concat(parts, names=["attribute", "group"])
    out["n"] = out["n"].astype(int)
    return out


# --------------------------------------------------------------------------- model cards


def _plain(value: object) -> object:
    """JSON/YAML-safe copy: numpy scalars to Python, NaN to None, tuples to lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, Path):
        return value.name
    return value


def _table_to_dict(table: pd.DataFrame) -> dict:
    """{first index level: {second level: {column: value}}} (or {index: {column: value}})."""
    out: dict = {}
    for key, row in table.iterrows():
        keys = [str(k) for k in key] if isinstance(key, tuple) else [str(key)]
        node = out
        for part in keys[:-1]:
            node = node.setdefault(part, {})
        node[keys[-1]] = {str(c): _plain(v) for c, v in row.items()}
    return out


def model_card(
    *,
    name: str,
    version: str,
    artefact: str | Path,
    data: Mapping[str, str | Path],
    owner: str,
    intended_use: str,
    markets: Sequence[str] = (),
    out_of_scope: Sequence[str] = (),
    inputs: Sequence[str] = (),
    decision_rule: str = "",
    metrics: Mapping[str, float] | None = None,
    disaggregated: pd.DataFrame | None = None,
    fairness: Mapping[str, str] | None = None,
    mitigation: Mapping[str, str] | None = None,
    limitations: Sequence[str] = (),
    regulatory: Mapping[str, str] | None = None,
    datasheet: str = "",
    sign_off: Mapping[str, str] | None = None,
    changes: Sequence[str] = (),
    date: str = "",
) -> dict:
    """A model card as plain data, locked to the SHA-256 of the artefact file and of each data snapshot."""
    artefact = Path(artefact)
    card = {
        "schema": CARD_SCHEMA,
        "model": {"name": name, "version": version, "date": date, "owner": owner,
                  "artefact": artefact.name, "sha256": sha256_file(artefact)},
        "data": {role: {"file": Path(p).name, "sha256": sha256_file(p)} for role, p in data.items()},
        "datasheet": datasheet,
        "intended_use": {"purpose": intended_use, "markets": list(markets),
                         "out_of_scope": list(out_of_scope)},
        "inputs": list(inputs),
        "decision_rule": decision_rule,
        "metrics": dict(metrics or {}),
        "disaggregated": _table_to_dict(disaggregated) if disaggregated is not None else {},
        "fairness": dict(fairness or {}),
        "mitigation": dict(mitigation or {}),
        "limitations": list(limitations),
        "regulatory": dict(regulatory or {}),
        "sign_off": dict(sign_off or {}),
        "changes": list(changes),
    }
    return _plain(card)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(_TEMPLATES)), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False)

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    def rate(value: object) -> str:
        return "suppressed" if value is None else f"{100 * float(value):.1f} %"

    def number(value: object) -> str:
        if value is None:
            return "n/a"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, float):
            return f"{value:.4g}"
        return cell(value)

    env.filters.update(cell=cell, rate=rate, number=number)
    return env


def card_problems(
    card: Mapping, *, artefact: str | Path | None = None, data: Mapping[str, str | Path] | None = None
) -> list[str]:
    """What is wrong with a card: missing sections, or hashes that differ from the given files."""
    problems = []
    if card.get("schema") != CARD_SCHEMA:
        problems.append(f"schema is {card.get('schema')!r}, expected {CARD_SCHEMA!r}")
    model = card.get("model") or {}
    for key in ("name", "version", "owner", "sha256"):
        if not model.get(key):
            problems.append(f"model.{key} is missing")
    if not (card.get("intended_use") or {}).get("purpose"):
        problems.append("intended_use.purpose is missing")
    if artefact is not None:
        actual = sha256_file(artefact)
        if model.get("sha256") != actual:
            problems.append(f"the card describes artefact {str(model.get('sha256'))[:12]}…, but "
                            f"{Path(artefact).name} is {actual[:12]}…")
    for role, path in (data or {}).items():
        recorded = ((card.get("data") or {}).get(role) or {}).get("sha256")
        actual = sha256_file(path)
        if recorded != actual:
            problems.append(f"the card's {role} data is {str(recorded)[:12]}…, but {Path(path).name} is "
                            f"{actual[:12]}…")
    return problems


def verify_model_card(
    card: Mapping, *, artefact: str | Path | None = None, data: Mapping[str, str | Path] | None = None
) -> None:
    """Raise :class:`ModelCardError` listing :func:`card_problems`, if there are any."""
    problems = card_problems(card, artefact=artefact, data=data)
    if problems:
        raise ModelCardError("model card rejected: " + "; ".join(problems))


def render_model_card(card: Mapping, *, template: str = MODEL_CARD_TEMPLATE) -> str:
    """The card as Markdown for people (fills the Jinja2 ``template``); checks it first."""
    problems = card_problems(card)
    if problems:
        raise ModelCardError("cannot render an incomplete card: " + "; ".join(problems))
    return _environment().get_template(template).render(card=card)


def write_model_card(card: Mapping, path: str | Path, *, template: str = MODEL_CARD_TEMPLATE) -> Path:
    """Write the card as Markdown with the card's data as YAML front matter (machine-readable)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(_plain(dict(card)), sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{front}---\n\n{render_model_card(card, template=template)}", encoding="utf-8")
    return path


def read_model_card(path: str | Path) -> dict:
    """The card data stored in the YAML front matter of a file written by :func:`write_model_card`."""
    text = Path(path).read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise ModelCardError(f"{Path(path).name} has no YAML front matter")
    return yaml.safe_load(text[4:text.index("\n---\n", 4)])


def flatten(mapping: Mapping, prefix: str = "") -> dict[str, object]:
    """Nested dicts as one level with dotted keys (``metrics.accuracy``); lists are leaves."""
    out: dict[str, object] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def card_diff(old: Mapping, new: Mapping) -> pd.DataFrame:
    """Every field (dotted path) that differs between two cards: before, after, and the kind of change."""
    before, after = flatten(old), flatten(new)
    rows = {}
    for field in sorted(set(before) | set(after)):
        if field in before and field in after and before[field] == after[field]:
            continue
        kind = "added" if field not in before else "removed" if field not in after else "changed"
        rows[field] = {"before": before.get(field), "after": after.get(field), "change": kind}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["before", "after", "change"])
    table = table.astype(object)
    table.index.name = "field"
    return table


# --------------------------------------------------------------------------- fairness policies


def _wald_difference(p_hi: float, n_hi: int, p_lo: float, n_lo: int, z: float) -> tuple[float, float, float]:
    estimate = p_hi - p_lo
    se = math.sqrt(p_hi * (1 - p_hi) / n_hi + p_lo * (1 - p_lo) / n_lo)
    return estimate, estimate - z * se, estimate + z * se


def _log_ratio(p_lo: float, n_lo: int, p_hi: float, n_hi: int, z: float) -> tuple[float, float, float]:
    estimate = p_lo / p_hi if p_hi > 0 else float("nan")

    def adjusted(p: float, n: int) -> float:  # half a count away from 0 and 1, for the standard error only
        return (p * n + 0.5) / (n + 1) if p in (0.0, 1.0) else p

    a, b = adjusted(p_lo, n_lo), adjusted(p_hi, n_hi)
    se = math.sqrt((1 - a) / (n_lo * a) + (1 - b) / (n_hi * b))
    centre = math.log(a / b) if estimate == 0 or math.isnan(estimate) else math.log(estimate)
    return estimate, math.exp(centre - z * se), math.exp(centre + z * se)


def policy_checks(
    policies: Mapping[str, Mapping],
    decisions: Mapping[str, object],
    frame: pd.DataFrame,
    y_true: object,
    *,
    level: float = 0.95,
) -> pd.DataFrame:
    """Every (model, jurisdiction, attribute, metric) check of the policies, with a confidence interval.

    Each policy names ``attributes``, ``metrics`` (metric -> threshold, see :data:`POLICY_METRICS`),
    optionally ``min_group_size`` (smaller groups are left out of the comparison and listed) and
    ``confidence``. A check compares the group with the lowest rate and the group with the highest;
    differences get a Wald interval, ratios a log-scale (Katz) interval. Pass the table to
    :func:`check_verdicts`.
    """
    y_true = _array(y_true).astype(int)
    rows = []
    for model, y_pred in decisions.items():
        y_pred = _array(y_pred).astype(int)
        if len(y_pred) != len(y_true) or len(frame) != len(y_true):
            raise ValueError(f"{model!r}: {len(y_pred)} decisions, {len(frame)} rows, {len(y_true)} labels")
        for jurisdiction, policy in policies.items():
            z = float(stats.norm.ppf(0.5 + float(policy.get("confidence", level)) / 2))
            min_size = int(policy.get("min_group_size", 1))
            for attribute in policy["attributes"]:
                groups = frame[attribute].astype(str).to_numpy()
                for metric, threshold in policy["metrics"].items():
                    if metric not in POLICY_METRICS:
                        raise ValueError(f"{jurisdiction}: unknown metric {metric!r}; "
                                         f"choose from {list(POLICY_METRICS)}")
                    keep = y_true == 1 if metric == "tpr_difference" else np.ones(len(y_true), bool)
                    rates = (pd.DataFrame({"p": y_pred[keep], "g": groups[keep]})
                             .groupby("g", sort=True)["p"].agg(["mean", "size"]))
                    small = sorted(rates.index[rates["size"] < min_size])
                    rates = rates[rates["size"] >= min_size]
                    if len(rates) < 2:
                        raise ValueError(f"{jurisdiction}/{attribute}: fewer than two groups of "
                                         f"{min_size} or more")
                    lo, hi = rates["mean"].idxmin(), rates["mean"].idxmax()
                    p_lo, n_lo = float(rates.loc[lo, "mean"]), int(rates.loc[lo, "size"])
                    p_hi, n_hi = float(rates.loc[hi, "mean"]), int(rates.loc[hi, "size"])
                    if metric == "approval_ratio":
                        estimate, low, high = _log_ratio(p_lo, n_lo, p_hi, n_hi, z)
                    else:
                        estimate, low, high = _wald_difference(p_hi, n_hi, p_lo, n_lo, z)
                    rows.append({
                        "model": model, "jurisdiction": jurisdiction, "attribute": attribute,
                        "metric": metric, "better": POLICY_METRICS[metric], "threshold": float(threshold),
                        "low_group": lo, "high_group": hi, "n_low": n_lo, "n_high": n_hi,
                        "estimate": estimate, "ci_low": low, "ci_high": high,
                        "left_out": ", ".join(small),
                    })
    return pd.DataFrame(rows)


def check_verdicts(checks: pd.DataFrame) -> pd.Series:
    """Pass if the whole interval is on the good side of the threshold, fail if on the bad side, else
    inconclusive."""
    out = []
    for row in checks.itertuples():
        bounds = (row.threshold, math.inf) if row.better == "higher" else (-math.inf, row.threshold)
        out.append(verdict(row.ci_low, row.ci_high, *bounds))
    return pd.Series(out, index=checks.index, name="verdict")


def verdict_matrix(checks: pd.DataFrame, verdicts: pd.Series | None = None) -> pd.DataFrame:
    """Model x jurisdiction: the worst verdict of its checks (fail, then inconclusive, then pass)."""
    verdicts = check_verdicts(checks) if verdicts is None else verdicts
    data = checks[["model", "jurisdiction"]].assign(verdict=verdicts.to_numpy())
    models = list(dict.fromkeys(data["model"]))
    places = list(dict.fromkeys(data["jurisdiction"]))
    table = (data.groupby(["model", "jurisdiction"], sort=False)["verdict"].agg(overall_verdict)
             .unstack("jurisdiction").loc[models, places])
    table.columns.name, table.index.name = "jurisdiction", "model"
    return table


def _metric_label(metric: str, threshold: float) -> str:
    if metric == "approval_ratio":
        return f"ratio ≥ {threshold:g}"
    prefix = "TPR gap" if metric == "tpr_difference" else "gap"
    return f"{prefix} ≤ {100 * threshold:g} pp"


def plot_verdicts(
    checks: pd.DataFrame, verdicts: pd.Series | None = None, *, title: str, ax: plt.Axes | None = None
) -> plt.Axes:
    """Heat map of every check: models (rows) by jurisdiction, attribute and metric (columns)."""
    verdicts = check_verdicts(checks) if verdicts is None else verdicts
    data = checks.assign(verdict=verdicts.to_numpy())
    data["column"] = [f"{row.jurisdiction}\n{row.attribute}\n{_metric_label(row.metric, row.threshold)}"
                      for row in data.itertuples()]
    models = list(dict.fromkeys(data["model"]))
    columns = list(dict.fromkeys(data["column"]))
    codes = {v: i for i, v in enumerate(VERDICT_COLORS)}
    grid = data.pivot(index="model", columns="column", values="verdict").loc[models, columns]
    values = data.pivot(index="model", columns="column", values="estimate").loc[models, columns]
    metric_of = dict(zip(data["column"], data["metric"], strict=False))
    if ax is None:
        _, ax = plt.subplots(figsize=(max(8.0, 1.1 * len(columns) + 3.0), 0.6 * len(models) + 2.8))
    cmap = plt.matplotlib.colors.ListedColormap(list(VERDICT_COLORS.values()))
    ax.imshow(grid.apply(lambda column: column.map(codes)).to_numpy(float), cmap=cmap, vmin=-0.5,
              vmax=len(codes) - 0.5, aspect="auto")
    for i, model in enumerate(models):
        for j, column in enumerate(columns):
            value = values.loc[model, column]
            text = f"{value:.2f}" if metric_of[column] == "approval_ratio" else f"{100 * value:.1f} pp"
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color="white", fontweight="bold")
    ax.set_xticks(np.arange(-0.5, len(columns)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(models)), minor=True)
    ax.grid(False)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    jurisdictions = [c.split("\n")[0] for c in columns]
    for j in range(1, len(columns)):
        if jurisdictions[j] != jurisdictions[j - 1]:
            ax.axvline(j - 0.5, color="white", linewidth=5)
    ax.set_xticks(range(len(columns)), columns, fontsize=9)
    ax.set_yticks(range(len(models)), models)
    ax.set_xlabel("Jurisdiction · protected attribute · policy rule\n"
                  "(cell value: estimate; colour: verdict of its interval)")
    ax.set_ylabel("Model version")
    ax.set_title(title)
    ax.legend(handles=[Patch(color=c, label=v) for v, c in VERDICT_COLORS.items()], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), title="Verdict")
    return ax


# --------------------------------------------------------------------------- review and access


def release_gate(criteria: Mapping[str, Sequence[str]], evidence: pd.DataFrame) -> pd.DataFrame:
    """Per model (row of ``evidence``): can it ship, and which ``role: criterion`` are not met.

    A criterion is met only when its evidence is ``True``; ``False`` and missing evidence (NaN, or a
    column that does not exist) block the release. Every role's criteria must be met.
    """
    def met(model: object, criterion: str) -> bool:
        value = evidence.loc[model, criterion] if criterion in evidence.columns else None
        return isinstance(value, bool | np.bool_) and bool(value)

    rows = {}
    for model in evidence.index:
        missing = [f"{role}: {criterion}" for role, items in criteria.items() for criterion in items
                   if not met(model, criterion)]
        rows[model] = {"can_ship": not missing, "missing": missing}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = evidence.index.name or "model"
    return table


def access_matrix(sections: pd.DataFrame, roles: pd.DataFrame) -> pd.DataFrame:
    """Role x section: True when the role's clearance covers the section's level and, for personal or
    legally privileged content, the role is entitled to it."""
    out = {}
    for role, r in roles.iterrows():
        out[role] = {
            section: bool(s["level"] <= r["clearance"]
                          and (not s["personal_data"] or r["personal_data"])
                          and (not s["privileged"] or r["privileged"]))
            for section, s in sections.iterrows()
        }
    table = pd.DataFrame.from_dict(out, orient="index")
    table.index.name, table.columns.name = "role", "section"
    return table


def filter_report(report: Mapping[str, object], allowed: Mapping[str, bool] | pd.Series) -> dict:
    """The sections of ``report`` the role may see, in order; a section not listed is withheld."""
    allowed = dict(allowed.items()) if isinstance(allowed, pd.Series) else dict(allowed)
    return {name: content for name, content in report.items() if bool(allowed.get(name, False))}


# --------------------------------------------------------------------------- archives


def write_manifest(folder: str | Path, *, metadata: Mapping[str, object] | None = None) -> Path:
    """Record the SHA-256 and size of every file under ``folder`` in ``manifest.json`` (sorted paths)."""
    folder = Path(folder)
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_NAME):
        files[path.relative_to(folder).as_posix()] = {"sha256": sha256_file(path),
                                                      "bytes": path.stat().st_size}
    manifest = {"schema": "fairlab-archive/1", "metadata": _plain(dict(metadata or {})), "files": files}
    target = folder / MANIFEST_NAME
    target.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return target


def verify_manifest(folder: str | Path) -> pd.Series:
    """Status of every file, by relative path: ``ok``, ``altered``, ``missing`` or ``unlisted``."""
    folder = Path(folder)
    recorded = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    present = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")
               if p.is_file() and p.name != MANIFEST_NAME}
    status = {}
    for name in sorted(set(recorded) | set(present)):
        if name not in present:
            status[name] = "missing"
        elif name not in recorded:
            status[name] = "unlisted"
        else:
            status[name] = "ok" if sha256_file(present[name]) == recorded[name]["sha256"] else "altered"
    series = pd.Series(status, name="status", dtype=object)
    series.index.name = "file"
    return series


# --------------------------------------------------------------------------- adverse-action reasons


def linear_contributions(
    X: object,
    coef: object,
    reference: object,
    columns: Sequence[str],
    feature_of: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Each row's log-odds contribution per input, ``coef * (x - reference)``, summed per feature."""
    X = np.asarray(X, float)
    coef, reference = np.ravel(np.asarray(coef, float)), np.ravel(np.asarray(reference, float))
    if X.shape[1] != len(coef) or len(coef) != len(reference) or len(columns) != len(coef):
        raise ValueError("X, coef, reference and columns must describe the same inputs")
    frame = pd.DataFrame((X - reference) * coef, columns=list(columns))
    if feature_of is None:
        return frame
    names = [feature_of.get(c, c) for c in columns]
    return frame.T.groupby(names, sort=False).sum().T


def principal_reasons(contributions: pd.DataFrame, k: int = 4) -> pd.DataFrame:
    """The ``k`` features that lowered each row's score most (most negative first); '' when fewer did."""
    values = contributions.to_numpy(float)
    order = np.argsort(values, axis=1, kind="stable")[:, :k]
    names = np.asarray(contributions.columns, dtype=object)
    picked = np.take_along_axis(values, order, axis=1)
    reasons = np.where(picked < 0, names[order], "")
    return pd.DataFrame(reasons, index=contributions.index, columns=[f"reason_{i + 1}" for i in range(k)])
