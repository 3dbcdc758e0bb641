"""Load the tables in data/, validated against data/datapackage.json.

The descriptor is a standard Frictionless Data Package (the tests check that
`frictionless validate` accepts it). Loading checks each table here, in plain
Python: frictionless itself costs over a second to import in every kernel,
and the checks the tables need are few (types, required cells, allowed values,
ranges, keys). A bad row raises DataError naming file, row, column, the value
and what was expected.
"""

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sovereign_ai import labels, paths, reads
from sovereign_ai.checks import descriptor_check
from sovereign_ai.reads import record as _record_read

MAX_ERRORS_SHOWN = 10


class DataError(ValueError):
    """A data file does not match its schema."""

    def _render_traceback_(self) -> list[str]:
        # How IPython (JupyterLab, papermill) shows it: the message alone, as the command does, for a
        # user's mistake; a traceback through the package would only hide it.
        return [f"{type(self).__name__}: {self}"]


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # data row, counting from 1 (the header is not a row)
    line: int | None  # line of the file, for editors
    column: str | None
    message: str

    @classmethod
    def in_row(cls, file: str, row: dict, column: str | None, message: str) -> "Problem":
        """A problem in one of read_rows' rows, which carry their row and line numbers."""
        return cls(file, row["__row__"], row["__line__"], column, message)

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row} (line {self.line})")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return ", ".join(where) + ": " + self.message


DESCRIPTOR_KEY = "data/datapackage.json#"  # a read of one table's description: "...#<table>"
ROW_KEY = "#"  # a read of one row of a table: "data/sources.csv#<source_id>"


def descriptor() -> dict:
    """The parsed data/datapackage.json."""
    path = paths.data_dir() / "datapackage.json"
    try:
        mtime_ns = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise DataError(
            f"{paths.relative(path)}: file not found; it describes every table (git checkout restores it)"
        ) from None
    return _read_descriptor(path, mtime_ns)  # re-read when the file changes


PACKAGE_KEY = "x-sovereign-ai"  # the project's own properties in datapackage.json
CHECKED_ON = "checked_on"  # the day data/ was last checked against its sources


def checked_on():
    """The day data/ was last checked against its sources (datapackage.json's x-sovereign-ai.checked_on):
    what as_of "latest" means. A conditional deadline before it with no report since has passed unreported."""
    import datetime as dt

    shown = paths.relative(paths.data_dir() / "datapackage.json")
    value = descriptor().get(PACKAGE_KEY, {}).get(CHECKED_ON)
    try:
        day = dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise DataError(
            f"{shown}: {PACKAGE_KEY}.{CHECKED_ON} is {value!r}; expected the day data/ was last checked "
            "against its sources, written YYYY-MM-DD"
        ) from None
    _record_read(DESCRIPTOR_KEY + CHECKED_ON)
    return day


def as_of_day(as_of):
    """The day a run looks from: as_of itself (a date or YYYY-MM-DD), or for "latest" the day data/
    was last checked against its sources, by which every row in data/ is known."""
    import datetime as dt

    if as_of == "latest":
        return checked_on()
    return as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))


def published_by(source_ids, as_of):
    """For each source id (a cell may name several, "A; B"), whether every source it names was
    published on or before as_of: what was known then. A source of unknown date counts as known
    only from the day data/ was last checked."""
    import datetime as dt

    def known(cell) -> bool:
        for source_id in (s.strip() for s in str(cell).split(";") if s.strip()):
            published = source(source_id)["pub_date"]
            first_day = dt.date.fromisoformat((published + "-01-01")[:10]) if published else checked_on()
            if first_day > as_of:
                return False
        return True

    return [known(cell) for cell in source_ids]


