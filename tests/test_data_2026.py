"""The 2026 tables: local governments' migration, AI compute, the adopted AI Basic Plan,
the bilingual names, and the audit's fixes. Each test asserts what a source states."""

import csv
import re

import pandas as pd
import pytest

from sovereign_ai import data
from sovereign_ai.data import load_table

from conftest import REPO

FACTS = REPO.parent / "shared" / "facts"  # the vetted facts, beside the repository when it is checked out there


def by_id(table: str, key: str) -> dict:
    """The rows of a table as dicts, keyed by one column."""
    return {row[key]: row for row in load_table(table).to_dict("records")}


# ---- local governments' migration -------------------------------------------------


def test_standardisation_scope_is_the_digital_agencys_count():
    scope = by_id("local_gov_standardisation", "quantity")
    assert {q: r["count"] for q, r in scope.items()} == {"operations": 20, "local_bodies": 1788, "systems": 34592}
    assert set(load_table("local_gov_standardisation")["source_id"]) == {"T9-01"}


def test_deadline_is_the_end_of_fy2025_with_an_extension_of_about_five_years():
    deadlines = by_id("local_gov_deadlines", "deadline_id")
    assert (deadlines["standard"]["deadline"], deadlines["standard"]["fiscal_year_end"]) == ("2026-03-31", "FY2025")
    hard = deadlines["hard_cases"]
    assert pd.isna(hard["deadline"])
    assert (hard["within_years"], hard["within_years_qualifier"], hard["stated_ja"]) == (5, "about", "概ね5年以内")


@pytest.mark.parametrize(
    ("survey_id", "bodies", "share"),
    [("2023_10", 171, 9.6), ("2025_07", 643, 36.0), ("2025_10", 743, 41.6), ("2025_12", 935, 52.3)],
)
def test_shares_computed_from_the_counts_match_the_shares_the_sources_print(survey_id, bodies, share):
    survey = by_id("local_gov_delay_surveys", "survey_id")[survey_id]
    assert survey["bodies_count"] == bodies
    assert survey["bodies_total"] == 1788
    assert round(100 * survey["bodies_count"] / survey["bodies_total"], 1) == survey["stated_bodies_share_pct"] == share


def test_delayed_systems_are_10_9_percent_of_all_systems_and_add_up_by_reason():
    july = by_id("local_gov_delay_surveys", "survey_id")["2025_07"]
    assert (july["systems_count"], july["systems_total"]) == (3770, 34592)
    assert round(100 * july["systems_count"] / july["systems_total"], 1) == july["stated_systems_share_pct"] == 10.9
    reasons = load_table("local_gov_delay_reasons")
    july_reasons = reasons[reasons["survey_id"] == "2025_07"]
    assert dict(zip(july_reasons["reason_id"], july_reasons["systems_count"])) == {
        "mainframe": 45,
        "custom_built": 196,
        "no_standard_system": 184,
        "vendor_resources": 3345,
    }
    assert july_reasons["systems_count"].sum() == july["systems_count"]


def test_a_reason_without_a_count_in_the_sources_has_no_count():
    reasons = load_table("local_gov_delay_reasons")
    december = reasons[reasons["survey_id"] == "2025_12"]
    assert december["reason_id"].tolist() == ["vendor_engineers"]
    assert december["systems_count"].isna().all()


def test_the_stated_changes_between_counts_agree_with_the_counts():
    surveys = by_id("local_gov_delay_surveys", "survey_id")
    by_date = {s["as_of"]: s for s in surveys.values()}
    for survey in surveys.values():
        earlier = by_date.get(survey["change_since"])
        if earlier is not None:
            assert survey["bodies_count"] - earlier["bodies_count"] == survey["stated_change_bodies"], survey[
                "survey_id"
            ]
    assert surveys["2025_07"]["stated_change_bodies"] == 36  # against end of April 2025, a count not in the facts


