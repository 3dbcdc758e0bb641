"""Every user's route as the docs write it: the teaching guide's commands, the students' handout,
an author's one-language PDF, papermill's list values, a relative output_dir from notebooks/,
the `sovereign-ai` command in a plain venv, and make targets that are thin calls of it."""

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sovereign_ai.engine import notebook_code
from sovereign_ai.engine.kernels import KERNEL_NAME

from conftest import FAST, ONE_RUN, REPO, copy_checkout, run_cli, snapshot

BIN = Path(sys.executable).parent
TEACHING = REPO / "docs" / "teaching.md"


@pytest.fixture
def clone(tmp_path, monkeypatch) -> Path:
    """The repository's tracked files, as a fresh clone has them, made the package's root."""
    root = tmp_path / "clone"
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for name in tracked.splitlines():
        if (REPO / name).is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, root / name)
    monkeypatch.setenv("SOVEREIGN_AI_ROOT", str(root))
    return root


def _shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    command = command.replace(".venv/bin/", f"{BIN}/")
    return subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.mark.notebooks
def test_the_teaching_guides_commands_work_as_written_on_a_fresh_clone(clone):
    blocks = re.findall(r"^```bash run\n(.*?)^```", TEACHING.read_text(encoding="utf-8"), re.M | re.S)
    assert blocks, "the guide marks the commands a teacher runs with ```bash run"
    for block in blocks:
        for command in filter(str.strip, block.splitlines()):
            result = _shell(command, clone)
            assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    handout = clone / "handout"
    assert (handout / "notebooks" / "cloud_dependence.ipynb").exists() and (handout / "data" / "sources.csv").exists()
    assert (handout / "figures" / "MANIFEST.json").exists() and (handout / "Makefile").exists()
    assert not (handout / "tests").exists() and not (handout / ".ci").exists()

    def solution_cells(notebook: Path) -> int:
        return sum(notebook_code.is_solution(c) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"])

    for notebook in (clone / "notebooks").glob("*.ipynb"):  # the clone's hold worked solutions, the copy's none
        assert solution_cells(notebook) > 0 and solution_cells(handout / "notebooks" / notebook.name) == 0
    # make help lists them in the copy too: they say why they cannot run there
    result = run_cli("test-fast", root=handout)
    assert result.returncode == 2 and "there is no tests/ folder here: the students' copy" in result.stderr
    result = run_cli("handout", str(clone.parent / "again"), root=handout)
    assert result.returncode == 2 and "this is already a students' copy" in result.stderr


@pytest.mark.notebooks
def test_an_author_gets_one_figure_in_one_language_and_one_format(clone):
    result = run_cli(
        "build",
        "--only",
        "four_reasons",
        "-p",
        "lang",
        "en",
        "-p",
        "formats",
        "pdf",
        "--output-dir",
        "journal/",
        root=clone,
    )
    assert result.returncode == 0, result.stderr
    journal = clone / "journal"  # relative: below the repository root, wherever the command runs
    assert sorted(p.name for p in journal.iterdir()) == [
        "MANIFEST.json",
        "four_reasons.en.caption.txt",
        "four_reasons.en.data.csv",
        "four_reasons.en.pdf",
        "references.bib",
    ]
    assert f"{journal / 'four_reasons.en.pdf'}  (183 × " in result.stdout, "the path and its size in mm"


@pytest.mark.notebooks
def test_papermill_reads_list_values_as_the_build_does_and_a_relative_folder_is_below_the_root(clone, tmp_path):
    result = subprocess.run(
        [
            str(BIN / "papermill"),
            "four_reasons.ipynb",
            str(tmp_path / "run.ipynb"),
            "-k",
            KERNEL_NAME,
            "-p",
            "lang",
            "en",
            "-p",
            "formats",
            "pdf,png",
            "-p",
            "output_dir",
            "variants/pm",
        ],
        cwd=clone / "notebooks",
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"PYTHONWARNINGS": ""},
    )
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (clone / "variants" / "pm").iterdir())
    assert written == [f"four_reasons.en.{kind}" for kind in ("caption.txt", "data.csv", "pdf", "png")]
    assert not (clone / "notebooks" / "variants").exists(), "not below the folder the kernel started in"


