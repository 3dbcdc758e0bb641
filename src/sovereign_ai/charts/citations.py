"""What a chart says of its sources, built from the rows of data/sources.csv.

Three forms, one per place:
- the source line under a chart: short, in the chart's language, in the report's own form
  (its words are the source_line entries of notebooks/shared.labels.yaml), publishers only when
  there are three or more sources;
- the references in a caption file: one line per source, publisher, title, date and URL;
- a BibTeX entry per source, for references.bib.

None of them prints how the project read a source (through a copy, a date or an attribution
inferred): those columns of sources.csv are shown in the notebooks' source tables only.
"""

import re
from collections.abc import Iterable

from sovereign_ai import data, labels
from sovereign_ai.charts import text


class SourceLine(str):
    """A chart's source line as printed, which also knows the sources it names (for the caption
    file and references.bib) and how to shorten itself to fewer publishers."""

    source_ids: tuple[str, ...]
    lang: str
    credit: str  # the caption file's last line: who made the chart

    def __new__(cls, printed: str, source_ids: Iterable[str], lang: str, credit: str = ""):
        line = super().__new__(cls, printed)
        line.source_ids = tuple(dict.fromkeys(source_ids))
        line.lang = lang
        line.credit = credit or text.label("chart_credit", lang)
        return line

    def shortened(self, publishers: int) -> "SourceLine":
        """The line naming only the first `publishers` publishers, then "and others" (and_others)."""
        names = publisher_names(self.source_ids, self.lang)
        if publishers >= len(names):
            return self
        shorter = _publishers_line(names[:publishers], self.lang, more=True)
        return SourceLine(shorter, self.source_ids, self.lang, self.credit)


def publisher(source_id: str, lang: str) -> str:
    """The publisher's name as it writes itself in that language."""
    text.check_language(lang)
    row = data.source(source_id)
    return row["publisher_ja"] if lang == "ja" else row["publisher_en"]


def publisher_names(source_ids: Iterable[str], lang: str) -> list[str]:
    """Each publisher once, in the order the sources are given."""
    return list(dict.fromkeys(publisher(s, lang) for s in dict.fromkeys(source_ids)))


def short_title(source_id: str, lang: str) -> str:
    """The title a chart's source line quotes: the English one in English charts where there is one."""
    row = data.source(source_id)
    return (row["title_en"] or row["title"]) if lang == "en" else row["title"]


def source_line(source_ids: Iterable[str], lang: str) -> SourceLine:
    """The line under a chart: 'Source: Cabinet Office, "…".' for one or two sources,
    'Sources: A; B; C.' (publishers only, each once) for three or more, then the credit."""
    text.check_language(lang)
    ids = list(dict.fromkeys(source_ids))
    if not ids:
        raise ValueError("a chart needs at least one source")
    if len(ids) > 2:
        return SourceLine(_publishers_line(publisher_names(ids, lang), lang), ids, lang)
    cited = text.label("sources_separator", lang).join(_with_title(s, lang) for s in ids)
    return _line("source_line" if len(ids) == 1 else "source_line_several", cited, ids, lang)


def _line(form: str, cited: str, ids, lang: str) -> SourceLine:
    return SourceLine(text.label(form, lang).format(sources=cited, made_by=text.label("made_by", lang)), ids, lang)


def _with_title(source_id: str, lang: str) -> str:
    name, title = publisher(source_id, lang), short_title(source_id, lang)
    if not title:
        return name
    return text.label("source_titled", lang).format(publisher=name, title=title)


def _publishers_line(names: list[str], lang: str, more: bool = False) -> str:
    listed = text.label("sources_separator", lang).join(names)
    if more:
        listed = text.label("sources_and_others", lang).format(
            sources=listed, and_others=text.label("and_others", lang)
        )
    return text.label("source_line_several", lang).format(sources=listed, made_by=text.label("made_by", lang))


def date(row: dict, lang: str) -> str:
    """A source's date as a reference prints it, to the precision the source gives (the
    reference_year, reference_month and reference_day entries of shared.labels.yaml)."""
    value = row["pub_date"]
    if not value:
        return ""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return text.label("reference_year", lang).format(year=parts[0])
    names = text.label("month_names", lang).split()
    if len(names) != 12:
        raise labels.CatalogueError(
            f"{labels.where('month_names')}: the {lang}: text has {len(names)} names; "
            "expected the twelve months, January to December, separated by spaces"
        )
    form = "reference_day" if len(parts) == 3 else "reference_month"
    return text.label(form, lang).format(year=parts[0], month_name=names[parts[1] - 1], day=parts[-1])


