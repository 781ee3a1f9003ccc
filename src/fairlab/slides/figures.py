"""Figures on the slides, drawn from the course data with the labs' own ``fairlab.plotting`` helpers."""

from __future__ import annotations

import io
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .. import plotting  # noqa: E402
from .numbers import compas_error_rates, credit_training_labels  # noqa: E402

__all__ = ["FIGURES", "png"]


def compas_errors() -> Figure:
    """Lab 01's COMPAS error rates at the Medium/High cut, one panel per rate."""
    rates = compas_error_rates()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.3), sharey=True)
    for ax, (column, title) in zip(axes, {"FPR": "False positive rate", "FNR": "False negative rate"}.items(),
                                   strict=True):
        plotting.bar_by_group(rates[column], ax=ax, title=title, ylabel="Share of defendants", xlabel="Race")
    return fig


def credit_label_rates() -> Figure:
    """Lab 04's left panel: historical approval rates in the credit training labels, Black vs non-Black."""
    train = credit_training_labels()
    rates = train.groupby("black")["approved"].mean().rename({1: "Black", 0: "non-Black"})
    ax = plotting.bar_by_group(rates, title="Historical approvals (training labels)", ylabel="Approval rate",
                               xlabel="Race")
    return ax.figure


#: Figure name (as slides refer to it) -> function drawing it.
FIGURES: dict[str, Callable[[], Figure]] = {
    "compas_errors": compas_errors,
    "credit_label_rates": credit_label_rates,
}


def png(name: str) -> bytes:
    """Draw one figure in the course style and return it as PNG bytes."""
    plotting.use_style()
    fig = FIGURES[name]()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()
