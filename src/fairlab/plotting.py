"""One look for every figure in the course: readable fonts, a colour-blind-safe palette,
and group colours that stay the same from lab to lab (women are always the same orange)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from cycler import cycler

__all__ = [
    "GROUP_COLORS",
    "PALETTE",
    "bar_by_group",
    "group_colors",
    "use_style",
]

#: Okabe & Ito (2008), distinguishable under the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Fixed colours for the groups that recur across the course's datasets (lower-case keys).
#: Within one attribute, no two groups share a colour.
GROUP_COLORS: dict[str, str] = {
    # sex / gender
    "male": PALETTE[0], "m": PALETTE[0], "female": PALETTE[1], "f": PALETTE[1],
    # race / ethnicity (credit, hiring, healthcare, Adult, COMPAS spellings)
    "white": PALETTE[0], "caucasian": PALETTE[0],
    "black": PALETTE[1], "african-american": PALETTE[1],
    "asian": PALETTE[2], "asian-pac-islander": PALETTE[2],
    "hispanic": PALETTE[3],
    "amer-indian-eskimo": PALETTE[5], "native american": PALETTE[5],
    "other": PALETTE[4],
    # binary age split and generic roles
    "25 or older": PALETTE[0], "under 25": PALETTE[1],
    "privileged": PALETTE[0], "unprivileged": PALETTE[1],
    "majority": PALETTE[0], "minority": PALETTE[1],
    "overall": "#555555", "suppressed": "#999999",
}


def use_style() -> None:
    """Apply the course style to matplotlib (call once at the top of a lab)."""
    mpl.rcParams.update(
        {
            "figure.figsize": (7.5, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "font.size": 12,
            "axes.titlesize": 14,
            "axes.titleweight": "bold",
            "axes.labelsize": 12,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "legend.frameon": False,
            "axes.prop_cycle": cycler(color=list(PALETTE)),
            "figure.constrained_layout.use": True,
        }
    )


def group_colors(groups: Iterable[object]) -> dict[object, str]:
    """Map each group label to its course colour, distinct within the call.

    Known labels (``GROUP_COLORS``) always get the same colour. Other labels (age bands, regions)
    get the palette colours not already taken, in sorted label order, so the same set of
    groups is coloured the same way in every lab.
    """
    groups = list(dict.fromkeys(groups))
    colors: dict[object, str] = {}
    for group in groups:
        key = str(group).strip().lower()
        if key in GROUP_COLORS and GROUP_COLORS[key] not in colors.values():
            colors[group] = GROUP_COLORS[key]
    free = [c for c in PALETTE if c not in colors.values()]
    for i, group in enumerate(sorted((g for g in groups if g not in colors), key=str)):
        colors[group] = free[i % len(free)] if free else PALETTE[i % len(PALETTE)]
    return colors


def bar_by_group(
    values: pd.Series | Mapping[object, float],
    *,
    title: str,
    ylabel: str,
    xlabel: str = "Group",
    reference: float | None = None,
    reference_label: str | None = None,
    ax: plt.Axes | None = None,
    fmt: str = "{:.1%}",
) -> plt.Axes:
    """Bar chart of one value per group, in group colours, each bar labelled with its value.

    With a two-level index (e.g. sex × age group) bars are coloured by the first level.
    """
    series = pd.Series(values)
    if ax is None:
        _, ax = plt.subplots()
    if isinstance(series.index, pd.MultiIndex):
        labels = ["\n".join(str(part) for part in key) for key in series.index]
        keys = list(series.index.get_level_values(0))
    else:
        labels = [str(g) for g in series.index]
        keys = list(series.index)
    colors = group_colors(keys)
    bars = ax.bar(labels, series.to_numpy(), color=[colors[k] for k in keys])
    ax.bar_label(bars, labels=[fmt.format(v) for v in series.to_numpy()], padding=3)
    if reference is not None:
        ax.axhline(reference, color="#555555", linestyle="--", linewidth=1.5, label=reference_label)
        if reference_label:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2 if "\n" in "".join(labels)
                                                          else -0.14))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(xlabel)
    ax.margins(y=0.15)
    return ax
