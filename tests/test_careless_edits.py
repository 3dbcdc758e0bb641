"""Careless edits a user can make in a spreadsheet, each refused by `validate` with the file, the
row and the column, and no traceback: a row copied under a key written in another width or case,
a second row for the same count, an amount no chart can draw, dates out of order within a row,
and an observed value dated after its source was published."""

import csv

import pytest

from sovereign_ai import data

from conftest import edit_csv_row, run_cli


def _rows(root, table: str) -> list[list[str]]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write(root, table: str, rows: list[list[str]]) -> None:
    with open(root / "data" / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def _copy_row(root, table: str, key: str, new_key: str, **changes: str) -> int:
    """Append a copy of the row whose first cell is key, under new_key; its data row number."""
    rows = _rows(root, table)
    copy = list(next(r for r in rows[1:] if r[0] == key))
    copy[0] = new_key
    for column, value in changes.items():
        copy[rows[0].index(column)] = value
    _write(root, table, [*rows, copy])
    return len(rows)  # the header is not a row


def _refusal(root) -> str:
    """What `validate` says, checked to be a refusal (exit 2) without a traceback."""
    result = run_cli("validate", root=root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("table", "key", "copied_as", "said"),
    [
        ("local_gov_delay_surveys", "2025_12", "２０２５_12", "repeats row 4 ('2025_12') in another width"),
        ("compute_support_awards", "sakura_2023_06", "Sakura_2023_06", "repeats row 1 ('sakura_2023_06') in another"),
    ],
)
def test_a_row_copied_under_a_key_in_another_width_or_case_is_refused(data_copy, table, key, copied_as, said):
    row = _copy_row(data_copy, table, key, copied_as)
    message = _refusal(data_copy)
    assert f"data/{table}.csv, row {row} (line {row + 1}), column " in message, message
    assert said in message, message


def test_a_second_row_for_the_same_count_is_refused_whatever_its_id(data_copy):
    row = _copy_row(data_copy, "local_gov_delay_surveys", "2025_12", "2025_12b")
    message = _refusal(data_copy)
    assert (
        f"data/local_gov_delay_surveys.csv, row {row} (line {row + 1}), column 'as_of, definition': "
        "as_of '2025-12-31', definition 'specified_migration_support' repeats row 4; expected one row for each"
    ) in message, message


def test_every_amount_and_count_declares_plausible_bounds():
    """1e308 is a number, and no chart can draw it: every number column has a minimum and a maximum."""
    unbounded = [
        f"{table['name']}.{field['name']}"
        for table in data.descriptor()["resources"]
        for field in table["schema"]["fields"]
        if field["type"] in ("integer", "number") and not {"minimum", "maximum"} <= set(field.get("constraints", {}))
    ]
    assert unbounded == []


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "said"),
    [
        ("compute_support_awards", 1, "amount_billion_jpy", "1e308", "1e+308 is above the maximum 100000"),
        ("digital_deficit", 1, "value_trillion_jpy", "1e308", "1e+308 is above the maximum 100"),
        ("gov_cloud_systems", 1, "systems_total", "9999999", "9999999 is above the maximum 100000"),
        ("local_gov_delay_surveys", 4, "bodies_count", "17880", "17880 is above the maximum 1788"),
        # dates in order within a row
        ("local_gov_delay_surveys", 4, "published_on", "2025-12-30", "'2025-12-30' is before as_of ('2025-12-31')"),
        ("local_gov_delay_surveys", 4, "change_since", "2026-01-31", "'2026-01-31' is not before as_of ('2025-12-31')"),
        # an observed value dated after its source's publication (the window 1990-2060 lets 2059 through)
        ("compute_support_awards", 5, "decided_on", "2059-04-19", "'2059-04-19' is after its source"),
        ("local_gov_delay_surveys", 4, "as_of", "2026-03-31", "'2026-03-31' is after its source T9-07 was published"),
    ],
)
def test_a_careless_value_is_refused_by_file_row_and_column(data_copy, table, row, column, value, said):
    edit_csv_row(data_copy, table, row, column, value)
    message = _refusal(data_copy)
    assert f"data/{table}.csv, row {row} (line {row + 1}), column {column!r}: " in message, message
    assert said in message, message


def test_a_projection_keeps_its_future_date_and_an_observation_may_not(data_copy):
    rows = _rows(data_copy, "digital_deficit")
    header = rows[0]
    future = next(i for i, r in enumerate(rows) if r[header.index("is_projection")] == "true" and r[0] == "2035")
    data.validate_all()  # as shipped: projections dated 2030 and 2035 by sources of 2024 and 2025
    edit_csv_row(data_copy, "digital_deficit", future, "is_projection", "false")
    message = _refusal(data_copy)
    assert f"data/digital_deficit.csv, row {future} (line {future + 1}), column 'year': '2035' is after" in message
    assert "if it is a projection, mark it so in is_projection" in message, message


def test_corrected_survey_values_are_accepted(data_copy):
    """Values as the sources give them: published 2025-12-23, 5,009 systems; 171 of 1,788 bodies."""
    for column, value in {
        "published_on": "2025-12-23",
        "published_on_precision": "day",
        "systems_count": "5009",
        "systems_total": "34592",
    }.items():
        edit_csv_row(data_copy, "local_gov_delay_surveys", 3, column, value)
    edit_csv_row(data_copy, "local_gov_delay_surveys", 1, "bodies_total", "1788")
    data.validate_all()
