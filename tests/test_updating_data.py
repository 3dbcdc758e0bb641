"""docs/updating-data.md, followed block by block in a temporary copy of the repository:
`append=` appends to a file, `bash run` runs the commands. The new count reaches the chart's
source data, the metrics, the caption, references.bib and the stored notebook."""

import csv
import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO

GUIDE = REPO / "docs" / "updating-data.md"
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```\s*$", re.M | re.S)


def blocks():
    for language, info, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8")):
        attributes = dict(pair.split("=", 1) for pair in info.split() if "=" in pair)
        yield language, attributes, {word for word in info.split() if "=" not in word}, body


def test_the_guide_appends_a_source_and_a_row_and_runs_its_commands():
    steps = [(language, tuple(attributes), tuple(flags)) for language, attributes, flags, _ in blocks()]
    assert ("csv", ("append",), ()) in steps and ("bash", (), ("run",)) in steps


@pytest.mark.notebooks
def test_following_the_guide_brings_the_new_count_everywhere(repo_copy):
    env = dict(os.environ, SOVEREIGN_AI_ROOT=str(repo_copy))
    shutil.copy2(REPO / "README.md", repo_copy / "README.md")  # its key numbers follow the data too
    for language, attributes, flags, body in blocks():
        if "append" in attributes:
            with (repo_copy / attributes["append"]).open("a", encoding="utf-8") as f:
                f.write(body)
        elif language == "bash" and "run" in flags:
            for command in body.strip().splitlines():
                ran = subprocess.run(
                    command.replace(".venv/bin/", f"{REPO}/.venv/bin/"),
                    shell=True,
                    cwd=repo_copy,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                assert ran.returncode == 0, ran.stdout + ran.stderr
    figures = repo_copy / "figures"
    with (figures / "local_government_metrics.csv").open(encoding="utf-8") as f:
        metrics = {(r["metric"], r["as_of"]): r["value"] for r in csv.DictReader(f)}
    assert metrics[("bodies_expected_to_miss_deadline", "2026-06-30")] == "1010"
    assert metrics[("bodies_expected_to_miss_deadline_share", "2026-06-30")] == "56.5"
    with (figures / "local_government_slippage.en.data.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["date"] == "2026-06-30"]
    assert [(r["value"], r["computed_share_pct"], r["source_id"]) for r in rows] == [("1010", "56.5", "X-2026-06")]
    assert "https://www.digital.go.jp/" in (figures / "local_government_slippage.en.caption.txt").read_text("utf-8")
    assert "@misc{X-2026-06," in (figures / "references.bib").read_text(encoding="utf-8")
    stored = (repo_copy / "notebooks" / "local_government.ipynb").read_text(encoding="utf-8")
    assert "1010" in stored and "2026-06-30" in stored, "the stored notebook shows the new count"
    assert "-->1,010<!-- /number --> / 1,788 = <!-- number:" in stored, "and its prose quotes it"
    readme = (repo_copy / "README.md").read_text(encoding="utf-8")
    assert "643, then 743, then 935, then 1,010<!-- /number --> of 1,788" in readme
    assert "bodies_expected_to_miss_deadline_share latest -->56.5<!-- /number --> %" in readme
    check = subprocess.run(
        [f"{REPO}/.venv/bin/sovereign-ai", "check", "--quick"], cwd=repo_copy, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_check_names_prose_that_quotes_a_number_figures_no_longer_gives(repo_copy):
    from conftest import run_cli

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    marked = "bodies_expected_to_miss_deadline_share latest -->52.3<!-- /number -->"
    assert marked in readme
    (repo_copy / "README.md").write_text(readme.replace(marked, marked.replace("52.3", "99.9")), encoding="utf-8")
    result = run_cli("check", "--quick", root=repo_copy)
    assert result.returncode == 1
    assert "stale: README.md quotes numbers that figures/ no longer gives" in result.stderr


def test_a_mistyped_number_mark_is_named_not_left_unrewritten(tmp_path):
    from sovereign_ai.engine import prose

    (tmp_path / "x_metrics.csv").write_text("metric,value,unit,as_of,note\nbodies,935,,2026-03-31,\n", encoding="utf-8")
    assert prose.render("<!-- number: x_metrics.csv bodies latest -->1<!-- /number -->", tmp_path, "R") == (
        "<!-- number: x_metrics.csv bodies latest -->935<!-- /number -->"
    )
    with pytest.raises(prose.ProseError) as refused:
        prose.render("<!-- number: x_metrics.csv bodies newest -->1<!-- /number -->", tmp_path, "README.md")
    assert str(refused.value) == (
        "README.md: <!-- number: x_metrics.csv bodies newest --> is not a number mark; "
        "a mark is <!-- number: TABLE METRIC latest|series -->…<!-- /number -->"
    )
    (tmp_path / "x.en.data.csv").write_text("label,value\nAWS,1\n", encoding="utf-8")
    with pytest.raises(prose.ProseError, match=r"x\.en\.data\.csv, which is no metrics table"):
        prose.render("<!-- number: x.en.data.csv bodies latest -->1<!-- /number -->", tmp_path, "README.md")
