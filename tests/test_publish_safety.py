"""Publishing is all or nothing: atomic files, a journal that the next build completes,
one build per output folder, Ctrl-C and SIGTERM without a traceback, and the umask's permissions."""

import csv
import io
import json
import os
import shutil
import signal
import stat
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from sovereign_ai import paths, safe_io
from sovereign_ai.engine import manifest, publish

from conftest import ONE_RUN, SMALL, mounted, run_build, snapshot

FIGURES = paths.figures_dir()


def _modes(folder):
    return {name: stat.S_IMODE((folder / name).stat().st_mode) for name in snapshot(folder)}


def _wait_for(process, text):
    """Read the process's output until a line holds text (the build has reached that point)."""
    seen = []
    for line in process.stdout:
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"the build ended before printing {text!r}: {''.join(seen)}")


# ---- Files are replaced whole, with the umask's permissions -------------------------------------


def test_a_failed_write_never_truncates_the_good_file(tmp_path):
    target = tmp_path / "figure.png"
    target.write_bytes(b"the good figure")

    def fails_half_way(f):
        f.write(b"half a fig")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        safe_io.write_file(target, fails_half_way)
    assert target.read_bytes() == b"the good figure"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png"], "no temporary file is left behind"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_save_figure_and_the_manifest_respect_the_umask(tmp_path, umask, mode):
    from sovereign_ai.charts.style import new_figure, save_figure

    previous = os.umask(umask)
    try:
        written = save_figure(new_figure(60, 20), tmp_path, "mode", ["png", "svg"], 72)
        manifest.write(tmp_path, {})
    finally:
        os.umask(previous)
    assert [p.name for p in written] == ["mode.png", "mode.svg"]
    assert _modes(tmp_path) == {"MANIFEST.json": mode, "mode.png": mode, "mode.svg": mode}


def test_a_publish_that_cannot_write_leaves_the_folder_unchanged(tmp_path):
    out, area = tmp_path / "out", tmp_path / "area"
    out.mkdir()
    area.mkdir()
    (out / "a.png").write_bytes(b"old a")
    (out / "MANIFEST.json").write_text("{}\n")
    before = snapshot(out)
    good = tmp_path / "new_a.png"
    good.write_bytes(b"new a")
    unreadable = tmp_path / "a_folder"  # reading it fails part-way through the publish
    unreadable.mkdir()
    with pytest.raises(publish.PublishError) as error:
        publish.commit(out, area, {"a.png": good, "b.png": unreadable}, [], '{"files": {}}\n')
    assert "could not write b.png into" in str(error.value)
    assert "is unchanged (no file in it was replaced)" in str(error.value)
    assert snapshot(out) == before
    assert not (area / publish.JOURNAL_NAME).exists()


def test_removing_a_folders_last_file_removes_the_folder_but_not_one_holding_a_users_file(tmp_path):
    out, area = tmp_path / "out", tmp_path / "area"
    for name in ("run_001/a.png", "run_002/b.png", "run_002/deeper/c.png", "run_003/d.png", "run_003/notes.txt"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"x")
    area.mkdir()
    publish.commit(out, area, {}, ["run_002/b.png", "run_002/deeper/c.png", "run_003/d.png"], manifest.render({}))
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert left == ["MANIFEST.json", "run_001", "run_001/a.png", "run_003", "run_003/notes.txt"]


def _old_folder(out, root):
    """An output folder as an earlier build left it (the small project's built PNGs), without a kernel."""
    out.mkdir(parents=True)
    for lang in ("ja", "en"):
        for kind in ("png", "caption.txt"):
            shutil.copy2(root / "figures" / f"squares.{lang}.{kind}", out / f"squares.{lang}.{kind}")
    (out / "MANIFEST.json").write_text(manifest.render({}), encoding="utf-8")
    return snapshot(out)


