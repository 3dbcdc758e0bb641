"""Putting a build's files into an output folder: where they may go, one build at a time, all or nothing.

- Where: figures/ holds exactly what figures.yaml lists, so variants (-p) and
  sweeps go elsewhere; no output folder may hold the repository's own files.
  Both are checked, and the folder is tried for writing, before any kernel starts.
- One at a time: each output folder has a lock file in the build's work folder
  (its "area"); a second build into the same folder waits for the first, so no
  manifest update is lost.
- All or nothing: every new file is first written in full beside its target
  (safe_io), then a journal listing every rename is written to the area, and
  only then are the files renamed into place, MANIFEST.json last. A build
  killed at any moment leaves each file old or new; the next build into the
  folder finds the journal and completes the renames, or, when no journal was
  written yet, removes the unfinished temporary files (the folder never
  changed). Either way it says which.
"""

import functools
import hashlib
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from sovereign_ai import paths, safe_io
from sovereign_ai.engine import manifest

PUBLISH_SUFFIX = ".publishing"  # a new file, complete, waiting to be renamed into place
JOURNAL_NAME = "publish-journal.json"
LOCK_NAME = "lock"
SWEEP_LOCK_NAME = "sweep-lock"  # a sweep's, held from reading the folder's index.csv to writing it
TARGET_NAME = "output_dir.txt"  # in an area: the output folder it belongs to
FAULT_VARIABLE = "SOVEREIGN_AI_TEST_FAULT"  # tests only: "kill-at:<point>" kills the build there (SIGKILL), see fault
# Set by the command line (cli.main): once a commit has begun renaming, the files are going to be, then are, in
# place and nothing is left to stop, so Ctrl-C and SIGTERM stay held (recorded in the list commit returns) until
# the process exits, rather than raising after the last rename, where a Ctrl-C would say the folder is unchanged.
# Other callers (tests) get their own handlers back when commit returns.
HOLD_SIGNALS_TO_EXIT = False
TRACKED_TREES = paths.TRACKED_TREES  # never an output folder, nor inside one
TRACKED_FOLDERS = paths.TRACKED_FOLDERS  # hold tracked files themselves; their subfolders may take outputs
# Folders the project's commands make and replace or remove whole: outputs there would be lost.
MANAGED_TREES = paths.MANAGED_TREES
OUTPUTS, EXECUTED, REFRESH, CHECK_FAILED = paths.OUTPUTS, paths.EXECUTED, paths.REFRESH, paths.CHECK_FAILED
BUILD_WORK = paths.BUILD_WORK
CHECK_PREFIX = paths.CHECK_PREFIX
# The temporary folders made beside a folder while it is replaced whole, which later commands
# remove: .<name>.partial-* (the new copy, being written), .<name>.old-* (the copy it replaces).
PARTIAL, OLD = "partial", "old"


def beside_name(target: Path, kind: str) -> str:
    """The name's start of a temporary folder of kind PARTIAL or OLD beside target."""
    return f".{target.name}.{kind}-"


LEFT_BEHIND = re.compile(rf"\.[^/]+\.({PARTIAL}|{OLD})-[^/]*")


class PublishError(RuntimeError):
    """Files could not be put into the output folder; the message says what and what was left."""


# ---- Where outputs may go ---------------------------------------------------------------


def refuse_destination(output_dir: Path, *, variants: bool, labelled: bool) -> str | None:
    """Why output_dir may not take this build's files, or None: the one output rule of every route
    (paths.refuse_output), and a build's own: variants (-p overrides were given) and a sweep's runs
    (labelled) never go into figures/, nor into a folder inside another build's."""
    try:
        target = Path(output_dir).resolve()
    except (RuntimeError, OSError):  # Python's "Symlink loop"
        return (
            f"the output folder {_unresolved(output_dir)}/ cannot be used: a symbolic link on its path leads to itself"
        )
    root, figures = paths.repo_root(), paths.figures_dir().resolve()
    shown = paths.relative(target) + "/"
    # compared without case: on macOS and Windows, Figures/, .VENV/ and Build/Outputs/ are the same folders
    in_figures = paths.parts_below(root, figures)
    if target == figures or (in_figures and paths.parts_below(root, target) == in_figures):
        if variants:
            return (
                f"-p overrides make variants, and {shown} holds only what figures.yaml lists; "
                "give them a folder of their own with --output-dir (e.g. --output-dir variants/)"
            )
        if labelled:
            return f"a sweep's files may not go into {shown}, which holds only what figures.yaml lists"
    problem = paths.refuse_output(output_dir, own="figures")
    if problem:
        return problem
    holder = next((p for p in target.parents if (p / manifest.MANIFEST_NAME).is_file()), None)
    if holder is not None:  # a sweep's run_002/: the sweep would replace or remove this build's files
        return (
            f"the output folder {shown} is inside {paths.relative(holder)}/, which holds another build's files "
            f"(its {manifest.MANIFEST_NAME}): their builds would replace each other's files; choose a folder "
            "outside it (e.g. variants/)"
        )
    return None


