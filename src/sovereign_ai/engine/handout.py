"""`sovereign-ai handout [FOLDER]`: a copy of the project for students, without the worked solutions.

The copy holds what a student needs to run and change the notebooks: the notebooks (with the
outputs of their default run), the data, the package, the figures and the set-up files. The tests,
CI and guides for maintainers stay out. Each notebook reaches the copy without its worked solutions:
the cells tagged `solution` under its exercises are removed with nbconvert's TagRemovePreprocessor,
and every other cell and output is kept as it is. A solution's text found anywhere else (a cell a
teacher pasted it into, an HTML export) is left out too. The figures' manifest stays true of the
copy: a notebook's code hash leaves its solutions out (manifest.notebook_code_sha256).
"""

import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

from sovereign_ai import paths
from sovereign_ai.engine import notebook_code, publish

HANDOUT_ITEMS = (
    "README.md",
    "LICENSE",
    "CITATION.cff",
    "Makefile",
    "pyproject.toml",
    "constraints.txt",
    "tools-constraints.txt",
    "environment.yml",
    "figures.yaml",
    ".gitignore",
    "data",
    "notebooks",
    "figures",
    "sweeps",
    "src",
    "docs/teaching.md",
)

# At the top of the copy's README, which also describes what the copy leaves out.
STUDENTS_NOTE = (
    "> **The students' copy.** It holds the notebooks, the data, the package and the figures:\n"
    "> `make figures` and `make lab` work as below, and `make` installs JupyterLab and what the\n"
    "> notebooks need, no developer tools. Here `make test` checks the data and that the figures\n"
    "> shipped are those their recorded inputs make, without rebuilding them. The tests, CI, the\n"
    "> worked solutions and the maintainers' guides are left out, so `make test-fast`, `make lint`\n"
    "> and the links to `tests/`, `docs/extending.md` and `docs/authors.md` are for the full repository.\n\n"
)
# At the top of the copy's Makefile: the environment without the developer tools.
STUDENTS_MAKE = "# The students' copy: JupyterLab and the notebooks' packages only.\nEXTRAS := lab\nTEST_NEEDS :=\n"


class HandoutError(RuntimeError):
    """The handout cannot be written where asked."""


def _not_empty(folder: Path) -> str:
    return f"{folder} is not empty; give a new folder, or remove the earlier handout first"


def write_handout(folder: Path, out=None) -> Path:
    """Copy the project for students into folder (which must not exist yet, or be empty); return it.

    All or nothing: the copy is made beside folder and renamed into place once it is whole. Its
    files are written without the solutions from the start, so an interrupted or failed handout
    never leaves a copy that holds them, even one a kill -9 leaves half-made."""
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    refusal = paths.refuse_output(folder, own="handout")  # the one output rule of every route
    if refusal:
        raise HandoutError(refusal)
    folder = Path(folder).resolve()
    if folder.exists() and any(folder.iterdir()):
        raise HandoutError(_not_empty(folder))
    figures = paths.figures_dir()
    if not figures.is_dir():  # students would get no figures, and a folder `make figures` must fill
        raise HandoutError(f"{paths.relative(figures)}/ is not a folder of figures: run `make figures` first")
    half_published = publish.half_done(figures)
    if half_published:
        raise HandoutError(f"{half_published}: run `make figures` first, so that students get whole figures")
    with publish.folder_beside(folder) as partial:
        for line in _write(partial):
            print(line, file=out)
        try:
            if folder.exists():
                folder.rmdir()  # empty, checked above
            os.replace(partial, folder)  # all or nothing
        except OSError:  # another handout took the folder meanwhile
            raise HandoutError(_not_empty(folder)) from None
    return folder


