"""Line breaking: Japanese at phrase boundaries with kinsoku, English at spaces, always within width."""

import pytest

from sovereign_ai import data, text

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
