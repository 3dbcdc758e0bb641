"""The house figure: two calls around plain matplotlib, so that a drawing cell reads

    fig, ax = house.figure(settings, title, sources)
    ax.barh(rows, values, color=colours.foreign)      # the chart's own marks
    house.row_labels(ax, names)
    house.legend(fig, handles)
    house.finish(fig, settings, "roster", source_data=drawn)

`figure` opens a figure exactly `settings.width_mm` wide, laid out by matplotlib's constrained
layout, with the house axes style (house.mplstyle). `finish` puts the title on top and the source
line at the bottom, lets constrained layout place the axes, their labels and the legend between
them, sets the height the content needs, fixes the layout, shows the figure and writes its files.

What matplotlib does not do stays here: the exact width in millimetres; titles, source lines,
notes and long labels broken into lines with BudouX and kinsoku (sovereign_ai.charts.text); and every
choice that depends on the width, made from the figure as drawn: how many columns a legend has,
how far apart ticks go, where a long label wraps, which of two wordings fits.
"""

import math
import warnings
import weakref
from dataclasses import dataclass, field

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator
from matplotlib.transforms import offset_copy

from sovereign_ai.charts import style, text

MARGIN_MM = 2.5  # round the whole figure
GAP_MM = 2.5  # between the title, the plot, a note and the source line
WIDE_MM = 150.0  # from this width a source line may take 2 lines; below it, 3
TITLE_COLOUR = "#000000"
SOURCE_COLOUR = "#4D4D4D"  # the source line and notes
ROW_MM = 5.0  # the least height of a row of a chart whose y axis counts rows
ROW_GAP_MM = 2.0  # between the row labels of two rows
PANEL_GAP_MM = 6.0  # between two panels, beyond the room their labels take
ROW_LABEL_SHARE = 0.36  # row labels wrap beyond this share of the width...
ROW_LABEL_MIN_MM = 28.0  # ...or beyond this, on a narrow figure
TICK_MIN_MM = 12.0  # ticks along an x axis at least this far apart...
TICK_UP_MIN_MM = 9.0  # ...along a y axis...
TICK_GAP_MM = 2.5  # ...and their labels at least this far apart
LEGEND_SLACK_MM = 3.0  # a legend is this much narrower than the figure: a 150 dpi PNG draws text wider
NOTE_COLUMN_GAP_MM = 4.0  # between the columns of a note
NOTE_INDENT_MM = 3.0  # the second and later lines of an entry of a list
PROVISIONAL_MM = 100.0  # a figure's height until finish sets it
PASSES = 12  # layouts finish tries before it keeps the last one (it needs three or four)
# Text is measured for the layout at this resolution: Agg fits glyphs to whole pixels, which makes a
# line up to 5 % wider than its outline at 72 dpi, the most at any resolution a file or a notebook
# uses (at 100 dpi, matplotlib's default, it is narrower: a label laid out so ran off a 150 dpi PNG).
LAYOUT_DPI = 72


@dataclass
class _Frame:
    """What finish needs to know of a house figure."""

    lang: str
    width_mm: float
    title_lines: list
    source_lines: list
    gridspec: object
    row_axes: list  # the first axes of each row of the grid
    heights_mm: list  # of each row of the grid: a number, or None for a y axis that counts rows
    notes: list = field(default_factory=list)  # (columns of entries of lines, size, colour, indent_mm)
    legends: list = field(default_factory=list)
    after_layout: list = field(default_factory=list)  # callables: True when they changed the figure
    finished: bool = False  # laid out by finish: a second finish only shows and saves


_FRAMES: "weakref.WeakKeyDictionary[Figure, _Frame]" = weakref.WeakKeyDictionary()


class _LayoutCanvas(FigureCanvasAgg):
    """The canvas of a figure while finish tries heights: one renderer for every try. Agg's canvas
    makes a new renderer whenever the figure's size changes, and matplotlib keeps text measurements
    per renderer, so each try measured every word again; the measurements depend on the resolution
    alone. Nothing is rendered to pixels here (draw_without_rendering)."""

    def get_renderer(self):
        key = self.figure.dpi
        if getattr(self, "_layout_key", None) != key:
            width, height = self.figure.bbox.size
            self.renderer, self._layout_key = RendererAgg(width, height, key), key
        return self.renderer


