"""Line breaking: Japanese at phrase boundaries with kinsoku, English at spaces, always within width."""

import pytest

from sovereign_ai import data
from sovereign_ai.charts import text

SIZE = 6.5


def japanese_texts():
    statements = data.load_table("four_reasons_statements")["text_ja"].tolist()
    aims = data.load_table("basic_plan_policies")["aim_ja"].tolist()
    return statements + aims


@pytest.mark.parametrize("width_pt", [60, 90, 120, 200])
def test_japanese_lines_fit_and_never_start_with_closing_marks(width_pt):
    for source in japanese_texts():
        lines = text.wrap(source, "ja", width_pt, SIZE)
        assert "".join(lines) == source, "wrapping must not lose or add characters"
        for line in lines:
            assert text.text_width_pt(line, SIZE) <= width_pt + 1e-6, line
            assert line[0] not in "、。」）", line
            assert line[-1] not in "「（", line


def test_japanese_breaks_between_phrases_not_inside_words():
    lines = text.wrap("自国・自社でデータを管理し、必要なときに自由にアクセス・活用できる体制の確立", "ja", 95, SIZE)
    assert len(lines) > 1
    # BudouX keeps these words whole
    for word in ("データを", "必要な", "アクセス・活用できる"):
        assert any(word in line for line in lines), (word, lines)


def test_closing_marks_stay_with_the_phrase_before():
    assert text.phrases("確立し、活用する。", "ja")[0].endswith("、")
    assert all(not p.startswith(("、", "。")) for p in text.phrases("確立し、活用する。", "ja"))


def test_english_breaks_at_spaces_only():
    source = "Risk of confidential information and personal data flowing out of the country"
    lines = text.wrap(source, "en", 80, SIZE)
    assert " ".join(lines) == source
    assert all(text.text_width_pt(line, SIZE) <= 80 for line in lines)


def test_a_word_longer_than_the_line_is_split_rather_than_overflowing():
    lines = text.wrap("Supercalifragilisticexpialidocious", "en", 30, SIZE)
    assert "".join(lines) == "Supercalifragilisticexpialidocious"
    assert all(text.text_width_pt(line, SIZE) <= 30 for line in lines)


def test_labels_exist_in_both_languages():
    assert text.label("examples_heading", "ja") == "【具体的な取り組み例】"
    assert text.label("examples_heading", "en") == "Examples of concrete measures"
    with pytest.raises(ValueError, match="lang 'fr' is not supported; choose one of ja, en"):
        text.label("bullet", "fr")


def test_numbers_and_dates_are_never_cut():
    line = "(出所) 田邉美穂「世界が再注目、実現に動き出すソブリンAI」大和総研 (2025年11月19日) 図表1 (4頁) より作成"
    for width_pt in (120, 160, 200, 240):
        lines = text.wrap(line, "ja", width_pt, 5.5)
        assert any("2025年11月19日" in each for each in lines), lines
        assert not any(each[0].isdigit() for each in lines), lines


def _one_phrase_at_a_time(source: str, lang: str, width_pt: float, size_pt: float) -> list[str]:
    """Greedy line breaking as written plainly: measure the line after every phrase."""
    width_pt *= text.FILL
    lines, current = [], ""
    for unit in text.phrases(source, lang):
        if current and text.text_width_pt((current + unit).rstrip(), size_pt) > width_pt:
            lines.append(current.rstrip())
            current = unit
        else:
            current += unit
        while text.text_width_pt(current.rstrip(), size_pt) > width_pt and len(current.rstrip()) > 1:
            head, current = text._split_overlong(current, width_pt, size_pt)
            lines.append(head)
    lines = [*lines, current.rstrip()] if current.strip() else lines
    return text.no_lonely_last_word(lines, lang, width_pt, size_pt)  # as wrap() ends, on the same lines


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_wrap_breaks_where_measuring_after_every_phrase_would(lang):
    """wrap() measures a few times a line, not after every phrase; its lines are the same."""
    sources = data.load_table("sources")
    column = {"ja": "title", "en": "title_en"}[lang]
    long_lines = [" ".join(sources[column].dropna().tolist()[i : i + 3]) for i in range(0, 30, 3)]
    for source in long_lines:
        for width_pt in (25, 140, 250, 500):
            assert text.wrap(source, lang, width_pt, SIZE) == _one_phrase_at_a_time(source, lang, width_pt, SIZE)


def test_a_last_english_line_is_never_one_word_alone():
    """'no standard system / no replacement in sight' left 'sight' alone on the reasons chart."""
    lines = text.wrap("no standard system / no replacement in sight", "en", 100, 6)
    assert len(lines) == 2 and " " in lines[-1]


def test_japanese_fiscal_years_are_nendo():
    assert text.fiscal_year(2020, "ja") == "2020年度" and text.fiscal_year(2020.0, "en") == "FY2020"


def test_one_precision_rounds_halves_up():
    assert [text.rounded(v, 1) for v in (6.85, 5.3452, 2.0225, 10)] == ["6.9", "5.3", "2.0", "10.0"]


def test_a_figure_taller_than_a_journal_page_is_said_to_be():
    from sovereign_ai.charts.text import size_note

    assert size_note(183, 218.4) == "(183 × 218 mm)"
    assert size_note(85, 315) == "(85 × 315 mm; taller than a journal page, about 240 mm)"


@pytest.mark.parametrize("width_mm", [40, 60, 80, 100])
def test_a_step_number_stays_with_its_word_when_a_line_wraps(width_mm):
    """The policy timeline's list broke "[step 1]" after "[step" at 183 mm."""
    step = text.label("step", "en")
    entry = f"2. 2025-02-28 Japan: AI Promotion Act: bill approved by Cabinet and submitted [{step}1]"
    lines = text.wrap_mm(entry, "en", width_mm, 7)
    assert not any(line.endswith("[step") for line in lines), lines
    assert any("[step\u00a01]" in line for line in lines), lines