def input_sha256(entry: str) -> str:
    """The SHA-256 of a recorded read: a data file's bytes, one table's description
    (so that adding a table to the descriptor does not make every run stale), or one row
    of a table, "data/<file>.csv#<key>" (so that adding a source does not either), or the words of a
    catalogue a run printed, "notebooks/<file>.labels.yaml#<lang>:<key>,..." (sovereign_ai.labels);
    "missing" when it is gone."""
    if labels.is_read(entry):
        return labels.read_sha256(entry)
    if entry == DESCRIPTOR_KEY + CHECKED_ON:
        return _sha256_text(str(descriptor().get(PACKAGE_KEY, {}).get(CHECKED_ON)))
    if entry.startswith(DESCRIPTOR_KEY):
        name = entry[len(DESCRIPTOR_KEY) :]
        found = [r for r in descriptor()["resources"] if r["name"] == name]
        if not found:
            return "missing"
        return _sha256_text(json.dumps(found[0], sort_keys=True, ensure_ascii=False))
    if ROW_KEY in entry:
        file, _, key = entry.partition(ROW_KEY)
        return _row_sha256(file, key)
    path = paths.repo_root() / entry
    if not path.exists():
        return "missing"
    if not path.is_file():
        return "unreadable"  # stale, so the build reads the file and names the problem
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row_sha256(file: str, key: str) -> str:
    """The SHA-256 of the cells, by column, of the row of a table file whose primary key is key."""
    path = paths.repo_root() / file
    if not path.is_file():
        return "missing"
    stat = path.stat()
    hashes = _row_hashes(file, path, stat.st_mtime_ns, stat.st_size)
    if hashes is None:
        return "unreadable"  # stale, so the build validates the file and names the problem
    return hashes.get(key, "missing")


@lru_cache(maxsize=8)
def _row_hashes(file: str, path: Path, mtime_ns: int, size: int) -> dict | None:
    """Every row's SHA-256 by primary key, read once per version of the file (a no-op build asks
    for a hundred rows); None when the file cannot be read."""
    tables = [r for r in descriptor()["resources"] if paths.relative(paths.data_dir() / r["path"]) == file]
    key_column = _single_key_column(tables[0]) if tables else None
    if key_column is None:
        return {}
    try:
        table = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    except (UnicodeDecodeError, csv.Error):
        return None
    header = table[0] if table else []
    if key_column not in header:
        return {}
    at = header.index(key_column)
    hashes: dict = {}
    for cells in table[1:]:
        if len(cells) > at:  # the first row with a key counts, as a lookup would find it
            hashes.setdefault(
                cells[at], _sha256_text(json.dumps(dict(zip(header, cells)), sort_keys=True, ensure_ascii=False))
            )
    return hashes


def _single_key_column(res: dict) -> str | None:
    """The column of a table's primary key when it has one column, else None."""
    key = res["schema"].get("primaryKey")
    key = [key] if isinstance(key, str) else key
    return key[0] if isinstance(key, list) and len(key) == 1 else None


def _record_row_read(name: str, key: str) -> None:
    """Record that the run read one row of a table (by its single-column primary key), not the whole file."""
    _record_read(paths.relative(table_path(name)) + ROW_KEY + key)


