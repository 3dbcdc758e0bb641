"""Text in two languages: fixed labels, and line breaking to a width.

Japanese breaks at phrase boundaries found by BudouX, and never leaves a
closing mark (、。」…) at the start of a line or an opening one at the end
(kinsoku shori). English breaks at spaces. Widths are measured with the same
fonts matplotlib draws with, so a line that fits here fits in the figure.
"""

from functools import lru_cache

LANGUAGES = ("ja", "en")

LABELS = {
    "examples_heading": {"ja": "【具体的な取り組み例】", "en": "Examples of concrete measures"},
    "bullet": {"ja": "・", "en": "•"},
    "source_prefix": {"ja": "(出所)", "en": "Source:"},
    "made_from": {"ja": "より作成", "en": ""},
    "original_source": {"ja": "原典", "en": "original source"},
    "translation_note": {"ja": "", "en": "English translation by the sovereign-ai project."},
    # cloud-dependence charts
    "roster_title": {
        "ja": "ガバメントクラウドのサービス事業者: 選定の推移",
        "en": "Japan's Government Cloud providers over time",
    },
    "foreign_provider": {"ja": "海外企業 (米国)", "en": "foreign company (US)"},
    "domestic_provider": {"ja": "日本企業", "en": "Japanese company"},
    "conditional": {"ja": "条件付き選定", "en": "selected on a condition"},
    "deadline": {"ja": "条件の期限", "en": "deadline of the condition"},
    "selection": {"ja": "選定の発表", "en": "selection announced"},
    "last_status": {"ja": "確認できる最新の状況", "en": "last reported status"},
    "as_of": {"ja": "基準日", "en": "as of"},
    "selected_count": {"ja": "{n}事業者 (うち日本企業{d})", "en": "{n} providers ({d} Japanese)"},
    "concentration_title": {
        "ja": "ガバメントクラウドのシステムの事業者別集中度 (集計ごと)",
        "en": "How concentrated the Government Cloud's systems are, count by count",
    },
    "definition_production_systems": {"ja": "本番システム", "en": "production systems"},
    "definition_all_systems": {"ja": "全システム", "en": "all systems"},
    "count_share_axis": {"ja": "各集計のシステムに占める割合 (%)", "en": "share of the count's systems (%)"},
    "other_split": {"ja": "その他の事業者 (内訳公表)", "en": "other providers (split published)"},
    "hhi_point": {"ja": "HHI (内訳から計算)", "en": "HHI (from the full split)"},
    "hhi_range": {"ja": "HHI の区間 (内訳が不明)", "en": "HHI interval (split unknown)"},
    "other_definition": {"ja": "別の市場定義", "en": "another market definition"},
    "scenario_base": {"ja": "出発点: {date}の{definition}", "en": "starting from the {definition} counted on {date}"},
    "no_count": {
        "ja": "{date}以前のシステム数の集計はありません",
        "en": "no count of systems is dated on or before {date}",
    },
    "systems_axis": {"ja": "本番システム数", "en": "production systems"},
    "unsplit": {"ja": "Google Cloud・Azure・OCI (内訳非公表)", "en": "Google Cloud, Azure, OCI (split not published)"},
    "hhi_axis": {"ja": "ハーフィンダール・ハーシュマン指数 (HHI)", "en": "Herfindahl-Hirschman index (HHI)"},
    "hhi_interval": {
        "ja": "HHI {low:,.0f}～{high:,.0f} (内訳が不明なため区間)",
        "en": "HHI {low:,.0f} to {high:,.0f} (an interval: the split is unknown)",
    },
    "band_unconcentrated": {"ja": "非集中", "en": "unconcentrated"},
    "band_moderately concentrated": {"ja": "中程度の集中", "en": "moderately concentrated"},
    "band_highly concentrated": {"ja": "高度に集中", "en": "highly concentrated"},
    "market_title": {
        "ja": "日本のクラウド市場: 事業者のシェア (公表値の範囲)",
        "en": "Japan's cloud market: providers' shares (published ranges)",
    },
    "share_axis": {"ja": "シェア (%)", "en": "share (%)"},
    "not_published": {"ja": "{rank}位 (シェア非公表)", "en": "rank {rank} (share not published)"},
    "range_marker": {"ja": "範囲: ", "en": "range: "},
    "value_marker": {"ja": "単一の値: ", "en": "single value: "},
    "jftc_market": {"ja": "IaaS・PaaS (公正取引委員会推計)", "en": "IaaS and PaaS (JFTC estimate)"},
    "fuji_market": {"ja": "クラウド市場 (富士キメラ総研)", "en": "cloud market (Fuji Chimera Research)"},
    "deficit_title": {
        "ja": "日本のデジタル赤字 (定義別、兆円)",
        "en": "Japan's digital deficit by definition (trillion yen)",
    },
    "deficit_axis": {"ja": "兆円", "en": "trillion yen"},
    "projection": {"ja": "予測", "en": "projection"},
    "observed": {"ja": "実績", "en": "observed"},
    "scenario_title": {
        "ja": "AWS上のシステムの一部が国内事業者に移った場合 (仮定)",
        "en": "What if part of the AWS-hosted systems moved to a domestic provider",
    },
    "shift_axis": {
        "ja": "国内事業者へ移す割合 (AWS上のシステムに対する比率)",
        "en": "fraction of the AWS-hosted systems moved",
    },
    "domestic_share_axis": {"ja": "国内事業者のシェア (%)", "en": "domestic share (%)"},
    "today": {"ja": "現状", "en": "as is"},
    # landscape charts
    "timeline_title": {
        "ja": "ソブリンAIに関わる各国・地域の政策の動き",
        "en": "Sovereign-AI policy events by jurisdiction",
    },
    "in_report": {"ja": "レポートが言及", "en": "named in the report"},
    "other_event": {"ja": "その他の出来事", "en": "other event"},
    "month_only": {"ja": "月のみ判明", "en": "month known only"},
    "japan_sequence": {"ja": "日本: AI法とAI基本計画の流れ", "en": "Japan: AI Act and AI Basic Plan sequence"},
    "step": {"ja": "手順", "en": "step "},
    "models_title": {
        "ja": "各国の国産言語モデル: 初公開と重みの公開度",
        "en": "National language models: first release and how open their weights are",
    },
    "models_title_open": {
        "ja": "各国の国産言語モデル (重み公開のもの): 初公開",
        "en": "National language models with open weights: first release",
    },
    "date_unknown": {"ja": "不明", "en": "unknown"},
    "commercial_launch": {"ja": "商用提供の開始", "en": "commercial launch"},
    "weights_open_licence": {"ja": "重み公開 (オープンなライセンス)", "en": "open weights, open licence"},
    "weights_open_non_commercial": {"ja": "重み公開 (非商用)", "en": "open weights, non-commercial"},
    "weights_closed": {"ja": "非公開", "en": "closed"},
}

