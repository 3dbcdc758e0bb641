"""docs/extending.md, followed block by block in a temporary copy of the repository.

Each fenced block of the guide says what to do with it: `file=` writes a file,
`append=` appends to one, `resource=` adds a resource to the data package,
`cell=` adds a cell to a notebook (`tags=` tags it), `replace=` changes a line of a
notebook or a file, and `bash run` runs the commands. If a step of the guide stops working, this test fails.
"""

import csv
import json
import os
import re
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sovereign_ai.charts import palettes
from sovereign_ai.checks.layout_check import problems
from sovereign_ai.engine.build import load_registry

from conftest import REPO

GUIDE = REPO / "docs" / "extending.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


def blocks():
    for language, info, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        attributes = dict(pair.split("=", 1) for pair in info.split() if "=" in pair)
        flags = {word for word in info.split() if "=" not in word}
        yield language, attributes, flags, body


def _write_notebooks(root, notebooks):
    for path, cells in notebooks.items():
        notebook = new_notebook(
            cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
        )
        nbformat.write(notebook, root / path)
    notebooks.clear()


def _milestone_marks(root, env, palette: str) -> tuple[str, str]:
    """The marker and colour of the guide's chart, drawn by its notebook's own cells in the given palette."""
    code = (
        "import sys; from pathlib import Path; from matplotlib.colors import to_hex;"
        "from sovereign_ai.engine import notebook_code;"
        "ran = notebook_code.run(Path(sys.argv[1]), {'lang': 'en', 'palette': sys.argv[2]});"
        "line = ran.figures[''].axes[0].lines[0];"
        "print(line.get_marker(), to_hex(line.get_color()))"
    )
    notebook = root / "notebooks" / "ismap_milestones.ipynb"
    result = subprocess.run(
        [sys.executable, "-c", code, str(notebook), palette], env=env, capture_output=True, text=True, cwd=root
    )
    assert result.returncode == 0, result.stderr
    marker, colour = result.stdout.split()[-2:]
    return marker, colour


def test_the_guide_has_every_kind_of_step():
    kinds = {(language, tuple(sorted(attributes)), tuple(sorted(flags))) for language, attributes, flags, _ in blocks()}
    assert ("bash", (), ("run",)) in kinds
    assert any(a == ("file",) for _, a, _ in kinds) and any(a == ("resource",) for _, a, _ in kinds)
    assert any("cell" in a for _, a, _ in kinds)


@pytest.mark.notebooks
def test_following_the_guide_adds_a_table_a_notebook_and_a_figure(repo_copy):
    env = dict(os.environ, SOVEREIGN_AI_ROOT=str(repo_copy))
    notebooks: dict[str, list] = {}
    outputs = []
    for language, attributes, flags, body in blocks():
        if "file" in attributes:
            (repo_copy / attributes["file"]).write_text(body, encoding="utf-8")
        elif "append" in attributes:
            with open(repo_copy / attributes["append"], "a", encoding="utf-8") as f:
                f.write(body)
        elif "resource" in attributes:
            path = repo_copy / attributes["resource"]
            package = json.loads(path.read_text(encoding="utf-8"))
            package["resources"].append(json.loads(body))
            path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif "cell" in attributes:
            cell = new_markdown_cell(body) if language == "markdown" else new_code_cell(body)
            if "tags" in attributes:
                cell.metadata["tags"] = attributes["tags"].split(",")
            notebooks.setdefault(attributes["cell"], []).append(cell)
        elif "replace" in attributes:
            _write_notebooks(repo_copy, notebooks)
            old, new = body.rstrip("\n").split("\n")
            path = repo_copy / attributes["replace"]
            if path.suffix == ".ipynb":  # a line of a cell, as the notebook's JSON writes it
                old, new = json.dumps(old)[1:-1], json.dumps(new)[1:-1]
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} is not in {path.name}"
            path.write_text(text.replace(old, new), encoding="utf-8")
        elif language == "bash" and "run" in flags:
            _write_notebooks(repo_copy, notebooks)
            for command in [line for line in body.splitlines() if line.strip()]:
                command = command.replace(".venv/bin/python", sys.executable)
                result = subprocess.run(command, shell=True, cwd=repo_copy, env=env, capture_output=True, text=True)
                assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
                outputs.append(result.stdout)
    figures = repo_copy / "figures"
    for lang in ("ja", "en"):
        for ext in ("svg", "pdf", "png"):
            assert (figures / f"ismap_milestones.{lang}.{ext}").exists()
    builds = [o for o in outputs if o.startswith("Running")]  # the builds, not the check
    build_output = builds[0]
    # A run depends only on the sources.csv rows it cites, so the new source rows re-run nothing
    # already built: only the new figure's two runs execute, writing its 6 files, 2 captions and 2 source-data files.
    runs = len(load_registry())  # the copy's registry, the new figure's two runs included
    assert f"Running 2 of {runs} runs ({runs - 2} up to date)" in build_output
    assert f"10 files written to figures/ (10 changed), {runs - 2} runs up to date" in build_output
    # The change of section 4 re-ran only the new notebook, and its figure shows the new mark.
    assert f"Running 2 of {runs} runs" in builds[1]
    assert (
        palettes.OKABE_ITO.domestic.lower() in (figures / "ismap_milestones.en.svg").read_text(encoding="utf-8").lower()
    )
    # The colour is a palette role: diamonds in Japan's colour, which greyscale prints in its own grey.
    for palette in (palettes.OKABE_ITO, palettes.GREYSCALE):
        assert _milestone_marks(repo_copy, env, palette.name) == ("D", palette.domestic.lower()), palette.name
    # The word changed in section 5 re-ran only the run that prints it, the English one.
    assert f"Running 1 of {runs} runs ({runs - 1} up to date)" in builds[2] and "ismap_milestones.en" in builds[2]
    assert (figures / "ismap_milestones.en.caption.txt").read_text(encoding="utf-8").startswith("ISMAP: a timeline")
    assert (figures / "ismap_milestones.ja.caption.txt").read_text(encoding="utf-8").startswith("ISMAPの歩み")
    for lang in ("ja", "en"):  # the guide's chart is held to the shipped charts' layout check
        assert problems(figures / f"ismap_milestones.{lang}.pdf") == [], lang
    manifest = json.loads((figures / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["files"]["ismap_milestones.en.png"]["runs"] == ["ismap_milestones.en"]
    data_read = manifest["runs"]["ismap_milestones.en"]["inputs"]["data_sha256"]
    assert "data/ismap_milestones.csv" in data_read
    with open(repo_copy / "data" / "ismap_milestones.csv", encoding="utf-8") as f:
        cited = {f"data/sources.csv#{row['source_id']}" for row in csv.DictReader(f)}
    assert cited <= set(data_read) and "data/sources.csv" not in data_read, "the run records the rows it cites"
