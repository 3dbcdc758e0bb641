"""as_of: "latest" reads everything in data/; an explicit date gives a snapshot of what was known then."""

import datetime as dt

import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.patches import Rectangle

from sovereign_ai import data, paths
from sovereign_ai.analysis import cloud_dependence

from conftest import drawn


def test_latest_is_the_day_data_was_last_checked_and_leaves_nothing_out():
    day = data.as_of_day("latest")
    assert day == data.checked_on() == dt.date(2026, 12, 7)
    assert cloud_dependence.left_out(day) == {}


def test_an_explicit_as_of_counts_the_rows_it_leaves_out():
    left = cloud_dependence.left_out(dt.date(2023, 6, 30))
    # Sakura's selection (2023-11-28), every status report (from 2024-10-31), both counts, and every
    # deficit value (none was published by mid-2023, nor was 2023 over)
    assert left == {"gov_cloud_selections": 1, "gov_cloud_status": 10, "gov_cloud_systems": 2, "digital_deficit": 11}


def _latest_x(fig) -> float:
    """The latest x, as a date number, of any mark in the charts' date axes."""
    found = []
    for ax in fig.axes:
        for line in ax.get_lines():
            xs = ax.convert_xunits(line.get_xdata())
            if line.get_linestyle() != "--" and len(xs):  # the dashed line is as_of itself
                found.append(float(np.max(xs)))
        for patch in ax.patches:
            if isinstance(patch, Rectangle):
                found.append(patch.get_x() + patch.get_width())
    return max(found)


@pytest.mark.drawing
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_as_of_mid_2023_draws_nothing_dated_later_and_its_title_agrees(lang):
    charts = drawn("cloud_dependence", lang, as_of="2023-06-30")
    assert set(charts) == {"roster", "market"}, "no count and no deficit value was known by then"
    roster = charts["roster"]
    assert _latest_x(roster) <= mdates.date2num(dt.date(2023, 6, 30)) + 1e-9
    names = [t.get_text() for t in roster.axes[0].get_yticklabels()]
    assert len(names) == 4 and not any("Sakura" in n or "さくら" in n for n in names)
    title = roster.sovereign_ai_description["title"]
    assert (
        ("2023-06-30: 4 providers, 0 of them Japanese" in title)
        if lang == "en"
        else ("2023-06-30時点で4事業者、うち日本企業0" in title)
    )
    metrics = cloud_dependence.metrics_table(dt.date(2023, 6, 30), [0.1]).set_index("metric")["value"]
    assert metrics["providers_selected"] == 4 and "production_systems_total" not in metrics


@pytest.mark.drawing
def test_latest_says_sakuras_deadline_passed_unreported():
    roster = drawn("cloud_dependence", "en")["roster"]
    labels = [t.get_text() for t in roster.legends[0].get_texts()]
    assert "deadline passed, not reported since 2025-11-20" in labels
    assert "as of 2026-12-07: 5 providers, 1 of them Japanese" in roster.sovereign_ai_description["title"]
    metrics = cloud_dependence.metrics_table(data.as_of_day("latest"), [0.1]).set_index("metric")
    assert metrics.at["providers_status_unknown", "value"] == 1
    assert "not reported since 2025-11-20" in metrics.at["providers_status_unknown", "note"]


def test_as_of_takes_latest_or_a_date_and_names_both():
    from sovereign_ai.parameters import RULES, ParameterError

    assert RULES["as_of"].check("as_of", "latest") == "latest"
    with pytest.raises(ParameterError, match=r'"latest".*YYYY-MM-DD'):
        RULES["as_of"].check("as_of", "newest")


@pytest.mark.drawing
def test_the_2025_deficit_is_shown_as_the_bounds_its_source_gives_never_as_a_value():
    from sovereign_ai.engine import notebook_code

    ran = notebook_code.run(
        paths.repo_root() / "notebooks" / "cloud_dependence.ipynb", {"lang": "en", "formats": ["png"]}
    )
    bounds = ran.namespace["bounds"].set_index("flow")
    assert (bounds.at["deficit", "bound"], bounds.at["deficit", "value_trillion_jpy"]) == ("more than", 6)
    assert bool(bounds.at["deficit", "is_projection"]) and bounds.at["deficit", "source_id"] == "T11-16"
    assert 2025 not in set(ran.namespace["deficit"]["year"]), "no 2025 value is drawn"


def test_a_deadline_passed_without_a_count_is_said_not_carried_forward():
    """The local bodies' deadline (2026-03-31) has passed and no count of who met it was reported."""
    import csv

    with (paths.figures_dir() / "local_government_metrics.csv").open(encoding="utf-8") as f:
        rows = {r["metric"]: r for r in csv.DictReader(f)}
    said = rows["bodies_that_met_the_deadline"]
    assert (said["value"], said["as_of"]) == ("not reported", "2026-12-07")
    assert "no count of the bodies that met it, nor any count after 2025-12-31" in said["note"]
    from sovereign_ai.checks.layout_check import words

    drawn = " ".join(w.text for w in words(paths.figures_dir() / "local_government_slippage.en.pdf"))
    assert "no count of the bodies that met it" in drawn, "and the chart says so"
