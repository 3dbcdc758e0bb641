"""`sovereign-ai handout [FOLDER]`: a copy of the project for students, without the worked solutions.

The copy holds what a student needs to run and change the notebooks: the
notebooks (with the outputs of their default run, which show no solution),
the data, the package, the figures and the set-up files. The tests, CI and
guides for maintainers stay out, and `exercises.SOLUTIONS` is emptied, so
`show_solutions=True` says there are none instead of showing them.
"""

import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

from sovereign_ai import paths
from sovereign_ai.engine import publish

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

    All or nothing: the copy is made beside folder and renamed into place once its solutions are
    removed, so an interrupted or failed handout never leaves a copy that still holds them."""
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
        _write(partial)
        for done in _leave_out_solutions(partial):
            print(f"note: {done}", file=out)
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
    makefile = folder / "Makefile"
    if makefile.exists():
        makefile.write_text(STUDENTS_MAKE + makefile.read_text(encoding="utf-8"), encoding="utf-8")
    _record_exercises(folder, text)


def _record_exercises(folder: Path, text: str) -> None:
    """The copy's figures/MANIFEST.json records the copy's exercises.py (its solutions left out) as
    the module the runs loaded: the figures show no solution, so they stay current and a fresh copy's
    `make figures` rebuilds nothing."""
    from sovereign_ai.engine import manifest

    recorded = folder / "figures" / manifest.MANIFEST_NAME
    if not recorded.is_file():
        return
    body = manifest.read(recorded.parent)
    sha = manifest.sha256_text(text)
    for record in body["runs"].values():
        modules = record["inputs"].get("package", {}).get("modules_sha256", {})
        if "sovereign_ai/exercises.py" in modules:
            modules["sovereign_ai/exercises.py"] = sha
    recorded.write_text(manifest.render(body), encoding="utf-8")


def _leave_out_solutions(copy: Path) -> list[str]:
    """Take every worked solution out of the copy, wherever a teacher's files put one: in a
    notebook, the cells that show one are cleared (outputs of a run with show_solutions = True,
    a Markdown cell holding one); any other file holding one (an HTML export, a backup) is left
    out. Returns what was done, a line each."""
    from sovereign_ai.exercises import SOLUTIONS

    # each explanation by its longest stretch of plain text: an HTML export renders `code` as <code>
    fragments = [
        max(re.split(r"[`*_]", s.explanation), key=len).strip() for solutions in SOLUTIONS.values() for s in solutions
    ]

    def holds(text: str) -> bool:
        return any(fragment in text for fragment in fragments)

    exercises = copy / "src" / "sovereign_ai" / "exercises.py"
    done = []
    for path in sorted(p for p in copy.rglob("*") if p.is_file() and p != exercises):
        raw = path.read_bytes()
        if b"\0" in raw[:4096] or not holds(html.unescape(raw.decode("utf-8", "ignore"))):
            continue  # an image, or no solution
        shown = path.relative_to(copy).as_posix()
        try:
            notebook = json.loads(raw)
            cells = [c for c in notebook["cells"] if holds(_text_of(c.get("outputs", [])) + _text_of(c["source"]))]
        except (ValueError, KeyError, TypeError, AttributeError):
            notebook, cells = None, []
        for cell in cells:
            cell["source"] = "" if holds(_text_of(cell["source"])) else cell["source"]
            if cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
        text = json.dumps(notebook, ensure_ascii=False, indent=1, sort_keys=True) + "\n" if cells else ""
        if cells and not holds(html.unescape(text)):
            path.write_text(text, encoding="utf-8")
            done.append(
                f"{shown} showed worked solutions (saved after a run with show_solutions = True?): "
                f"the copy has {len(cells)} cell{'s' if len(cells) > 1 else ''} of it cleared"
            )
        else:
            path.unlink()
            done.append(f"{shown} holds worked solutions: the copy leaves it out")
    return done


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
