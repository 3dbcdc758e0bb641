"""The wider sovereign-AI landscape: policy events by jurisdiction, and national models.

Dates are kept as precise as the sources give them: a month-only date is
drawn at mid-month with an open marker, and a model with no known release
date is shown as unknown, never dropped or given a made-up date.
"""

import datetime as dt

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sovereign_ai import citations, data, style, text
from sovereign_ai.charts import chart_figure, _legend, _wrapped
from sovereign_ai.diagrams import line_height_mm
from sovereign_ai.palettes import Palette

JURISDICTIONS = ("JP", "EU", "KR", "FR", "UK", "IN", "CA", "SG")
COUNTRY_NAMES = {
    "JP": {"ja": "日本", "en": "Japan"}, "EU": {"ja": "EU", "en": "EU"}, "KR": {"ja": "韓国", "en": "Korea"},
    "FR": {"ja": "フランス", "en": "France"}, "UK": {"ja": "英国", "en": "UK"}, "IN": {"ja": "インド", "en": "India"},
    "CA": {"ja": "カナダ", "en": "Canada"}, "SG": {"ja": "シンガポール", "en": "Singapore"},
    "AE": {"ja": "アラブ首長国連邦", "en": "UAE"},
}
WEIGHTS = ("open_licence", "open_non_commercial", "closed")
WEIGHT_MARKERS = {"open_licence": "o", "open_non_commercial": "^", "closed": "s"}  # shape too: greyscale print


def plotted_date(value: str) -> dt.date:
    """Where a date is drawn: the day itself, or the 15th for a month-only date."""
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 15)


def events(jurisdictions=JURISDICTIONS, start: str = "2018-01-01", end: str = "2026-12-31") -> list[dict]:
    """Policy events in the jurisdictions and date range, grouped by jurisdiction (in the order
    given), then by date, each with its number in that order."""
    start_day, end_day = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    rows = [r for r in data.validate_table("policy_events")
            if r["jurisdiction"] in jurisdictions and start_day <= plotted_date(r["date"]) <= end_day]
    rows.sort(key=lambda r: (list(jurisdictions).index(r["jurisdiction"]), plotted_date(r["date"]), r["event_id"]))
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    return rows


def models(open_only: bool = False) -> list[dict]:
    """National models, by country (Japan first) and release; with open_only, those with open weights."""
    rows = [r for r in data.validate_table("sovereign_models") if not open_only or r["weights"] != "closed"]
    order = ["JP", "KR", "FR", "SG", "AE", "EU", "UK", "IN", "CA"]
    rows.sort(key=lambda r: (order.index(r["country"]), r["first_release"] is None,
                             plotted_date(r["first_release"]) if r["first_release"] else dt.date.max, r["model"]))
    return rows


