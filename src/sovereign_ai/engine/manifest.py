"""The manifest: what produced every file in an output folder, and whether it is still current.

MANIFEST.json records each run once, under "runs" (keyed by its run id): the notebook and exact
parameters it ran with, and the SHA-256 of everything it depended on: the notebook, every data
file and table description it read, every package module it had loaded, the pinned environment,
and the versions of the libraries and fonts that shape the output. Under "files" it lists each
output file with its own SHA-256 and the runs that wrote it ("runs": their keys; a metrics table
both languages write names two). It holds no timestamps and no absolute paths, and is written
sorted, so it diffs cleanly and a rebuild leaves it byte-identical.
It is also the build's memory: a run whose recorded dependencies still match, and whose files
are still there unchanged, is skipped.

A run built for some of its charts only (`build --only <figure>_<chart>`) says which in its
record ("charts"), and one put in place in some formats only (`-p formats pdf`) which
("formats"). When such a build's inputs differ from those of the run's other files, which it
leaves as they were, both records are kept: the other files' under "<run id>@<digest>".
"""

import atexit
import contextlib
import hashlib
import json
import os
import time
from functools import lru_cache
from pathlib import Path

import sovereign_ai
from sovereign_ai import paths, safe_io
from sovereign_ai.engine import notebook_code

MANIFEST_NAME = "MANIFEST.json"
FORMAT_VERSION = 2  # 1: every file entry held its runs' inputs in full
EARLIER = "@"  # a run's key for an earlier record of it that some of its files still hold
SHAPING_LIBRARIES = ("matplotlib", "matplotlib-fontja", "budoux", "pandas", "numpy", "pillow")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def notebook_code_sha256(path: Path) -> str:
    """The SHA-256 of a notebook's code cells (source and tags) alone: what its run's outputs depend
    on. Stored outputs, execution counts and Markdown leave it unchanged, so refreshing a notebook's
    outputs, or editing its prose, does not make its runs stale. So do the worked solutions (cells
    tagged `solution`, which come after every other code cell and write no file): the students'
    copy, which has none, keeps the figures' manifest true, and editing a solution rebuilds nothing."""
    global _changed
    stamp = stamp_of(path)
    # kept like a file's hash (sha256_file_cached); the key names what is hashed, so that a digest
    # kept before the solutions were left out of it is not taken for one
    key, cache = "code-without-solutions:" + os.path.abspath(path), _hash_cache()
    known = cache.get(key)
    if isinstance(known, list) and known[:3] == stamp:
        return known[3]
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    except (ValueError, KeyError, TypeError):  # not a notebook we can read: its bytes decide
        return sha256_file(path)
    code = [
        ["".join(c.get("source", "")), c.get("metadata", {}).get("tags", [])]
        for c in cells
        if isinstance(c, dict) and c.get("cell_type") == "code" and not notebook_code.is_solution(c)
    ]
    digest = sha256_text(canonical_json(code))
    if time.time_ns() - stamp[1] > RECENT_NS:
        cache[key], _changed = [*stamp, digest], True
    return digest


# A no-op build hashes every input and output file it compares with the manifest (15 MB of figures,
# the fonts): the hashes are kept in build/, by each file's size, modification time and inode, as
# git keeps its index, and a file whose stat is unchanged is not read again.
HASH_CACHE_NAME = "hash-cache.json"
RECENT_NS = 2_000_000_000  # a file modified this recently may change again within its timestamp: not kept
_hashes: dict | None = None
_changed = False


def sha256_file_cached(path: Path) -> str:
    """sha256_file, from the cache of hashes when the file's stat is what it was when it was hashed."""
    global _changed
    stamp = stamp_of(path)
    key, cache = os.path.abspath(path), _hash_cache()
    known = cache.get(key)
    if isinstance(known, list) and known[:3] == stamp:
        return known[3]
    digest = sha256_file(path)
    if time.time_ns() - stamp[1] > RECENT_NS:
        cache[key], _changed = [*stamp, digest], True
    return digest


