"""The cloud-dependence charts draw what the data say: ranges as ranges, projections apart, sources named."""

import datetime as dt
import itertools

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from sovereign_ai import data
from sovereign_ai.charts import text

from conftest import drawn


def texts(fig):
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


def joined(fig):
    return " ".join(texts(fig))


def draw(name, lang="en"):
    """One chart of the cloud-dependence notebook, drawn by the notebook's own cells."""
    if name == "roster":
        return drawn("cloud_dependence", lang, as_of="2024-01-01")[name]
    return drawn("cloud_dependence", lang)[name]


@pytest.mark.drawing
def test_market_shares_are_drawn_as_ranges_not_points():
    fig = draw("market")
    bars = {(round(r.get_x(), 6), round(r.get_width(), 6)) for r in fig.findobj(Rectangle)}
    shares = data.load_table("cloud_market_shares").dropna(subset=["share_low_pct"])
    for row in shares[shares["share_low_pct"] != shares["share_high_pct"]].itertuples():
        assert (row.share_low_pct, row.share_high_pct - row.share_low_pct) in bars, row.subject
    assert "40–50%" in texts(fig) and "60–70%" in texts(fig)
    assert "rank 4 (share not published)" in texts(fig), "a rank without a share is said, not plotted"
    assert "72% (another market definition)" in texts(fig), "the other market is said to be another definition"


@pytest.mark.drawing
def test_projections_are_open_markers_and_observations_filled():
    fig = draw("deficit")
    deficit = data.load_table("digital_deficit")
    lines = [
        line
        for line in fig.axes[0].get_lines()
        if len(line.get_xdata()) and line.get_marker() not in (None, "None", "")
    ]
    open_points = sum(len(line.get_xdata()) for line in lines if to_hex(line.get_markerfacecolor()) == "#ffffff")
    assert open_points == int(deficit["is_projection"].astype(bool).sum())
    assert "projection" in texts(fig)
    legend = fig.legends[0]
    projected = [h for h in legend.legend_handles if to_hex(h.get_markerfacecolor()) == "#ffffff"]
    drawn_open = [line.get_marker() for line in lines if to_hex(line.get_markerfacecolor()) == "#ffffff"]
    assert [h.get_marker() for h in projected] == drawn_open, "the legend shows the markers drawn"
    assert len(drawn_open) == deficit.loc[deficit["is_projection"].astype(bool), "definition_id"].nunique()


@pytest.mark.drawing
def test_concentration_shows_each_count_apart_an_interval_and_a_number():
    text = joined(draw("concentration"))
    assert "9,411–9,416" in text and "9,449" in text
    assert "2024-10\nproduction systems" in text and "2025-03\nall systems" in text
    assert "Google Cloud, Azure, OCI (split not published)" in text
    assert "AWS 1,452 / 1,497 (97.0%)" in text and "AWS 2,729 / 2,808 (97.2%)" in text


@pytest.mark.drawing
@pytest.mark.parametrize("name", ["roster", "concentration", "market", "deficit", "scenarios"])
def test_every_chart_names_its_sources(name):
    """Under the chart its publishers, each once, then the credit; in the caption file every source in full."""
    from sovereign_ai.charts import citations
    from sovereign_ai.charts.style import caption

    fig = draw(name)
    line = fig.sovereign_ai_description["source"]
    printed = " ".join(t.get_text() for t in fig.texts if t.get_text().startswith(("Source", "Sources")))
    assert printed.startswith("Source") and printed.endswith("Chart: sovereign-ai project.")
    names = citations.publisher_names(line.source_ids, "en")
    shown = [n for n in names if n in " ".join(t.get_text() for t in fig.texts)]
    assert shown == names[: len(shown)] and (len(shown) == len(names) or "and others" in joined(fig))
    full = caption(fig)
    for source_id in line.source_ids:
        assert citations.reference(source_id, "en") in full, source_id


@pytest.mark.drawing
def test_roster_title_counts_providers_at_as_of():
    assert "(as of 2024-01-01: 5 providers, 1 of them Japanese)" in joined(draw("roster"))
    assert "(2024-01-01時点で5事業者、うち日本企業1)" in joined(draw("roster", "ja"))


@pytest.mark.drawing
def test_the_roster_legend_shows_only_marks_the_chart_draws():
    legend = draw("roster").legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    assert "Japanese company" not in labels, "Sakura is drawn as conditional, never as a solid domestic bar"
    assert "selected on a condition" in labels and "foreign company (US)" in labels


@pytest.mark.drawing
def test_a_japanese_chart_has_no_english_notes():
    plot = draw("deficit", "ja").axes[0]
    notes = [t.get_text() for t in plot.texts if "METI" in t.get_text() or "projection" in t.get_text()]
    assert notes == []