def refuse_folder(output_dir: Path, *, create: bool = True) -> str | None:
    """What stops files being written into output_dir (a file in the way, read-only, no permission), or None.

    With create, the folder is made and a file is written in it and removed, as the build will.
    """
    output_dir = Path(output_dir)
    shown = paths.relative(output_dir) + "/"
    try:  # a name the file system cannot hold (too long) fails even to be looked at
        in_the_way = next((p for p in (output_dir, *output_dir.parents) if p.exists() and not p.is_dir()), None)
        dangling = next((p for p in (output_dir, *output_dir.parents) if p.is_symlink() and not p.exists()), None)
    except OSError as error:
        return f"the output folder {shown} cannot be made: {error.strerror or error}"
    if in_the_way is not None:
        return f"the output folder {shown} cannot be made: {paths.relative(in_the_way)} is a file, not a folder"
    if dangling is not None:
        return (
            f"the output folder {_unresolved(output_dir)}/ cannot be made: {_unresolved(dangling)} is a "
            f"symbolic link to {os.readlink(dangling)}, which does not exist"
        )
    if not create:
        return None
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=output_dir, prefix=".write-test-")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        return f"cannot write into the output folder {shown}: {error.strerror or error}"
    return None


def _unresolved(path: Path) -> str:
    """A path relative to the repository when inside it, its symbolic links not followed."""
    try:
        return str(Path(path).relative_to(paths.repo_root()))
    except ValueError:
        return str(path)


# ---- The work folder and an output folder's area in it ----------------------------------------


_fallback_said = False


def work_folder(out=None) -> Path:
    """build/ in the repository; when the repository is read-only, a folder in the system's temporary folder."""
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    global _fallback_said
    preferred = paths.build_dir()
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=preferred):
            pass
        return preferred
    except OSError:
        pass
    digest = hashlib.sha256(str(paths.repo_root()).encode()).hexdigest()[:12]
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    fallback = Path(tempfile.gettempdir()) / f"sovereign_ai-{uid}-{digest}"
    fallback.mkdir(mode=0o700, exist_ok=True)
    if not _fallback_said:
        print(
            f"{paths.relative(preferred)}/ cannot be written (a read-only repository?): working in {fallback} instead.",
            file=out,
            flush=True,
        )
        _fallback_said = True
    return fallback


def area(work: Path, output_dir: Path, *, create: bool = True) -> Path:
    """The folder in the work folder that belongs to one output folder: its lock, journal and staging
    (and, for a folder other than figures/, its executed notebooks), and the folder's path."""
    target = Path(output_dir).resolve()
    slug = re.sub(r"[^a-z0-9_]+", "_", paths.relative(target).lower()).strip("_")[-40:] or "root"
    folder = work / OUTPUTS / f"{slug}-{hashlib.sha256(os.fsencode(target)).hexdigest()[:12]}"
    if not create:  # only to look in (a dry run): nothing is left behind for a folder never made
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / TARGET_NAME).exists():
        safe_io.write_bytes(folder / TARGET_NAME, os.fsencode(target))  # a name's bytes, UTF-8 or not
    return folder


def prune_areas(work: Path, keep: Path) -> list[Path]:
    """Empty the areas of output folders that are gone (a variant folder the user deleted): their
    executed notebooks and any staging left by a killed build, megabytes each. Their lock and
    journal stay: a build may be waiting on the lock, and a journal's folder may only be on a
    drive that is not mounted. An area in use (locked), or whose folder cannot be looked at, is
    left alone; housekeeping never stops a build. The areas emptied."""
    emptied = []
    try:
        folders = sorted(p for p in (work / OUTPUTS).iterdir() if p.is_dir() and p.name != keep.name)
    except OSError:
        return emptied
    for folder in folders:
        try:
            if not _folder_is_gone(folder):
                continue
            leftovers = [p for p in folder.iterdir() if p.is_dir()]  # executed/, staging-*/
            if not leftovers:
                continue
            with _held_unless_busy(folder) as held:
                if held:
                    for leftover in leftovers:
                        shutil.rmtree(leftover, ignore_errors=True)
                    emptied.append(folder)
        except OSError:
            continue
    return emptied


