"""data/sources.csv as a reference list: what a figure, caption or references file prints of a source is
fit to publish as it is, and how the project read the source stays in columns of its own."""

import re

import pandas as pd
import pytest

from sovereign_ai import data

# The columns a reference list prints. How a source was read (read_via, date_basis, attribution_basis,
# note, confidence) is never printed on a figure, so it may say "inferred" or "via".
PRINTED = ("author", "author_en", "publisher_ja", "publisher_en", "title", "title_en", "pub_date")

# Research notes seen on the figures (issue: "Figures an author can publish as they are") and in the audit of
# December 2026, section (b): none may appear in a printed column. Matched without regard to case.
RESEARCH_NOTES = [
    r"\blikely\b",
    r"\bprobably\b",
    r"\bvia\b",
    r"\binferred\b",
    r"推定",
    r"記載なし",
    r"excerpt",
    r"\bapprox",
    r"\bn/a\b",
    r"read through",
    r"\bread on\b",
    r"写し",
    r"\(column\b",
    r"\(subhead\b",
    r"\blangmart\b",
    r"\(dated\)",
    r"\bheadline\b",
    r"\bciting\b",
    r"\breporting\b",
    r"\bsummar(y|ies)\b",
    r"\bwire report\b",
    r"\bmonth not\b",
    r"\(as T\d",
    r"\binitial commit\b",
    r"\bcommit [0-9a-f]{7}\b",
    r"[［］\[\]]",
]

# Publishers with a Japanese name of their own (audit, section (b)): a Japanese chart prints that name.
JAPANESE_NAMES = {
    "Cabinet Office": "内閣府",
    "Digital Agency": "デジタル庁",
    "Ministry of Economy, Trade and Industry": "経済産業省",
    "Ministry of Internal Affairs and Communications": "総務省",
    "Bank of Japan": "日本銀行",
    "National Institute of Advanced Industrial Science and Technology": "産業技術総合研究所",
    "Jiji Press": "時事通信",
    "Kyodo News": "共同通信",
    "Nikkei": "日本経済新聞",
    "Nikkei xTECH": "日経クロステック",
    "Reuters": "ロイター",
    "Toyo Keizai Online": "東洋経済オンライン",
    "Asahi Shimbun": "朝日新聞",
    "Yomiuri Shimbun": "読売新聞",
    "Dempa Shimbun Digital": "電波新聞デジタル",
    "Nippon TV": "日本テレビ",
    "Mynavi TECH+": "マイナビニュース TECH+",
    "Nikkan Kogyo Shimbun": "日刊工業新聞",
    "Oita Godo Shimbun": "大分合同新聞",
    "livedoor News": "ライブドアニュース",
    "Ono City Council": "大野市議会",
    "European Commission": "欧州委員会",
    "U.S. Department of Justice and Federal Trade Commission": "米国司法省・連邦取引委員会",
    "Daiwa Institute of Research": "大和総研",
}
# The English forms the audit found printed on Japanese charts: none is a publisher's name any longer.
ENGLISH_FORMS_SEEN = ["Cabinet Office", "Digital Agency", "Jiji", "Kyodo", "METI", "MIC", "AIST", "BOJ Review"]


def sources() -> list[dict]:
    return data.validate_table("sources")


def printed(row: dict):
    for column in PRINTED:
        if row[column] is not None:
            yield column, row[column]


@pytest.mark.parametrize("note", RESEARCH_NOTES)
def test_no_printed_column_holds_a_research_note(note):
    found = [
        (row["source_id"], column, value)
        for row in sources()
        for column, value in printed(row)
        if re.search(note, value, re.IGNORECASE)
    ]
    assert not found, found


def test_a_publisher_is_one_organisation():
    for row in sources():
        for column in ("publisher_ja", "publisher_en"):
            name = row[column]
            assert not re.search(r"[;；/()（）]| & ", name), (row["source_id"], column, name)


def test_titles_are_headlines_not_descriptions():
    """No title wholly in parentheses, joined to another, cut short, or carrying its date."""
    for row in sources():
        for column in ("title", "title_en"):
            title = row[column]
            if title is None:
                continue
            where = (row["source_id"], column, title)
            assert not (title.startswith("(") and title.endswith(")")), where
            assert " / " not in title, where
            assert not title.endswith(("…", "...")), where
            assert not re.search(r"\d{4}-\d{2}-\d{2}$", title), where


