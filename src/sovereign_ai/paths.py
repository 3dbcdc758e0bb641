"""Where things live in the repository.

Every path is built from the repository root, never from the current folder:
papermill runs kernels in the caller's folder and nbval in the notebook's.
Set SOVEREIGN_AI_ROOT to work on another copy of the repository (the tests do).
"""

import functools
import os
import re
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    """The repository root: $SOVEREIGN_AI_ROOT if set, else the checkout holding this package."""
    override = os.environ.get("SOVEREIGN_AI_ROOT")
    return _resolved(override, os.getcwd() if not os.path.isabs(override) else "") if override else _PACKAGE_ROOT


@functools.lru_cache(maxsize=16)
def _resolved(folder: str, _from_folder: str) -> Path:
    """A root folder resolved once (links followed): a command asks for the root hundreds of times."""
    return Path(folder).resolve()


# The repository's tracked folders: never an output folder, nor inside one (nor is figures/,
# which holds what figures.yaml lists, written by the build alone).
TRACKED_TREES = ("data", "notebooks", "src", "tests", "docs", ".ci", ".git")
TRACKED_FOLDERS = ("sweeps",)  # holds tracked files itself; its subfolders may take outputs


def data_dir() -> Path:
    return repo_root() / "data"


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


def labels_dir() -> Path:
    """The folder of the charts' word catalogues: <notebook>.labels.yaml beside each notebook,
    and shared.labels.yaml for the words of several notebooks and of the package."""
    return notebooks_dir()


def figures_dir() -> Path:
    return repo_root() / "figures"


def build_dir() -> Path:
    """Git-ignored working folder: executed notebooks and staged outputs."""
    return repo_root() / "build"


def registry_file() -> Path:
    """The list of figure runs that `make figures` builds."""
    return repo_root() / "figures.yaml"


def output_folder(value) -> Path:
    """Where a folder the user names goes: as given when absolute, else below the repository root,
    from every route alike (the build, papermill run from any folder, JupyterLab in notebooks/)."""
    path = Path(value).expanduser()
    # "..", as in ../variants, taken out by name as the shell does: files written in the folder
    # come back from the system without it, and must be found inside it
    return Path(os.path.normpath(path if path.is_absolute() else repo_root() / path))


# Folders the project's commands make, replace or remove whole: no other output may go there.
MANAGED_TREES = {
    ".venv": "the environment `make` creates",
    ".venv-tools": "the tools' environment `make` creates",
    "site": "the gallery, which `make site` replaces whole",
    "handout": "the students' copy, which `make clean` removes",
}
# build/ itself and the folders the build keeps its work in (check's temporary folders and sweeps
# go beside them): files put there would be mixed with the build's, or removed with them.
OUTPUTS, EXECUTED, REFRESH, CHECK_FAILED = "outputs", "executed", "refresh", "check-failed"
BUILD_WORK = (OUTPUTS, EXECUTED, REFRESH, CHECK_FAILED)
CHECK_PREFIX = "check-"  # check's temporary folders in build/, removed a day after a killed check
# The temporary folders the commands put beside the folder they replace, and remove:
# .<name>.partial-* (the new copy, being written), .<name>.old-* (the copy it replaces).
LEFT_BEHIND = re.compile(r"\.[^/]+\.(partial|old)-[^/]*")
NAME_MAX_BYTES = 255  # a file or folder name, on Linux, macOS and Windows alike
PATH_MAX_BYTES = 1024  # a whole path: macOS's limit, the smallest of the systems the project runs on


