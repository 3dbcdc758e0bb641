"""Bad input and misplaced outputs are refused before any kernel starts, with a message naming
the place, exit code 2, and figures/ plus MANIFEST.json byte-identical afterwards."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sovereign_ai import paths
from sovereign_ai.engine.build import BuildError, Run, load_registry, plan

from conftest import FAST, ONE_RUN, REPO, SMALL, call_cli, mounted, run_build, run_cli, snapshot, untouched


def refused(root, *args, expected: str, code: int = 2):
    """Run the command in the repository copy at root (in this process: a refusal starts no kernel)
    and check it refused cleanly before any kernel."""
    before = untouched(root / "figures")
    result = call_cli(*args, root=root)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert untouched(root / "figures") == before, "nothing in figures/ was written, replaced, added or removed"
    executed = root / "build" / "executed"
    assert not executed.exists() or not any(executed.iterdir()), "no kernel started"
    return result


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# ---- Outputs go only where they belong -----------------------------------------------------------


def test_overrides_without_an_output_folder_are_refused(repo_copy):
    expected = (
        "-p overrides make variants, and figures/ holds only what figures.yaml lists; "
        "give them a folder of their own with --output-dir"
    )
    variant = (*FAST, "-p", "width_mm", "89")  # -p formats png alone picks from what the runs write
    refused(repo_copy, "build", *variant, expected=expected)
    refused(repo_copy, "build", *variant, "--output-dir", str(repo_copy / "figures"), expected=expected)
    # on macOS and Windows, Figures/ is figures/: the variant's manifest would replace the shipped one
    expected = expected.replace("figures/ holds", "Figures/ holds")
    refused(repo_copy, "build", *FAST, "--output-dir", str(repo_copy / "Figures"), expected=expected)
    refused(repo_copy, "build", *variant, "--output-dir", str(repo_copy / "Figures"), expected=expected)


@pytest.mark.parametrize(
    "folder, expected",
    [
        ("data", "the output folder data/ is a folder of the repository's tracked files"),
        ("notebooks", "the output folder notebooks/ is a folder of the repository's tracked files"),
        ("src", "the output folder src/ is a folder of the repository's tracked files"),
        ("tests", "the output folder tests/ is a folder of the repository's tracked files"),
        (
            "docs/variants",
            "the output folder docs/variants/ is inside docs/, a folder of the repository's tracked files",
        ),
        ("sweeps", "the output folder sweeps/ is a folder of the repository's tracked files"),
        (".ci", "the output folder .ci/ is a folder of the repository's tracked files"),
        (".", "the output folder ./ holds the repository itself"),
        ("..", "holds the repository itself"),
        ("figures/variants", "the output folder figures/variants/ is inside figures/"),
        # folders the project's commands make and replace or remove whole
        (".venv/lib", "the output folder .venv/lib/ is in .venv/, the environment `make` creates"),
        ("site", "the output folder site/ is in site/, the gallery, which `make site` replaces whole"),
        ("handout/x", "the output folder handout/x/ is in handout/, the students' copy, which `make clean` removes"),
        ("build", "the output folder build/ is the build's working folder or one of its own in it"),
        ("build/outputs", "the output folder build/outputs/ is the build's working folder or one of its own in it"),
        ("build/check-mine", "the output folder build/check-mine/ is the build's working folder or one of its own"),
        (".VENV", "the output folder .VENV/ is in .venv/"),  # the same folder on macOS and Windows
        ("Build/Outputs", "the output folder Build/Outputs/ is the build's working folder"),
        ("Data", "the output folder Data/ is a folder of the repository's tracked files"),
        ("DOCS/x", "the output folder DOCS/x/ is inside docs/, a folder of the repository's tracked files"),
        ("Figures/variants", "the output folder Figures/variants/ is inside figures/"),
        (".site.old-1", "the output folder .site.old-1/ has the name of a temporary folder the project's commands"),
    ],
)
def test_an_output_folder_holding_the_repositorys_files_is_refused(repo_copy, folder, expected):
    refused(repo_copy, "build", *FAST, "--output-dir", str(repo_copy / folder), expected=expected)
    assert not (repo_copy / folder / "four_reasons.ja.png").exists()


def test_an_output_folder_inside_another_builds_folder_is_refused(repo_copy):
    """A build into a sweep's run_002/: the sweep later replaced its files, then removed them,
    and its manifest listed files that were gone."""
    sweep = repo_copy / "variants" / "sw"
    (sweep / "run_002").mkdir(parents=True)
    (sweep / "MANIFEST.json").write_text('{"format_version": 1, "files": {}}\n', encoding="utf-8")
    expected = (
        "the output folder variants/sw/run_002/ is inside variants/sw/, which holds another build's files "
        "(its MANIFEST.json): their builds would replace each other's files"
    )
    refused(repo_copy, "build", *FAST, "--output-dir", str(sweep / "run_002"), expected=expected)
    assert sorted(p.name for p in (sweep / "run_002").iterdir()) == []


@pytest.mark.parametrize("output_dir", ["figures", "figures/", "./figures", "figures/sweep"])
def test_a_sweep_into_figures_is_refused(repo_copy, output_dir):
    sweep = repo_copy / "into_figures.yaml"
    sweep.write_text(
        f"notebook: notebooks/four_reasons.ipynb\noutput_dir: {output_dir}\ngrid:\n  lang: [en]\n", encoding="utf-8"
    )
    result = refused(repo_copy, "sweep", str(sweep), expected="into_figures.yaml, line 2: ")
    assert "figures/, which holds only what figures.yaml lists" in result.stderr


def test_a_figure_name_that_is_a_path_is_refused_and_nothing_is_written_outside(repo_copy):
    with open(repo_copy / "figures.yaml", "a", encoding="utf-8") as f:
        f.write("\n../../../x:\n  notebook: notebooks/four_reasons.ipynb\n  runs:\n    - lang: en\n")
    outside = sorted(repo_copy.parent.iterdir())
    refused(
        repo_copy,
        "build",
        expected=f"figures.yaml, line {len((REPO / 'figures.yaml').read_text(encoding='utf-8').splitlines()) + 2}, "
        "figure '../../../x': a figure name may hold only "
        "lower-case letters, digits and '_'",
    )
    assert sorted(repo_copy.parent.iterdir()) == outside


def test_a_figure_named_like_another_figures_chart_is_refused(repo_copy):
    """cloud_dependence_roster would write cloud_dependence's roster chart's files: the build
    replaced them with Figure 1, and the manifest named two runs for them."""
    with open(repo_copy / "figures.yaml", "a", encoding="utf-8") as f:
        f.write("\ncloud_dependence_roster:\n  notebook: notebooks/four_reasons.ipynb\n  runs:\n    - lang: en\n")
    expected = (
        "figure 'cloud_dependence_roster': its files could have the names of figure 'cloud_dependence''s charts "
        "(cloud_dependence_<chart>.<lang>.<format>) and replace them; choose a name that does not begin with "
        "'cloud_dependence_'"
    )
    refused(repo_copy, "build", expected=expected)


def test_a_missing_figures_folder_is_named_by_check_and_site(repo_copy):
    """They stopped with "[Errno 2] No such file or directory: '.../figures'"."""
    shutil.rmtree(repo_copy / "figures")
    for args in (("check", "--quick"), ("check", "-j", "1")):  # nothing to rebuild and compare with: no kernel
        result = call_cli(*args, root=repo_copy)
        assert result.returncode == 1, result.stderr
        assert "stale: four_reasons.ja: not built yet in figures/" in result.stderr
        assert "Run `make figures`" in result.stderr and "Errno" not in result.stderr
    result = call_cli("site", root=repo_copy)
    assert result.returncode == 2
    assert "error: figures/ does not exist: run `make figures` first, which builds it." in result.stderr
    assert not (repo_copy / "figures").exists() and not (repo_copy / "site").exists()
    # nor does handout write students a copy without figures (it did, silently)
    for item in ("src", "README.md", "Makefile"):
        source = REPO / item
        shutil.copytree(source, repo_copy / item) if source.is_dir() else shutil.copy2(source, repo_copy / item)
    result = call_cli("handout", str(repo_copy.parent / "class"), root=repo_copy)
    assert result.returncode == 2 and "error: figures/ is not a folder of figures: run `make figures` first" in (
        result.stderr
    )
    assert not (repo_copy.parent / "class").exists()


def test_labels_and_figure_names_given_through_the_api_are_checked():
    notebook = REPO / "notebooks" / "four_reasons.ipynb"
    with pytest.raises(BuildError, match=r"the label '\.\./x' may hold only lower-case letters"):
        plan([Run("four_reasons", notebook, {"lang": "en"}, label="../x", subdir="x")], {})
    with pytest.raises(BuildError, match=r"the figure name 'Four reasons' may hold only"):
        plan([Run("Four reasons", notebook, {"lang": "en"})], {})


def test_an_output_folder_that_is_a_file_is_refused(repo_copy, tmp_path):
    blocker = tmp_path / "variants"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    refused(
        repo_copy,
        "build",
        *FAST,
        "--output-dir",
        str(blocker / "a"),
        expected=f"the output folder {blocker}/a/ cannot be made: {blocker} is a file, not a folder",
    )
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write into any folder")
def test_an_output_folder_without_permission_is_refused(repo_copy, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        refused(
            repo_copy,
            "build",
            *FAST,
            "--output-dir",
            str(locked),
            expected=f"cannot write into the output folder {locked}/: Permission denied",
        )
    finally:
        locked.chmod(0o755)


def test_an_output_folder_on_a_read_only_file_system_is_refused(repo_copy, tmp_path):
    with mounted(tmp_path / "ro", "ro", "size=1m") as folder:
        refused(
            repo_copy,
            "build",
            *FAST,
            "--output-dir",
            str(folder),
            expected=f"cannot write into the output folder {folder}/: Read-only file system",
        )


def test_refreshing_read_only_notebooks_is_refused_before_any_kernel(repo_copy):
    with mounted(repo_copy / "notebooks", "ro", bind=True):
        refused(
            repo_copy,
            "refresh-notebooks",
            expected="cannot write into the output folder notebooks/: Read-only file system\nNothing was run.",
        )


def test_an_output_folder_behind_a_broken_link_is_named_as_such(repo_copy, tmp_path):
    (repo_copy / "variants").mkdir()
    (repo_copy / "variants" / "journal").symlink_to(tmp_path / "unmounted")
    expected = (
        "the output folder variants/journal/2026/ cannot be made: variants/journal is a symbolic link to "
        f"{tmp_path / 'unmounted'}, which does not exist"
    )
    refused(repo_copy, "build", "-p", "lang", "en", "--output-dir", "variants/journal/2026", expected=expected)


def test_an_output_folder_behind_a_looping_link_is_refused(repo_copy):
    (repo_copy / "variants").mkdir()
    (repo_copy / "variants" / "loop").symlink_to("loop")
    expected = "the output folder variants/loop/x/ cannot be used: a symbolic link on its path leads to itself"
    refused(repo_copy, "build", "-p", "lang", "en", "--output-dir", "variants/loop/x", expected=expected)


def test_an_output_folder_name_too_long_for_the_file_system_is_refused(repo_copy):
    (repo_copy / "variants").mkdir()  # so that looking the name up fails on its length, not on its parent
    name = "variants/" + "a" * 300  # above the 255 bytes a name may have on common file systems
    expected = "the output folder's name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... is 300 bytes long, more than the 255"
    refused(repo_copy, "build", "-p", "lang", "en", "--output-dir", name, expected=expected)


def test_output_piped_into_a_reader_that_leaves_ends_quietly():
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line, as `| head -0` would
    result = subprocess.run(
        [sys.executable, "-m", "sovereign_ai", "params", "notebooks/cloud_dependence.ipynb"],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
    )
    os.close(write_end)
    assert (result.returncode, result.stderr) == (141, ""), "SIGPIPE's code, and no error message"


def test_a_dry_run_into_a_new_folder_leaves_nothing_behind(repo_copy):
    result = call_cli("build", "--dry-run", "-p", "lang", "en", "--output-dir", "variants/new", root=repo_copy)
    assert result.returncode == 0, result.stderr
    assert not (repo_copy / "variants").exists()
    outputs = repo_copy / "build" / "outputs"
    assert not outputs.exists() or not [p for p in outputs.iterdir() if "variants_new" in p.name], "no area"


def test_an_output_folder_whose_name_is_not_utf8_is_planned_without_a_traceback(repo_copy):
    import subprocess
    import sys

    command = [sys.executable, "-m", "sovereign_ai", "build", "--dry-run", "-p", "lang", "en", "--output-dir"]
    result = subprocess.run([*command, "variants/bad\udcff"], capture_output=True, cwd=repo_copy, timeout=60)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr  # the name is byte 0xff


@pytest.mark.notebooks
def test_a_variant_build_works_from_a_read_only_repository(fixture_project, tmp_path):
    out = tmp_path / "variants"
    if os.geteuid() == 0:
        context = mounted(fixture_project, "ro", bind=True)
    else:
        subprocess.run(["chmod", "-R", "a-w", str(fixture_project)], check=True)
        context = _RestoringWrite(fixture_project)
    with context:
        before = snapshot(fixture_project)
        result = run_build("build", *SMALL, "--output-dir", str(out), root=fixture_project)
        assert result.returncode == 0, result.stderr
        assert snapshot(fixture_project) == before
    said = re.search(
        r"build/ cannot be written \(a read-only repository\?\): working in (\S+) instead\.", result.stdout
    )
    assert said, result.stdout
    shutil.rmtree(said.group(1), ignore_errors=True)
    captions = [f"squares.{lang}.caption.txt" for lang in ("en", "ja")]
    assert sorted(snapshot(out)) == sorted(["MANIFEST.json", *captions, "squares.en.png", "squares.ja.png"])


class _RestoringWrite:
    def __init__(self, root):
        self.root = root

    def __enter__(self):
        return self.root

    def __exit__(self, *exc):
        subprocess.run(["chmod", "-R", "u+w", str(self.root)], check=True)


def test_duplicate_list_values_on_the_command_line_are_merged(capsys):
    from sovereign_ai.cli import _overrides

    notebooks = sorted({r.notebook for r in load_registry()})
    assert _overrides([["shift_to_domestic", "0.1,0.1,0.5"]], notebooks) == {"shift_to_domestic": [0.1, 0.5]}
    assert (
        "note: -p shift_to_domestic 0.1,0.1,0.5: a value is given more than once; using [0.1, 0.5]"
        in capsys.readouterr().err
    )


def test_duplicate_list_values_in_a_sweep_are_refused(repo_copy):
    sweep = repo_copy / "twice.yaml"
    sweep.write_text(
        "notebook: notebooks/cloud_dependence.ipynb\noutput_dir: build/sweeps/twice\n"
        "grid:\n  shift_to_domestic: [[0.1, 0.1]]\n",
        encoding="utf-8",
    )
    refused(repo_copy, "sweep", str(sweep), expected="parameter 'shift_to_domestic' lists 0.1 more than once")


# ---- Messages, never tracebacks -----------------------------------------------------------------


def test_a_manifest_with_merge_conflict_markers_says_how_to_recover(repo_copy):
    path = repo_copy / "figures" / "MANIFEST.json"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join([*lines[:3], "<<<<<<< HEAD\n", *lines[3:6], "=======\n", *lines[3:6], ">>>>>>> other\n", *lines[6:]]),
        encoding="utf-8",
    )
    for command in (("build",), ("build", "--only", "four_reasons", "--force"), ("check", "--quick")):
        result = refused(repo_copy, *command, expected="figures/MANIFEST.json, line 4: has git's merge-conflict marker")
        assert "rebuild with `python -m sovereign_ai build --force`" in result.stderr


def test_a_manifest_whose_run_records_lack_an_input_is_named_not_a_traceback(repo_copy):
    path = repo_copy / "figures" / "MANIFEST.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    del body["runs"]["four_reasons.en"]["inputs"]["environment"]  # as a merge resolved by hand may leave it
    path.write_text(json.dumps(body), encoding="utf-8")
    for command in (("build", "--dry-run"), ("check", "--quick")):
        result = refused(
            repo_copy, *command, expected="run 'four_reasons.en' records no 'environment' among its inputs"
        )
        assert "rebuild with `python -m sovereign_ai build --force`" in result.stderr


@pytest.mark.notebooks
def test_a_full_forced_build_rewrites_an_unreadable_manifest(fixture_project):
    (fixture_project / "figures.yaml").write_text(
        "squares:\n  notebook: notebooks/squares.ipynb\n  runs:\n    - lang: en\n",  # one run, one kernel
        encoding="utf-8",
    )
    path = fixture_project / "figures" / "MANIFEST.json"
    path.write_text("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> other\n", encoding="utf-8")
    result = run_cli("build", "--force", root=fixture_project)
    assert result.returncode == 0, result.stderr
    files = json.loads(path.read_text(encoding="utf-8"))["files"]
    assert sorted(files) == [f"squares.en.{fmt}" for fmt in ("caption.txt", "png", "svg")]


@pytest.mark.parametrize(
    "edit, expected",
    [
        (("    - lang: en\n", "    - lang: en\n   oops: [1\n"), "figures.yaml, line 13: not valid YAML"),
        (
            ("    - lang: en\n", "    - !!python/object/apply:os.system ['touch pwned']\n"),
            "figures.yaml, line 12: the YAML tag !!python/object/apply:os.system is not allowed",
        ),
        (
            ("  runs:\n    - lang: ja\n", "  runs:\n    - !!binary aGk=\n"),
            "figures.yaml, line 11: the YAML tag !!binary is not allowed",
        ),
        (
            ("    - lang: en\n", "    - en\n"),
            "figures.yaml, line 12, figure 'four_reasons': run 2 is 'en'; write each run as parameters and values, "
            "e.g. '- lang: en'",
        ),
        (
            ("notebooks/four_reasons.ipynb", "data/sources.csv"),
            "figures.yaml, line 9: data/sources.csv is not a Jupyter notebook (a .ipynb file)",
        ),
        (  # YAML keeps the last of two equal keys, silently dropping a figure or a parameter
            ("basic_plan_policies:\n", "four_reasons:\n"),
            "figures.yaml, line 14: 'four_reasons' is given twice (also on line 8); keep one",
        ),
        (
            ("    - lang: en\n", "    - lang: en\n      lang: ja\n"),
            "figures.yaml, line 13: 'lang' is given twice (also on line 12); keep one",
        ),
        (  # an alias of an alias of ... grows a few lines into gigabytes
            ("  runs:\n    - lang: ja\n", "  runs:\n    - &ja {lang: ja}\n    - *ja\n"),
            "figures.yaml, line 11: YAML anchors and aliases (&name, *name) are not allowed",
        ),
        (
            ("    - lang: en\n", "    - lang: en\n      <<: {lang: ja}\n"),
            "figures.yaml, line 13: YAML merge keys (<<) are not allowed",
        ),
        (("    - lang: en\n", "    - lang: en\x1b\n"), "figures.yaml, line 12: not valid YAML: the character #x001b"),
    ],
)
def test_a_broken_figures_yaml_is_named_with_its_line(repo_copy, edit, expected):
    _edit(repo_copy / "figures.yaml", *edit)
    refused(repo_copy, "build", expected=expected)
    assert not (repo_copy / "pwned").exists()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("notebook: notebooks/cloud_dependence.ipynb\ngrid:\n  as_of: [2022-01-01\n", "s.yaml, line 4: not valid YAML"),
        (
            "notebook: !!python/name:os.system\ngrid: {as_of: [2022-01-01]}\n",
            "s.yaml, line 1: the YAML tag !!python/name:os.system is not allowed",
        ),
        (
            "notebook: data/sources.csv\ngrid: {as_of: [2022-01-01]}\n",
            "s.yaml, line 1: data/sources.csv is not a Jupyter notebook",
        ),
        ("- notebook: notebooks/cloud_dependence.ipynb\n", "s.yaml: expected 'notebook:', 'grid:'"),
        (
            "notebook: notebooks/cloud_dependence.ipynb\ngrid: {as_of: 2022-01-01}\n",
            "s.yaml, line 2: 'grid:' must map each parameter to a non-empty list of values",
        ),
        (
            "notebook: notebooks/cloud_dependence.ipynb\ngrid: {as_of: [2022-01-01]}\ngrid: {lang: [en]}\n",
            "s.yaml, line 3: 'grid' is given twice (also on line 2); keep one",
        ),
        (  # the grid's value replaced the fixed one, silently
            "notebook: notebooks/four_reasons.ipynb\nfixed: {lang: ja}\ngrid:\n  lang: [en]\n",
            "s.yaml, line 4: parameter 'lang' is in both 'fixed:' and 'grid:'; keep one",
        ),
        (  # two identical runs
            "notebook: notebooks/four_reasons.ipynb\ngrid:\n  lang: [en, ja, en]\n",
            "s.yaml, line 3: 'grid:' lists 'lang' \"en\" twice; each value makes one run, so give it once",
        ),
        (  # a misspelt fixed: ran with the defaults, silently
            "notebook: notebooks/four_reasons.ipynb\ngrid: {width_mm: [89]}\nfixd: {lang: en}\n",
            "s.yaml, line 3: 'fixd' is not a key of a sweep; expected 'notebook:', 'grid:', 'fixed:', 'output_dir:'",
        ),
        (  # a NUL byte stopped the command with a traceback (embedded null byte)
            'notebook: notebooks/four_reasons.ipynb\ngrid: {lang: [en]}\noutput_dir: "variants/a\\0b"\n',
            "s.yaml, line 3: 'output_dir:' must be a folder path (and has no control characters)",
        ),
    ],
)
def test_a_broken_sweep_file_is_named_with_its_line(repo_copy, text, expected):
    (repo_copy / "s.yaml").write_text(text, encoding="utf-8")
    refused(repo_copy, "sweep", str(repo_copy / "s.yaml"), expected=expected)


@pytest.mark.parametrize(
    "target, expected",
    [
        ("data/sources.csv", "data/sources.csv is not a Jupyter notebook (a .ipynb file)"),
        ("data", "data is not a Jupyter notebook (a .ipynb file)"),
        ("notebooks/missing.ipynb", "notebooks/missing.ipynb does not exist"),
        ("fake.ipynb", "fake.ipynb is not a Jupyter notebook papermill can run: it is not JSON (line 1"),
        ("cells.ipynb", "cells.ipynb is not a Jupyter notebook papermill can run: it has no list of cells"),
    ],
)
def test_params_given_something_that_is_not_a_notebook(data_copy, target, expected):
    (data_copy / "fake.ipynb").write_text("lang = 'en'\n", encoding="utf-8")
    (data_copy / "cells.ipynb").write_text('{"nbformat": 4}', encoding="utf-8")
    refused(data_copy, "params", str(data_copy / target), expected=expected)


@pytest.mark.parametrize("command", [("build",), ("validate",), ("check", "--quick")])
def test_an_invalid_datapackage_json_is_named_with_its_line(repo_copy, command):
    _edit(repo_copy / "data" / "datapackage.json", '"resources": [', '"resources": [,')
    line = next(
        i
        for i, text in enumerate((repo_copy / "data" / "datapackage.json").read_text().splitlines(), 1)
        if '"resources": [,' in text
    )
    refused(repo_copy, *command, expected=f"data/datapackage.json, line {line}, column ")


def test_refreshing_a_notebook_that_does_not_exist_names_the_notebooks(repo_copy):
    before = snapshot(repo_copy / "notebooks")
    refused(
        repo_copy,
        "refresh-notebooks",
        "four_reasons",
        "four_reason",
        expected="error: no notebook named four_reason; notebooks: ai_compute, basic_plan_policies, ",
    )
    assert snapshot(repo_copy / "notebooks") == before, "not even the notebooks that exist were run"


def test_a_bad_override_is_said_once_for_all_runs(repo_copy):
    expected = "error: parameter 'lang': 'fr' is not allowed; expected \"ja\" or \"en\"\nNo notebook was run"
    result = refused(repo_copy, "build", "-p", "lang", "fr", expected=expected)
    assert "four_reasons.ja" not in result.stderr, "not as the first run's problem"


def test_a_parameter_given_twice_is_refused_rather_than_the_last_kept(repo_copy):
    expected = "parameter 'lang' is given twice (-p lang en, -p lang ja); give it once"
    refused(repo_copy, "build", "-p", "lang", "en", "-p", "lang", "ja", "--output-dir", "variants/x", expected=expected)


@pytest.mark.parametrize(("folder", "said"), [(" ", "' ' is not a folder name"), ("out ", "'out ' begins or ends")])
def test_a_blank_folder_name_or_one_with_a_stray_space_is_refused(repo_copy, folder, said):
    refused(repo_copy, "build", "-p", "lang", "en", "--output-dir", folder, expected=f"argument --output-dir: {said}")
    assert not (repo_copy / folder).exists()


@pytest.mark.parametrize("jobs", ["0", "-3", "two", "２"])
def test_a_worker_count_below_one_is_refused(repo_copy, jobs):
    expected = f"argument -j/--jobs: {jobs!r} is not allowed; expected a whole number of workers, 1 or more"
    refused(repo_copy, "build", "-j", jobs, expected=expected)


def test_a_sweep_may_not_set_what_the_build_sets_for_each_run(repo_copy):
    sweep = repo_copy / "named.yaml"
    sweep.write_text("notebook: notebooks/cloud_dependence.ipynb\ngrid:\n  as_of: [2024-10-31]\n  name: [x]\n")
    expected = "named.yaml, line 4: parameter 'name' is set by the build for each run"
    refused(repo_copy, "sweep", str(sweep), expected=expected)


def test_a_figure_run_may_not_set_what_the_build_sets(repo_copy):
    registry = repo_copy / "figures.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("- lang: en", "- lang: en\n      name: other", 1), encoding="utf-8")
    expected = "parameter 'name' is set by the build (the figure's name, and figures/); remove it"
    refused(repo_copy, "build", "--dry-run", expected=expected)


def test_only_given_twice_builds_both(repo_copy):
    result = call_cli("build", "--dry-run", "--force", "--only", "four_reasons", "--only", "ai_compute", root=repo_copy)
    assert result.returncode == 0, result.stderr
    assert "four_reasons.en" in result.stdout and "ai_compute.en" in result.stdout, result.stdout


def test_a_date_the_calendar_lacks_in_a_sweep_is_named_by_its_line(repo_copy):
    sweep = repo_copy / "leap.yaml"
    sweep.write_text("notebook: notebooks/cloud_dependence.ipynb\ngrid:\n  as_of: [2024-10-31, 2025-02-30]\n")
    expected = "leap.yaml, line 3: 2025-02-30 is not a date in the calendar (day is out of range for month)"
    refused(repo_copy, "sweep", str(sweep), expected=expected)


def test_every_parameter_a_notebook_declares_can_be_given_with_p(repo_copy):
    result = call_cli("build", "--dry-run", "-p", "show_source", "false", "--output-dir", "variants/x", root=repo_copy)
    assert result.returncode == 0, result.stderr  # show_source had no rule, so -p refused it


def test_ctrl_c_in_a_tool_the_command_runs_is_the_tools_to_report():
    """make lab, make test: Ctrl-C reaches the tool (JupyterLab, pytest), which says what it did;
    the command does not add that it was interrupted before writing anything."""
    import signal
    import subprocess
    import sys
    import urllib.request

    tool = "import sys; from sovereign_ai import cli; sys.exit(cli._run('http.server', '0', '--bind', '127.0.0.1'))"
    process = subprocess.Popen(
        [sys.executable, "-c", tool],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),  # the tool's line that it is serving, at once
        # Ctrl-C as a terminal delivers it: a suite started as a shell's background job (make bench &)
        # inherits SIGINT ignored, which the tool would inherit in turn
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Once the tool answers a request, it is serving and the command is waiting for it. (A fixed pause
    # of 1.5 s was too short on a busy machine: the Ctrl-C came while the command itself was starting.)
    serving = process.stdout.readline()
    assert serving.startswith("Serving HTTP on"), serving + process.stderr.read()
    port = re.search(r" port (\d+) ", serving).group(1)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60) as answer:
        assert answer.status == 200
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
    stdout, stderr = process.communicate(timeout=60)
    assert "Keyboard interrupt received" in stderr + stdout, "the tool had it"
    assert "Interrupted" not in stderr and "Traceback" not in stderr, stderr


def test_root_must_be_a_checkout_and_names_files_from_any_folder(repo_copy, tmp_path):
    import subprocess
    import sys

    def from_elsewhere(*args):
        command = [sys.executable, "-m", "sovereign_ai", *args]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)

    missing = from_elsewhere("--root", str(tmp_path / "nope"), "refresh-notebooks")
    assert (missing.returncode, missing.stderr) == (
        2,
        f"error: --root {tmp_path / 'nope'} is not a checkout of this project (it has no figures.yaml)\n",
    )
    assert not (tmp_path / "nope").exists(), "nothing made there"
    params = from_elsewhere("--root", str(repo_copy), "params", "notebooks/four_reasons.ipynb")
    assert params.returncode == 0 and params.stdout.startswith("Parameters of notebooks/four_reasons.ipynb:")


def test_exit_codes_follow_one_convention(repo_copy):
    assert run_cli("build", "--no-such-option", root=repo_copy).returncode == 2, "argparse: usage"
    assert run_cli("build", "-p", "lang", "fr", root=repo_copy).returncode == 2, "refused parameter"
    assert run_cli("build", "--only", "nope", root=repo_copy).returncode == 2, "unknown figure"
    assert run_cli("sweep", str(repo_copy / "missing.yaml"), root=repo_copy).returncode == 2, "missing file"
    (repo_copy / "figures" / "four_reasons.ja.png").write_bytes(b"edited")
    assert run_cli("check", "--quick", root=repo_copy).returncode == 1, "figures/ not current: a failed check"


def test_the_readme_ends_with_what_is_refused_and_what_recovers():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.rindex("\n## ") :]
    assert section.startswith("\n## Bad input and failures\n")
    for words in ("exit code", "130", "refused", "recovers", "MANIFEST.json", "--output-dir", "lock"):
        assert words in section, words


def test_sweep_labels_are_plain_names():
    """A sweep labels its runs run_001, run_002, ...: names that pass the same check as figure names."""
    from sovereign_ai.engine.build import load_sweep

    runs, _ = load_sweep(paths.repo_root() / "sweeps" / "as_of.yaml")
    assert [r.label for r in runs[:2]] == ["run_001", "run_002"]
    assert all(re.fullmatch(r"[a-z0-9_]+", r.label) for r in runs)


@pytest.mark.notebooks
def test_an_output_folder_written_with_dot_dot_gets_the_files(fixture_project):
    """../variants beside the repository: the files written there came back from the system without
    the "..", and the build stopped with a traceback after its kernel had run, leaving a temporary file."""
    result = run_build("build", *SMALL, *ONE_RUN, "--output-dir", "notebooks/../../beside", root=fixture_project)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    beside = fixture_project.parent / "beside"
    assert sorted(p.name for p in beside.iterdir()) == [
        "MANIFEST.json",
        "squares.en.caption.txt",
        "squares.en.png",
    ]


def test_two_sweep_files_of_one_name_do_not_share_the_default_folder(repo_copy):
    """a/x.yaml and b/x.yaml both defaulted to build/sweeps/x/: the second replaced the first's results."""
    folder = repo_copy / "build" / "sweeps" / "x"
    folder.mkdir(parents=True)
    (folder / "index.csv").write_text("run,sweep,notebook,parameters,files\nrun_001,a/x.yaml,,{},\n", encoding="utf-8")
    (repo_copy / "b").mkdir()
    (repo_copy / "b" / "x.yaml").write_text("notebook: notebooks/four_reasons.ipynb\ngrid: {lang: [en]}\n")
    expected = (
        "b/x.yaml: the folder build/sweeps/x/ holds the results of a/x.yaml (its index.csv); give this sweep "
        "an 'output_dir:' of its own, or remove the folder first"
    )
    refused(repo_copy, "sweep", str(repo_copy / "b" / "x.yaml"), expected=expected)
    # so does a folder both name as their output_dir
    (repo_copy / "b" / "y.yaml").write_text(
        "notebook: notebooks/four_reasons.ipynb\noutput_dir: build/sweeps/x\ngrid: {lang: [en]}\n"
    )
    refused(repo_copy, "sweep", str(repo_copy / "b" / "y.yaml"), expected="holds the results of a/x.yaml")