@pytest.mark.notebooks
def test_a_failed_replace_on_a_full_disk_keeps_the_good_files(tmp_path, fixture_project):
    disk = tmp_path / "disk"
    with mounted(disk, "size=2m"):
        out = disk / "out"
        before = _old_folder(out, fixture_project)
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * (free - 16384))  # a few kilobytes left: too few for a figure
        full = run_build("build", *SMALL, "-p", "width_mm", "120", "-p", "dpi", "600", "--output-dir", str(out))
        assert full.returncode == 1, full.stderr
        assert "could not write squares." in full.stderr
        assert "No space left on device" in full.stderr
        assert "is unchanged (no file in it was replaced)" in full.stderr
        assert "Traceback" not in full.stderr
        assert snapshot(out) == before


# ---- A build killed while publishing: old or new, and the next build recovers -------------------


@pytest.mark.notebooks
def test_a_killed_build_leaves_old_or_new_files_and_the_next_build_rolls_back_or_completes(tmp_path, fixture_project):
    out = tmp_path / "out"
    variant = (*SMALL, "-p", "width_mm", "120", "--output-dir")
    old = _old_folder(out, fixture_project)

    # killed once every new file is written beside its target, before any rename: nothing changed
    killed = run_build("build", *variant, str(out), env={publish.FAULT_VARIABLE: "kill-at:written"})
    assert killed.returncode == -signal.SIGKILL
    left = snapshot(out)
    assert {n: d for n, d in left.items() if not n.startswith(".")} == old
    waiting = {n: d for n, d in left.items() if n.endswith(publish.PUBLISH_SUFFIX)}
    assert len(waiting) == 3, "two figures and the manifest, waiting (the captions did not change)"
    # The new folder, as a build that finished would leave it: each waiting file (".NAME.<random>.publishing")
    # in place of its target, the unchanged captions kept.
    new = old | {n[1:].rsplit(".", 2)[0]: d for n, d in waiting.items()}
    assert set(new) == set(old) and all(new[n] != old[n] for n in ("squares.en.png", "MANIFEST.json"))

    # killed at the moment files start changing: after the first rename
    killed = run_build("build", *variant, str(out), env={publish.FAULT_VARIABLE: "kill-at:replaced-1"})
    assert killed.returncode == -signal.SIGKILL
    assert (
        "was interrupted before it replaced any file: rolled back (removed 3 unfinished temporary files)"
        in killed.stdout
    ), "the first thing it did was to clean up after the first kill"
    now = {name: data for name, data in snapshot(out).items() if not name.startswith(".")}
    assert set(now) == set(old)
    for name, data in now.items():
        assert data in (old[name], new[name]), f"{name} is neither the old nor the new file"
    assert any(now[n] == new[n] != old[n] for n in now), "the kill came after the first rename"
    assert now["MANIFEST.json"] == old["MANIFEST.json"], "the manifest is renamed last"
    dry = run_build("build", *variant, str(out), "--dry-run")
    assert "an interrupted build left a publish into" in dry.stdout

    recovered = run_build("build", *variant, str(out))
    assert recovered.returncode == 0, recovered.stderr
    assert "Completed the publish an interrupted build had begun in" in recovered.stdout
    assert "All 2 runs are up to date" in recovered.stdout, "recovery needs no kernel"
    assert snapshot(out) == new, "equal to what the first killed build had written"
    assert set(_modes(out).values()) == {0o644}, "written files follow umask 022"


def test_recovery_removes_leftovers_of_a_build_killed_before_its_journal(tmp_path):
    out, area = tmp_path / "out", tmp_path / "area"
    (out / "sub").mkdir(parents=True)
    area.mkdir()
    (out / "a.png").write_bytes(b"a")
    (out / "sub" / f".b.png.x1{publish.PUBLISH_SUFFIX}").write_bytes(b"new b")
    (area / "staging-123").mkdir()
    message = publish.recover(out, area, out=io.StringIO())
    assert "rolled back (removed 1 unfinished temporary files)" in message
    assert snapshot(out) == {"a.png": b"a"}
    assert not (area / "staging-123").exists()


# ---- Ctrl-C --------------------------------------------------------------------------------


