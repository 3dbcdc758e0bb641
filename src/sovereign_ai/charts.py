"""Charts of the cloud-dependence analysis: each a function from tables to a Figure.

Layout is in millimetres, like the card diagrams: a title on top, the plot,
and the source line at the bottom, wrapped to the width. Ranges are drawn as
ranges, projections as open markers in a shaded zone, and what no source
splits is hatched grey and labelled as such.
"""

import datetime as dt

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from sovereign_ai import citations, cloud_dependence, data, style, text
from sovereign_ai.diagrams import line_height_mm
from sovereign_ai.palettes import Palette

MARGIN_MM = 2.5
GAP_MM = 2.5
MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def _wrapped(s: str, lang: str, width_mm: float, size: float) -> list[str]:
    return text.wrap(s, lang, width_mm / style.MM_PER_PT, size) if s else []


def chart_figure(width_mm: float, plot_height_mm: float, title: str, source_line: str, lang: str, *,
                 left_mm: float, bottom_mm: float = 9.0, right_mm: float = 6.0, columns: int = 1,
                 column_gap_mm: float = 12.0, top_mm: float = 0.0):
    """A figure with a title, `columns` axes side by side, and a source line; returns (fig, axes)."""
    inner = width_mm - 2 * MARGIN_MM
    title_lines = _wrapped(title, lang, inner, style.FONT_SIZES.title)
    source_lines = _wrapped(source_line, lang, inner, style.FONT_SIZES.source)
    title_h = len(title_lines) * line_height_mm(style.FONT_SIZES.title)
    source_h = len(source_lines) * line_height_mm(style.FONT_SIZES.source)
    height = MARGIN_MM + title_h + GAP_MM + top_mm + plot_height_mm + bottom_mm + GAP_MM + source_h + MARGIN_MM
    fig = style.describe(style.new_figure(width_mm, height), title, source_line)

    def put_lines(lines, top_mm, size, colour):
        step = line_height_mm(size)
        for i, line in enumerate(lines):
            baseline = top_mm + i * step + step * 0.78
            fig.text(MARGIN_MM / width_mm, 1 - baseline / height, line, fontsize=size, color=colour,
                     va="baseline", ha="left")

    put_lines(title_lines, MARGIN_MM, style.FONT_SIZES.title, "#000000")
    put_lines(source_lines, height - MARGIN_MM - source_h, style.FONT_SIZES.source, "#4D4D4D")
    plot_top = MARGIN_MM + title_h + GAP_MM + top_mm
    plot_width = (width_mm - left_mm - right_mm - column_gap_mm * (columns - 1)) / columns
    axes = []
    for c in range(columns):
        x = left_mm + c * (plot_width + column_gap_mm)
        ax = fig.add_axes((x / width_mm, 1 - (plot_top + plot_height_mm) / height,
                           plot_width / width_mm, plot_height_mm / height))
        _style_axes(ax)
        axes.append(ax)
    return fig, axes