@pytest.mark.drawing
def test_show_source_off_leaves_the_line_to_the_caption():
    from sovereign_ai.charts.style import caption

    with_line = drawn("cloud_dependence", "en", 183)["market"]
    without = drawn("cloud_dependence", "en", 183, show_source=False)["market"]
    assert caption(with_line) == caption(without), "the caption file is the same either way"
    assert any(t.get_text().startswith("Sources:") for t in with_line.texts)
    assert not any(t.get_text().startswith("Sources:") for t in without.texts)
    assert without.get_figheight() < with_line.get_figheight()


@pytest.mark.drawing
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_long_source_line_names_fewer_publishers_never_none(lang):
    """The policy timeline cites 20-odd sources: at 89 mm its line names what fits in 3 lines, then "and others"."""
    from sovereign_ai.charts import citations, house
    from sovereign_ai.charts.style import caption

    fig = drawn("policy_timeline", lang, 89)[""]
    line = fig.sovereign_ai_description["source"]
    printed = house.source_lines_shown(line, lang, 89)
    assert 1 <= len(printed) <= 3 and all(p in [t.get_text() for t in fig.texts] for p in printed)
    assert text_of(printed).endswith(text.label("made_by", lang)) and text.label("and_others", lang) in text_of(printed)
    assert text_of(printed).startswith("(出所) " if lang == "ja" else "Sources: ")
    assert all(citations.reference(s, lang) in caption(fig) for s in line.source_ids), "the caption has every source"


def text_of(lines):
    return "".join(lines) if lines and any("出所" in line for line in lines) else " ".join(lines)


@pytest.mark.drawing
@pytest.mark.parametrize("notebook", ["cloud_dependence", "local_government", "ai_compute", "policy_timeline"])
def test_show_title_false_leaves_every_charts_title_to_its_caption(notebook):
    titled, untitled = drawn(notebook, "en"), drawn(notebook, "en", show_title=False)
    assert titled.keys() == untitled.keys()
    for part, fig in untitled.items():
        title = fig.sovereign_ai_description["title"]
        assert title and titled[part].sovereign_ai_description["title"] == title, "the caption keeps the title"
        assert title in joined(titled[part]) and title not in joined(fig), part
        assert fig.get_figheight() < titled[part].get_figheight(), "no empty band where the title was"


@pytest.mark.drawing
@pytest.mark.parametrize(
    ("lang", "width_mm", "start", "end", "labels"),
    [
        ("en", 183, "2025-02-27", "2025-03-01", ["27 Feb 2025", "28 Feb 2025", "1 Mar 2025"]),  # the layout makes room
        ("ja", 85, "2025-02-01", "2025-03-15", ["2025年2月", "2025年3月"]),
        (
            "en",
            183,
            "2025-01-01",
            "2026-06-30",
            [f"{month} {year}" for year in (2025, 2026) for month in ("Jan", "Mar", "May", "Jul", "Sep", "Nov")][:9],
        ),
        ("en", 183, "2018-01-01", "2026-12-31", [str(year) for year in range(2018, 2027)]),  # as figures/ has it
    ],
)
def test_a_policy_timeline_of_any_range_labels_its_dates_on_the_page(lang, width_mm, start, end, labels):
    """Year ticks alone left a range of months or days with one date label, or none."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = drawn("policy_timeline", lang, width_mm, start=start, end=end)[""]
    axis = fig.axes[0].xaxis
    assert [axis.get_major_formatter()(tick) for tick in axis.get_major_locator()()] == labels
    renderer = FigureCanvasAgg(fig).get_renderer()
    page = fig.bbox
    for label in fig.axes[0].get_xticklabels():
        box = label.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1, f"{label.get_text()} leaves the page"


@pytest.mark.drawing
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_year_labels_stay_apart_at_the_narrowest_width(lang):
    """At 85 mm, yearly labels of the roster ran together ("2020年2021年2022年...")."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = drawn("cloud_dependence", lang, 85)["roster"]  # 2021 to 2027
    axis = fig.axes[0].xaxis
    years = [axis.get_major_formatter()(tick) for tick in axis.get_major_locator()()]
    assert len(years) >= 3, years
    renderer = FigureCanvasAgg(fig).get_renderer()
    labels = [label for label in fig.axes[0].get_xticklabels() if label.get_text()]
    boxes = sorted((label.get_window_extent(renderer) for label in labels), key=lambda box: box.x0)
    assert all(left.x1 + 2 < right.x0 for left, right in itertools.pairwise(boxes)), years


@pytest.mark.drawing
def test_numbers_stacked_over_a_crowded_lane_stay_clear_of_the_lane_above(tmp_path):
    """From 2015 to 2030 at 85 mm, the EU's stacked numbers ran into Japan's ('17' over '7')."""
    from sovereign_ai.charts import style
    from sovereign_ai.checks.layout_check import problems

    fig = drawn("policy_timeline", "ja", 85, start="2015-01-01", end="2030-12-31")[""]
    (pdf,) = style.save_figure(fig, tmp_path, "timeline", ["pdf"], 300)
    assert problems(pdf) == []
    ax = fig.axes[0]
    lanes = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.get_yticks()))
    japan_y = ax.transData.transform((0, lanes["日本"]))[1]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    eu_numbers = [t for t in ax.texts if t.xy[1] == lanes["EU"]]
    assert eu_numbers, "the EU lane has numbers"
    highest = max(t.get_window_extent(renderer).y1 for t in eu_numbers)
    half_star = 3.5 * fig.dpi / 72
    assert highest < japan_y - half_star, "the EU's numbers end below Japan's markers"


