"""The students' copy is light and checks itself: its set-up installs JupyterLab and the
notebooks' packages, no developer tools (playwright, ruff, pytest, pytest-xdist); its `make test`
checks the data and verifies the figures it ships by their manifest, without a kernel; a fresh
copy's `make figures` has nothing to rebuild; and its notebooks hold no worked solution, keep
every other cell as stored, and run to their stored outputs."""

import json
import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from sovereign_ai import data, labels
from sovereign_ai.engine import handout, manifest, notebook_code

from conftest import REPO

DEVELOPER_TOOLS = ("playwright", "ruff", "pytest", "pytest-xdist", "nbval", "frictionless")


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    return handout.write_handout(tmp_path_factory.mktemp("students") / "class")


def _in_copy(copy, *args: str) -> subprocess.CompletedProcess:
    """`python -m sovereign_ai ARGS` on the copy, with the copy's own package."""
    env = dict(os.environ) | {"SOVEREIGN_AI_ROOT": str(copy), "PYTHONPATH": str(copy / "src")}
    return subprocess.run(
        [sys.executable, "-m", "sovereign_ai", *args], capture_output=True, text=True, env=env, cwd=copy, timeout=300
    )


def test_the_extra_a_students_copy_installs_holds_no_developer_tool(copy):
    extras = tomllib.loads((copy / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    names = [requirement.split("==")[0].lower() for requirement in extras["lab"]]
    assert names == ["jupyterlab"]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_the_copys_set_up_installs_the_lab_extra_and_not_the_tests_tools(copy):
    planned = subprocess.run(["make", "-n", "setup"], cwd=copy, capture_output=True, text=True, timeout=60)
    assert planned.returncode == 0, planned.stderr
    assert '-e ".[lab]"' in planned.stdout, planned.stdout
    assert ".[dev]" not in planned.stdout and "tools-constraints.txt" not in planned.stdout, planned.stdout
    wheelhouse = [line for line in planned.stdout.splitlines() if "wheelhouse" in line]  # the full repository's
    assert all(line.startswith('test "lab" = lab ||') for line in wheelhouse), wheelhouse


def test_the_copys_make_test_verifies_its_figures_without_rebuilding(copy):
    result = _in_copy(copy, "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-3:] == [
        f"data/: {len(data.table_names())} tables valid",
        f"notebooks/: 6 catalogues of the charts' words valid ({len(labels.catalogue())} entries)",
        "figures/ is current by its manifest (quick check: nothing rebuilt).",
    ]
    nothing = _in_copy(copy, "build", "--dry-run")
    assert nothing.stdout.splitlines()[-1] == "0 of 14 runs would execute into figures/", nothing.stdout


def test_the_copys_notebooks_hold_no_solution_and_every_other_cell_as_stored(copy):
    """The handout removes the cells tagged `solution` (nbconvert's TagRemovePreprocessor) and
    keeps every other cell, its outputs and the notebook's metadata as the repository stores them."""
    solutions = []
    for stored in sorted((REPO / "notebooks").glob("*.ipynb")):
        original = json.loads(stored.read_text(encoding="utf-8"))
        copied = json.loads((copy / "notebooks" / stored.name).read_text(encoding="utf-8"))
        assert copied["cells"] == [c for c in original["cells"] if not notebook_code.is_solution(c)], stored.name
        assert {k: v for k, v in copied.items() if k != "cells"} == {k: v for k, v in original.items() if k != "cells"}
        assert len(copied["cells"]) < len(original["cells"]), "it had worked solutions to leave out"
        solutions += ["".join(c["source"]) for c in original["cells"] if notebook_code.is_solution(c)]
    for path in copy.rglob("*"):
        if path.is_file() and path.suffix in (".ipynb", ".py", ".md", ".txt", ".csv", ".json", ".yaml", ".yml"):
            text = path.read_text(encoding="utf-8", errors="ignore")
            assert not any(solution in text for solution in solutions), path
            if path.suffix == ".ipynb":
                assert not any(notebook_code.is_solution(c) for c in json.loads(text)["cells"]), path


def test_the_copys_manifest_records_the_code_of_the_copys_notebooks(copy):
    """Each run's recorded notebook hash is that of the copy's notebook: the hash leaves the worked
    solutions out, so the manifest the copy ships still tells the truth about its notebooks."""
    runs = json.loads((copy / "figures" / manifest.MANIFEST_NAME).read_text(encoding="utf-8"))["runs"]
    hashes = {run["inputs"]["notebook"]: run["inputs"]["notebook_sha256"] for run in runs.values()}
    assert len(hashes) == 7
    for notebook, sha in hashes.items():
        assert manifest.notebook_code_sha256(copy / notebook) == sha, notebook


@pytest.mark.notebooks
def test_the_copys_notebooks_run_to_their_stored_outputs(copy, tmp_path):
    """nbval in the copy, with the copy's own package: every notebook runs without its solutions and
    gives the outputs it was handed out with."""
    ran = tmp_path / "class"
    shutil.copytree(copy, ran)
    env = dict(os.environ) | {"SOVEREIGN_AI_ROOT": str(ran), "PYTHONPATH": str(ran / "src")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "-q", "-n", "0", "-p", "no:randomly"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ran,
        timeout=1200,
    )
    assert result.returncode == 0 and " passed" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