def remove_area(folder: Path) -> bool:
    """Remove an area, lock included, unless a build holds it; only for an output folder no build
    can ask for again (a killed check's temporary one), since a build may wait on a lock.
    Whether it is gone."""
    if not folder.is_dir():
        return True
    with _held_unless_busy(folder) as held:
        if held:
            shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def _folder_is_gone(area: Path) -> bool:
    """Whether the output folder this area records is certainly gone; False when the area does not
    say (an area from before TARGET_NAME) or the folder cannot be checked (permissions, a bad path)."""
    try:
        target = Path(os.fsdecode((area / TARGET_NAME).read_bytes()))
    except OSError:
        return False
    try:
        os.lstat(target)  # not os.path.exists, which says False for a folder it may not look at
    except FileNotFoundError:
        return target.is_absolute()
    except (OSError, ValueError):
        return False
    return False


# ---- One build per output folder -----------------------------------------------------------


@contextmanager
def _held_unless_busy(folder: Path):
    """The area's lock, taken without waiting: yields True while held, False if a build holds it."""
    with open(folder / LOCK_NAME, "a+b") as f:
        if not _lock(f, wait=False):
            yield False
            return
        try:
            yield True
        finally:
            _unlock(f)


@contextmanager
def locked(folder: Path, shown: str, out=None, name: str = LOCK_NAME, what: str = "build"):
    """Hold the output folder's lock (a file in its area); wait, saying so once, while another build holds it.
    A sweep also holds its own (SWEEP_LOCK_NAME) from reading the folder's index to writing it."""
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    with open(folder / name, "a+b") as f:
        if not _lock(f, wait=False):
            print(f"Another {what} is writing into {shown}; waiting for it to finish...", file=out, flush=True)
            _lock(f, wait=True)
        try:
            yield
        finally:
            _unlock(f)


try:
    import fcntl

    def _lock(f, wait: bool) -> bool:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def _unlock(f) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt
    import time

    def _lock(f, wait: bool) -> bool:
        while True:
            try:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                if not wait:
                    return False
                time.sleep(0.2)

    def _unlock(f) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)


# ---- All or nothing --------------------------------------------------------------------------


def commit(
    output_dir: Path,
    folder: Path,
    new: dict[str, Path],
    remove: list[str],
    manifest_text: str,
    keep: list[str] = (),
    also: dict[str, bytes | None] | None = None,
) -> list[int]:
    """Put the new files (name -> complete source file) into output_dir, remove the named ones, then
    replace MANIFEST.json; all or nothing. Files in keep are unchanged: only their mode is set.
    `also` gives files of the whole folder (name -> content, None: no such file), written or removed
    with the rest when they differ.

    Returns the signals (Ctrl-C, SIGTERM) that arrived while files were being renamed: they are
    held back until the folder is consistent again, and the caller reports them.
    """
    output_dir = Path(output_dir)
    shown = paths.relative(output_dir) + "/"
    content = manifest_text.encode("utf-8")
    manifest_path = output_dir / manifest.MANIFEST_NAME
    writes = {name: _copier(source) for name, source in sorted(new.items())}
    remove = list(remove)
    for name, body in (also or {}).items():
        target = output_dir / name
        if body is None:
            if target.exists():
                remove.append(name)
        elif not target.is_file() or target.read_bytes() != body:
            writes[name] = lambda f, body=body: f.write(body)
    if not manifest_path.exists() or manifest_path.read_bytes() != content:
        writes[manifest.MANIFEST_NAME] = lambda f: f.write(content)  # last: it names the files in place
    for name in keep:
        _set_mode(output_dir / name)
    if not writes and not remove:
        with signals_held() as received:  # nothing to rename; held as after renames (HOLD_SIGNALS_TO_EXIT)
            return received

    replacements, name = [], None
    try:
        for name, write in writes.items():
            target = output_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = safe_io.write_temporary(target, write, suffix=PUBLISH_SUFFIX)
            replacements.append(
                {
                    "replace": temporary.relative_to(output_dir).as_posix(),
                    "by": name,
                    "sha256": manifest.sha256_file(temporary),
                }
            )
        fault("written")
        for parent in {(output_dir / r["by"]).parent for r in replacements}:
            safe_io.sync_folder(parent)
    except BaseException as error:
        _discard(output_dir, replacements)
        if isinstance(error, OSError):
            raise PublishError(
                f"could not write {name} into {shown}: {error.strerror or error}; "
                f"{shown} is unchanged (no file in it was replaced)"
            ) from None
        raise
    # removals before the manifest, which is always the last step
    last = [r for r in replacements if r["by"] == manifest.MANIFEST_NAME]
    steps = [r for r in replacements if r not in last] + [{"remove": n} for n in remove] + last

    with signals_held() as received:
        try:
            safe_io.write_bytes(
                folder / JOURNAL_NAME,
                json.dumps({"output_dir": str(output_dir.resolve()), "steps": steps}, indent=1).encode("utf-8"),
            )
        except OSError as error:
            _discard(output_dir, replacements)
            raise PublishError(
                f"could not write the publishing journal in {folder}: {error.strerror or error}; "
                f"{shown} is unchanged (no file in it was replaced)"
            ) from None
        fault("journal")
        try:
            _apply(output_dir, steps, faults=True)
        except OSError as error:
            raise PublishError(
                f"publishing into {shown} stopped part-way ({error.strerror or error}); "
                "the journal of what remains is kept, and the next build completes it"
            ) from None
        (folder / JOURNAL_NAME).unlink()
    fault("published")
    return received


