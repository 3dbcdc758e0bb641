"""The benchmark's baseline: every registered run drawn from its notebook's own code,
in plain Python processes, without kernels.

Each worker imports once and runs its share of the runs with the same
parameters as the build, writing the same files: the lower bound the build is
measured against (`make bench`). It uses the same number of workers as the
build, so the comparison is fair.

    python -m sovereign_ai.engine.baseline --output-dir DIR [--jobs N]
"""

import argparse
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from sovereign_ai.engine.build import Run, default_jobs, load_registry


def draw_run(run: Run, output_dir: Path) -> None:
    """What the run's notebook draws and writes, from the notebook's code cells."""
    import contextlib
    import io

    from sovereign_ai.engine import notebook_code

    parameters = run.effective_parameters() | {"output_dir": str(output_dir)}
    with contextlib.redirect_stdout(io.StringIO()):  # the notebooks' printed tables
        notebook_code.run(run.notebook, parameters)


def _draw_share(runs: list[Run], output_dir: Path) -> int:
    from sovereign_ai.charts import style

    style.use_house_style()
    for run in runs:
        draw_run(run, output_dir)
    return len(runs)


def draw_all(output_dir: Path, jobs: int) -> None:
    """Every registered run, split over `jobs` processes (each imports once)."""
    runs = load_registry()
    shares = [runs[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
        for done in pool.map(_draw_share, shares, [output_dir] * jobs):
            assert done >= 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sovereign_ai.engine.baseline", description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: as the build)")
    args = parser.parse_args(argv)
    jobs = max(1, min(args.jobs or default_jobs(), len(load_registry())))
    print(f"baseline workers: {jobs}", flush=True)
    draw_all(args.output_dir, jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