def test_the_first_survey_has_its_own_definition_and_is_171_of_1788():
    """Jiji (T11-03): '171, or 9.6 pct, of the country's 1,788 local governments', not Toyo Keizai's 'about 10%'."""
    surveys = by_id("local_gov_delay_surveys", "survey_id")
    first = surveys["2023_10"]
    assert (first["bodies_count"], first["as_of"], first["as_of_precision"]) == (171, "2023-10", "month")
    assert first["definition"] == "extremely_difficult"
    assert {s["definition"] for k, s in surveys.items() if k != "2023_10"} == {"specified_migration_support"}
    assert (first["bodies_total"], first["bodies_total_source_id"], first["source_id"]) == (1788, "T11-03", "T11-03")
    assert first["stated_bodies_share_pct"] == 9.6 and pd.isna(first["stated_bodies_share_qualifier"])
    assert (first["published_on"], first["published_on_precision"]) == ("2024-03-05", "day")


def test_the_october_2025_count_was_published_on_23_december_with_5009_systems():
    """T11-01: the Kyodo text on Oita Godo Shimbun's site, 2025-12-23: 743 bodies, 5,009 systems."""
    october = by_id("local_gov_delay_surveys", "survey_id")["2025_10"]
    assert (october["published_on"], october["published_on_precision"]) == ("2025-12-23", "day")
    assert (october["bodies_count"], october["systems_count"], october["source_id"]) == (743, 5009, "T11-01")
    assert pd.isna(october["stated_systems_share_pct"])  # 14.5 % is a computation, not printed
    source = by_id("sources", "source_id")["T11-01"]
    assert (source["pub_date"], source["publisher_ja"], source["publisher_en"]) == (
        "2025-12-23",
        "大分合同新聞",
        "Oita Godo Shimbun",
    )
    assert "Kyodo" in source["attribution_basis"]
    assert by_id("sources", "source_id")["T9-06"]["pub_date"] == "2025-12-23"  # settled by T11-01


def test_no_computed_share_is_stored():
    for table in ("local_gov_delay_surveys", "local_gov_cloud_use"):
        shares = [c for c in load_table(table).columns if "share" in c]
        assert shares and all(c.startswith("stated_") for c in shares), table


def test_cost_figures_keep_their_bases_dates_and_sources():
    figures = by_id("local_gov_cost_figures", "figure_id")
    target = figures["national_target"]
    assert (target["kind"], target["cost_reduction_pct"], target["cost_reduction_qualifier"]) == (
        "target",
        30,
        "at least",
    )
    assert target["baseline_en"] == "FY2018"
    assert figures["core_cities_average"]["cost_ratio"] == 2.3
    assert figures["core_cities_maximum"]["cost_ratio"] == 5.7
    at_least_2x = figures["core_cities_at_least_2x"]
    assert (at_least_2x["cost_ratio"], at_least_2x["cost_ratio_qualifier"]) == (2, "at least")
    assert "more than half" in at_least_2x["applies_to_en"]
    tokyo = figures["tokyo_estimate"]
    assert (tokyo["kind"], tokyo["cost_ratio"], tokyo["cost_ratio_qualifier"]) == ("estimate", 1.6, "about")
    assert {f["source_id"] for f in figures.values()} == {"T9-09", "T2-10", "T9-11"}
    assert len({f["baseline_en"] for f in figures.values()}) == 3, "three different baselines, said in the data"


def test_migration_funds_keep_about_and_planned():
    funds = by_id("local_gov_migration_funds", "fund_id")
    first = funds["fy2020_fy2021_first_tranches"]
    assert (first["amount_billion_jpy"], first["amount_qualifier"], first["is_planned"]) == (182.5, "about", False)
    top_up = funds["fy2023_supplementary"]
    assert (top_up["amount_billion_jpy"], top_up["stated_ja"]) == (516.3, "5163億円")


