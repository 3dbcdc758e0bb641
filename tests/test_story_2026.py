"""The story as of December 2026 (facts T11-*): the Government AI programme, the FY2026 budget lines
and METI's Noetra decision, the 2026 compute steps, and the bounds of the 2025 digital deficit. Each
test pins what a source states and what the charts draw of it, in both languages."""

import datetime as dt

import matplotlib.dates as mdates
import pandas as pd
import pytest

from sovereign_ai import data
from sovereign_ai.charts import text

from conftest import drawn, solution_output


def by_id(table: str, key: str) -> dict:
    return {row[key]: row for row in data.load_table(table).to_dict("records")}


def texts(fig) -> str:
    """Every piece of text in a figure, lines rejoined."""
    found = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text().strip()]
    return " ".join(" ".join(found).split())


def empty(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


# ---- data --------------------------------------------------------------------------


def test_the_seven_selected_models_carry_their_developers_as_mynavi_lists_them():
    models = data.load_table("government_ai_models").sort_values("list_no")
    assert list(zip(models["model"], models["developer_ja"])) == [
        ("tsuzumi 2", "NTTデータ"),
        ("CC Gov-LLM", "カスタマークラウド"),
        ("Llama-3.1-ELYZA-JP-70B", "KDDI・ELYZA"),
        ("Sarashina2 mini", "ソフトバンク"),
        ("cotomi v3", "NEC"),
        ("Takane 32B", "富士通"),
        ("PLaMo 2.0 Prime", "Preferred Networks"),
    ]
    assert set(models["developer_source_id"]) == {"T11-21"} and set(models["source_id"]) == {"T7-11"}


def test_the_government_ai_steps_run_from_the_call_to_procurement_in_fy2027():
    steps = by_id("government_ai_steps", "step_id")
    assert [s["step_id"] for s in sorted(steps.values(), key=lambda s: s["step_no"])] == [
        "call",
        "selection",
        "trial",
        "procurement",
    ]
    call, selection, trial, procurement = (steps[k] for k in ("call", "selection", "trial", "procurement"))
    assert (call["starts_on"], call["starts_precision"], call["stage"], call["source_id"]) == (
        "2025-12-02",
        "day",
        "done",
        "T11-22",
    )
    assert empty(call["ends_on"]), "the call's closing day rests on secondary sites only"
    assert (selection["starts_on"], selection["stage"], selection["source_id"]) == ("2026-03-06", "done", "T11-05")
    assert (trial["starts_on"], trial["ends_on"], trial["starts_precision"], trial["ends_precision"]) == (
        "2026-05",
        "2027-03",
        "month",
        "month",
    )
    assert (trial["fiscal_year"], trial["stage"], trial["source_id"]) == (2026, "planned", "T11-06")
    assert empty(procurement["starts_on"]) and empty(procurement["ends_on"])
    assert (procurement["fiscal_year"], procurement["stage"], procurement["source_id"]) == (
        2027,
        "to be considered",
        "T11-09",
    )


def test_the_counts_are_7_of_15_and_about_180000_staff_in_39_organisations():
    counts = by_id("government_ai_counts", "count_id")
    assert {k: (c["value"], c["source_id"]) for k, c in counts.items()} == {
        "applications": (15, "T11-21"),
        "selected_models": (7, "T11-21"),
        "trial_staff": (180000, "T11-07"),
        "trial_organisations": (39, "T11-06"),
    }
    assert counts["trial_staff"]["value_qualifier"] == "about"
    assert all(empty(counts[k]["value_qualifier"]) for k in ("applications", "selected_models", "trial_organisations"))


def test_fy2026_budget_lines_and_the_noetra_decision():
    funding = by_id("compute_support_funding", "funding_id")
    ai = funding["ai_semiconductor_fy2026"]
    assert (ai["amount_billion_jpy"], ai["stated_ja"], ai["kind"], ai["is_plan"], ai["source_id"]) == (
        1239,
        "1兆2390億円",
        "budget",
        True,
        "T11-10",
    )
    fy = funding["noetra_fy2026"]
    assert (fy["amount_billion_jpy"], fy["kind"], fy["decided_on"], fy["decided_on_precision"]) == (
        387.3,
        "decision",
        "2026-06-30",
        "day",
    )
    assert empty(fy["amount_qualifier"]) and not fy["is_plan"] and fy["source_id"] == "T11-11"
    five = funding["noetra_5_years"]
    assert (five["amount_billion_jpy"], five["amount_qualifier"], five["kind"], five["is_plan"]) == (
        1000,
        "about",
        "plan",
        True,
    )
    assert (five["decided_on"], five["source_id"]) == ("2026-06-30", "T11-23")
    lines = [f for f in funding.values() if f["source_id"] == "T11-10"]
    assert sorted(f["funding_id"] for f in lines) == ["ai_semiconductor_fy2026", "foundation_model_fy2026"], (
        "the foundation-model line of the FY2026 budget is one row"
    )


def test_kyushus_system_is_at_least_1_7_eflops_at_fp4_a_precision_of_its_own():
    row = by_id("compute_capacity", "capacity_id")["kyushu_genkai_d"]
    assert (row["capacity_low_eflops"], row["capacity_high_eflops"], row["capacity_qualifier"]) == (
        1.7,
        1.7,
        "at least",
    )
    assert (row["precision"], row["kind"], row["source_id"]) == ("fp4", "projection", "T11-15")
    capacity = data.load_table("compute_capacity")
    assert (capacity["precision"] == "fp4").sum() == 1


def test_2026_compute_milestones_keep_the_ratio_as_a_ratio():
    miles = by_id("compute_milestones", "milestone_id")
    kddi = miles["kddi_osaka_sakai"]
    assert (kddi["date"], kddi["date_precision"], kddi["stage"], kddi["source_id"]) == (
        "2026-01-22",
        "day",
        "in operation",
        "T11-13",
    )
    assert pd.isna(kddi["value"]), "no capacity is given for the Sakai data centre"
    mext = miles["mext_university_compute_10x"]
    assert (mext["value"], mext["value_qualifier"], mext["by_year"], mext["stage"], mext["source_id"]) == (
        10,
        "at least",
        2030,
        "draft",
        "T11-14",
    )
    assert "EFLOPS" not in mext["unit_en"]
    mou = miles["ai_for_science_mou"]
    assert (mou["date"], mou["source_id"]) == ("2026-06-08", "T11-15")


def test_the_2025_digital_deficit_is_kept_as_bounds_never_as_a_value():
    bounds = data.load_table("digital_deficit_bounds")
    assert sorted(zip(bounds["flow"], bounds["value_trillion_jpy"], bounds["bound"])) == [
        ("deficit", 6, "more than"),
        ("payments", 10, "more than"),
        ("receipts", 4, "more than"),
    ]
    assert set(bounds["year"]) == {2025} and set(bounds["source_id"]) == {"T11-16"}
    assert bounds.set_index("flow").at["deficit", "is_projection"], "a forecast by the MOF and the BOJ"
    assert 2025 not in set(data.load_table("digital_deficit")["year"]), "no 2025 value was found"


def test_the_story_uses_its_verbatim_facts_and_none_of_the_secondary_ones():
    sources = by_id("sources", "source_id")
    for used in ("T11-05", "T11-06", "T11-07", "T11-09", "T11-10", "T11-11", "T11-13", "T11-14", "T11-15"):
        assert sources[used]["confidence"] == "verbatim", used
    for used in ("T11-16", "T11-21", "T11-22", "T11-23"):
        assert sources[used]["confidence"] == "verbatim", used
    assert not {"T11-08", "T11-17", "T11-20"} & set(sources), "secondary rows are not used"
    assert (sources["T11-23"]["pub_date"], sources["T11-23"]["date_precision"]) == ("2026-06", "month")
    assert sources["T11-15"]["pub_date"] is None or pd.isna(sources["T11-15"]["pub_date"])
    assert "aitopics" in sources["T11-11"]["read_via"]


def test_a_day_is_written_as_each_language_writes_it():
    assert text.day(dt.date(2026, 6, 30), "ja") == "2026年6月30日"
    assert text.day(dt.date(2026, 6, 30), "en") == "2026-06-30"


# ---- what the charts draw -------------------------------------------------------------


def days(value: str) -> float:
    return mdates.date2num(dt.date.fromisoformat(value))


@pytest.mark.drawing
@pytest.mark.parametrize("width_mm", [183, 89])
def test_the_government_ai_chart_draws_the_steps_at_their_dates(width_mm):
    fig = drawn("sovereign_models", "en", width_mm)["government_ai"]
    ax = fig.axes[0]
    points = sorted((line.get_xdata()[0], line.get_ydata()[0]) for line in ax.get_lines() if len(line.get_xdata()))
    assert [(mdates.date2num(x) if isinstance(x, dt.date) else x, y) for x, y in points] == [
        (days("2025-12-02"), 0),
        (days("2026-03-06"), 1),
    ]
    bars = sorted((round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6)) for p in ax.patches)
    assert bars == [(days("2026-05-01"), days("2027-04-01")), (days("2027-04-01"), days("2028-04-01"))]
    shown = texts(fig)
    for words in ("7 of 15 applications", "about 180,000 staff, 39 organisations", "FY2027", "2025-12-02"):
        assert words in shown, words
    assert "planned (period as announced)" in shown and "Digital Agency" in shown


