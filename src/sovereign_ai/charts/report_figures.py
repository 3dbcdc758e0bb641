"""The report's Figures 1 and 2 as card diagrams, built from the tables in data/."""

from matplotlib.figure import Figure

from sovereign_ai import data
from sovereign_ai.charts import citations, house, style, text
from sovereign_ai.charts.diagrams import MARGIN_MM, Boxed, Card, FlowArrow, Paragraph, card_grid, draw_card_figure
from sovereign_ai.charts.palettes import get_palette

REPORT_FIGURES = ("four_reasons", "basic_plan_policies")


def figure_record(figure_id: str) -> dict:
    """The row of report_figures.csv for this figure."""
    for row in data.validate_table("report_figures"):
        if row["figure_id"] == figure_id:
            return row
    raise ValueError(f"figure {figure_id!r} is unknown; choose one of {', '.join(REPORT_FIGURES)}")


def figure_title(figure_id: str, lang: str) -> str:
    return figure_record(figure_id)[f"title_{lang}"]


def _short_title(source: dict, lang: str) -> str:
    """The main title without its subtitle (after ' ― ' in Japanese, ':' in English)."""
    if lang == "ja":
        return source["title"].split(" ― ")[0]
    return source["title_en"].split(":")[0]


def source_line(figure_id: str, lang: str, *, short: bool = False) -> citations.SourceLine:
    """The line under the figure, built from sources.csv and report_figures.csv; short: without
    the titles, for a figure too narrow for the full line (the caption file keeps it)."""
    text.check_language(lang)
    form = "_short" if short else ""
    fig = figure_record(figure_id)
    report = data.source(fig["source_id"])
    original = data.source(fig["original_source_id"]) if fig["original_source_id"] else None
    ids = [fig["source_id"]] + ([fig["original_source_id"]] if original else [])
    title = "title" if lang == "ja" else "title_en"
    cited = (
        text.label(f"report_figure_original{form}", lang).format(
            publisher=original[f"publisher_{lang}"], title=original[title], pages=fig["original_pages"]
        )
        if original
        else ""
    )
    line = text.label(f"report_figure_source{form}", lang).format(  # the English line leaves the date to the caption
        author=report["author" if lang == "ja" else "author_en"],
        title=_short_title(report, lang),
        publisher=report[f"publisher_{lang}"],
        date=citations.date(report, lang),
        figure=fig[f"figure_label_{lang}"],
        page=fig["page"],
        original=cited,
    )
    return citations.SourceLine(line, ids, lang, text.label("report_figure_credit", lang))


def four_reasons_cards(lang: str) -> list[Card]:
    """Figure 1's panels: situation, arrow to consequence or risk, and response."""
    text.check_language(lang)
    size = style.FONT_SIZES.body
    statements = data.validate_table("four_reasons_statements")
    cards = []
    for panel in data.validate_table("four_reasons_panels"):
        mine = sorted((s for s in statements if s["panel_no"] == panel["panel_no"]), key=lambda s: s["line_no"])
        by_role = {
            role: [s[f"text_{lang}"] for s in mine if s["role"] == role]
            for role in ("situation", "consequence", "response")
        }
        blocks = [Paragraph(t, size) for t in by_role["situation"]]
        arrow_gutter = text.text_width_pt(panel["arrow"], size) * style.MM_PER_PT + 0.8
        blocks += [
            Paragraph(t, size, marker=panel["arrow"] if i == 0 else "", gutter_mm=arrow_gutter, tight=i > 0)
            for i, t in enumerate(by_role["consequence"])
        ]
        footer = [FlowArrow(), Boxed([Paragraph(t, size) for t in by_role["response"]])] if by_role["response"] else []
        cards.append(Card(panel[f"title_{lang}"], blocks, footer))
    return cards