def _frame(fig: Figure) -> _Frame:
    try:
        return _FRAMES[fig]
    except KeyError:
        raise ValueError("not a house figure: open it with house.figure(settings, title, sources)") from None


def figure(
    settings,
    title: str,
    sources,
    *,
    ncols: int = 1,
    nrows: int = 1,
    height_mm=None,
    width_ratios=None,
    detail: bool = False,
):
    """A figure settings.width_mm wide, with its title and source line; returns (fig, ax), or
    (fig, axes) for several panels (ncols side by side, nrows one under another).

    height_mm: the plot's height, one number or one a row; None (the default): the y axis counts rows,
    and each row is as tall as its row labels need (at least ROW_MM), so the plot follows its ylim.
    detail=True: a second panel under the plot, as tall as its rows need, whose row labels start at
    the plot's left edge. The title and the full references always go to the caption file;
    settings.show_title and settings.show_source say whether the figure prints them.
    """
    style.use_house_style()
    width_mm = settings.width_mm
    lang = settings.lang
    if detail:
        heights = [height_mm, None]
    else:
        heights = list(height_mm) if isinstance(height_mm, (list, tuple)) else [height_mm] * nrows
    fig = Figure(figsize=(width_mm / style.MM_PER_INCH, PROVISIONAL_MM / style.MM_PER_INCH), layout="constrained")
    FigureCanvasAgg(fig)
    style.describe(fig, title, sources)
    inner = width_mm - 2 * MARGIN_MM
    title_lines = (
        text.wrap_mm(title, lang, inner, style.FONT_SIZES.title) if getattr(settings, "show_title", True) else []
    )
    source_lines = source_lines_shown(sources, lang, width_mm) if getattr(settings, "show_source", True) else []
    ratios = [h or ROW_MM for h in heights]
    if detail:  # a column of no width left of the detail: the plot spans it, the detail's labels fill it
        grid = fig.add_gridspec(2, 2, width_ratios=[1e-3, 1], height_ratios=ratios)
        axes = [fig.add_subplot(grid[0, :]), fig.add_subplot(grid[1, 1])]
        row_axes = axes
    else:
        grid = fig.add_gridspec(nrows, ncols, width_ratios=width_ratios, height_ratios=ratios)
        axes = [fig.add_subplot(grid[r, c]) for r in range(nrows) for c in range(ncols)]
        row_axes = axes[::ncols]
    _FRAMES[fig] = _Frame(lang, width_mm, title_lines, source_lines, grid, row_axes, heights)
    return fig, (axes[0] if len(axes) == 1 else axes)


def legend(fig: Figure, handles, *, group: int = 0, **kwargs):
    """The figure's legend under the plot, from the left margin, in as many columns as the width
    holds (column by column, as matplotlib fills them, the columns evened out); an entry wider than
    the figure wraps. group: entries come in groups of this many, each group in a column of its own."""
    house = _frame(fig)
    rc = matplotlib.rcParams
    size = kwargs.get("fontsize", rc["legend.fontsize"])
    handle_pt = (rc["legend.handlelength"] + rc["legend.handletextpad"]) * size
    room_pt = (house.width_mm - 2 * MARGIN_MM - LEGEND_SLACK_MM) / style.MM_PER_PT * text.FILL
    labels = [h.get_label() for h in handles]
    widths = [handle_pt + max(text.text_width_pt(line, size) for line in label.split("\n")) for label in labels]
    ncols = _legend_columns(widths, rc["legend.columnspacing"] * size, room_pt, group)
    if ncols == 1:
        labels = [_wrapped(label, house.lang, room_pt - handle_pt, size) for label in labels]
    placed = fig.legend(handles=handles, labels=labels, loc="outside lower left", ncols=ncols, **kwargs)
    house.legends.append(placed)
    return placed


