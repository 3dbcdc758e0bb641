"""The house functions (sovereign_ai.charts.house): the exact width, a height from the content, legends,
ticks and wordings chosen from the figure as laid out, and the style sheet on its own."""

import io
import tomllib
from unittest import mock

import matplotlib
import matplotlib.style
import pytest
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from pypdf import PdfReader

from sovereign_ai.charts import house, style, text
from sovereign_ai.parameters import Settings

from conftest import REPO


def settings(width_mm: float = 89.0, lang: str = "en", **more) -> Settings:
    return Settings({"lang": lang, "width_mm": width_mm, "output_dir": "", "name": "probe", **more})


def finished(fig, given) -> None:
    """house.finish without the notebook's display, writing nothing (output_dir is empty)."""
    with mock.patch.object(style, "show_figure", lambda *a, **k: None):
        house.finish(fig, given, source_data=_one_row())


def _one_row():
    import pandas as pd

    return pd.DataFrame([{"label": "a", "value": 1, "unit": "", "date": "2025", "source_id": "S1"}])


def rows_chart(given, labels, **kwargs):
    fig, ax = house.figure(given, "A title", "Source: a publisher. Chart: sovereign-ai project.", **kwargs)
    ax.barh(range(len(labels)), range(1, len(labels) + 1))
    house.row_labels(ax, labels)
    return fig, ax


def test_a_figure_is_exactly_the_width_asked_and_as_tall_as_its_rows():
    fig, ax = rows_chart(settings(89), ["one", "two", "three"])
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    finished(fig, settings(89))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="pdf")
    assert float(PdfReader(buffer).pages[0].mediabox.width) == pytest.approx(252.28, abs=0.01)
    plot_mm = ax.get_position().height * style.size_mm(fig)[1]
    assert plot_mm == pytest.approx(3 * house.ROW_MM, abs=0.01), "three one-line rows, ROW_MM each"
    assert fig.get_layout_engine().__class__.__name__ == "PlaceHolderLayoutEngine", "the layout is fixed"


def test_a_plot_height_in_mm_is_kept_and_the_title_and_source_add_to_it():
    given = settings(120)
    fig, ax = house.figure(given, "A title", "Source: a publisher.", height_mm=40)
    ax.plot([0, 1], [0, 1])
    finished(fig, given)
    height_mm = style.size_mm(fig)[1]
    assert ax.get_position().height * height_mm == pytest.approx(40, abs=0.01)
    shown = [t.get_text() for t in fig.texts]
    assert shown == ["A title", "Source: a publisher."]
    untitled = settings(120, show_title=False, show_source=False)
    bare, ax = house.figure(untitled, "A title", "Source: a publisher.", height_mm=40)
    ax.plot([0, 1], [0, 1])
    finished(bare, untitled)
    assert [t.get_text() for t in bare.texts] == [] and style.size_mm(bare)[1] < height_mm
    assert bare.sovereign_ai_description["title"] == "A title", "the caption keeps the title"


def test_long_row_labels_wrap_at_the_widths_share_and_rows_grow_to_hold_them():
    long = "a name far too long to stand on one line at a single column's width"
    fig, ax = rows_chart(settings(89), ["short", long])
    finished(fig, settings(89))
    wrapped = ax.get_yticklabels()[1].get_text()
    assert wrapped.replace("\n", " ") == long and wrapped.count("\n") >= 1
    room_pt = max(house.ROW_LABEL_MIN_MM, house.ROW_LABEL_SHARE * 89) / style.MM_PER_PT
    assert all(text.text_width_pt(line, 6.5) <= room_pt for line in wrapped.split("\n"))
    assert ax.get_position().height * style.size_mm(fig)[1] > 2 * house.ROW_MM


def test_shorter_row_labels_stand_in_when_one_would_wrap():
    long, short = ["Swallow\nTokyo Institute of Technology and AIST, Japan"], ["Swallow\nJapan"]
    for width, expected in ((250, long[0]), (89, short[0])):
        _, ax = house.figure(settings(width), "t", "s")
        house.row_labels(ax, long, shorter=short)
        assert ax.get_yticklabels()[0].get_text() == expected, width


def test_the_legend_takes_as_many_columns_as_the_width_holds():
    columns = {}
    for width_mm in (89, 183):
        given = settings(width_mm)
        fig, _ = rows_chart(given, ["a"])
        placed = house.legend(fig, [Patch(label=f"a legend entry of middling length, number {i}") for i in range(6)])
        finished(fig, given)
        renderer = fig.canvas.get_renderer()
        box = placed.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, "the legend stays on the page"
        assert box.y1 <= min(ax.get_tightbbox(renderer).y0 for ax in fig.axes), "under the plot and its labels"
        columns[width_mm] = placed._ncols
    assert 1 <= columns[89] < columns[183] <= 3, columns


