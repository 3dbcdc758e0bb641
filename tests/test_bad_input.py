"""Bad input and misplaced outputs are refused before any kernel starts, with a message naming
the place, exit code 2, and figures/ plus MANIFEST.json byte-identical afterwards."""

import os
import re
import shutil
import subprocess

import pytest

from sovereign_ai import paths
from sovereign_ai.build import BuildError, Run, load_registry, plan

from conftest import REPO, mounted, run_build, run_cli, snapshot

FAST = ("--only", "four_reasons", "-p", "formats", "png")


def refused(root, *args, expected: str, code: int = 2):
    """Run the command in the repository copy at root and check it refused cleanly before any kernel."""
    before = snapshot(root / "figures")
    result = run_cli(*args, root=root)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root / "figures") == before, "figures/ and MANIFEST.json are byte-identical"
    executed = root / "build" / "executed"
    assert not executed.exists() or not any(executed.iterdir()), "no kernel started"
    return result


def _edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# ---- Outputs go only where they belong -----------------------------------------------------------


def test_overrides_without_an_output_folder_are_refused(repo_copy):
    expected = "-p overrides make variants, and figures/ holds only what figures.yaml lists; add --output-dir"
    refused(repo_copy, "build", *FAST, expected=expected)
    refused(repo_copy, "build", *FAST, "--output-dir", str(repo_copy / "figures"), expected=expected)


@pytest.mark.parametrize("folder, expected", [
    ("data", "the output folder data/ is a folder of the repository's tracked files"),
    ("notebooks", "the output folder notebooks/ is a folder of the repository's tracked files"),
    ("src", "the output folder src/ is a folder of the repository's tracked files"),
    ("tests", "the output folder tests/ is a folder of the repository's tracked files"),
    ("docs/variants", "the output folder docs/variants/ is inside docs/, a folder of the repository's tracked files"),
    ("sweeps", "the output folder sweeps/ is a folder of the repository's tracked files"),
    (".", "the output folder ./ holds the repository itself"),
    ("..", "holds the repository itself"),
    ("figures/variants", "the output folder figures/variants/ is inside figures/"),
])
def test_an_output_folder_holding_the_repositorys_files_is_refused(repo_copy, folder, expected):
    refused(repo_copy, "build", *FAST, "--output-dir", str(repo_copy / folder), expected=expected)
    assert not (repo_copy / folder / "four_reasons.ja.png").exists()


@pytest.mark.parametrize("output_dir", ["figures", "figures/", "./figures", "figures/sweep"])
def test_a_sweep_into_figures_is_refused(repo_copy, output_dir):
    sweep = repo_copy / "into_figures.yaml"
    sweep.write_text(f"notebook: notebooks/four_reasons.ipynb\noutput_dir: {output_dir}\n"
                     "grid:\n  lang: [en]\n", encoding="utf-8")
    refused(repo_copy, "sweep", str(sweep), expected="figures/, which holds only what figures.yaml lists")


def test_a_figure_name_that_is_a_path_is_refused_and_nothing_is_written_outside(repo_copy):
    with open(repo_copy / "figures.yaml", "a", encoding="utf-8") as f:
        f.write("\n../../../x:\n  notebook: notebooks/four_reasons.ipynb\n  runs:\n    - lang: en\n")
    outside = sorted(repo_copy.parent.iterdir())
    refused(repo_copy, "build", expected="the figure name '../../../x' may hold only lower-case letters, digits and '_'")
    assert sorted(repo_copy.parent.iterdir()) == outside


def test_labels_and_figure_names_given_through_the_api_are_checked():
    notebook = REPO / "notebooks" / "four_reasons.ipynb"
    with pytest.raises(BuildError, match=r"the label '\.\./x' may hold only lower-case letters"):
        plan([Run("four_reasons", notebook, {"lang": "en"}, label="../x", subdir="x")], {})
    with pytest.raises(BuildError, match=r"the figure name 'Four reasons' may hold only"):
        plan([Run("Four reasons", notebook, {"lang": "en"})], {})


def test_an_output_folder_that_is_a_file_is_refused(repo_copy, tmp_path):
    blocker = tmp_path / "variants"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    refused(repo_copy, "build", *FAST, "--output-dir", str(blocker / "a"),
            expected=f"the output folder {blocker}/a/ cannot be made: {blocker} is a file, not a folder")
    assert blocker.read_text(encoding="utf-8") == "a file where the folder should be"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write into any folder")
def test_an_output_folder_without_permission_is_refused(repo_copy, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    try:
        refused(repo_copy, "build", *FAST, "--output-dir", str(locked),
                expected=f"cannot write into the output folder {locked}/: Permission denied")
    finally:
        locked.chmod(0o755)


def test_an_output_folder_on_a_read_only_file_system_is_refused(repo_copy, tmp_path):
    with mounted(tmp_path / "ro", "ro", "size=1m") as folder:
        refused(repo_copy, "build", *FAST, "--output-dir", str(folder),
                expected=f"cannot write into the output folder {folder}/: Read-only file system")


def test_a_variant_build_works_from_a_read_only_repository(repo_copy, tmp_path):
    out = tmp_path / "variants"
    if os.geteuid() == 0:
        context = mounted(repo_copy, "ro", bind=True)
    else:
        subprocess.run(["chmod", "-R", "a-w", str(repo_copy)], check=True)
        context = _restoring_write(repo_copy)
    with context:
        before = snapshot(repo_copy)
        result = run_build("build", *FAST, "--output-dir", str(out), root=repo_copy)
        assert result.returncode == 0, result.stderr
        assert snapshot(repo_copy) == before
    said = re.search(r"build/ cannot be written \(a read-only repository\?\): working in (\S+) instead\.", result.stdout)
    assert said, result.stdout
    shutil.rmtree(said.group(1), ignore_errors=True)
    assert sorted(snapshot(out)) == ["MANIFEST.json", "four_reasons.en.png", "four_reasons.ja.png"]


class _restoring_write:
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
    assert "note: -p shift_to_domestic 0.1,0.1,0.5: a value is given more than once; using [0.1, 0.5]" \
        in capsys.readouterr().err


def test_duplicate_list_values_in_a_sweep_are_refused(repo_copy):
    sweep = repo_copy / "twice.yaml"
    sweep.write_text("notebook: notebooks/cloud_dependence.ipynb\noutput_dir: build/sweeps/twice\n"
                     "grid:\n  shift_to_domestic: [[0.1, 0.1]]\n", encoding="utf-8")
    refused(repo_copy, "sweep", str(sweep), expected="parameter 'shift_to_domestic' lists 0.1 more than once")


def test_sweep_labels_are_plain_names():
    """A sweep labels its runs run_001, run_002, ...: names that pass the same check as figure names."""
    from sovereign_ai.build import load_sweep

    runs, _ = load_sweep(paths.repo_root() / "sweeps" / "as_of.yaml")
    assert [r.label for r in runs[:2]] == ["run_001", "run_002"]
    assert all(re.fullmatch(r"[a-z0-9_]+", r.label) for r in runs)

