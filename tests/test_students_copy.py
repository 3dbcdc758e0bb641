"""The students' copy is light and checks itself: its set-up installs JupyterLab and the
notebooks' packages, no developer tools (playwright, ruff, pytest, pytest-xdist); its `make test`
checks the data and verifies the figures it ships by their manifest, without a kernel; and a
fresh copy's `make figures` has nothing to rebuild."""

import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from sovereign_ai import data, labels
from sovereign_ai.engine import handout

DEVELOPER_TOOLS = ("playwright", "ruff", "pytest", "pytest-xdist", "nbval", "frictionless")


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    return handout.write_handout(tmp_path_factory.mktemp("students") / "class")


def _in_copy(copy, *args: str) -> subprocess.CompletedProcess:
    """`python -m sovereign_ai ARGS` on the copy, with the copy's own package (its exercises.py)."""
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
