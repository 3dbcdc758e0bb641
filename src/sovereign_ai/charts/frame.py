"""The house frame of the charts: a figure of a given width in millimetres, its title
on top, its source line at the bottom, and the plot between them.

The notebooks draw the marks; this module only sets the frame around them, so
every chart has the same margins, fonts and legend style. Heights follow from
the text: the title and the source line are wrapped to the width first.
"""

import datetime as dt

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter

from sovereign_ai.charts import style, text
from sovereign_ai.charts.style import line_height_mm

MARGIN_MM = 2.5  # around the whole figure
GAP_MM = 2.5  # between the title, the plot and the source line
WIDE_MM = 150.0  # at or above this width a chart has room for wider legends and longer labels
TITLE_COLOUR = "#000000"
SOURCE_COLOUR = "#4D4D4D"
LEGEND_SPACING = 0.45  # between legend rows, as a fraction of the font size
LEGEND_ROW_MM = style.FONT_SIZES.label * (1 + LEGEND_SPACING) * style.MM_PER_PT * 1.12  # a row, with a little slack
GRID = {"linewidth": 0.3, "color": "#D0D0D0"}  # light reference lines behind the marks


def is_wide(width_mm: float) -> bool:
    return width_mm >= WIDE_MM


def chart_figure(
    width_mm: float,
    plot_height_mm: float,
    title: str,
    source_line: str,
    lang: str,
    *,
    left_mm: float,
    bottom_mm: float = 9.0,
    right_mm: float = 6.0,
    columns: int = 1,
    column_gap_mm: float = 12.0,
    top_mm: float = 0.0,
    legend_rows: int = 0,
    show_source: bool = True,
    show_title: bool = True,
) -> tuple[Figure, list]:
    """A figure with a title, `columns` axes side by side and a source line; returns (fig, axes).

    left_mm, right_mm: room beside the axes for tick labels; bottom_mm: room
    under them for the tick labels and axis label; top_mm: room above them;
    legend_rows: rows of legend that `legend_below` puts under all of that.
    The title and the full references always go to the figure's caption file;
    show_title=False leaves the title off the figure, show_source=False the source line.
    """
    legend_mm = legend_rows * LEGEND_ROW_MM + (GAP_MM if legend_rows else 0)
    bottom_mm += legend_mm
    inner = width_mm - 2 * MARGIN_MM
    title_lines = text.wrap_mm(title, lang, inner, style.FONT_SIZES.title) if show_title else []
    title_h = len(title_lines) * line_height_mm(style.FONT_SIZES.title) + (GAP_MM if title_lines else 0)
    body_h = MARGIN_MM + title_h + top_mm + plot_height_mm + bottom_mm + MARGIN_MM
    source_lines = source_lines_shown(source_line, lang, width_mm) if show_source else []
    source_h = len(source_lines) * line_height_mm(style.FONT_SIZES.source) + (GAP_MM if source_lines else 0)
    height = body_h + source_h
    fig = style.describe(style.new_figure(width_mm, height), title, source_line)
    put_lines(fig, title_lines, MARGIN_MM, MARGIN_MM, style.FONT_SIZES.title, TITLE_COLOUR)
    put_lines(
        fig, source_lines, MARGIN_MM, height - MARGIN_MM - source_h + GAP_MM, style.FONT_SIZES.source, SOURCE_COLOUR
    )
    plot_top = MARGIN_MM + title_h + top_mm
    plot_width = (width_mm - left_mm - right_mm - column_gap_mm * (columns - 1)) / columns
    axes = []
    for c in range(columns):
        x = left_mm + c * (plot_width + column_gap_mm)
        ax = fig.add_axes(
            (x / width_mm, 1 - (plot_top + plot_height_mm) / height, plot_width / width_mm, plot_height_mm / height)
        )
        style_axes(ax)
        axes.append(ax)
    fig.sovereign_ai_legend_top_mm = plot_top + plot_height_mm + bottom_mm - legend_mm
    return fig, axes


def legend_below(fig: Figure, handles, ncols: int = 1) -> None:
    """The chart's legend in the rows chart_figure reserved under the plot, from the left margin."""
    width_mm, height_mm = style.size_mm(fig)
    top = fig.sovereign_ai_legend_top_mm + GAP_MM / 2
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(MARGIN_MM / width_mm, 1 - top / height_mm),
        ncols=ncols,
        fontsize=style.FONT_SIZES.label,
        frameon=False,
        borderaxespad=0,
        borderpad=0,
        handlelength=1.6,
        columnspacing=1.2,
        labelspacing=LEGEND_SPACING,
    )


def source_line_limit(width_mm: float) -> int:
    """How many lines a source line may take: 2 on a wide chart, 3 on a narrow one."""
    return 2 if is_wide(width_mm) else 3


