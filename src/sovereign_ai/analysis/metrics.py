"""The metrics tables the analysis notebooks write beside their charts: the numbers an
author cites, from the same run as the figures."""

import pandas as pd

COLUMNS = ["metric", "value", "unit", "as_of", "note"]


def write_metrics(metrics: pd.DataFrame, output_dir, name: str):
    """Write the metrics table as <name>_metrics.csv in output_dir (a relative one is below the
    repository root), in full and then renamed into place like the figures; return its path."""
    from sovereign_ai import paths, reads, safe_io

    if list(metrics.columns) != COLUMNS:
        raise ValueError(f"a metrics table has the columns {COLUMNS}, not {list(metrics.columns)}")
    reads.record_modules()
    path = paths.output_folder(output_dir) / f"{name}_metrics.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    return safe_io.write_bytes(path, metrics.to_csv(index=False, lineterminator="\n").encode("utf-8"))


def metric_row(metric: str, value, unit: str, as_of, note: str) -> dict:
    """One row of a metrics table: whole numbers stay whole, dates are written YYYY-MM-DD
    (or as precisely as known, for a value given as text such as "2025")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    as_of = as_of.isoformat()[:10] if hasattr(as_of, "isoformat") else str(as_of)
    return {"metric": metric, "value": value, "unit": unit, "as_of": as_of, "note": note}