def test_the_fy2023_top_up_was_enacted_on_29_november_2023_not_planned():
    """T11-04 (事業構想): the FY2023 supplementary budget, with 5163億円 for standardisation, passed on 2023-11-29."""
    top_up = by_id("local_gov_migration_funds", "fund_id")["fy2023_supplementary"]
    assert (top_up["is_planned"], top_up["source_id"]) == (False, "T11-04")
    assert "enacted 2023-11-29" in top_up["budget_en"]
    assert "2023年11月29日" in by_id("sources", "source_id")["T11-04"]["note"]


def test_823_of_862_local_governments_on_aws_is_95_5_percent():
    use = load_table("local_gov_cloud_use").iloc[0]
    assert str(use["as_of"].date()) == "2025-03-31"
    assert (use["local_bodies_on_gov_cloud"], use["local_bodies_on_aws"], use["local_bodies_on_azure"]) == (862, 823, 0)
    assert round(100 * use["local_bodies_on_aws"] / use["local_bodies_on_gov_cloud"], 1) == use["stated_aws_share_pct"]
    assert use["source_id"] == "T2-22"


# ---- AI compute --------------------------------------------------------------------


def test_awards_keep_about_and_up_to_as_the_sources_say_them():
    awards = by_id("compute_support_awards", "award_id")
    stated = {k: (a["decided_on"], a["amount_billion_jpy"], a["amount_qualifier"]) for k, a in awards.items()}
    assert stated["sakura_2023_06"] == ("2023-06", 6.8, "about")
    assert stated["softbank_2023_07"] == ("2023-07-07", 5.3, "about")
    assert stated["sakura_2024_04"] == ("2024-04-19", 50.1, "up to about")
    assert stated["softbank_2024_05"] == ("2024-05-10", 42.1, "up to")
    tech = awards["sakura_2024_02_tech"]
    assert tech["amount_billion_jpy"] == 0.6 and pd.isna(tech["amount_qualifier"])  # 6億円, stated plainly


def test_the_five_awards_of_19_april_2024_come_to_the_stated_up_to_72_5_billion_yen():
    awards = load_table("compute_support_awards")
    april = awards[awards["decision_total_id"] == "decisions_2024_04_19"]
    assert len(april) == 5 and set(april["decided_on"]) == {"2024-04-19"}
    total = by_id("compute_support_funding", "funding_id")["decisions_2024_04_19"]
    assert (total["amount_billion_jpy"], total["amount_qualifier"]) == (72.5, "up to")
    assert april["amount_billion_jpy"].sum() == pytest.approx(
        total["amount_billion_jpy"], abs=0.05
    )  # rounding in the press


def test_only_sakuras_february_2024_award_is_technology_development():
    awards = load_table("compute_support_awards")
    tech = awards[awards["award_type"] == "technology_development"]
    assert tech["award_id"].tolist() == ["sakura_2024_02_tech"]
    assert (tech.iloc[0]["decided_on"], tech.iloc[0]["decided_on_precision"]) == ("2024-02", "month")


def test_a_date_known_only_to_the_year_stays_a_year():
    zeureka = by_id("compute_support_awards", "award_id")["zeureka_2023"]
    assert (zeureka["decided_on"], zeureka["decided_on_precision"]) == ("2023", "year")


def test_the_budget_line_and_the_plans_are_told_apart():
    funding = by_id("compute_support_funding", "funding_id")
    assert (funding["fy2023_supplementary"]["kind"], funding["fy2023_supplementary"]["amount_billion_jpy"]) == (
        "budget",
        116.6,
    )
    assert not funding["fy2023_supplementary"]["is_plan"]
    assert all(f["is_plan"] for f in funding.values() if f["kind"] in ("plan", "framework"))


