"""The build engine: skips what is current, re-runs what changed, in parallel, with a manifest."""

import csv
import json
import re
import sys

import pytest

from sovereign_ai import data, paths, reads
from sovereign_ai.engine import manifest
from sovereign_ai.engine.build import load_registry

from conftest import REPO, call_cli, edit_csv_row, run_cli, snapshot

FIGURES = paths.figures_dir()


def _edit(root, table, old, new):
    path = root / "data" / f"{table}.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_manifest_lists_every_file_with_its_sha256_parameters_and_data():
    recorded = manifest.read(FIGURES)
    files = recorded["files"]
    on_disk = {p.name for p in FIGURES.iterdir() if p.is_file() and p.name not in ("MANIFEST.json", "references.bib")}
    assert set(files) == on_disk, "every file but the folder's own two (the manifest, references.bib)"
    for name, entry in files.items():
        assert entry["sha256"] == manifest.sha256_file(FIGURES / name), name
        for key in entry["runs"]:
            inputs = recorded["runs"][key]["inputs"]
            assert inputs["parameters"]["name"] and "output_dir" not in inputs["parameters"]
            assert inputs["data_sha256"], f"{name}: the data it read are recorded"
            for data_file, sha in inputs["data_sha256"].items():
                assert sha == data.input_sha256(data_file), data_file
                if "#" not in data_file:
                    assert sha == manifest.sha256_file(REPO / data_file)
            assert inputs["environment"]["matplotlib"] == "3.11.2"
            assert "ipaexg.ttf" in inputs["environment"]["fonts_sha256"]


def test_manifest_records_each_run_once_and_every_file_names_its_runs():
    """Each run's inputs are recorded once, under "runs", and each file names the runs that wrote it:
    the manifest of figures/ (14 runs, nearly 200 files) stays small enough to read and diff."""
    text = (FIGURES / "MANIFEST.json").read_text(encoding="utf-8")
    assert len(text.encode("utf-8")) <= 200_000, f"{len(text.encode('utf-8')):,} bytes"
    body = json.loads(text)
    assert body["format_version"] == manifest.FORMAT_VERSION == 2
    assert sorted(body["runs"]) == sorted(run.run_id for run in load_registry()), "one record a run, by its id"
    named = set()
    for name, entry in body["files"].items():
        assert set(entry) == {"runs", "sha256"}, name
        assert entry["runs"] and all(key in body["runs"] for key in entry["runs"]), f"{name}: its runs are recorded"
        named.update(entry["runs"])
    assert named == set(body["runs"]), "every run recorded has files"
    assert all(set(record) == {"inputs"} for record in body["runs"].values()), "every run saved all its charts"


def test_manifest_records_only_the_data_each_run_read():
    recorded = manifest.read(FIGURES)
    figure_1 = set(recorded["runs"]["four_reasons.ja"]["inputs"]["data_sha256"])
    assert "data/four_reasons_panels.csv" in figure_1
    assert not any("basic_plan" in f or "gov_cloud" in f for f in figure_1)
    assert recorded["files"]["four_reasons.ja.pdf"]["runs"] == ["four_reasons.ja"]
    assert recorded["files"]["cloud_dependence_metrics.csv"]["runs"] == ["cloud_dependence.en", "cloud_dependence.ja"]


def test_manifest_records_the_source_rows_a_run_cites_not_the_whole_table():
    recorded = manifest.read(FIGURES)
    for key, record in recorded["runs"].items():
        read = record["inputs"]["data_sha256"]
        assert "data/sources.csv" not in read, f"{key}: no notebook loads the whole sources table"
        assert any(f.startswith("data/sources.csv#") for f in read), f"{key}: its source line cites rows"
    figure_1 = recorded["runs"]["four_reasons.ja"]["inputs"]["data_sha256"]
    assert [f for f in figure_1 if f.startswith("data/sources.csv")] == ["data/sources.csv#dir_2025_sovereign_ai"]


def _source_row(root, source_id: str) -> int:
    """The number of the data row of sources.csv (from 1) with this source_id."""
    with open(root / "data" / "sources.csv", encoding="utf-8", newline="") as f:
        return next(number for number, row in enumerate(csv.DictReader(f), start=1) if row["source_id"] == source_id)