def test_ctrl_c_while_files_are_renamed_waits_until_the_folder_is_consistent(tmp_path, monkeypatch):
    out, area = tmp_path / "out", tmp_path / "area"
    out.mkdir()
    area.mkdir()
    (out / "a.png").write_bytes(b"old a")
    (out / "b.png").write_bytes(b"old b")
    sources = {}
    for name in ("a.png", "b.png"):
        sources[name] = tmp_path / f"new_{name}"
        sources[name].write_bytes(b"new " + name.encode())
    monkeypatch.setattr(publish, "fault", lambda point: point == "journal" and os.kill(os.getpid(), signal.SIGINT))
    received = publish.commit(out, area, sources, [], manifest.render({}))
    assert received == [signal.SIGINT], "held back, then reported to the build"
    assert snapshot(out) == {
        "MANIFEST.json": manifest.render({}).encode(),
        "a.png": b"new a.png",
        "b.png": b"new b.png",
    }
    assert not (area / publish.JOURNAL_NAME).exists()


def _running(pid: int) -> bool:
    """Whether a process runs (a zombie, waiting for its parent to reap it, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.notebooks
@pytest.mark.parametrize(
    ("jobs", "stop", "exit_code"),
    [
        ("2", "ctrl-c", 130),  # a terminal's Ctrl-C: SIGINT to the build, its workers and their kernels
        ("1", "sigterm", 143),  # `kill` or a CI job's timeout: SIGTERM to the build alone
    ],
)
def test_ctrl_c_or_sigterm_prints_one_line_and_leaves_the_folder_unchanged(
    tmp_path, fixture_project, request, jobs, stop, exit_code
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "MANIFEST.json").write_text(manifest.render({}), encoding="utf-8")
    before = snapshot(out)
    # A last cell that says it is running (and in which kernel), then takes its time: the signal comes
    # while cells run.
    markers = tmp_path / "running"
    markers.mkdir()
    notebook = fixture_project / "notebooks" / "squares.ipynb"
    slowed = nbformat.read(notebook, as_version=4)
    marker = f"pathlib.Path({str(markers)!r}, lang).write_text(str(os.getpid()))"
    says = f"import os, pathlib, time\n{marker}\ntime.sleep(120)"
    slowed.cells.append(nbformat.v4.new_code_cell(says))
    nbformat.write(slowed, notebook)
    # The kernels' sockets and connection files, this build's alone: a short path, as a socket's must be.
    runtime = Path(tempfile.mkdtemp(prefix="sai-"))
    request.addfinalizer(lambda: shutil.rmtree(runtime, ignore_errors=True))
    environment = {"JUPYTER_RUNTIME_DIR": str(runtime)}
    process = run_build("build", *SMALL, "-j", jobs, "--output-dir", str(out), env=environment, popen=True)
    _wait_for(process, "Running 2 of 2 runs")
    deadline = time.monotonic() + 120
    while len([m for m in markers.iterdir() if m.read_text()]) < int(jobs) and time.monotonic() < deadline:
        time.sleep(0.05)  # every worker has started its kernel and is running cells
    assert len(list(markers.iterdir())) == int(jobs), "the runs did not reach their last cell in 120 s"
    if stop == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)
    else:
        os.kill(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == exit_code
    assert stderr.splitlines() == [f"Interrupted: {out}/ is unchanged (no file in it was replaced)."]
    assert snapshot(out) == before
    kernels = [int(m.read_text()) for m in markers.iterdir()]
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in kernels) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in kernels), "the kernels stop with the build"
    assert sorted(p.name for p in runtime.iterdir()) == [], "the kernels' sockets and connection files go too"


def test_the_kernel_files_of_a_command_killed_outright_are_removed_by_the_next(tmp_path, monkeypatch):
    import subprocess
    import sys

    from sovereign_ai.engine import kernels

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(gone.stdout), os.getpid()
    names = [
        f"sovereign-ai-{dead}-0123456789ab-1",  # a socket of a kernel of a command killed outright
        f"sovereign-ai-{dead}-0123456789ab.json",  # and its connection file
        f"sovereign-ai-{alive}-0123456789ab-1",  # a running command's
        "sovereign-ai-0123456789ab-1",  # named as before commands named them: whose is unknown
        "jpserver-1.json",  # JupyterLab's
    ]
    for name in names:
        (tmp_path / name).touch()
    kernels.remove_kernel_files()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])
    kernels.remove_kernel_files(alive)  # a command removing its own, at its end
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[3:])


@pytest.mark.notebooks
def test_a_sweep_interrupted_once_its_files_are_published_still_writes_its_index(fixture_project):
    sweep_file = fixture_project / "one.yaml"
    sweep_file.write_text(
        "notebook: notebooks/squares.ipynb\noutput_dir: sweeps/one\n"
        "fixed: {formats: [png], dpi: 150}\ngrid:\n  lang: [en]\n",
        encoding="utf-8",
    )
    process = run_build("sweep", str(sweep_file), env={publish.FAULT_VARIABLE: "interrupt-at:published"}, popen=True)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    folder = fixture_project / "sweeps" / "one"
    said = f"Interrupted: the 1 run that finished is in {paths.relative(folder)}/, complete"
    assert stderr.splitlines() == [f"{said}; running it again runs only the rest."]
    with open(folder / "index.csv", encoding="utf-8") as f:
        index = list(csv.DictReader(f))
    assert [(row["run"], json.loads(row["parameters"])["lang"]) for row in index] == [("run_001", "en")]
    assert sorted(index[0]["files"].split()) == ["run_001/squares.en.caption.txt", "run_001/squares.en.png"]


@pytest.mark.notebooks
def test_ctrl_c_while_notebooks_are_refreshed_leaves_them_unchanged(tmp_path, fixture_project):
    """refresh-notebooks writes tracked notebooks: a Ctrl-C mid-run says so in one line (exit 130),
    writes nothing and stops the kernel. It used to end with exit 1 and a 50-line traceback."""
    markers = tmp_path / "running"
    markers.mkdir()
    notebook = fixture_project / "notebooks" / "squares.ipynb"
    slowed = nbformat.read(notebook, as_version=4)
    pid = markers / "pid"
    says = f"import os, pathlib, time\npathlib.Path({str(pid)!r} + '.new').write_text(str(os.getpid()))\n"
    says += f"os.replace({str(pid)!r} + '.new', {str(pid)!r})\ntime.sleep(120)"  # complete once it exists
    slowed.cells.append(nbformat.v4.new_code_cell(says))
    nbformat.write(slowed, notebook)
    before = snapshot(fixture_project / "notebooks")
    process = run_build("refresh-notebooks", "squares", popen=True)
    deadline = time.monotonic() + 120
    while not pid.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pid.exists(), "the notebook did not reach its last cell in 120 s"
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr.splitlines()) == (
        130,
        ["Interrupted: notebooks/squares.ipynb unchanged (never half-written)."],
    )
    assert snapshot(fixture_project / "notebooks") == before
    kernel = int(pid.read_text())
    deadline = time.monotonic() + 30
    while _running(kernel) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(kernel), "the kernel stops with the command"


@pytest.mark.notebooks
def test_a_ctrl_c_that_reaches_a_worker_while_it_starts_is_ignored_like_a_later_one(tmp_path, fixture_project):
    """A terminal's Ctrl-C reaches the workers too; the build itself stops them. One arriving before a
    worker had set itself to ignore Ctrl-C broke the pool: a worker's traceback, then the build's."""
    out = tmp_path / "out"
    fault = {publish.FAULT_VARIABLE: "interrupt-at:worker-starting"}  # the worker's own SIGINT, as it starts
    process = run_build("build", *SMALL, *ONE_RUN, "--output-dir", str(out), env=fault, popen=True)
    _, stderr = process.communicate(timeout=300)
    assert (process.returncode, stderr) == (0, "")
    assert sorted(snapshot(out)) == ["MANIFEST.json", "squares.en.caption.txt", "squares.en.png"]


def test_a_worker_killed_from_outside_fails_the_build_with_one_message_and_changes_nothing(tmp_path, small_project):
    (small_project / "figures").mkdir()  # for check: a figures/ to compare with (the runs never start)
    (small_project / "figures" / "MANIFEST.json").write_text(manifest.render({}), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "MANIFEST.json").write_text(manifest.render({}), encoding="utf-8")
    before = snapshot(out)
    fault = {publish.FAULT_VARIABLE: "kill-at:worker-starting"}  # as the out-of-memory killer would
    process = run_build("build", *SMALL, "-j", "2", "--output-dir", str(out), env=fault, popen=True)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1
    assert stderr.splitlines() == [
        "error: The build stopped: a worker process ended abruptly (killed from outside, or out of memory).",
        f"{out}/ is unchanged; run the build again.",
    ]
    assert snapshot(out) == before

    # The same in check's rebuild speaks of figures/, not of its temporary folder, and leaves no area.
    process = run_build("check", "--only", "squares", env=fault, popen=True)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 1
    assert stderr.splitlines() == [
        "error: The build stopped: a worker process ended abruptly (killed from outside, or out of memory).",
        "Nothing was compared; figures/ is unchanged; run the check again.",
    ]
    assert not [p for p in (small_project / "build" / "outputs").iterdir() if p.name.startswith("build_check")]
    assert not (small_project / "build" / "check-failed").exists(), "no run failed: nothing to keep"


def _descendants(pid: int) -> set[int]:
    """The processes below pid that are alive (Linux: /proc)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = status.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, IndexError, ValueError):
            continue
        if state != "Z":
            children.setdefault(int(parent), []).append(int(status.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.notebooks
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_build_killed_outright_leaves_no_worker_or_kernel_running(tmp_path, fixture_project):
    notebook = fixture_project / "notebooks" / "squares.ipynb"  # its run lasts until the build is killed
    slowed = nbformat.read(notebook, as_version=4)
    slowed.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(120)"))
    nbformat.write(slowed, notebook)
    process = run_build("build", *SMALL, *ONE_RUN, "--output-dir", str(tmp_path / "out"), popen=True)
    below: set[int] = set()
    deadline = time.monotonic() + 120  # a margin for a busy machine: a kernel starts in seconds
    while time.monotonic() < deadline:  # until its worker has started a kernel
        below |= _descendants(process.pid)
        if any(b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes() for pid in below if _alive(pid)):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("no kernel started in 120 s")
    process.kill()  # SIGKILL: the command cannot stop its workers itself
    process.wait(timeout=60)
    deadline = time.monotonic() + 60  # the worker notices within a second, its kernel soon after
    while time.monotonic() < deadline:
        left = [pid for pid in below if _alive(pid)]
        if not left:
            break
        time.sleep(0.1)
    for pid in left:  # not to leave them running if the test fails
        os.kill(pid, signal.SIGKILL)
    process.stdout.close()
    process.stderr.close()
    assert not left, "a worker or kernel outlived the command"


# ---- One build per output folder --------------------------------------------------------------


@pytest.mark.notebooks
def test_two_builds_into_one_folder_take_turns_and_the_manifest_records_both(tmp_path, fixture_project):
    out, go = tmp_path / "out", tmp_path / "go"
    # The first build's runs end once the second build is waiting for the folder (the test says so by
    # creating `go`): the small project's runs are quicker than a second command's start.
    notebook = fixture_project / "notebooks" / "squares.ipynb"
    waits = nbformat.read(notebook, as_version=4)
    wait = f"import pathlib, time\nfor _ in range(2400):\n    if pathlib.Path({str(go)!r}).exists():\n        break\n"
    waits.cells.append(nbformat.v4.new_code_cell(wait + "    time.sleep(0.05)"))
    nbformat.write(waits, notebook)
    first = run_build("build", *SMALL, "--output-dir", str(out), popen=True)
    _wait_for(first, "Running 2 of 2 runs")  # the first holds the folder's lock
    second = run_build(
        "build",
        "--only",
        "counts",
        *ONE_RUN,
        "-p",
        "formats",
        "png",
        "--output-dir",
        str(out),
        popen=True,
    )
    said = _wait_for(second, "Another build is writing into")
    go.touch()
    second_out, second_err = second.communicate(timeout=300)
    second_out = said + second_out
    first_out, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 0, second_err
    assert second_out.count("Another build is writing into") == 1, second_out
    assert "waiting for it to finish" not in first_out
    files = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))["files"]
    assert sorted(files) == sorted(
        [f"counts.en.{kind}" for kind in ("png", "caption.txt")]
        + ["counts_total.csv"]
        + [f"squares.{lang}.{kind}" for lang in ("en", "ja") for kind in ("png", "caption.txt")]
    )
    assert set(snapshot(out)) == set(files) | {"MANIFEST.json"}