def refuse_output(folder, *, own: str | None = None) -> str | None:
    """The one rule for where output may go, on every route (the build, sweeps, papermill and
    JupyterLab's output_dir, the handout, the gallery): why folder may not take it, or None.

    own: the folder the route itself writes, which it alone may use: "figures" (the build of
    figures.yaml; figures/ itself, nothing inside it), "site" or "handout" (that folder or inside it),
    "staging" (a run of the build, which writes into its staging folder in build/outputs/).
    """
    text = os.fspath(folder)
    if "\0" in text:
        return f"the output folder {text!r} holds a NUL character, which no file system takes; choose another name"
    name = next((p for p in Path(text).parts if len(os.fsencode(p)) > NAME_MAX_BYTES), None)
    if name is not None:
        return (
            f"the output folder's name {name[:30]}... is {len(os.fsencode(name))} bytes long, more than the "
            f"{NAME_MAX_BYTES} a folder's name may have; choose a shorter name"
        )
    try:
        target = Path(os.path.realpath(text, strict=False))
        target.resolve()  # a symbolic link leading to itself
    except (RuntimeError, OSError):
        return f"the output folder {text}/ cannot be used: a symbolic link on its path leads to itself"
    if len(os.fsencode(str(target))) > PATH_MAX_BYTES:
        return (
            f"the output folder's path is {len(os.fsencode(str(target)))} bytes long, more than the "
            f"{PATH_MAX_BYTES} every supported system takes; choose a shorter path"
        )
    root, shown = repo_root(), relative(target) + "/"
    inside = parts_below(root, target)
    if target == root or target in root.parents:
        return (
            f"the output folder {shown} holds the repository itself; "
            "choose a folder for the outputs only (e.g. variants/)"
        )
    figures = parts_below(root, figures_dir())
    if figures and inside[: len(figures)] == figures:
        if own == "figures" and inside == figures:
            return None
        where = "is" if inside == figures else "is inside"
        return (
            f"the output folder {shown} {where} figures/, which holds only what figures.yaml lists; "
            "choose a folder outside it (e.g. variants/)"
        )
    for managed, what in MANAGED_TREES.items():
        if inside[:1] == [managed] and own != managed:
            return f"the output folder {shown} is in {managed}/, {what}; choose another folder (e.g. variants/)"
    build = build_dir().name
    staging = inside[:2] == [build, OUTPUTS] and len(inside) > 3 and inside[3].startswith("staging-")
    if own == "staging" and staging:
        return None
    if inside[:1] == [build] and (len(inside) == 1 or inside[1] in BUILD_WORK or inside[1].startswith(CHECK_PREFIX)):
        return (
            f"the output folder {shown} is the build's working folder or one of its own in it; "
            "choose another folder (e.g. variants/)"
        )
    if any(LEFT_BEHIND.fullmatch(part) for part in target.parts):
        return (
            f"the output folder {shown} has the name of a temporary folder the project's commands remove; "
            "choose another folder (e.g. variants/)"
        )
    for tracked in TRACKED_TREES + TRACKED_FOLDERS:
        if inside[:1] == [tracked] and (len(inside) == 1 or tracked in TRACKED_TREES):
            where = "" if len(inside) == 1 else f"inside {tracked}/, "
            return (
                f"the output folder {shown} is {where}a folder of the repository's tracked files; "
                "choose another folder (e.g. variants/)"
            )
    return None


def parts_below(root: Path, path: Path) -> list[str]:
    """path's folder names below root, in lower case, as macOS and Windows compare them ([] if it
    is not below root)."""
    return [part.lower() for part in path.relative_to(root).parts] if root in path.parents else []


def relative(path: Path) -> str:
    """A path as the user should read it: relative to the repository when inside it."""
    given = os.fspath(path)
    return _relative(given, "" if os.path.isabs(given) else os.getcwd(), repo_root())


@functools.lru_cache(maxsize=256)
def _relative(given: str, _from_folder: str, root: Path) -> str:
    """relative, resolved once per path (links followed): planning a sweep names each run's folder."""
    try:
        path = Path(given).resolve()
    except (RuntimeError, OSError):  # a symbolic link loop: shown as given, made absolute
        path = Path(os.path.abspath(given))
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def is_special(path: Path) -> bool:
    """A pipe, socket or device where a file should be: reading it would wait for a writer, or
    read a device, instead of failing."""
    try:
        return path.exists() and not path.is_file() and not path.is_dir()
    except OSError:  # a name too long, a loop: the read that follows says so
        return False


def not_a_file(path: Path, expected: str) -> str:
    """The message for a path that is_special finds."""
    return f"{relative(path)}: not a regular file (a pipe, socket or device); expected {expected}"
