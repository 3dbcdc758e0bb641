"""`sovereign-ai handout [FOLDER]`: a copy of the project for students, without the worked solutions.

The copy holds what a student needs to run and change the notebooks: the
notebooks (with the outputs of their default run, which show no solution),
the data, the package, the figures and the set-up files. The tests, CI and
guides for maintainers stay out, and `exercises.SOLUTIONS` is emptied, so
`show_solutions=True` says there are none instead of showing them.
"""

import json
import os
import re
import shutil
import sys
from pathlib import Path

from sovereign_ai import paths, publish

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
SOLUTIONS_BLOCK = re.compile(r"^SOLUTIONS: dict\[str, list\[Solution\]\] = \{\n.*?^\}\n", re.M | re.S)
NO_SOLUTIONS = "SOLUTIONS: dict[str, list[Solution]] = {}  # the students' copy has no worked solutions\n"


# At the top of the copy's README, which also describes what the copy leaves out.
STUDENTS_NOTE = (
    "> **The students' copy.** It holds the notebooks, the data, the package and the figures:\n"
    "> `make figures` and `make lab` work as below. The tests, CI, the worked solutions and the\n"
    "> maintainers' guides are left out, so `make test`, `make test-fast` and the links to\n"
    "> `tests/`, `docs/extending.md` and `docs/authors.md` are for the full repository.\n\n"
)


class HandoutError(RuntimeError):
    """The handout cannot be written where asked."""


def _not_empty(folder: Path) -> str:
    return f"{folder} is not empty; give a new folder, or remove the earlier handout first"


def write_handout(folder: Path, out=sys.stdout) -> Path:
    """Copy the project for students into folder (which must not exist yet, or be empty); return it.

    All or nothing: the copy is made beside folder and renamed into place once its solutions are
    removed, so an interrupted or failed handout never leaves a copy that still holds them."""
    folder = Path(folder).resolve()
    root = paths.repo_root()
    if folder == root or (root in folder.parents and folder.parts[len(root.parts)] != "handout"):
        raise HandoutError(f"{folder}: write the handout outside the repository, or into handout/ (git-ignored)")
    if folder.exists() and any(folder.iterdir()):
        raise HandoutError(_not_empty(folder))
    figures = paths.figures_dir()
    half_published = publish.half_done(figures)
    if half_published:
        raise HandoutError(f"{half_published}: run `make figures` first, so that students get whole figures")
    with publish.folder_beside(folder) as partial:
        _write(partial)
        for notebook in _clear_shown_solutions(partial / "notebooks"):
            print(
                f"note: notebooks/{notebook} was saved with worked solutions in its outputs (a run with "
                "show_solutions = True): the copy has that cell's outputs cleared",
                file=out,
            )
        try:
            if folder.exists():
                folder.rmdir()  # empty, checked above
            os.replace(partial, folder)  # all or nothing
        except OSError:  # another handout took the folder meanwhile
            raise HandoutError(_not_empty(folder)) from None
    return folder


def _write(folder: Path) -> None:
    root = paths.repo_root()
    ignore = shutil.ignore_patterns(
        "__pycache__", "*.egg-info", ".ipynb_checkpoints", "kernel-ipc-*", f"*{publish.PUBLISH_SUFFIX}", ".*.partial"
    )
    exercises = root / "src" / "sovereign_ai" / "exercises.py"
    text, count = SOLUTIONS_BLOCK.subn(NO_SOLUTIONS, exercises.read_text(encoding="utf-8"))
    if count != 1 and NO_SOLUTIONS in text:
        raise HandoutError(
            "this is already a students' copy (it has no worked solutions to leave out): "
            "give students a copy of this folder as it is"
        )
    if count != 1:
        raise HandoutError("could not find the worked solutions in src/sovereign_ai/exercises.py to leave them out")

    def copy(source, target):  # the solutions never reach the copy, even one a kill -9 leaves half-made
        if Path(source) == exercises:
            Path(target).write_text(text, encoding="utf-8")
        else:
            shutil.copy2(source, target)

    for item in HANDOUT_ITEMS:
        source, target = root / item, folder / item
        if source.is_dir():
            shutil.copytree(source, target, ignore=ignore, copy_function=copy)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    readme = folder / "README.md"
    readme.write_text(STUDENTS_NOTE + readme.read_text(encoding="utf-8"), encoding="utf-8")


def _clear_shown_solutions(notebooks: Path) -> list[str]:
    """Clear the outputs of each cell that shows a worked solution (a notebook saved after a run
    with show_solutions = True, or a teacher's copy); the notebooks' names, relative to notebooks."""
    from sovereign_ai.exercises import SOLUTIONS

    explanations = [s.explanation for solutions in SOLUTIONS.values() for s in solutions]
    cleared = []
    for path in sorted(notebooks.rglob("*.ipynb")):
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
            cells = [c for c in notebook["cells"] if c.get("outputs")]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # not a notebook the handout could show a solution from: copied as it is
        shown = [c for c in cells if any(e in _text_of(c["outputs"]) for e in explanations)]
        for cell in shown:
            cell["outputs"], cell["execution_count"] = [], None
        if shown:
            path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
            cleared.append(path.relative_to(notebooks).as_posix())
    return cleared


def _text_of(value) -> str:
    """Every string in a cell's outputs (text, Markdown, HTML; a list of lines joined), one after another."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    if isinstance(value, dict | list):
        return "\n".join(_text_of(v) for v in (value.values() if isinstance(value, dict) else value))
    return ""