def reference(source_id: str, lang: str) -> str:
    """One source in full, for a caption file, in the form of the report's own footnotes: author,
    title in brackets, publisher and date in Japanese; author, "title" [English title], publisher,
    date in English; then the URL.
    """
    text.check_language(lang)
    row = data.source(source_id)
    when = date(row, lang)
    if lang == "ja":
        title = f"「{row['title']}」" if row["title"] else ""
        by = row["publisher_ja"]
        head = f"{row['author']}{title}{by}" if row["author"] else f"{by}{title}"
        sep = " " if head.endswith(by) else ""
        return " ".join(p for p in (f"{head}{sep}({when})" if when else head, row["url"]) if p)
    parts = [row["author_en"]] if row["author_en"] else []
    if row["title"]:
        translated = f" [{row['title_en']}]" if row["title_en"] and row["title_en"] != row["title"] else ""
        parts.append(f'"{row["title"]}"{translated}')
    if row["author_en"] or not row["title"]:
        parts.append(row["publisher_en"])
    else:
        parts.insert(0, row["publisher_en"])
    if when:
        parts.append(when)
    return ", ".join(parts) + "." + (f" {row['url']}" if row["url"] else "")


def references(source_ids: Iterable[str], lang: str) -> list[str]:
    """The full references of the given sources, each once, in the order given."""
    return list(
        dict.fromkeys(reference(s, lang) for s in dict.fromkeys(source_ids))
    )  # one article cited by two ids: once


def bibtex(source_ids: Iterable[str]) -> str:
    """One @misc entry per source, keyed by its source id, sorted: what LaTeX and Zotero import."""
    entries = []
    for source_id in sorted(dict.fromkeys(source_ids)):
        row = data.source(source_id)
        fields = {}
        person = row["author_en"] or row["author"]
        # The publisher is named once: as the author of what it published alone, else as its publisher.
        fields["author"] = _names(person) if person else "{" + _escape(row["publisher_en"]) + "}"  # kept whole
        if row["title"]:
            fields["title"] = "{" + _escape(row["title"]) + "}"
        if row["title_en"] and row["title_en"] != row["title"]:
            fields["titleaddon"] = _escape(row["title_en"])
        if person:
            fields["publisher"] = _escape(row["publisher_en"])
        if row["pub_date"]:
            parts = row["pub_date"].split("-")
            fields["date"] = row["pub_date"]
            fields["year"] = parts[0]
            if len(parts) > 1:
                fields["month"] = str(int(parts[1]))
        if row["url"]:
            fields["url"] = row["url"]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields.items())
        entries.append(f"@misc{{{source_id},\n{body}\n}}\n")
    return "\n".join(entries)


_SPECIAL = re.compile(r"([&%$#_{}])")


def _escape(value: str) -> str:
    """BibTeX text: LaTeX's special characters escaped."""
    value = value.replace("\\", r"\textbackslash{}").replace("~", r"\textasciitilde{}").replace("^", r"\^{}")
    return _SPECIAL.sub(r"\\\1", value)


def _names(value: str) -> str:
    """Several authors joined with 'and', as BibTeX separates them."""
    return " and ".join(_escape(name.strip()) for name in re.split(r"[;,、]\s*", value) if name.strip())


PROVENANCE = ("confidence", "read_via", "date_basis", "attribution_basis", "note")  # how the project read it


def source_table(source_ids: Iterable[str], lang: str):
    """The sources of a notebook's charts, each once: what a reference prints, then how the project
    read it (through a copy, as a secondary source, a date or an attribution inferred), which no
    figure, caption or references file prints. A cell "A; B" names two sources."""
    import pandas as pd

    text.check_language(lang)
    ids = dict.fromkeys(s.strip() for cell in source_ids for s in str(cell).split(";") if s.strip())
    rows = []
    for source_id in ids:
        row = data.source(source_id)
        rows.append(
            {
                "source_id": source_id,
                "publisher": row[f"publisher_{lang}"],
                "title": row["title"],
                "date": row["pub_date"],
                "url": row["url"],
                **{column: row[column] for column in PROVENANCE},
            }
        )
    return pd.DataFrame(rows).set_index("source_id")
