"""A share stated beside the counts it comes from must agree with them, within the rounding it is written to."""

import pytest

from sovereign_ai import data

from conftest import run_cli

NEXT_COUNT = (
    "2026_06,2026-06-30,day,2026-07-31,day,specified_migration_support,1010,1788,T9-01,{share},,,,,,,,X-2026-06\n"
)
ITS_SOURCE = "X-2026-06,,,デジタル庁,Digital Agency,,,https://www.digital.go.jp/,2026-07-31,day,,,verbatim,,,,\n"


def add_the_count(root, share: str) -> None:
    """The survey of 30 June 2026 that docs/updating-data.md adds, with its source."""
    with (root / "data" / "sources.csv").open("a", encoding="utf-8") as f:
        f.write(ITS_SOURCE)
    with (root / "data" / "local_gov_delay_surveys.csv").open("a", encoding="utf-8") as f:
        f.write(NEXT_COUNT.format(share=share))


@pytest.mark.parametrize("share", ["56.5", "56"])
def test_a_share_that_agrees_with_its_counts_within_its_rounding_passes(repo_copy, share):
    add_the_count(repo_copy, share)
    data.validate_table("local_gov_delay_surveys")


def test_a_share_that_contradicts_its_counts_is_refused_naming_its_row(repo_copy):
    """65.5 % for 1,010 of 1,788 (56.5 %) passed before."""
    add_the_count(repo_copy, "65.5")
    result = run_cli("validate", root=repo_copy)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    said = result.stdout + result.stderr
    assert "local_gov_delay_surveys.csv" in said and "stated_bodies_share_pct" in said
    assert "65.5 is not bodies_count / bodies_total = 1,010 / 1,788 = 56.49 %" in said
    assert "row 6" in said or "line 6" in said, said


def test_every_stated_share_in_data_agrees_with_its_counts():
    surveys = data.load_table("local_gov_delay_surveys").dropna(subset=["stated_bodies_share_pct", "bodies_total"])
    assert len(surveys) >= 4
    for s in surveys.itertuples():
        assert abs(s.stated_bodies_share_pct - 100 * s.bodies_count / s.bodies_total) <= 0.05, s.survey_id