def test_a_source_row_is_hashed_alone_and_missing_once_removed(repo_copy):
    cited, neighbour = "data/sources.csv#T8-02", "data/sources.csv#T8-03"
    before = {entry: data.input_sha256(entry) for entry in (cited, neighbour)}
    assert "missing" not in before.values()
    edit_csv_row(repo_copy, "sources", _source_row(repo_copy, "T8-02"), "title", "A retitled article")
    assert data.input_sha256(cited) != before[cited]
    assert data.input_sha256(neighbour) == before[neighbour], "rewriting the file leaves other rows' hashes alone"
    _edit(repo_copy, "sources", "\nT8-02,", "\nT8-02-removed,")
    assert data.input_sha256(cited) == "missing"


def test_citing_a_source_records_its_row_and_loading_the_table_the_whole_file(tmp_path, monkeypatch):
    log = tmp_path / "reads.txt"
    monkeypatch.setenv(reads.READS_LOG_VARIABLE, str(log))
    data.source("T8-02")
    data.validate_table("report_figures")  # its foreign key to sources is checked, not recorded
    assert set(log.read_text(encoding="utf-8").split()) == {
        "data/datapackage.json#sources",
        "data/sources.csv#T8-02",
        "data/datapackage.json#report_figures",
        "data/report_figures.csv",
    }
    data.load_table("sources")
    assert "data/sources.csv" in log.read_text(encoding="utf-8").split()


def test_editing_a_source_row_makes_stale_only_the_runs_that_cite_it(repo_copy):
    edit_csv_row(repo_copy, "sources", _source_row(repo_copy, "T8-02"), "title", "A retitled article")
    result = call_cli("build", "--dry-run", root=repo_copy)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert sorted(line.split()[1] for line in lines if line.startswith("run ")) == ["ai_compute.en", "ai_compute.ja"]
    assert "run  ai_compute.ja                data changed: data/sources.csv#T8-02" in lines