def test_a_sweep_waiting_for_another_sweeps_folder_is_refused_once_it_is_that_ones(small_project):
    """Two sweep files into one folder at once: both were checked before either wrote its index,
    and the second replaced the first's results. A sweep holds the folder's sweep lock from
    reading index.csv to writing it; here the test holds it, as a first sweep would, and writes
    that sweep's index before letting go."""
    folder = small_project / "variants" / "shared"
    (small_project / "b.yaml").write_text(
        "notebook: notebooks/squares.ipynb\noutput_dir: variants/shared\ngrid: {lang: [en]}\n", encoding="utf-8"
    )
    area = publish.area(publish.work_folder(io.StringIO()), folder)
    with publish.locked(area, "variants/shared/", io.StringIO(), publish.SWEEP_LOCK_NAME):
        second = run_build("sweep", str(small_project / "b.yaml"), popen=True)
        _wait_for(second, "Another sweep is writing into variants/shared/; waiting for it to finish")
        folder.mkdir(parents=True)
        (folder / "index.csv").write_text("run,sweep,notebook,parameters,files\nrun_001,a.yaml,,{},\n")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 2, (out, err)
    assert "b.yaml: the folder variants/shared/ holds the results of a.yaml (its index.csv)" in err
    assert sorted(p.name for p in folder.iterdir()) == ["index.csv"], "no kernel ran, nothing was written"


