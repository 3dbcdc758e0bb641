"""Metrics of Japan's dependence on foreign cloud providers, from the tables in data/.

Where the data stop, the metrics say so rather than guess: in October 2024
the 45 production systems not on AWS are not split by provider in any
source, so that count's Herfindahl-Hirschman index is an interval (the lowest
and highest values consistent with what is known); the March 2025 count of
all systems is split in full, so its index is a number. The two counts use
different definitions and are kept apart.
"""

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from sovereign_ai import data
from sovereign_ai.analysis import metrics

HHI_MAX = 10_000  # shares in percent: a single provider with 100 %


def _date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# ---- Provider roster -------------------------------------------------------


def roster_as_of(as_of) -> pd.DataFrame:
    """The providers selected on or before as_of, one row each, with their status then.

    A conditional selection whose deadline has passed by as_of has status
    'unknown': no source says whether the condition was met.
    """
    as_of = _date(as_of)
    providers = data.load_table("gov_cloud_providers").set_index("provider_id")
    selections = data.load_table("gov_cloud_selections")
    selections = selections[selections["announced_on"].dt.date <= as_of]
    rows = []
    for provider_id, chosen in selections.sort_values("announced_on").groupby("provider_id", sort=False):
        first, latest = chosen.iloc[0], chosen.iloc[-1]
        status = latest["status"]
        deadline = latest["condition_deadline"]
        if status == "conditional" and pd.notna(deadline) and deadline.date() < as_of:
            status = "unknown"
        rows.append(
            {
                "provider_id": provider_id,
                "short_name_en": providers.at[provider_id, "short_name_en"],
                "short_name_ja": providers.at[provider_id, "short_name_ja"],
                "is_domestic": bool(providers.at[provider_id, "is_domestic"]),
                "first_selected_on": first["announced_on"].date(),
                "first_fiscal_year": int(first["fiscal_year"]),
                "status": status,
                "condition_deadline": deadline.date() if pd.notna(deadline) else None,
            }
        )
    columns = [
        "provider_id",
        "short_name_en",
        "short_name_ja",
        "is_domestic",
        "first_selected_on",
        "first_fiscal_year",
        "status",
        "condition_deadline",
    ]
    return pd.DataFrame(rows, columns=columns)


def last_status_date(as_of=dt.date.max) -> dt.date | None:
    """The latest date, on or before as_of, on which a source reports the roster (a selection or a
    status): the data say nothing of the providers after it."""
    as_of = _date(as_of)
    days = [
        d.date()
        for d in [
            *data.load_table("gov_cloud_status")["as_of"],
            *data.load_table("gov_cloud_selections")["announced_on"],
        ]
        if d.date() <= as_of
    ]
    return max(days, default=None)


def left_out(as_of) -> dict[str, int]:
    """How many rows of the roster and count tables are dated after as_of, by table: what an
    explicit as_of leaves out of the run."""
    as_of = _date(as_of)
    dated = {
        "gov_cloud_selections": "announced_on",
        "gov_cloud_status": "as_of",
        "gov_cloud_systems": "as_of",
    }
    counted = {name: int((data.load_table(name)[column].dt.date > as_of).sum()) for name, column in dated.items()}
    shares = data.load_table("cloud_market_shares")
    counted["cloud_market_shares"] = len(shares) - sum(data.published_by(shares["source_id"], as_of))
    deficit = data.load_table("digital_deficit")
    counted["digital_deficit"] = len(deficit) - int(known_deficit(deficit, as_of).sum())
    return {name: n for name, n in counted.items() if n}


def known_deficit(deficit: pd.DataFrame, as_of) -> pd.Series:
    """Which rows of digital_deficit were known on as_of: published by then, and an observed
    year's value only once the year was over (a projection keeps its future year)."""
    as_of = _date(as_of)
    over = deficit["is_projection"].astype(bool) | (deficit["year"] < as_of.year)
    return over & pd.Series(data.published_by(deficit["source_id"], as_of), index=deficit.index)