def basic_plan_cards(lang: str) -> list[Card]:
    """Figure 2's panels: policy name and motto, aim, and examples of concrete measures."""
    text.check_language(lang)
    size = style.FONT_SIZES.body
    examples = data.validate_table("basic_plan_examples")
    cards = []
    for policy in data.validate_table("basic_plan_policies"):
        name, motto = policy[f"name_{lang}"], policy[f"motto_{lang}"]
        heading = f"{name}({motto})" if lang == "ja" else f"{name} ({motto})"
        items = sorted((e for e in examples if e["policy_no"] == policy["policy_no"]), key=lambda e: e["example_no"])
        blocks = [
            Paragraph(policy[f"aim_{lang}"], size),
            Paragraph(text.label("examples_heading", lang), style.FONT_SIZES.label, role="label_text"),
        ]
        blocks += [
            Paragraph(e[f"text_{lang}"], size, marker=text.label("bullet", lang), marker_role="body_text", tight=True)
            for e in items
        ]
        cards.append(Card(heading, blocks))
    return cards


_CARDS = {"four_reasons": four_reasons_cards, "basic_plan_policies": basic_plan_cards}


def report_figure_data(figure_id: str, lang: str):
    """Every text the figure prints, in its order, with its source: the figure's source data."""
    import pandas as pd

    text.check_language(lang)
    report = data.source(figure_record(figure_id)["source_id"])
    figure_sources = source_line(figure_id, lang).source_ids  # the report's figure, and what it was drawn from

    def cited(row_source: str) -> str:
        return "; ".join(dict.fromkeys([row_source, *figure_sources]))

    rows = []
    if figure_id == "four_reasons":
        panels = {p["panel_no"]: p for p in data.validate_table("four_reasons_panels")}
        for s in sorted(data.validate_table("four_reasons_statements"), key=lambda s: (s["panel_no"], s["line_no"])):
            rows.append(
                {
                    "label": panels[s["panel_no"]][f"title_{lang}"],
                    "value": s[f"text_{lang}"],
                    "role": s["role"],
                    "source_id": cited(s["source_id"]),
                }
            )
    elif figure_id == "basic_plan_policies":
        examples = data.validate_table("basic_plan_examples")
        for p in data.validate_table("basic_plan_policies"):
            for role in ("name", "motto", "aim"):
                rows.append(
                    {
                        "label": p[f"name_{lang}"],
                        "value": p[f"{role}_{lang}"],
                        "role": role,
                        "source_id": cited(p["source_id"]),
                    }
                )
            for e in sorted((e for e in examples if e["policy_no"] == p["policy_no"]), key=lambda e: e["example_no"]):
                rows.append(
                    {
                        "label": p[f"name_{lang}"],
                        "value": e[f"text_{lang}"],
                        "role": "example",
                        "source_id": cited(e["source_id"]),
                    }
                )
    else:
        raise ValueError(f"figure {figure_id!r} is unknown; choose one of {', '.join(_CARDS)}")
    table = pd.DataFrame(rows).assign(unit="text", date=report["pub_date"])
    return table[["label", "value", "unit", "date", "source_id", "role"]]


def columns_problem(figure_id: str, lang: str, width_mm: float, columns: int) -> str | None:
    """Why the figure's cards cannot take these columns at this width (a word would not fit), or None:
    asked before any kernel starts, from the same layout the drawing uses."""
    try:
        card_grid(_CARDS[figure_id](lang), lang, width_mm, columns)
    except ValueError as error:
        return str(error)
    return None


def draw_report_figure(
    figure_id: str,
    *,
    lang: str,
    width_mm: float,
    palette: str,
    columns: int = 0,
    show_title: bool = True,
    show_source: bool = True,
) -> Figure:
    """Figure 1 ('four_reasons') or Figure 2 ('basic_plan_policies') as a matplotlib Figure.

    Without the title or the source line on the figure, both still go to the caption file."""
    title = figure_title(figure_id, lang)  # an unknown figure_id is refused here, naming the known ones
    source = source_line(figure_id, lang)
    printed = source
    inner_mm = width_mm - 2 * MARGIN_MM
    if len(Paragraph(source, style.FONT_SIZES.source).lines(inner_mm, lang)) > house.source_line_limit(width_mm):
        printed = source_line(figure_id, lang, short=True)
    fig = draw_card_figure(
        title if show_title else "",
        _CARDS[figure_id](lang),
        printed if show_source else "",
        lang=lang,
        width_mm=width_mm,
        palette=get_palette(palette),
        columns=columns,
    )
    return style.describe(fig, title, source)