def test_a_build_empties_the_areas_of_output_folders_that_are_gone(tmp_path, repo_copy):
    """An output folder's area in build/outputs/ keeps its executed notebooks (megabytes): once the
    folder is deleted, the next build empties the area, but leaves one a build holds, and keeps
    the lock and journal (a build may wait on the lock; the journal's folder may be unmounted)."""
    work = repo_copy / "build"
    areas = {}
    for name in ("kept", "gone", "busy"):
        (tmp_path / name).mkdir()
        areas[name] = publish.area(work, tmp_path / name)
        (areas[name] / "executed").mkdir()
        (areas[name] / "executed" / "four_reasons.en.ipynb").write_text("{}", encoding="utf-8")
        (areas[name] / "staging-x1").mkdir()  # as a killed build leaves it
    shutil.rmtree(tmp_path / "gone")
    shutil.rmtree(tmp_path / "busy")
    (areas["gone"] / publish.JOURNAL_NAME).write_text("{}", encoding="utf-8")
    older = work / "outputs" / "older-0123456789ab"  # an area that does not say its folder
    (older / "executed").mkdir(parents=True)
    unsure = work / "outputs" / "unsure-0123456789ab"  # one whose folder cannot be looked at
    (unsure / "executed").mkdir(parents=True)
    (unsure / publish.TARGET_NAME).write_text("/" + "x" * 5000, encoding="utf-8")  # name too long

    with open(areas["busy"] / publish.LOCK_NAME, "a+b") as held:
        assert publish._lock(held, wait=False)
        result = run_build("build")  # figures/ is current: no kernel
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in areas["gone"].iterdir()) == sorted(
        [publish.JOURNAL_NAME, publish.LOCK_NAME, publish.TARGET_NAME]
    )
    assert sorted(p.name for p in areas["kept"].iterdir()) == sorted(["executed", "staging-x1", publish.TARGET_NAME])
    assert (areas["busy"] / "executed" / "four_reasons.en.ipynb").exists(), "a build holds it"
    assert (older / "executed").exists() and (unsure / "executed").exists()


