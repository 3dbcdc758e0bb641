"""What users read speaks of the project and its users: no notes on how it was made or tested.
And what the documented routes leave beside the notebooks is ignored by git."""

import re
import subprocess

import pytest

from conftest import REPO

NOTES = [r"the target is \d", r"not tried here", r"was not tried", r"this project's machines", r"vetted facts are not"]


def _read_by_users() -> list:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *sorted((REPO / "tests").glob("test_*.py"))]


def test_no_development_notes_in_the_readme_docs_or_test_messages():
    found = [
        f"{path.relative_to(REPO)}: {match.group()}"
        for path in _read_by_users()
        for note in NOTES
        if path.name != "test_what_users_read.py"
        for match in re.finditer(note, path.read_text(encoding="utf-8"))
    ]
    assert found == []


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout")
@pytest.mark.parametrize(
    "left",
    [
        "notebooks/cloud_dependence.html",  # jupyter nbconvert --to html
        "notebooks/cloud_dependence.pdf",
        "notebooks/cloud_dependence_files/output_1_0.png",
        "notebooks/cloud_dependence.nbconvert.ipynb",  # nbconvert --execute --to notebook
        "notebooks/cloud_dependence.out.ipynb",  # papermill's output, beside the notebook
        "notebooks/cloud_dependence_output.ipynb",
        "out.ipynb",  # papermill notebooks/x.ipynb out.ipynb
    ],
)
def test_what_the_documented_routes_leave_is_ignored(left):
    assert subprocess.run(["git", "check-ignore", "-q", left], cwd=REPO).returncode == 0, left


@pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs the git checkout")
def test_the_notebooks_themselves_are_not_ignored():
    notebooks = [p.relative_to(REPO).as_posix() for p in sorted((REPO / "notebooks").glob("*.ipynb"))]
    ignored = subprocess.run(["git", "check-ignore", *notebooks], cwd=REPO, capture_output=True, text=True).stdout
    assert ignored == ""
