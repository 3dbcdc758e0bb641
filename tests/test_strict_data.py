"""A catalogue of bad tables: each is refused by the loader, before any kernel, with file, row,
column, the value and what was expected; what Table Schema forbids, frictionless refuses too.

Beyond Table Schema, the loader is stricter on its own (documented in data/README.md):
numbers refuse NaN, infinities, spaces and `1_497` (frictionless reads them as Python does),
and the rules in each resource's `x-sovereign-ai` (minimum rows, checks across columns and
tables) are the project's own."""

import os

import pytest

from sovereign_ai import data

from conftest import call_cli, edit_csv_row, run_cli

# (table, data row, column, value written, what the message must say, frictionless refuses it too)
CATALOGUE = [
    ("cloud_market_shares", 1, "share_high_pct", "nan", "is not of type number", False),
    ("cloud_market_shares", 1, "share_high_pct", "inf", "is not of type number", False),
    ("cloud_market_shares", 1, "share_high_pct", " 50", "is not of type number", False),
    ("gov_cloud_systems", 1, "systems_total", "1_497", "is not of type integer", False),
    ("gov_cloud_systems", 1, "systems_total", " 1497", "is not of type integer", False),
    ("gov_cloud_systems", 1, "as_of", "20241031", "is not of type date", True),
    ("gov_cloud_systems", 1, "as_of", "2024-W44-4", "is not of type date", True),
    ("gov_cloud_systems", 1, "systems_total", "-1", "is below the minimum 0", True),
    ("gov_cloud_systems", 1, "definition", "systems", "is not allowed; expected one of", True),
    ("cloud_market_shares", 1, "share_low_pct", "55", "is greater than share_high_pct (50.0)", False),
    ("gov_cloud_systems_by_provider", 1, "systems", "1498", "more than the 1497 of gov_cloud_systems.csv", False),
    # the group as the table writes it, not as Python does (datetime.date(2024, 10, 31))
    ("gov_cloud_systems_by_provider", 1, "systems", "1498", "the sum for as_of 2024-10-31, definition", False),
    # a key with a space: every table citing 'aws' was blamed, and this row never named
    ("gov_cloud_providers", 1, "provider_id", "aws ", "'aws ' has a space at its start or end; expected", False),
    ("gov_cloud_providers", 1, "provider_id", "aws\u200b", "holds the invisible character U+200B; expected", False),
    ("local_gov_delay_surveys", 2, "bodies_count", "1789", "is greater than bodies_total", False),
    ("concentration_bands", 2, "hhi_from", "3000", "is greater than hhi_to (2500", False),
    ("gov_cloud_systems", 1, "systems_total", "１４９７", "is not of type integer", False),
    ("policy_events", 1, "date", "２０２５-０２-２８", "does not match the pattern", False),
    ("policy_events", 1, "date", "2025-02-30", "is not a date in the calendar", False),
    ("sovereign_models", 1, "first_release", "2024-13", "is not a date in the calendar", False),
    ("four_reasons_panels", 1, "title_en", "   ", "holds only spaces; expected text (the column is required)", False),
    ("policy_events", 1, "date", "2025-02", "is not written to the day that date_precision states; expected", False),
    ("sovereign_models", 1, "first_release", "2023", "is not written to the day that release_precision", False),
    ("market_subjects", 1, "is_domestic", "tRuE", "is not of type boolean; expected true or false", True),
    ("digital_deficit", 1, "value_trillion_jpy", "1e309", "is not of type number", False),  # infinity
    ("gov_cloud_systems", 1, "systems_total", "1" + "0" * 25, "is not of type integer", False),  # beyond 64 bits
    ("four_reasons_panels", 1, "title_en", "Sovereign\uffffAI", "holds the control character U+FFFF", False),
    ("four_reasons_panels", 1, "title_en", "Sovereign\u0085AI", "holds the control character U+0085", False),
    ("market_subjects", 1, "is_domestic", "1", "is not of type boolean; expected true or false", False),
    ("four_reasons_panels", 1, "title_en", "Sovereign\x00AI", "holds the control character U+0000", False),
    ("sources", 1, "title", "A title\x1b[31m", "holds the control character U+001B", False),
    # a mistyped year: outside data.YEARS, in a date column, as text to the day or fiscal year, as a number
    ("gov_cloud_systems", 1, "as_of", "0999-10-31", "'0999-10-31' is outside 1990-2060, the years the", False),
    ("policy_events", 1, "date", "2205-02-28", "'2205-02-28' is outside 1990-2060", False),
    ("local_gov_deadlines", 1, "fiscal_year_end", "FY2205", "'FY2205' is outside 1990-2060", False),
    ("digital_deficit", 1, "year", "2205", "2205 is above the maximum 2060", True),
    ("cloud_market_shares", 1, "fiscal_year", "225", "225 is below the minimum 1990", True),
]