def test_a_folder_named_index_csv_in_a_sweeps_folder_is_refused_before_the_runs(repo_copy):
    (repo_copy / "build" / "sweeps" / "x" / "index.csv").mkdir(parents=True)
    (repo_copy / "x.yaml").write_text("notebook: notebooks/four_reasons.ipynb\ngrid: {lang: [en]}\n")
    expected = (
        "x.yaml: build/sweeps/x/index.csv is not a file; the sweep writes its index there, "
        "so move it away or give the sweep another 'output_dir:'"
    )
    refused(repo_copy, "sweep", str(repo_copy / "x.yaml"), expected=expected)
    assert sorted(p.name for p in (repo_copy / "build" / "sweeps" / "x").iterdir()) == ["index.csv"]


@pytest.mark.parametrize(
    ("grid", "repeated"),
    [
        ("{width_mm: [85, 85.0]}", "'width_mm' 85.0 twice"),
        ("{formats: [[png, pdf], [pdf, png]]}", '\'formats\' ["pdf","png"] twice'),
    ],
)
def test_a_grid_value_repeated_in_another_spelling_is_refused(repo_copy, grid, repeated):
    (repo_copy / "s.yaml").write_text(f"notebook: notebooks/four_reasons.ipynb\ngrid: {grid}\n", encoding="utf-8")
    refused(repo_copy, "sweep", str(repo_copy / "s.yaml"), expected=f"s.yaml, line 2: 'grid:' lists {repeated}")


