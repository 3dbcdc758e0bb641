"""Card diagrams: a title, a grid of panels ("cards") and a source line.

Both of the report's figures are such diagrams. Geometry is in millimetres,
type in points. The figure's width is given; its height follows from the
text, wrapped to the width, so text always fits its box and nothing overlaps.
"""

import math
from contextlib import nullcontext
from dataclasses import dataclass, field

from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle

from sovereign_ai.charts import style, text
from sovereign_ai.charts.palettes import Palette
from sovereign_ai.charts.style import line_height_mm

ASCENT = 0.86  # baseline below the top of a line box, as a multiple of the size
MARGIN_MM = 2.5
GAP_MM = 3.0  # between cards, and around the grid
CARD_PADDING_MM = 2.2
HEADING_PADDING_MM = 1.6
BLOCK_GAP_MM = 1.4
TIGHT_GAP_MM = 0.4  # between the items of one list
MARKER_GAP_MM = 0.8
BOX_PADDING_MM = 1.6
FLOW_ARROW_MM = (4.0, 1.8)  # width, height
AUTO_ONE_COLUMN_BELOW_MM = 120.0
COLUMN_CHOICES = (0, 1, 2, 4)  # 0: pick from the width


@dataclass
class Paragraph:
    """Wrapped text, optionally with a marker (arrow, bullet) hanging in the left gutter."""

    text: str
    size: float
    role: str = "body_text"
    marker: str = ""
    marker_role: str = "accent"
    gutter_mm: float | None = None  # width kept for the marker; by default the marker's own
    tight: bool = False  # follows the block before it closely (items of one list)

    def gutter(self) -> float:
        if self.gutter_mm is not None:
            return self.gutter_mm
        if not self.marker:
            return 0.0
        return text.text_width_pt(self.marker, self.size) * style.MM_PER_PT + MARKER_GAP_MM

    def lines(self, width_mm: float, lang: str) -> list[str]:
        usable_pt = (width_mm - self.gutter()) / style.MM_PER_PT
        return text.wrap(self.text, lang, usable_pt, self.size)

    def height(self, width_mm: float, lang: str) -> float:
        return len(self.lines(width_mm, lang)) * line_height_mm(self.size)

    def draw(self, canvas: "Canvas", x: float, y: float, width_mm: float, lang: str) -> float:
        step = line_height_mm(self.size)
        baseline = y + (step - self.size * style.MM_PER_PT) / 2 + ASCENT * self.size * style.MM_PER_PT
        if self.marker:
            canvas.text(x, baseline, self.marker, self.size, self.marker_role)
        lines = self.lines(width_mm, lang)
        for i, line in enumerate(lines):
            canvas.text(x + self.gutter(), baseline + i * step, line, self.size, self.role)
        return len(lines) * step


@dataclass
class Boxed:
    """Paragraphs inside a filled, outlined box."""

    paragraphs: list[Paragraph]
    fill_role: str = "response_fill"
    edge_role: str = "response_edge"

    def height(self, width_mm: float, lang: str) -> float:
        inner = width_mm - 2 * BOX_PADDING_MM
        body = math.fsum(p.height(inner, lang) for p in self.paragraphs)
        return body + 2 * BOX_PADDING_MM + BLOCK_GAP_MM * (len(self.paragraphs) - 1)

    def draw(self, canvas: "Canvas", x: float, y: float, width_mm: float, lang: str) -> float:
        height = self.height(width_mm, lang)
        canvas.rect(x, y, width_mm, height, self.fill_role, self.edge_role)
        cursor = y + BOX_PADDING_MM
        for p in self.paragraphs:
            cursor += p.draw(canvas, x + BOX_PADDING_MM, cursor, width_mm - 2 * BOX_PADDING_MM, lang) + BLOCK_GAP_MM
        return height


@dataclass
class FlowArrow:
    """A small downward triangle: 'this leads to what follows'."""

    role: str = "response_edge"

    def height(self, width_mm: float, lang: str) -> float:
        return FLOW_ARROW_MM[1]

    def draw(self, canvas: "Canvas", x: float, y: float, width_mm: float, lang: str) -> float:
        half, depth = FLOW_ARROW_MM[0] / 2, FLOW_ARROW_MM[1]
        centre = x + width_mm / 2
        canvas.polygon([(centre - half, y), (centre + half, y), (centre, y + depth)], self.role)
        return depth