def test_adding_a_source_row_makes_no_run_stale(repo_copy):
    with open(repo_copy / "data" / "sources.csv", "a", encoding="utf-8") as f:
        f.write("T0-01,,,A publisher,A publisher,A new source,,https://example.org/,2026-01-01,day,,A new fact,")
        f.write("verbatim,,,,\n")
    data.validate_all()  # the new row is a valid source
    assert any(r["source_id"] == "T0-01" for r in data.validate_table("sources"))
    result = call_cli("build", "--dry-run", root=repo_copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"0 of {len(load_registry())} runs would execute into figures/"


def _edit_words(root, catalogue: str, old: str, new: str) -> None:
    path = root / "notebooks" / catalogue
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def _dry_run_runs(root) -> tuple[list[str], list[str]]:
    result = call_cli("build", "--dry-run", root=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    return sorted(line.split()[1] for line in lines if line.startswith("run ")), lines


def test_editing_a_word_reruns_the_runs_that_print_it_in_its_language(repo_copy):
    catalogue = "notebooks/cloud_dependence.labels.yaml"
    _edit_words(repo_copy, "cloud_dependence.labels.yaml", "providers over time", "providers, year by year")
    runs, lines = _dry_run_runs(repo_copy)
    assert runs == ["cloud_dependence.en"], "the Japanese run prints no English title"
    assert f"run  cloud_dependence.en          words changed: {catalogue} (en)" in lines
    _edit_words(repo_copy, "cloud_dependence.labels.yaml", "選定の推移", "選定の経緯")
    runs, lines = _dry_run_runs(repo_copy)
    assert runs == ["cloud_dependence.en", "cloud_dependence.ja"]
    assert f"run  cloud_dependence.ja          words changed: {catalogue} (ja)" in lines


def test_editing_a_shared_word_reruns_only_the_runs_that_print_it(repo_copy):
    _edit_words(repo_copy, "shared.labels.yaml", 'en: "English"', 'en: "in English"')  # the book's, no chart's
    runs, lines = _dry_run_runs(repo_copy)
    assert runs == [] and lines[-1] == f"0 of {len(load_registry())} runs would execute into figures/"
    _edit_words(repo_copy, "shared.labels.yaml", 'en: "Chart: sovereign-ai project."', 'en: "Chart: sovereign-ai."')
    runs, lines = _dry_run_runs(repo_copy)
    printing_a_source_line = [
        "ai_compute",
        "cloud_dependence",
        "local_government",
        "policy_timeline",
        "sovereign_models",
    ]
    assert runs == [f"{notebook}.en" for notebook in printing_a_source_line], "Figures 1 and 2 have their own line"
    assert "run  policy_timeline.en           words changed: notebooks/shared.labels.yaml (en)" in lines


def test_manifest_has_no_timestamps_or_absolute_paths_and_is_sorted():
    text = (FIGURES / "MANIFEST.json").read_text(encoding="utf-8")
    assert "/work/" not in text and "/tmp/" not in text and str(REPO) not in text
    assert not re.search(r"\d\d:\d\d:\d\d", text)
    assert text == manifest.render(json.loads(text)), "written in its canonical, sorted form"


def test_a_second_build_starts_no_kernel(repo_copy):
    code = (
        "import sys; from sovereign_ai.engine.build import build; outcome = build(); "
        "print(outcome.executed, len(outcome.skipped), 'papermill' in sys.modules)"
    )
    # the first build of a checkout reads the notebooks' parameters with papermill once (cached in build/)
    __import__("subprocess").run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = __import__("subprocess").run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    runs = len(load_registry())
    assert result.stdout.strip().endswith(f"[] {runs} False"), result.stdout
    assert f"All {runs} runs are up to date in figures/" in result.stdout


def test_dry_run_names_the_runs_a_data_edit_affects_and_why(repo_copy):
    _edit(repo_copy, "gov_cloud_systems", "1497,T2-01", "1496,T2-01")
    result = call_cli("build", "--dry-run", root=repo_copy)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "run  cloud_dependence.ja          data changed: data/gov_cloud_systems.csv" in lines
    assert "skip four_reasons.ja              up to date" in lines
    assert lines[-1] == f"2 of {len(load_registry())} runs would execute into figures/"


def test_a_parameter_only_some_notebooks_take_is_said_to_apply_to_those(repo_copy, tmp_path):
    result = call_cli("build", "-p", "as_of", "2024-01-01", "--output-dir", str(tmp_path / "v"), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == (
        "Note: -p as_of applies to 2 of 7 notebooks (cloud_dependence, local_government); "
        "the others have no such parameter and build as they are."
    )
    for everyone in ("lang", "show_title", "show_source", "width_mm", "palette"):  # what an author sets for all
        value = {"lang": "en", "width_mm": "89", "palette": "greyscale"}.get(everyone, "False")
        every = call_cli("build", "-p", everyone, value, "--output-dir", str(tmp_path / "v"), "--dry-run")
        assert every.returncode == 0 and "Note:" not in every.stdout, f"every notebook takes {everyone}"


def test_dry_run_refuses_bad_data_as_the_build_would(repo_copy):
    edit_csv_row(repo_copy, "cloud_market_shares", 1, "share_low_pct", "55")  # above its share_high_pct, 50
    result = call_cli("build", "--dry-run", root=repo_copy)
    assert result.returncode == 2, result.stdout
    assert "data/cloud_market_shares.csv, row 1 (line 2), column 'share_low_pct'" in result.stderr
    assert result.stderr.rstrip().endswith("No notebook was run and nothing was written.")
    assert "would execute" not in result.stdout


@pytest.mark.notebooks
def test_editing_one_table_reruns_only_the_runs_that_read_it(fixture_project):
    from sovereign_ai.engine.build import build

    _edit(fixture_project, "squares", "c,三,three,3", "c,三,thirty,3")
    before = snapshot(fixture_project / "figures")
    outcome = build(jobs=1)  # one kernel for both runs
    assert sorted(outcome.executed) == ["squares.en", "squares.ja"]
    after = snapshot(fixture_project / "figures")
    changed = sorted(name for name in after if after[name] != before.get(name))
    assert changed == [
        "MANIFEST.json",
        "squares.en.png",
        "squares.en.svg",
    ], "the Japanese figure does not use the English text"
    assert build().executed == []


@pytest.mark.notebooks
def test_parallel_and_serial_builds_are_byte_identical(tmp_path, fixture_project):
    """The small project's figures/ is its build on two workers (as make figures and make check
    build on every core); one serial build, where one kernel runs both notebooks one after the
    other, compared with it is the comparison of the two. (make check compares the real figures.)"""
    from sovereign_ai.engine.build import stale_reasons

    figures = fixture_project / "figures"
    recorded = manifest.read(figures)
    runs = load_registry()
    assert len({run.notebook for run in runs}) == 2
    assert not any(stale_reasons(run, recorded, figures) for run in runs), "the session's build is current"
    serial = tmp_path / "j1"
    result = run_cli("build", "--force", "-j", "1", "--output-dir", str(serial))
    assert result.returncode == 0, result.stderr
    files = snapshot(serial)
    built = manifest.read(serial)
    assert sorted(built["files"]) == sorted(name for name in files if name != "MANIFEST.json") != []
    for name, entry in built["files"].items():
        assert files[name] == (figures / name).read_bytes(), name
        assert entry == recorded["files"][name], name
    assert built["runs"] == recorded["runs"], "recorded with the same inputs"


@pytest.mark.notebooks
def test_check_fails_after_a_data_edit_and_names_the_affected_figures(fixture_project):
    _edit(fixture_project, "squares", "b,二,two", "b,弐,two")
    before = snapshot(fixture_project / "figures")
    quick = run_cli("check", "--quick", root=fixture_project)
    assert quick.returncode == 1
    assert "stale: squares.ja: data changed: data/squares.csv" in quick.stderr
    assert "counts" not in quick.stderr
    full = run_cli("check", "--only", "squares", "-j", "1", root=fixture_project)  # one kernel
    assert full.returncode == 1
    assert "stale: squares.ja.svg differs from a fresh build" in full.stderr
    assert "squares.en.svg" not in full.stderr, "the English figure does not show the Japanese labels"
    assert snapshot(fixture_project / "figures") == before, "check never writes into figures/"
    areas = sorted(p.name.split("-")[0] for p in (fixture_project / "build" / "outputs").iterdir())
    assert areas == ["figures"], "the rebuild's temporary folder leaves no area (executed notebooks) behind"


def test_check_reports_extra_and_missing_files(repo_copy):
    (repo_copy / "figures" / "old_figure.ja.png").write_bytes(b"not built by anything")
    (repo_copy / "figures" / "four_reasons.en.svg").unlink()
    result = call_cli("check", "--quick", root=repo_copy)
    assert result.returncode == 1
    assert (
        "extra: old_figure.ja.png (no run in figures.yaml writes it, and builds leave it: move it out of "
        "figures/ or delete it)" in result.stderr
    )
    assert "missing: four_reasons.en.svg (listed in MANIFEST.json)" in result.stderr
    assert "stale: four_reasons.en: output four_reasons.en.svg is missing" in result.stderr
    assert "Run `make figures` and commit the result." in result.stderr

    # A stray file alone: `make figures` would leave it, so check does not send the user there
    # (it did, and make test failed until the file was found and removed by hand).
    (repo_copy / "figures" / "four_reasons.en.svg").write_bytes((REPO / "figures" / "four_reasons.en.svg").read_bytes())
    result = call_cli("check", "--quick", root=repo_copy)
    assert result.returncode == 1 and "extra: old_figure.ja.png" in result.stderr
    assert "make figures" not in result.stderr


def test_a_figure_taken_out_of_figures_yaml_is_removed_by_the_next_full_build(repo_copy):
    registry = repo_copy / "figures.yaml"
    text = registry.read_text(encoding="utf-8")
    entry = "four_reasons:\n  notebook: notebooks/four_reasons.ipynb\n  runs:\n    - lang: ja\n    - lang: en\n"
    assert entry in text
    registry.write_text(text.replace(entry, ""), encoding="utf-8")
    files = sorted(p.name for p in (repo_copy / "figures").glob("four_reasons.*"))
    assert len(files) == 10

    quick = call_cli("check", "--quick", root=repo_copy)
    assert quick.returncode == 1
    assert "extra: four_reasons.en.png (its runs are no longer in figures.yaml)" in quick.stderr
    dry = call_cli("build", "--dry-run", root=repo_copy)
    assert "remove four_reasons.ja.pdf: no run in figures.yaml writes it any more" in dry.stdout
    assert "--only" not in dry.stdout and len(list((repo_copy / "figures").glob("four_reasons.*"))) == 10

    only = call_cli("build", "--only", "basic_plan_policies", root=repo_copy)  # --only touches only those
    assert only.returncode == 0 and len(list((repo_copy / "figures").glob("four_reasons.*"))) == 10

    result = call_cli("build", root=repo_copy)  # every other run is current: no kernel
    assert result.returncode == 0, result.stderr
    assert f"Removed 10 files of runs figures.yaml no longer lists from figures/: {', '.join(files)}" in result.stdout
    assert not list((repo_copy / "figures").glob("four_reasons.*"))
    recorded = manifest.read(repo_copy / "figures")["files"]
    assert not [name for name in recorded if name.startswith("four_reasons.")]
    assert call_cli("check", "--quick", root=repo_copy).returncode == 0
    assert not (repo_copy / "build" / "executed").exists() or not list((repo_copy / "build" / "executed").iterdir())


@pytest.mark.notebooks
def test_a_run_renamed_in_figures_yaml_keeps_the_files_it_writes_again(fixture_project):
    """`- lang: ja` written `- {}` (ja is the default) is a new run writing the old run's files:
    the build removed them as the old run's, after writing them, and the manifest listed them."""
    registry = fixture_project / "figures.yaml"
    entry = "squares:\n  notebook: notebooks/squares.ipynb\n  runs:\n    - lang: ja\n"
    text = registry.read_text(encoding="utf-8")
    assert entry in text
    registry.write_text(text.replace(entry, entry.replace("- lang: ja", "- {}")), encoding="utf-8")
    before = snapshot(fixture_project / "figures")
    dry = run_cli("build", "--dry-run", root=fixture_project)
    assert "run  squares " in dry.stdout and "remove" not in dry.stdout, dry.stdout
    result = run_cli("build", root=fixture_project)
    assert result.returncode == 0, result.stderr
    assert "Running 1 of" in result.stdout and "Removed" not in result.stdout
    after = snapshot(fixture_project / "figures")
    assert {name: after.get(name) for name in before if name != "MANIFEST.json"} == {
        name: data for name, data in before.items() if name != "MANIFEST.json"
    }
    recorded = manifest.read(fixture_project / "figures")
    assert recorded["files"]["squares.ja.png"]["runs"] == ["squares"]
    assert "squares" in recorded["runs"] and "squares.ja" not in recorded["runs"], "the old run's record went too"
    assert run_cli("check", "--quick", root=fixture_project).returncode == 0


@pytest.mark.notebooks
def test_a_sweep_runs_a_grid_into_its_own_folder_with_an_index(fixture_project):
    sweep_file = fixture_project / "widths.yaml"
    sweep_file.write_text(
        "notebook: notebooks/counts.ipynb\noutput_dir: sweeps/widths\n"
        "fixed: {lang: en, formats: [png], dpi: 150}\n"
        "grid:\n  width_mm: [89, 120]\n",
        encoding="utf-8",
    )
    result = run_cli("sweep", str(sweep_file), "-j", "1", root=fixture_project)  # one kernel for both runs
    assert result.returncode == 0, result.stderr
    folder = fixture_project / "sweeps" / "widths"
    with open(folder / "index.csv", encoding="utf-8") as f:
        index = list(csv.DictReader(f))
    assert [json.loads(r["parameters"])["width_mm"] for r in index] == [89, 120]
    assert {(r["sweep"], r["notebook"]) for r in index} == {("widths.yaml", "notebooks/counts.ipynb")}
    for row, width in zip(index, ("89", "120")):
        assert f"{row['run']}/counts_total.csv" in row["files"].split()
        with open(folder / row["run"] / "counts_total.csv", encoding="utf-8") as f:
            metrics = {r["metric"]: r["value"] for r in csv.DictReader(f)}
        assert metrics == {"total": "11", "width_mm": width}
    assert not (fixture_project / "figures" / "sweeps").exists()

    # A smaller grid: the folder holds this sweep's runs only, so run_002's files go, with their
    # folder (no kernel: run_001 is current).
    made = index[1]["files"].split()
    sweep_file.write_text(sweep_file.read_text(encoding="utf-8").replace(", 120]", "]"), encoding="utf-8")
    result = run_cli("sweep", str(sweep_file), root=fixture_project)
    assert result.returncode == 0, result.stderr
    assert f"Removed {len(made)} files of runs widths.yaml no longer lists from sweeps/widths/" in result.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["MANIFEST.json", "index.csv", "run_001"]
    assert sorted(manifest.read(folder)["files"]) == sorted(index[0]["files"].split())
    with open(folder / "index.csv", encoding="utf-8") as f:
        assert [row["run"] for row in csv.DictReader(f)] == ["run_001"]

    # A run that re-runs and no longer writes some of its files (PNG for SVG): they go, and the
    # summary says so, as the smaller grid's message does.
    pngs = sorted(p.name for p in (folder / "run_001").glob("*.png"))
    sweep_file.write_text(sweep_file.read_text(encoding="utf-8").replace("[png]", "[svg]"), encoding="utf-8")
    result = run_cli("sweep", str(sweep_file), root=fixture_project)
    assert result.returncode == 0, result.stderr
    assert len(pngs) == 1 and "1 file removed (no run writes it any more)" in result.stdout, result.stdout
    assert not list((folder / "run_001").glob("*.png")) and len(list((folder / "run_001").glob("*.svg"))) == len(pngs)


@pytest.mark.drawing
def test_the_benchmark_baseline_writes_the_same_files_as_the_build(tmp_path):
    """The baseline (make bench) is only a fair comparison if it makes the very same files."""
    from sovereign_ai.engine.baseline import draw_run

    for run in load_registry():
        if run.figure == "sovereign_models" and run.parameters["lang"] == "en":
            draw_run(run, tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(
        f"sovereign_models{part}.en.{kind}"
        for part in ("", "_government_ai")
        for kind in ("caption.txt", "data.csv", "pdf", "png", "svg")
    )
    for name in written:
        assert (tmp_path / name).read_bytes() == (FIGURES / name).read_bytes(), name


def test_only_runs_that_loaded_a_changed_module_are_stale():
    from sovereign_ai.engine.build import stale_reasons

    recorded = manifest.read(FIGURES)
    runs = {r.run_id: r for r in load_registry()}
    assert (
        "sovereign_ai/charts/marks.py" not in recorded["runs"]["four_reasons.ja"]["inputs"]["package"]["modules_sha256"]
    ), "Figure 1 does not load the chart marks"
    assert "sovereign_ai/engine/site.py" not in json.dumps(recorded), "no run loads the gallery module"
    # pretend marks.py was different when the cloud charts were built
    for record in recorded["runs"].values():
        modules = record["inputs"]["package"]["modules_sha256"]
        if "sovereign_ai/charts/marks.py" in modules:
            modules["sovereign_ai/charts/marks.py"] = "0" * 64
    assert stale_reasons(runs["cloud_dependence.ja"], recorded, FIGURES) == [
        "package code changed: sovereign_ai/charts/marks.py"
    ]
    assert stale_reasons(runs["four_reasons.ja"], recorded, FIGURES) == []


def test_a_bad_row_that_no_run_reads_yet_stops_even_an_up_to_date_build(repo_copy):
    with open(repo_copy / "data" / "sources.csv", "a", encoding="utf-8") as f:
        f.write("NEW-1\n")  # one cell where the header has many
    result = call_cli("build", root=repo_copy)
    assert result.returncode == 2, result.stdout
    assert "data/sources.csv, row" in result.stderr and "cells; the header has" in result.stderr


def _stage(staging_root, run, parts, marker):
    """A run's files as its notebook would leave them in its staging folder (no kernel): a PDF, caption
    and source data for each chart part, and the notebook's metrics table."""
    folder = staging_root / run.run_id
    folder.mkdir(parents=True)
    for part in parts:
        stem = f"{run.figure}_{part}.en"
        (folder / f"{stem}.pdf").write_text(f"{marker} {part}", encoding="utf-8")
        (folder / f"{stem}.caption.txt").write_text(f"{part}\n", encoding="utf-8")
        (folder / f"{stem}.data.csv").write_text("label,value,unit,date,source_id\nx,1,-,2025,T8-02\n")
    (folder / f"{run.figure}_metrics.csv").write_text(f"metric,value\n{marker},1\n", encoding="utf-8")


def test_a_build_of_one_chart_keeps_the_other_charts_and_the_record_they_were_built_with(tmp_path):
    """A run that saved one chart (build --only <figure>_<chart>) with other inputs than the run's
    other files is recorded beside their record, which they keep; the run is stale as a whole, the
    chart alone is current; a build of the whole run leaves one record again."""
    from dataclasses import replace

    from sovereign_ai.engine.build import Outcome, _publish, stale_reasons

    out, area, staging = tmp_path / "out", tmp_path / "area", tmp_path / "staging"
    out.mkdir()
    area.mkdir()
    cloud = next(r for r in load_registry() if r.run_id == "cloud_dependence.en")
    whole = replace(cloud, parameters={"lang": "en", "formats": ["pdf"]})
    parts = ["roster", "concentration", "market", "deficit", "scenarios"]
    recorded = manifest.read(out)
    _stage(staging / "1", whole, parts, "whole")
    _publish([whole], staging / "1", out, recorded, Outcome(), area)
    before = snapshot(out)
    assert list(manifest.read(out)["runs"]) == ["cloud_dependence.en"] and stale_reasons(whole, recorded, out) == []

    narrower = replace(whole, parameters={**whole.parameters, "width_mm": 120.0}, charts=("concentration",))
    _stage(staging / "2", narrower, ["concentration"], "narrower")
    outcome = Outcome()
    _publish([narrower], staging / "2", out, recorded, outcome, area)
    assert sorted(p.name for p in outcome.written) == [
        f"cloud_dependence_concentration.en.{k}" for k in ("caption.txt", "data.csv", "pdf")
    ]
    after = snapshot(out)
    assert {n for n in after if after[n] != before.get(n)} == {"MANIFEST.json", "cloud_dependence_concentration.en.pdf"}
    assert set(after) == set(before), "no file of the other charts, nor the metrics table, is removed"
    body = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))
    assert body == manifest.read(out) == recorded
    earlier = next(key for key in body["runs"] if key != "cloud_dependence.en")
    assert manifest.run_of(earlier) == "cloud_dependence.en" and "charts" not in body["runs"][earlier]
    assert body["runs"]["cloud_dependence.en"]["charts"] == ["concentration"]
    assert body["runs"]["cloud_dependence.en"]["inputs"]["parameters"]["width_mm"] == 120.0
    assert body["runs"][earlier]["inputs"]["parameters"]["width_mm"] == 183.0
    for name, entry in body["files"].items():
        chart = name.startswith("cloud_dependence_concentration.")
        assert entry["runs"] == (["cloud_dependence.en"] if chart else [earlier]), name
    assert stale_reasons(narrower, recorded, out) == []
    assert stale_reasons(replace(narrower, charts=()), recorded, out) == [
        "parameters changed: width_mm",
        "only its chart cloud_dependence_concentration built",
    ]

    wider = replace(narrower, charts=())
    _stage(staging / "3", wider, parts, "wider")
    _publish([wider], staging / "3", out, recorded, Outcome(), area)
    body = manifest.read(out)
    assert list(body["runs"]) == ["cloud_dependence.en"] and "charts" not in body["runs"]["cloud_dependence.en"]
    assert {key for entry in body["files"].values() for key in entry["runs"]} == {"cloud_dependence.en"}
    assert stale_reasons(wider, body, out) == []