def _legend_columns(widths: list, spacing_pt: float, room_pt: float, group: int) -> int:
    """The most columns whose entries fit in room_pt, then the fewest that need as few rows."""
    n = len(widths)

    def fits(ncols: int) -> bool:
        columns = [c for c in np.array_split(np.array(widths), ncols) if len(c)]
        return math.fsum(max(c) for c in columns) + spacing_pt * (len(columns) - 1) <= room_pt

    allowed = [k for k in range(n, 0, -1) if not group or k == 1 or math.ceil(n / k) % group == 0]
    most = next((k for k in allowed if fits(k)), 1)
    rows = math.ceil(n / most)
    return most if group else math.ceil(n / rows)


def note(fig: Figure, words, *, columns: int = 1, size: float | None = None, colour: str | None = None) -> None:
    """Words printed under the legend, wrapped to the width: a text, or a list of entries (each
    entry's later lines indented) set in `columns` columns, the first entries in the first."""
    house = _frame(fig)
    size = size or style.FONT_SIZES.label
    colour = colour or (SOURCE_COLOUR if isinstance(words, str) else TITLE_COLOUR)
    indent_mm = 0.0 if isinstance(words, str) else NOTE_INDENT_MM
    words = [words] if isinstance(words, str) else words
    inner = house.width_mm - 2 * MARGIN_MM
    column_mm = (inner - NOTE_COLUMN_GAP_MM * (columns - 1)) / columns
    # lines a little short of the column: hinting at 150 dpi draws a long line wider than its outline
    entries = [text.wrap_mm(entry, house.lang, column_mm - 2 * NOTE_INDENT_MM, size) for entry in words]
    per_column = math.ceil(len(entries) / columns)
    house.notes.append(
        ([entries[i : i + per_column] for i in range(0, len(entries), per_column)], size, colour, indent_mm)
    )


def row_labels(ax, labels, *, shorter=None, **kwargs) -> None:
    """One row per label, the first at the top, each label wrapped where it is wider than the room
    row labels have at this width (ROW_LABEL_SHARE of it). shorter: labels to use instead when one of
    labels would need wrapping. kwargs go to set_yticks (fontsize, linespacing)."""
    house = _frame(ax.figure)
    size = kwargs.get("fontsize", matplotlib.rcParams["ytick.labelsize"])
    room_pt = max(ROW_LABEL_MIN_MM, ROW_LABEL_SHARE * house.width_mm) / style.MM_PER_PT
    lines = [str(label).split("\n") for label in labels]
    if shorter is not None and any(text.text_width_pt(line, size) > room_pt * text.FILL for ls in lines for line in ls):
        lines = [str(label).split("\n") for label in shorter]
    wrapped = ["\n".join(_wrapped(line, house.lang, room_pt, size) for line in label) for label in lines]
    ax.set_yticks(range(len(labels)), wrapped, **kwargs)
    ax.set_ylim(len(labels) - 0.5, -0.5)


def _wrapped(words: str, lang: str, room_pt: float, size: float) -> str:
    return "\n".join(text.wrap(words, lang, room_pt, size)) if words else words


def title(ax, words: str, **kwargs):
    """A panel's title, from the left edge of its row labels, wrapped to the room from there to the
    panel's right edge."""
    kwargs.setdefault("pad", 3)
    heading = ax.set_title(words, loc="left", **kwargs)
    house = _frame(ax.figure)

    def place() -> bool:
        left = min([ax.bbox.x0, *(t.get_window_extent().x0 for t in ax.get_yticklabels() if t.get_text())])
        x = (left - ax.bbox.x0) / ax.bbox.width
        wrapped = _wrapped(words, house.lang, (ax.bbox.x1 - left) * 72 / ax.figure.dpi, heading.get_fontsize())
        changed = wrapped != heading.get_text() or not math.isclose(heading.get_position()[0], x, abs_tol=1e-6)
        heading.set_text(wrapped)
        heading.set_x(x)
        return changed

    house.after_layout.append(place)
    return heading


