"""What an author publishes as it is, read from the files the default build writes: the words of
every PDF and its metadata, every caption file, references.bib and every chart's source data.

None of them says how the project read a source (that lives in data/sources.csv and the notebooks'
source tables); a Japanese chart names its publishers in Japanese; every chart has its source data,
and a number given in both its source data and a metrics table is the same number."""

import csv
import functools
import re

from pybtex.database import parse_string
from pypdf import PdfReader

from sovereign_ai import data, paths
from sovereign_ai.charts import citations, style, text
from sovereign_ai.checks.layout_check import words
from sovereign_ai.engine import manifest

FIGURES = paths.figures_dir()
PUBLISHED = sorted(manifest.read(FIGURES)["files"])
PDFS = [name for name in PUBLISHED if name.endswith(".pdf")]
CAPTIONS = [name for name in PUBLISHED if name.endswith(".caption.txt")]
DATA_CSVS = [name for name in PUBLISHED if name.endswith(".data.csv")]

# How a source was read, never what a reader of the figure needs: each was once printed on a chart.
RESEARCH_NOTES = (
    "likely",
    "via livedoor",
    "wire report",
    "と推定",
    "月の記載なし",
    "(記載なし)",
    "headline not in",
    "excerpt",
    "写しで閲覧",
    "read through a copy",
    "二次資料",
    "secondary source",
    "inferred",
    "URLから推定",
    "read via",
    "(column",
    "(subhead",
    "langmart (date)",
    "(n/a)",
    "(dated)",
    "approx.",
    "(via ",
    "citing",
    "summary of",
)


@functools.cache
def pdf_text(name: str) -> str:
    """A PDF's words as a reader's software reads them, then its title and subject."""
    meta = PdfReader(FIGURES / name).metadata
    return " ".join([*(w.text for w in words(FIGURES / name)), meta.title or "", meta.subject or ""])


def published_texts():
    for name in PDFS:
        yield name, pdf_text(name)
    for name in [*CAPTIONS, "references.bib"]:
        yield name, (FIGURES / name).read_text(encoding="utf-8")


def test_nothing_published_says_how_a_source_was_read():
    found = [
        (name, note) for name, said in published_texts() for note in RESEARCH_NOTES if note.lower() in said.lower()
    ]
    assert found == []


def test_japanese_charts_name_their_publishers_in_japanese():
    sources = data.load_table("sources")
    english = {
        en for ja, en in zip(sources["publisher_ja"], sources["publisher_en"]) if en and ja != en and len(en) > 3
    }
    assert {"Cabinet Office", "Jiji Press", "Kyodo News", "Nikkei"} <= english, "each has a Japanese name in the data"
    brands = sorted({en for ja, en in zip(sources["publisher_ja"], sources["publisher_en"]) if ja == en}, key=len)
    found = []
    for name, said in published_texts():
        if ".ja." not in name:
            continue
        for brand in reversed(brands):  # "Nikkei Asia" is its name in Japanese too: not the English "Nikkei"
            said = said.replace(brand, "")
        found += [
            (name, publisher)
            for publisher in english
            if re.search(rf"(?<![A-Za-z]){re.escape(publisher)}(?![A-Za-z])", said)
        ]
    assert found == []


def test_japanese_charts_write_fiscal_years_as_nendo():
    assert [name for name in PDFS if ".ja." in name and re.search(r"FY\s?\d{4}", pdf_text(name))] == []


def test_the_printed_source_line_is_the_pdfs_subject_and_the_caption_holds_every_reference():
    for name in CAPTIONS:
        stem, lang = name.removesuffix(".caption.txt").rsplit(".", 1)
        title, references, credit = (FIGURES / name).read_text(encoding="utf-8").rstrip("\n").split("\n\n")
        meta = PdfReader(FIGURES / f"{stem}.{lang}.pdf").metadata
        assert meta.title == title, name
        assert meta.subject.startswith("(出所) " if lang == "ja" else "Source"), name
        heading, *listed = references.split("\n")
        assert heading == text.label("references_heading", lang) and listed, name
        assert credit in (text.label("chart_credit", lang), text.label("report_figure_credit", lang)), name
        cited = sorted({s for row in _rows(f"{stem}.{lang}.data.csv") for s in _ids(row)})
        assert set(listed) == set(citations.references(cited, lang)), name


def _rows(name: str) -> list[dict]:
    with (FIGURES / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _ids(row: dict) -> list[str]:
    return [s.strip() for s in row["source_id"].split(";") if s.strip()]


def test_every_chart_has_its_source_data_beside_it():
    charts = {name.removesuffix(".pdf") for name in PDFS}
    assert {name.removesuffix(".data.csv") for name in DATA_CSVS} == charts
    known = set(data.load_table("sources")["source_id"])
    for name in DATA_CSVS:
        rows = _rows(name)
        assert rows and list(rows[0])[:5] == list(style.SOURCE_DATA_COLUMNS), name
        assert all(_ids(row) and set(_ids(row)) <= known for row in rows), name


def test_references_bib_parses_and_holds_every_source_a_figure_uses():
    library = parse_string((FIGURES / "references.bib").read_text(encoding="utf-8"), "bibtex")  # BibTeX's own rules
    used = {s for name in DATA_CSVS for row in _rows(name) for s in _ids(row)}
    assert set(library.entries) == used
    for source_id, entry in library.entries.items():
        row = data.source(source_id)
        fields = entry.fields
        assert entry.type == "misc" and entry.persons["author"], source_id
        by_a_person = bool(row["author_en"] or row["author"])
        assert fields.get("publisher") == (_bib_text(row["publisher_en"]) if by_a_person else None), source_id
        assert "organization" not in fields, "the publisher is named once"
        assert fields.get("url", "") == (row["url"] or "") and fields.get("date", "") == (row["pub_date"] or ""), (
            source_id
        )
        if row["title"]:
            assert fields["title"].strip("{}").replace("\\", "") == row["title"], source_id


def _bib_text(value: str) -> str:
    return value.replace("&", r"\&")


def _metrics() -> dict:
    """(metric, as_of) -> value, over every metrics table of figures/."""
    found = {}
    for name in PUBLISHED:
        if name.endswith("_metrics.csv"):
            for row in _rows(name):
                found[(row["metric"], row["as_of"])] = row["value"]
    return found


def test_a_number_in_a_charts_source_data_equals_its_metric():
    metrics, compared = _metrics(), 0
    for name in DATA_CSVS:
        for row in _rows(name):
            if not row.get("metric"):
                continue
            matches = [value for (metric, when), value in metrics.items() if metric == row["metric"]]
            dated = metrics.get((row["metric"], row["date"]))
            value = dated if dated is not None else (matches[0] if len(matches) == 1 else None)
            assert value is not None, (name, row["metric"], row["date"])
            scale = 10 if row["unit"] == "億円" else 1  # Japanese charts give yen in 億円, metrics in billion yen
            decimals = len(value.partition(".")[2])
            assert round(float(row["value"]) / scale, decimals) == float(value), (name, row["metric"])
            compared += 1
    assert compared >= 30


def test_japanese_charts_separate_with_one_mark():
    """Japanese lines mixed ； and ; between sources: a Japanese chart separates with 、 alone."""
    assert [name for name in PDFS if ".ja." in name and re.search("[;；]", pdf_text(name))] == []