def _style_axes(ax) -> None:
    size = style.FONT_SIZES.body
    ax.tick_params(labelsize=size, length=2, width=0.5, pad=1.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_linewidth(0.5)
    ax.xaxis.label.set_size(size)
    ax.yaxis.label.set_size(size)


def _legend(ax, handles, **kwargs) -> None:
    ax.legend(handles=handles, fontsize=style.FONT_SIZES.label, frameon=False, **kwargs)


def _year_formatter(lang: str):
    return mdates.DateFormatter("%Y年" if lang == "ja" else "%Y")


# ---- 1. Roster over time ---------------------------------------------------------


def roster_chart(as_of, *, lang: str, width_mm: float, palette: Palette) -> Figure:
    """Each provider's selection as a bar from its first announcement to the last reported status."""
    as_of = cloud_dependence._date(as_of)
    selections = data.load_table("gov_cloud_selections")
    providers = data.load_table("gov_cloud_providers").set_index("provider_id")
    everyone = cloud_dependence.roster_as_of(dt.date.max)
    last = cloud_dependence.last_status_date()
    at_date = cloud_dependence.roster_as_of(as_of)
    sources = list(selections["source_id"]) + list(data.load_table("gov_cloud_status")["source_id"]) + \
        list(providers["source_id"]) + ["dir_2025_sovereign_ai"]
    count = text.label("selected_count", lang).format(n=len(at_date), d=int(at_date["is_domestic"].sum()))
    title = f'{text.label("roster_title", lang)} ({text.label("as_of", lang)} {as_of}: {count})'
    row_h = 6.0
    fig, (ax,) = chart_figure(width_mm, row_h * len(everyone) + 6, title, citations.source_line(sources, lang), lang,
                              left_mm=30 if lang == "en" else 26, bottom_mm=18 if width_mm >= 150 else 26)
    names = everyone[f"short_name_{lang}"].tolist()
    for y, row in enumerate(everyone.itertuples()):
        colour = palette.domestic if row.is_domestic else palette.foreign
        conditional = row.status != "selected"
        ax.barh(y, (last - row.first_selected_on).days, left=row.first_selected_on, height=0.5,
                color="white" if conditional else colour, edgecolor=colour, linewidth=0.8,
                hatch="////" if conditional else None)
        announced = selections[selections["provider_id"] == row.provider_id]["announced_on"]
        ax.plot(announced, [y] * len(announced), marker="|", markersize=7, color="#000000", linestyle="none")
        if row.condition_deadline:
            ax.plot([row.condition_deadline], [y], marker="D", markersize=3.5, color=colour, linestyle="none")
    ax.axvline(as_of, color="#000000", linewidth=0.6, linestyle="--")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(dt.date(2021, 4, 1), dt.date(2026, 7, 1))
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(_year_formatter(lang))
    handles = [Patch(facecolor=palette.foreign, label=text.label("foreign_provider", lang)),
               Patch(facecolor=palette.domestic, label=text.label("domestic_provider", lang)),
               Patch(facecolor="white", edgecolor=palette.domestic, hatch="////", label=text.label("conditional", lang)),
               Line2D([], [], marker="|", color="#000000", linestyle="none", label=text.label("selection", lang)),
               Line2D([], [], marker="D", markersize=3.5, color=palette.domestic, linestyle="none",
                      label=text.label("deadline", lang)),
               Line2D([], [], color="#000000", linewidth=0.6, linestyle="--",
                      label=f'{text.label("as_of", lang)} {as_of}')]
    _legend(ax, handles, loc="upper center", bbox_to_anchor=(0.4, -0.2), ncols=3 if width_mm >= 150 else 2)
    ax.set_ylim(len(names) - 0.5, -1.1)  # room above the first bar for the note below
    ax.annotate(f'{text.label("last_status", lang)}: {last}', xy=(last, -0.75), xytext=(-3, 0),
                textcoords="offset points", fontsize=style.FONT_SIZES.label, ha="right", va="center")
    return fig


# ---- 2. Concentration --------------------------------------------------------------


def concentration_chart(*, lang: str, width_mm: float, palette: Palette) -> Figure:
    """The production systems split by provider as far as published, and the HHI interval against the bands."""
    base = cloud_dependence.concentration()
    low, high = base.hhi_bounds
    bands = data.load_table("concentration_bands")
    sources = [base.source_id, "T1-10", "C-01", "C-02"]
    title = f'{text.label("concentration_title", lang)} ({base.as_of})'
    fig, (ax_systems, ax_hhi) = chart_figure(width_mm, 22, title, citations.source_line(sources, lang), lang,
                                             left_mm=8, columns=2, column_gap_mm=10,
                                             bottom_mm=16 if width_mm >= 150 else 24)
    aws_label = f"AWS {base.systems_aws:,} ({base.aws_share_pct:.1f}%)"
    other_label = f'{text.label("unsplit", lang)} {base.systems_other}'
    ax_systems.barh(0, base.systems_aws, color=palette.foreign, height=0.5)
    ax_systems.barh(0, base.systems_other, left=base.systems_aws, color=palette.unknown, hatch="////",
                    edgecolor="#6E6E6E", linewidth=0.4, height=0.5)
    ax_systems.set_xlim(0, base.systems_total)
    ax_systems.set_yticks([])
    ax_systems.spines["left"].set_visible(False)
    ax_systems.set_xlabel(text.label("systems_axis", lang))
    _legend(ax_systems, [Patch(facecolor=palette.foreign, label=aws_label),
                         Patch(facecolor=palette.unknown, hatch="////", edgecolor="#6E6E6E", label=other_label)],
            loc="upper left", bbox_to_anchor=(0, -0.45), ncols=1)

    _draw_bands(ax_hhi, bands, palette, lang)
    ax_hhi.errorbar([(low + high) / 2], [0.35], xerr=[[(high - low) / 2], [(high - low) / 2]], fmt="none",
                    ecolor="#000000", capsize=3, linewidth=1.2, transform=ax_hhi.get_xaxis_transform())
    ax_hhi.set_ylim(0, 1)
    ax_hhi.set_yticks([])
    ax_hhi.spines["left"].set_visible(False)
    ax_hhi.set_xlabel(text.label("hhi_axis", lang))
    ax_hhi.annotate(text.label("hhi_interval", lang).format(low=low, high=high), xy=(high, 0.35),
                    xytext=(-6, 0), textcoords="offset points", ha="right", va="center",
                    fontsize=style.FONT_SIZES.label, xycoords=ax_hhi.get_xaxis_transform())
    return fig


# ---- 3. Market context ---------------------------------------------------------------

_SUBJECTS = {
    "aws": {"ja": "AWS", "en": "AWS"},
    "microsoft": {"ja": "Microsoft", "en": "Microsoft"},
    "ntt_communications": {"ja": "NTTコミュニケーションズ", "en": "NTT Communications"},
    "google": {"ja": "Google", "en": "Google"},
    "salesforce": {"ja": "Salesforce", "en": "Salesforce"},
    "aws_microsoft_google": {"ja": "AWS+Microsoft+Google", "en": "AWS + Microsoft + Google"},
    "foreign_firms": {"ja": "海外企業の合計", "en": "foreign firms combined"},
}


def market_chart(*, lang: str, width_mm: float, palette: Palette) -> Figure:
    """Published shares of Japan's cloud market: ranges as bars from low to high, single values as points."""
    shares = data.load_table("cloud_market_shares")
    # single providers by rank, then groups by year, then the other market's estimate
    shares["_order"] = [(m != "iaas_paas_jftc", pd.isna(r), y, 0 if pd.isna(r) else r)
                        for m, r, y in zip(shares["market"], shares["rank"], shares["fiscal_year"])]
    shares = shares.sort_values("_order").drop(columns="_order").reset_index(drop=True)
    title = text.label("market_title", lang)
    row_h = 5.0
    wide = width_mm >= 150
    fig, (ax,) = chart_figure(width_mm, row_h * len(shares) + 4, title,
                              citations.source_line(shares["source_id"], lang), lang,
                              left_mm=min(46.0, 0.4 * width_mm), bottom_mm=20 if wide else 26)
    labels = []
    for y, row in enumerate(shares.itertuples()):
        labels.append(f"{_SUBJECTS[row.subject][lang]}\nFY{row.fiscal_year}")
        colour = palette.foreign if row.subject != "ntt_communications" else palette.domestic
        if pd.isna(row.share_low_pct):
            ax.text(1, y, text.label("not_published", lang).format(rank=int(row.rank)), va="center",
                    fontsize=style.FONT_SIZES.label, color="#4D4D4D")
        elif row.share_low_pct == row.share_high_pct:
            ax.plot([row.share_low_pct], [y], marker="D", markersize=4, color=colour)
            ax.text(row.share_high_pct + 2, y, f"{row.share_low_pct:g}%", va="center", fontsize=style.FONT_SIZES.label)
        else:
            ax.barh(y, row.share_high_pct - row.share_low_pct, left=row.share_low_pct, height=0.45, color=colour)
            ax.text(row.share_high_pct + 2, y, f"{row.share_low_pct:g}–{row.share_high_pct:g}%", va="center",
                    fontsize=style.FONT_SIZES.label)
    ax.set_yticks(range(len(labels)), labels, fontsize=style.FONT_SIZES.source, linespacing=1.1)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel(text.label("share_axis", lang))
    ax.grid(axis="x", linewidth=0.3, color="#D0D0D0")
    ax.set_axisbelow(True)
    handles = [Patch(facecolor=palette.foreign, label=text.label("foreign_provider", lang).split(" (")[0]),
               Patch(facecolor=palette.domestic, label=text.label("domestic_provider", lang)),
               Patch(facecolor="#777777", label=text.label("range_marker", lang) + text.label("jftc_market", lang)),
               Line2D([], [], marker="D", markersize=4, color="#777777", linestyle="none",
                      label=text.label("value_marker", lang) + text.label("fuji_market", lang))]
    _legend(ax, handles, loc="upper left", bbox_to_anchor=(-0.1 if wide else -0.6, -0.16), ncols=2 if wide else 1)
    return fig


# ---- 4. Digital deficit --------------------------------------------------------------


def deficit_chart(*, lang: str, width_mm: float, palette: Palette) -> Figure:
    """The digital deficit by year, one marker per definition; projections open, in a shaded zone."""
    deficit = data.load_table("digital_deficit")
    definitions = data.load_table("digital_deficit_definitions").set_index("definition_id")
    sources = list(deficit["source_id"]) + list(definitions["source_id"])
    fig, (ax,) = chart_figure(width_mm, 55, text.label("deficit_title", lang), citations.source_line(sources, lang),
                              lang, left_mm=12, bottom_mm=22)
    first_projection = deficit.loc[deficit["is_projection"].astype(bool), "year"].min()
    ax.axvspan(first_projection - 0.5, deficit["year"].max() + 1, color=palette.unknown, alpha=0.25, linewidth=0)
    ax.text(first_projection - 0.3, 0.97, text.label("projection", lang), transform=ax.get_xaxis_transform(),
            fontsize=style.FONT_SIZES.label, va="top")
    handles = []
    for i, (definition_id, rows) in enumerate(deficit.groupby("definition_id", sort=False)):
        colour, marker = palette.series[i % len(palette.series)], MARKERS[i % len(MARKERS)]
        observed = rows[~rows["is_projection"].astype(bool)]
        projected = rows[rows["is_projection"].astype(bool)]
        # small horizontal offsets keep same-year values of different definitions apart
        offset = (i - 2.5) * 0.12
        ax.plot(observed["year"] + offset, observed["value_trillion_jpy"], marker=marker, markersize=4,
                color=colour, linestyle="none")
        ax.plot(projected["year"] + offset, projected["value_trillion_jpy"], marker=marker, markersize=4.5,
                markerfacecolor="white", markeredgecolor=colour, linestyle="none")
        for row in projected.itertuples():
            ax.annotate(row.scenario, xy=(row.year + offset, row.value_trillion_jpy), xytext=(-4, 0),
                        textcoords="offset points", ha="right", va="center", fontsize=style.FONT_SIZES.source)
        handles.append(Line2D([], [], marker=marker, color=colour, linestyle="none", markersize=4,
                              label=definitions.at[definition_id, f"label_{lang}"]))
    handles.append(Line2D([], [], marker="o", markerfacecolor="white", markeredgecolor="#000000", linestyle="none",
                          markersize=4.5, label=text.label("projection", lang)))
    ax.set_xlim(2013, deficit["year"].max() + 1)
    ax.set_ylim(0, max(30, deficit["value_trillion_jpy"].max() * 1.1))
    ax.set_ylabel(text.label("deficit_axis", lang))
    ax.grid(axis="y", linewidth=0.3, color="#D0D0D0")
    ax.set_axisbelow(True)
    _legend(ax, handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=3 if width_mm >= 150 else 2)
    return fig


# ---- 5. Scenarios ------------------------------------------------------------------------


def scenario_chart(fractions, *, lang: str, width_mm: float, palette: Palette) -> Figure:
    """For each fraction moved: the domestic share (bars) and the HHI interval (ranges) against the bands."""
    base = cloud_dependence.concentration()
    scenarios = [cloud_dependence.shift_to_domestic(base, f) for f in [0.0, *fractions]]
    bands = data.load_table("concentration_bands")
    sources = [base.source_id, "T1-10", "C-01", "C-02"]
    fig, (ax_share, ax_hhi) = chart_figure(width_mm, 6 * len(scenarios) + 4, text.label("scenario_title", lang),
                                           citations.source_line(sources, lang), lang, left_mm=12, columns=2,
                                           column_gap_mm=16, bottom_mm=16 if width_mm >= 150 else 24, top_mm=4)
    labels = [text.label("today", lang) if s.fraction == 0 else f"{s.fraction:g}" for s in scenarios]
    ys = range(len(scenarios))
    ax_share.barh(ys, [s.domestic_share_pct for s in scenarios], color=palette.domestic, height=0.5)
    for y, s in zip(ys, scenarios):
        ax_share.text(s.domestic_share_pct + 1.5, y, f"{s.domestic_share_pct:.1f}%", va="center",
                      fontsize=style.FONT_SIZES.label)
    ax_share.set_yticks(ys, labels)
    ax_share.invert_yaxis()
    ax_share.set_xlim(0, 100)
    ax_share.set_xlabel(text.label("domestic_share_axis", lang))
    ax_share.set_title(text.label("shift_axis", lang), fontsize=style.FONT_SIZES.label, loc="left", pad=4)
    _draw_bands(ax_hhi, bands, palette, lang)
    for y, s in zip(ys, scenarios):
        ax_hhi.errorbar([(s.hhi_low + s.hhi_high) / 2], [y], xerr=[[(s.hhi_high - s.hhi_low) / 2]] * 2, fmt="none",
                        ecolor="#000000", capsize=2.5, linewidth=1.2)
        ax_hhi.text(s.hhi_low - 150, y, f"{s.hhi_low:,.0f}–{s.hhi_high:,.0f}", va="center", ha="right",
                    fontsize=style.FONT_SIZES.label)
    ax_hhi.set_yticks(ys, [])
    ax_hhi.set_ylim(ax_share.get_ylim())  # rows line up with the shares on the left
    return fig


def _draw_bands(ax, bands: pd.DataFrame, palette: Palette, lang: str) -> None:
    """Shade the HHI axis by the guidelines' bands, with a legend below it."""
    for colour, band in zip(palette.bands, bands.itertuples()):
        start = 0 if pd.isna(band.hhi_from) else band.hhi_from
        end = cloud_dependence.HHI_MAX if pd.isna(band.hhi_to) else band.hhi_to
        ax.axvspan(start, end, color=colour, linewidth=0)
    ax.set_xlim(0, cloud_dependence.HHI_MAX)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
    narrow = ax.figure.get_figwidth() * style.MM_PER_INCH < 150
    ax.set_xlabel("HHI" if narrow else text.label("hhi_axis", lang))
    _legend(ax, [Patch(color=c, label=text.label(f"band_{b}", lang)) for c, b in zip(palette.bands, bands["band"])],
            loc="upper right", bbox_to_anchor=(1, -0.3), ncols=3 if ax.figure.get_figwidth() * 25.4 >= 150 else 1,
            columnspacing=0.8, handlelength=1.2)