def fit(words, *shorter: str, right=None):
    """The first of words' own text and the shorter ones that fits inside its axes (or left of the
    data x `right`), as the figure is drawn: `house.fit(ax.set_xlabel(long), "HHI")`."""
    fig = words.figure
    house = _frame(fig)
    wordings = [words.get_text(), *shorter]

    def choose() -> bool:
        ax = _axes_of(words)
        box = words.get_window_extent()
        limit = ax.bbox.x1 if right is None else ax.transData.transform((right, 0))[0]
        if (box.x1 <= limit + 0.5 and box.x0 >= ax.bbox.x0 - 0.5) or words.get_text() == wordings[-1]:
            return False
        words.set_text(wordings[wordings.index(words.get_text()) + 1])
        return True

    house.after_layout.append(choose)
    return words


def on_layout(fig: Figure, function) -> None:
    """Call function() after each layout pass of finish, for a choice that needs the figure as laid
    out (an axis' length, a label's width); it returns True when it changed the figure, and finish
    lays the figure out again until nothing changes."""
    _frame(fig).after_layout.append(function)


def _axes_of(words):
    """The axes a text belongs to: its own, or the one it labels (an axis label has none of its own)."""
    if words.axes is not None:
        return words.axes
    return next(ax for ax in words.figure.axes if words in (ax.xaxis.label, ax.yaxis.label))


def wrap(words):
    """A text inside an axes wrapped to the room it has there, as the figure is drawn: from its
    anchor to the axes' far edge (ha left or right), or the axes' width (ha center)."""
    house = _frame(words.figure)
    original = words.get_text()

    def rewrap() -> bool:
        ax, box = _axes_of(words), words.get_window_extent()
        align = words.get_horizontalalignment()
        room = {"left": ax.bbox.x1 - box.x0, "right": box.x1 - ax.bbox.x0}.get(align, ax.bbox.width)
        wrapped = _wrapped(original, house.lang, room * 72 / words.figure.dpi, words.get_fontsize())
        if wrapped == words.get_text():
            return False
        words.set_text(wrapped)
        return True

    house.after_layout.append(rewrap)
    return words


def source_line_limit(width_mm: float) -> int:
    """How many lines a source line may take: 2 on a wide chart, 3 on a narrow one."""
    return 2 if width_mm >= WIDE_MM else 3


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


def _spaced(widest: str, size_pt: float, step_mm: float, steps: tuple, last_resort: int) -> tuple[int, float]:
    """How many steps (a year, a month, a day: step_mm each) a label goes every, the fewest that keep
    labels as wide as widest 1.5 mm apart; and that label's width in mm."""
    label_mm = text.text_width_pt(widest, size_pt) * style.MM_PER_PT
    return next((n for n in steps if n * step_mm >= label_mm + 1.5), last_resort), label_mm


def _axis_length_mm(axis) -> float:
    box = axis.axes.bbox
    return (box.width if axis.axis_name == "x" else box.height) / axis.figure.dpi * style.MM_PER_INCH


def _label_size(axis) -> float:
    return axis.get_major_ticks(1)[0].label1.get_fontsize()


class _SpacedValues(Locator):
    """Ticks at 1, 2, 2.5 or 5 times a power of ten: the smallest step that leaves TICK_MIN_MM between
    ticks (TICK_UP_MIN_MM on a y axis) and TICK_GAP_MM between their labels on the axis as drawn."""

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        low, high = sorted((vmin, vmax))
        if high <= low:
            return [low]
        length_mm = _axis_length_mm(self.axis)
        size = _label_size(self.axis)
        formatter = self.axis.get_major_formatter()
        ticks = [low, high]
        for step in _round_steps(high - low):
            ticks = np.arange(math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9) + 1) * step
            apart_mm = length_mm * step / (high - low)
            if self.axis.axis_name == "x":
                labels = formatter.format_ticks(ticks)
                widest_mm = max(text.text_width_pt(label, size) for label in labels) * style.MM_PER_PT
                least_mm = TICK_MIN_MM
            else:
                widest_mm, least_mm = size * style.MM_PER_PT * 1.2, TICK_UP_MIN_MM
            if apart_mm >= max(least_mm, widest_mm + TICK_GAP_MM):
                return ticks
        return ticks


