"""Where things live in the repository.

Every path is built from the repository root, never from the current folder:
papermill runs kernels in the caller's folder and nbval in the notebook's.
Set SOVEREIGN_AI_ROOT to work on another copy of the repository (the tests do).
"""

import os
from pathlib import Path

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    """The repository root: $SOVEREIGN_AI_ROOT if set, else the checkout holding this package."""
    override = os.environ.get("SOVEREIGN_AI_ROOT")
    return Path(override).resolve() if override else _PACKAGE_ROOT


# The repository's tracked folders: never an output folder, nor inside one (nor is figures/,
# which holds what figures.yaml lists, written by the build alone).
TRACKED_TREES = ("data", "notebooks", "src", "tests", "docs", ".ci", ".git")
TRACKED_FOLDERS = ("sweeps",)  # holds tracked files itself; its subfolders may take outputs


def data_dir() -> Path:
    return repo_root() / "data"


def notebooks_dir() -> Path:
    return repo_root() / "notebooks"


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


def holds_the_repositorys_own(folder: Path) -> bool:
    """Whether an output folder is the repository, figures/ or a tracked folder, or inside one,
    where its symbolic links lead; compared without case, as macOS and Windows compare names."""
    root, folder = repo_root(), Path(os.path.realpath(folder))
    if folder == root or folder in root.parents:
        return True
    if root not in folder.parents:
        return False
    inside = parts_below(root, folder)
    return inside[0] in (figures_dir().name, *TRACKED_TREES) or (len(inside) == 1 and inside[0] in TRACKED_FOLDERS)


def parts_below(root: Path, path: Path) -> list[str]:
    """path's folder names below root, in lower case, as macOS and Windows compare them ([] if it
    is not below root)."""
    return [part.lower() for part in path.relative_to(root).parts] if root in path.parents else []


def relative(path: Path) -> str:
    """A path as the user should read it: relative to the repository when inside it."""
    try:
        path = Path(path).resolve()
    except (RuntimeError, OSError):  # a symbolic link loop: shown as given, made absolute
        path = Path(os.path.abspath(path))
    try:
        return str(path.relative_to(repo_root()))
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