def test_a_grid_value_a_run_refuses_is_said_of_the_sweep_file(repo_copy):
    (repo_copy / "s.yaml").write_text("notebook: notebooks/four_reasons.ipynb\ngrid: {width_mm: [85, '85']}\n")
    refused(repo_copy, "sweep", str(repo_copy / "s.yaml"), expected="s.yaml: run_002 (")


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (("width_mm", "89mm"), "parameter 'width_mm': '89mm' is not a number; expected a number of millimetres"),
        (("show_title", "yes"), "parameter 'show_title': 'yes' is not true or false; expected True or False"),
        (("as_of", "2023-02-29"), "parameter 'as_of': '2023-02-29' is not a date in the calendar; expected \"latest\""),
        (("lang", "x" * 5000), "parameter 'lang': '" + "x" * 79 + "... (5,000 characters) is not allowed"),
        (("x" * 5000, "1"), "parameter '" + "x" * 79 + "... (5,000 characters) is unknown"),
        (("formats", "png,,pdf"), "parameter 'formats': 'png,,pdf' has an empty item; expected a non-empty list"),
    ],
)
def test_a_value_the_command_line_cannot_read_is_refused_like_any_other(repo_copy, given, said):
    """Every refused -p ends as the build's refusals do, says what a day or a boolean must be, and
    repeats a long value by its start and length, not whole."""
    result = refused(repo_copy, "build", "-p", *given, "--output-dir", "variants/x", expected=said)
    assert result.stderr.rstrip().endswith("No notebook was run and nothing was written."), result.stderr
    assert len(result.stderr) < 400


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("width_mm: float = 500.0", "the default of parameter 'width_mm': 500.0 is not allowed; expected a number of"),
        ("width_mm: float = 183.0 + 1", "the default of parameter 'width_mm' (183.0 + 1) is not a plain value (a"),
        # check(globals()) finds the parameters by their annotations: the run failed on Settings.width_mm
        ("width_mm = 183.0", "parameter 'width_mm' has no type (write it `width_mm: float = 183.0`, as the others"),
    ],
)
def test_a_default_edited_in_a_notebook_is_refused_before_any_kernel(repo_copy, written, expected):
    """A bad default typed into a parameters cell stopped each run inside its kernel, or was blamed
    on figures.yaml."""
    notebook = repo_copy / "notebooks" / "four_reasons.ipynb"
    text = notebook.read_text(encoding="utf-8")
    notebook.write_text(text.replace("width_mm: float = 183.0", written), encoding="utf-8")
    result = refused(
        repo_copy, "build", "--dry-run", expected=f"notebooks/four_reasons.ipynb, parameters cell: {expected}"
    )
    assert "correct it there" in result.stderr and "figures.yaml" not in result.stderr


