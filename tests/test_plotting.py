"""The course style: colour-blind-safe palette, stable group colours, labelled figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from fairlab import plotting  # noqa: E402


def test_known_groups_keep_their_colour_whatever_the_order():
    a = plotting.group_colors(["Female", "male"])
    b = plotting.group_colors(["male", "Female", "other"])
    assert a["Female"] == b["Female"] == plotting.PALETTE[1]
    assert a["male"] == b["male"] == plotting.PALETTE[0]


def test_unknown_groups_get_distinct_colours_stable_for_the_same_set():
    bands = ["35-44", "18-24", "25-34", "45-54", "55-64", "65+"]
    first = plotting.group_colors(bands)
    assert len(set(first.values())) == len(bands)
    assert plotting.group_colors(list(reversed(bands))) == first


def test_every_course_dataset_attribute_gets_distinct_colours(course_data):
    from fairlab import datasets

    for name in datasets.dataset_names():
        sensitive = datasets.load(name).sensitive
        for column in sensitive.columns:
            groups = sensitive[column].astype(str).unique()
            colors = plotting.group_colors(groups)
            assert len(set(colors.values())) == len(groups), (name, column, colors)


def test_use_style_sets_readable_defaults():
    plotting.use_style()
    assert matplotlib.rcParams["font.size"] >= 11
    cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle[: len(plotting.PALETTE)] == list(plotting.PALETTE)


def test_bar_by_group_labels_everything():
    ax = plotting.bar_by_group(pd.Series({"female": 0.6, "male": 0.7}), title="T", ylabel="Y",
                               reference=0.65, reference_label="overall")
    assert ax.get_title() == "T" and ax.get_ylabel() == "Y" and ax.get_xlabel() == "Group"
    assert [t.get_text() for t in ax.texts if t.get_text().endswith("%")] == ["60.0%", "70.0%"]
    assert ax.get_legend().get_texts()[0].get_text() == "overall"
    plt.close("all")


def test_bar_by_group_colours_two_level_index_by_first_level():
    rates = pd.Series([0.5, 0.6, 0.7], index=pd.MultiIndex.from_tuples(
        [("female", "young"), ("female", "old"), ("male", "old")]))
    ax = plotting.bar_by_group(rates, title="T", ylabel="Y")
    colors = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colors == [plotting.PALETTE[1].lower()] * 2 + [plotting.PALETTE[0].lower()]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["female\nyoung", "female\nold", "male\nold"]
    plt.close("all")