def test_capacity_figures_say_their_kind_and_precision():
    capacity = by_id("compute_capacity", "capacity_id")
    target = capacity["meti_target"]
    assert (target["kind"], target["capacity_low_eflops"], target["refers_to"]) == ("target", 60, "2028-03-31")
    estimate = capacity["meti_estimate_2023"]
    assert (estimate["kind"], estimate["capacity_low_eflops"], estimate["capacity_high_eflops"]) == ("estimate", 2, 3)
    awards = capacity["awards_2024_04"]
    assert (awards["kind"], awards["capacity_low_eflops"], awards["capacity_qualifier"]) == ("projection", 30, "about")
    abci = capacity["abci_3_half"]
    assert (abci["kind"], abci["capacity_low_eflops"], abci["precision"]) == ("projection", 6.22, "half")
    assert {c["precision"] for k, c in capacity.items() if not k.startswith(("abci", "kyushu"))} == {"not stated"}
    assert capacity["kyushu_genkai_d"]["precision"] == "fp4"
    assert all(c["capacity_low_eflops"] <= c["capacity_high_eflops"] for c in capacity.values())


# ---- the adopted AI Basic Plan -----------------------------------------------------


def test_the_adoption_date_agrees_with_the_policy_timeline():
    plan = by_id("basic_plan_adopted", "item_id")
    events = by_id("policy_events", "event_id")
    assert plan["cabinet_decision"]["date"] == events["jp_basic_plan_cabinet"]["date"] == "2025-12-23"
    assert plan["cabinet_decision"]["confirmation"] == "primary"


def test_the_four_basic_policies_keep_the_outlines_names_on_secondary_sources():
    plan = load_table("basic_plan_adopted")
    policies = plan[plan["aspect"] == "basic_policy"]
    outline = by_id("basic_plan_policies", "policy_no")
    for _, policy in policies.iterrows():
        kept = outline[policy["outline_policy_no"]]
        assert policy["text_ja"] == f"{kept['name_ja']}({kept['motto_ja']})"
    assert len(policies) == 4 and set(policies["confirmation"]) == {"secondary"}


def test_three_principles_only_the_first_from_the_cabinet_office():
    plan = load_table("basic_plan_adopted")
    principles = plan[plan["aspect"] == "principle"].sort_values("item_no")
    assert principles["text_ja"].tolist() == [
        "イノベーション促進とリスク対応の両立",
        "アジャイルな対応",
        "内外一体での政策推進",
    ]
    assert principles["confirmation"].tolist() == ["primary", "secondary", "secondary"]


def test_the_drafts_targets_are_flagged_as_the_drafts():
    plan = by_id("basic_plan_adopted", "item_id")
    assert (plan["usage_target_1"]["share_pct"], plan["usage_target_2"]["share_pct"]) == (50, 80)
    investment = plan["investment_target"]
    assert (investment["amount_billion_jpy"], investment["amount_qualifier"]) == (1000, "about")
    targets = [p for p in plan.values() if p["aspect"] == "draft_target"]
    assert len(targets) == 3 and {p["stage"] for p in targets} == {"draft_plan"}
    assert plan["roadmap"]["stage"] == "planned"
    assert plan["revision"]["text_ja"] == "当面は毎年改定"


def test_the_japan_sequence_stays_one_to_seven_in_date_order():
    events = load_table("policy_events")
    steps = events.dropna(subset=["japan_sequence_step"]).sort_values("japan_sequence_step")
    assert steps["japan_sequence_step"].tolist() == list(range(1, 8))
    assert steps["date"].tolist() == sorted(steps["date"])


# ---- names in two languages --------------------------------------------------------


def test_jurisdiction_names():
    names = by_id("jurisdictions", "jurisdiction_id")
    assert {k: (v["name_ja"], v["name_en"]) for k, v in names.items()} == {
        "JP": ("日本", "Japan"),
        "EU": ("EU", "EU"),
        "KR": ("韓国", "Korea"),
        "FR": ("フランス", "France"),
        "UK": ("英国", "UK"),
        "IN": ("インド", "India"),
        "CA": ("カナダ", "Canada"),
        "SG": ("シンガポール", "Singapore"),
        "AE": ("アラブ首長国連邦", "UAE"),
    }


def test_only_ntt_communications_is_domestic():
    subjects = load_table("market_subjects")
    assert subjects[subjects["is_domestic"]]["subject_id"].tolist() == ["ntt_communications"]
    assert set(load_table("cloud_market_shares")["subject"]) <= set(subjects["subject_id"])