# Marks that may not begin a line, and marks that may not end one.
NO_LINE_START = set("、。，．・：；？！ー）」』】〕〉》”’ゝゞ々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ),.:;!?%")
NO_LINE_END = set("（「『【〔〈《“‘(")


def label(key: str, lang: str) -> str:
    """A fixed label of the figures in the given language."""
    check_language(lang)
    return LABELS[key][lang]


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang {lang!r} is not supported; choose one of {', '.join(LANGUAGES)}")


@lru_cache(maxsize=1)
def _japanese_parser():
    import budoux

    return budoux.load_default_japanese_parser()


def phrases(text: str, lang: str) -> list[str]:
    """The units a line may break between: BudouX phrases for Japanese, words (with their space) for English."""
    check_language(lang)
    if lang == "en":
        words = text.split(" ")
        return [w + " " for w in words[:-1]] + [words[-1]]
    # Spaces separate segments that BudouX would otherwise cut inside (dates, numbers);
    # each segment keeps its trailing space, and no phrase breaks inside a run of Latin letters or digits.
    parts: list[str] = []
    segments = text.split(" ")
    for i, segment in enumerate(segments):
        pieces = _join_latin_runs(_japanese_parser().parse(segment)) if segment else [""]
        if i < len(segments) - 1:
            pieces[-1] += " "
        parts += [p for p in pieces if p]
    return _glue_kinsoku(parts)


def _join_latin_runs(pieces: list[str]) -> list[str]:
    """Merge pieces that BudouX split between two Latin letters or digits (e.g. '(202' + '5年')."""
    joined: list[str] = []
    for piece in pieces:
        if (
            joined
            and joined[-1][-1].isascii()
            and joined[-1][-1].isalnum()
            and piece[0].isascii()
            and piece[0].isalnum()
        ):
            joined[-1] += piece
        else:
            joined.append(piece)
    return joined


def _glue_kinsoku(parts: list[str]) -> list[str]:
    """Merge parts so that none starts with a no-line-start mark or ends with a no-line-end mark."""
    glued: list[str] = []
    for part in parts:
        if glued and (part[0] in NO_LINE_START or glued[-1][-1] in NO_LINE_END):
            glued[-1] += part
        else:
            glued.append(part)
    return glued


@lru_cache(maxsize=8192)
def text_width_pt(text: str, size_pt: float) -> float:
    """Width of text in points at the given size, in the house fonts."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    from sovereign_ai.style import FONT_FAMILY

    prop = FontProperties(family=list(FONT_FAMILY), size=size_pt)
    width, _, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return width


# Lines are filled to this fraction of the width: PNG output hints glyphs to the pixel grid,
# which can widen a long line at small sizes by a few percent over its outline width.
FILL = 0.96


def wrap(text: str, lang: str, width_pt: float, size_pt: float) -> list[str]:
    """Break text into lines no wider than width_pt (a phrase wider than a line is split by character)."""
    width_pt *= FILL
    lines: list[str] = []
    current = ""
    for unit in phrases(text, lang):
        candidate = current + unit
        if current and text_width_pt(candidate.rstrip(), size_pt) > width_pt:
            lines.append(current.rstrip())
            current = unit
        else:
            current = candidate
        while text_width_pt(current.rstrip(), size_pt) > width_pt and len(current.rstrip()) > 1:
            head, current = _split_overlong(current, width_pt, size_pt)
            lines.append(head)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def wrap_mm(text: str, lang: str, width_mm: float, size_pt: float) -> list[str]:
    """wrap() with the width in millimetres; no lines for empty text."""
    from sovereign_ai.style import MM_PER_PT

    return wrap(text, lang, width_mm / MM_PER_PT, size_pt) if text else []


def _split_overlong(text: str, width_pt: float, size_pt: float) -> tuple[str, str]:
    """The longest head of text that fits, respecting kinsoku, and the rest."""
    cut = 1
    while cut < len(text) and text_width_pt(text[: cut + 1], size_pt) <= width_pt:
        cut += 1
    while 1 < cut < len(text) and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END):
        cut -= 1
    return text[:cut], text[cut:]
