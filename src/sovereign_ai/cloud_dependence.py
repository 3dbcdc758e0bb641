"""Metrics of Japan's dependence on foreign cloud providers, from the tables in data/.

Where the data stop, the metrics say so rather than guess: the 45 production
systems not on AWS are not split by provider in any source, so the
Herfindahl-Hirschman index is given as an interval (lowest and highest values
consistent with what is known), never as a point.
"""

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from sovereign_ai import data

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
        rows.append({
            "provider_id": provider_id,
            "short_name_en": providers.at[provider_id, "short_name_en"],
            "short_name_ja": providers.at[provider_id, "short_name_ja"],
            "is_domestic": bool(providers.at[provider_id, "is_domestic"]),
            "first_selected_on": first["announced_on"].date(),
            "first_fiscal_year": int(first["fiscal_year"]),
            "status": status,
            "condition_deadline": deadline.date() if pd.notna(deadline) else None,
        })
    columns = ["provider_id", "short_name_en", "short_name_ja", "is_domestic", "first_selected_on",
               "first_fiscal_year", "status", "condition_deadline"]
    return pd.DataFrame(rows, columns=columns)


def last_status_date() -> dt.date:
    """The latest date any source reports the providers' status: the data say nothing after it."""
    return data.load_table("gov_cloud_status")["as_of"].max().date()


# ---- Concentration -----------------------------------------------------------


def share_pct(part: float, total: float) -> float:
    """part as a percentage of total."""
    if total <= 0:
        raise ValueError(f"total must be positive, got {total}")
    return 100.0 * part / total


def hhi(shares_pct) -> float:
    """Herfindahl-Hirschman index: the sum of squared shares in percent (0 to 10,000)."""
    return float(sum(s * s for s in shares_pct))


def hhi_bounds(known_shares_pct, unassigned_pct: float, unassigned_providers: int) -> tuple[float, float]:
    """Lowest and highest HHI when unassigned_pct is split in an unknown way among unassigned_providers.

    Lowest: spread evenly (a sum of squares with a fixed total is smallest when
    the parts are equal). Highest: all on one provider.
    """
    if unassigned_providers < 1:
        raise ValueError("unassigned_providers must be at least 1")
    known = hhi(known_shares_pct)
    even = unassigned_pct / unassigned_providers
    return known + unassigned_providers * even * even, known + unassigned_pct * unassigned_pct


@dataclass(frozen=True)
class Concentration:
    """How concentrated the Government Cloud's production systems were at one date."""

    as_of: dt.date
    systems_total: int
    systems_aws: int
    other_providers_in_use: tuple[str, ...]  # the providers the rest are spread over, split unknown
    domestic_systems: int
    source_id: str

    @property
    def systems_other(self) -> int:
        return self.systems_total - self.systems_aws

    @property
    def aws_share_pct(self) -> float:
        return share_pct(self.systems_aws, self.systems_total)

    @property
    def domestic_share_pct(self) -> float:
        return share_pct(self.domestic_systems, self.systems_total)

    @property
    def hhi_bounds(self) -> tuple[float, float]:
        other_pct = share_pct(self.systems_other, self.systems_total)
        known = [self.aws_share_pct] + ([self.domestic_share_pct] if self.domestic_systems else [])
        return hhi_bounds(known, other_pct, len(self.other_providers_in_use))


def concentration() -> Concentration:
    """The latest count of production systems, with the providers in use at that date.

    Domestic systems are zero because the only domestic provider's service was
    not yet in use at that date (gov_cloud_status.csv); if it were in use, its
    systems would be among the unsplit rest and this function refuses.
    """
    systems = data.load_table("gov_cloud_systems").sort_values("as_of").iloc[-1]
    as_of = systems["as_of"].date()
    status = data.load_table("gov_cloud_status")
    providers = data.load_table("gov_cloud_providers").set_index("provider_id")
    at_date = status[status["as_of"].dt.date == as_of]
    if at_date.empty or at_date["is_in_use"].isna().any():
        raise data.DataError(f"gov_cloud_status.csv does not say which providers were in use on {as_of}")
    in_use = at_date[at_date["is_in_use"].astype(bool)]["provider_id"].tolist()
    if any(providers.at[p, "is_domestic"] for p in in_use):
        raise data.DataError(f"a domestic provider was in use on {as_of}: its systems are not counted separately")
    others = tuple(p for p in in_use if p != "aws")
    return Concentration(as_of, int(systems["production_systems_total"]), int(systems["production_systems_aws"]),
                         others, 0, systems["source_id"])


