"""Worked solutions to the "Try it" exercises at the end of each notebook.

The questions stand in the notebooks; the solutions live here so that a
notebook handed to students shows none of them. Run a notebook with
`show_solutions=True` (papermill `-p show_solutions True`) to show every
solution: its explanation, its code, and what the code gives.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Solution:
    explanation: str  # Markdown
    code: str  # run in the notebook's kernel, with `settings` and the package at hand


SOLUTIONS: dict[str, list[Solution]] = {
    "four_reasons": [
        Solution(
            "A single journal column is 89 mm. Below 120 mm the panels stack in one column by themselves.",
            'fig = draw_report_figure("four_reasons", lang="en", width_mm=89, palette="okabe_ito")\n'
            "style.show_figure(fig)",
        ),
        Solution(
            "For black-and-white print use the greyscale palette; with the title in the caption, drop it "
            "from the figure.",
            'fig = draw_report_figure("four_reasons", lang="ja", width_mm=120, palette="greyscale", '
            "show_title=False)\nstyle.show_figure(fig)",
        ),
        Solution(
            "Count the statements by panel and role: panels 1 and 4 name two consequences, and panel 4 "
            "has no response in the report's extracted text.",
            'statements = data.load_table("four_reasons_statements")\n'
            'print(statements.pivot_table(index="panel_no", columns="role", values="line_no", '
            'aggfunc="count", fill_value=0).to_string())',
        ),
    ],
    "basic_plan_policies": [
        Solution(
            "Fourteen examples: four under each policy except AIガバナンスの主導, which has two.",
            'examples = data.load_table("basic_plan_examples")\n'
            'per_policy = examples.groupby("policy_no").size()\n'
            "print(len(examples), {int(policy): int(count) for policy, count in per_policy.items()})",
        ),
        Solution(
            "`columns=4` puts the four panels in one row; give it room with the widest width.",
            'fig = draw_report_figure("basic_plan_policies", lang="en", width_mm=250, palette="okabe_ito", '
            "columns=4)\nstyle.show_figure(fig)",
        ),
        Solution(
            "Filter the examples whose Japanese text contains 信頼 (trust).",
            'examples = data.load_table("basic_plan_examples")\n'
            'for text_ja in examples[examples["text_ja"].str.contains("信頼")]["text_ja"]:\n'
            "    print(text_ja)",
        ),
    ],
    "cloud_dependence": [
        Solution(
            "On the day the FY2022 selection was announced the roster grew from two providers to four, "
            "all of them US companies.",
            'print(cloud_dependence.roster_as_of("2022-10-03")[["provider_id", "is_domestic", "status"]]'
            ".to_string(index=False))",
        ),
        Solution(
            "Start from the latest count: the domestic share is fraction × AWS systems / all systems; "
            "solve for a share of 50 %.",
            "base = cloud_dependence.latest_concentration()\n"
            "fraction = 0.5 * base.systems_total / base.systems_aws\n"
            "scenario = cloud_dependence.shift_to_domestic(base, fraction)\n"
            'print(f"{base.definition} of {base.as_of}: fraction {fraction:.4f} -> "\n'
            '      f"domestic share {scenario.domestic_share_pct:.1f} %")',
        ),
        Solution(
            "In October 2024 no source splits the 45 other production systems by provider, so the HHI has "
            "a lowest and a highest value; in March 2025 every system's provider is published, so the HHI "
            "is a number. If the 45 sat on two providers only, the lowest value would rise:",
            "october = cloud_dependence.concentrations()[0]\n"
            "rest = cloud_dependence.share_pct(october.systems_unsplit, october.systems_total)\n"
            "one_system = cloud_dependence.share_pct(1, october.systems_total)\n"
            "for providers in (3, 2, 1):\n"
            "    low, high = cloud_dependence.hhi_bounds([october.aws_share_pct], rest, providers, one_system)\n"
            "    print(f\"{providers} provider{'s' if providers > 1 else ''}: {low:,.1f} to {high:,.1f}\")",
        ),
    ],
    "policy_timeline": [
        Solution(
            'Choose the jurisdictions and the dates with the parameters (`jurisdictions = ["JP", "KR"]`, '
            '`start = "2024-01-01"`) and run all cells; the dates answer the question directly:',
            'korea = [e for e in landscape.events(["KR"], "2024-01-01") if "Committee" in e["event_en"]]\n'
            'in_force = [e for e in landscape.events(["JP"]) if e["event_id"] == "jp_ai_act_in_force"][0]\n'
            "for e in korea + [in_force]:\n"
            '    print(e["date"], e["jurisdiction"], e["event_en"])',
        ),
        Solution(
            "From enactment to full enforcement:",
            "import datetime as dt\n"
            'events = {e["event_id"]: e for e in landscape.events(["JP"])}\n'
            'days = (dt.date.fromisoformat(events["jp_ai_act_in_force"]["date"])'
            ' - dt.date.fromisoformat(events["jp_ai_act_enacted"]["date"])).days\n'
            'print(days, "days")',
        ),
        Solution(
            "The report names these events (★ in the chart):",
            'for e in landscape.events():\n    if e["is_in_report"]:\n'
            '        print(e["date"], e["jurisdiction"], e["event_en"])',
        ),
    ],
    "sovereign_models": [
        Solution(
            "Set `open_only = True` in the parameters cell and run all cells; the models it leaves out:",
            'models = data.load_table("sovereign_models")\n'
            'print(models[models["weights"] == "closed"][["model", "developer"]].to_string(index=False))',
        ),
        Solution(
            "A cross-table of country and openness:",
            'models = data.load_table("sovereign_models")\n'
            'print(models.groupby(["country", "weights"]).size().unstack(fill_value=0).to_string())',
        ),
        Solution(
            "Sarashina2-8x70B has no known release date. Dropping it would hide a model; giving it a date "
            "would invent one. It stands in the 'unknown' column instead.",
            'models = data.load_table("sovereign_models")\n'
            'print(models[models["first_release"].isna()][["model", "developer", "note"]].to_string(index=False))',
        ),
        Solution(
            "7 of 15 applications: 46.7 %, computed from the counts. The trial is announced from May 2026 to "
            "March 2027, 11 months counted in whole months; it is drawn as planned because no primary source "
            "read says it began as announced.",
            'counts = data.load_table("government_ai_counts").set_index("count_id")\n'
            'selected, applied = counts.at["selected_models", "value"], counts.at["applications", "value"]\n'
            'print(f"{selected} of {applied}: {100 * selected / applied:.1f} %")\n'
            'trial = data.load_table("government_ai_steps").set_index("step_id").loc["trial"]\n'
            'start, end = (int(y) * 12 + int(m) for y, m in (trial[c].split("-") for c in ("starts_on", "ends_on")))\n'
            'print(trial["starts_on"], "to", trial["ends_on"], end - start + 1, "months,", trial["stage"])',
        ),
    ],
    "local_government": [
        Solution(
            "Set `as_of` to 30 September 2025 and run all cells: the slippage chart keeps the first survey "
            "(October 2023, another definition) and the end of July 2025 count.",
            'surveys = data.load_table("local_gov_delay_surveys").fillna({"bodies_total": 0})\n'
            'kept = surveys[surveys["as_of"] <= "2025-09-30"]\n'
            "for s in kept.itertuples():\n"
            '    share = "no total"\n'
            "    if s.bodies_total:\n"
            '        share = f"{100 * s.bodies_count / s.bodies_total:.1f} % (computed)"\n'
            "    print(s.as_of, s.definition, s.bodies_count, share)",
        ),
        Solution(
            "From 643 to 935 bodies: 292 more, 16.3 % of all 1,788 bodies (computed from the counts).",
            'surveys = data.load_table("local_gov_delay_surveys").set_index("survey_id")\n'
            'grew = surveys.at["2025_12", "bodies_count"] - surveys.at["2025_07", "bodies_count"]\n'
            "print(grew, f\"{100 * grew / surveys.at['2025_12', 'bodies_total']:.1f} %\")",
        ),
        Solution(
            "The figures measure different things against different baselines, at different dates: a line "
            "between them would suggest one series. Their baselines:",
            'costs = data.load_table("local_gov_cost_figures")\n'
            'print(costs[["figure_id", "baseline_en", "refers_to"]].to_string(index=False))',
        ),
    ],
    "ai_compute": [
        Solution(
            "The five amounts add to 72.53 bn yen against the stated up to 72.5 bn: the press rounds each "
            "amount, so the parts need not add to the stated total.",
            'awards = data.load_table("compute_support_awards")\n'
            'day = awards[awards["decided_on"] == "2024-04-19"]\n'
            'print(len(day), round(day["amount_billion_jpy"].sum(), 2))',
        ),
        Solution(
            "About 6.8 bn yen in 2023 and up to about 50.1 bn yen in April 2024 for GPU clouds (plus 0.6 bn "
            "yen for technology development); the qualifiers differ, so any sum is approximate and says so.",
            'awards = data.load_table("compute_support_awards")\n'
            'sakura = awards[awards["company"] == "Sakura Internet"]\n'
            'columns = ["decided_on", "amount_billion_jpy", "amount_qualifier", "award_type"]\n'
            "print(sakura[columns].to_string(index=False))",
        ),
        Solution(
            "6.22 EFLOPS (half precision) and 3.0 EFLOPS (single precision) are the same machine counted at "
            "two precisions: adding them counts it twice. The 60 EFLOPS target states no precision, so no "
            "share of it can be computed from either.",
            'capacity = data.load_table("compute_capacity")\n'
            'print(capacity[["capacity_id", "capacity_high_eflops", "precision"]].to_string(index=False))',
        ),
        Solution(
            "387.3 bn yen, not 774.6: the decision of 2026-06-30 spends the FY2026 budget line (3873億円 is "
            "387.3 bn yen), so adding the two counts the same money twice. The five-year figure (about 1 tn "
            "yen) is a plan that includes FY2026.",
            'funding = data.load_table("compute_support_funding").set_index("funding_id")\n'
            'rows = ["foundation_model_fy2026", "noetra_fy2026", "noetra_5_years"]\n'
            'print(funding.loc[rows, ["kind", "amount_billion_jpy", "amount_qualifier", "is_plan"]].to_string())',
        ),
        Solution(
            "Nothing as a share. 1.7 EFLOPS is at FP4 and a lower bound ('at least'); the 60 EFLOPS target "
            "states no precision. The tenfold rise is a ratio to a capacity that no source here gives in "
            "exaflops, and a draft. Neither can be turned into exaflops against the target.",
            'capacity = data.load_table("compute_capacity").set_index("capacity_id")\n'
            'print(capacity.loc[["meti_target", "kyushu_genkai_d"], ["capacity_high_eflops", "capacity_qualifier", '
            '"precision"]].to_string())\n'
            'milestones = data.load_table("compute_milestones").set_index("milestone_id")\n'
            'print(milestones.loc["mext_university_compute_10x", ["value", "value_qualifier", "unit_en", "by_year", '
            '"stage"]].to_dict())',
        ),
    ],
}


def show_solutions(notebook: str, settings) -> None:
    """Display the notebook's worked solutions when settings.show_solutions is on; else nothing."""
    if not settings.show_solutions:
        return
    if not SOLUTIONS.get(notebook):
        print("This copy of the notebooks has no worked solutions: ask your teacher for them.")
        return
    from IPython.display import Markdown, display

    from sovereign_ai import data
    from sovereign_ai.analysis import cloud_dependence, landscape
    from sovereign_ai.charts import style
    from sovereign_ai.charts.report_figures import draw_report_figure

    for number, solution in enumerate(SOLUTIONS[notebook], start=1):
        display(Markdown(f"**Solution {number}.** {solution.explanation}\n\n```python\n{solution.code}\n```"))
        namespace = {
            "settings": settings,
            "data": data,
            "style": style,
            "landscape": landscape,
            "cloud_dependence": cloud_dependence,
            "draw_report_figure": draw_report_figure,
        }
        exec(solution.code, namespace)  # the code shown above, run as the student would