def test_dates_are_iso_with_their_precision():
    form = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}
    for row in sources():
        date, precision = row["pub_date"], row["date_precision"]
        if date is None:
            assert precision is None, row["source_id"]
            assert row["date_basis"], f"{row['source_id']}: no date, and no word on why"
        else:
            assert re.fullmatch(form[precision], date), (row["source_id"], date, precision)


def test_publishers_with_a_japanese_name_print_it_on_japanese_charts():
    for row in sources():
        english, japanese = row["publisher_en"], row["publisher_ja"]
        if english in JAPANESE_NAMES:
            assert japanese == JAPANESE_NAMES[english], (row["source_id"], english, japanese)
        if re.search(r"[぀-ヿ一-鿿]", japanese):  # a Japanese name has an English one of its own
            assert english != japanese, row["source_id"]
        assert japanese not in ENGLISH_FORMS_SEEN, (row["source_id"], japanese)
    assert not set(JAPANESE_NAMES.values()) & set(ENGLISH_FORMS_SEEN)


def test_each_publisher_is_written_one_way_in_each_language():
    frame = pd.DataFrame(sources())
    for column, other in (("publisher_en", "publisher_ja"), ("publisher_ja", "publisher_en")):
        forms = frame.groupby(column)[other].nunique()
        assert (forms == 1).all(), forms[forms > 1].to_dict()


def test_a_wire_story_on_a_site_that_prints_no_agency_cites_that_site_and_says_so():
    for row in sources():
        if row["url"] and row["url"].startswith("https://news.livedoor.com/"):
            assert row["publisher_en"] == "livedoor News", row["source_id"]
            assert "wire" in row["attribution_basis"], row["source_id"]


def test_how_a_source_was_read_is_kept_where_a_note_was_taken_out():
    """The strings moved out of the printed columns are kept in the provenance columns."""
    by_id = {row["source_id"]: row for row in sources()}
    assert "URL" in by_id["T8-05"]["date_basis"]
    assert by_id["T8-12"]["date_basis"].startswith("approximate")
    assert "langmart" in by_id["T7-02"]["date_basis"]
    assert "18/00001/10042" in by_id["T1-10"]["note"] and "hqproductreviews" in by_id["T1-10"]["read_via"]
    assert "海外企業が72%" in by_id["T3-03"]["note"] and by_id["T3-03"]["title"] == "クラウド国産化を推進"
    assert "Reuters" in by_id["T8-06"]["note"] and by_id["T8-06"]["publisher_en"] == "Impress Watch"
    assert "Kyodo" in by_id["T8-02"]["note"] and by_id["T8-02"]["publisher_ja"] == "日本テレビ"
    assert by_id["T8-14"]["title"] == "Japan Eyes 30-Fold Rise in Computing Power for Generative AI"
    assert by_id["T8-16"]["title"] == "齋藤経済産業大臣の閣議後記者会見の概要"
    assert (by_id["T1-01"]["pub_date"], by_id["T1-01"]["date_precision"]) == ("2021-10", "month")


def test_a_japanese_title_has_the_projects_english_translation_beside_it():
    for row in sources():
        if row["title"] and re.search(r"[぀-ヿ一-鿿]", row["title"]):
            assert row["title_en"] and not re.search(r"[぀-ヿ一-鿿]", row["title_en"]), row["source_id"]
        if not row["title"]:
            assert row["title_en"] is None, f"{row['source_id']}: a translation of no title"


@pytest.mark.parametrize("name", [n for n in data.table_names() if n != "sources"])
def test_no_value_a_chart_may_print_holds_a_research_note(name):
    """Outside the notes and confidences, a table's cells are what charts show: '(dated)' and
    'inferred by the facts table' were printed from policy_events and sovereign_models."""
    notes = re.compile("|".join(RESEARCH_NOTES[:-1]), re.IGNORECASE)  # square brackets are fine in data
    found = [
        (column, value)
        for row in data.validate_table(name)
        for column, value in row.items()
        if column not in ("note", "confidence") and isinstance(value, str) and notes.search(value)
    ]
    assert not found, found