@lru_cache(maxsize=4)
def _read_descriptor(path: Path, mtime_ns: int) -> dict:
    shown = paths.relative(path)
    if paths.is_special(path):
        raise DataError(paths.not_a_file(path, "the description of every table"))
    try:
        with open(path, encoding="utf-8-sig") as f:  # a byte-order mark, as some editors save, is read as written
            body = json.load(f, object_pairs_hook=_no_repeated_keys, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise DataError(f"{shown}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise DataError(f"{shown}, line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}") from None
    except _RepeatedKey as repeated:  # json would keep the last silently: a rule written twice drops the first
        raise DataError(f"{shown}: the key {repeated.args[0]!r} is given twice in one object; expected once") from None
    except (ValueError, RecursionError) as error:  # NaN, a 5,000-digit number, nesting thousands deep
        raise DataError(f"{shown}: not a data package the loader can read ({type(error).__name__}: {error})") from None
    for where, what in descriptor_check.problems(body):
        raise DataError(f"{shown}, {where}: {what}" if where else f"{shown}: {what}")
    return body


class _RepeatedKey(ValueError):
    pass


def _no_repeated_keys(pairs: list) -> dict:
    repeated = descriptor_check.first_repeated([key for key, _ in pairs])
    if repeated is not None:
        raise _RepeatedKey(repeated)
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def table_names() -> list[str]:
    return [r["name"] for r in descriptor()["resources"]]


def resource(name: str) -> dict:
    for r in descriptor()["resources"]:
        if r["name"] == name:
            _record_read(DESCRIPTOR_KEY + name)
            return r
    raise DataError(f"no table named {name!r} in data/datapackage.json; the tables are: {', '.join(table_names())}")


def table_path(name: str) -> Path:
    return paths.data_dir() / resource(name)["path"]


_TYPE_HINTS = {
    "integer": "a whole number such as 3",
    "number": "a number such as 97.0 (digits, a point, no spaces; not NaN or infinity)",
    "date": "a date written YYYY-MM-DD",
    "boolean": "true or false",
    "string": "text",
}


# Written forms each type accepts, strictly: Python's int() and float() would also take " 3",
# "1_497", "nan" and "inf", and date.fromisoformat() "20241031" and "2024-W44-4". ASCII digits
# only, in these and in the schema's patterns: \d alone also matches full-width "１４５２".
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# A date written as text, to the month or the day ("2025-02", "2025-02-28"), as the partial-date
# columns hold them: their patterns check the shape, this that the month and day exist.
_PARTIAL_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?", re.ASCII)
# The years the project's subject spans. A date outside them, in a date column or written as text
# to the year, month or day ("2025", "FY2025", "2025-02"), is a mistyped year (0225, 2205), not a
# fact. The integer year columns declare the same bounds as their minimum and maximum.
YEARS = (1990, 2060)
_YEAR_WRITTEN = re.compile(r"(?:FY)?(\d{4})(?:-\d{2}(?:-\d{2})?)?", re.ASCII)
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# Characters no cell may hold: control characters other than tab and line breaks (a NUL byte, an
# escape, C1), a byte-order mark inside text and non-characters (U+FFFF) are invisible in an editor,
# and XML does not allow most of them, so they would make the SVG files invalid.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")


def _convert(value: str, field_type: str):
    """The cell as a Python value; ValueError when it is not of the field's type."""
    if field_type == "string":
        return value
    if field_type == "integer":
        if not _INTEGER.fullmatch(value) or len(value) > 20 or not -(2**63) <= int(value) < 2**63:
            raise ValueError(value)  # beyond 64 bits: pandas' integer columns cannot hold it
        return int(value)
    if field_type == "number":
        if not _NUMBER.fullmatch(value) or not math.isfinite(float(value)):
            raise ValueError(value)  # 1e309 reads as infinity
        return float(value)
    if field_type == "date":
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    if field_type == "boolean":
        if value in _BOOLEANS:  # as Table Schema writes them, and Excel (TRUE): not "tRuE", not 1
            return _BOOLEANS[value]
        raise ValueError(value)
    raise DataError(f"field type {field_type!r} is not supported by the loader")


def _check_constraints(value, constraints: dict) -> str | None:
    if "enum" in constraints and value not in constraints["enum"]:
        allowed = ", ".join(repr(v) for v in constraints["enum"])
        return f"{value!r} is not allowed; expected one of {allowed}"
    if "minimum" in constraints and value < constraints["minimum"]:
        return f"{value!r} is below the minimum {constraints['minimum']!r}"
    if "maximum" in constraints and value > constraints["maximum"]:
        return f"{value!r} is above the maximum {constraints['maximum']!r}"
    if "pattern" in constraints:
        if not re.fullmatch(constraints["pattern"], str(value), re.ASCII):
            return f"{value!r} does not match the pattern {constraints['pattern']}"
        partial = _PARTIAL_DATE.fullmatch(str(value))
        if partial:
            year, month, day = partial.groups()
            try:
                dt.date(int(year), int(month), int(day or 1))
            except ValueError:
                return f"{value!r} is not a date in the calendar; expected a month 01-12 and a day that month has"
    if isinstance(value, dt.date) or "pattern" in constraints:
        return _outside_years(value)
    return None


def _outside_years(value) -> str | None:
    """For a date, or a year, month or day written as text: a complaint if its year is not in YEARS."""
    written = value.isoformat() if isinstance(value, dt.date) else str(value)
    year = _YEAR_WRITTEN.fullmatch(written)
    first, last = YEARS
    if year is None or first <= int(year[1]) <= last:
        return None
    return f"{written!r} is outside {first}-{last}, the years the project's data covers; expected a year in them"


def read_rows(name: str) -> tuple[list[dict], list[Problem]]:
    """The rows of a table as typed dicts, and every problem found in them."""
    res = resource(name)
    path = table_path(name)
    shown = paths.relative(path)
    _record_read(shown)
    if path.is_symlink() and not path.resolve().is_relative_to(paths.data_dir().resolve()):
        raise DataError(
            f"data/{res['path']}: a link to {path.resolve()}, outside data/; expected the table {name!r} in data/"
        )
    if paths.is_special(path):
        raise DataError(paths.not_a_file(path, f"the table {name!r}"))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{shown}: file not found (listed in data/datapackage.json as table {name!r})") from None
    except OSError as error:  # a folder in its place, no permission
        raise DataError(f"{shown}: cannot be read ({error.strerror or error}); expected the table {name!r}") from None
    rows, problems = _parsed_rows(shown, json.dumps(res, sort_keys=True), raw)
    return [dict(row) for row in rows], list(problems)  # copies: a caller may change what it gets


@lru_cache(maxsize=64)
def _parsed_rows(shown: str, resource_json: str, raw: bytes) -> tuple[tuple[dict, ...], tuple[Problem, ...]]:
    """A table's rows and problems, worked out once per content of the file and of its schema:
    a run reads the sources table once for every source it cites."""
    res = json.loads(resource_json)
    fields = res["schema"]["fields"]
    expected_header = [f["name"] for f in fields]
    problems: list[Problem] = []
    rows: list[dict] = []
    refused: set[tuple[int, str]] = set()  # (row, column) of cells already refused: not "empty" again as keys
    primary = res["schema"].get("primaryKey") or []
    keys = {primary} if isinstance(primary, str) else set(primary)
    keys |= {f for fk in res["schema"].get("foreignKeys", []) for f in _as_list(fk["fields"])}
    try:
        text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark: read it as Excel wrote it
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(
            f"{shown}, line {line}: not UTF-8 text (byte {raw[error.start]:#04x}); save the file as "
            'UTF-8 (in Excel: Save As, "CSV UTF-8 (comma delimited)")'
        ) from None
    if not text.strip():
        raise DataError(f"{shown}: the file is empty; expected the header {','.join(expected_header)} and rows")
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != expected_header:
            raise DataError(
                f"{shown}, header: the columns are {header!r}; expected {expected_header!r} "
                "(as listed in data/datapackage.json)"
            )
        for row_number, cells, line in _rows_of(reader, shown):
            if not cells or not any(cell.strip() for cell in cells):  # also ',,,' as a spreadsheet saves it
                problems.append(Problem(shown, row_number, line, None, "is a blank line; remove it"))
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        shown,
                        row_number,
                        line,
                        None,
                        f"has {len(cells)} cells; the header has {len(header)} ({', '.join(header)})"
                        + next((_quote_hint(c) for c in cells if "\n" in c), ""),
                    )
                )
                continue
            record = {}
            for field, cell in zip(fields, cells):
                column, hint = field["name"], _TYPE_HINTS[field["type"]]
                constraints = field.get("constraints", {})
                complaint, value = None, None
                control = _CONTROL.search(cell)
                if control:
                    complaint = (
                        f"{cell!r} holds the control character U+{ord(control.group()):04X}; expected "
                        f"{hint} (remove it: it is invisible in an editor)"
                    )
                elif cell.strip() == "":
                    if constraints.get("required"):
                        empty = "is empty" if cell == "" else "holds only spaces"
                        complaint = f"{empty}; expected {hint} (the column is required)"
                    elif cell:
                        complaint = f"holds only spaces; expected {hint}, or nothing"
                else:
                    try:
                        value = _convert(cell, field["type"])
                    except ValueError:
                        complaint = f"{cell!r} is not of type {field['type']}; expected {hint}"
                    else:
                        complaint = _check_constraints(value, constraints)
                    if not complaint and column in keys and cell != cell.strip():  # 'aws ' is not 'aws'
                        complaint = (
                            f"{cell!r} has a space at its start or end; expected {hint} without it "
                            "(the column is a key, matched exactly)"
                        )
                    invisible = next((c for c in cell if unicodedata.category(c) == "Cf"), None)
                    if not complaint and column in keys and invisible:  # a zero-width space, pasted from the web
                        complaint = (
                            f"{cell!r} holds the invisible character U+{ord(invisible):04X}; expected {hint} "
                            "without it (the column is a key, matched exactly)"
                        )
                if complaint:
                    refused.add((row_number, column))
                    problems.append(Problem(shown, row_number, line, column, complaint + _quote_hint(cell)))
                record[column] = value
            rows.append(record | {"__row__": row_number, "__line__": line})
    problems.extend(_key_problems(res, rows, shown, refused))
    return tuple(rows), tuple(problems)


