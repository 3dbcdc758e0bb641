"""The words the charts print, in Japanese and English, from catalogue files a translator edits.

A notebook's chart words live beside it, in notebooks/<notebook>.labels.yaml; the words of several
notebooks and of the package (source lines, captions, dates, units) in notebooks/shared.labels.yaml.
An entry is a key with its two texts, and {name} in a text is a placeholder the code fills in:

    selected_count:
      ja: "..."
      en: "as of {date}: {n} providers, {d} of them Japanese"

Every file is checked when first read (each entry has a non-empty ja and en text with the same
placeholders, each key is in one file only): a mistake is named by file, line and key, with what
was expected. A build run records the entries it printed (sovereign_ai.reads), by file, language
and key, so a rebuild re-runs exactly the runs whose words changed.
"""

import hashlib
import json
import os
import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from sovereign_ai import paths, reads

LANGUAGES = ("ja", "en")
SUFFIX = ".labels.yaml"
SHARED = "shared" + SUFFIX
LEAVES_OUT = "_leaves_out"  # "en_leaves_out: {date}": a placeholder English leaves out on purpose
KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .-]*")  # no "#", ":" or ",": they separate a recorded read
MAX_PROBLEMS_SHOWN = 10
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(ValueError):
    """A catalogue file a translator or author got wrong, or a key no catalogue holds."""

    def _render_traceback_(self) -> list[str]:
        # How IPython (JupyterLab, papermill) shows it: the message alone, as the command does.
        return [f"{type(self).__name__}: {self}"]


@dataclass(frozen=True)
class Entry:
    file: str  # as the repository names it: notebooks/cloud_dependence.labels.yaml
    line: int
    texts: dict  # {"ja": ..., "en": ...}


def catalogue_files() -> list[Path]:
    """Every catalogue file, in the order they are read."""
    folder = paths.labels_dir()
    return [folder / name for name in _catalogue_names(os.fspath(folder))]


def _catalogue_names(folder: str) -> list[str]:
    try:
        return sorted(name for name in os.listdir(folder) if name.endswith(SUFFIX))
    except OSError:
        return []


def lookup(key: str, lang: str) -> str:
    """The text of key in lang (one of LANGUAGES), recorded as read by a build run."""
    entry = catalogue().get(key)
    if entry is None:
        shown = ", ".join(paths.relative(p) for p in catalogue_files()) or f"no *{SUFFIX} file in it"
        raise CatalogueError(
            f"no chart word {key!r} in {paths.relative(paths.labels_dir())}/ (looked in {shown}); add it, "
            f"with its ja: and en: texts, to the catalogue beside the notebook that prints it "
            f"(<notebook>{SUFFIX}), or to {SHARED} if several notebooks or the package print it"
        )
    reads.record(f"{entry.file}#{lang}:{key}")
    return entry.texts[lang]


def catalogue() -> dict[str, Entry]:
    """Every entry of every catalogue file, by key (each file parsed once while it is unchanged);
    CatalogueError naming every problem."""
    folder = os.fspath(paths.labels_dir())  # as text: asked at every lookup, checked in microseconds
    return _catalogue(folder, tuple((name, *_stamp(os.path.join(folder, name))) for name in _catalogue_names(folder)))


def where(key: str) -> str:
    """Where an entry is, as an error names it: file, line and key."""
    entry = catalogue()[key]
    return f"{entry.file}, line {entry.line}, {key!r}"


def validate() -> int:
    """Check every catalogue file; the number of entries. CatalogueError names every problem."""
    return len(catalogue())


def _stamp(path: Path) -> tuple:
    try:
        stat = os.stat(path)
    except OSError:
        return ()
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


@lru_cache(maxsize=4)
def _catalogue(folder: str, stamps: tuple) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    problems: list[str] = []
    for name, *stamp in stamps:
        found, said = _parse(Path(folder) / name, tuple(stamp))
        problems += said
        for key, entry in found.items():
            if key in entries:
                first = entries[key]
                problems.append(
                    f"{entry.file}, line {entry.line}, {key!r}: the key is also in {first.file} (line {first.line}); "
                    "a key lives in one file only: keep one, or give one of them another key"
                )
            else:
                entries[key] = entry
    if problems:
        raise CatalogueError(_said(problems))
    return entries