@pytest.mark.parametrize(
    ("table", "column", "target"),
    [
        ("policy_events", "jurisdiction", "jurisdictions"),
        ("sovereign_models", "country", "jurisdictions"),
        ("cloud_market_shares", "subject", "market_subjects"),
    ],
)
def test_names_are_foreign_keys(table, column, target):
    keys = data.resource(table)["schema"]["foreignKeys"]
    assert any(k["fields"] == column and k["reference"]["resource"] == target for k in keys)


# ---- the audit's fixes -------------------------------------------------------------


def test_translations_keep_national_security_and_capability():
    assert load_table("four_reasons_panels")["title_en"][0] == "Securing data sovereignty and national security"
    assert load_table("basic_plan_policies")["name_en"][1] == "Strategically strengthening AI development capability"
    examples = {
        (e["policy_no"], e["example_no"]): e["text_en"] for e in load_table("basic_plan_examples").to_dict("records")
    }
    assert "winning path" in examples[(2, 2)]
    assert examples[(4, 2)].startswith("Examining and demonstrating")


def test_llm_jp_v1_takes_its_licence_from_its_own_model_card():
    model = by_id("sovereign_models", "model_id")["llm_jp_13b"]
    assert (model["licence"], model["first_release"], model["source_id"]) == ("Apache 2.0", "2023-10", "T7-06")
    attributes = load_table("sovereign_model_sources")
    llm_jp = attributes[attributes["model_id"] == "llm_jp_13b"]
    assert dict(zip(llm_jp["attribute"], llm_jp["source_id"])) == {"first_release": "T7-06", "licence": "T7-06b"}
    assert set(attributes["model_id"]) == set(load_table("sovereign_models")["model_id"])


def test_government_ai_selection_is_dated_by_t6_10b():
    event = by_id("policy_events", "event_id")["jp_government_ai_models"]
    assert (event["date"], event["date_precision"], event["source_id"]) == ("2026-03-06", "day", "T6-10b")
    assert pd.isna(event["japan_sequence_step"])
    assert len(load_table("government_ai_models")) == 7


def test_no_value_stands_on_the_blogs_the_facts_replaced():
    sources = by_id("sources", "source_id")
    for source_id, replaced in [
        ("T7-09", "mahmoudajawad.com"),
        ("T7-02", "localaimaster"),
        ("T7-01", "aiwiki.ai"),
        ("T6-19", "globalailaw.com"),
        ("T1-01", "cloud-future-media.com"),
    ]:
        assert replaced not in sources[source_id]["url"], source_id
    assert sources["T6-19"]["url"].startswith("https://www.gov.uk/")
    assert (sources["T3-02"]["publisher_ja"], sources["T3-02"]["publisher_en"]) == ("朝日新聞", "Asahi Shimbun")
    assert "low-quality" not in by_id("sovereign_models", "model_id")["falcon_40b"]["licence"]


def test_unverified_facts_are_not_used():
    assert not {"T6-13b", "T9-14"} & set(load_table("sources")["source_id"])


@pytest.mark.skipif(not FACTS.is_dir(), reason="needs ../shared/facts/, the register of facts the sources copy")
def test_source_rows_point_where_their_fact_rows_do():
    """A source row cites the page its fact row names; where it cites the original instead (an arXiv paper
    read on a copy), the page that was read is in read_via. A date the fact gives as an ISO date is kept."""
    facts = {}
    for path in FACTS.glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as f:
            facts |= {row["id"]: row for row in csv.DictReader(f)}
    for source in load_table("sources").to_dict("records"):
        fact = facts.get(source["source_id"])
        if fact is None:
            continue
        read_via = "" if pd.isna(source["read_via"]) else source["read_via"]
        assert source["url"] == fact["url"] or fact["url"] in read_via, source["source_id"]
        if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", fact["pub_date"]):
            assert source["pub_date"] == fact["pub_date"], source["source_id"]
        assert source["confidence"] == fact["confidence"] or source["confidence"] == "mixed", source["source_id"]


