"""Messages worded for users on the routes around the build: papermill's own command, JupyterLab
(`make lab`) and `check`. A bad parameter ends in a short error whose last line names it; an
environment no kernel could start in is refused before any kernel starts; SIGTERM stops
JupyterLab quietly; check says what it compared."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli

PAPERMILL = Path(sys.executable).parent / "papermill"


def _papermill(tmp_path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PAPERMILL), str(REPO / "notebooks" / "sovereign_models.ipynb"), str(tmp_path / "out.ipynb"), *args],
        capture_output=True,
        text=True,
        env=dict(os.environ) | (env or {}),
        cwd=tmp_path,
        timeout=600,
    )


def test_papermill_refuses_an_unknown_mplbackend_before_any_kernel(tmp_path):
    result = _papermill(tmp_path, "-p", "lang", "en", env={"MPLBACKEND": "foo"})
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "papermill: error: the environment variable MPLBACKEND is 'foo', which matplotlib does not know; unset it "
        "(the notebooks need no backend of their own) or set it to one such as 'agg'.",
        "No kernel was started.",
    ]
    assert not (tmp_path / "out.ipynb").exists()


def test_lab_refuses_an_unknown_mplbackend_before_starting():
    result = subprocess.run(
        [sys.executable, "-m", "sovereign_ai", "lab"],
        capture_output=True,
        text=True,
        env=dict(os.environ) | {"MPLBACKEND": "foo"},
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == "JupyterLab was not started."
    assert "MPLBACKEND is 'foo'" in result.stderr


@pytest.mark.notebooks
def test_a_bad_parameter_under_papermill_ends_in_a_short_error_naming_it(tmp_path):
    result = _papermill(tmp_path, "-p", "lang", "fr")
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).splitlines()
    assert len(lines) <= 25, "\n".join(lines)
    assert "Traceback" not in result.stderr, result.stderr
    assert lines[-1] == """ParameterError: parameter 'lang': 'fr' is not allowed; expected "ja" or "en\""""


@pytest.mark.notebooks
def test_sigterm_stops_lab_quietly():
    process = subprocess.Popen(
        [sys.executable, "-m", "sovereign_ai", "lab"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ) | {"BROWSER": "true"},
        start_new_session=True,
    )
    seen = []
    for line in process.stdout:  # JupyterLab is up, or starting: its server logs
        seen.append(line)
        if "ServerApp" in line:
            break
    os.kill(process.pid, signal.SIGTERM)
    rest, _ = process.communicate(timeout=120)
    said = "".join(seen) + rest
    assert "Interrupted" not in said and "Traceback" not in said, said
    assert process.returncode in (0, 143), said


@pytest.mark.notebooks
def test_check_says_what_it_compared_and_not_where_it_wrote(fixture_project):
    written = len(list((fixture_project / "figures").glob("squares.*")))
    result = run_cli("check", "--only", "squares", "-j", "1", root=fixture_project)
    assert result.returncode == 0, result.stderr
    assert "written to" not in result.stdout, result.stdout
    assert written >= 6 and result.stdout.splitlines()[-2:] == [
        f"Compared the {written} files that the 2 runs of squares write now with figures/, byte for byte.",
        "figures/ is current: every file equals a fresh build's.",
    ]