def _as_list(fields) -> list[str]:
    return [fields] if isinstance(fields, str) else list(fields)


def _rows_of(reader, shown: str):
    """The reader's rows, numbered from 1, with the line each starts on (a quoted cell may hold
    line breaks); a row the csv module cannot read is named by its line."""
    row_number = 0
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise DataError(
                f'{shown}, line {start}: cannot be read as CSV ({error}); look for a quote (") opened '
                "and never closed, which makes the rest of the file one cell, or a cell that long"
            ) from None
        row_number += 1
        yield row_number, cells, start


def _quote_hint(cell) -> str:
    """For a complaint about a cell holding a line break: how that usually happens."""
    if isinstance(cell, str) and "\n" in cell:
        return ' (the cell runs over a line break: is a quote (") opened and never closed?)'
    return ""


def _key_problems(res: dict, rows: list[dict], shown: str, refused: set[tuple[int, str]]) -> list[Problem]:
    problems = []
    schema = res["schema"]
    primary = schema.get("primaryKey")
    primary = [primary] if isinstance(primary, str) else primary
    keys = [primary] if primary else []
    keys += [[f["name"]] for f in schema["fields"] if f.get("constraints", {}).get("unique")]
    for key in keys:
        seen: dict[tuple, dict] = {}
        for r in rows:
            value = tuple(r[k] for k in key)
            written = ", ".join(v.isoformat() if isinstance(v, dt.date) else repr(v) for v in value)
            if key == primary and None in value:  # Table Schema: a key's fields are required
                empty = key[value.index(None)]
                if (r["__row__"], empty) not in refused:  # a cell refused already is not also empty
                    problems.append(
                        Problem.in_row(shown, r, empty, "is empty; expected a value (it is part of the key)")
                    )
                continue
            folded = tuple(_folded(v) for v in value)
            if folded in seen:
                first = seen[folded]
                problems.append(Problem.in_row(shown, r, ", ".join(key), _repeats(written, value, first, key)))
            else:
                seen[folded] = r
    return problems