@pytest.mark.notebooks
def test_a_plain_venv_runs_the_sovereign_ai_command(clone, tmp_path, monkeypatch):
    """`pip install -c constraints.txt -e .` in a new venv, then `sovereign-ai build` for one figure.
    Offline: the venv sees the pinned packages of this environment (a .pth file), and the build
    backend comes from the wheel `make setup` keeps in .venv/wheelhouse."""
    backend = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"][0]
    wheels = sorted((Path(sys.prefix) / "wheelhouse").glob(backend.replace("==", "-") + "-*.whl"))
    if not wheels:
        pytest.skip(f"no {backend} wheel in {Path(sys.prefix) / 'wheelhouse'} (make setup puts it there)")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "this-environment.pth").write_text(next(p for p in sys.path if p.endswith("site-packages")) + "\n")
    monkeypatch.delenv("SOVEREIGN_AI_ROOT")  # the installed command finds its own checkout
    monkeypatch.delenv("PYTHONPATH", raising=False)
    install = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            str(wheels[0].parent),
            "-c",
            "constraints.txt",
            "-e",
            ".",
        ],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    build = subprocess.run(
        [
            str(venv / "bin" / "sovereign-ai"),
            "build",
            *FAST,
            *ONE_RUN,
            "--output-dir",
            "variants/venv",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    assert sorted(p.name for p in (clone / "variants" / "venv").iterdir()) == [
        "MANIFEST.json",
        "four_reasons.en.caption.txt",
        "four_reasons.en.data.csv",
        "four_reasons.en.png",
        "references.bib",
    ]


def test_every_make_target_is_a_thin_call_of_the_sovereign_ai_command():
    recipes = {}
    target = None
    for line in (REPO / "Makefile").read_text(encoding="utf-8").splitlines():
        if re.match(r"^[a-z-]+:", line):
            target = line.split(":")[0]
        elif not line.startswith("\t"):
            target = None  # variables, comments, the environment's own rules
        elif line.startswith("\t") and target:
            recipes.setdefault(target, []).append(line.strip())
    own = {"help", "clean", "setup"}  # make's own jobs: listing itself, removing folders, the environment
    for name, lines in recipes.items():
        if name not in own:
            assert len(lines) == 1 and lines[0].startswith("@$(SAI) "), (name, lines)
    assert {"figures", "test", "lint", "bench", "lab", "handout", "site", "notebooks", "check"} <= set(recipes)


LONG_CALL = (
    'print("Government Cloud providers", "selected", "in", "fiscal", "year", 2025, "and", "their", "systems", '
    '"counted", sep=" ", end="\\n", flush=True)'
)


def test_format_formats_what_the_lint_finds_first_and_then_the_lint_passes(tmp_path):
    """`make format` with a line too long in a notebook's code cell: ruff's lint cannot fix it and says
    so, and ruff's formatter then wraps it, so the lint that follows passes. In a copy: no tracked file
    of the repository changes."""
    root = tmp_path / "project"
    copy_checkout(root, ("notebooks", "pyproject.toml", "figures.yaml"))
    path = root / "notebooks" / "cloud_dependence.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(
        c for c in notebook["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
    )
    cell["source"] = "".join(cell["source"]).rstrip("\n") + "\n" + LONG_CALL
    path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert len(LONG_CALL) > 120
    repository = snapshot(REPO / "notebooks")

    linted = run_cli("lint", root=root)
    assert linted.returncode == 1 and "E501" in linted.stdout + linted.stderr, "the lint finds the long line"
    formatted = run_cli("format", root=root)
    assert "E501" in formatted.stdout + formatted.stderr, "ruff's lint said what it could not fix"
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    source = "".join(
        next(c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["id"] == cell["id"])["source"]
    )
    assert LONG_CALL not in source and '    "Government Cloud providers",\n' in source, "the call is wrapped"
    linted = run_cli("lint", root=root)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert snapshot(REPO / "notebooks") == repository


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_with_a_python_too_old_says_so_and_creates_nothing(tmp_path):
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy2(REPO / name, tmp_path / name)
    old = tmp_path / "python3.10"  # answers as a Python 3.10 would: too old for the test Makefile runs
    old.write_text('#!/bin/sh\n[ "$1" = -V ] && echo "Python 3.10.12" && exit 0\n[ "$1" = -c ] && exit 1\nexit 3\n')
    old.chmod(0o755)

    said = subprocess.run(["make", "figures", f"PYTHON={old}"], cwd=tmp_path, capture_output=True, text=True)
    assert said.returncode != 0
    assert f"{old} is Python 3.10.12; the project needs Python 3.11 or newer" in said.stdout
    assert "make figures PYTHON=python3.12" in said.stdout
    assert not (tmp_path / ".venv").exists(), "no environment is created with it"

    said = subprocess.run(["make", "figures", "PYTHON=/nowhere/python3"], cwd=tmp_path, capture_output=True, text=True)
    assert said.returncode != 0 and "/nowhere/python3 is not found; the project needs Python 3.11" in said.stdout

    (tmp_path / ".venv" / "bin").mkdir(parents=True)  # made earlier with that Python: not used, named
    shutil.copy2(old, tmp_path / ".venv" / "bin" / "python")
    said = subprocess.run(["make", "test"], cwd=tmp_path, capture_output=True, text=True)
    assert said.returncode != 0
    assert ".venv has Python 3.10.12; the project needs Python 3.11 or newer" in said.stdout
    assert "remove it (rm -rf .venv), then run, e.g., make test PYTHON=python3.12" in said.stdout