def _round_steps(span: float):
    """Steps from a hundredth of the span up: 1, 2, 2.5 (from 25) and 5 times a power of ten."""
    power = 10.0 ** math.floor(math.log10(span) - 2)
    while True:
        for factor in (1, 2, 2.5, 5):
            step = factor * power
            if factor != 2.5 or step >= 25:
                yield step
        power *= 10


def ticks(axis) -> None:
    """A value axis ticked as often as its length at this width allows (house._SpacedValues)."""
    axis.set_major_locator(_SpacedValues())


def thousands(axis) -> None:
    """Label a count axis with thousands separators: 1,500 not 1500."""
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))


class _Years(Locator):
    """1 January of every 1, 2, 5 or 10 years: as often as the labels stay apart on the axis as drawn."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        widest = "2024年" if self.lang == "ja" else "2024"
        step_mm = _axis_length_mm(self.axis) / (vmax - vmin) * 365.25
        every, _ = _spaced(widest, _label_size(self.axis), step_mm, (1, 2, 5), 10)
        return mdates.YearLocator(every).tick_values(mdates.num2date(vmin), mdates.num2date(vmax))


def year_axis(axis, lang: str) -> None:
    """A date axis labelled 2024 or 2024年, on 1 January of as many years as the labels allow."""
    axis.set_major_locator(_Years(lang))
    axis.set_major_formatter(mdates.DateFormatter("%Y年" if lang == "ja" else "%Y"))


class _MonthsOrDays(Locator):
    """The first of every 1, 2, 3, 6 or 12 months, as often as the labels stay apart on the axis as
    drawn; every 1, 2 or 7 days when fewer than two months start in the range. (A label at either end
    stays on the page: constrained layout makes room for it.)"""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self):
        return self.tick_values(*self.axis.get_view_interval())

    def tick_values(self, vmin, vmax):
        by_month, widest, steps, days, last_resort = _month_or_day_steps(self.lang, vmin, vmax)
        step_mm = _axis_length_mm(self.axis) / (vmax - vmin) * days
        every, _ = _spaced(widest, _label_size(self.axis), step_mm, steps, last_resort)
        locator = mdates.MonthLocator if by_month else mdates.DayLocator
        return locator(interval=every).tick_values(mdates.num2date(vmin), mdates.num2date(vmax))


def _month_or_day_steps(lang: str, low: float, high: float):
    """Whether a date range is ticked by months (two or more begin in it) or by days; the widest
    label, the steps to try, the days a step is, and the step when none of them leaves room."""
    import datetime as dt

    first, last = mdates.num2date(low).date(), mdates.num2date(high).date()
    months = sum(1 for y in range(first.year, last.year + 1) for m in range(1, 13) if first <= dt.date(y, m, 1) <= last)
    if months >= 2:
        return True, ("2025年12月" if lang == "ja" else "Sep 2025"), (1, 2, 3, 6), 30.44, 12
    return False, ("2025年12月31日" if lang == "ja" else "30 Sep 2025"), (1, 2, 7), 1, 14


def month_axis(axis, lang: str) -> None:
    """A date axis spanning months or days, labelled as often as the labels stay apart
    (2025年3月 / Mar 2025, or 2025年3月1日 / 1 Mar 2025)."""
    by_month = _month_or_day_steps(lang, *axis.get_view_interval())[0]
    axis.set_major_locator(_MonthsOrDays(lang))
    axis.set_major_formatter(FuncFormatter(lambda value, _: _month_or_day(mdates.num2date(value), lang, by_month)))


def _month_or_day(when, lang: str, by_month: bool) -> str:
    """2025年3月 / Mar 2025, or 2025年3月1日 / 1 Mar 2025; without strftime's %-m, which Windows lacks."""
    if lang == "ja":
        return f"{when.year}年{when.month}月" + ("" if by_month else f"{when.day}日")
    return ("" if by_month else f"{when.day} ") + f"{when:%b %Y}"


def date_axis(axis, lang: str) -> None:
    """year_axis for a range that holds three new years or more; month_axis for a shorter one, where
    years would label one point, or none."""
    low, high = (mdates.num2date(v).date() for v in axis.get_view_interval())
    if sum(low <= low.replace(year=year, month=1, day=1) <= high for year in range(low.year, high.year + 1)) >= 3:
        year_axis(axis, lang)
    else:
        month_axis(axis, lang)