def _folded(value):
    """A key cell as a reader tells keys apart: full-width ２０２５ is 2025 and Sakura is sakura."""
    return unicodedata.normalize("NFKC", value).casefold() if isinstance(value, str) else value


def _repeats(written: str, value: tuple, first: dict, key: list[str]) -> str:
    """What a repeated key says: the row it repeats, and how it was written there if otherwise."""
    said = f"{written} repeats row {first['__row__']}"
    earlier = tuple(first[k] for k in key)
    if earlier != value:  # the same key written in another width or case: a copied row, most likely
        shown = ", ".join(v.isoformat() if isinstance(v, dt.date) else repr(v) for v in earlier)
        said += f" ({shown}) in another width or case"
    return said + "; expected a unique key"


def _foreign_key_problems(name: str, rows: list[dict]) -> list[Problem]:
    problems = []
    shown = paths.relative(table_path(name))
    for fk in resource(name)["schema"].get("foreignKeys", []):
        column = fk["fields"]
        target, target_column = fk["reference"]["resource"], fk["reference"]["fields"]
        # The build checks every table before any kernel starts, so a run's outputs never depend on
        # the referenced table through this check: it is not recorded as read.
        with reads.not_recorded():
            target_rows, _ = read_rows(target)
        known = {r[target_column] for r in target_rows}
        for r in rows:
            if r[column] is not None and r[column] not in known:
                problems.append(
                    Problem.in_row(
                        shown,
                        r,
                        column,
                        f"{r[column]!r} is not a {target_column} in {target}.csv" + _quote_hint(r[column]),
                    )
                )
    return problems


