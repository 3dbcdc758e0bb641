"""Numbers quoted in prose (the README, the notebooks' Markdown), taken from the metrics tables a
build writes, so that a sentence stating the latest count follows the data.

A quoted number is marked where it stands, invisibly in rendered Markdown:

    <!-- number: local_government_metrics.csv bodies_expected_to_miss_deadline latest -->935<!-- /number -->

`latest` quotes the metric's value of the latest date; `series` quotes every value, oldest first
("643, then 743, then 935"). `make figures` rewrites what stands between the marks; `check`
says when it differs from figures/.
"""

import csv
import json
import re
from pathlib import Path

from sovereign_ai import paths, safe_io

MARK = re.compile(
    r"<!-- number: (?P<table>\S+) (?P<metric>\S+) (?P<which>latest|series) -->(?P<text>.*?)<!-- /number -->"
)


ANY_MARK = re.compile(r"<!-- number:.*?-->")  # what a reader may have meant as a mark
FORM = "<!-- number: TABLE METRIC latest|series -->…<!-- /number -->"


class ProseError(ValueError):
    """A mark names a metrics table or a metric the build does not write, or is not a mark's form."""


def quoted(value: str) -> str:
    """A value as prose writes it: whole numbers with thousands separators, others as the table has them."""
    return f"{int(value):,}" if re.fullmatch(r"-?\d+", value) else value


def render(text: str, folder: Path, where: str) -> str:
    """text with every marked number as the metrics tables in folder give it."""
    tables: dict[str, list[dict]] = {}

    def replace(match: re.Match) -> str:
        name = match["table"]
        if name not in tables:
            try:
                with (folder / name).open(encoding="utf-8", newline="") as f:
                    tables[name] = list(csv.DictReader(f))
            except (OSError, UnicodeDecodeError):
                raise ProseError(f"{where}: quotes {name}, which {paths.relative(folder)}/ does not hold") from None
            if tables[name] and not {"metric", "as_of", "value"} <= set(tables[name][0]):
                raise ProseError(f"{where}: quotes {name}, which is no metrics table (metric, value, as_of)")
        rows = sorted((r for r in tables[name] if r["metric"] == match["metric"]), key=lambda r: r["as_of"])
        if not rows:
            raise ProseError(f"{where}: quotes {match['metric']!r}, which {name} does not hold")
        said = (
            quoted(rows[-1]["value"])
            if match["which"] == "latest"
            else ", then ".join(quoted(r["value"]) for r in rows)
        )
        return match[0].replace(f"-->{match['text']}<!--", f"-->{said}<!--", 1)

    for loose in ANY_MARK.finditer(text):  # a mistyped mark would otherwise stay unrewritten, unseen
        if not MARK.match(text, loose.start()):
            raise ProseError(f"{where}: {loose[0]} is not a number mark; a mark is {FORM}")
    return MARK.sub(replace, text)


def documents() -> list[Path]:
    """The files whose prose quotes numbers: the README and the stored notebooks."""
    root = paths.repo_root()
    return [root / "README.md", *sorted(paths.notebooks_dir().glob("*.ipynb"))]


def _current(path: Path, folder: Path) -> str:
    """The file's text with its quoted numbers as folder's metrics give them (a notebook: its Markdown cells)."""
    text = path.read_text(encoding="utf-8")
    where = paths.relative(path)
    if path.suffix != ".ipynb":
        return render(text, folder, where)
    if "<!-- number:" not in text:
        return text
    notebook = json.loads(text)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            if "<!-- number:" in source:
                cell["source"] = render(source, folder, where).splitlines(keepends=True)
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def stale(folder: Path | None = None) -> list[str]:
    """What check says of the files whose quoted numbers differ from figures/' metrics, or quote a
    table or metric figures/ does not hold."""
    folder = folder or paths.figures_dir()
    problems = []
    for path in documents():
        if not path.is_file():
            continue
        try:
            if _current(path, folder) != path.read_text("utf-8"):
                problems.append(f"stale: {paths.relative(path)} quotes numbers that figures/ no longer gives")
        except ProseError as error:
            problems.append(f"stale: {error}")
    return problems


def update(folder: Path | None = None) -> list[Path]:
    """Rewrite the quoted numbers of every file that differs; the files rewritten."""
    folder = folder or paths.figures_dir()
    written = []
    for path in documents():
        if path.is_file():
            try:
                text = _current(path, folder)
            except ProseError:  # a table a partial build has not written yet: check names it
                continue
            if text != path.read_text(encoding="utf-8"):
                safe_io.write_bytes(path, text.encode("utf-8"))
                written.append(path)
    return written
