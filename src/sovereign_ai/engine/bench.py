"""`make bench`: how fast the build is on this machine, against a plain-Python baseline.

Times, as medians over several repetitions, each a fresh command as a user
would type it:
  (a) a full build from clean (no figures, no manifest);
  (b) a rebuild with nothing changed;
  (c) a rebuild after changing one data file (only the runs that read it execute);
  (d) a baseline: the same figure files from the notebooks' own code cells, run in
      plain Python processes (as many as the build's workers), without kernels.
With --suite it also times, in the repository itself (the tests never change tracked
files), (e) `make test` (lint, check, every test) and (f) `make test-fast`, each once,
against (a); on a machine other work keeps busy, their CPU times compare better.
Everything else happens in a temporary copy of the repository: nothing tracked is
touched. This is a benchmark, not a test: it asserts nothing about time.

    python -m sovereign_ai.engine.bench [--repeat N] [--jobs N] [--suite]
"""

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sovereign_ai import paths

COPIED = ("data", "notebooks", "figures.yaml", "constraints.txt")
_LAST_CPU = [0.0]  # CPU seconds of the last timed command and its children
EDITED_TABLE = "basic_plan_examples"
EDITS = ("Building a trustworthy AI ecosystem", "Building a trusted AI ecosystem")


def _children_cpu() -> float:
    """CPU seconds of the finished child processes so far (0 where the system does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(command: list[str], env: dict, cwd: Path | None = None) -> tuple[float, str]:
    started, cpu = time.perf_counter(), _children_cpu()
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - started
    _LAST_CPU[0] = _children_cpu() - cpu
    if result.returncode != 0:
        # pytest reports its failures on stdout: the end of both says what failed
        said = "\n".join((result.stdout.strip().splitlines() + result.stderr.strip().splitlines())[-30:])
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{said}")
    return elapsed, result.stdout


def _executed(stdout: str) -> str:
    match = re.search(r"Running (\d+) of (\d+) runs", stdout)
    return f"{match.group(1)} of {match.group(2)} runs" if match else "0 runs (no kernel)"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sovereign_ai.engine.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per case (default 3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="build workers (default: CPUs)")
    parser.add_argument("--suite", action="store_true", help="also time make test and make test-fast (minutes)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="sovereign-ai-bench-"))
    try:
        root = work / "repo"
        root.mkdir()
        for name in COPIED:
            source = paths.repo_root() / name
            (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
        env = dict(os.environ, SOVEREIGN_AI_ROOT=str(root))
        python = sys.executable
        out = root / "out"
        build = [python, "-m", "sovereign_ai", "build", "-j", str(args.jobs), "--output-dir", str(out)]
        rows = []

        full, full_cpu = [], []
        _say(f"(a) full build from clean, {args.repeat} times...")
        for _ in range(args.repeat):
            shutil.rmtree(out, ignore_errors=True)
            elapsed, stdout = _timed(build, env)
            full.append(elapsed)
            full_cpu.append(_LAST_CPU[0])
        rows.append(
            ("(a) full build from clean", full, _executed(stdout) + f", CPU {statistics.median(full_cpu):.0f} s")
        )

        noop = []
        _say(f"(b) rebuild with nothing changed, {max(5, args.repeat)} times...")
        for _ in range(max(5, args.repeat)):
            elapsed, stdout = _timed(build, env)
            noop.append(elapsed)
        rows.append(("(b) rebuild, nothing changed", noop, _executed(stdout)))

        table = root / "data" / f"{EDITED_TABLE}.csv"
        one = []
        _say(f"(c) rebuild after editing data/{EDITED_TABLE}.csv, {args.repeat} times...")
        for i in range(args.repeat):
            text = table.read_text(encoding="utf-8")
            old, new = EDITS if i % 2 == 0 else EDITS[::-1]
            table.write_text(text.replace(old, new, 1), encoding="utf-8")
            elapsed, stdout = _timed(build, env)
            one.append(elapsed)
        rows.append((f"(c) rebuild after editing data/{EDITED_TABLE}.csv", one, _executed(stdout)))
        if args.repeat % 2:  # leave the table as it was, so (d) draws the same figures as (a)
            text = table.read_text(encoding="utf-8")
            table.write_text(text.replace(EDITS[1], EDITS[0], 1), encoding="utf-8")
            _timed(build, env)

        baseline_out = root / "baseline"
        plain = []
        _say(f"(d) the notebooks' code in plain Python, {args.repeat} times...")
        for _ in range(args.repeat):
            shutil.rmtree(baseline_out, ignore_errors=True)
            elapsed, _ = _timed(
                [
                    python,
                    "-m",
                    "sovereign_ai.engine.baseline",
                    "--output-dir",
                    str(baseline_out),
                    "--jobs",
                    str(args.jobs),
                ],
                env,
            )
            plain.append(elapsed)
        rows.append((f"(d) the notebooks' code in plain Python, {args.jobs} workers", plain, "no kernels"))

        from sovereign_ai.engine.build import FOLDER_FILES

        same = sorted(p.name for p in baseline_out.iterdir()) == sorted(
            p.name
            for p in out.iterdir()
            if p.name not in FOLDER_FILES  # the folder's own, of no one run
        ) and all((baseline_out / p.name).read_bytes() == p.read_bytes() for p in baseline_out.iterdir())
        if args.suite:
            for case, command in (
                ("(e) make test: lint, check, every test", "test"),
                ("(f) make test-fast", "test-fast"),
            ):
                _say(f"{case}, once...")
                elapsed, stdout = _timed([python, "-m", "sovereign_ai", command], dict(os.environ), paths.repo_root())
                summary = stdout.strip().splitlines()[-1].strip("= ")
                rows.append((case, [elapsed], f"{summary}; CPU {_LAST_CPU[0]:.0f} s"))
        _print(rows, args, same)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _say(line: str) -> None:
    print(line, flush=True)


def _print(rows, args, same: bool) -> None:
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}\nbuild workers: {args.jobs}\nbaseline workers: {args.jobs}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"\n{'case':<{width}}  {'median s':>8}  {'min s':>6}  {'max s':>6}  runs executed")
    for name, times, note in rows:
        print(f"{name:<{width}}  {statistics.median(times):>8.2f}  {min(times):>6.2f}  {max(times):>6.2f}  {note}")
    ratio = statistics.median(rows[0][1]) / statistics.median(rows[3][1])
    print(f"\nratio (a)/(d): {ratio:.2f}   (target: at most 1.5 on 2 cores)")
    print(f"no-op rebuild (b): {statistics.median(rows[1][1]):.2f} s   (target: under 0.5 s, no kernel)")
    print(f"baseline files byte-identical to the build's: {'yes' if same else 'NO'}")
    if len(rows) > 4:
        build = statistics.median(rows[0][1])
        print(f"ratio (e)/(a): {rows[4][1][0] / build:.1f}   (target: at most 8)")
        print(f"ratio (f)/(a): {rows[5][1][0] / build:.1f}   (target: at most 1.5)")


if __name__ == "__main__":
    raise SystemExit(main())