# ---- Concentration -----------------------------------------------------------


def share_pct(part: float, total: float) -> float:
    """part as a percentage of total."""
    if total <= 0:
        raise ValueError(f"total must be positive, got {total}")
    return 100.0 * part / total


def hhi(shares_pct) -> float:
    """Herfindahl-Hirschman index: the sum of squared shares in percent (0 to 10,000)."""
    return math.fsum(s * s for s in shares_pct)


def hhi_bounds(
    known_shares_pct, unassigned_pct: float, unassigned_providers: int, minimum_each_pct: float = 0.0
) -> tuple[float, float]:
    """Lowest and highest HHI when unassigned_pct is split in an unknown way among unassigned_providers,
    each of which holds at least minimum_each_pct.

    Lowest: spread evenly (a sum of squares with a fixed total is smallest when
    the parts are equal). Highest: every provider but one at its minimum, the rest on one.
    """
    known = hhi(known_shares_pct)
    if unassigned_providers == 0:
        if unassigned_pct > 1e-9:
            raise ValueError(f"{unassigned_pct}% is unassigned but no provider is left to hold it")
        return known, known
    if unassigned_pct < unassigned_providers * minimum_each_pct - 1e-9:
        raise ValueError(f"{unassigned_pct}% cannot give {unassigned_providers} providers {minimum_each_pct}% each")
    even = unassigned_pct / unassigned_providers
    largest = unassigned_pct - (unassigned_providers - 1) * minimum_each_pct
    return (
        known + unassigned_providers * even * even,
        known + largest * largest + (unassigned_providers - 1) * minimum_each_pct**2,
    )


@dataclass(frozen=True)
class Concentration:
    """How concentrated the Government Cloud's systems were in one count (a date and a definition)."""

    as_of: dt.date
    definition: str  # "production_systems" or "all_systems": counts of different definitions never mix
    systems_total: int
    systems_by_provider: dict  # provider_id -> systems, as far as a source splits them
    unsplit_providers: tuple[str, ...]  # in use at the date, their systems among the unsplit rest
    domestic_providers: frozenset
    source_ids: tuple[str, ...]

    @property
    def systems_aws(self) -> int:
        return self.systems_by_provider.get("aws", 0)

    @property
    def systems_unsplit(self) -> int:
        return self.systems_total - sum(self.systems_by_provider.values())

    @property
    def is_split(self) -> bool:
        """True when every system's provider is known, so the HHI is a number."""
        return self.systems_unsplit == 0

    @property
    def domestic_systems(self) -> int:
        return sum(n for p, n in self.systems_by_provider.items() if p in self.domestic_providers)

    @property
    def aws_share_pct(self) -> float:
        return share_pct(self.systems_aws, self.systems_total)

    @property
    def domestic_share_pct(self) -> float:
        return share_pct(self.domestic_systems, self.systems_total)

    def shares_pct(self) -> dict:
        """Each provider's share of the count, where published."""
        return {p: share_pct(n, self.systems_total) for p, n in self.systems_by_provider.items()}

    @property
    def hhi_bounds(self) -> tuple[float, float]:
        """The HHI's lowest and highest values consistent with the data: equal when the split is known.
        Each provider in use hosts at least one system."""
        return hhi_bounds(
            self.shares_pct().values(),
            share_pct(self.systems_unsplit, self.systems_total),
            len(self.unsplit_providers),
            share_pct(1, self.systems_total),
        )


