"""Each notebook run through papermill with non-default parameters, as an author would vary it."""

import papermill
import pytest
from PIL import Image
from pypdf import PdfReader

from conftest import REPO

pytestmark = pytest.mark.notebooks

MM_TO_PT = 72 / 25.4


@pytest.fixture
def run_notebook(run_papermill, tmp_path):
    """Run a notebook with these parameters; the folder its files went to."""

    def run(notebook, **parameters):
        output_dir = tmp_path / "out"
        executed = tmp_path / f"{notebook}.executed.ipynb"
        run_papermill(REPO / "notebooks" / f"{notebook}.ipynb", executed, parameters | {"output_dir": str(output_dir)})
        return output_dir

    return run


def pdf_text(path):
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_four_reasons_in_english_single_column_greyscale(run_notebook):
    out = run_notebook("four_reasons", lang="en", width_mm=89, palette="greyscale", formats=["pdf", "png"], dpi=200)
    assert sorted(p.name for p in out.iterdir()) == [
        f"four_reasons.en.{k}" for k in ("caption.txt", "data.csv", "pdf", "png")
    ]
    page = PdfReader(out / "four_reasons.en.pdf").pages[0]
    assert float(page.mediabox.width) == pytest.approx(89 * MM_TO_PT, abs=0.01)  # 252.3 pt
    text = pdf_text(out / "four_reasons.en.pdf")
    for title in (
        "Securing data sovereignty and national security",
        "Securing technological autonomy",
        "Strengthening domestic industry",
        "Securing cultural and social fit",
    ):
        assert title in text
    assert Image.open(out / "four_reasons.en.png").size[0] == int(
        89 / 25.4 * 200
    )  # matplotlib truncates to whole pixels


def test_basic_plan_policies_double_column_in_japanese(run_notebook):
    out = run_notebook(
        "basic_plan_policies",
        lang="ja",
        width_mm=183,
        formats=["pdf"],
        columns=4,
        show_title=False,
        name="policies_wide",
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "policies_wide.ja.caption.txt",
        "policies_wide.ja.data.csv",
        "policies_wide.ja.pdf",
    ]
    pdf = out / "policies_wide.ja.pdf"
    assert float(PdfReader(pdf).pages[0].mediabox.width) == pytest.approx(183 * MM_TO_PT, abs=0.01)
    text = pdf_text(pdf).replace("\n", "")
    for name in ("AI利活用の加速的推進", "AI開発力の戦略的強化", "AIガバナンスの主導", "AI社会に向けた継続的変革"):
        assert name in text
    assert "AI基本計画(骨子)の4つの基本方針" not in text, "show_title=False leaves the title out"


def test_a_bad_parameter_stops_a_direct_papermill_run_with_a_clear_message(run_notebook, tmp_path):
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run_notebook("four_reasons", lang="fr")
    assert error.value.ename == "ParameterError"
    assert """parameter 'lang': 'fr' is not allowed; expected "ja" or "en\"""" in error.value.evalue
    assert not (tmp_path / "out").exists()


def read_metrics(out):
    import csv

    with open(out / "cloud_dependence_metrics.csv", encoding="utf-8") as f:
        return {r["metric"]: r for r in csv.DictReader(f)}


def test_cloud_dependence_as_of_2022_with_other_fractions(run_notebook, tmp_path):
    out = run_notebook(
        "cloud_dependence",
        as_of="2022-01-01",
        shift_to_domestic=[0.1, 0.5],
        formats=["png"],
        dpi=150,
        lang="en",
    )
    metrics = read_metrics(out)
    assert metrics["providers_selected"]["value"] == "2"
    assert metrics["providers_domestic"]["value"] == "0"
    assert metrics["providers_selected"]["as_of"] == "2022-01-01"
    # no count of systems is dated by 2022: no concentration, no scenarios, and no number made up
    assert not any(m.startswith(("production_systems", "all_systems", "scenario_shift")) for m in metrics)
    charts = sorted(p.name for p in out.glob("*.png"))
    assert charts == ["cloud_dependence_roster.en.png"], "no market share nor deficit value was published by then"
    executed = (tmp_path / "cloud_dependence.executed.ipynb").read_text(encoding="utf-8")
    assert "On 2022-01-01: 2 providers selected, 0 of them Japanese" in executed
    assert "no count of systems is dated on or before 2022-01-01" in executed


def test_cloud_dependence_scenarios_start_from_the_latest_count(run_notebook):
    out = run_notebook("cloud_dependence", shift_to_domestic=[0.1, 0.5], formats=["png"], dpi=150, lang="en")
    metrics = read_metrics(out)
    for fraction in (0.1, 0.5):
        expected = round(100 * fraction * 2729 / 2808, 2)
        assert float(metrics[f"scenario_shift_{fraction:g}_domestic_share"]["value"]) == expected
        assert metrics[f"scenario_shift_{fraction:g}_domestic_share"]["as_of"] == "2025-03-31"
    assert "scenario_shift_0.25_domestic_share" not in metrics


def test_cloud_dependence_as_of_2024_has_five_one_domestic_and_conditional(run_notebook):
    out = run_notebook("cloud_dependence", as_of="2024-01-01", formats=["svg"])
    metrics = read_metrics(out)
    assert metrics["providers_selected"]["value"] == "5"
    assert metrics["providers_domestic"]["value"] == "1"
    assert metrics["providers_conditional"]["value"] == "1"


@pytest.mark.parametrize(
    "parameters, message",
    [
        (
            {"as_of": "not a date"},
            "parameter 'as_of': 'not a date' is not allowed; expected \"latest\" (everything in data/), "
            "or a date written YYYY-MM-DD",
        ),
        (
            {"shift_to_domestic": [0.2, 1.5]},
            "parameter 'shift_to_domestic': [0.2, 1.5] is not allowed; "
            "expected a non-empty list of fractions, each from 0 to 1",
        ),
    ],
)
def test_bad_cloud_parameters_stop_the_run_with_a_clear_message(run_notebook, parameters, message):
    with pytest.raises(papermill.PapermillExecutionError) as error:
        run_notebook("cloud_dependence", **parameters)
    assert error.value.ename == "ParameterError"
    assert message in error.value.evalue
    # shown as the command shows it, in JupyterLab as in papermill: one line, no traceback through the package
    assert error.value.traceback == [f"ParameterError: {error.value.evalue}"]


def test_figures_in_the_stored_notebooks_carry_alt_text_that_nbconvert_keeps():
    from nbconvert import HTMLExporter

    page, _ = HTMLExporter().from_filename(str(REPO / "notebooks" / "four_reasons.ipynb"))
    assert 'alt="ソブリンAIが再び注目される4つの理由"' in page
    assert "No description has been provided for this image" not in page
