"""`make clean` (sovereign-ai clean) never removes build/ from under a running build: it refuses,
naming the folder being written, and removes nothing; once the build is done it removes build/,
site/ and handout/, and keeps figures/."""

import fcntl

from sovereign_ai.engine import publish

from conftest import run_cli


def test_clean_refuses_while_a_build_holds_its_lock_and_cleans_after(repo_copy):
    area = publish.area(publish.work_folder(), repo_copy / "figures")
    (repo_copy / "site").mkdir()
    (repo_copy / "site" / "index.html").write_text("gallery", encoding="utf-8")
    with open(area / publish.LOCK_NAME, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # as a running build holds it
        busy = run_cli("clean", root=repo_copy)
    assert busy.returncode == 2, busy.stderr
    assert busy.stderr.splitlines() == [
        "error: a build is writing into figures/; wait for it to finish (or stop it), then clean again. "
        "Nothing was removed."
    ]
    assert area.is_dir() and (repo_copy / "site" / "index.html").is_file()

    done = run_cli("clean", root=repo_copy)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Removed build/, site/; kept .venv/ and figures/.\n"
    assert not (repo_copy / "build").exists() and not (repo_copy / "site").exists()
    assert (repo_copy / "figures" / "MANIFEST.json").is_file()
    assert run_cli("clean", root=repo_copy).stdout == "Nothing to remove.\n"