def test_a_projection_whose_items_are_not_stated_has_a_definition_of_its_own():
    """METI's projection of October 2024 (T4-12) predates the Digital Economy Report of April 2025
    (T4-08) and states no items: it is not filed under that report's definition."""
    deficit = load_table("digital_deficit")
    definitions = load_table("digital_deficit_definitions").set_index("definition_id")
    projection = deficit[deficit["is_projection"].astype(bool) & (deficit["year"] == 2030)].iloc[0]
    assert projection["definition_id"] != "meti" and projection["source_id"] == "T4-05"
    assert definitions.at[projection["definition_id"], "source_id"] == "T4-05"
    assert set(deficit.loc[deficit["definition_id"] == "meti", "source_id"]) == {"T4-08", "T4-13"}


def test_the_metrics_say_whom_a_cost_ratio_covers():
    with open(REPO / "figures" / "local_government_metrics.csv", encoding="utf-8") as f:
        notes = {row["metric"]: row["note"] for row in csv.DictReader(f)}
    assert notes["cost_ratio_core_cities_at_least_2x"].endswith("for more than half of the core cities surveyed")
    assert notes["cost_ratio_tokyo_estimate"].startswith("about 1.6× against current costs, for Tokyo")


def test_an_event_dated_by_a_2024_schedule_says_so():
    event = by_id("policy_events", "event_id")["eu_ai_act_most_rules"]
    assert event["source_id"] == "T6-13" and "as scheduled in 2024" in event["event_en"]


# ---- the audit of December 2026 ----------------------------------------------------


def test_principles_2_and_3_are_credited_to_the_secondary_page_they_were_read_on():
    """The Cabinet Office text (T10-03) names only principle 1; 2 and 3 were read on summatopi.jp (T10-04)."""
    plan = by_id("basic_plan_adopted", "item_id")
    assert plan["principle_1"]["source_id"] == "T10-03"
    for item in ("principle_2", "principle_3"):
        assert (plan[item]["source_id"], plan[item]["confirmation"]) == ("T10-04", "secondary"), item
    sources = by_id("sources", "source_id")
    assert sources["T10-04"]["confidence"] == "verbatim (secondary)"
    assert sources["T10-03"]["publisher_ja"] == "内閣府"


def test_tokyos_1_6x_is_credited_to_the_summary_site_it_was_read_on():
    """T9-11 was read on summary sites, not on ITmedia NEWS: the page read is cited and the rest said."""
    source = by_id("sources", "source_id")["T9-11"]
    assert (source["publisher_ja"], source["url"]) == ("uhdtv.jp", "https://uhdtv.jp/?p=743")
    assert "ITmedia" not in source["publisher_en"] and pd.isna(source["title"])
    assert "summary" in source["read_via"] and "ITmedia NEWS" in source["attribution_basis"]
    assert (source["pub_date"], source["date_precision"]) == ("2025-06", "month")
    assert source["date_basis"].startswith("approximate")


def test_the_july_2025_count_cites_the_wire_text_read_not_the_agencys_document():
    """T9-04's title named the Digital Agency's document, which was not read; the livedoor page was."""
    source = by_id("sources", "source_id")["T9-04"]
    assert pd.isna(source["title"]) and source["publisher_en"] == "livedoor News"
    assert source["url"] == "https://news.livedoor.com/topics/detail/29678172/"
    assert "not read" in source["note"] and "特定移行支援システムの該当見込み" in source["note"]