def _raise_if(problems: list) -> None:
    if not problems:
        return
    problems = list(dict.fromkeys(str(p) for p in problems))  # a table read for its own and others' checks
    lines = problems[:MAX_ERRORS_SHOWN]
    if len(problems) > MAX_ERRORS_SHOWN:
        lines.append(f"... and {len(problems) - MAX_ERRORS_SHOWN} more problems")
    raise DataError("invalid data:\n  " + "\n  ".join(lines))


def _not_greater(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """In each row, `column` is at most `than`."""
    column, than = rule["column"], rule["than"]
    return [
        Problem.in_row(shown, r, column, f"{r[column]!r} is greater than {than} ({r[than]!r}); expected at most that")
        for r in rows
        if r.get(column) is not None and r.get(than) is not None and r[column] > r[than]
    ]


def _written(values: dict) -> str:
    """Cells as a table writes them: as_of 2024-10-31, definition 'production_systems'."""
    return ", ".join(f"{k} {v.isoformat() if isinstance(v, dt.date) else repr(v)}" for k, v in values.items())


def _sum_not_greater(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """Summed over rows grouped `by`, `column` is at most the matching row's total in another table."""
    other, total_column = rule["than"]["table"], rule["than"]["column"]
    totals = {tuple(o[k] for k in rule["by"]): o[total_column] for o in read_rows(other)[0]}
    problems, sums = [], {}
    for r in rows:
        key = tuple(r[k] for k in rule["by"])
        sums[key] = sums.get(key, 0) + (r[rule["column"]] or 0)
        if totals.get(key) is not None and sums[key] > totals[key]:
            problems.append(
                Problem.in_row(
                    shown,
                    r,
                    rule["column"],
                    f"brings the sum for {_written(dict(zip(rule['by'], key)))} to {sums[key]}, "
                    f"more than the {totals[key]} of {other}.csv; expected at most that",
                )
            )
    return problems


def _in_use_hosts_systems(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """Where a count is split by provider in full, every provider in use at its date hosts a system."""
    status = read_rows(rule["status_table"])[0]
    problems = []
    for total in read_rows(rule["totals_table"])[0]:
        count = (total["as_of"], total["definition"])
        split = {r["provider_id"]: r["systems"] for r in rows if (r["as_of"], r["definition"]) == count}
        if sum(n or 0 for n in split.values()) != total["systems_total"]:
            continue  # not split in full: the rest may be on any provider in use
        for s in status:
            if s["as_of"] == total["as_of"] and s["is_in_use"] and not split.get(s["provider_id"]):
                problems.append(
                    Problem(
                        shown,
                        None,
                        None,
                        "systems",
                        f"{s['provider_id']} is in use on "
                        f"{total['as_of']} ({rule['status_table']}.csv row {s['__row__']}) but hosts "
                        "no system of the full split; expected at least one",
                    )
                )
    return problems


# How a date is written to each precision: the pattern, and what a message shows.
_WRITTEN_TO = {
    "day": (r"\d{4}-\d{2}-\d{2}", "YYYY-MM-DD"),
    "month": (r"\d{4}-\d{2}", "YYYY-MM"),
    "year": (r"\d{4}", "YYYY"),
}


def _date_precision(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """A date is written to the precision its row states: day 2025-02-28, month 2025-02, year 2025."""
    column, precision = rule["column"], rule["precision"]
    problems = []
    for r in rows:
        value, stated = r.get(column), r.get(precision)
        if value is None or stated not in _WRITTEN_TO:
            continue  # no date, or a precision such as "unknown" that fixes no form
        written = value.isoformat() if isinstance(value, dt.date) else str(value)
        pattern, form = _WRITTEN_TO[stated]
        if not re.fullmatch(pattern, written, re.ASCII):
            problems.append(
                Problem.in_row(
                    shown,
                    r,
                    column,
                    f"{written!r} is not written to the {stated} that {precision} states; expected {form}",
                )
            )
    return problems


def _one_row_each(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """One row for each natural key (a survey's as_of and definition): a row copied under a new id
    would be drawn twice."""
    columns, seen, problems = rule["columns"], {}, []
    for r in rows:
        value = tuple(_folded(r[c]) for c in columns)
        if value in seen:
            problems.append(
                Problem.in_row(
                    shown,
                    r,
                    ", ".join(columns),
                    f"{_written({c: r[c] for c in columns})} repeats row {seen[value]}; expected one row for "
                    "each (is the row copied?)",
                )
            )
        else:
            seen[value] = r["__row__"]
    return problems


_DATE_WRITTEN = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", re.ASCII)


def _as_written_date(value) -> str | None:
    """A date as ISO text to its precision (2025-10-31, 2025-10, 2025): a date, a year as a whole
    number, or text written so; None for anything else ("unknown", a fiscal year)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    if isinstance(value, str) and _DATE_WRITTEN.fullmatch(value):
        return value
    return None


def _compared(earlier: str, later: str) -> int:
    """-1, 0 or 1 as earlier is before, at or after later, to the precision both are written to
    (2025-10 and 2025-10-31 are at the same month)."""
    n = min(len(earlier), len(later))
    return (earlier[:n] > later[:n]) - (earlier[:n] < later[:n])


def _dates_in_order(rule: dict, rows: list[dict], shown: str, *, strictly: bool) -> list[Problem]:
    column, than = rule["column"], rule["than"]
    problems = []
    for r in rows:
        value, other = _as_written_date(r.get(column)), _as_written_date(r.get(than))
        if value is None or other is None:
            continue
        order = _compared(value, other)
        if strictly and order >= 0:
            problems.append(
                Problem.in_row(
                    shown, r, column, f"{value!r} is not before {than} ({other!r}); expected an earlier date"
                )
            )
        elif not strictly and order < 0:
            problems.append(
                Problem.in_row(shown, r, column, f"{value!r} is before {than} ({other!r}); expected that date or later")
            )
    return problems


def _not_before(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """In each row, the date in `column` is on or after the one in `than` (published on or after as_of)."""
    return _dates_in_order(rule, rows, shown, strictly=False)


def _before(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """In each row, the date in `column` is before the one in `than` (a change since a date before as_of)."""
    return _dates_in_order(rule, rows, shown, strictly=True)


def _latest_meant(pub_date: str) -> str | None:
    """The latest date a source's pub_date can mean, as ISO text: 2025-11-05 for 2025-11-04/05,
    2024-06 for ~2024-05/2024-06; None when it gives none (n/a)."""
    text = re.sub(r"(\d{4}-\d{2}-)(\d{2})/(\d{2})\b", r"\g<1>\3", pub_date, flags=re.ASCII)
    found = re.findall(r"\d{4}(?:-\d{2}(?:-\d{2})?)?", text, re.ASCII)
    return max(found) if found else None


def _not_after_source(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """An observed value is dated no later than its source's publication: a source cannot report
    what had not happened. Rows whose `unless` column is true (projections) keep their future dates."""
    column, unless = rule["column"], rule.get("unless")
    with reads.not_recorded():  # checked before any kernel starts, as foreign keys are
        published = {s["source_id"]: s["pub_date"] for s in read_rows("sources")[0]}
    problems = []
    for r in rows:
        value = _as_written_date(r.get(column))
        if value is None or (unless and r.get(unless)) or not isinstance(published.get(r["source_id"]), str):
            continue
        latest = _latest_meant(published[r["source_id"]])
        if latest is not None and _compared(value, latest) > 0:
            what = f"; if it is a projection, mark it so in {unless}" if unless else ""
            problems.append(
                Problem.in_row(
                    shown,
                    r,
                    column,
                    f"{value!r} is after its source {r['source_id']} was published ({latest}, sources.csv); "
                    f"expected a date no later than that{what}",
                )
            )
    return problems


# Each rule's check; descriptor_check.RULES says which keys each reads, checked as the descriptor is read.
def _share_of(rule: dict, rows: list[dict], shown: str) -> list[Problem]:
    """A stated share in percent agrees with the counts beside it, within the rounding it is written to
    (36.0 or 36: within 0.5; 41.6: within 0.05)."""
    column, part, whole = rule["column"], rule["part"], rule["whole"]
    problems = []
    for r in rows:
        stated, counted, total = r.get(column), r.get(part), r.get(whole)
        if stated is None or counted is None or not total:
            continue
        decimals = len(repr(float(stated)).partition(".")[2].rstrip("0"))
        margin = 0.5 * 10**-decimals + 1e-9
        computed = 100 * counted / total
        if abs(stated - computed) > margin:
            problems.append(
                Problem.in_row(
                    shown,
                    r,
                    column,
                    f"{stated:g} is not {part} / {whole} = {counted:,g} / {total:,g} = {computed:.{decimals + 1}f} % "
                    f"within its rounding (±{0.5 * 10**-decimals:g}); expected the share its counts give",
                )
            )
    return problems


_RULE_CHECKS = {
    "not_greater": _not_greater,
    "sum_not_greater": _sum_not_greater,
    "date_precision": _date_precision,
    "in_use_hosts_systems": _in_use_hosts_systems,
    "share_of": _share_of,
    "one_row_each": _one_row_each,
    "not_before": _not_before,
    "before": _before,
    "not_after_source": _not_after_source,
}
assert _RULE_CHECKS.keys() == descriptor_check.RULES.keys()
assert tuple(_WRITTEN_TO) == descriptor_check.PRECISIONS
assert tuple(_TYPE_HINTS) == descriptor_check.TYPES


def _rule_problems(name: str, rows: list[dict]) -> list[Problem]:
    """The project's own checks, declared in the resource's `x-sovereign-ai`: a minimum of rows,
    and the rules in _RULE_CHECKS, across columns and tables."""
    declared = resource(name).get("x-sovereign-ai", {})
    shown = paths.relative(table_path(name))
    problems = []
    if len(rows) < declared.get("minRows", 0):
        problems.append(
            Problem(shown, None, None, None, f"has {len(rows)} rows; expected at least {declared['minRows']}")
        )
    for rule in declared.get("rules", []):  # their names are checked as the descriptor is read
        problems += _RULE_CHECKS[rule["check"]](rule, rows, shown)
    return problems


def validate_table(name: str) -> list[dict]:
    """Rows of the table, typed, after checking the table, its foreign keys and the project's own rules."""
    rows, problems = read_rows(name)
    problems += _foreign_key_problems(name, rows) + _rule_problems(name, rows)
    _raise_if(problems)
    return rows


def validate_all() -> None:
    """Check every table in the data package; raise DataError listing all problems."""
    problems: list = []
    for name in table_names():
        try:
            rows, found = read_rows(name)
            problems += found + _foreign_key_problems(name, rows) + _rule_problems(name, rows)
        except DataError as error:  # a whole file is unreadable: its header, or missing
            problems.append(str(error))
    _raise_if(problems)


_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "string": "string", "boolean": "boolean"}


def load_table(name: str):
    """A table of data/ as a pandas DataFrame, validated, with columns typed from the schema."""
    import pandas as pd  # here, not at the top: the build checks data without paying for pandas

    rows = validate_table(name)
    fields = resource(name)["schema"]["fields"]
    frame = pd.DataFrame([{f["name"]: r[f["name"]] for f in fields} for r in rows], columns=[f["name"] for f in fields])
    for f in fields:
        if f["type"] == "date":
            frame[f["name"]] = pd.to_datetime(frame[f["name"]])
        else:
            frame[f["name"]] = frame[f["name"]].astype(_PANDAS_TYPES[f["type"]])
    return frame


def source(source_id: str) -> dict:
    """One row of sources.csv, checked with its whole table; the run is recorded as reading that row only,
    so that adding or editing another source leaves it current."""
    with reads.not_recorded():
        rows = validate_table("sources")
    for r in rows:
        if r["source_id"] == source_id:
            _record_row_read("sources", source_id)
            return r
    raise DataError(f"no source {source_id!r} in data/sources.csv")
