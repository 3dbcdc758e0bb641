"""The build command: what it refuses before any kernel starts, and what a failure leaves behind."""

import io
from dataclasses import replace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from sovereign_ai.engine.build import BuildError, Run, load_registry, plan

from conftest import FIXTURE_PROJECT, call_cli, edit_csv_row, run_build, run_cli, snapshot


def _no_kernel_started(root):
    executed = root / "build" / "executed"
    return not executed.exists() or not any(executed.iterdir())


def test_registry_lists_every_figure_in_both_languages():
    runs = load_registry()
    assert {(r.figure, r.parameters["lang"]) for r in runs} == {
        (figure, lang)
        for figure in (
            "four_reasons",
            "basic_plan_policies",
            "cloud_dependence",
            "local_government",
            "ai_compute",
            "policy_timeline",
            "sovereign_models",
        )
        for lang in ("ja", "en")
    }


def test_runs_that_would_write_the_same_file_are_refused():
    four = next(r for r in load_registry() if r.figure == "four_reasons")
    runs = [Run(four.figure, four.notebook, {"lang": "en", "width_mm": w}) for w in (89, 120)]
    with pytest.raises(BuildError, match=r"two runs of four_reasons would both write four_reasons\.en\.\*"):
        plan(runs, {})


def test_a_run_that_sets_no_language_clashes_with_the_run_of_the_default_one(repo_copy):
    """`- {width_mm: 89}` beside `- lang: ja` wrote its 89 mm chart over figures/' Japanese one,
    and the manifest named both runs for it."""
    registry = repo_copy / "figures.yaml"
    entry = "four_reasons:\n  notebook: notebooks/four_reasons.ipynb\n  runs:\n    - lang: ja\n"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace(entry, entry + "    - {width_mm: 89}\n"), encoding="utf-8")
    before = snapshot(repo_copy / "figures")
    result = call_cli("build", "--only", "four_reasons", root=repo_copy)
    assert result.returncode == 2, result.stderr
    assert (
        "two runs of four_reasons would both write four_reasons.ja.*: {'lang': 'ja'} and {'width_mm': 89.0} "
        "(a run that sets no lang draws in 'ja')" in result.stderr
    )
    assert snapshot(repo_copy / "figures") == before and _no_kernel_started(repo_copy)


def test_an_override_of_a_parameter_the_runs_set_selects_those_runs():
    planned = plan(load_registry(), {"lang": "en", "formats": ["pdf"]}, only=["four_reasons"])
    assert [(r.run_id, r.parameters["formats"]) for r in planned] == [("four_reasons.en", ["pdf"])]


def test_unknown_figure_is_named():
    with pytest.raises(BuildError, match=r"figure 'four_reason' is not in figures\.yaml, nor is it one of their "):
        plan(load_registry(), {}, only=["four_reason"])


def test_a_chart_is_named_by_its_file_stem_and_a_mistyped_one_by_the_nearest():
    planned = plan(load_registry(), {"lang": "en"}, only=["cloud_dependence_concentration", "four_reasons"])
    assert [(r.run_id, r.charts) for r in planned] == [
        ("four_reasons.en", ()),
        ("cloud_dependence.en", ("concentration",)),
    ]
    with pytest.raises(BuildError) as refused:
        plan(load_registry(), {}, only=["cloud_dependence_concentraton"])
    said = str(refused.value)
    assert said.startswith(
        "figure 'cloud_dependence_concentraton' is not in figures.yaml, nor is it one of their charts "
        "(did you mean 'cloud_dependence_concentration'?); the figures are: ai_compute, basic_plan_policies, "
    )
    assert (
        "; their charts: ai_compute_awards, ai_compute_capacity, ai_compute_fy2026, cloud_dependence_concentration,"
        in said
    )


def test_a_mistyped_chart_is_refused_before_any_kernel(repo_copy):
    before = snapshot(repo_copy / "figures")
    result = call_cli("build", "--only", "cloud_dependence_concentraton", "-p", "lang", "en", root=repo_copy)
    assert result.returncode == 2
    assert "did you mean 'cloud_dependence_concentration'?" in result.stderr
    assert result.stderr.endswith("\nNo notebook was run and nothing was written.\n"), result.stderr
    assert snapshot(repo_copy / "figures") == before and _no_kernel_started(repo_copy)


