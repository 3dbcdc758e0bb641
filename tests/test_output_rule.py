"""One rule decides where output may go, on every route: the build, a sweep, papermill's or
JupyterLab's output_dir, the handout and the gallery refuse the same folders with the same message
(before any kernel starts), naming the sweep file's line where a sweep names the folder."""

import pytest

from sovereign_ai import paths
from sovereign_ai.parameters import ParameterError, check_value

from conftest import run_cli

TOO_LONG = "x" * 300  # "File name too long" from the system, once


@pytest.mark.parametrize("folder", [".venv/x", "build/outputs/x", "data/x", f"variants/{TOO_LONG}"])
def test_every_route_refuses_a_folder_with_the_same_message(repo_copy, folder):
    said = paths.refuse_output(paths.output_folder(folder))
    assert said and said.startswith("the output folder"), said

    with pytest.raises(ParameterError) as notebook_route:  # papermill -p output_dir, JupyterLab
        check_value("output_dir", folder)
    assert str(notebook_route.value).endswith(f"is not allowed: {said}")

    build = run_cli("build", "--output-dir", folder, root=repo_copy)
    assert build.returncode == 2 and f"error: {said}\n" in build.stderr, build.stderr

    sweep_file = repo_copy / "grid.yaml"
    sweep_file.write_text(
        f"notebook: notebooks/sovereign_models.ipynb\noutput_dir: {folder}\ngrid:\n  lang: [en]\n", encoding="utf-8"
    )
    sweep = run_cli("sweep", str(sweep_file), root=repo_copy)
    assert sweep.returncode == 2, sweep.stderr
    assert sweep.stderr == f"error: grid.yaml, line 2: {said}\n"

    for route in (["handout", folder], ["site", "--output-dir", folder]):
        result = run_cli(*route, root=repo_copy)
        assert result.returncode == 2, result.stderr
        assert result.stderr == f"error: {said}\n", route
    assert not (repo_copy / "variants").exists()


def test_the_gallery_and_the_handout_may_use_their_own_folders_and_no_other_route_may(repo_copy):
    assert paths.refuse_output(repo_copy / "site", own="site") is None
    assert paths.refuse_output(repo_copy / "handout", own="handout") is None
    assert paths.refuse_output(repo_copy / "figures", own="figures") is None
    assert "is in site/, the gallery" in paths.refuse_output(repo_copy / "site")
    assert "is in handout/, the students' copy" in paths.refuse_output(repo_copy / "handout", own="site")
    assert "is inside figures/" in paths.refuse_output(repo_copy / "figures" / "x", own="figures")


def test_only_a_run_of_the_build_writes_into_its_staging_folder(repo_copy, monkeypatch):
    staging = "build/outputs/figures-0123456789ab/staging-x1y2/four_reasons.en"
    said = paths.refuse_output(paths.output_folder(staging))
    assert "is the build's working folder or one of its own in it" in said
    with pytest.raises(ParameterError):  # papermill or JupyterLab, by hand
        check_value("output_dir", staging)
    monkeypatch.setenv("SOVEREIGN_AI_READS_LOG", str(repo_copy / "reads.txt"))  # as the build runs a notebook
    assert check_value("output_dir", staging) == staging
    with pytest.raises(ParameterError):
        check_value("output_dir", "build/outputs/x")
