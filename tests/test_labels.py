"""The charts' words in catalogue files a translator edits: where they are, how a mistake in one
is said, and that a run records the words it printed."""

import json
import re

import pytest

from sovereign_ai import data, labels, paths, reads
from sovereign_ai.charts import text

from conftest import REPO, call_cli

NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PACKAGE_JAPANESE_LINES = 25  # the words are in the catalogues: what is left are examples and marks


def _code(notebook: str) -> str:
    cells = json.loads((REPO / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_every_catalogue_is_valid_with_both_languages_for_every_entry():
    assert labels.validate() > 100
    entries = labels.catalogue()
    assert {e.file for e in entries.values()} == {
        f"notebooks/{name}" for name in [labels.SHARED] + [f"{n}{labels.SUFFIX}" for n in NOTEBOOKS]
    } - {"notebooks/four_reasons.labels.yaml", "notebooks/basic_plan_policies.labels.yaml"}, (
        "Figures 1 and 2 print words of their tables and the shared ones only"
    )
    for key, entry in entries.items():
        assert set(entry.texts) == {"ja", "en"} and all(t.strip() for t in entry.texts.values()), key


def test_a_word_a_notebook_names_is_beside_it_or_shared():
    entries = labels.catalogue()
    for notebook in NOTEBOOKS:
        for key in re.findall(r"text\.label\(\s*[\"']([^\"'{}]+)[\"']\s*,", _code(notebook)):
            assert key in entries, f"{notebook} prints {key!r}"
            assert entries[key].file in (
                f"notebooks/{notebook}{labels.SUFFIX}",
                f"notebooks/{labels.SHARED}",
            ), f"{key!r}, which {notebook} prints, is in {entries[key].file}"


def test_the_catalogues_hold_the_words_as_the_charts_print_them():
    assert text.label("examples_heading", "ja") == "【具体的な取り組み例】"
    assert text.label("roster_title", "en") == "Japan's Government Cloud providers over time"
    assert text.label("step", "en") == "step\u00a0", "a no-break space, written \\u00a0 in the file"
    assert (
        text.label("selected_count", "ja").format(date="2024-01-01", n=5, d=1)
        == "2024-01-01時点で5事業者、うち日本企業1"
    )
    assert text.fiscal_year(2026, "ja") == "2026年度" and text.day(data.checked_on(), "en") == str(data.checked_on())


def test_a_key_in_no_catalogue_is_said_with_the_files_looked_in():
    with pytest.raises(labels.CatalogueError) as raised:
        text.label("roster_titel", "en")
    message = str(raised.value)
    assert message.startswith(
        "no chart word 'roster_titel' in notebooks/ (looked in notebooks/ai_compute.labels.yaml, "
    )
    assert "notebooks/shared.labels.yaml, " in message and "beside the notebook that prints it" in message
    assert raised.value._render_traceback_() == [f"CatalogueError: {message}"], "JupyterLab shows the message alone"


def test_the_package_keeps_few_lines_of_japanese():
    """The charts' words are in the catalogues; the package keeps marks (kinsoku) and a few examples."""
    package = REPO / "src" / "sovereign_ai"
    lines = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if JAPANESE.search(line)
    ]
    assert len(lines) <= PACKAGE_JAPANESE_LINES, lines


def _edit(root, name: str, old: str, new: str) -> None:
    path = root / "notebooks" / name
    body = path.read_text(encoding="utf-8")
    assert body.count(old) == 1, old
    path.write_text(body.replace(old, new), encoding="utf-8")


CLOUD = "cloud_dependence.labels.yaml"
ROSTER_EN = '  en: "Japan\'s Government Cloud providers over time"\n'


@pytest.mark.parametrize(
    ("file", "old", "new", "said"),
    [
        (CLOUD, ROSTER_EN, "", "'roster_title': no en: text; expected both ja: and en:"),
        (CLOUD, ROSTER_EN, '  en: ""\n', "'roster_title': the en: text is empty; write its words"),
        (CLOUD, ROSTER_EN, "  en: Japan's providers: over time\n", "not valid YAML (mapping values are not allowed"),
        (CLOUD, ROSTER_EN, ROSTER_EN + '  fr: "Les fournisseurs"\n', "'roster_title': unexpected 'fr'; an entry has"),
        (
            CLOUD,
            '"as of {date}: {n} providers, {d} of them Japanese"',
            '"as of {day}: {n} providers, {d} of them Japanese"',
            "'selected_count': the en: text has no {date}, which the ja: text has; write the same {placeholders}",
        ),
        (
            CLOUD,
            '"as of {date}: {n} providers, {d} of them Japanese"',
            '"as of {the date}: {n} providers, {d} of them Japanese"',
            "'selected_count': the en: text has {the date}, which is not a placeholder",
        ),
        (
            CLOUD,
            '"as of {date}: {n} providers, {d} of them Japanese"',
            '"as of {date}: {n} providers} {d} of them Japanese"',
            "'selected_count': the en: text has a lone { or }",
        ),
        (
            labels.SHARED,
            "made_by:\n",
            "roster_title:\n  ja: 'x'\n  en: 'x'\nmade_by:\n",
            "'roster_title': the key is also in notebooks/cloud_dependence.labels.yaml (line ",
        ),
        (CLOUD, "foreign_provider:\n", "roster_title:\n", "'roster_title': the key is given twice in this file"),
    ],
)
def test_a_translators_mistake_is_said_by_file_line_and_key_without_a_traceback(repo_copy, file, old, new, said):
    _edit(repo_copy, file, old, new)
    result = call_cli("validate", root=repo_copy)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
    assert said in result.stderr, result.stderr
    assert re.match(r"error: notebooks/\w+\.labels\.yaml, line \d+", result.stderr), result.stderr
    dry = call_cli("build", "--dry-run", root=repo_copy)
    assert dry.returncode == 2 and said in dry.stderr, "the build refuses it before any kernel starts"
    assert dry.stderr.rstrip().endswith("No notebook was run and nothing was written.")


def test_a_placeholder_one_language_leaves_out_on_purpose_is_said_so(data_copy):
    _edit(data_copy, labels.SHARED, '  en_leaves_out: "{date}"\n', "")
    result = call_cli("validate", root=data_copy)
    assert "'report_figure_source': the en: text has no {date}, which the ja: text has" in result.stderr
    _edit(
        data_copy,
        labels.SHARED,
        "({date}) {figure} ({page}頁) より作成{original}",
        '({date}) {figure} ({page}頁) より作成{original}"\n  en_leaves_out: "{page}',
    )
    result = call_cli("validate", root=data_copy)
    assert "en_leaves_out: expected the placeholders that the ja: text has and the en: text leaves out" in (
        result.stderr
    )


def test_validate_counts_the_catalogues():
    result = call_cli("validate")
    assert result.returncode == 0, result.stderr
    entries = len(labels.catalogue())
    assert f"notebooks/: 6 catalogues of the charts' words valid ({entries} entries)" in result.stdout


def test_a_lookup_is_recorded_by_file_language_and_key(tmp_path, monkeypatch):
    log = tmp_path / "reads.txt"
    monkeypatch.setenv(reads.READS_LOG_VARIABLE, str(log))
    text.label("roster_title", "en")
    text.label("made_by", "ja")
    text.label("as_of", "en")
    read = log.read_text(encoding="utf-8").splitlines()
    assert read == [
        "notebooks/cloud_dependence.labels.yaml#en:roster_title",
        "notebooks/shared.labels.yaml#ja:made_by",
        "notebooks/cloud_dependence.labels.yaml#en:as_of",
    ]
    assert labels.grouped_reads([*read, "data/sources.csv#T8-02"]) == [
        "data/sources.csv#T8-02",
        "notebooks/cloud_dependence.labels.yaml#en:as_of,roster_title",
        "notebooks/shared.labels.yaml#ja:made_by",
    ]


def test_a_read_of_words_is_hashed_by_its_words_in_its_language(data_copy):
    english = "notebooks/cloud_dependence.labels.yaml#en:as_of,roster_title"
    japanese = "notebooks/cloud_dependence.labels.yaml#ja:as_of,roster_title"
    other = "notebooks/cloud_dependence.labels.yaml#en:today"
    before = {entry: data.input_sha256(entry) for entry in (english, japanese, other)}
    assert len(set(before.values())) == 3
    _edit(data_copy, CLOUD, ROSTER_EN, ROSTER_EN.replace("over time", "year by year"))
    assert data.input_sha256(english) != before[english]
    assert data.input_sha256(japanese) == before[japanese] and data.input_sha256(other) == before[other]
    _edit(data_copy, CLOUD, "roster_title:", "roster_heading:")
    assert data.input_sha256(english) != before[english] and data.input_sha256(other) == before[other]
    (data_copy / "notebooks" / CLOUD).unlink()
    assert data.input_sha256(english) == "missing"
    assert paths.labels_dir() == data_copy / "notebooks", "the catalogues of the root in use"