def test_every_year_column_declares_the_years_the_data_covers():
    years = [
        (table["name"], field["name"], field.get("constraints", {}))
        for table in data.descriptor()["resources"]
        for field in table["schema"]["fields"]
        if field["type"] == "integer" and (field["name"] == "year" or field["name"].endswith("_year"))
    ]
    assert len(years) == 6
    for table, field, constraints in years:
        assert (constraints.get("minimum"), constraints.get("maximum")) == data.YEARS, f"{table}.{field}"


def _frictionless_refuses(root, table: str) -> bool:
    """Whether frictionless finds the table of the data package at root invalid."""
    from frictionless import Package

    return not Package(str(root / "data" / "datapackage.json")).get_resource(table).validate().valid


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "said", "schema"), CATALOGUE, ids=[f"{c[0]}.{c[2]}={c[3]!r}" for c in CATALOGUE]
)
def test_a_bad_cell_is_refused_by_name(data_copy, table, row, column, value, said, schema):
    edit_csv_row(data_copy, table, row, column, value)
    with pytest.raises(data.DataError) as refused:
        data.validate_all()
    message = str(refused.value)
    assert f"data/{table}.csv, row {row} (line {row + 1}), column {column!r}" in message, message
    assert said in message, message
    if schema:
        assert _frictionless_refuses(data_copy, table), "frictionless accepts what the schema forbids"


def test_a_key_cell_of_the_wrong_type_is_named_once(data_copy):
    """2024/10/31 in a key column was refused, then also said to be empty."""
    edit_csv_row(data_copy, "gov_cloud_systems", 1, "as_of", "2024/10/31")
    with pytest.raises(data.DataError) as refused:
        data.validate_all()
    message = str(refused.value)
    assert "row 1 (line 2), column 'as_of': '2024/10/31' is not of type date" in message, message
    assert "is empty; expected a value (it is part of the key)" not in message, message


def test_rows_of_empty_cells_below_a_table_are_blank_lines(data_copy):
    """A spreadsheet saves the rows below a table as ',,,': each got one 'is empty' per column."""
    path = data_copy / "data" / "gov_cloud_systems.csv"
    text = path.read_text(encoding="utf-8")
    commas = "," * (text.splitlines()[0].count(","))
    path.write_text(text + f"{commas}\n{commas}\n", encoding="utf-8")
    rows = len(text.splitlines()) - 1
    with pytest.raises(data.DataError) as refused:
        data.validate_all()
    message = str(refused.value)
    for row in (rows + 1, rows + 2):
        assert f"data/gov_cloud_systems.csv, row {row} (line {row + 1}): is a blank line; remove it" in message
    assert "is empty" not in message, message


def test_booleans_as_excel_writes_them_are_read(data_copy):
    edit_csv_row(data_copy, "market_subjects", 1, "is_domestic", "FALSE")
    edit_csv_row(data_copy, "market_subjects", 3, "is_domestic", "True")
    domestic = data.validate_table("market_subjects")
    assert [row["is_domestic"] for row in domestic[:3]] == [False, False, True]


def test_a_quote_never_closed_at_the_end_of_a_row_is_suggested_where_it_starts(data_copy):
    path = data_copy / "data" / "gov_cloud_systems.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cells = lines[1].split(",")
    lines[1] = ",".join([*cells[:-1], '"' + cells[-1]])  # a quote opened in row 1's last cell swallows the rest
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(data.DataError) as refused:
        data.validate_all()
    message = str(refused.value)
    assert "data/gov_cloud_systems.csv, row 1 (line 2), column 'source_id'" in message, message
    assert 'the cell runs over a line break: is a quote (") opened and never closed?' in message


def _refused_once_appended(root, table: str, lines: str, said: str) -> None:
    """Append lines to data/<table>.csv in the copy at root: validation refuses it, saying `said` (a regex)."""
    path = root / "data" / f"{table}.csv"
    path.write_text(path.read_text(encoding="utf-8") + lines, encoding="utf-8")
    with pytest.raises(data.DataError, match=said):
        data.validate_all()


