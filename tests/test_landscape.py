"""Policy events and national models: dates as the facts give them, unknowns kept as unknown."""

import pytest

from sovereign_ai.analysis import landscape
from sovereign_ai.engine import notebook_code
from sovereign_ai.parameters import ParameterError, check_given

from conftest import REPO


def test_japans_sequence_carries_the_dates_in_the_facts():
    japan = {e["event_id"]: e for e in landscape.events(["JP"])}
    assert japan["jp_ai_act_enacted"]["date"] == "2025-05-28"
    assert japan["jp_ai_act_in_force"]["date"] == "2025-09-01"
    assert japan["jp_basic_plan_cabinet"]["date"] == "2025-12-23"
    steps = sorted((e["japan_sequence_step"], e["date"]) for e in japan.values() if e["japan_sequence_step"])
    assert [s for s, _ in steps] == list(range(1, 8))
    assert [d for _, d in steps] == sorted(d for _, d in steps), "the steps are in date order"


def test_events_the_report_names_are_marked():
    named = {e["event_id"] for e in landscape.events() if e["is_in_report"]}
    assert {"eu_ai_continent", "kr_ai_committee", "jp_ai_act_in_force", "jp_geniac"} <= named
    assert "fr_strategy_1" not in named


def test_a_month_only_date_stays_month_only():
    geniac = next(e for e in landscape.events(["JP"]) if e["event_id"] == "jp_geniac")
    assert (geniac["date"], geniac["date_precision"]) == ("2024-02", "month")
    assert str(landscape.plotted_date("2024-02")) == "2024-02-15"


def test_jurisdictions_and_dates_filter_the_events():
    rows = landscape.events(["KR", "JP"], "2025-09-01", "2025-09-30")
    assert [e["jurisdiction"] for e in rows] == ["KR", "JP", "JP", "JP"]
    assert [e["number"] for e in rows] == [1, 2, 3, 4]


@pytest.mark.drawing
def test_a_model_without_a_release_date_is_kept_as_unknown():
    unknown = [m for m in landscape.models() if m["first_release"] is None]
    assert [m["model"] for m in unknown] == ["Sarashina2-8x70B"]
    fig = notebook_code.run(REPO / "notebooks" / "sovereign_models.ipynb", {"lang": "en"}).figures[""]
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[-1] == "unknown"
    assert any("Sarashina2-8x70B" in t.get_text() for t in fig.axes[0].get_yticklabels())


def test_open_only_leaves_out_closed_models():
    assert "tsuzumi" in [m["model"] for m in landscape.models()]
    assert "tsuzumi" not in [m["model"] for m in landscape.models(open_only=True)]
    assert all(m["weights"] != "closed" for m in landscape.models(open_only=True))


def test_end_before_start_is_refused():
    with pytest.raises(ParameterError, match="parameter 'end': '2024-01-01' is not after start '2025-01-01'"):
        check_given(REPO / "notebooks" / "policy_timeline.ipynb", {"start": "2025-01-01", "end": "2024-01-01"})


def test_jurisdiction_rule_matches_the_module():
    from sovereign_ai.parameters import RULES

    assert RULES["jurisdictions"].choices == landscape.JURISDICTIONS


@pytest.mark.drawing
def test_the_models_chart_says_which_date_is_a_commercial_launch_and_speaks_japanese():
    fig = notebook_code.run(REPO / "notebooks" / "sovereign_models.ipynb", {"lang": "ja"}).figures[""]
    ax = fig.axes[0]
    assert "商用提供の開始" in [t.get_text() for t in ax.texts], "tsuzumi's date is its commercial launch"
    labels = " ".join(t.get_text() for t in ax.get_yticklabels())
    assert "国立情報学研究所" in labels and "led by" not in labels and "now Institute" not in labels


def test_dates_and_jurisdictions_with_no_event_are_refused_with_the_dates_there_are():
    with pytest.raises(ValueError) as refused:
        landscape.events(["SG"], "2026-06-01", "2026-06-30")
    assert str(refused.value) == (
        "parameters 'jurisdictions', 'start', 'end': no policy event of SG from 2026-06-01 to 2026-06-30 "
        "(their events run from 2023-12-04 to 2023-12-04); widen the dates or add jurisdictions"
    )