@pytest.mark.drawing
def test_the_deficits_crowded_years_are_read_one_value_a_row():
    """The values of 2023 and 2024 crowd into one cluster in the chart: a panel gives each its row."""
    fig = draw("deficit")
    detail = fig.axes[1]
    rows = [label.get_text().replace("\n", " ") for label in detail.get_yticklabels()]
    values = [t.get_text() for t in detail.texts]
    assert rows[0] == "Digital Agency Priority Plan (2023)" and values[0] == "5.3", "one precision: 5.3452 as 5.3"
    assert values[rows.index("METI Digital Economy Report (2024)")] == "6.9", "6.85 rounded as a reader would"
    assert "Kyodo News (2024, preliminary)" in rows and "MIC White Paper, five items (2024)" in rows
    assert values[rows.index("MIC White Paper, five items (2024)")] == "about 6.8", "approximate as the source"
    observed = data.load_table("digital_deficit").query("not is_projection and year >= 2023")
    assert len(rows) == len(observed) == 7


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_source_without_a_known_headline_is_cited_by_its_publisher_alone(lang):
    from sovereign_ai.charts import citations

    row = data.source("T6-10b")
    assert not row["title"], "no headline on record: no title, never a description"
    publisher = row["publisher_ja" if lang == "ja" else "publisher_en"]
    line = citations.source_line(["T6-10b"], lang)
    assert line == (
        f"(出所) {publisher}より sovereign-ai 作成"
        if lang == "ja"
        else f"Source: {publisher}. Chart: sovereign-ai project."
    )
    assert "「" not in citations.reference("T6-10b", lang) and '"' not in citations.reference("T6-10b", lang)


@pytest.mark.drawing
def test_an_event_on_the_ranges_first_day_is_drawn_clear_of_the_axis_line():
    """From 2025-09-01 to 09-02, the event of 09-01 sat on the y-axis line, its number hidden."""
    import matplotlib.dates as mdates

    fig = drawn("policy_timeline", "ja", 85, start="2025-09-01", end="2025-09-02")[""]
    ax = fig.axes[0]
    low, _ = ax.get_xlim()
    event = mdates.date2num(dt.date(2025, 9, 1))
    axis_mm = ax.get_position().width * 85
    assert (event - low) / (ax.get_xlim()[1] - low) * axis_mm >= 1.9, "half a star and a gap from the axis line"


@pytest.mark.drawing
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("width_mm", [85, 89, 120, 183, 250])
def test_each_number_of_the_timeline_points_to_exactly_one_marker(lang, width_mm):
    """5/6/7, 3/4, 9/10 and the EU's 13/14 sat on one another with their numbers stacked above them:
    no reader could tell which number was whose. Now no two markers overlap, each number's leader line
    ends on its own marker, and no two numbers overlap."""
    import numpy as np

    fig = drawn("policy_timeline", lang, width_mm)[""]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    markers = [
        (
            line.get_transform().transform(np.column_stack([ax.convert_xunits(line.get_xdata()), line.get_ydata()]))[0],
            line.get_markersize() * fig.dpi / 72,
        )
        for line in ax.get_lines()
        if line.get_marker() in ("o", "*")
    ]
    for (a, size_a), (b, size_b) in itertools.combinations(markers, 2):
        assert np.hypot(*(a - b)) >= 0.5 * (size_a + size_b) - 0.5, "two markers overlap"
    numbers = [t for t in ax.texts if t.get_text().isdigit()]
    assert len(numbers) == len(markers)
    ends = [t.xycoords.transform(t.xy) for t in numbers]
    for end in ends:
        assert sum(np.hypot(*(end - m)) < 0.5 for m, _ in markers) == 1, "a leader ends on one marker"
    from matplotlib.text import Text

    boxes = [Text.get_window_extent(t, renderer) for t in numbers]  # the number, without its leader line
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b) or a.intersection(a, b).width < 0.5, "two numbers overlap"


def test_spread_keeps_labels_apart_and_near_their_marks():
    from sovereign_ai.charts import marks

    placed = marks.spread([10, 10.2, 10.4, 30], [2, 2, 2, 2], 0, 40)
    assert [round(p, 6) for p in placed] == [7.4, 10.2, 13.0, 30.0], "a crowd spreads around its mean; a loner stays"
    assert marks.spread([0.5, 1], [2, 2], 0, 40) == pytest.approx([1.0, 3.8]), "none past the start of the lane"
    assert marks.spread([39.5], [2], 0, 40) == pytest.approx([39.0]), "none past its end"