@dataclass
class Card:
    """A panel: a heading band, blocks from the top, and footer blocks aligned to the bottom."""

    heading: str
    blocks: list = field(default_factory=list)
    footer: list = field(default_factory=list)

    def heading_height(self, width_mm: float, lang: str) -> float:
        lines = text.wrap(
            self.heading, lang, (width_mm - 2 * CARD_PADDING_MM) / style.MM_PER_PT, style.FONT_SIZES.heading
        )
        return len(lines) * line_height_mm(style.FONT_SIZES.heading) + 2 * HEADING_PADDING_MM

    def _stack_height(self, blocks, width_mm: float, lang: str) -> float:
        return math.fsum(b.height(width_mm, lang) for b in blocks) + math.fsum(_gap_before(b) for b in blocks[1:])

    def height(self, width_mm: float, lang: str) -> float:
        inner = width_mm - 2 * CARD_PADDING_MM
        body = self._stack_height(self.blocks, inner, lang)
        if self.footer:
            body += BLOCK_GAP_MM + self._stack_height(self.footer, inner, lang)
        return self.heading_height(width_mm, lang) + body + 2 * CARD_PADDING_MM

    def draw(self, canvas: "Canvas", x: float, y: float, width_mm: float, height_mm: float, lang: str) -> None:
        canvas.rect(x, y, width_mm, height_mm, "card_fill", "card_edge")
        band = self.heading_height(width_mm, lang)
        canvas.rect(x, y, width_mm, band, "header_fill", "card_edge")
        Paragraph(self.heading, style.FONT_SIZES.heading, role="header_text").draw(
            canvas, x + CARD_PADDING_MM, y + HEADING_PADDING_MM, width_mm - 2 * CARD_PADDING_MM, lang
        )
        inner = width_mm - 2 * CARD_PADDING_MM
        self._draw_stack(canvas, self.blocks, x + CARD_PADDING_MM, y + band + CARD_PADDING_MM, inner, lang)
        footer_top = y + height_mm - CARD_PADDING_MM - self._stack_height(self.footer, inner, lang)
        self._draw_stack(canvas, self.footer, x + CARD_PADDING_MM, footer_top, inner, lang)

    @staticmethod
    def _draw_stack(canvas: "Canvas", blocks, x: float, y: float, width_mm: float, lang: str) -> None:
        for i, block in enumerate(blocks):
            if i:
                y += _gap_before(block)
            y += block.draw(canvas, x, y, width_mm, lang)


def _gap_before(block) -> float:
    return TIGHT_GAP_MM if getattr(block, "tight", False) else BLOCK_GAP_MM


class Canvas:
    """Draws in millimetres from the top-left corner, with colours named by palette role."""

    def __init__(self, fig: Figure, width_mm: float, height_mm: float, palette: Palette):
        self.palette = palette
        self.ax = fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, width_mm)
        self.ax.set_ylim(height_mm, 0)
        self.ax.set_axis_off()

    def colour(self, role: str) -> str:
        return getattr(self.palette, role)

    def text(self, x: float, baseline: float, s: str, size: float, role: str) -> None:
        self.ax.text(x, baseline, s, fontsize=size, color=self.colour(role), va="baseline", ha="left")

    def rect(self, x: float, y: float, w: float, h: float, fill_role: str, edge_role: str) -> None:
        self.ax.add_patch(
            Rectangle((x, y), w, h, facecolor=self.colour(fill_role), edgecolor=self.colour(edge_role), linewidth=0.6)
        )

    def polygon(self, points, role: str) -> None:
        self.ax.add_patch(Polygon(points, closed=True, facecolor=self.colour(role), edgecolor="none"))


def resolve_columns(columns: int, width_mm: float) -> int:
    """Cards per row: as asked, or by width when 0 (one column below 120 mm, else two)."""
    if columns not in COLUMN_CHOICES:
        raise ValueError(f"columns {columns!r} is not supported; choose one of {COLUMN_CHOICES} (0 picks by width)")
    if columns == 0:
        return 1 if width_mm < AUTO_ONE_COLUMN_BELOW_MM else 2
    return columns


def card_grid(cards: list[Card], lang: str, width_mm: float, columns: int = 0):
    """(columns, card width, rows of cards, row heights) of the grid at this width; ValueError when
    columns the user chose would split a word or phrase (chosen by width, 0, they never do)."""
    asked, columns = columns, resolve_columns(columns, width_mm)
    card_width = (width_mm - 2 * MARGIN_MM - GAP_MM * (columns - 1)) / columns
    rows = [cards[i : i + columns] for i in range(0, len(cards), columns)]
    try:
        with text.phrases_kept_whole() if asked else nullcontext():
            row_heights = [max(c.height(card_width, lang) for c in row) for row in rows]
    except text.PhraseTooWide as too_wide:
        raise ValueError(
            f"parameter 'columns': {columns} columns at {width_mm:g} mm make cards {card_width:.0f} mm wide, too "
            f"narrow for {too_wide.phrase!r} on one line; choose fewer columns (0 picks them by width) or a "
            "larger width_mm"
        ) from None
    return columns, card_width, rows, row_heights


def draw_card_figure(
    title: str, cards: list[Card], source_line: str, *, lang: str, width_mm: float, palette: Palette, columns: int = 0
) -> Figure:
    """A figure of width_mm: title (if any), the cards in a grid, and the source line."""
    columns, card_width, rows, row_heights = card_grid(cards, lang, width_mm, columns)
    inner = width_mm - 2 * MARGIN_MM
    title_block = Paragraph(title, style.FONT_SIZES.title) if title else None
    source_block = Paragraph(source_line, style.FONT_SIZES.source, role="muted_text") if source_line else None

    y = MARGIN_MM
    title_height = title_block.height(inner, lang) + GAP_MM if title_block else 0.0
    grid_height = math.fsum(row_heights) + GAP_MM * (len(rows) - 1)
    source_height = source_block.height(inner, lang) + GAP_MM if source_block else 0.0
    height = MARGIN_MM + title_height + grid_height + source_height + MARGIN_MM

    fig = style.new_figure(width_mm, height)
    canvas = Canvas(fig, width_mm, height, palette)
    if title_block:
        y += title_block.draw(canvas, MARGIN_MM, y, inner, lang) + GAP_MM
    for row, row_height in zip(rows, row_heights):
        for i, card in enumerate(row):
            card.draw(canvas, MARGIN_MM + i * (card_width + GAP_MM), y, card_width, row_height, lang)
        y += row_height + GAP_MM
    if source_block:
        source_block.draw(canvas, MARGIN_MM, y, inner, lang)
    return fig