def concentrations(as_of=None) -> list[Concentration]:
    """Every count of the Government Cloud's systems, oldest first; with as_of, those counted by then.

    A domestic provider among the unsplit rest would make the domestic share
    unknown, so that is refused rather than guessed.
    """
    counts = data.load_table("gov_cloud_systems").sort_values(["as_of", "definition"])
    split = data.load_table("gov_cloud_systems_by_provider")
    status = data.load_table("gov_cloud_status")
    providers = data.load_table("gov_cloud_providers").set_index("provider_id")
    domestic = frozenset(providers.index[providers["is_domestic"].astype(bool)])
    found = []
    for count in counts.itertuples():
        day = count.as_of.date()
        if as_of is not None and day > _date(as_of):
            continue
        parts = split[(split["as_of"] == count.as_of) & (split["definition"] == count.definition)]
        by_provider = dict(zip(parts["provider_id"], (int(n) for n in parts["systems"])))
        sources = [count.source_id, *parts["source_id"]]
        unsplit: tuple[str, ...] = ()
        if sum(by_provider.values()) < count.systems_total:
            at_date = status[status["as_of"] == count.as_of]
            if at_date.empty or at_date["is_in_use"].isna().any():
                raise data.DataError(
                    f"gov_cloud_status.csv does not say which providers were in use on {day}, "
                    f"so the unsplit systems of that count cannot be placed"
                )
            in_use = at_date[at_date["is_in_use"].astype(bool)]
            unsplit = tuple(p for p in in_use["provider_id"] if p not in by_provider)
            sources += list(in_use["source_id"])
            if domestic & set(unsplit):
                raise data.DataError(f"a domestic provider was in use on {day}: its systems are not counted separately")
        found.append(
            Concentration(
                day,
                count.definition,
                int(count.systems_total),
                by_provider,
                unsplit,
                domestic,
                tuple(dict.fromkeys(sources)),
            )
        )
    return found


def latest_concentration(as_of=None) -> Concentration:
    """The latest count of the Government Cloud's systems (on or before as_of)."""
    found = concentrations(as_of)
    if not found:
        raise data.DataError(f"no count of the Government Cloud's systems is dated on or before {as_of}")
    return found[-1]


def concentration_band(hhi_value: float, guideline: str = "us_hmg_2010") -> str:
    """The band of the guidelines an HHI value falls in, with each band's ends as the guidelines word them."""
    bands = data.load_table("concentration_bands")
    for band in bands[bands["guideline"] == guideline].itertuples():
        above_low = pd.isna(band.hhi_from) or (
            hhi_value >= band.hhi_from if band.from_inclusive else hhi_value > band.hhi_from
        )
        below_high = pd.isna(band.hhi_to) or (
            hhi_value <= band.hhi_to if band.to_inclusive else hhi_value < band.hhi_to
        )
        if above_low and below_high:
            return band.band
    raise ValueError(f"no band of {guideline} holds HHI {hhi_value}")


# ---- What-if scenarios -------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """The Government Cloud if a fraction of the AWS-hosted systems moved to the domestic provider."""

    fraction: float
    systems_moved: float
    aws_share_pct: float
    domestic_share_pct: float
    hhi_low: float
    hhi_high: float


def shift_to_domestic(base: Concentration, fraction: float) -> Scenario:
    """Move fraction (0 to 1) of base's AWS systems to domestic providers, everything else as it was.

    Japan's only domestic provider is counted as one provider: that is what
    the roster has, and it is the most concentrated reading.
    """
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction {fraction!r} is outside [0, 1]")
    moved = fraction * base.systems_aws
    shares = base.shares_pct()
    aws = share_pct(base.systems_aws - moved, base.systems_total)
    domestic = share_pct(base.domestic_systems + moved, base.systems_total)
    others = [v for p, v in shares.items() if p != "aws" and p not in base.domestic_providers]
    low, high = hhi_bounds(
        [aws, domestic, *others],
        share_pct(base.systems_unsplit, base.systems_total),
        len(base.unsplit_providers),
        share_pct(1, base.systems_total),
    )
    return Scenario(fraction, moved, aws, domestic, low, high)


# ---- Metrics file --------------------------------------------------------------

DEFINITION_WORDS = {"production_systems": "production systems", "all_systems": "systems of every kind"}


