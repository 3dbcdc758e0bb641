"""Colour palettes for the figures, by the role each colour plays.

Kept free of matplotlib so that parameter checks can list the palettes
without paying for the plotting import.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    name: str
    description: str
    header_fill: str  # panel title band
    header_text: str
    card_fill: str  # panel body
    card_edge: str
    body_text: str
    accent: str  # arrows and markers of consequences and risks
    response_fill: str  # box of the response
    response_edge: str
    label_text: str  # small headings inside a panel
    muted_text: str  # source line
    foreign: str  # charts: foreign providers
    on_foreign: str  # charts: text written on a foreign provider's bar
    domestic: str  # charts: domestic providers
    unknown: str  # charts: what no source splits or says
    bands: tuple[str, str, str]  # charts: low, middle and high concentration bands, light to dark
    series: tuple[str, ...]  # charts: one colour per series (markers differ too)


# Okabe & Ito (2008) colours, distinguishable with every common colour-vision
# deficiency; text stays near-black or white so contrast does not depend on hue.
OKABE_ITO = Palette(
    name="okabe_ito",
    description="colour-blind-safe (Okabe-Ito)",
    header_fill="#0072B2",
    header_text="#FFFFFF",
    card_fill="#F2F7FB",
    card_edge="#0072B2",
    body_text="#1A1A1A",
    accent="#D55E00",
    response_fill="#E0F2EC",
    response_edge="#009E73",
    label_text="#005A8C",
    muted_text="#4D4D4D",
    foreign="#0072B2",
    on_foreign="#FFFFFF",
    domestic="#D55E00",
    unknown="#BBBBBB",
    bands=("#EEF5EA", "#FBF1DC", "#F8E1D6"),
    series=("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"),
)

# For greyscale print: roles differ by lightness alone.
GREYSCALE = Palette(
    name="greyscale",
    description="greyscale, for black-and-white print",
    header_fill="#3A3A3A",
    header_text="#FFFFFF",
    card_fill="#F5F5F5",
    card_edge="#3A3A3A",
    body_text="#000000",
    accent="#000000",
    response_fill="#DCDCDC",
    response_edge="#6E6E6E",
    label_text="#3A3A3A",
    muted_text="#4D4D4D",
    foreign="#8C8C8C",
    on_foreign="#000000",  # white on this grey is 3.4:1, below WCAG AA's 4.5
    domestic="#000000",
    unknown="#D9D9D9",
    bands=("#F7F7F7", "#E6E6E6", "#D0D0D0"),
    # every grey at least 3:1 against white (WCAG's contrast for graphics): the markers' shapes tell
    # the series apart where the greys are close
    series=("#000000", "#333333", "#555555", "#6E6E6E", "#808080", "#8C8C8C", "#000000"),
)

PALETTES = {p.name: p for p in (OKABE_ITO, GREYSCALE)}
DEFAULT_PALETTE = OKABE_ITO.name


def get_palette(name: str) -> Palette:
    try:
        return PALETTES[name]
    except KeyError:
        raise ValueError(f"palette {name!r} is unknown; choose one of {', '.join(PALETTES)}") from None


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two '#RRGGBB' colours (1 to 21)."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