def concentration_band(hhi_value: float, guideline: str = "us_hmg_2010") -> str:
    """The band of the guidelines an HHI value falls in, with each band's ends as the guidelines word them."""
    bands = data.load_table("concentration_bands")
    for band in bands[bands["guideline"] == guideline].itertuples():
        above_low = pd.isna(band.hhi_from) or (hhi_value >= band.hhi_from if band.from_inclusive
                                               else hhi_value > band.hhi_from)
        below_high = pd.isna(band.hhi_to) or (hhi_value <= band.hhi_to if band.to_inclusive
                                              else hhi_value < band.hhi_to)
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
    aws = share_pct(base.systems_aws - moved, base.systems_total)
    domestic = share_pct(base.domestic_systems + moved, base.systems_total)
    other = share_pct(base.systems_other, base.systems_total)
    low, high = hhi_bounds([aws, domestic], other, len(base.other_providers_in_use))
    return Scenario(fraction, moved, aws, domestic, low, high)


# ---- Metrics file --------------------------------------------------------------

METRICS_COLUMNS = ["metric", "value", "unit", "as_of", "note"]


def metrics_table(as_of, fractions) -> pd.DataFrame:
    """The key numbers of one analysis run, for cloud_dependence_metrics.csv.

    Percentages and HHI values are rounded to one decimal, counts are whole.
    """
    as_of = _date(as_of)
    roster = roster_as_of(as_of)
    base = concentration()
    low, high = base.hhi_bounds
    when = base.as_of.isoformat()
    others = ", ".join(base.other_providers_in_use)
    beyond = (f"no source reports the roster after {last_status_date()}; later selections, if any, are not known"
              if as_of > last_status_date() else "")
    rows = [
        ("providers_selected", len(roster), "providers", as_of.isoformat(), beyond or "selected on or before as_of"),
        ("providers_domestic", int(roster["is_domestic"].sum()), "providers", as_of.isoformat(), "Japanese companies"),
        ("providers_conditional", int((roster["status"] == "conditional").sum()), "providers", as_of.isoformat(),
         "selected on a condition not yet due"),
        ("providers_status_unknown", int((roster["status"] == "unknown").sum()), "providers", as_of.isoformat(),
         "condition's deadline passed; no source says whether it was met"),
        ("production_systems_total", base.systems_total, "systems", when, f"source {base.source_id}"),
        ("production_systems_aws", base.systems_aws, "systems", when, f"source {base.source_id}"),
        ("production_systems_other", base.systems_other, "systems", when,
         f"on {others}; no source splits them by provider"),
        ("aws_share", round(base.aws_share_pct, 1), "percent", when, "computed: AWS systems / all systems"),
        ("domestic_share", round(base.domestic_share_pct, 1), "percent", when,
         "computed: the domestic provider's service was not yet in use"),
        ("hhi_lower", round(low, 1), "index points", when, f"the other systems spread evenly over {others}"),
        ("hhi_upper", round(high, 1), "index points", when, f"the other systems all on one of {others}"),
        ("hhi_band", concentration_band(low), "band", when, "US Horizontal Merger Guidelines (2010); source C-02"),
    ]
    for fraction in fractions:
        s = shift_to_domestic(base, fraction)
        key = f"scenario_shift_{fraction:g}"
        note = f"what-if: {fraction:g} of the AWS systems ({s.systems_moved:g}) moved to the domestic provider"
        rows += [
            (f"{key}_domestic_share", round(s.domestic_share_pct, 1), "percent", when, note),
            (f"{key}_aws_share", round(s.aws_share_pct, 1), "percent", when, note),
            (f"{key}_hhi_lower", round(s.hhi_low, 1), "index points", when, note),
            (f"{key}_hhi_upper", round(s.hhi_high, 1), "index points", when, note),
        ]
    return pd.DataFrame(rows, columns=METRICS_COLUMNS)


def write_metrics(metrics: pd.DataFrame, output_dir, name: str):
    """Write the metrics table as <name>_metrics.csv in output_dir; return its path."""
    from pathlib import Path

    from sovereign_ai import reads

    reads.record_modules()
    path = Path(output_dir) / f"{name}_metrics.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    metrics.to_csv(path, index=False, lineterminator="\n")
    return path