def test_a_legend_in_groups_keeps_each_group_in_a_column_and_wraps_an_entry_too_long():
    given = settings(183)
    fig, _ = rows_chart(given, ["a"])
    placed = house.legend(fig, [Patch(label=f"e{i}") for i in range(6)], group=3)
    assert placed._ncols == 2
    narrow = settings(89)
    fig, _ = rows_chart(narrow, ["a"])
    words = "an entry that says a great deal more than a legend's single line at 89 mm could hold on one line"
    placed = house.legend(fig, [Patch(label=words), Line2D([], [], label="short")])
    assert placed._ncols == 1 and placed.get_texts()[0].get_text().count("\n") >= 1


def test_value_ticks_stand_far_enough_apart_for_the_axis_as_drawn():
    for width_mm in (89, 183):
        given = settings(width_mm)
        fig, ax = rows_chart(given, ["a", "b"])
        ax.set_xlim(0, 10_000)
        house.thousands(ax.xaxis)
        house.ticks(ax.xaxis)
        finished(fig, given)
        ticks = ax.xaxis.get_major_locator()()
        apart_mm = (ticks[1] - ticks[0]) / 10_000 * ax.get_position().width * width_mm
        assert apart_mm >= house.TICK_MIN_MM and len(ticks) >= 3, (width_mm, ticks)


def test_fit_takes_the_shorter_wording_where_the_longer_leaves_its_axes():
    for width_mm, expected in ((250, "Herfindahl-Hirschman index (HHI)"), (89, "HHI")):
        given = settings(width_mm)
        fig, axes = house.figure(given, "t", "s", ncols=3)
        for ax in axes:
            ax.barh([0], [1])
        house.fit(axes[1].set_xlabel("Herfindahl-Hirschman index (HHI)"), "HHI")
        finished(fig, given)
        assert axes[1].get_xlabel() == expected, width_mm


def test_wrap_breaks_a_label_to_the_room_in_its_axes_with_budoux():
    given = settings(89, lang="ja")
    fig, ax = rows_chart(given, ["a"])
    ax.set_xlim(0, 100)
    words = "経済産業省の予測による国内の計算資源の見通しと目標 (2024年10月時点)"
    label = house.wrap(ax.text(95, 0, words, ha="right", va="center"))
    finished(fig, given)
    lines = label.get_text().split("\n")
    assert len(lines) >= 2 and "".join(lines).replace(" ", "") == words.replace(" ", "")
    assert not any(line.startswith(("、", "。", ")")) for line in lines), "kinsoku"


def test_notes_and_the_source_line_stand_under_the_legend_in_that_order():
    given = settings(120)
    fig, _ = rows_chart(given, ["a"])
    house.legend(fig, [Patch(label="one")])
    house.note(fig, "A note under the legend.")
    house.note(fig, [f"{i}. an entry of a list" for i in range(1, 5)], columns=2)
    finished(fig, given)
    renderer = fig.canvas.get_renderer()
    y = {t.get_text(): t.get_window_extent(renderer).y0 for t in fig.texts}
    legend_bottom = fig.legends[0].get_window_extent(renderer).y0
    assert (
        legend_bottom
        > y["A note under the legend."]
        > y["1. an entry of a list"]
        > y["Source: a publisher. Chart: sovereign-ai project."]
    )
    assert y["1. an entry of a list"] == pytest.approx(y["3. an entry of a list"]), "two columns, side by side"


def test_a_second_finish_only_shows_and_saves():
    given = settings(89)
    fig, _ = rows_chart(given, ["a"])
    finished(fig, given)
    size, texts = style.size_mm(fig), len(fig.texts)
    finished(fig, given)
    assert style.size_mm(fig) == size and len(fig.texts) == texts


def test_finish_shows_and_saves_a_figure_that_is_not_a_house_figure(tmp_path):
    fig = style.describe(style.new_figure(89, 40), "A title", "A source")
    given = settings(89, output_dir=str(tmp_path), formats=["svg"], dpi=150)
    shown = []
    with mock.patch.object(style, "show_figure", shown.append):
        house.finish(fig, given, source_data=_one_row())
    assert shown == [fig] and style.size_mm(fig) == (89, 40)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probe.en.caption.txt", "probe.en.data.csv", "probe.en.svg"]


def test_the_style_sheet_works_without_the_package():
    with matplotlib.rc_context():
        matplotlib.style.use(str(style.HOUSE_STYLE))
        assert matplotlib.rcParams["font.size"] == style.FONT_SIZES.label
        assert matplotlib.rcParams["pdf.fonttype"] == 42 and matplotlib.rcParams["svg.hashsalt"] == "sovereign-ai"
        assert not matplotlib.rcParams["axes.spines.top"] and not matplotlib.rcParams["legend.frameon"]
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = project["tool"]["setuptools"]["package-data"]
    assert style.HOUSE_STYLE.name in package_data[style.__name__.rpartition(".")[0]], "installed with the package"
