"""Marks that several charts share, so that they look and read the same everywhere."""

import pandas as pd
from matplotlib.patches import Patch

from sovereign_ai import frame, style, text
from sovereign_ai.cloud_dependence import HHI_MAX
from sovereign_ai.palettes import Palette


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
