"""A no-op build reads no file it hashed before: the hashes are kept by each file's size,
modification time and inode, and a file whose stat changed is hashed again."""

import os

from sovereign_ai.engine import manifest


def test_a_file_whose_stat_is_unchanged_is_not_read_again_and_a_changed_one_is(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "_hashes", {})
    figure = tmp_path / "figure.png"
    figure.write_bytes(b"the figure")
    os.utime(figure, ns=(1_000_000_000, 1_000_000_000))  # long ago: kept
    first = manifest.sha256_file_cached(figure)
    assert first == manifest.sha256_file(figure)

    def no_reading(path):
        raise AssertionError(f"{path} was read again")

    monkeypatch.setattr(manifest, "sha256_file", no_reading)
    assert manifest.sha256_file_cached(figure) == first

    monkeypatch.undo()
    monkeypatch.setattr(manifest, "_hashes", {str(figure): [*manifest.stamp_of(figure), first]})
    figure.write_bytes(b"the figure, redrawn")
    assert manifest.sha256_file_cached(figure) == manifest.sha256_file(figure) != first


def test_a_no_op_build_validates_the_data_again_only_when_a_data_file_changed(repo_copy, monkeypatch):
    from sovereign_ai import data
    from sovereign_ai.engine import build

    from conftest import edit_csv_row

    old = 1_000_000_000
    for path in (repo_copy / "data").iterdir():
        os.utime(path, ns=(old, old))
    calls = []
    monkeypatch.setattr(data, "validate_all", lambda: calls.append("validated"))
    build._validate_data()
    build._validate_data()
    assert calls == ["validated"]
    edit_csv_row(repo_copy, "gov_cloud_systems", 1, "systems_total", "1498")
    build._validate_data()
    assert calls == ["validated", "validated"]


def test_a_second_no_op_build_reads_no_package_metadata(repo_copy):
    """Reading the installed packages' metadata (importlib.metadata) cost a no-op build a tenth of a
    second: the environment's record is kept while the package folders and constraints.txt are unchanged."""
    import subprocess
    import sys

    env = dict(os.environ) | {"SOVEREIGN_AI_ROOT": str(repo_copy)}
    command = [sys.executable, "-X", "importtime", "-m", "sovereign_ai", "build"]
    first = subprocess.run(command, capture_output=True, text=True, env=env, cwd=repo_copy, timeout=300)
    assert first.returncode == 0 and "All 14 runs are up to date" in first.stdout, first.stdout + first.stderr
    second = subprocess.run(command, capture_output=True, text=True, env=env, cwd=repo_copy, timeout=300)
    assert second.returncode == 0 and "All 14 runs are up to date" in second.stdout
    imported = {line.split("|")[-1].strip() for line in second.stderr.splitlines() if line.startswith("import time")}
    assert "importlib.metadata" not in imported and "sovereign_ai.engine.build" in imported