def test_a_check_removes_what_a_killed_check_left(tmp_path):
    """A check killed outright (kill -9) cannot remove its temporary folder and area; the next check
    removes those a day old that no build holds, and leaves a running check's and check-failed/."""
    from sovereign_ai.engine.build import CHECK_FAILED, _remove_killed_checks

    work = tmp_path / "build"
    folders = {}
    for name in ("check-killed", "check-running", "check-held"):
        folders[name] = work / name
        folders[name].mkdir(parents=True)
        (publish.area(work, folders[name]) / "executed").mkdir()
    (work / CHECK_FAILED).mkdir()
    a_day_ago = time.time() - 25 * 3600
    for name in ("check-killed", "check-held", CHECK_FAILED):
        os.utime(work / name, (a_day_ago, a_day_ago))
    with open(publish.area(work, folders["check-held"]) / publish.LOCK_NAME, "a+b") as held:
        assert publish._lock(held, wait=False)
        _remove_killed_checks(work)
    assert sorted(p.name for p in work.iterdir()) == [CHECK_FAILED, "check-held", "check-running", "outputs"]
    areas = sorted(p.name.rsplit("-", 1)[0] for p in (work / "outputs").iterdir())  # <slug>-<hash>
    assert len(areas) == 2 and areas[0].endswith("check_held") and areas[1].endswith("check_running")


