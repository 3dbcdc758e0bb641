"""Source lines under charts, built from the rows of data/sources.csv."""

from sovereign_ai import data, text

_SECONDARY = {"ja": "［二次資料］", "en": " [secondary source]"}
_COPY = {"ja": "［写しで閲覧］", "en": " [read through a copy]"}


def cite(source_id: str, lang: str) -> str:
    """One source, briefly: publisher, title, date, and whether it is secondary or was read through a copy."""
    text.check_language(lang)
    s = data.source(source_id)
    publisher = s["publisher_ja"] if lang == "ja" else s["publisher_en"]
    title = s["title"] if lang == "ja" or not s["title_en"] else s["title_en"]
    date = text.source_date(s["pub_date"], lang) if s["pub_date"] else ""  # no date on record: none shown
    when = (f"({date})" if lang == "ja" else f" ({date})") if date else ""
    if not title:  # no headline on record: the publisher and the date only
        line = f"{publisher}{when}"
    elif _described(title):  # no headline on record: the row describes the source, so it is not quoted as one
        line = f"{publisher}［{title[1:-1]}］{when}" if lang == "ja" else f"{publisher} [{title[1:-1]}]{when}"
    else:
        line = f"{publisher}「{title}」{when}" if lang == "ja" else f'{publisher}, "{title}"{when}'
    if "secondary" in s["confidence"]:
        line += _SECONDARY[lang]
    if s["read_via"]:
        line += _COPY[lang]
    return line


def _described(title: str) -> bool:
    """A title wholly in parentheses, as sources.csv writes a description where no headline is recorded."""
    if not (title.startswith("(") and title.endswith(")")):
        return False
    depth = 0
    for at, character in enumerate(title):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0:
            return at == len(title) - 1  # "(Jiji) 人工知能基本計画…" closes early: a prefix, then the headline
    return False


def source_line(source_ids, lang: str, computed: bool = True) -> str:
    """'Sources: A; B.' for the given source ids, each cited once, in the order given."""
    unique = list(dict.fromkeys(source_ids))
    cited = list(dict.fromkeys(cite(s, lang) for s in unique))
    if lang == "ja":
        tail = "。数値の計算と作図は sovereign-ai" if computed else ""
        return "(出所) " + "；".join(cited) + tail
    tail = ". Calculations and chart by the sovereign-ai project." if computed else "."
    return "Sources: " + "; ".join(cited) + tail