def test_a_provider_in_use_hosts_a_system_where_the_split_is_complete(data_copy):
    row = "2025-03-31,sakura,conditional,true,T1-11\n"
    said = r"sakura is in use on 2025-03-31 .* hosts no system of the full split"
    _refused_once_appended(data_copy, "gov_cloud_status", row, said)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize(
    ("file", "said"),
    [
        ("data/gov_cloud_systems.csv", "expected the table 'gov_cloud_systems'"),
        ("data/datapackage.json", "expected the description of every table"),
        ("figures.yaml", "expected a YAML file"),
    ],
)
def test_a_pipe_in_place_of_a_file_is_named_not_waited_on(repo_copy, file, said):
    (repo_copy / file).unlink()
    os.mkfifo(repo_copy / file)  # reading it would wait for a writer that never comes
    result = run_cli("build", "--dry-run", root=repo_copy, timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"{file}: not a regular file (a pipe, socket or device); {said}" in result.stderr


def test_check_refuses_bad_data_naming_figures_not_its_temporary_folder(repo_copy):
    edit_csv_row(repo_copy, "gov_cloud_systems", 1, "systems_total", "-1")
    result = call_cli("check", root=repo_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "gov_cloud_systems.csv, row 1 (line 2), column 'systems_total'" in result.stderr
    assert "No notebook was run and nothing was compared; figures/ is unchanged." in result.stderr
    assert "check-" not in result.stderr, "the temporary folder, removed by now, is not named"


def test_a_table_replaced_by_a_folder_or_a_missing_descriptor_is_named(data_copy):
    table = data_copy / "data" / "four_reasons_panels.csv"
    table.unlink()
    table.mkdir()
    result = call_cli("validate", root=data_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "data/four_reasons_panels.csv: cannot be read (Is a directory)" in result.stderr
    (data_copy / "data" / "datapackage.json").unlink()
    result = call_cli("validate", root=data_copy)
    assert result.returncode == 2
    assert "error: data/datapackage.json: file not found; it describes every table" in result.stderr


def test_a_repeat_that_cannot_backtrack_is_accepted_and_matched(data_copy):
    import json

    path = data_copy / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    described = next(f for f in _schema_of(package, "gov_cloud_systems")["fields"] if f["name"] == "definition")
    for pattern in ("(?>[a-z]+_?)+", "([a-z]++_?)+"):  # atomic, possessive: what the refusal suggests
        described["constraints"] = {"pattern": pattern}
        path.write_text(json.dumps(package), encoding="utf-8")
        data.validate_all()
        edit_csv_row(data_copy, "gov_cloud_systems", 1, "definition", "Production")
        with pytest.raises(data.DataError, match="does not match the pattern"):
            data.validate_all()
        edit_csv_row(data_copy, "gov_cloud_systems", 1, "definition", "production")


def test_a_blank_line_is_named_as_one(data_copy):
    said = r"four_reasons_panels.csv, row 5 \(line 6\): is a blank line; remove it"
    _refused_once_appended(data_copy, "four_reasons_panels", "\n", said)


def test_a_quote_never_closed_in_a_long_file_is_named_by_its_line(repo_copy):
    path = repo_copy / "data" / "sources.csv"
    # The csv module stops at a cell above 131,072 characters: here the rest of the file after the quote.
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'x,"an unclosed note' + "\n" * 2 + "y" * 140_000 + "\n", encoding="utf-8")
    result = run_cli("validate", root=repo_copy)  # a process of its own: frictionless lifts the limit in this one
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    # named by the line the unclosed quote is on, where the row starts, not where reading gave up
    assert f"data/sources.csv, line {text.count(chr(10)) + 1}: cannot be read as CSV" in result.stderr
    assert "a quote" in result.stderr


@pytest.mark.parametrize(
    ("field", "edit", "said"),
    [
        ("as_of", {"type": "year"}, "type 'year' is not one the loader reads; expected one of integer, number"),
        ("as_of", {"type": None}, "type None is not one the loader reads"),
        ("as_of", {"constraints": {"minimum": "2020-01-01"}}, "minimum is not supported for type 'date'"),
        ("definition", {"constraints": {"pattern": "(unclosed"}}, "pattern '(unclosed' is not a regular expression"),
        ("definition", {"constraints": {"pattern": "(a+)+$"}}, "pattern '(a+)+$' repeats a repeat of varying length"),
        ("definition", {"constraints": {"pattern": "(?:_|[a-z]+)*"}}, "pattern '(?:_|[a-z]+)*' repeats a repeat"),
        ("definition", {"constraints": {"enum": 5}}, "enum 5 is not a list"),
        ("definition", {"constraints": {"enum": "production all_systems"}}, "enum 'production all_systems' is not"),
        ("definition", {"constraints": {"maxLength": 3}}, "constraint 'maxLength' is not one the loader checks"),
        ("definition", {"constraints": {"required": "false"}}, "required 'false' is not true or false"),
        ("systems_total", {"constraints": {"minimum": 10, "maximum": 1}}, "minimum 10 is above maximum 1"),
        ("systems_total", {"constraint": {"minimum": 0}}, "'constraint' is not a key the loader reads"),
    ],
)
def test_a_descriptor_the_loader_cannot_read_is_refused_by_table_and_field(data_copy, field, edit, said):
    import json

    path = data_copy / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    described = next(f for f in _schema_of(package, "gov_cloud_systems")["fields"] if f["name"] == field)
    described.update(edit)
    path.write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(data.DataError) as refused:
        data.validate_all()
    assert f"data/datapackage.json, table 'gov_cloud_systems', field '{field}': " + said in str(refused.value)


def test_a_header_only_table_is_refused(data_copy):
    path = data_copy / "data" / "gov_cloud_systems.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(data.DataError, match=r"data/gov_cloud_systems\.csv: has 0 rows; expected at least 1"):
        data.validate_all()


def test_a_csv_that_excel_saved_with_a_byte_order_mark_is_read_as_excel_wrote_it(data_copy):
    path = data_copy / "data" / "jurisdictions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    data.validate_all()
    assert data.load_table("jurisdictions")["jurisdiction_id"].iloc[0] == "JP"


def test_a_csv_that_is_not_utf8_says_how_to_save_it(data_copy):
    path = data_copy / "data" / "jurisdictions.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("shift_jis"))
    with pytest.raises(data.DataError) as refused:
        data.validate_all()
    assert "data/jurisdictions.csv, line 2: not UTF-8 text" in str(refused.value)  # 日本 is on line 2
    assert "CSV UTF-8 (comma delimited)" in str(refused.value)


def test_an_empty_csv_is_named(data_copy):
    (data_copy / "data" / "jurisdictions.csv").write_bytes(b"")
    with pytest.raises(data.DataError, match=r"data/jurisdictions\.csv: the file is empty; expected the header"):
        data.validate_all()


def test_drawing_without_the_japanese_font_stops_with_a_message_naming_it(monkeypatch):
    from matplotlib import font_manager

    from sovereign_ai.charts import style

    def no_such_font(prop, *args, fallback_to_default=True, **kwargs):
        raise ValueError(f"Failed to find font {prop}")

    monkeypatch.setattr(font_manager, "findfont", no_such_font)
    with pytest.raises(style.FontMissingError, match=r"Japanese font IPAexGothic is not installed .*make setup"):
        style.use_house_style()


@pytest.mark.parametrize(("table", "row", "column", "value"), [c[:4] for c in CATALOGUE[::4]])
def test_the_build_refuses_before_any_kernel_and_changes_nothing(repo_copy, table, row, column, value):
    from conftest import call_cli, snapshot

    edit_csv_row(repo_copy, table, row, column, value)
    before = snapshot(repo_copy / "figures")
    result = call_cli("build", "--force", root=repo_copy)
    assert result.returncode == 2, result.stderr
    assert f"data/{table}.csv, row {row} (line {row + 1}), column {column!r}" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo_copy / "figures") == before
    assert not (repo_copy / "build" / "executed").exists(), "no kernel started"


def _rules_of(package: dict, table: str) -> list:
    return next(r for r in package["resources"] if r["name"] == table)["x-sovereign-ai"]["rules"]


def _resource_of(package: dict, table: str) -> dict:
    return next(r for r in package["resources"] if r["name"] == table)


def _schema_of(package: dict, table: str) -> dict:
    return _resource_of(package, table)["schema"]


# A rule, key or foreign key naming nothing would check nothing (or stop with a traceback).
@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            lambda p: _rules_of(p, "concentration_bands")[0].update(column="hhi_frm"),
            "table 'concentration_bands', rule 1 (not_greater), 'column': 'hhi_frm' is not a field of the table",
        ),
        (
            lambda p: _rules_of(p, "concentration_bands")[0].pop("than"),
            "table 'concentration_bands', rule 1 (not_greater), 'than': expected 'than', which names a field",
        ),
        (
            lambda p: _rules_of(p, "concentration_bands")[0].pop("check"),
            "table 'concentration_bands', rule 1: unknown check None; the checks are: not_greater,",
        ),
        (
            lambda p: _rules_of(p, "concentration_bands")[0].update(check=["not_greater"]),
            "table 'concentration_bands', rule 1: unknown check ['not_greater']",
        ),
        (
            lambda p: _rules_of(p, "gov_cloud_systems_by_provider")[0].update(by="as_of"),
            "rule 1 (sum_not_greater), 'by': 'as_of' is not a non-empty list of field names",
        ),
        (
            lambda p: _rules_of(p, "gov_cloud_systems_by_provider")[0].update(by=["as_of", "provider_id"]),
            "rule 1 (sum_not_greater), 'by': 'provider_id' is not a string field of gov_cloud_systems too",
        ),
        (
            lambda p: _rules_of(p, "gov_cloud_systems_by_provider")[0]["than"].update(table="gov_cloud_system"),
            "rule 1 (sum_not_greater), 'than': 'gov_cloud_system' is not a table; expected one of sources,",
        ),
        (
            lambda p: _rules_of(p, "gov_cloud_systems_by_provider")[1].update(status_table=["gov_cloud_status"]),
            "rule 2 (in_use_hosts_systems), 'status_table': ['gov_cloud_status'] is not a table",
        ),
        (
            lambda p: _schema_of(p, "report_figures")["foreignKeys"][0].update(fields=["source_id"]),
            "table 'report_figures', foreign key 1: ['source_id'] is not a field of the table",
        ),
        (
            lambda p: _schema_of(p, "report_figures")["foreignKeys"][0]["reference"].update(fields="id"),
            "table 'report_figures', foreign key 1: 'id' is not a field of sources; expected one of source_id,",
        ),
        (
            lambda p: _schema_of(p, "report_figures").update(primaryKey=["figure_id", "figure"]),
            "table 'report_figures', primaryKey: 'figure' is not a field of the table",
        ),
        (
            lambda p: _schema_of(p, "report_figures")["fields"].append(
                dict(_schema_of(p, "report_figures")["fields"][0])
            ),
            "table 'report_figures': the field 'figure_id' is described twice; expected once",
        ),
        (
            lambda p: p["resources"].append(dict(p["resources"][0])),
            "data/datapackage.json: the table 'sources' is described twice; expected once",
        ),
        (
            lambda p: next(r for r in p["resources"] if r["name"] == "sources")["x-sovereign-ai"].update(minRows="1"),
            "table 'sources', x-sovereign-ai: minRows '1' is not a whole number of rows",
        ),
        # Found by a red-team pass: each gave a traceback, or let its checks vanish without a word.
        (
            lambda p: _schema_of(p, "report_figures").update(foreignKeys=None),
            "table 'report_figures', foreignKeys: None is not a list",
        ),
        (
            lambda p: _rules_of(p, "cloud_market_shares")[0].update(column="source_id"),
            "rule 1 (not_greater): compares string 'source_id' with number 'share_high_pct'; expected two numbers",
        ),
        (
            lambda p: _rules_of(p, "concentration_bands")[0].update(than="hhi_from"),
            "rule 1 (not_greater): compares 'hhi_from' with itself; expected two fields",
        ),
        (
            lambda p: _rules_of(p, "gov_cloud_systems_by_provider")[0]["than"].update(column="source_id"),
            "rule 1 (sum_not_greater), 'than': 'source_id' holds string values; expected numbers",
        ),
        (
            lambda p: _rules_of(p, "gov_cloud_systems_by_provider")[1].update(status_table="sources"),
            "rule 2 (in_use_hosts_systems), 'status_table': sources lacks as_of, provider_id, is_in_use as the check",
        ),
        (
            lambda p: _rules_of(p, "policy_events")[0].update(precision="event_en"),
            "rule 1 (date_precision), 'precision': 'event_en' is not a field of precisions",
        ),
        (
            lambda p: _rules_of(p, "concentration_bands")[0].update(strict=True),
            "rule 1 (not_greater), 'strict': is not a key of this rule; expected column, than",
        ),
        (
            lambda p: _resource_of(p, "concentration_bands").update({"x-sovereign_ai": {"minRows": 1}}),
            "table 'concentration_bands': 'x-sovereign_ai' is not a key the loader reads",
        ),
        (
            lambda p: _resource_of(p, "concentration_bands")["x-sovereign-ai"].update(rule=[]),
            "table 'concentration_bands', x-sovereign-ai: 'rule' is not a key the loader reads",
        ),
        (
            lambda p: _resource_of(p, "sources").update(path="../README.md"),
            "table 'sources': path '../README.md' is not a CSV file in data/; expected a name such as sources.csv",
        ),
        (lambda p: _resource_of(p, "sources").update(path=None), "table 'sources': path None is not a CSV file"),
        (lambda p: _resource_of(p, "sources").update(path="/dev/zero"), "path '/dev/zero' is not a CSV file"),
        (lambda p: _resource_of(p, "jurisdictions").update(name=7), "resource 2: name 7 is not a table name"),
        (lambda p: _schema_of(p, "jurisdictions").update(primaryKey=[]), "[] is not a non-empty list of field names"),
        (lambda p: p.update(resources=[]), "data/datapackage.json: expected a data package: an object whose"),
        # and, from a second pass, checks that would fail or check nothing
        (
            lambda p: _schema_of(p, "jurisdictions")["fields"][0].update(constraints={"pattern": "(?u)^[A-Z]{2}$"}),
            "pattern '(?u)^[A-Z]{2}$' is not a regular expression",
        ),
        (
            lambda p: _rules_of(p, "gov_cloud_systems_by_provider")[0].update(by=["as_of", "as_of"]),
            "rule 1 (sum_not_greater), 'by': 'as_of' is listed twice",
        ),
        (
            lambda p: next(f for f in _schema_of(p, "gov_cloud_status")["fields"] if f["name"] == "as_of").update(
                type="string"
            ),
            "'status_table': gov_cloud_status lacks as_of as the check reads",
        ),
    ],
)
def test_a_rule_or_key_naming_nothing_is_refused_where_it_is_declared(data_copy, edit, said):
    import json

    path = data_copy / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    edit(package)
    path.write_text(json.dumps(package), encoding="utf-8")
    result = call_cli("validate", root=data_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert said in result.stderr


# Found by a second red-team pass: each gave a traceback, or was read silently with a check lost.
@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda t: t.replace('"minRows": 1', '"minRows": 1, "minRows": 1', 1), "the key 'minRows' is given twice"),
        (lambda t: t.replace('"minimum": 0', '"minimum": NaN', 1), "NaN is not a number JSON allows"),
        (lambda t: t.replace('"minRows": 1', '"minRows": 1' + "0" * 5000, 1), "not a data package the loader can read"),
        (lambda t: t.replace('"title"', '"title": ' + "[" * 100000 + "]" * 100000 + ', "x"', 1), "RecursionError"),
        (lambda t: t.replace('"path": "jurisdictions.csv"', '"path": "juris\\u0000dictions.csv"'), "is not a CSV file"),
        (lambda t: t.replace('"path": "jurisdictions.csv"', '"path": "sources.csv"'), "two tables have the path"),
        (lambda t: t.replace('"encoding": "utf-8"', '"encoding": 5', 1), "encoding 5: the loader reads UTF-8"),
    ],
)
def test_a_descriptor_json_the_loader_would_misread_is_refused(data_copy, edit, said):
    path = data_copy / "data" / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    edited = edit(text)
    assert edited != text, "the edit applies to the shipped descriptor"
    path.write_text(edited, encoding="utf-8")
    result = call_cli("validate", root=data_copy)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert said in result.stderr


def test_a_descriptor_saved_with_a_byte_order_mark_is_read(data_copy):
    path = data_copy / "data" / "datapackage.json"
    path.write_text("\ufeff" + path.read_text(encoding="utf-8"), encoding="utf-8")
    data.validate_all()


def test_an_empty_cell_of_a_key_is_refused(data_copy):
    import json

    path = data_copy / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    band = next(f for f in _schema_of(package, "concentration_bands")["fields"] if f["name"] == "band")
    band["constraints"].pop("required", None)  # the key says it is required, whatever the field says
    path.write_text(json.dumps(package), encoding="utf-8")
    edit_csv_row(data_copy, "concentration_bands", 1, "band", "")
    with pytest.raises(data.DataError, match=r"row 1 \(line 2\), column 'band': is empty; expected a value \(it is"):
        data.validate_all()


def test_a_table_linked_from_outside_data_is_refused(data_copy, tmp_path):
    outside = tmp_path / "jurisdictions.csv"
    table = data_copy / "data" / "jurisdictions.csv"
    outside.write_bytes(table.read_bytes())
    table.unlink()
    table.symlink_to(outside)
    with pytest.raises(data.DataError, match=r"data/jurisdictions.csv: a link to .*, outside data/"):
        data.validate_all()
