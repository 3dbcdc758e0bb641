"""`sovereign-ai clean` (make clean): remove what the commands write besides figures/, unless a
build is writing.

build/ holds the builds' locks, journals and staged files: removing it from under a running
build would break it half-way. clean takes every output folder's lock first, without waiting,
and refuses (saying which folder's build is running) if one is held.
"""

import contextlib
import shutil
from pathlib import Path

from sovereign_ai import paths
from sovereign_ai.engine import publish

REMOVED = ("build", "site", "handout")  # .venv/ and figures/ stay
LEFT_BEHIND = (".site.partial-*", ".site.old-*", ".handout.partial-*")  # by a killed site or handout


class Busy(RuntimeError):
    """A build holds an output folder's lock: nothing was removed."""


def _locks() -> list[Path]:
    outputs = paths.build_dir() / publish.OUTPUTS
    if not outputs.is_dir():
        return []
    return sorted(
        folder / name
        for folder in outputs.iterdir()
        if folder.is_dir()
        for name in (publish.LOCK_NAME, publish.SWEEP_LOCK_NAME)
        if (folder / name).is_file()
    )


def _target(lock: Path) -> str:
    """The output folder an area's lock belongs to, as the user named it."""
    try:
        return paths.relative(Path((lock.parent / publish.TARGET_NAME).read_bytes().decode())) + "/"
    except (OSError, UnicodeDecodeError):
        return paths.relative(lock.parent) + "/"


def clean() -> list[str]:
    """Remove build/, site/, handout/ and what a killed site or handout left; the names removed.
    Busy, and nothing removed, while a build or sweep holds an output folder's lock."""
    root = paths.repo_root()
    with contextlib.ExitStack() as held:
        for lock in _locks():
            handle = held.enter_context(open(lock, "a+b"))
            if not publish._lock(handle, wait=False):
                raise Busy(
                    f"a build is writing into {_target(lock)}; wait for it to finish (or stop it), then "
                    "clean again. Nothing was removed."
                )
            held.callback(publish._unlock, handle)
        removed = []
        for name in REMOVED:
            if (root / name).exists() or (root / name).is_symlink():
                _remove(root / name)
                removed.append(f"{name}/")
        for pattern in LEFT_BEHIND:
            for left in sorted(root.glob(pattern)):
                _remove(left)
                removed.append(left.name)
        return removed


def _remove(path: Path) -> None:
    if path.is_symlink() or not path.is_dir():
        path.unlink()
    else:
        shutil.rmtree(path)
