"""What the loader reads of data/datapackage.json, checked before any table is read.

The loader reads a part of Frictionless Table Schema and the project's own extension,
`x-sovereign-ai` (data/README.md). Anything else is refused, never ignored: a misspelt
"rules" would drop its checks, a `maxLength` the loader does not read would promise a check
it never makes, and a rule naming a field of the wrong type would stop with a traceback.
Each problem says where it is (the table, and the field, key or rule) and what was expected.
"""

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

TYPES = ("integer", "number", "date", "boolean", "string")
NUMBERS = ("integer", "number")

# The keys known at each level; the descriptive ones (title, description, licenses...) are kept, not read.
PACKAGE_KEYS = {"name", "title", "description", "profile", "licenses", "resources", "x-sovereign-ai"}
RESOURCE_KEYS = {"name", "path", "title", "description", "profile", "format", "mediatype", "encoding", "sources"}
RESOURCE_KEYS |= {"schema", "x-sovereign-ai"}
SCHEMA_KEYS = {"fields", "primaryKey", "foreignKeys"}
FIELD_KEYS = {"name", "type", "title", "description", "constraints"}
# Each constraint the loader checks: the JSON types its value may have, in words, and the field
# types it applies to.
CONSTRAINTS = {
    "required": ((bool,), "true or false", TYPES),
    "unique": ((bool,), "true or false", TYPES),
    "enum": ((list,), "a list", ("string", "integer", "number")),
    "minimum": ((int, float), "a number", NUMBERS),
    "maximum": ((int, float), "a number", NUMBERS),
    "pattern": ((str,), "a regular expression", ("string",)),
}
EXTENSION_KEYS = {"minRows", "rules"}
# How the notebooks name tables and fields (data.load_table("gov_cloud_systems")).
NAME = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
# The precisions a date can be written to (sovereign_ai.data), and "unknown", which fixes no form.
PRECISIONS = ("day", "month", "year")

# Each rule the loader checks (sovereign_ai.data), with the keys it reads and what each names (KINDS).
RULES = {
    "not_greater": {"column": "field", "than": "field"},
    "sum_not_greater": {"column": "number field", "by": "fields", "than": "number field elsewhere"},
    "date_precision": {"column": "field", "precision": "precision field"},
    "in_use_hosts_systems": {"status_table": "table", "totals_table": "table"},
    "share_of": {"column": "number field", "part": "number field", "whole": "number field"},
    "one_row_each": {"columns": "fields"},
    "not_before": {"column": "date field", "than": "date field"},
    "before": {"column": "date field", "than": "date field"},
    "not_after_source": {"column": "date field", "unless": "optional boolean field"},
}
DATED = ("date", "string", "integer")  # a date, text written as one (2025-10), a year
KINDS = {
    "field": "a field of the table",
    "number field": "a field of numbers of the table",
    "fields": "a list of fields of the table",
    "table": "a table",
    "number field elsewhere": "a field of numbers of another table, as {'table': ..., 'column': ...}",
    "precision field": "a field of precisions (day, month, year)",
    "date field": "a field of dates (a date, text such as 2025-10, or a year)",
    "optional boolean field": "a field of true or false (optional)",
}
# The columns in_use_hosts_systems reads, with their types, in its own table and in the tables it names.
IN_USE_COLUMNS = {
    None: {"as_of": "date", "definition": "string", "provider_id": "string", "systems": "integer"},
    "status_table": {"as_of": "date", "provider_id": "string", "is_in_use": "boolean"},
    "totals_table": {"as_of": "date", "definition": "string", "systems_total": "integer"},
}


def problems(body) -> Iterator[tuple[str, str]]:
    """(where, what) for each thing in a parsed data package the loader would misread or not read.
    `where` is "" for the package itself, else "table 'x'" and what in it. Stops at the first
    problem of a table's shape, since the checks after it read that shape."""
    if not isinstance(body, dict) or not isinstance(body.get("resources"), list) or not body["resources"]:
        yield "", "expected a data package: an object whose 'resources' lists the tables"
        return
    yield from _unknown_keys(body, PACKAGE_KEYS, "")
    yield from _package_properties(body.get("x-sovereign-ai", {}))
    resources = body["resources"]
    for number, resource in enumerate(resources, 1):
        named = isinstance(resource, dict) and isinstance(resource.get("name"), str)
        where = f"table {resource['name']!r}" if named else f"resource {number}"
        problem = _shape_problem(resource)
        if problem:
            yield where + problem[0], problem[1]
            return
    names = [r["name"] for r in resources]
    if repeated := first_repeated(names):
        yield "", f"the table {repeated!r} is described twice; expected once"
        return
    if repeated := first_repeated([r["path"] for r in resources]):
        yield "", f"two tables have the path {repeated!r}; expected a file of its own for each"
        return
    tables = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in resources}
    for resource in resources:
        yield from ((f"table {resource['name']!r}{where}", what) for where, what in _table_problems(resource, tables))


