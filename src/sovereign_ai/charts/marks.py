"""Marks that several charts share, so that they look and read the same everywhere."""

import math
from dataclasses import dataclass

import pandas as pd
from matplotlib.patches import Patch

from sovereign_ai import data
from sovereign_ai.analysis.cloud_dependence import HHI_MAX
from sovereign_ai.charts import frame, style, text
from sovereign_ai.charts.palettes import Palette


def hhi_bands(ax, bands: pd.DataFrame, palette: Palette, lang: str) -> list[Patch]:
    """Shade an HHI axis (0 to 10,000) by the guidelines' bands, light to dark; return their legend handles."""
    handles = []
    for colour, band in zip(palette.bands, bands.itertuples()):
        start = 0 if pd.isna(band.hhi_from) else band.hhi_from
        end = HHI_MAX if pd.isna(band.hhi_to) else band.hhi_to
        ax.axvspan(start, end, color=colour, linewidth=0)
        handles.append(Patch(color=colour, label=text.label(f"band_{band.band}", lang)))
    ax.set_xlim(0, HHI_MAX)
    frame.thousands(ax.xaxis)
    return handles


def bands_drawn(bands: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The bands hhi_bands shades, as rows of a chart's source data."""
    return pd.DataFrame(
        {
            "label": [text.label(f"band_{band}", lang) for band in bands["band"]],
            "value": bands["hhi_from"].fillna(0).to_numpy(),
            "unit": "HHI",
            "date": [data.source(s)["pub_date"] for s in bands["source_id"]],
            "source_id": bands["source_id"].to_numpy(),
            "mark": "band",
            "value_high": bands["hhi_to"].fillna(HHI_MAX).to_numpy(),
        }
    )


def hhi_value(ax, y: float, low: float, high: float) -> None:
    """An HHI at row y: a point where it is known, an interval with caps where only its bounds are,
    labelled to its left (inside the panel: the values sit near the axis's high end)."""
    if round(low, 1) == round(high, 1):
        ax.plot([low], [y], marker="D", markersize=3.5, color="#000000")
        value = f"{low:,.0f}"
    else:
        ax.errorbar(
            [(low + high) / 2],
            [y],
            xerr=[[(high - low) / 2]] * 2,
            fmt="none",
            ecolor="#000000",
            capsize=2.5,
            linewidth=1.2,
        )
        value = f"{low:,.0f}–{high:,.0f}"
    ax.annotate(
        value,
        xy=(low, y),
        xytext=(-5, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        fontsize=style.FONT_SIZES.label,
    )


@dataclass(frozen=True)
class Callouts:
    """Where a lane's event markers and their numbers go, so that each number points to one marker.

    Markers that would overlap stand one above another (marker_levels, 0 on the lane); the numbers
    stand in rows above the highest marker, spread along the lane so that none overlaps another,
    and a leader line joins each number to its marker."""

    marker_levels: list[int]
    label_x_mm: list[float]
    label_rows: list[int]
    height_pt: float  # from the lane up to the top of the highest row of numbers

    def marker_offset_pt(self, i: int) -> float:
        return self.marker_levels[i] * MARKER_STEP_PT

    def label_offset_pt(self, i: int) -> float:
        """The number's baseline above the lane, in points."""
        return max(self.marker_levels, default=0) * MARKER_STEP_PT + LEADER_PT + self.label_rows[i] * ROW_PT


MARKER_STEP_PT = 7.0  # between markers stacked on one lane: a star (7 pt) clear of the next
LEADER_PT = 7.0  # from the highest marker up to the first row of numbers: a leader line you can see
ROW_PT = 7.0  # between rows of numbers (5.5 pt text)
GAP_MM = 0.8  # between two numbers in a row


def callout_layout(xs_mm: list[float], labels: list[str], size_pt: float, span_mm: float, marker_mm: float):
    """Callouts for markers at xs_mm along a lane span_mm long, numbered by labels at size_pt."""
    marker_levels, ends = [], {}  # level -> right edge of the last marker on it
    for x in xs_mm:
        level = next(k for k in range(len(xs_mm) + 1) if ends.get(k, -1e9) <= x - marker_mm)
        ends[level] = x
        marker_levels.append(level)
    widths = [text.text_width_pt(label, size_pt) * style.MM_PER_PT for label in labels]
    needed = math.fsum(widths) + GAP_MM * max(len(labels) - 1, 0)
    rows = max(1, math.ceil(needed / max(span_mm, 1e-9)))
    order = sorted(range(len(xs_mm)), key=lambda i: xs_mm[i])
    label_rows, label_x = [0] * len(xs_mm), [0.0] * len(xs_mm)
    for row in range(rows):
        members = order[row::rows]
        placed = spread([xs_mm[i] for i in members], [widths[i] for i in members], 0.0, span_mm)
        for i, x in zip(members, placed, strict=True):
            label_rows[i], label_x[i] = row, x
    top = max(marker_levels, default=0) * MARKER_STEP_PT + LEADER_PT + (rows - 1) * ROW_PT + size_pt
    return Callouts(marker_levels, label_x, label_rows, top)


def spread(wanted: list[float], widths: list[float], low: float, high: float) -> list[float]:
    """Centres as near the wanted ones (in order) as labels of these widths allow with GAP_MM between
    them and none past low or high: overlapping labels are pushed apart around their mean."""
    blocks = []  # [first index, last index, left edge], each a run of labels that touch
    for i, (centre, width) in enumerate(zip(wanted, widths, strict=True)):
        blocks.append([i, i, centre - width / 2])
        while len(blocks) > 1:
            first, last, left = blocks[-1]
            previous = blocks[-2]
            previous_right = previous[2] + _run_width(widths, previous[0], previous[1])
            if previous_right + GAP_MM <= left:
                break
            merged_first = previous[0]
            mean_offset = math.fsum(
                wanted[k] - (_run_width(widths, merged_first, k - 1) + GAP_MM * (k > merged_first) + widths[k] / 2)
                for k in range(merged_first, last + 1)
            ) / (last - merged_first + 1)
            blocks[-2:] = [[merged_first, last, mean_offset]]
    centres = []
    for first, last, left in blocks:
        run = _run_width(widths, first, last)
        left = min(max(left, low), high - run)
        x = left
        for k in range(first, last + 1):
            centres.append(x + widths[k] / 2)
            x += widths[k] + GAP_MM
    # pushing a block off an end may make it touch the one before: one pass from the right end back
    for k in range(len(centres) - 2, -1, -1):
        limit = centres[k + 1] - (widths[k + 1] + widths[k]) / 2 - GAP_MM
        centres[k] = min(centres[k], limit)
    return centres


def _run_width(widths: list[float], first: int, last: int) -> float:
    """Width of labels first..last laid side by side with GAP_MM between them."""
    if last < first:
        return 0.0
    return math.fsum(widths[first : last + 1]) + GAP_MM * (last - first)