def test_the_charts_the_build_finds_in_the_notebooks_are_those_in_figures():
    """--only reads a notebook's chart names from its code (the part names its drawing cells save
    under): they must be the stems of the files figures/ holds, figure by figure."""
    from sovereign_ai.engine import manifest
    from sovereign_ai.engine.build import chart_stems

    from conftest import REPO

    runs = load_registry()
    recorded = manifest.read(REPO / "figures")
    in_figures = {
        name.split(".")[0]
        for name in recorded["files"]
        if name.endswith(".data.csv") and name.split(".")[0] not in {r.figure for r in runs}
    }
    assert set(chart_stems(runs)) == in_figures
    assert chart_stems(runs)["cloud_dependence_concentration"] == ("cloud_dependence", "concentration")


@pytest.mark.notebooks
def test_only_a_chart_runs_its_notebook_and_writes_that_charts_files_alone(repo_copy):
    """`build --only cloud_dependence_concentration -p lang en -p formats pdf`: one run of the cloud
    notebook, which writes that chart's PDF, caption and source data, says so, and records the run as
    one that saved that chart only; the files are those of the full build's chart."""
    from sovereign_ai.engine import manifest

    out = repo_copy / "variants" / "journal"
    only = ("--only", "cloud_dependence_concentration", "-p", "lang", "en", "-p", "formats", "pdf")
    result = run_cli("build", *only, "--output-dir", str(out), "-j", "1", root=repo_copy)
    assert result.returncode == 0, result.stderr
    chart = ["cloud_dependence_concentration.en." + kind for kind in ("caption.txt", "data.csv", "pdf")]
    assert sorted(p.name for p in out.iterdir()) == sorted([*chart, "MANIFEST.json", "references.bib"])
    lines = result.stdout.splitlines()
    assert "  [1/1] cloud_dependence.en (cloud_dependence_concentration) done in" in result.stdout
    assert [line.split()[0] for line in lines if line.startswith("  /")] == [str(out / name) for name in chart]
    assert "3 files written to" in lines[-1]
    for name in chart:  # the chart of the whole notebook's run, as figures/ has it
        assert (out / name).read_bytes() == (repo_copy / "figures" / name).read_bytes(), name
    recorded = manifest.read(out)
    assert {key: record.get("charts") for key, record in recorded["runs"].items()} == {
        "cloud_dependence.en": ["concentration"]
    }
    assert {name: entry["runs"] for name, entry in recorded["files"].items()} == {
        name: ["cloud_dependence.en"] for name in chart
    }
    again = call_cli("build", *only, "--output-dir", str(out), "--dry-run", root=repo_copy)
    assert "skip cloud_dependence.en (cloud_dependence_concentration) up to date" in again.stdout, again.stdout
    whole = call_cli(
        "build",
        "--only",
        "cloud_dependence",
        "-p",
        "lang",
        "en",
        "-p",
        "formats",
        "pdf",
        "--output-dir",
        str(out),
        "--dry-run",
        root=repo_copy,
    )
    assert "run  cloud_dependence.en          only its chart cloud_dependence_concentration built" in whole.stdout


@pytest.mark.notebooks
def test_only_a_chart_in_one_language_and_format_goes_into_figures(repo_copy):
    """The same command into figures/: -p lang en and -p formats pdf pick from what figures.yaml's
    runs write (the English run, its PDF), so they make no variant. The run is the English run as
    figures.yaml has it; only the chart's PDF, caption and source data are put in place, and every
    other file of figures/ and its manifest entry stays as it was."""
    from sovereign_ai.engine import manifest

    figures = repo_copy / "figures"
    before = {p.name: p.read_bytes() for p in figures.iterdir() if p.name != "MANIFEST.json"}
    recorded_before = manifest.read(figures)
    (figures / "cloud_dependence_concentration.en.pdf").unlink()
    only = ("--only", "cloud_dependence_concentration", "-p", "lang", "en", "-p", "formats", "pdf")
    result = run_cli("build", *only, "-j", "1", root=repo_copy)
    assert result.returncode == 0, result.stderr
    chart = ["cloud_dependence_concentration.en." + kind for kind in ("caption.txt", "data.csv", "pdf")]
    assert [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  /")] == [
        str(figures / name) for name in chart
    ]
    assert "  [1/1] cloud_dependence.en (cloud_dependence_concentration, pdf) done in" in result.stdout
    assert {p.name: p.read_bytes() for p in figures.iterdir() if p.name != "MANIFEST.json"} == before
    recorded = manifest.read(figures)
    assert recorded["files"].keys() == recorded_before["files"].keys()
    for name, entry in recorded["files"].items():
        assert entry["sha256"] == recorded_before["files"][name]["sha256"], name
    variant = call_cli("build", *only, "-p", "width_mm", "89", "--dry-run", root=repo_copy)
    assert variant.returncode == 2 and "-p overrides make variants" in variant.stderr, variant.stderr