def test_abci_3_peak_is_a_projection_from_a_paper_written_before_full_operation():
    capacity = by_id("compute_capacity", "capacity_id")
    for capacity_id, eflops in (("abci_3_half", 6.22), ("abci_3_single", 3.0)):
        abci = capacity[capacity_id]
        assert (abci["kind"], abci["capacity_low_eflops"], abci["source_id"]) == ("projection", eflops, "T8-17")
        assert str(abci["stated_on"].date()) == "2024-11-14" and abci["refers_to"] == "2025-01"
    paper = by_id("sources", "source_id")["T8-17"]
    assert paper["url"] == "https://arxiv.org/abs/2411.09134"  # the paper; the copy read is in read_via
    assert "sandbox.awsmpapers.org" in paper["read_via"]
    assert paper["publisher_ja"] == "産業技術総合研究所" and "arXiv" not in paper["publisher_en"]


def test_the_jiji_article_listed_twice_is_one_source():
    """T4-05 and T4-12 were the same infoseek article under two publisher strings."""
    sources = by_id("sources", "source_id")
    assert "T4-12" not in sources
    for name in data.table_names():
        frame = load_table(name)
        for column in [c for c in frame.columns if c.endswith("source_id")]:
            assert "T4-12" not in set(frame[column].dropna()), (name, column)
    jiji = sources["T4-05"]
    assert (jiji["publisher_ja"], jiji["publisher_en"], jiji["pub_date"]) == ("時事通信", "Jiji Press", "2025-02-10")
    assert "2030" in jiji["statement"] and "6兆6506億" in jiji["statement"]
    deficit = load_table("digital_deficit")
    assert set(deficit.loc[deficit["year"].isin([2024, 2030]) & (deficit["source_id"] == "T4-05"), "year"]) == {
        2024,
        2030,
    }


def test_llm_jp_v1_release_month_is_said_to_rest_on_the_later_v2_post():
    sources = by_id("sources", "source_id")
    post = sources["T7-06"]
    assert (post["title"], post["pub_date"]) == ("LLM-jp-13B v2.0 公開", "2024-04-30")
    assert "No source of October 2023" in post["note"]
    assert "no source of October 2023" in by_id("sovereign_models", "model_id")["llm_jp_13b"]["note"]
    assert pd.isna(sources["T7-06b"]["pub_date"]) and "initial commit" in sources["T7-06b"]["date_basis"]


def test_sakuras_june_2023_award_is_a_subsidy_of_about_6_8_billion_yen_not_a_maximum():
    """NTV and Kyodo: 約68億円の補助を決定; only later secondary coverage says 最大."""
    sakura = by_id("compute_support_awards", "award_id")["sakura_2023_06"]
    stated = (sakura["amount_billion_jpy"], sakura["amount_qualifier"], sakura["amount_kind"])
    assert stated == (6.8, "about", "subsidy")


def test_the_fy2026_foundation_model_line_is_the_budgets_3873_oku_yen():
    """T11-10 (Jiji, 2025-12-22) replaces the planning figure 'more than 300 billion yen' (T8-20)."""
    line = by_id("compute_support_funding", "funding_id")["foundation_model_fy2026"]
    assert (line["amount_billion_jpy"], line["stated_ja"], line["source_id"]) == (387.3, "3873億円", "T11-10")
    assert pd.isna(line["amount_qualifier"]) and line["kind"] == "budget" and line["is_plan"]


def test_a_copy_read_is_said_even_where_it_is_the_only_url():
    """T7-03's URL is a copy of LG's technical report: read_via says so (audit item 17)."""
    assert "copy" in by_id("sources", "source_id")["T7-03"]["read_via"]


def test_a_source_read_on_a_copy_cites_the_original_and_names_the_copy():
    """Where the facts give the original's address, the source cites it; the copy read is in read_via."""
    sources = by_id("sources", "source_id")
    for source_id, original, copy in (
        ("T8-05", "https://www.nikkei.com/article/DGXZQOUF2060M0Q4A220C2000000/", "hqproductreviews.com"),
        ("T7-01", "https://arxiv.org/abs/2310.06825", "ui.adsabs.harvard.edu"),
        ("T8-17", "https://arxiv.org/abs/2411.09134", "sandbox.awsmpapers.org"),
    ):
        assert sources[source_id]["url"] == original and copy in sources[source_id]["read_via"], source_id