def source_lines_shown(source_line: str, lang: str, width_mm: float) -> list[str]:
    """The source line as drawn under a chart, wrapped to the width. A line of publishers longer
    than source_line_limit names fewer of them, then "ほか" / "and others": the caption file
    lists every source in full."""
    inner = width_mm - 2 * MARGIN_MM
    limit = source_line_limit(width_mm)
    lines = text.wrap_mm(source_line, lang, inner, style.FONT_SIZES.source)
    if len(lines) <= limit or not hasattr(source_line, "shortened"):
        return lines
    for publishers in range(len(source_line.source_ids) - 1, 0, -1):
        lines = text.wrap_mm(source_line.shortened(publishers), lang, inner, style.FONT_SIZES.source)
        if len(lines) <= limit:
            return lines
    return lines


def put_lines(
    fig: Figure,
    lines: list[str],
    left_mm: float,
    top_mm: float,
    size: float,
    colour: str = TITLE_COLOUR,
    indent_mm: float = 0.0,
) -> float:
    """Write lines from (left_mm, top_mm) down, later lines indented by indent_mm; return the bottom in mm."""
    width_mm = fig.get_figwidth() * style.MM_PER_INCH
    height_mm = fig.get_figheight() * style.MM_PER_INCH
    step = line_height_mm(size)
    for i, line in enumerate(lines):
        baseline = top_mm + i * step + step * 0.78
        fig.text(
            (left_mm + (indent_mm if i else 0)) / width_mm,
            1 - baseline / height_mm,
            line,
            fontsize=size,
            color=colour,
            va="baseline",
            ha="left",
        )
    return top_mm + len(lines) * step


def style_axes(ax) -> None:
    """House axes: open top and right, thin spines, small ticks."""
    size = style.FONT_SIZES.body
    ax.tick_params(labelsize=size, length=2, width=0.5, pad=1.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_linewidth(0.5)
    ax.xaxis.label.set_size(size)
    ax.yaxis.label.set_size(size)


def year_axis(axis, lang: str, axis_mm: float, size_pt: float = style.FONT_SIZES.body) -> None:
    """Ticks on 1 January of every year, labelled 2024 or 2024年 at size_pt; of every 2, 5 or 10
    years where yearly labels on an axis `axis_mm` long would run together."""
    low, high = axis.get_view_interval()  # in days
    every, _ = _spaced("2024年" if lang == "ja" else "2024", size_pt, axis_mm / (high - low) * 365.25, (1, 2, 5), 10)
    axis.set_major_locator(mdates.YearLocator(every))
    axis.set_major_formatter(mdates.DateFormatter("%Y年" if lang == "ja" else "%Y"))


def _spaced(widest: str, size_pt: float, step_mm: float, steps: tuple, last_resort: int) -> tuple[int, float]:
    """How many steps (a year, a month, a day: step_mm each) a label goes every, the fewest that keep
    labels as wide as widest 1.5 mm apart; and that label's width in mm."""
    label_mm = text.text_width_pt(widest, size_pt) * style.MM_PER_PT
    return next((n for n in steps if n * step_mm >= label_mm + 1.5), last_resort), label_mm


def month_or_day_axis(axis, lang: str, axis_mm: float, size_pt: float, beyond_mm: tuple = (0.0, 0.0)) -> None:
    """Ticks on a date axis `axis_mm` long spanning months or days, labelled at size_pt: the first
    of every 1, 2, 3, 6 or 12 months, as often as the labels stay apart; when fewer than two months
    start in the range, every 1, 2 or 7 days (a year axis would label one point, or none). A tick
    whose label would reach further past the axis' start or end than beyond_mm allows is left out."""
    low, high = axis.get_view_interval()  # in days
    first, last = mdates.num2date(low).date(), mdates.num2date(high).date()
    months = sum(1 for y in range(first.year, last.year + 1) for m in range(1, 13) if first <= dt.date(y, m, 1) <= last)
    if months >= 2:
        widest, steps, days, last_resort = ("2025年12月" if lang == "ja" else "Sep 2025"), (1, 2, 3, 6), 30.44, 12
        form, locator = ("%Y年%-m月" if lang == "ja" else "%b %Y"), mdates.MonthLocator
    else:
        widest, steps, days, last_resort = ("2025年12月31日" if lang == "ja" else "30 Sep 2025"), (1, 2, 7), 1, 14
        form, locator = ("%Y年%-m月%-d日" if lang == "ja" else "%-d %b %Y"), mdates.DayLocator
    mm_per_day = axis_mm / (high - low)
    every, label_mm = _spaced(widest, size_pt, days * mm_per_day, steps, last_resort)
    start, end = (low + (label_mm / 2 - beyond_mm[0]) / mm_per_day, high - (label_mm / 2 - beyond_mm[1]) / mm_per_day)
    ticks = [
        t for t in locator(interval=every).tick_values(mdates.num2date(low), mdates.num2date(high)) if start <= t <= end
    ]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(mdates.DateFormatter(form))


def thousands(axis) -> None:
    """Label a count axis with thousands separators: 1,500 not 1500."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