def _said(problems: list[str]) -> str:
    shown = problems[:MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    return "\n".join(shown + ([f"... and {more} more"] if more else []))


@lru_cache(maxsize=64)
def _parse(path: Path, stamp: tuple) -> tuple[dict[str, Entry], list[str]]:
    """One catalogue file's entries, and its problems (stamp: the file's size, time and inode, so
    that a changed file is read again)."""
    shown = paths.relative(path)
    if paths.is_special(path):
        return {}, [paths.not_a_file(path, "a catalogue of chart words")]
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark, as some editors save, is read as written
    except UnicodeDecodeError:
        return {}, [f"{shown}: not UTF-8 text; save it as UTF-8"]
    except OSError as error:
        return {}, [f"{shown}: cannot be read ({error.strerror or error})"]
    quote = "; put each text in double quotes, as the other entries are"
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = f", line {mark.line + 1}" if mark else ""
        return {}, [f"{shown}{line}: not valid YAML ({error.problem or error.context}){quote}"]
    except yaml.YAMLError as error:
        return {}, [f"{shown}: not valid YAML ({error}){quote}"]
    if root is None:
        return {}, []
    if not isinstance(root, yaml.MappingNode):
        return {}, [
            f"{shown}, line {root.start_mark.line + 1}: expected entries, each a key followed by its "
            "ja: and en: texts (see the comment at the top of the file)"
        ]
    entries: dict[str, Entry] = {}
    problems: list[str] = []
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, str) or not KEY.fullmatch(key):
            problems.append(
                f"{shown}, line {line}: {key!r} is not a key; a key is letters, digits, _, -, . and spaces, "
                "as the notebooks write it in text.label(...)"
            )
            continue
        where = f"{shown}, line {line}, {key!r}"
        if key in entries:
            problems.append(
                f"{where}: the key is given twice in this file (also on line {entries[key].line}); keep one"
            )
            continue
        texts, said = _texts(shown, key, value_node)
        problems += said
        entries[key] = Entry(shown, line, texts)
    return entries, problems


def _texts(shown: str, key: str, node) -> tuple[dict, list[str]]:
    """An entry's ja and en texts, and its problems."""
    where = f"{shown}, line {node.start_mark.line + 1}, {key!r}"
    if not isinstance(node, yaml.MappingNode):
        return {}, [f'{where}: expected its texts on the lines below the key, as ja: "..." and en: "..."']
    fields: dict[str, tuple[str, int]] = {}
    problems = []
    allowed = (*LANGUAGES, *(lang + LEAVES_OUT for lang in LANGUAGES))
    for name_node, value_node in node.value:
        name, line = getattr(name_node, "value", None), name_node.start_mark.line + 1
        at = f"{shown}, line {line}, {key!r}"
        if name not in allowed:
            problems.append(
                f"{at}: unexpected {name!r}; an entry has a ja: and an en: text "
                f"(and <language>{LEAVES_OUT}: for a placeholder one language leaves out on purpose)"
            )
        elif name in fields:
            problems.append(f"{at}: {name}: is given twice (also on line {fields[name][1]}); keep one")
        elif not isinstance(value_node, yaml.ScalarNode):
            problems.append(f"{at}: the {name}: text must be one text in quotes, not a list or a mapping")
        else:
            fields[name] = (value_node.value, line)
    placeholders = {}
    for lang in LANGUAGES:
        if lang not in fields:
            problems.append(f"{where}: no {lang}: text; expected both ja: and en:")
            continue
        value, line = fields[lang]
        if not value.strip():
            problems.append(f"{shown}, line {line}, {key!r}: the {lang}: text is empty; write its words")
            continue
        try:
            placeholders[lang] = placeholder_names(value)
        except ValueError as error:
            problems.append(f"{shown}, line {line}, {key!r}: the {lang}: text {error}")
    if len(placeholders) == len(LANGUAGES):
        problems += _same_placeholders(shown, key, fields, placeholders)
    return {lang: fields[lang][0] for lang in LANGUAGES if lang in fields}, problems


