"""Marks that several charts share, so that they look and read the same everywhere."""

import math
from dataclasses import dataclass

import pandas as pd
from matplotlib.patches import Patch

from sovereign_ai import data
from sovereign_ai.analysis.cloud_dependence import HHI_MAX
from sovereign_ai.charts import house, style, text
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
    house.thousands(ax.xaxis)
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


def numbered_markers(ax, markers: list, size: float = style.FONT_SIZES.source) -> None:
    """Number event markers drawn on lanes (lane i at y = i, named by the y tick labels), as the
    figure is laid out (house.finish): markers that would overlap stand one above another; each
    number stands above its lane's markers, spread along the lane so that none overlaps another,
    and a leader line joins it to its own marker; a lane whose numbers stand high gets the room
    they need above it, so they never reach the lane above. markers: (Line2D of one marker, number).
    An event on the range's first or last days is kept EDGE_MM clear of the axis line."""
    from matplotlib.transforms import offset_copy

    fig = ax.figure
    names = [t.get_text() for t in ax.get_yticklabels()]
    xs = [float(ax.convert_xunits(line.get_xdata()[0])) for line, _ in markers]
    lane_of = [round(float(line.get_ydata()[0])) for line, _ in markers]
    by_lane = [[i for i, lane in enumerate(lane_of) if lane == k] for k in range(len(names))]
    labels = [str(label) for _, label in markers]
    widest_mm = max(line.get_markersize() for line, _ in markers) * style.MM_PER_PT
    low, high = ax.get_xlim()
    numbers = [
        ax.annotate(
            label,
            xy=(x, lane),
            xytext=(0, 0),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=size,
            arrowprops={
                "arrowstyle": "-",
                "linewidth": 0.4,
                "color": "#6E6E6E",
                "shrinkA": 0.3,
                "shrinkB": line.get_markersize() / 2 + 0.3,  # from the marker's edge
            },
        )
        for (line, label), x, lane in zip(markers, xs, lane_of)
    ]
    last = []

    def place() -> bool:
        lane_mm = ax.bbox.width / fig.dpi * style.MM_PER_INCH
        edge = EDGE_MM * (high - low) / lane_mm
        start = low - edge if min(xs) < low + edge else low
        end = high + edge if max(xs) > high - edge else high
        mm_per_day = lane_mm / (end - start)
        pitch_mm = house.row_height_mm(ax)
        layouts, lane_y = [], []
        for k, members in enumerate(by_lane):
            at_mm = [(xs[i] - start) * mm_per_day for i in members]
            layout = callout_layout(at_mm, [labels[i] for i in members], size, lane_mm, widest_mm)
            layouts.append((members, at_mm, layout))
            needed = (layout.height_pt + CLEAR_PT) * style.MM_PER_PT / pitch_mm  # up to the lane above
            lane_y.append(0.0 if k == 0 else lane_y[-1] + max(1.0, needed))
        for (members, at_mm, layout), y in zip(layouts, lane_y):
            for j, i in enumerate(members):
                marker_at = offset_copy(ax.transData, fig=fig, y=layout.marker_offset_pt(j), units="points")
                markers[i][0].set_transform(marker_at)
                markers[i][0].set_ydata([y])
                numbers[i].xy, numbers[i].xycoords = (xs[i], y), marker_at
                numbers[i].xyann = (
                    (layout.label_x_mm[j] - at_mm[j]) / style.MM_PER_PT,
                    layout.label_offset_pt(j) - layout.marker_offset_pt(j),
                )
        first = layouts[0][2].height_pt * style.MM_PER_PT / pitch_mm
        ax.set_yticks(lane_y, names)
        ax.set_ylim(lane_y[-1] + max(0.4, BELOW_MM / pitch_mm), -max(1.2, first + 0.1))
        ax.set_xlim(start, end)
        now = [round(v, 6) for v in (start, end, *lane_y)] + [round(v, 3) for n in numbers for v in n.xyann]
        changed = now != last
        last[:] = now
        return changed

    house.on_layout(fig, place)


EDGE_MM = 2.0  # an event on the range's first or last day: half a star and a gap from the axis line
CLEAR_PT = 5.5  # between a lane's highest number and the lane above: half a star (3.5 pt) and a gap
BELOW_MM = 3.0  # under the last lane: half a star and a gap
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
