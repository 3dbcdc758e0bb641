"""Writing a file so that readers only ever see its old or its new version.

A file is written in full to a temporary file beside it (the same folder, so
the same file system), flushed to disk, given the mode the umask asks for
(0644 under umask 022; tempfile's own 0600 would lock out shared folders and
web servers), and only then renamed over the old one with os.replace, which is
atomic. A write that fails (disk full, no permission) removes the temporary
file and leaves the old file as it was.
"""

import os
import tempfile
from pathlib import Path

PARTIAL_SUFFIX = ".partial"  # an unfinished temporary file; never a finished output


def umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it, then set it back
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The permissions a newly created file gets: 0666 less the umask."""
    return 0o666 & ~umask()


def write_temporary(target: Path, write, suffix: str = PARTIAL_SUFFIX) -> Path:
    """A complete, flushed temporary file beside target, filled by write(binary_file); the caller renames it.

    On any failure the temporary file is removed and the error raised; target is untouched.
    """
    target = Path(target)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(name, file_mode())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (renames, removals) to disk, where the system supports it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open folders; its renames are durable enough
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file(target: Path, write) -> Path:
    """Replace target with what write(binary_file) writes, atomically; return target."""
    target = Path(target)
    temporary = write_temporary(target, write)
    try:
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(target.parent)
    return target


def write_bytes(target: Path, content: bytes) -> Path:
    return write_file(target, lambda f: f.write(content))


def remove_left_behind(folder: Path, pattern: str, older_than_seconds: float) -> None:
    """Remove what killed runs left in folder: the files and folders matching pattern that are
    older than a live run's could be (a run that is killed outright cannot clean up after itself)."""
    import shutil
    import time

    for leftover in folder.glob(pattern):
        try:
            if time.time() - leftover.stat().st_mtime > older_than_seconds:
                shutil.rmtree(leftover) if leftover.is_dir() and not leftover.is_symlink() else leftover.unlink()
        except OSError:
            continue