def finish(fig: Figure, settings, part: str = "", *, source_data) -> None:
    """Size a house figure's height to its content and fix its layout; then show the figure and
    write its files, its caption file and its source data (<chart>.<lang>.data.csv) as the
    notebook's settings ask (style.save_as_asked), saying what was written. A figure that is
    not a house figure (the report's figures) is shown and written as it is."""
    if fig in _FRAMES and not _FRAMES[fig].finished:
        _lay_out(fig, _FRAMES[fig])
        _FRAMES[fig].finished = True
    style.show_figure(fig)
    style.report_saved(style.save_as_asked(fig, settings, part, source_data=source_data), fig)


def _line_mm(size: float) -> float:
    return style.line_height_mm(size)


def _header_mm(house: _Frame) -> float:
    lines = house.title_lines
    return MARGIN_MM + (len(lines) * _line_mm(style.FONT_SIZES.title) + GAP_MM if lines else 0.0)


def _notes_mm(house: _Frame) -> list:
    """The height of each note, in order."""
    return [max(sum(map(len, column)) for column in columns) * _line_mm(size) for columns, size, *_ in house.notes]


def _footer_mm(house: _Frame) -> float:
    blocks = [*_notes_mm(house)]
    if house.source_lines:
        blocks.append(len(house.source_lines) * _line_mm(style.FONT_SIZES.source))
    return MARGIN_MM + math.fsum(b + GAP_MM for b in blocks)


def row_height_mm(ax) -> float:
    """The height finish gives one unit of ax's y axis when its rows set the plot's height: as tall
    as its tallest row label needs, at least ROW_MM (after a layout pass; ROW_MM before)."""
    labels = [t.get_window_extent().height for t in ax.get_yticklabels() if t.get_visible() and t.get_text()]
    tallest_mm = max(labels, default=0.0) / ax.figure.dpi * style.MM_PER_INCH
    return max(ROW_MM, tallest_mm + ROW_GAP_MM)


def _row_heights_wanted(house: _Frame) -> list:
    """Each row of the grid: its height in mm, or its rows times the height its row labels need."""
    wanted = []
    for ax, height in zip(house.row_axes, house.heights_mm):
        if height is None:
            low, high = ax.get_ylim()
            height = abs(high - low) * row_height_mm(ax)
        wanted.append(round(height, 2))
    return wanted


def _lay_out(fig: Figure, house: _Frame) -> None:
    """Constrained layout between the title and the footer, at the height that gives each row of
    the grid the height it wants; then the layout is fixed, so every file has the same positions."""
    header, footer = _header_mm(house), _footer_mm(house)
    engine = fig.get_layout_engine()
    shown_dpi = fig.dpi
    fig.set_dpi(LAYOUT_DPI)
    _LayoutCanvas(fig)
    ratios = list(house.gridspec.get_height_ratios())
    renderer = fig.canvas.get_renderer()
    legends_mm = math.fsum(placed.get_window_extent(renderer).height for placed in house.legends) / fig.dpi
    # a first guess with room for each row's tick and axis labels; finish corrects it
    height = round(header + footer + legends_mm * style.MM_PER_INCH + math.fsum(ratios) + 20.0 * len(ratios), 2)
    for _ in range(PASSES):
        fig.set_figheight(height / style.MM_PER_INCH)
        house.gridspec.set_height_ratios(ratios)
        engine.set(
            rect=(
                MARGIN_MM / house.width_mm,
                footer / height,
                1 - 2 * MARGIN_MM / house.width_mm,
                1 - (header + footer) / height,
            ),
            wspace=PANEL_GAP_MM / house.width_mm,
            hspace=PANEL_GAP_MM / height,
        )
        with warnings.catch_warnings():  # a first guess too low collapses the axes: the next is higher
            warnings.filterwarnings("ignore", "constrained_layout not applied", UserWarning)
            fig.draw_without_rendering()
        drawn = [ax.get_position().height * height for ax in house.row_axes]
        if min(drawn) <= 0 or not _laid_out(fig, house):
            height = round(height * 1.5, 2)
            continue
        changed = [hook() for hook in house.after_layout]
        wanted = _row_heights_wanted(house)
        difference = round(math.fsum(wanted) - math.fsum(drawn), 2)
        if not any(changed) and wanted == ratios and abs(difference) < 0.02:
            break
        ratios, height = wanted, round(height + difference, 2)
    fig.set_layout_engine("none")
    FigureCanvasAgg(fig)  # renderers of the figure's own size again, for its files
    fig.set_dpi(shown_dpi)
    _round_positions(fig, height)
    _put_header_and_footer(fig, house, footer)


