"""The data package: tables load, the descriptor is standard, bad rows are named."""

import json

import pytest

from sovereign_ai import data
from sovereign_ai.data import DataError

from conftest import REPO, edit_csv_row


def test_every_table_loads_and_validates():
    data.validate_all()
    assert set(data.table_names()) >= {
        "sources",
        "report_figures",
        "four_reasons_panels",
        "four_reasons_statements",
        "basic_plan_policies",
        "basic_plan_examples",
    }


def frictionless_validate(folder, table: str | None = None) -> dict:
    """What `frictionless validate --json datapackage.json` reports in folder (of one table of it
    when named), from the function that command calls, in this process: the reference validator's
    import and warm-up are paid once."""
    from frictionless import Package

    package = Package(str(folder / "datapackage.json"))
    return (package.get_resource(table) if table else package).validate().to_dict()


def test_frictionless_accepts_the_descriptor():
    report = frictionless_validate(REPO / "data")
    assert report["valid"], json.dumps(report)[:2000]


def test_panel_titles_are_the_reports_words():
    titles = data.load_table("four_reasons_panels")["title_ja"].tolist()
    assert titles == [
        "データ主権および安全保障の確保",
        "技術的自立性の確保",
        "国内産業の強化",
        "文化・社会的適合性の確保",
    ]


def test_policy_names_are_the_reports_words():
    policies = data.load_table("basic_plan_policies")
    assert policies["name_ja"].tolist() == [
        "AI利活用の加速的推進",
        "AI開発力の戦略的強化",
        "AIガバナンスの主導",
        "AI社会に向けた継続的変革",
    ]
    assert policies["motto_ja"].tolist() == ["AIを使う", "AIを創る", "AIの信頼性を高める", "AIと協働する"]
    examples = data.load_table("basic_plan_examples")
    assert examples.groupby("policy_no").size().tolist() == [4, 4, 2, 4]


def test_no_pdf_extraction_artefacts_in_japanese_text():
    """Stray spaces inside Japanese text and the PDF's 'ー層' for '一層' are not carried over."""
    for name in ("four_reasons_panels", "four_reasons_statements", "basic_plan_policies", "basic_plan_examples"):
        frame = data.load_table(name)
        for column in [c for c in frame.columns if c.endswith("_ja")]:
            for value in frame[column]:
                assert " " not in value and "\u3000" not in value, (name, column, value)
                assert "ー層" not in value, (name, column, value)


def test_the_arrows_are_the_reports_glyphs():
    assert data.load_table("four_reasons_panels")["arrow"].tolist() == ["→", "➡", "⇒", "⇒"]


def test_every_row_points_to_a_recorded_source():
    known = {s["source_id"] for s in data.validate_table("sources")}
    for name in data.table_names():
        frame = data.load_table(name)
        if "source_id" in frame.columns:
            assert set(frame["source_id"]) <= known, name


def test_columns_are_typed_from_the_schema():
    panels = data.load_table("four_reasons_panels")
    assert str(panels["panel_no"].dtype) == "Int64"
    assert panels["panel_no"].tolist() == [1, 2, 3, 4]


def test_a_missing_required_value_names_file_row_and_column(data_copy):
    edit_csv_row(data_copy, "four_reasons_panels", 2, "title_ja", "")
    with pytest.raises(DataError) as error:
        data.load_table("four_reasons_panels")
    assert "data/four_reasons_panels.csv, row 2 (line 3), column 'title_ja': is empty" in str(error.value)


def test_a_short_row_names_file_and_row(data_copy):
    edit_csv_row(data_copy, "basic_plan_examples", 5, None, drop_cells=2)
    with pytest.raises(DataError) as error:
        data.load_table("basic_plan_examples")
    assert "data/basic_plan_examples.csv, row 5 (line 6): has 3 cells; the header has 5" in str(error.value)


def test_a_value_of_the_wrong_type_names_the_value_and_the_type(data_copy):
    edit_csv_row(data_copy, "basic_plan_policies", 3, "policy_no", "three")
    with pytest.raises(DataError) as error:
        data.load_table("basic_plan_policies")
    message = str(error.value)
    assert "data/basic_plan_policies.csv, row 3 (line 4), column 'policy_no'" in message
    assert "'three' is not of type integer; expected a whole number" in message


def test_a_value_outside_its_enum_lists_the_allowed_values(data_copy):
    edit_csv_row(data_copy, "four_reasons_statements", 1, "role", "situaton")
    with pytest.raises(DataError) as error:
        data.load_table("four_reasons_statements")
    assert "column 'role': 'situaton' is not allowed; expected one of 'situation', 'consequence', 'response'" in str(
        error.value
    )


def test_a_dangling_foreign_key_is_named(data_copy):
    edit_csv_row(data_copy, "basic_plan_examples", 1, "source_id", "no_such_source")
    with pytest.raises(DataError) as error:
        data.validate_all()
    assert "column 'source_id': 'no_such_source' is not a source_id in sources.csv" in str(error.value)


def test_a_repeated_key_is_named(data_copy):
    edit_csv_row(data_copy, "four_reasons_panels", 2, "panel_no", "1")
    with pytest.raises(DataError) as error:
        data.load_table("four_reasons_panels")
    assert "row 2 (line 3), column 'panel_no': 1 repeats row 1" in str(error.value)


def test_frictionless_rejects_what_the_loader_rejects(data_copy):
    """The loader and the reference validator agree on a broken table."""
    edit_csv_row(data_copy, "basic_plan_policies", 3, "policy_no", "three")
    report = frictionless_validate(data_copy / "data", "basic_plan_policies")  # the whole package: the test above
    assert not report["valid"]
    errors = [e for task in report["tasks"] for e in task["errors"]]
    assert any(e["type"] == "type-error" and e["fieldName"] == "policy_no" and e["rowNumber"] == 4 for e in errors)


def test_a_wrong_header_is_named(data_copy):
    path = data_copy / "data" / "sources.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("source_id,", "source,", 1), encoding="utf-8")
    with pytest.raises(DataError, match=r"data/sources.csv, header: the columns are"):
        data.load_table("sources")


def test_a_table_read_again_is_read_as_it_is_now_and_callers_get_their_own_rows(data_copy):
    """Parsing is done once per content of a file: an edit of the same size, at once, is still seen."""
    first = data.validate_table("gov_cloud_systems")
    first[0]["systems_total"] = -5  # a caller's change stays the caller's
    assert data.validate_table("gov_cloud_systems")[0]["systems_total"] == 1497
    edit_csv_row(data_copy, "gov_cloud_systems", 1, "systems_total", "1496")  # same size, same second
    assert data.validate_table("gov_cloud_systems")[0]["systems_total"] == 1496