def test_the_lock_is_exclusive_per_folder(tmp_path):
    import subprocess
    import sys

    area = tmp_path / "area"
    area.mkdir()
    holder = (
        "import sys, time; from pathlib import Path; from sovereign_ai.engine import publish\n"
        "with publish.locked(Path(sys.argv[1]), 'out/'):\n    print('held', flush=True); time.sleep(30)"
    )
    process = subprocess.Popen([sys.executable, "-c", holder, str(area)], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        with open(area / publish.LOCK_NAME, "a+b") as f:
            assert publish._lock(f, wait=False) is False
    finally:
        process.kill()
        process.wait()
    with open(area / publish.LOCK_NAME, "a+b") as f:
        assert publish._lock(f, wait=False) is True, "released when its holder dies"


@pytest.mark.notebooks
def test_ctrl_c_once_the_files_are_published_never_undoes_the_build(tmp_path, fixture_project):
    """A Ctrl-C after the last rename: before the build's last line it gets one line and 130, after it
    (the interpreter shutting down) it changes nothing: exit 0. Never a traceback, a silent end by
    SIGINT or a wrong message, and the folder holds the new files, as its manifest says."""
    variant = (*SMALL, *ONE_RUN, "-p", "width_mm", "120", "--output-dir")
    out, late = tmp_path / "out", tmp_path / "late"

    process = run_build("build", *variant, str(out), env={publish.FAULT_VARIABLE: "interrupt-at:published"}, popen=True)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert "2 files written to" in stdout
    assert stderr.splitlines() == [
        f"Interrupted while publishing: it was finished first, so {out}/ holds this build's files, complete."
    ]
    files = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))["files"]
    assert {n: manifest.sha256_file(out / n) for n in files} == {n: e["sha256"] for n, e in files.items()}
    assert set(snapshot(out)) == set(files) | {"MANIFEST.json"}

    process = run_build("build", *variant, str(late), env={publish.FAULT_VARIABLE: "interrupt-at:exit"}, popen=True)
    stdout, stderr = process.communicate(timeout=300)
    assert (process.returncode, stderr) == (0, ""), "the build's result stands"
    assert "2 files written to" in stdout
    assert snapshot(late) == snapshot(out)
