"""Cloud-dependence metrics against values computed by hand from the sources' numbers."""

import csv
import datetime as dt

import pytest

from sovereign_ai import paths
from sovereign_ai.analysis import cloud_dependence as cd

# By hand: 1,452 of 1,497 production systems on AWS (end of October 2024); the other
# 45 on Google Cloud, Azure and OCI in an unpublished split.
AWS = 100 * 1452 / 1497  # 96.993987...
REST = 100 * 45 / 1497  # 3.006012...
ONE = 100 * 1 / 1497  # each provider in use hosts at least one system
HHI_EVEN = AWS**2 + 3 * (REST / 3) ** 2
HHI_ONE = AWS**2 + (REST - 2 * ONE) ** 2 + 2 * ONE**2
# All systems at the end of March 2025, split in full: AWS 2,729, OCI 51, Google 13, Azure 15 of 2,808.
MARCH = [100 * n / 2808 for n in (2729, 51, 13, 15)]


def test_hand_values_are_what_we_think():
    assert round(AWS, 1) == 97.0
    assert pytest.approx(9410.84, abs=0.01) == HHI_EVEN
    assert pytest.approx(9416.09, abs=0.01) == HHI_ONE
    assert round(MARCH[0], 2) == 97.19
    assert sum(n * n for n in MARCH) == pytest.approx(9449.04, abs=0.01)


def test_hhi_of_a_monopoly_is_10000_and_of_four_equal_firms_2500():
    assert cd.hhi([100]) == 10_000
    assert cd.hhi([25, 25, 25, 25]) == 2_500


def test_hhi_bounds_spread_evenly_and_all_on_one():
    low, high = cd.hhi_bounds([50], 30, 3)
    assert (low, high) == (pytest.approx(2500 + 3 * 100), pytest.approx(2500 + 900))
    with pytest.raises(ValueError):
        cd.hhi_bounds([50], 30, 0)
    assert cd.hhi_bounds([50], 30, 3, minimum_each_pct=5) == (pytest.approx(2800), pytest.approx(2500 + 400 + 50))
    assert cd.hhi_bounds([50, 50], 0, 0) == (5000, 5000)


def test_concentration_at_end_of_october_2024_is_an_interval_of_production_systems():
    base = cd.concentrations()[0]
    assert (base.as_of, base.definition) == (dt.date(2024, 10, 31), "production_systems")
    assert (base.systems_total, base.systems_aws, base.systems_unsplit) == (1497, 1452, 45)
    assert base.unsplit_providers == ("gcp", "azure", "oci")
    assert base.aws_share_pct == pytest.approx(AWS)
    assert base.domestic_share_pct == 0.0
    assert base.hhi_bounds == (pytest.approx(HHI_EVEN), pytest.approx(HHI_ONE))
    assert cd.concentration_band(base.hhi_bounds[0]) == "highly concentrated"


def test_concentration_at_end_of_march_2025_is_a_number_of_all_systems():
    base = cd.concentrations()[1]
    assert (base.as_of, base.definition, base.is_split) == (dt.date(2025, 3, 31), "all_systems", True)
    assert base.systems_by_provider == {"aws": 2729, "oci": 51, "gcp": 13, "azure": 15}
    low, high = base.hhi_bounds
    assert low == high == pytest.approx(sum(n * n for n in MARCH))


def test_as_of_picks_the_counts_known_at_that_date():
    assert [c.as_of for c in cd.concentrations("2024-12-31")] == [dt.date(2024, 10, 31)]
    assert cd.concentrations("2024-01-01") == []
    assert cd.latest_concentration().definition == "all_systems"


@pytest.mark.parametrize(
    "value, band",
    [
        (1000, "unconcentrated"),
        (1499.9, "unconcentrated"),
        (1500, "moderately concentrated"),
        (2500, "moderately concentrated"),
        (2500.1, "highly concentrated"),
        (10_000, "highly concentrated"),
    ],
)
def test_bands_of_the_2010_guidelines(value, band):
    assert cd.concentration_band(value) == band


@pytest.mark.parametrize(
    "as_of, count, domestic, conditional",
    [
        ("2021-10-25", 0, 0, 0),
        ("2021-10-26", 2, 0, 0),
        ("2022-01-01", 2, 0, 0),
        ("2022-10-03", 4, 0, 0),
        ("2024-01-01", 5, 1, 1),
        ("2025-11-20", 5, 1, 1),
    ],
)
def test_roster_as_of(as_of, count, domestic, conditional):
    roster = cd.roster_as_of(as_of)
    assert len(roster) == count
    assert int(roster["is_domestic"].sum()) == domestic
    assert int((roster["status"] == "conditional").sum()) == conditional


