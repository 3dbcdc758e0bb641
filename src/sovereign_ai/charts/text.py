"""Text in two languages: fixed labels, and line breaking to a width.

Japanese breaks at phrase boundaries found by BudouX, and never leaves a
closing mark (、。」…) at the start of a line or an opening one at the end
(kinsoku shori). English breaks at spaces. Widths are measured with the same
fonts matplotlib draws with, so a line that fits here fits in the figure.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

LANGUAGES = ("ja", "en")

LABELS = {
    "examples_heading": {"ja": "【具体的な取り組み例】", "en": "Examples of concrete measures"},
    "bullet": {"ja": "・", "en": "•"},
    # source lines under the charts, and the caption files (sovereign_ai.charts.citations)
    "made_by": {"ja": "より sovereign-ai 作成", "en": "Chart: sovereign-ai project."},
    "and_others": {"ja": "ほか", "en": "and others"},
    "references_heading": {"ja": "出所:", "en": "Sources:"},
    "chart_credit": {
        "ja": "数値の計算と作図: sovereign-ai プロジェクト。",
        "en": "Calculations and chart: sovereign-ai project.",
    },
    "report_figure_credit": {
        "ja": "作図: sovereign-ai プロジェクト (報告書の図表の再現)。",
        "en": "Redrawn and translated into English by the sovereign-ai project.",
    },
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
    "no_provider": {
        "ja": "{date}以前に選定された事業者はありません",
        "en": "no provider was selected on or before {date}",
    },
    "not_reported_since": {"ja": "期限後の報告なし ({date}以降)", "en": "deadline passed, not reported since {date}"},
    "as_of": {"ja": "基準日", "en": "as of"},
    "selected_count": {
        "ja": "{date}時点で{n}事業者、うち日本企業{d}",
        "en": "as of {date}: {n} providers, {d} of them Japanese",
    },
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
    "scenario_base": {"ja": "出発点は{date}の{definition}", "en": "starting from the count of {definition} on {date}"},
    "no_count": {
        "ja": "{date}以前のシステム数の集計はありません",
        "en": "no count of systems is dated on or before {date}",
    },
    "no_survey": {
        "ja": "{date}以前の調査はありません (最初の調査: {first})",
        "en": "no survey is dated on or before {date} (the first: {first})",
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
    "no_market": {
        "ja": "{date}時点で公表済みの市場シェアはありません",
        "en": "no market share was published by {date}",
    },
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
    "deficit_detail_title": {
        "ja": "直近2年の実績値 (定義別、兆円)",
        "en": "The observed values of the last two years, by definition (trillion yen)",
    },
    "no_deficit": {
        "ja": "{date}時点で公表済みのデジタル赤字の実績値はありません",
        "en": "no observed value of the digital deficit was published by {date}",
    },
    "preliminary": {"ja": "速報", "en": "preliminary"},
    "projection": {"ja": "予測", "en": "projection"},
    "observed": {"ja": "実績", "en": "observed"},
    "scenario_title": {
        "ja": "AWS上のシステムの一部が国内事業者に移ったと仮定した場合",
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
    "step": {"ja": "手順", "en": "step\u00a0"},  # a no-break space: "[step 1]" is never split over two lines
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
    # local-government charts
    "slippage_title": {
        "ja": "標準化の期限 (2025年度末) に間に合わない見込みの自治体数",
        "en": "Local bodies expected to miss the deadline (end of FY2025)",
    },
    "bodies_axis": {"ja": "自治体数", "en": "local bodies"},
    "all_bodies": {"ja": "全自治体 {n:,}", "en": "all local bodies: {n:,}"},
    "computed_share": {"ja": "割合は件数から計算", "en": "share computed from the counts"},
    "specified_support": {
        "ja": "移行困難 (特定移行支援システム) を抱える自治体",
        "en": "bodies with hard cases (specified migration support)",
    },
    "extremely_difficult": {
        "ja": "別定義: 一部システムの移行が「極めて困難」({n}団体、{p}%と公表)",
        "en": 'another definition: some systems "extremely difficult" ({n} bodies, {p}% as stated)',
    },
    "deadline_fy2025": {"ja": "期限は2025年度末 (2026年3月末)", "en": "deadline: end of FY2025 (March 2026)"},
    "deadline_unreported": {
        "ja": "期限後、期限までに移行を終えた自治体数の報告なし (最新の集計は{date})",
        "en": "Since the deadline, no count of the bodies that met it has been reported (latest count: {date})",
    },
    "hard_cases": {
        "ja": "移行が困難なシステム (特定移行支援システム) は概ね{n}年以内",
        "en": "for hard cases (specified migration support) within about {n} years",
    },
    "reasons_title": {
        "ja": "期限に間に合わない見込みのシステム: 理由別 (2025年7月末)",
        "en": "Systems expected to miss the deadline, by reason (end of July 2025)",
    },
    "systems_count_axis": {"ja": "システム数", "en": "systems"},
    "reasons_total": {
        "ja": "計{n:,}システム / 全{total:,}システム = {p:.1f}% (計算)",
        "en": "{n:,} of {total:,} systems = {p:.1f}% (computed)",
    },
    "cost_title": {
        "ja": "移行後の運用経費: 国の目標と自治体の調査・試算 (基準と時期が異なる)",
        "en": "Operating costs after migration: the national target against local surveys (different bases and dates)",
    },
    "cost_axis": {"ja": "移行前などの基準に対する倍率 (×)", "en": "cost against its own baseline (×)"},
    "cost_same": {"ja": "基準と同じ (1×)", "en": "no change (1×)"},
    "cost_target_value": {"ja": "0.7×以下 (少なくとも3割削減)", "en": "≤0.7× (a cut of at least 30%)"},
    "cost_note": {
        "ja": "同じ尺度ではない: 目標は2018年度比の運用経費、中核市の調査は移行前比、"
        "東京都は現行経費比の試算。時期も異なる。",
        "en": "Not one scale: the target is against FY2018 operating costs, the core cities' survey against "
        "costs before migration, Tokyo's estimate against current costs; the dates differ too.",
    },
    "target": {"ja": "目標", "en": "target"},
    "survey_result": {"ja": "調査結果", "en": "survey result"},
    "estimate": {"ja": "試算・推計", "en": "estimate"},
    "clouds_title": {
        "ja": "ガバメントクラウドを利用する自治体 (2025年3月末)",
        "en": "Local bodies on the Government Cloud (end of March 2025)",
    },
    "on_aws": {"ja": "AWS", "en": "AWS"},
    "on_other": {"ja": "その他の事業者 (内訳非公表)", "en": "other providers (split not published)"},
    "not_on_gov_cloud": {"ja": "未利用・不明", "en": "not on the Government Cloud, or not reported"},
    "funds_title": {
        "ja": "自治体の移行を支える国の基金 (J-LIS)",
        "en": "State funds for local migration (held by J-LIS)",
    },
    "yen_axis": {"ja": "億円", "en": "billion yen"},
    "planned": {"ja": "計画 (補正予算)", "en": "planned (budget)"},
    "spent_or_set": {"ja": "計上済み", "en": "appropriated"},
    # ai-compute charts
    "awards_title": {
        "ja": "経済安全保障推進法のクラウドプログラム: 経済産業省の助成決定 (億円)",
        "en": "METI's support decisions under the Economic Security Promotion Act's cloud programme (billion yen)",
    },
    "award_gpu_cloud": {"ja": "GPUクラウド", "en": "GPU cloud"},
    "award_technology_development": {"ja": "技術開発", "en": "technology development"},
    "budget_line": {"ja": "予算 (2023年度補正)", "en": "budget (FY2023 supplementary)"},
    "decision_total": {"ja": "2024年4月19日の5件の決定総額", "en": "stated total of the five (2024-04-19)"},
    "look_gpu_cloud": {"ja": "助成決定: GPUクラウド", "en": "award: GPU cloud"},
    "look_technology_development": {"ja": "助成決定: 技術開発", "en": "award: technology development"},
    "look_decision_total": {"ja": "1日の決定の総額 (公表値)", "en": "stated total of a day's decisions"},
    "look_budget": {"ja": "予算枠 (助成決定ではない)", "en": "budget line (not an award)"},
    "decision_total_kind": {"ja": "1日の決定の総額 (公表値)", "en": "stated total of a day's decisions"},
    "budget_kind": {"ja": "予算枠 (助成決定ではない)", "en": "budget line (not an award)"},
    "qual_": {"ja": "{v}", "en": "{v}"},
    "qual_about": {"ja": "約{v}", "en": "about {v}"},
    "qual_up to": {"ja": "最大{v}", "en": "up to {v}"},
    "qual_up to about": {"ja": "最大約{v}", "en": "up to about {v}"},
    "qual_at least": {"ja": "{v}以上", "en": "at least {v}"},
    "qual_more than": {"ja": "{v}超", "en": "more than {v}"},
    "qual_scale": {"ja": "{v}規模", "en": "around {v}"},
    "capacity_title": {
        "ja": "国内の計算資源: 目標・推計・見通し・導入済み (エクサフロップス、精度別)",
        "en": "Japan's AI compute: target, estimate, projections, installed (exaflops, by precision)",
    },
    "eflops_axis": {"ja": "エクサフロップス (EFLOPS)", "en": "exaflops (EFLOPS)"},
    "precision_not stated": {"ja": "精度の記載なし", "en": "precision not stated"},
    "precision_half": {"ja": "半精度", "en": "half precision"},
    "precision_single": {"ja": "単精度", "en": "single precision"},
    "kind_observed": {"ja": "推計・導入済み (塗り)", "en": "estimate or installed (filled)"},
    "kind_planned": {"ja": "目標・見通し (白抜き)", "en": "target or projection (open)"},
    "never_added": {"ja": "精度の異なる値は足し合わせない", "en": "values of different precisions are never added"},
    "precision_fp4": {"ja": "FP4", "en": "FP4"},
    "fy2026_title": {
        "ja": "{fy}: 国産AI基盤モデルの予算とNoetraへの助成決定 (億円)",
        "en": "{fy}: the budget for domestic AI foundation models and the aid to Noetra (billion yen)",
    },
    "fy2026_ai_semiconductor_fy2026": {"ja": "AI・半導体関連予算 ({fy})", "en": "AI and semiconductors ({fy} budget)"},
    "fy2026_foundation_model_fy2026": {
        "ja": "国産AIの基盤モデル開発 ({fy}予算)",
        "en": "domestic AI foundation models ({fy} budget)",
    },
    "fy2026_noetra_fy2026": {"ja": "Noetraへの助成 ({fy}分、{day}決定)", "en": "aid to Noetra, {fy} (decided {day})"},
    "fy2026_noetra_5_years": {"ja": "Noetraへの助成 (5年間)", "en": "aid to Noetra over five years"},
    "look_decision": {"ja": "助成決定", "en": "aid decided"},
    "look_plan": {"ja": "複数年の計画額", "en": "amount planned over several years"},
    "never_added_yen": {"ja": "範囲の異なる金額は足し合わせない", "en": "amounts of different scopes are never added"},
    # government AI (sovereign-models notebook)
    "gov_ai_title": {
        "ja": "ガバメントAI「源内」: 国産LLMの公募から政府調達の検討まで",
        "en": "Government AI (Gennai): from the call for domestic LLMs to procurement",
    },
    "gov_ai_selected": {"ja": "応募{of}件から{n}件", "en": "{n} of {of} applications"},
    "gov_ai_trial_scale": {"ja": "{staff}人・{orgs}機関", "en": "{staff} staff, {orgs} organisations"},
    "stage_done": {"ja": "実施済み", "en": "done"},
    "stage_planned": {"ja": "予定 (公表された期間)", "en": "planned (period as announced)"},
    "stage_to be considered": {"ja": "検討予定 (年度のみ)", "en": "to be considered (fiscal year only)"},
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

    from sovereign_ai.charts.style import FONT_FAMILY

    prop = FontProperties(family=list(FONT_FAMILY), size=size_pt)
    width, _, _ = text_to_path.get_text_width_height_descent(text, prop, ismath=False)
    return width


# Lines are filled to this fraction of the width: PNG output hints glyphs to the pixel grid,
# which can widen a long line at small sizes by a few percent over its outline width.
FILL = 0.96


class PhraseTooWide(ValueError):
    """A word or phrase wider than its line, where phrases must stay whole (phrases_kept_whole)."""

    def __init__(self, phrase: str):
        super().__init__(phrase)
        self.phrase = phrase


_KEEP_PHRASES_WHOLE: ContextVar[bool] = ContextVar("keep_phrases_whole", default=False)


@contextmanager
def phrases_kept_whole():
    """Within it, wrap() raises PhraseTooWide rather than split a word or phrase by character:
    for layouts the user chose, which should say they are too narrow rather than print "Secu-ring"."""
    token = _KEEP_PHRASES_WHOLE.set(True)
    try:
        yield
    finally:
        _KEEP_PHRASES_WHOLE.reset(token)


def wrap(text: str, lang: str, width_pt: float, size_pt: float) -> list[str]:
    """Break text into lines no wider than width_pt (a phrase wider than a line is split by character).

    Each line takes as many phrases as fit (greedy). A line only gets wider as phrases are added,
    so how many fit can be found from a guess rather than by measuring the line after every
    phrase (measuring is most of the time of drawing a long source line).
    """
    width_pt *= FILL
    units = phrases(text, lang)
    lines: list[str] = []
    current = ""
    i = 0
    while i < len(units):
        if current:
            fit = _phrases_that_fit(current, units[i:], width_pt, size_pt)
            current += "".join(units[i : i + fit])
            i += fit
            if i == len(units):
                break
            lines.append(current.rstrip())
        current = units[i]
        i += 1
        while text_width_pt(current.rstrip(), size_pt) > width_pt and len(current.rstrip()) > 1:
            if _KEEP_PHRASES_WHOLE.get():
                raise PhraseTooWide(current.strip())
            head, current = _split_overlong(current, width_pt, size_pt)
            lines.append(head)
    if current.strip():
        lines.append(current.rstrip())
    return no_lonely_last_word(lines, lang, width_pt, size_pt)


def no_lonely_last_word(lines: list[str], lang: str, width_pt: float, size_pt: float) -> list[str]:
    """English lines whose last line is not one word alone: it takes the word before it, where it fits."""
    if lang == "en" and len(lines) > 1 and " " not in lines[-1]:
        head, _, word = lines[-2].rpartition(" ")
        if " " in head and text_width_pt(f"{word} {lines[-1]}", size_pt) <= width_pt:
            return [*lines[:-2], head, f"{word} {lines[-1]}"]
    return lines


def _phrases_that_fit(line: str, units: list[str], width_pt: float, size_pt: float) -> int:
    """How many of units, in order, still fit on line: the largest n with line + units[:n] no wider
    than width_pt. A guess from the phrases' own widths (short texts, quick to measure) is checked,
    then moved one phrase at a time until it is exact: most lines take two measurements."""

    def fits(n: int) -> bool:
        return text_width_pt((line + "".join(units[:n])).rstrip(), size_pt) <= width_pt

    guess, used = 0, text_width_pt(line.rstrip(), size_pt)
    for unit in units:
        used += text_width_pt(unit.rstrip(), size_pt)
        if used > width_pt:
            break
        guess += 1
    while guess > 0 and not fits(guess):  # too many: the line as it is always fits
        guess -= 1
    while guess < len(units) and fits(guess + 1):  # too few
        guess += 1
    return guess


def wrap_mm(text: str, lang: str, width_mm: float, size_pt: float) -> list[str]:
    """wrap() with the width in millimetres; no lines for empty text."""
    from sovereign_ai.charts.style import MM_PER_PT

    return wrap(text, lang, width_mm / MM_PER_PT, size_pt) if text else []


def _split_overlong(text: str, width_pt: float, size_pt: float) -> tuple[str, str]:
    """The longest head of text that fits, respecting kinsoku, and the rest."""
    cut = 1
    while cut < len(text) and text_width_pt(text[: cut + 1], size_pt) <= width_pt:
        cut += 1
    while 1 < cut < len(text) and (text[cut] in NO_LINE_START or text[cut - 1] in NO_LINE_END):
        cut -= 1
    return text[:cut], text[cut:]


# A journal page's printed height, near enough for most journals: a taller figure will not fit one.
PAGE_HEIGHT_MM = 240


def size_note(width_mm: float, height_mm: float) -> str:
    """(W × H mm), with a warning when the figure is taller than a journal page."""
    taller = f"; taller than a journal page, about {PAGE_HEIGHT_MM} mm" if height_mm > PAGE_HEIGHT_MM else ""
    return f"({width_mm:.0f} × {height_mm:.0f} mm{taller})"


def fiscal_year(year, lang: str) -> str:
    """A Japanese fiscal year as each language writes it: 2020年度 / FY2020."""
    check_language(lang)
    return f"{int(year)}年度" if lang == "ja" else f"FY{int(year)}"


def day(date, lang: str) -> str:
    """A calendar day as each language writes it: 2026年6月30日 / 2026-06-30."""
    check_language(lang)
    return f"{date.year}年{date.month}月{date.day}日" if lang == "ja" else f"{date:%Y-%m-%d}"


def rounded(value: float, decimals: int) -> str:
    """value with exactly this many decimals, halves rounded up as a reader would (6.85 -> 6.9)."""
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def qualified(value: str, qualifier, lang: str) -> str:
    """A number with its qualifier as the source words it: "about 6.8" / 約6.8, "up to 72.5" / 最大72.5."""
    qualifier = qualifier if isinstance(qualifier, str) else ""
    return label(f"qual_{qualifier}", lang).format(v=value)