@pytest.mark.parametrize(
    "args, expected",
    [
        (["-p", "langauge", "en"], "parameter 'langauge' is unknown; the notebooks' parameters are: lang, formats"),
        (["-p", "lang", "fr"], """parameter 'lang': 'fr' is not allowed; expected "ja" or "en\""""),
        (["-p", "width_mm", "narrow"], "parameter 'width_mm': 'narrow' is not a number"),
        (["-p", "output_dir", "x"], "parameter 'output_dir' is set by the build"),
        (
            ["-p", "as_of", "last-year"],
            "parameter 'as_of': 'last-year' is not allowed; expected \"latest\" (everything in data/), "
            "or a date written YYYY-MM-DD",
        ),
        (
            ["-p", "shift_to_domestic", "0.5,1.5"],
            "parameter 'shift_to_domestic': [0.5, 1.5] is not allowed; "
            "expected a non-empty list of fractions, each from 0 to 1",
        ),
        (
            ["--only", "policy_timeline", "-p", "jurisdictions", '["SG"]', "-p", "start", "2026-06-01"],
            "parameters 'jurisdictions', 'start', 'end': no policy event of SG from 2026-06-01 to 2026-12-31",
        ),
        (
            ["--only", "four_reasons", "-p", "columns", "4", "-p", "width_mm", "89"],
            "parameter 'columns': 4 columns at 89 mm make cards 19 mm wide, too narrow for",
        ),
    ],
)
def test_bad_parameters_stop_the_build_before_any_kernel(repo_copy, args, expected):
    before = snapshot(repo_copy / "figures")
    result = call_cli("build", *args, root=repo_copy)
    assert result.returncode != 0
    assert expected in result.stderr
    assert snapshot(repo_copy / "figures") == before
    assert _no_kernel_started(repo_copy)


@pytest.mark.parametrize(
    "breakage, expected",
    [
        (
            ("four_reasons_panels", 3, "title_en", ""),
            "data/four_reasons_panels.csv, row 3 (line 4), column 'title_en': is empty",
        ),
        (
            ("basic_plan_examples", 2, None, "", 1),
            "data/basic_plan_examples.csv, row 2 (line 3): has 4 cells; the header has 5",
        ),
        (
            ("report_figures", 1, "page", "four"),
            "data/report_figures.csv, row 1 (line 2), column 'page': 'four' is not of type integer",
        ),
    ],
)
def test_bad_data_stops_the_build_before_any_kernel(repo_copy, breakage, expected):
    edit_csv_row(repo_copy, *breakage)
    before = snapshot(repo_copy / "figures")
    result = call_cli("build", root=repo_copy)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "figures/ is unchanged" in result.stderr
    assert snapshot(repo_copy / "figures") == before
    assert _no_kernel_started(repo_copy)