def timeline_chart(jurisdictions, start: str, end: str, *, lang: str, width_mm: float, palette: Palette) -> Figure:
    """Events by jurisdiction over time, numbered; below, Japan's legislative sequence zoomed in,
    then the numbered list of events."""
    rows = events(jurisdictions, start, end)
    lanes = [j for j in jurisdictions if any(r["jurisdiction"] == j for r in rows)] or list(jurisdictions)
    size = style.FONT_SIZES.source
    column_width = (width_mm - 2 * 2.5 - 4) / 2
    wrapped = [_wrapped(_event_entry(r, lang), lang, column_width - 6, size) for r in rows]
    half = (len(wrapped) + 1) // 2
    list_height = max(sum(len(w) for w in wrapped[:half]), sum(len(w) for w in wrapped[half:]), 1) \
        * line_height_mm(size)
    sequence = sorted((r for r in rows if r["japan_sequence_step"]), key=lambda r: r["japan_sequence_step"])
    zoom_height = 12.0 if sequence else 0.0
    zoom_block = zoom_height + 16 if sequence else 0.0  # axes, its ticks and title
    wide = width_mm >= 150
    legend_mm = 8 if wide else 13
    fig, (ax,) = chart_figure(width_mm, 7 * len(lanes) + 4, text.label("timeline_title", lang),
                              citations.source_line([r["source_id"] for r in rows], lang), lang,
                              left_mm=20, bottom_mm=8 + zoom_block + legend_mm + 2 + list_height + 2)
    y_of = {j: i for i, j in enumerate(lanes)}
    for r in rows:
        _event_marker(ax, r, plotted_date(r["date"]), y_of[r["jurisdiction"]], palette)
    _number_labels(ax, rows, lambda r: y_of[r["jurisdiction"]])
    ax.set_yticks(range(len(lanes)), [COUNTRY_NAMES[j][lang] for j in lanes])
    ax.set_ylim(len(lanes) - 0.4, -0.9)
    ax.set_xlim(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y年" if lang == "ja" else "%Y"))
    ax.grid(axis="x", linewidth=0.3, color="#D0D0D0")

    height_mm = fig.get_figheight() * style.MM_PER_INCH
    below_mm = (1 - ax.get_position().y0) * height_mm + 8  # under the main axes and its tick labels
    if sequence:
        _japan_zoom(fig, ax, sequence, below_mm + 6, zoom_height, width_mm, height_mm, palette, lang)
    handles = [Line2D([], [], marker="*", markersize=7, color="#000000", linestyle="none",
                      label=text.label("in_report", lang)),
               Line2D([], [], marker="o", markersize=4, color="#000000", linestyle="none",
                      label=text.label("other_event", lang)),
               Line2D([], [], marker="o", markersize=4, markerfacecolor="white", markeredgecolor="#000000",
                      linestyle="none", label=text.label("month_only", lang)),
               Line2D([], [], color=palette.domestic, linewidth=1.0, label=text.label("japan_sequence", lang))]
    fig.legend(handles=handles, fontsize=style.FONT_SIZES.label, frameon=False, ncols=4 if wide else 2,
               loc="upper left", bbox_to_anchor=(2.5 / width_mm if not wide else 20 / width_mm,
                                                 1 - (below_mm + zoom_block) / height_mm))
    _draw_event_list(fig, wrapped, half, column_width, size, width_mm, below_mm + zoom_block + legend_mm)
    return fig


def _event_marker(ax, row: dict, x, y, palette: Palette) -> None:
    colour = palette.domestic if row["jurisdiction"] == "JP" else palette.foreign
    filled = row["date_precision"] == "day"
    ax.plot([x], [y], marker="*" if row["is_in_report"] else "o", markersize=7 if row["is_in_report"] else 4,
            markerfacecolor=colour if filled else "white", markeredgecolor=colour, linestyle="none", zorder=2)


def _number_labels(ax, rows, y_for) -> None:
    """Each event's number above its marker, lifted a level when the previous one is close."""
    previous: dict[float, tuple[dt.date, int]] = {}
    span_days = (ax.get_xlim()[1] - ax.get_xlim()[0]) if ax.get_xlim()[1] > 2 else 3000
    near_days = max(20, span_days / 60)
    for r in rows:
        x, y = plotted_date(r["date"]), y_for(r)
        last = previous.get(y)
        level = (last[1] + 1) % 3 if last and (x - last[0]).days < near_days else 0
        previous[y] = (x, level)
        ax.annotate(str(r["number"]), xy=(x, y), xytext=(0, 4 + 4 * level), textcoords="offset points",
                    ha="center", va="bottom", fontsize=style.FONT_SIZES.source)


def _japan_zoom(fig, ax_main, sequence, top_mm, height, width_mm, figure_height_mm, palette, lang) -> None:
    """Japan's AI Act and AI Basic Plan steps, on their own time axis."""
    left = ax_main.get_position().x0
    width = ax_main.get_position().width
    ax = fig.add_axes((left, 1 - (top_mm + height) / figure_height_mm, width, height / figure_height_mm))
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=style.FONT_SIZES.body, length=2, width=0.5, pad=1.5)
    dates = [plotted_date(r["date"]) for r in sequence]
    ax.plot(dates, [0] * len(dates), color=palette.domestic, linewidth=1.0, zorder=1)
    for r, x in zip(sequence, dates):
        _event_marker(ax, r, x, 0, palette)
        above = r["japan_sequence_step"] % 2 == 1  # alternate sides: close steps stay apart
        ax.annotate(f"{text.label('step', lang)}{r['japan_sequence_step']} ({r['number']})", xy=(x, 0),
                    xytext=(0, 5 if above else -5), textcoords="offset points", ha="center",
                    va="bottom" if above else "top", fontsize=style.FONT_SIZES.source)
    first, last = dates[0], dates[-1]
    ax.set_xlim(first - dt.timedelta(days=20), last + dt.timedelta(days=20))
    ax.set_ylim(-2.2, 2.2)
    ax.set_yticks([])
    ax.xaxis.set_major_locator(mdates.MonthLocator(interval=1 if width_mm >= 150 else 3))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y年%-m月" if lang == "ja" else "%b %Y"))
    for label in ax.get_xticklabels():
        label.set_fontsize(style.FONT_SIZES.source)
    ax.set_title(text.label("japan_sequence", lang), fontsize=style.FONT_SIZES.label, loc="left", pad=2)


