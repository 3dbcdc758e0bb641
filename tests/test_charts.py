"""The cloud-dependence charts draw what the data say: ranges as ranges, projections apart, sources named."""

import pytest
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sovereign_ai import charts, data
from sovereign_ai.palettes import get_palette

PALETTE = get_palette("okabe_ito")


def texts(fig):
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_text())]


def joined(fig):
    return " ".join(texts(fig))


def draw(name, lang="en"):
    options = dict(lang=lang, width_mm=183, palette=PALETTE)
    if name == "roster":
        return charts.roster_chart("2024-01-01", **options)
    if name == "scenarios":
        return charts.scenario_chart([0.1, 0.5], **options)
    return getattr(charts, f"{name}_chart")(**options)


def test_market_shares_are_drawn_as_ranges_not_points():
    fig = draw("market")
    bars = {(round(r.get_x(), 6), round(r.get_width(), 6)) for r in fig.findobj(Rectangle)}
    shares = data.load_table("cloud_market_shares").dropna(subset=["share_low_pct"])
    for row in shares[shares["share_low_pct"] != shares["share_high_pct"]].itertuples():
        assert (row.share_low_pct, row.share_high_pct - row.share_low_pct) in bars, row.subject
    assert "40–50%" in texts(fig) and "60–70%" in texts(fig)
    assert "rank 4 (share not published)" in texts(fig), "a rank without a share is said, not plotted"


def test_projections_are_open_markers_and_observations_filled():
    fig = draw("deficit")
    deficit = data.load_table("digital_deficit")
    lines = [l for l in fig.findobj(Line2D) if len(l.get_xdata()) and l.get_marker() not in (None, "None", "")]
    open_points = sum(len(l.get_xdata()) for l in lines if to_hex(l.get_markerfacecolor()) == "#ffffff"
                      and l.get_label() and not l.get_label().startswith("projection"))
    assert open_points >= int(deficit["is_projection"].astype(bool).sum())
    assert "projection" in texts(fig)


def test_concentration_shows_the_hhi_interval_and_the_unsplit_rest():
    text = joined(draw("concentration"))
    assert "HHI 9,411 to 9,417 (an interval: the split is unknown)" in text
    assert "Google Cloud, Azure, OCI (split not published) 45" in text
    assert "AWS 1,452 (97.0%)" in text


@pytest.mark.parametrize("name, publishers", [
    ("roster", ["Dempa Shimbun Digital", "Jiji Press (nippon.com)", "ASCII.jp", "Daiwa Institute of Research"]),
    ("concentration", ["Nikkei xTECH", "Horizontal Merger Guidelines (2010)", "[read through a copy]"]),
    ("market", ["Modern Times", "Nikkei", "[secondary source]"]),
    ("deficit", ["Kyodo", "Jiji Press (infoseek)", "MIC", "BOJ Review"]),
    ("scenarios", ["Nikkei xTECH", "Horizontal Merger Guidelines (2010)"]),
])
def test_every_chart_names_its_sources(name, publishers):
    text = joined(draw(name))
    assert "Sources:" in text
    for publisher in publishers:
        assert publisher in text, (name, publisher)


def test_roster_title_counts_providers_at_as_of():
    assert "as of 2024-01-01: 5 providers (1 Japanese)" in joined(draw("roster"))
    assert "基準日 2024-01-01: 5事業者 (うち日本企業1)" in joined(draw("roster", "ja"))