def _package_properties(own) -> Iterator[tuple[str, str]]:
    """The package's x-sovereign-ai: checked_on, the day data/ was last checked against its sources."""
    import datetime as dt

    if not isinstance(own, dict):
        yield "x-sovereign-ai", "expected an object holding checked_on"
        return
    yield from _unknown_keys(own, {"checked_on"}, "x-sovereign-ai")
    if "checked_on" not in own:  # optional: only as_of "latest" reads it, and then says it is missing
        return
    try:
        dt.date.fromisoformat(own.get("checked_on"))
    except (TypeError, ValueError):
        yield (
            "x-sovereign-ai.checked_on",
            (
                f"{own.get('checked_on')!r} is not a day; expected the day data/ was last checked against its "
                "sources, written YYYY-MM-DD"
            ),
        )


def _unknown_keys(mapping: dict, known: set, where: str) -> Iterator[tuple[str, str]]:
    for key in mapping:
        if key not in known:
            yield where, f"{key!r} is not a key the loader reads; expected one of {', '.join(sorted(known))}"


def first_repeated(names: list) -> str | None:
    return next((name for i, name in enumerate(names) if name in names[:i]), None)


def _shape_problem(resource) -> tuple[str, str] | None:
    """(where, what) keeps the loader from reading the resource's name, file and fields at all."""
    if not isinstance(resource, dict):
        return "", "expected an object with 'name', 'path' and 'schema'"
    name, path, schema = resource.get("name"), resource.get("path"), resource.get("schema")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        return "", f"name {name!r} is not a table name; expected lower-case letters, digits and '_'"
    if not isinstance(path, str) or not _inside_data(path):
        return "", f"path {path!r} is not a CSV file in data/; expected a name such as {name}.csv"
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"]:
        return "", "expected a 'schema' whose 'fields' lists the columns"
    for field in schema["fields"]:
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not NAME.fullmatch(field["name"]):
            shown = field.get("name") if isinstance(field, dict) else field
            return f", field {shown!r}", "expected an object with a 'name' of lower-case letters, digits and '_'"
        if field.get("type") not in TYPES:
            what = f"type {field.get('type')!r} is not one the loader reads; expected one of {', '.join(TYPES)}"
            return f", field {field['name']!r}", what
    if repeated := first_repeated([field["name"] for field in schema["fields"]]):
        return "", f"the field {repeated!r} is described twice; expected once"
    return None


def _inside_data(path: str) -> bool:
    """A relative path below data/, to a .csv file: the loader reads nothing else."""
    posix = PurePosixPath(path)
    return (
        path.endswith(".csv")
        and "\\" not in path
        and "\x00" not in path
        and not posix.is_absolute()
        and ".." not in posix.parts
        and not re.match(r"[A-Za-z]:", path)
    )


def _table_problems(resource: dict, tables: dict[str, dict[str, dict]]) -> Iterator[tuple[str, str]]:
    """(where in the table, what) for its keys, fields, constraints, keys and rules."""
    own = tables[resource["name"]]
    schema = resource["schema"]
    yield from _unknown_keys(resource, RESOURCE_KEYS, "")
    if str(resource.get("encoding", "utf-8")).lower() != "utf-8":
        yield "", f"encoding {resource['encoding']!r}: the loader reads UTF-8; expected 'utf-8'"
    yield from _unknown_keys(schema, SCHEMA_KEYS, ", schema")
    for field in schema["fields"]:
        for what in _field_problems(field):
            yield f", field {field['name']!r}", what
    if "primaryKey" in schema:
        key = schema["primaryKey"]
        problem = _names_problem(key, own, many=not isinstance(key, str))
        if problem:
            yield ", primaryKey", problem
    foreign_keys = schema.get("foreignKeys", [])
    if not isinstance(foreign_keys, list):
        yield ", foreignKeys", f"{foreign_keys!r} is not a list"
        foreign_keys = []
    for number, fk in enumerate(foreign_keys, 1):
        problem = _foreign_key_problem(fk, own, tables)
        if problem:
            yield f", foreign key {number}", problem
    yield from _extension_problems(resource.get("x-sovereign-ai", {}), own, tables)