def _write(folder: Path) -> list[str]:
    """Write the copy into the empty folder; return what it left out, a line each."""
    root = paths.repo_root()
    readme = root / "README.md"
    if readme.is_file() and readme.read_text(encoding="utf-8").startswith(STUDENTS_NOTE.split("\n")[0]):
        raise HandoutError(
            "this is already a students' copy (it has no worked solutions to leave out): "
            "give students a copy of this folder as it is"
        )
    try:
        from nbconvert.preprocessors import TagRemovePreprocessor
    except ImportError:
        raise HandoutError("the handout needs nbconvert, which JupyterLab brings: run `make setup`") from None
    remover = TagRemovePreprocessor(remove_cell_tags={notebook_code.SOLUTION_TAG})
    fragments = solution_fragments(root / "notebooks")
    ignore = shutil.ignore_patterns(
        "__pycache__", "*.egg-info", ".ipynb_checkpoints", "kernel-ipc-*", f"*{publish.PUBLISH_SUFFIX}", ".*.partial"
    )
    said = []

    def copy(source, target):  # the solutions never reach the copy, even one a kill -9 leaves half-made
        said.extend(_copy_without_solutions(Path(source), Path(target), folder, remover, fragments))
        return target

    for item in HANDOUT_ITEMS:
        source, target = root / item, folder / item
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore, copy_function=copy)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            copy(source, target)
    readme = folder / "README.md"
    readme.write_text(STUDENTS_NOTE + readme.read_text(encoding="utf-8"), encoding="utf-8")
    makefile = folder / "Makefile"
    if makefile.exists():
        makefile.write_text(STUDENTS_MAKE + makefile.read_text(encoding="utf-8"), encoding="utf-8")
    return sorted(said, key=lambda line: (line.startswith("note:"), line))


def solution_fragments(notebooks: Path) -> list[str]:
    """The text by which a worked solution is known outside its cells: the longest stretch of plain
    text of each solution's explanation (its Markdown cell), as an HTML export or a paste keeps it
    (an export renders `code` as <code>, and **bold** as <strong>)."""
    fragments = set()
    for path in sorted(notebooks.rglob("*.ipynb")):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            continue
        for cell in cells:
            if notebook_code.is_solution(cell) and cell.get("cell_type") == "markdown":
                fragment = max(re.split(r"[`*_]", "".join(cell.get("source", ""))), key=len).strip()
                if len(fragment) >= 20:  # long enough to be the solution's own words
                    fragments.add(fragment)
    return sorted(fragments)


def _copy_without_solutions(source: Path, target: Path, copy: Path, remover, fragments: list[str]) -> list[str]:
    """Copy source to target, a notebook (by its content, whatever its name) without its solution
    cells, and any other file only if it holds no solution's text; return what was left out."""

    def holds(text: str) -> bool:
        return any(fragment in text for fragment in fragments)

    shown = target.relative_to(copy).as_posix()
    raw = source.read_bytes()
    if b"\0" in raw[:4096]:  # an image, a font, a PDF: no solution's text
        shutil.copy2(source, target)
        return []
    text = raw.decode("utf-8", "ignore")
    notebook = _as_notebook(text)
    if notebook is None:
        if holds(html.unescape(text)):
            return [f"note: {shown} holds worked solutions: the copy leaves it out"]
        shutil.copy2(source, target)
        return []

    import nbformat

    said = []
    tagged = sum(notebook_code.is_solution(cell) for cell in notebook.cells)
    pasted = [cell for cell in notebook.cells if not notebook_code.is_solution(cell) and holds(_text_of(cell))]
    for cell in pasted:  # a solution pasted into an untagged cell leaves with the tagged ones
        cell.setdefault("metadata", {}).setdefault("tags", []).append(notebook_code.SOLUTION_TAG)
    notebook, _ = remover.preprocess(notebook, {})
    written = nbformat.writes(notebook)
    written = written if written.endswith("\n") else written + "\n"
    if holds(html.unescape(written)):  # in the notebook's metadata, say: the copy goes without it
        return [f"note: {shown} holds worked solutions outside its cells: the copy leaves it out"]
    target.write_text(written, encoding="utf-8")
    shutil.copystat(source, target)
    if tagged:
        said.append(f"{shown}: its worked solutions left out ({tagged} cells tagged `solution`)")
    if pasted:
        cells = f"{len(pasted)} cell{'s' if len(pasted) > 1 else ''}"
        said.append(f"note: {shown} holds worked solutions in {cells} not tagged `solution`: the copy leaves them out")
    return said


def _as_notebook(text: str):
    """The notebook text is (nbformat's NotebookNode), or None if it is not one."""
    try:
        if not isinstance(json.loads(text).get("cells"), list):
            return None
    except (ValueError, AttributeError):
        return None
    import nbformat

    try:
        return nbformat.reads(text, as_version=4)
    except Exception:  # nbformat's own errors, or a structure it cannot read: copied as a file
        return None


def _text_of(value) -> str:
    """Every string in a notebook's value (a cell's source, its outputs' text, Markdown and HTML; a list
    of lines joined), one after another."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    if isinstance(value, dict | list):
        return "\n".join(_text_of(v) for v in (value.values() if isinstance(value, dict) else value))
    return ""