@pytest.mark.drawing
def test_the_government_ai_chart_in_japanese():
    shown = texts(drawn("sovereign_models", "ja", 183)["government_ai"])
    for words in ("応募15件から7件", "約18万人・39機関", "2027年度", "2025年12月2日", "2026年3月6日", "デジタル庁"):
        assert words in shown, words
    assert "約約" not in shown and "FY" not in shown


def bar_widths(fig) -> list[float]:
    return [round(p.get_width(), 4) for p in fig.axes[0].patches]


@pytest.mark.drawing
def test_the_fy2026_chart_draws_the_budget_lines_and_the_noetra_decision_in_oku_yen_in_japanese():
    ja = drawn("ai_compute", "ja", 183)["fy2026"]
    assert bar_widths(ja) == [12390, 3873, 3873, 10000]
    shown = texts(ja)
    for words in ("12,390", "3,873", "約10,000", "2026年度", "2026年6月30日", "億円", "時事通信", "ジャパンタイムズ"):
        assert words in shown, words
    en = drawn("ai_compute", "en", 89)["fy2026"]
    assert bar_widths(en) == [1239, 387.3, 387.3, 1000]
    shown = texts(en)
    for words in ("1,239", "387.3", "about 1,000", "FY2026", "2026-06-30", "never added", "Asia Times"):
        assert words in shown, words
    assert "774.6" not in shown, "the decision spends the budget line: never added"