def count_metrics(count: Concentration) -> list[tuple]:
    """The rows of the metrics table for one count: totals, splits, shares and the HHI."""
    d, when, words = count.definition, count.as_of.isoformat(), DEFINITION_WORDS[count.definition]
    sources = ", ".join(count.source_ids)
    rows = [(f"{d}_total", count.systems_total, "systems", when, f"{words} on the Government Cloud; source {sources}")]
    for provider, systems in count.systems_by_provider.items():
        rows.append((f"{d}_{provider}", systems, "systems", when, f"{words} on {provider}; source {sources}"))
    low, high = count.hhi_bounds
    rows.append(
        (
            f"{d}_aws_share",
            round(count.aws_share_pct, 2),
            "percent",
            when,
            f"computed: {words} on AWS as a share of all {words}",
        )
    )
    rows.append(
        (
            f"{d}_domestic_share",
            round(count.domestic_share_pct, 2),
            "percent",
            when,
            f"computed: {words} on Japanese providers as a share of all {words}",
        )
    )
    if count.is_split:
        rows.append((f"{d}_hhi", round(low, 1), "index points", when, "computed from the full split by provider"))
    else:
        others = ", ".join(count.unsplit_providers)
        rows.append(
            (
                f"{d}_unsplit",
                count.systems_unsplit,
                "systems",
                when,
                f"{words} on {others}; no source splits them by provider",
            )
        )
        rows.append(
            (
                f"{d}_hhi_lower",
                round(low, 1),
                "index points",
                when,
                f"computed: the unsplit systems spread evenly over {others}",
            )
        )
        rows.append(
            (
                f"{d}_hhi_upper",
                round(high, 1),
                "index points",
                when,
                f"computed: the unsplit systems all on one of {others} but one system on each other",
            )
        )
    rows.append(
        (
            f"{d}_hhi_band",
            concentration_band(low),
            "band",
            when,
            "band of the lower HHI in the US Horizontal Merger Guidelines (2010)",
        )
    )
    return rows


def metrics_table(as_of, fractions) -> pd.DataFrame:
    """The key numbers of one analysis run, for cloud_dependence_metrics.csv.

    Shares are rounded to two decimals and HHI values to one; counts are whole.
    Each count keeps its own date and definition.
    """
    as_of = _date(as_of)
    roster = roster_as_of(as_of)
    reported = last_status_date(as_of)
    beyond = (
        f"no source reports the roster after {reported}; later selections, if any, are not known"
        if reported and as_of > reported
        else ""
    )
    day = as_of.isoformat()
    rows = [
        ("providers_selected", len(roster), "providers", day, beyond or "providers selected on or before as_of"),
        ("providers_domestic", int(roster["is_domestic"].sum()), "providers", day, "of them Japanese companies"),
        (
            "providers_conditional",
            int((roster["status"] == "conditional").sum()),
            "providers",
            day,
            "of them selected on a condition not yet due",
        ),
        (
            "providers_status_unknown",
            int((roster["status"] == "unknown").sum()),
            "providers",
            day,
            f"of them past their condition's deadline, not reported since {reported}",
        ),
    ]
    counts = concentrations(as_of)
    for count in counts:
        rows += count_metrics(count)
    if counts:
        base = counts[-1]
        start = f"{DEFINITION_WORDS[base.definition]} counted on {base.as_of}"
        for fraction in fractions:
            s = shift_to_domestic(base, fraction)
            key = f"scenario_shift_{fraction:g}"
            note = f"what-if: {fraction:.0%} of the AWS-hosted {start} moved to the domestic provider"
            rows += [
                (f"{key}_domestic_share", round(s.domestic_share_pct, 2), "percent", base.as_of.isoformat(), note),
                (f"{key}_aws_share", round(s.aws_share_pct, 2), "percent", base.as_of.isoformat(), note),
                (f"{key}_hhi_lower", round(s.hhi_low, 1), "index points", base.as_of.isoformat(), note),
                (f"{key}_hhi_upper", round(s.hhi_high, 1), "index points", base.as_of.isoformat(), note),
            ]
    return pd.DataFrame(rows, columns=metrics.COLUMNS)
