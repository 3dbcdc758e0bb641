"""Marks that several charts share, so that they look and read the same everywhere."""

import pandas as pd
from matplotlib.patches import Patch

from sovereign_ai import frame, text
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