def stamp_of(path: Path) -> list[int]:
    """What says a file is unchanged: its size, modification time and inode."""
    stat = os.stat(path)
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _hash_cache() -> dict:
    global _hashes
    if _hashes is None:
        try:
            _hashes = json.loads((paths.build_dir() / HASH_CACHE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            _hashes = {}
        if not isinstance(_hashes, dict):
            _hashes = {}
        atexit.register(_save_hash_cache)
    return _hashes


def _save_hash_cache() -> None:
    if not _changed or not paths.build_dir().is_dir():
        return
    kept = {key: value for key, value in _hashes.items() if not os.path.isabs(key) or os.path.exists(key)}
    with contextlib.suppress(OSError):  # a read-only checkout: hashed again next time
        safe_io.write_bytes(paths.build_dir() / HASH_CACHE_NAME, json.dumps(kept, sort_keys=True).encode("utf-8"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@lru_cache(maxsize=1)
def package_source_sha256() -> str:
    """One hash over every module of the package and its style sheet (names and contents)."""
    digest = hashlib.sha256()
    package_dir = Path(sovereign_ai.__file__).parent
    for module in sorted([*package_dir.rglob("*.py"), *package_dir.rglob("*.mplstyle")]):
        digest.update(module.relative_to(package_dir).as_posix().encode() + b"\0")
        digest.update(module.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def environment_record() -> dict:
    """The pinned environment and what shapes the output: library versions and the font files.
    Kept in the cache of hashes while the installed packages and constraints.txt are as they were
    (reading the packages' metadata costs a no-op build a tenth of a second)."""
    global _changed
    key = _environment_key()
    cache = _hash_cache()
    known = cache.get(ENVIRONMENT_KEY)
    if isinstance(known, list) and len(known) == 2 and known[0] == key:
        return known[1]
    record = _environment_record()
    cache[ENVIRONMENT_KEY], _changed = [key, record], True
    return record


ENVIRONMENT_KEY = "environment"  # in the cache of hashes: not a path, so never forgotten as a file gone


def _environment_key() -> list:
    """What changes when a package is installed, upgraded or removed (its folder's entries), or the
    pins change: the stat of the package folders and of constraints.txt."""
    import sysconfig

    folders = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    constraints = paths.repo_root() / "constraints.txt"
    watched = [*folders, str(constraints)]
    return [[p, *(stamp_of(Path(p)) if os.path.exists(p) else [])] for p in watched]


def _environment_record() -> dict:
    from importlib import metadata

    constraints = paths.repo_root() / "constraints.txt"
    record = {"constraints_sha256": sha256_file_cached(constraints) if constraints.exists() else "none"}
    for name in SHAPING_LIBRARIES:
        try:
            record[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            record[name] = "not installed"
    fonts = {}
    for name in ("matplotlib-fontja", "matplotlib"):
        try:
            files = metadata.files(name) or []
        except metadata.PackageNotFoundError:
            continue
        for f in files:
            if f.name in ("ipaexg.ttf", "DejaVuSans.ttf"):
                fonts[f.name] = sha256_file_cached(Path(f.locate()))
    record["fonts_sha256"] = dict(sorted(fonts.items()))
    return record


class ManifestError(ValueError):
    """An output folder's MANIFEST.json cannot be read; the message says how to recover."""


CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")  # what git writes where a merge conflicts


def empty() -> dict:
    """A manifest that lists nothing."""
    return {"format_version": FORMAT_VERSION, "runs": {}, "files": {}}


def read(output_dir: Path) -> dict:
    """The manifest of an output folder ({"runs": {key: record}, "files": {name: entry}}), or an
    empty one; ManifestError when it is unreadable. One written in format 1 is read as format 2."""
    path = Path(output_dir) / MANIFEST_NAME
    if not path.exists():
        return empty()
    shown = paths.relative(path)
    recover = (
        "resolve the conflict by hand, or take either side (git checkout --ours/--theirs) and rebuild "
        "with `python -m sovereign_ai build --force`, which rewrites the manifest from a fresh build"
    )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ManifestError(f"{shown} is not UTF-8 text; {recover}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(CONFLICT_MARKERS):
            raise ManifestError(f"{shown}, line {number}: has git's merge-conflict marker {line[:7]!r}; {recover}")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise ManifestError(f"{shown}, line {error.lineno}: not valid JSON ({error.msg}); {recover}") from None
    if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
        raise ManifestError(f"{shown}: expected an object with 'files'; {recover}")
    if "runs" not in body and all(isinstance(e, dict) and "produced_by" in e for e in body["files"].values()):
        body = _from_format_1(body["files"])
    problem = _malformed(body)
    if problem:
        raise ManifestError(f"{shown}: {problem}; {recover}")
    return body


# What every run's record holds of its inputs (build.inputs_record), and the checks read.
RECORDED_INPUTS = ("notebook", "notebook_sha256", "parameters", "data_sha256", "package", "environment")


def _malformed(body: dict) -> str | None:
    """What makes a manifest's body unusable, or None."""
    runs, files = body.get("runs"), body["files"]
    if not isinstance(runs, dict) or not all(
        isinstance(r, dict) and isinstance(r.get("inputs"), dict) for r in runs.values()
    ):
        return "expected 'runs', each with its 'inputs'"
    for key, record in runs.items():
        missing = [field for field in RECORDED_INPUTS if field not in record["inputs"]]
        if missing:
            return f"run {key!r} records no {missing[0]!r} among its inputs"
        for part in ("charts", "formats"):  # a run that saved some of its files: which
            if part in record and not (
                isinstance(record[part], list) and all(isinstance(v, str) for v in record[part])
            ):
                return f"run {key!r} has {part!r} that is not a list of names"
    for name, entry in files.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
            return f"file {name!r} has no 'sha256'"
        keys = entry.get("runs")
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            return f"file {name!r} names no run ('runs')"
        unknown = [k for k in keys if k not in runs]
        if unknown:
            return f"file {name!r} names the run {unknown[0]!r}, which 'runs' does not hold"
    return None


def _from_format_1(files: dict) -> dict:
    """A format-1 manifest's files (each with its runs' inputs in full) as format 2."""
    body = empty()
    for name, entry in files.items():
        keys = []
        for producer in entry.get("produced_by") or []:
            record = {"inputs": producer.get("inputs")}
            key = producer.get("run")
            if not isinstance(key, str):
                continue
            if body["runs"].get(key, record) != record:
                key = earlier_key(key, record)
            body["runs"][key] = record
            keys.append(key)
        body["files"][name] = {"sha256": entry.get("sha256"), "runs": keys}
    return body


def run_of(key: str) -> str:
    """The run id a key of "runs" records: itself, or the run of an earlier record of it."""
    return key.partition(EARLIER)[0]


def earlier_key(run_id: str, record: dict) -> str:
    """The key of an earlier record of a run, which some of its files still hold."""
    return f"{run_id}{EARLIER}{sha256_text(canonical_json(record))[:12]}"


def render(body: dict) -> str:
    """The manifest's text: each run that a file names once, sorted keys, stable indentation, a
    final newline. body: {"runs": ..., "files": ...} (either may be left out when empty)."""
    files = body.get("files", {})
    runs = body.get("runs", {})
    named = {key for entry in files.values() for key in entry["runs"]}
    missing = sorted(named - set(runs))
    if missing:
        raise ValueError(f"files name runs the manifest does not record: {', '.join(missing)}")
    text = {
        "format_version": FORMAT_VERSION,
        "runs": {key: runs[key] for key in sorted(named)},
        "files": {name: {"runs": sorted(set(e["runs"])), "sha256": e["sha256"]} for name, e in sorted(files.items())},
    }
    return json.dumps(text, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def write(output_dir: Path, body: dict) -> Path:
    """Replace the manifest atomically (a complete, flushed temporary file renamed over it)."""
    return safe_io.write_bytes(Path(output_dir) / MANIFEST_NAME, render(body).encode("utf-8"))


def files_of(body: dict, run_id: str) -> list[str]:
    """The files a run wrote (by any of its records), sorted."""
    return sorted(name for name, entry in body["files"].items() if any(run_of(k) == run_id for k in entry["runs"]))


def run_ids(entry: dict) -> set[str]:
    """The runs that wrote a file, by its entry."""
    return {run_of(key) for key in entry["runs"]}


def package_record(modules=()) -> dict:
    """The package's version, and the SHA-256 of each module a run had loaded
    (of the whole package's source when none was recorded)."""
    if not modules:
        return {"version": sovereign_ai.__version__, "source_sha256": package_source_sha256()}
    package_dir = Path(sovereign_ai.__file__).parent
    hashes = {}
    for module in sorted(set(modules)):
        path = package_dir.parent / module
        hashes[module] = sha256_file_cached(path) if path.exists() else "missing"
    return {"version": sovereign_ai.__version__, "modules_sha256": hashes}