def _notebook(root, name: str, code: str) -> None:
    """notebooks/<name>.ipynb: the parameters a run is given, then code; one run in figures.yaml."""
    notebook = new_notebook(
        cells=[
            new_code_cell(
                'lang: str = "ja"  # language\nformats: list = ["png"]  # formats\noutput_dir: str = ""  # folder\n'
                f'name: str = "{name}"  # stem',
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell(code),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(notebook, root / "notebooks" / f"{name}.ipynb")
    with open(root / "figures.yaml", "a", encoding="utf-8") as f:
        f.write(f"\n{name}:\n  notebook: notebooks/{name}.ipynb\n  runs:\n    - lang: ja\n")


@pytest.mark.notebooks
def test_data_edited_while_the_build_runs_is_not_recorded_as_what_the_figures_show(fixture_project):
    # The run reads a table, then the table is edited (here by the notebook itself, as a user
    # saving it from Excel meanwhile would): its manifest could not say which version it drew.
    _notebook(
        fixture_project,
        "edited",
        "from pathlib import Path\n"
        "from sovereign_ai import data, paths\n"
        "data.load_table('counts')\n"
        "table = paths.data_dir() / 'counts.csv'\n"
        "table.write_text(table.read_text(encoding='utf-8').replace('east,4', 'east,5'), encoding='utf-8')\n"
        "Path(output_dir, f'{name}.{lang}.png').write_bytes(b'a chart')",
    )
    before = snapshot(fixture_project / "figures")
    result = run_cli("build", "--only", "edited", root=fixture_project)
    assert result.returncode == 1, result.stderr
    assert "edited.ja read data/counts.csv, changed while the build ran" in result.stderr
    assert "figures/ is unchanged; run the build again." in result.stderr
    assert snapshot(fixture_project / "figures") == before


@pytest.mark.notebooks
def test_a_failing_notebook_leaves_figures_untouched_and_says_where_it_is(fixture_project):
    _notebook(fixture_project, "broken", 'raise RuntimeError("this notebook is broken on purpose")')
    _notebook(fixture_project, "dies", "import os\nos._exit(1)  # the kernel dies: no cell error, no executed notebook")
    executed = fixture_project / "build" / "executed"
    executed.mkdir(parents=True)
    (executed / "dies.ja.ipynb").write_text("{}", encoding="utf-8")  # an earlier build's, now out of date
    before = snapshot(fixture_project / "figures")
    result = run_cli("build", "--only", "broken", "dies", root=fixture_project)
    assert result.returncode != 0
    assert "broken.ja failed: RuntimeError: this notebook is broken on purpose" in result.stderr
    assert "The executed notebook is build/executed/broken.ja.ipynb (kernel log:" in result.stderr
    assert "dies.ja failed: DeadKernelError: Kernel died" in result.stderr
    assert "It stopped before writing its executed notebook (kernel log: dies.ja.kernel.log in build/executed/)" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr and "Kernel died while waiting" not in result.stderr
    assert "figures/ is unchanged." in result.stderr
    assert (executed / "broken.ja.ipynb").exists()
    assert not (executed / "dies.ja.ipynb").exists(), "no earlier run's notebook stands in for this one"
    assert "Kernel died while waiting" in (executed / "dies.ja.kernel.log").read_text(encoding="utf-8")
    assert snapshot(fixture_project / "figures") == before


@pytest.mark.notebooks
def test_a_run_failing_on_a_warm_kernel_names_its_part_of_the_kernels_log(fixture_project):
    _notebook(
        fixture_project,
        "fine",
        "from pathlib import Path\nPath(output_dir, f'{name}.{lang}.png').write_bytes(b'a chart')",
    )
    _notebook(fixture_project, "broken", 'raise RuntimeError("this notebook is broken on purpose")')
    result = run_cli("build", "--only", "fine", "broken", "-j", "1", root=fixture_project)
    assert result.returncode == 1, result.stderr
    # one kernel ran both runs: its log is named after the first, and holds the second from its line
    said = "(kernel log: fine.ja.kernel.log beside it, from '--- broken.ja ---')."
    assert said in result.stderr, result.stderr
    log = (fixture_project / "build" / "executed" / "fine.ja.kernel.log").read_text(encoding="utf-8")
    assert "--- broken.ja ---" in log


@pytest.mark.notebooks
def test_a_check_whose_rebuild_fails_names_the_executed_notebook_and_keeps_it(fixture_project):
    _notebook(fixture_project, "broken", 'raise RuntimeError("this notebook is broken on purpose")')
    result = run_cli("check", "--only", "broken", root=fixture_project)
    assert result.returncode == 1
    assert "broken.ja failed: RuntimeError: this notebook is broken on purpose" in result.stderr
    named = "The executed notebook is build/check-failed/broken.ja.ipynb (kernel log: broken.ja.kernel.log beside it)."
    assert named in result.stderr
    assert result.stderr.rstrip().endswith("Nothing was compared; figures/ is unchanged.")
    assert "build/check-" not in result.stderr.replace("build/check-failed/", ""), "not the removed temporary folder"
    assert [p.name.split("-")[0] for p in (fixture_project / "build" / "outputs").iterdir()] == ["figures"], (
        "no area left"
    )
    assert run_cli("build", "--only", "squares", root=fixture_project).returncode == 0  # nothing to run
    assert (fixture_project / "build" / "check-failed" / "broken.ja.ipynb").exists()
    assert (fixture_project / "build" / "check-failed" / "broken.ja.kernel.log").exists()


@pytest.mark.notebooks
def test_refreshing_a_failing_notebook_leaves_it_unchanged_and_shows_its_error(fixture_project):
    _notebook(fixture_project, "broken", 'raise RuntimeError("this notebook is broken on purpose")')
    last_words = "the kernel says why it stops, in a line longer than nbclient says"
    # The kernel writes to its own stderr (the log), not to the notebook, and dies. (Its fd 2, which
    # ipykernel redirects to the notebook except under pytest, where it keeps the original.)
    stderr = 'getattr(sys.stderr, "_original_stdstream_copy", 2)'
    _notebook(fixture_project, "dies", f"import os, sys\nos.write({stderr}, b{last_words!r})\nos._exit(1)")
    before = snapshot(fixture_project / "notebooks")
    result = run_cli("refresh-notebooks", "broken", "dies", root=fixture_project)
    stderr = result.stderr
    assert result.returncode == 1
    log = "kernel log: build/refresh/{}.kernel.log"
    assert f"error: notebooks/broken.ipynb is unchanged: a cell failed ({log.format('broken')})." in stderr
    assert 'raise RuntimeError("this notebook is broken on purpose")' in stderr, "the cell is shown"
    assert "RuntimeError: this notebook is broken on purpose" in stderr
    assert f"notebooks/dies.ipynb is unchanged: its kernel died while running it ({log.format('dies')})." in stderr
    kernel_log = (fixture_project / "build" / "refresh" / "dies.kernel.log").read_text(encoding="utf-8")
    assert last_words in kernel_log and "Kernel died while waiting" in kernel_log, "each whole, neither over the other"
    assert f"{last_words}\nKernel died while waiting" in kernel_log, "nbclient's line starts a line of its own"
    assert "\x1b[" not in stderr, "no terminal colour codes"
    assert "site-packages" not in stderr and "src/sovereign_ai" not in stderr, "no traceback of ours"
    assert snapshot(fixture_project / "notebooks") == before


@pytest.mark.notebooks
def test_refreshing_with_a_kernel_that_dies_as_it_starts_says_so_in_one_message(fixture_project, tmp_path):
    (tmp_path / "sitecustomize.py").write_text(  # runs first in every Python; this one ends a kernel
        'import os, sys\nif os.environ.get("JPY_PARENT_PID"):\n'
        '    sys.stderr.write("this kernel cannot start\\n"); sys.stderr.flush(); os._exit(3)\n',
        encoding="utf-8",
    )
    environment = {"PYTHONPATH": str(tmp_path), "JPY_PARENT_PID": ""}  # only kernels get it set
    result = run_build("refresh-notebooks", "squares", env=environment)
    assert result.returncode == 1
    log = "build/refresh/squares.kernel.log"
    assert (
        result.stderr
        == f"error: notebooks/squares.ipynb is unchanged: its kernel died as it started (kernel log: {log}).\n"
    )
    assert "this kernel cannot start" in (fixture_project / log).read_text(encoding="utf-8")
    assert (fixture_project / "notebooks" / "squares.ipynb").read_bytes() == (
        FIXTURE_PROJECT / "notebooks" / "squares.ipynb"
    ).read_bytes()


@pytest.mark.notebooks
def test_refreshing_keeps_a_notebook_saved_while_it_runs(fixture_project):
    """A notebook saved from JupyterLab while it is refreshed keeps that version: replacing it with
    the run of the earlier version would lose the edit. A killed refresh's temporary file goes."""
    import os
    import time

    notebook = fixture_project / "notebooks" / "squares.ipynb"
    saving = nbformat.read(notebook, as_version=4)
    saves = (  # as the user saving an edit while the kernel runs
        "import nbformat\n"
        f"saved = nbformat.read({str(notebook)!r}, as_version=4)\n"
        "saved.cells.append(nbformat.v4.new_markdown_cell('an edit saved meanwhile'))\n"
        f"nbformat.write(saved, {str(notebook)!r})"
    )
    saving.cells.append(nbformat.v4.new_code_cell(saves))
    nbformat.write(saving, notebook)
    leftover = fixture_project / "notebooks" / ".squares.ipynb.x1y2z3.partial"
    leftover.write_text("a killed refresh's temporary file", encoding="utf-8")
    os.utime(leftover, (time.time() - 3600, time.time() - 3600))
    result = run_cli("refresh-notebooks", "squares", root=fixture_project)
    assert result.returncode == 1, result.stderr
    assert "notebooks/squares.ipynb was saved while it was refreshed: that version is kept" in result.stderr
    assert "an edit saved meanwhile" in notebook.read_text(encoding="utf-8")
    assert not leftover.exists()


def test_params_lists_defaults_help_and_allowed_values():
    result = call_cli("params", "notebooks/four_reasons.ipynb")
    assert result.returncode == 0
    assert "lang" in result.stdout and "default 'ja'" in result.stdout
    assert 'allowed: "ja" or "en"' in result.stdout
    assert "figure width in millimetres" in result.stdout


def test_validate_reports_the_tables():
    result = call_cli("validate")
    assert result.returncode == 0
    assert "tables valid" in result.stdout


def test_an_override_applies_only_to_notebooks_that_declare_it():
    runs = plan(load_registry(), {"as_of": "2022-01-01"})
    declaring = {"cloud_dependence", "local_government"}  # the notebooks with an as_of parameter
    dated = [r for r in runs if r.figure in declaring]
    assert dated and all(r.parameters["as_of"] == "2022-01-01" for r in dated)
    assert all("as_of" not in r.parameters for r in runs if r.figure not in declaring)
    with pytest.raises(BuildError, match="parameter 'as_off' is unknown"):
        plan(load_registry(), {"as_off": "2022-01-01"})


def test_a_png_past_pillows_size_guard_is_listed_with_its_size_quietly(tmp_path):
    """At 1200 dpi and 250 mm a chart passes Pillow's guard against decompression bombs: the build
    reads its size for the listing without a warning (or, larger, an error) reaching the user."""
    import warnings

    from PIL import Image

    from sovereign_ai.engine.build import file_size_mm

    guard = Image.MAX_IMAGE_PIXELS
    Image.new("1", (12000, 16000)).save(tmp_path / "big.png", dpi=(1200, 1200))  # 192 million pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        width, height = file_size_mm(tmp_path / "big.png")
    assert round(width) == 254 and round(height) == 339
    assert guard == Image.MAX_IMAGE_PIXELS, "Pillow's guard is left as it was"


def test_formats_a_run_of_figures_yaml_does_not_write_make_a_variant():
    """-p formats pdf picks files only from runs that write PDFs as figures.yaml has them: of a run
    that writes PNGs alone, a PDF is a variant, refused for figures/ before anything runs."""
    from sovereign_ai.engine.build import build

    registry = [
        replace(run, parameters=run.parameters | {"formats": ["png"]}) if run.figure == "four_reasons" else run
        for run in load_registry()
    ]
    with pytest.raises(BuildError, match="-p overrides make variants"):
        build({"formats": ["pdf"]}, ["four_reasons"], runs=registry, dry_run=True, out=io.StringIO())
    said = io.StringIO()
    build({"formats": ["png"]}, ["four_reasons"], runs=registry, dry_run=True, out=said)
    assert said.getvalue().splitlines()[-1].endswith(" of 2 runs would execute into figures/"), said.getvalue()


@pytest.mark.notebooks
def test_a_run_put_in_place_in_one_format_is_built_whole_by_the_next_build(repo_copy):
    """-p formats pdf of a run whose other files are not there yet records that only its PDFs are:
    the next build names that and runs it whole, rather than take the run as complete."""
    import json

    from sovereign_ai.engine import manifest

    figures = repo_copy / "figures"
    recorded = manifest.read(figures)
    for name in [n for n in recorded["files"] if n.startswith("four_reasons.en.") and not n.endswith(".pdf")]:
        del recorded["files"][name]
        (figures / name).unlink()
    (figures / manifest.MANIFEST_NAME).write_text(json.dumps(recorded), encoding="utf-8")
    only = ("--only", "four_reasons", "-p", "lang", "en", "-p", "formats", "pdf", "--force", "-j", "1")
    assert run_cli("build", *only, root=repo_copy).returncode == 0
    assert not (figures / "four_reasons.en.png").exists()
    after = call_cli("build", "--dry-run", root=repo_copy)
    assert "run  four_reasons.en              only its pdf files built" in after.stdout.splitlines(), after.stdout