def test_roster_on_2022_01_01_is_aws_and_google_both_foreign():
    roster = cd.roster_as_of("2022-01-01")
    assert set(roster["provider_id"]) == {"aws", "gcp"}
    assert not roster["is_domestic"].any()


def test_after_the_deadline_the_conditional_status_is_unknown_not_assumed():
    roster = cd.roster_as_of("2026-06-01").set_index("provider_id")
    assert roster.at["sakura", "status"] == "unknown"


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.25, 0.5, 1.0])
def test_shift_to_domestic_moves_that_fraction_of_the_latest_counts_aws_systems(fraction):
    s = cd.shift_to_domestic(cd.latest_concentration(), fraction)
    moved = fraction * 2729
    assert s.systems_moved == pytest.approx(moved)
    assert s.domestic_share_pct == pytest.approx(100 * moved / 2808)
    assert s.aws_share_pct == pytest.approx(100 * (2729 - moved) / 2808)
    others = [100 * n / 2808 for n in (51, 13, 15)]
    expected = s.aws_share_pct**2 + s.domestic_share_pct**2 + sum(o * o for o in others)
    assert s.hhi_low == s.hhi_high == pytest.approx(expected)


def test_a_fraction_outside_0_1_is_refused():
    with pytest.raises(ValueError, match=r"fraction 1\.2 is outside \[0, 1\]"):
        cd.shift_to_domestic(cd.latest_concentration(), 1.2)


def test_metrics_table_holds_the_key_numbers():
    metrics = cd.metrics_table("2022-01-01", [0.1, 0.5]).set_index("metric")
    assert metrics.at["providers_selected", "value"] == 2
    assert metrics.at["providers_domestic", "value"] == 0
    assert "production_systems_total" not in metrics.index, "no count is known by 2022"
    metrics = cd.metrics_table("2025-11-20", [0.5]).set_index("metric")
    assert metrics.at["production_systems_aws_share", "value"] == 96.99
    assert metrics.at["production_systems_hhi_lower", "value"] == round(HHI_EVEN, 1)
    assert metrics.at["production_systems_hhi_upper", "value"] == round(HHI_ONE, 1)
    assert metrics.at["all_systems_aws_share", "value"] == 97.19
    assert metrics.at["all_systems_hhi", "value"] == 9449.0
    assert metrics.at["scenario_shift_0.5_domestic_share", "value"] == round(100 * 1364.5 / 2808, 2)
    assert list(metrics.reset_index().columns) == ["metric", "value", "unit", "as_of", "note"]


def test_the_built_metrics_file_matches_a_hand_computation():
    with open(paths.figures_dir() / "cloud_dependence_metrics.csv", encoding="utf-8") as f:
        rows = {r["metric"]: r for r in csv.DictReader(f)}
    share = rows["production_systems_aws_share"]
    assert (share["value"], share["unit"], share["as_of"]) == ("96.99", "percent", "2024-10-31")
    assert float(rows["production_systems_hhi_lower"]["value"]) == round(HHI_EVEN, 1) == 9410.8
    assert float(rows["production_systems_hhi_upper"]["value"]) == round(HHI_ONE, 1) == 9416.1
    assert (rows["all_systems_aws_share"]["value"], rows["all_systems_hhi"]["value"]) == ("97.19", "9449.0")
    assert rows["all_systems_hhi"]["as_of"] == "2025-03-31"
    assert rows["providers_selected"]["value"] == "5" and rows["providers_domestic"]["value"] == "1"


def test_the_readme_quotes_the_numbers_the_build_computes():
    readme = (paths.repo_root() / "README.md").read_text(encoding="utf-8")
    with open(paths.figures_dir() / "cloud_dependence_metrics.csv", encoding="utf-8") as f:
        rows = {r["metric"]: r["value"] for r in csv.DictReader(f)}
    assert f"**{rows['production_systems_aws_share']} %**" in readme
    low, high = float(rows["production_systems_hhi_lower"]), float(rows["production_systems_hhi_upper"])
    assert f"**{low:,.1f} to {high:,.1f}**" in readme
    assert f"**{rows['all_systems_aws_share']} %**" in readme
    assert f"**{float(rows['all_systems_hhi']):,.1f}**" in readme
