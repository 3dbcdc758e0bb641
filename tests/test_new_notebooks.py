"""The local-government and AI-compute notebooks: the facts their charts show, in both languages.
(Their layout at every journal width: tests/test_pdf_layout.py.)"""

import pytest
from matplotlib.lines import Line2D

from conftest import drawn

NEW = ("local_government", "ai_compute")


def texts(fig) -> list[str]:
    """Every piece of text in a figure: title, labels, ticks, legend, source line."""
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text().strip()]


def all_text(fig) -> str:
    return "\n".join(texts(fig))


@pytest.mark.drawing
def test_local_government_draws_its_four_charts():
    assert set(drawn("local_government", "en", 183)) == {"slippage", "reasons", "cost", "clouds"}
    assert set(drawn("ai_compute", "en", 183)) == {"awards", "capacity", "fy2026"}


@pytest.mark.drawing
def test_shares_of_bodies_are_computed_from_counts_and_labelled_so():
    shown = all_text(drawn("local_government", "en", 183)["slippage"])
    for count, share in (("643", 100 * 643 / 1788), ("743", 100 * 743 / 1788), ("935", 100 * 935 / 1788)):
        assert f"{count}\n{share:.1f}%" in shown
    assert "52.3%" in shown and "share computed from the counts" in shown
    legend = " ".join(shown.split())
    assert "another definition" in legend and "(171 bodies, 9.6% as stated)" in legend, "the 2023 survey kept apart"


@pytest.mark.drawing
def test_slippage_as_of_drops_later_counts():
    shown = all_text(drawn("local_government", "en", 183, as_of="2025-09-30")["slippage"])
    assert "643" in shown and "935" not in shown and "743" not in shown


@pytest.mark.drawing
def test_delayed_systems_share_is_computed():
    title = " ".join(all_text(drawn("local_government", "en", 183)["reasons"]).split())  # lines rejoined
    assert f"{100 * 3770 / 34592:.1f}% (computed)" in title and "3,770 of 34,592" in title


@pytest.mark.drawing
def test_cost_chart_says_the_bases_and_dates_differ():
    shown = " ".join(all_text(drawn("local_government", "en", 183)["cost"]).split())
    assert "Not one scale" in shown and "FY2018" in shown and "dates differ" in shown
    assert "about 1.6×" in shown and "2.3×" in shown and "5.7×" in shown and "at least 30%" in shown
    ja = all_text(drawn("local_government", "ja", 183)["cost"])
    assert "約1.6×" in ja and "同じ尺度ではない" in ja


@pytest.mark.drawing
def test_qualifiers_are_kept_as_the_sources_say_them():
    en = all_text(drawn("ai_compute", "en", 183)["awards"])
    for words in ("about 6.8", "about 5.3", "up to about 50.1", "up to 42.1", "up to 72.5"):
        assert words in en
    ja = all_text(drawn("ai_compute", "ja", 183)["awards"])
    for words in ("約68", "最大約501", "最大421", "最大725"):  # in 億円, as the sources give them
        assert words in ja


@pytest.mark.drawing
def test_exaflops_of_different_precisions_are_never_one_line():
    fig = drawn("ai_compute", "en", 183)["capacity"]
    ax = fig.axes[0]
    for line in ax.get_lines():
        ys = set(line.get_ydata())
        assert len(ys) <= 1, "a line joins rows: figures of different kinds or precisions"
    assert "6.22" in all_text(fig) and "3" in all_text(fig)
    assert "9.22" not in all_text(fig), "half and single precision are never added"


@pytest.mark.drawing
def test_targets_and_projections_are_open_markers_and_the_legend_shows_them():
    fig = drawn("ai_compute", "en", 183)["capacity"]
    open_marks = [
        line
        for line in fig.axes[0].get_lines()
        if line.get_marker() not in (None, "None", "") and line.get_markerfacecolor() == "white"
    ]
    # the target, the awards' coverage, the minister's expectation, and ABCI 3.0 at two precisions: a peak
    # described before the system was fully operational (compute_capacity kind "projection"), and Kyushu's
    # planned 玄界-D at FP4
    assert len(open_marks) == 6
    legend = fig.legends[0]
    entries = [h for h in legend.legend_handles if isinstance(h, Line2D) and h.get_label().endswith("(open)")]
    assert entries and all(h.get_markerfacecolor() == "white" for h in entries)


@pytest.mark.drawing
@pytest.mark.parametrize("notebook", NEW)
def test_a_japanese_chart_has_japanese_interface_text(notebook):
    for part, fig in drawn(notebook, "ja", 183).items():
        title = fig.sovereign_ai_description["title"]
        assert any("\u3040" <= ch <= "\u9fff" for ch in title), f"{notebook} {part}: title not Japanese"
        for word in ("share computed", "survey result", "billion yen", "precision not stated", "systems"):
            assert word not in all_text(fig), f"{notebook} {part}: English interface word {word!r}"


@pytest.mark.parametrize("notebook", NEW)
def test_sources_come_from_the_data_not_the_code(notebook):
    import json

    from conftest import REPO

    cells = json.loads((REPO / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    import re

    assert not re.search(r"\bT\d+-\d+", code), "a source id is written in the notebook's code"


@pytest.mark.drawing
def test_the_slippage_chart_before_the_first_survey_says_there_is_none():
    fig = drawn("local_government", "en", as_of="2020-01-01")["slippage"]
    said = [t.get_text() for t in fig.axes[0].texts]
    assert "no survey is dated on or before 2020-01-01 (the first: 2023-10)" in said
