"""The wider sovereign-AI landscape: policy events by jurisdiction, and national models.

Dates are kept as precise as the sources give them: a month-only date is
drawn at mid-month (the notebooks draw it with an open marker), and a model
with no known release date is kept as unknown, never dropped or given a
made-up date. The charts are drawn in notebooks/policy_timeline.ipynb and
notebooks/sovereign_models.ipynb.
"""

import datetime as dt

from sovereign_ai import data

JURISDICTIONS = ("JP", "EU", "KR", "FR", "UK", "IN", "CA", "SG")


def plotted_date(value: str) -> dt.date:
    """Where a date is drawn: the day itself, or the 15th for a month-only date."""
    parts = [int(p) for p in value.split("-")]
    return dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 15)


def events(jurisdictions=JURISDICTIONS, start: str = "2018-01-01", end: str = "2026-12-31") -> list[dict]:
    """Policy events in the jurisdictions and date range, grouped by jurisdiction (in the order
    given), then by date, each with its number in that order."""
    start_day, end_day = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    theirs = [r for r in data.validate_table("policy_events") if r["jurisdiction"] in jurisdictions]
    rows = [r for r in theirs if start_day <= plotted_date(r["date"]) <= end_day]
    if not rows:  # an empty chart with an empty source line would say nothing
        dates = sorted(plotted_date(r["date"]) for r in theirs)
        known = f"their events run from {dates[0]} to {dates[-1]}" if dates else "they have no events"
        raise ValueError(
            f"parameters 'jurisdictions', 'start', 'end': no policy event of {', '.join(jurisdictions)} "
            f"from {start} to {end} ({known}); widen the dates or add jurisdictions"
        )
    rows.sort(key=lambda r: (list(jurisdictions).index(r["jurisdiction"]), plotted_date(r["date"]), r["event_id"]))
    for number, row in enumerate(rows, start=1):
        row["number"] = number
    return rows


def models(open_only: bool = False) -> list[dict]:
    """National models, by country (Japan first) and release; with open_only, those with open weights."""
    rows = [r for r in data.validate_table("sovereign_models") if not open_only or r["weights"] != "closed"]
    order = ["JP", "KR", "FR", "SG", "AE", "EU", "UK", "IN", "CA"]
    rows.sort(
        key=lambda r: (
            order.index(r["country"]),
            r["first_release"] is None,
            plotted_date(r["first_release"]) if r["first_release"] else dt.date.max,
            r["model"],
        )
    )
    return rows