def _field_problems(field: dict) -> Iterator[str]:
    for key in field:
        if key not in FIELD_KEYS:
            yield f"{key!r} is not a key the loader reads; expected one of {', '.join(sorted(FIELD_KEYS))}"
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        yield "expected 'constraints' to be an object"
        return
    for key, value in constraints.items():
        if key not in CONSTRAINTS:
            yield (
                f"constraint {key!r} is not one the loader checks; expected one of {', '.join(CONSTRAINTS)}, "
                "or a project rule (data/README.md)"
            )
            continue
        json_types, in_words, field_types = CONSTRAINTS[key]
        if field["type"] not in field_types:
            yield f"{key} is not supported for type {field['type']!r} by the loader; give it as a project rule"
        # (JSON's true is a Python int too: a boolean is right only where a boolean is asked for)
        elif not isinstance(value, json_types) or isinstance(value, bool) != (bool in json_types):
            yield f"{key} {value!r} is not {in_words}"
        elif key == "enum" and (not value or not all(_enum_value_fits(v, field["type"]) for v in value)):
            yield f"enum {value!r} is not a non-empty list of {field['type']} values"
        elif key == "pattern":
            try:
                re.compile(value, re.ASCII)  # as the loader matches it
            except (re.error, ValueError) as error:
                yield f"pattern {value!r} is not a regular expression ({error})"
            else:
                if _repeat_in_repeat(value):
                    yield (
                        f"pattern {value!r} repeats a repeat of varying length (as in (a+)+): on a cell "
                        "that nearly matches, the loader would try every way of splitting it, for hours; "
                        "make the inner repeat possessive (a++) or its group atomic ((?>...))"
                    )
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
        yield f"minimum {low!r} is above maximum {high!r}"


def _repeat_in_repeat(pattern: str) -> bool:
    """Whether a repeat of varying length (more than an optional part) sits inside one that can
    match more than once ((a+)+, (a|b+)*), where Python's backtracking takes exponential time.
    Possessive repeats and atomic groups never backtrack into what they matched: they are safe."""
    try:
        from re import _constants as op
        from re import _parser
    except ImportError:  # a Python whose re is laid out otherwise: the pattern is only compiled
        return False

    def inside(items, repeating: bool) -> bool:
        for code, arguments in items:
            parts, repeated = [], repeating
            if code in (op.MAX_REPEAT, op.MIN_REPEAT):
                low, high, body = arguments
                if repeating and low != high and high > 1:
                    return True
                parts, repeated = [body], repeating or high > 1
            elif code is op.SUBPATTERN:
                parts = [arguments[-1]]
            elif code is op.BRANCH:
                parts = arguments[1]
            elif code in (op.ASSERT, op.ASSERT_NOT):
                parts = [arguments[1]]
            if any(inside(part, repeated) for part in parts):
                return True
        return False

    return inside(_parser.parse(pattern, re.ASCII), False)


def _enum_value_fits(value, field_type: str) -> bool:
    if isinstance(value, bool):
        return False
    return (
        isinstance(value, str)
        if field_type == "string"
        else isinstance(value, int if field_type == "integer" else int | float)
    )


def _names_problem(value, fields: dict[str, dict], what: str = "a field of the table", many=False):
    """Why value is not a field name from fields (with many, a non-empty list of them), or None."""
    if many and not (isinstance(value, list) and value):
        return f"{value!r} is not a non-empty list of field names"
    for name in value if many else [value]:
        if not isinstance(name, str) or name not in fields:
            return f"{name!r} is not {what}; expected one of {', '.join(fields)}"
    return None


def _foreign_key_problem(fk, own: dict[str, dict], tables: dict) -> str | None:
    """The loader checks foreign keys of one field, named as a string, into another table."""
    reference = fk.get("reference") if isinstance(fk, dict) else None
    if set(fk if isinstance(fk, dict) else ()) != {"fields", "reference"} or not isinstance(reference, dict):
        return "expected exactly 'fields' and a 'reference' with 'resource' and 'fields'"
    if set(reference) != {"resource", "fields"}:
        return f"the reference has {sorted(reference)}; expected exactly 'resource' and 'fields'"
    target = reference["resource"]
    if not isinstance(target, str) or target not in tables:
        return _not_a_table(target, tables)
    return _names_problem(fk["fields"], own) or _names_problem(
        reference["fields"], tables[target], f"a field of {target}"
    )


def _extension_problems(declared, own: dict[str, dict], tables: dict) -> Iterator[tuple[str, str]]:
    where = ", x-sovereign-ai"
    if not isinstance(declared, dict):
        yield where, f"{declared!r} is not an object with 'minRows' and 'rules'"
        return
    yield from _unknown_keys(declared, EXTENSION_KEYS, where)
    minimum = declared.get("minRows", 0)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        yield where, f"minRows {minimum!r} is not a whole number of rows"
    rules = declared.get("rules", [])
    if not isinstance(rules, list):
        yield where, f"rules {rules!r} is not a list"
        return
    for number, rule in enumerate(rules, 1):
        check = rule.get("check") if isinstance(rule, dict) else None
        if not isinstance(check, str) or check not in RULES:
            yield f", rule {number}", f"unknown check {check!r}; the checks are: {', '.join(RULES)}"
            continue
        for key, what in _rule_problems(rule, own, tables):
            yield f", rule {number} ({check}){key}", what