def _event_entry(row: dict, lang: str) -> str:
    star = " ★" if row["is_in_report"] else ""
    step = f" [{text.label('step', lang)}{row['japan_sequence_step']}]" if row["japan_sequence_step"] else ""
    country = COUNTRY_NAMES[row["jurisdiction"]][lang]
    return f"{row['number']}. {row['date']} {country}: {row[f'event_{lang}']}{step}{star}"


def _draw_event_list(fig: Figure, wrapped, half: int, column_width: float, size: float, width_mm: float,
                     top_mm: float) -> None:
    """The numbered list of events, in two columns, from top_mm down."""
    height_mm = fig.get_figheight() * style.MM_PER_INCH
    step = line_height_mm(size)
    for column, block in enumerate((wrapped[:half], wrapped[half:])):
        x = 2.5 + column * (column_width + 4)
        y = top_mm
        for lines in block:
            for i, line in enumerate(lines):
                fig.text((x + (3 if i else 0)) / width_mm, 1 - (y + step * 0.78) / height_mm, line,
                         fontsize=size, va="baseline", ha="left")
                y += step


def models_chart(open_only: bool, *, lang: str, width_mm: float, palette: Palette) -> Figure:
    """National models by first release, coloured by how open their weights are; unknown dates apart."""
    rows = models(open_only)
    colours = dict(zip(WEIGHTS, (palette.series[2], palette.series[4], palette.series[1])))
    title = text.label("models_title_open" if open_only else "models_title", lang)
    fig, (ax,) = chart_figure(width_mm, 7.5 * len(rows) + 4, title,
                              citations.source_line([r["source_id"] for r in rows], lang), lang,
                              left_mm=min(66.0, 0.36 * width_mm), bottom_mm=20 if width_mm >= 150 else 26)
    dated = [plotted_date(r["first_release"]) for r in rows if r["first_release"]]
    lo, hi = min(dated), max(dated)
    start, end = dt.date(lo.year, 1, 1), dt.date(hi.year + 1, 1, 1)
    unknown_x = end + dt.timedelta(days=240)
    for y, r in enumerate(rows):
        colour = colours[r["weights"]]
        if r["first_release"]:
            filled = r["release_precision"] == "day"
            ax.plot([plotted_date(r["first_release"])], [y], marker=WEIGHT_MARKERS[r["weights"]], markersize=5,
                    linestyle="none",
                    markerfacecolor=colour if filled else "white", markeredgecolor=colour, markeredgewidth=1.2)
        else:
            ax.plot([unknown_x], [y], marker=WEIGHT_MARKERS[r["weights"]], markersize=5, linestyle="none",
                    markerfacecolor="white",
                    markeredgecolor=colour, markeredgewidth=1.2)
            ax.annotate("?", xy=(unknown_x, y), xytext=(6, 0), textcoords="offset points", va="center",
                        fontsize=style.FONT_SIZES.label)
    if width_mm >= 150:
        labels = [f"{r['model']}\n{r['developer']}, {COUNTRY_NAMES[r['country']][lang]}" for r in rows]
    else:  # narrow: the developer is in the data table, not on the chart
        labels = [f"{r['model']}\n{COUNTRY_NAMES[r['country']][lang]}" for r in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize=style.FONT_SIZES.source, linespacing=1.2)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.axvline(end + dt.timedelta(days=120), color="#BBBBBB", linewidth=0.6, linestyle=":")
    ax.set_xlim(start - dt.timedelta(days=30), unknown_x + dt.timedelta(days=90))
    ticks = [dt.date(year, 1, 1) for year in range(start.year, end.year + 1)] + [unknown_x]
    ax.set_xticks(ticks, [f"{t.year}年" if lang == "ja" else str(t.year) for t in ticks[:-1]]
                  + [text.label("date_unknown", lang)])
    ax.grid(axis="x", linewidth=0.3, color="#D0D0D0")
    shown = [w for w in WEIGHTS if any(r["weights"] == w for r in rows)]
    handles = [Line2D([], [], marker=WEIGHT_MARKERS[w], markersize=5, color=colours[w], linestyle="none",
                      label=text.label(f"weights_{w}", lang)) for w in shown]
    handles += [Line2D([], [], marker="o", markersize=5, markerfacecolor="white", markeredgecolor="#000000",
                       linestyle="none", label=text.label("month_only", lang))]
    _legend(ax, handles, loc="upper left", bbox_to_anchor=(-0.3 if width_mm < 150 else 0, -0.1),
            ncols=2 if width_mm >= 150 else 1)
    return fig