def _round_positions(fig: Figure, height_mm: float) -> None:
    """Each axes' position to a tenth of a micrometre. Constrained layout's solver orders its
    variables by where they lie in memory, so its positions differ in their last bits from one run to
    the next; an SVG names a clip path by its bounds' digits, and the files would differ with them."""
    width_mm = fig.get_figwidth() * style.MM_PER_INCH
    for ax in fig.axes:
        x0, y0, w, h = ax.get_position().bounds
        ax.set_position(
            (
                round(x0 * width_mm, 4) / width_mm,
                round(y0 * height_mm, 4) / height_mm,
                round(w * width_mm, 4) / width_mm,
                round(h * height_mm, 4) / height_mm,
            )
        )


def _laid_out(fig: Figure, house: _Frame) -> bool:
    """Whether constrained layout placed the axes inside the rectangle it was given (it leaves them
    where they were when their labels leave no room)."""
    _, bottom, _, height = fig.get_layout_engine().get()["rect"]
    return all(
        ax.get_position().y0 >= bottom - 1e-9 and ax.get_position().y1 <= bottom + height + 1e-9
        for ax in house.row_axes
    )


def _put_header_and_footer(fig: Figure, house: _Frame, footer: float) -> None:
    """The title from the top, then the legend, the notes and the source line from the bottom up."""
    _put(fig, house.title_lines, MARGIN_MM, MARGIN_MM, style.FONT_SIZES.title, TITLE_COLOUR, from_top=True)
    pad_mm = matplotlib.rcParams["figure.constrained_layout.h_pad"] * style.MM_PER_INCH
    for placed in house.legends:
        placed.set_bbox_to_anchor(
            (MARGIN_MM / house.width_mm, (footer + pad_mm) / fig.get_figheight() / style.MM_PER_INCH),
            transform=fig.transFigure,
        )
    y = footer - GAP_MM  # the top of the first note, in mm from the bottom
    for (columns, size, colour, indent_mm), height in zip(house.notes, _notes_mm(house)):
        column_mm = (house.width_mm - 2 * MARGIN_MM - NOTE_COLUMN_GAP_MM * (len(columns) - 1)) / len(columns)
        for c, entries in enumerate(columns):
            line_top = y
            for lines in entries:
                _put(
                    fig,
                    lines,
                    MARGIN_MM + c * (column_mm + NOTE_COLUMN_GAP_MM),
                    line_top,
                    size,
                    colour,
                    indent_mm=indent_mm,
                )
                line_top -= len(lines) * _line_mm(size)
        y -= height + GAP_MM
    _put(fig, house.source_lines, MARGIN_MM, y, style.FONT_SIZES.source, SOURCE_COLOUR)


def _put(fig, lines, x_mm, top_mm, size, colour, *, from_top=False, indent_mm=0.0) -> None:
    """Lines of text from top_mm down (measured from the figure's top, or up from its bottom)."""
    step = _line_mm(size)
    for i, line in enumerate(lines):
        baseline = top_mm + i * step + step * 0.78 if from_top else top_mm - i * step - step * 0.78
        anchor = offset_copy(
            fig.transFigure,
            fig=fig,
            x=(x_mm + (indent_mm if i else 0.0)) / style.MM_PER_INCH,
            y=(-baseline if from_top else baseline) / style.MM_PER_INCH,
            units="inches",
        )
        fig.text(0, 1 if from_top else 0, line, transform=anchor, fontsize=size, color=colour, va="baseline", ha="left")