KILLED_COPY_SECONDS = 3600  # a copy is made in seconds: one this old beside its folder was left by a killed run


@contextmanager
def folder_beside(target: Path):
    """A new, empty folder beside target (the same file system, the umask's permissions), for a
    copy (the gallery, the students' copy) that the block writes and then renames into target's
    place, all or nothing; removed if the block fails. Copies killed runs left beside target go first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    safe_io.remove_left_behind(target.parent, beside_name(target, PARTIAL) + "*", KILLED_COPY_SECONDS)
    partial = Path(tempfile.mkdtemp(prefix=beside_name(target, PARTIAL), dir=target.parent))
    os.chmod(partial, 0o777 & ~safe_io.umask())  # mkdtemp makes it 0700
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def half_done(output_dir: Path) -> str | None:
    """What an interrupted build left half done in output_dir (see pending), looked up in its area; or None."""
    return pending(output_dir, area(work_folder(), output_dir, create=False))


def pending(output_dir: Path, folder: Path) -> str | None:
    """What an interrupted build left for the next one to finish, or None."""
    if (folder / JOURNAL_NAME).exists():
        return (
            f"an interrupted build left a publish into {paths.relative(output_dir)}/ half done; "
            "the next build completes it"
        )
    if _leftovers(output_dir):
        return (
            f"an interrupted build left unfinished temporary files in {paths.relative(output_dir)}/; "
            "the next build removes them"
        )
    return None


def recover(output_dir: Path, folder: Path, out=None) -> str | None:
    """Finish what an interrupted build left (the caller holds the lock); say what was done, or None."""
    out = out or sys.stdout  # looked up at the call: a caller may have redirected it
    output_dir = Path(output_dir)
    shown = paths.relative(output_dir) + "/"
    for staging in folder.glob("staging-*"):
        shutil.rmtree(staging, ignore_errors=True)  # a killed build's unfinished runs
    journal = folder / JOURNAL_NAME
    message = None
    if journal.exists():
        try:
            steps = json.loads(journal.read_text(encoding="utf-8"))["steps"]
        except (ValueError, KeyError, TypeError):
            steps = []
        lost = _apply(output_dir, steps)
        if lost:
            message = (
                f"An interrupted build left a publish into {shown} half done, and the new versions of "
                f"{', '.join(lost)} are gone: MANIFEST.json was left as it was, so the runs that wrote "
                "them count as stale and are rebuilt."
            )
        else:
            done = sum("replace" in s for s in steps)
            message = (
                f"Completed the publish an interrupted build had begun in {shown}: "
                f"{done} files put in place, {len(steps) - done} removed, as that build intended."
            )
        journal.unlink()
    leftovers = _leftovers(output_dir)
    for path in leftovers:
        path.unlink(missing_ok=True)
    if leftovers and message is None:
        message = (
            f"An earlier build into {shown} was interrupted before it replaced any file: rolled back "
            f"(removed {len(leftovers)} unfinished temporary files); {shown} is as it was before it."
        )
    if message:
        print(message, file=out, flush=True)
    return message


def _apply(output_dir: Path, steps: list[dict], faults: bool = False) -> list[str]:
    """Carry out a journal's steps; those already done are skipped. Returns the files whose new version
    is lost (then the manifest is not replaced, so it still describes the old files)."""
    lost, replaced = [], 0
    for step in steps:
        if "remove" in step:
            removed = output_dir / step["remove"]
            removed.unlink(missing_ok=True)
            _remove_emptied(removed.parent, output_dir)
            continue
        temporary, target = output_dir / step["replace"], output_dir / step["by"]
        if step["by"] == manifest.MANIFEST_NAME and lost:
            temporary.unlink(missing_ok=True)
            continue
        if temporary.exists():
            os.replace(temporary, target)
            replaced += 1
            if faults:
                fault(f"replaced-{replaced}")
        elif not target.exists() or manifest.sha256_file(target) != step["sha256"]:
            lost.append(step["by"])
    for parent in {(output_dir / s.get("by", s.get("remove", ""))).parent for s in steps}:
        safe_io.sync_folder(parent)
    return lost


def _remove_emptied(folder: Path, output_dir: Path) -> None:
    """Remove folder and the folders holding it, below output_dir, while they are empty (a sweep's
    run_004/ once its files are removed)."""
    while folder != output_dir and output_dir in folder.parents:
        try:
            folder.rmdir()  # only an empty folder: anything a user put there keeps it
        except OSError:
            return
        folder = folder.parent


def _discard(output_dir: Path, replacements: list[dict]) -> None:
    for step in replacements:
        (output_dir / step["replace"]).unlink(missing_ok=True)


def _leftovers(output_dir: Path) -> list[Path]:
    if not Path(output_dir).is_dir():
        return []
    return sorted(p for p in Path(output_dir).rglob(f".*{PUBLISH_SUFFIX}") if p.is_file())


def _copier(source: Path):
    def copy(f):
        with open(source, "rb") as s:
            shutil.copyfileobj(s, f)

    return copy


def _set_mode(path: Path) -> None:
    """Give an unchanged file the mode the umask asks for (builds before this one made them 0600)."""
    try:
        if path.is_file() and (path.stat().st_mode & 0o777) != safe_io.file_mode():
            os.chmod(path, safe_io.file_mode())
    except OSError:
        pass


@contextmanager
def signals_held():
    """Hold back Ctrl-C and SIGTERM while files are renamed (with HOLD_SIGNALS_TO_EXIT, until the process
    exits); yields the list of those that arrived."""
    received: list[int] = []
    held = {}
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(number) is not None:
                held[number] = signal.signal(number, lambda n, _frame: received.append(n))
    try:
        yield received
    finally:
        if not HOLD_SIGNALS_TO_EXIT:
            for number, handler in held.items():
                signal.signal(number, handler)


def fault(point: str) -> None:
    """Tests only: SOVEREIGN_AI_TEST_FAULT=kill-at:<point> kills this process (SIGKILL) at that point;
    interrupt-at:<point> sends it a Ctrl-C (SIGINT) there. interrupt-at:exit, armed once the files are
    published, sends it while the interpreter shuts down and clears this module: after the build's last
    line, when Python has put back the system's handlers (a Ctrl-C would then end the process silently)."""
    global _at_exit  # a module global: deleted, and so sending its SIGINT, when Python clears this module
    armed = os.environ.get(FAULT_VARIABLE)
    if armed == f"kill-at:{point}":
        os.kill(os.getpid(), signal.SIGKILL)
    elif armed == f"interrupt-at:{point}":
        os.kill(os.getpid(), signal.SIGINT)
    elif armed == "interrupt-at:exit" and point == "published":
        _at_exit = _InterruptWhenCleared()


class _InterruptWhenCleared:
    """Tests only (interrupt-at:exit): sends SIGINT to this process when it is deleted, which happens
    when the interpreter clears this module's globals at exit."""

    def __init__(self):
        self._kill = functools.partial(os.kill, os.getpid(), signal.SIGINT)  # os may be cleared before

    def __del__(self):
        self._kill()