def _same_placeholders(shown: str, key: str, fields: dict, placeholders: dict) -> list[str]:
    """Both languages fill the same placeholders, but those a language says it leaves out."""
    problems = []
    for lang in LANGUAGES:
        other = next(o for o in LANGUAGES if o != lang)
        left_out = set()
        if lang + LEAVES_OUT in fields:
            value, line = fields[lang + LEAVES_OUT]
            try:
                left_out = placeholder_names(value)
            except ValueError as error:
                problems.append(f"{shown}, line {line}, {key!r}: {lang}{LEAVES_OUT}: {error}")
            wrong = sorted(left_out - (placeholders[other] - placeholders[lang]))
            if wrong or not left_out:
                problems.append(
                    f"{shown}, line {line}, {key!r}: {lang}{LEAVES_OUT}: expected the placeholders that the {other}: "
                    f"text has and the {lang}: text leaves out, such as {{date}}"
                    + (f"; {_braced(wrong)} is not one" if wrong else "")
                )
        missing = sorted(placeholders[other] - placeholders[lang] - left_out)
        if missing:
            problems.append(
                f"{shown}, line {fields[lang][1]}, {key!r}: the {lang}: text has no {_braced(missing)}, which the "
                f"{other}: text has; write the same {{placeholders}} in both languages (the code fills them in)"
            )
    return problems


def _braced(names) -> str:
    return ", ".join("{" + name + "}" for name in names)


def placeholder_names(text: str) -> set[str]:
    """The names of the {placeholders} in a text; ValueError saying what is wrong with one."""
    names = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise ValueError(
            "has a lone { or }: a placeholder is a name in braces, {date}; write {{ or }} for a brace itself"
        ) from None
    for _, field, spec, _ in parsed:
        if field is None:
            continue
        if not field.isidentifier() or "{" in (spec or ""):
            raise ValueError(
                f"has {{{field}{':' + spec if spec else ''}}}, which is not a placeholder: a placeholder is a name "
                "in braces, {date}, as the other language writes it; write {{ or }} for a brace itself"
            )
        names.add(field)
    return names


# ---- What a build run read, for the manifest ------------------------------------------------
#
# Each lookup is recorded as "<file>#<lang>:<key>". The build groups a run's reads by file and
# language, "notebooks/x.labels.yaml#en:as_of,roster_title", and the manifest keeps the SHA-256
# of those texts: editing one word re-runs the runs that printed it, in that language.


def is_read(entry: str) -> bool:
    """Whether a recorded read is of a catalogue's words."""
    return entry.partition("#")[0].endswith(SUFFIX)


def grouped_reads(entries) -> list[str]:
    """The reads with the words of each catalogue file and language in one entry, keys sorted."""
    others, keys = set(), {}
    for entry in entries:
        if is_read(entry):
            where, _, read = entry.partition("#")
            lang, _, names = read.partition(":")
            keys.setdefault((where, lang), set()).update(names.split(","))
        else:
            others.add(entry)
    words = {f"{where}#{lang}:{','.join(sorted(names))}" for (where, lang), names in keys.items()}
    return sorted(others | words)


def read_sha256(entry: str) -> str:
    """The SHA-256 of the words a grouped read names, in its language, as its file has them now;
    "missing" when the file is gone, "unreadable" when it has a problem (the build then names it)."""
    file, _, read = entry.partition("#")
    lang, _, names = read.partition(":")
    path = paths.repo_root() / file
    if not path.is_file():
        return "missing"
    entries, problems = _parse(path, _stamp(path))
    if problems:
        return "unreadable"
    texts = {key: entries[key].texts.get(lang) if key in entries else None for key in names.split(",")}
    return hashlib.sha256(json.dumps(texts, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def read_file_and_language(entry: str) -> tuple[str, str]:
    """The catalogue file and the language of a recorded read of words."""
    file, _, read = entry.partition("#")
    return file, read.partition(":")[0]