def _rule_problems(rule: dict, own: dict[str, dict], tables: dict) -> Iterator[tuple[str, str]]:
    """(", 'key'", what) for a rule whose keys are missing, unknown or name what it cannot check."""
    needs = RULES[rule["check"]]
    for key in rule:
        if key != "check" and key not in needs:
            yield f", {key!r}", f"is not a key of this rule; expected {', '.join(needs)}"
            return
    for key, kind in needs.items():
        if key not in rule and kind.startswith("optional "):
            continue
        if key not in rule:
            problem = f"expected {key!r}, which names {KINDS[kind]}"
        else:
            problem = _rule_value_problem(rule[key], kind, own, tables)
        if problem:
            yield f", {key!r}", problem
            return
    yield from _rule_sense(rule, own, tables)


def _rule_value_problem(value, kind: str, own: dict[str, dict], tables: dict) -> str | None:
    if kind == "table":
        return None if isinstance(value, str) and value in tables else _not_a_table(value, tables)
    if kind == "fields":
        problem = _names_problem(value, own, many=True)
        repeated = None if problem else first_repeated(value)
        return problem or (f"{repeated!r} is listed twice" if repeated else None)
    if kind == "number field elsewhere":
        if not isinstance(value, dict) or set(value) != {"table", "column"}:
            return f"{value!r} is not {{'table': ..., 'column': ...}}"
        if not isinstance(value["table"], str) or value["table"] not in tables:
            return _not_a_table(value["table"], tables)
        other = tables[value["table"]]
        return _names_problem(value["column"], other, f"a field of {value['table']}") or _number(value["column"], other)
    problem = _names_problem(value, own)
    if problem or kind == "field":
        return problem
    if kind == "number field":
        return _number(value, own)
    if kind == "date field":
        return None if own[value]["type"] in DATED else f"{value!r} holds {own[value]['type']} values; expected dates"
    if kind == "optional boolean field":
        return (
            None
            if own[value]["type"] == "boolean"
            else f"{value!r} holds {own[value]['type']} values; expected true or false"
        )
    assert kind == "precision field", kind
    listed = set(own[value].get("constraints", {}).get("enum") or [])
    if own[value]["type"] != "string" or not listed & set(PRECISIONS) or not listed <= {*PRECISIONS, "unknown"}:
        return (
            f"{value!r} is not a field of precisions; expected text whose enum lists "
            f"{', '.join(PRECISIONS)} or some of them (and 'unknown' if it may be)"
        )
    return None


def _not_a_table(value, tables: dict) -> str:
    return f"{value!r} is not a table; expected one of {', '.join(tables)}"


def _number(name: str, fields: dict[str, dict]) -> str | None:
    kind = fields[name]["type"]
    return None if kind in NUMBERS else f"{name!r} holds {kind} values; expected numbers"


def _rule_sense(rule: dict, own: dict[str, dict], tables: dict) -> Iterator[tuple[str, str]]:
    """What makes a rule whose names exist check nothing, or compare what cannot be compared."""
    check = rule["check"]
    if check == "not_greater":
        column, than = rule["column"], rule["than"]
        kinds = [own[column]["type"], own[than]["type"]]
        if column == than:
            yield "", f"compares {column!r} with itself; expected two fields"
        elif not (set(kinds) <= set(NUMBERS) or kinds == ["date", "date"]):
            yield "", f"compares {kinds[0]} {column!r} with {kinds[1]} {than!r}; expected two numbers or two dates"
    elif check == "sum_not_greater":
        other = tables[rule["than"]["table"]]
        for name in rule["by"]:
            if name not in other or other[name]["type"] != own[name]["type"]:
                yield ", 'by'", f"{name!r} is not a {own[name]['type']} field of {rule['than']['table']} too"
                return
    elif check == "not_after_source" and "source_id" not in own:
        yield ", 'column'", "the table has no source_id column, whose source's pub_date the check reads"
    elif check in ("not_before", "before") and rule["column"] == rule["than"]:
        yield "", f"compares {rule['column']!r} with itself; expected two fields"
    elif check == "date_precision":
        if own[rule["column"]]["type"] not in ("date", "string"):
            yield ", 'column'", f"{rule['column']!r} holds {own[rule['column']]['type']} values; expected dates"
    elif check == "in_use_hosts_systems":
        for key, columns in IN_USE_COLUMNS.items():
            fields = own if key is None else tables[rule[key]]
            wrong = [c for c, kind in columns.items() if c not in fields or fields[c]["type"] != kind]
            if wrong:
                needs = ", ".join(f"{c} ({kind})" for c, kind in columns.items())
                table = "the table" if key is None else rule[key]
                yield (
                    "" if key is None else f", {key!r}",
                    f"{table} lacks {', '.join(wrong)} as the check reads: {needs}",
                )
