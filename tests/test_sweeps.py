"""Sweeps that say what they will do, can be stopped and resumed, and remember their runs.

A sweep says how many runs it has and about how long they take; a grid above a limit needs
--yes. Each run's files are put in place as it finishes, so a stop (SIGTERM, Ctrl-C) keeps the
finished runs, says so in one line, and the next sweep runs only the rest. A sweep whose
index.csv is missing or emptied finds the runs it wrote from the folder's manifest."""

import csv
import os
import signal

import pytest

from sovereign_ai.engine import manifest

from conftest import run_build, run_cli


def _sweep_file(root, grid: str, fixed: str = "{lang: en, formats: [png], dpi: 150}", name: str = "grid"):
    path = root / f"{name}.yaml"
    path.write_text(
        f"notebook: notebooks/sovereign_models.ipynb\noutput_dir: sweeps/{name}\nfixed: {fixed}\ngrid:\n{grid}",
        encoding="utf-8",
    )
    return path


def test_a_grid_of_ten_thousand_runs_does_not_start_without_yes(repo_copy):
    widths = ", ".join(str(90 + i / 10) for i in range(100))
    dpis = ", ".join(str(150 + i) for i in range(100))
    sweep_file = _sweep_file(repo_copy, f"  width_mm: [{widths}]\n  dpi: [{dpis}]\n", fixed="{lang: en}")
    result = run_cli("sweep", str(sweep_file), "-j", "2", root=repo_copy)
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: grid.yaml: 10000 runs, 10000 to run, about "), line
    assert line.endswith(
        " h on 2 workers. A sweep of more than 100 runs starts only with --yes; or make its grid smaller. "
        "Nothing was run."
    ), line
    assert not (repo_copy / "sweeps" / "grid").exists()


def _index(folder) -> list[dict]:
    with open(folder / "index.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.notebooks
def test_a_stopped_sweep_keeps_its_finished_runs_and_the_next_runs_only_the_rest(repo_copy):
    sweep_file = _sweep_file(repo_copy, "  width_mm: [120, 140, 160, 183]\n")
    process = run_build("sweep", str(sweep_file), "-j", "1", popen=True)
    said = []
    for line in process.stdout:
        said.append(line)
        if "[1/4]" in line:
            break
    os.kill(process.pid, signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=120)
    said.append(stdout)
    assert "grid.yaml: 4 runs, 4 to run, about " in said[0], said
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr and "InvalidStateError" not in stderr, stderr
    (line,) = stderr.splitlines()
    folder = repo_copy / "sweeps" / "grid"
    finished = [row["run"] for row in _index(folder) if row["files"]]
    assert finished[:1] == ["run_001"]
    verb = "is" if len(finished) == 1 else "are"
    assert line == (
        f"Interrupted: the {len(finished)} run{'s' if len(finished) > 1 else ''} that finished {verb} in "
        "sweeps/grid/, complete; running it again runs only the rest."
    )
    for run in finished:
        assert (folder / run / "sovereign_models.en.png").is_file()

    rest = run_cli("sweep", str(sweep_file), "-j", "1", root=repo_copy)
    assert rest.returncode == 0, rest.stderr
    assert f"grid.yaml: 4 runs, {4 - len(finished)} to run ({len(finished)} up to date)" in rest.stdout
    assert f"Running {4 - len(finished)} of 4 runs ({len(finished)} up to date)" in rest.stdout
    assert [row["run"] for row in _index(folder) if row["files"]] == ["run_001", "run_002", "run_003", "run_004"]

    # index.csv emptied by hand, then a smaller grid: the runs it no longer has are found from the
    # manifest and removed, as they are when the index is there.
    (folder / "index.csv").write_text("", encoding="utf-8")
    sweep_file.write_text(sweep_file.read_text(encoding="utf-8").replace(", 160, 183]", "]"), encoding="utf-8")
    smaller = run_cli("sweep", str(sweep_file), root=repo_copy)
    assert smaller.returncode == 0, smaller.stderr
    assert "files of runs grid.yaml no longer lists from sweeps/grid/" in smaller.stdout, smaller.stdout
    assert sorted(p.name for p in folder.iterdir()) == [
        "MANIFEST.json",
        "index.csv",
        "references.bib",
        "run_001",
        "run_002",
    ]
    assert {key for e in manifest.read(folder)["files"].values() for key in e["runs"]} == {
        "run_001",
        "run_002",
    }


def test_a_stop_leaves_no_error_in_the_worker_pools_thread(monkeypatch):
    """SIGTERM to a sweep's process group ends its workers as the command stops: the pool's thread then
    marks every waiting run failed while the command cancelled them, and printed InvalidStateError:
    CANCELLED after the command's one line."""
    import multiprocessing
    import threading
    import time

    from sovereign_ai.engine import workers

    errors = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(f"{args.exc_type.__name__}"))
    results = workers.run_each(time.sleep, [0.01] + [5] * 5000, 2)
    next(results)
    for worker in multiprocessing.active_children():
        os.kill(worker.pid, signal.SIGTERM)
    results.close()
    assert errors == []
