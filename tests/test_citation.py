"""CITATION.cff: valid for the upstream cffconvert, and in step with the package."""

import subprocess

import yaml

import sovereign_ai
from sovereign_ai.cli import cffconvert

from conftest import REPO

CFFCONVERT = cffconvert()


def test_cffconvert_validates_the_citation_file():
    assert CFFCONVERT.exists(), "cffconvert lives in .venv-tools: `make test` or `sovereign-ai test` installs it"
    result = subprocess.run(
        [str(CFFCONVERT), "--validate", "-i", str(REPO / "CITATION.cff")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_citation_names_this_version_and_the_report():
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == sovereign_ai.__version__
    report = citation["references"][0]
    assert report["url"] == "https://www.dir.co.jp/report/research/economics/japan/20251119_025418.html"
    assert report["authors"][0]["family-names"] == "Tanabe"