@pytest.mark.drawing
@pytest.mark.parametrize("lang, words", [("en", "at least 1.7"), ("ja", "1.7以上")])
def test_the_capacity_chart_draws_kyushus_fp4_figure_apart_open(lang, words):
    fig = drawn("ai_compute", lang, 183)["capacity"]
    marks = [line for line in fig.axes[0].get_lines() if list(line.get_xdata()) == [1.7]]
    assert len(marks) == 1 and marks[0].get_markerfacecolor() == "white", "a planned system: an open marker"
    assert marks[0].get_marker() not in {line.get_marker() for line in fig.axes[0].get_lines() if line is not marks[0]}
    shown = texts(fig)
    assert words in shown and "FP4" in shown
    assert "7.92" not in shown and "4.7" not in shown, "FP4 is never added to another precision"


# ---- exercises ----------------------------------------------------------------------------


def test_the_government_ai_exercise_computes_the_share_and_the_months():
    shown = solution_output("sovereign_models", 4)
    assert "7 of 15: 46.7 %" in shown and "2026-05 to 2027-03 11 months, planned" in shown


def test_the_fy2026_exercises_show_why_nothing_is_added():
    shown = solution_output("ai_compute", 4)
    assert "387.3" in shown and "decision" in shown and "1000.0" in shown
    shown = solution_output("ai_compute", 5)
    assert "fp4" in shown and "at least" in shown and "'by_year': 2030" in shown and "'stage': 'draft'" in shown