@pytest.mark.parametrize(
    ("runtime", "why"),
    [
        ("/proc/runtime", "No such file or directory"),  # as under HOME=/proc, or a read-only home
        ("relative-runtime", "not an absolute path"),  # the kernel died before replying, leaving the folder
        ("/tmp/" + "d" * 90, "too long: a kernel's socket path in it would pass the system's 107 bytes"),
    ],
)
def test_a_runtime_folder_kernels_cannot_use_is_named_before_any_kernel(repo_copy, tmp_path, runtime, why):
    out = tmp_path / "out"
    result = run_build("build", *FAST, *ONE_RUN, "--output-dir", str(out), env={"JUPYTER_RUNTIME_DIR": runtime})
    assert result.returncode == 2, result.stderr
    assert f"Jupyter's runtime folder {runtime} cannot be used ({why}" in result.stderr
    assert "Set JUPYTER_RUNTIME_DIR to a writable folder" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())
    assert not (repo_copy / runtime).exists() and not Path(runtime).exists()


def test_a_matplotlib_backend_it_does_not_know_is_named_before_any_kernel(repo_copy, tmp_path):
    """MPLBACKEND=foo stopped every kernel as it imported matplotlib, with a message naming no variable."""
    out = tmp_path / "out"
    result = run_build("build", *FAST, *ONE_RUN, "--output-dir", str(out), env={"MPLBACKEND": "foo"})
    assert result.returncode == 2, result.stderr
    assert "error: the environment variable MPLBACKEND is 'foo', which matplotlib does not know" in result.stderr
    assert "Traceback" not in result.stderr and (not out.exists() or not any(out.iterdir()))


def test_the_tests_take_their_workers_from_jobs(monkeypatch):
    from sovereign_ai import cli

    monkeypatch.setenv("JOBS", "1")
    assert cli.pytest_workers()[:2] == ("-n", "1")
    monkeypatch.delenv("JOBS")
    assert cli.pytest_workers()[:2] == ("-n", str(os.cpu_count() or 1)), "else one per core"
    for command in ("test", "test-fast"):
        refused = run_build(command, env={"JOBS": "two"})
        assert (refused.returncode, refused.stderr) == (
            2,
            "error: JOBS='two' is not allowed; expected a whole number of workers, 1 or more\n",
        )


def test_the_build_takes_its_workers_from_jobs_and_refuses_a_jobs_that_is_no_number(monkeypatch):
    monkeypatch.setenv("JOBS", "two")
    result = call_cli("build", "--dry-run")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: JOBS='two' is not allowed; expected a whole number of workers, 1 or more"
    monkeypatch.setenv("JOBS", "1")
    assert call_cli("build", "--dry-run").returncode == 0
    assert call_cli("build", "--dry-run", "-j", "2").returncode == 0
