"""Re-execute the source notebooks in place, so the outputs stored with them
(shown where they are hosted, and compared by nbval) are those of a default run.

The notebooks run side by side in worker processes (sovereign_ai.engine.workers), as the build's
runs do, and each is written whole as soon as it has run: a Ctrl-C, or a notebook that
fails, leaves the others refreshed or unchanged, never half-written.
"""

import atexit
import os
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sovereign_ai import lighter_imports, paths, safe_io
from sovereign_ai.engine import kernels, publish, workers
from sovereign_ai.engine.build import BuildError, BuildFailed, Interrupted
from sovereign_ai.engine.kernels import KERNEL_NAME, ipc_kernel_manager_class, messages_into


def executed_notebook(notebook: Path, kernel_log: str | None = None) -> bytes:
    """The notebook executed with its default parameters, as it is stored (no timings, the
    project's kernel, its messages into kernel_log). nbclient's CellExecutionError when a cell fails."""
    lighter_imports.skip_iri_grammar()
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    if kernel_log:
        open(kernel_log, "wb").close()  # this refresh's messages only
    with messages_into(kernel_log, "sovereign_ai.engine.refresh") as logger:
        client = NotebookClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=600,
            record_timing=False,
            kernel_manager_class=ipc_kernel_manager_class(kernel_log),
            resources={"metadata": {"path": str(notebook.parent)}},
            log=logger,
        )
        try:
            client.execute()
        finally:
            # nbclient leaves its exit hook registered when the kernel dies as it starts, and the
            # hook then fails with a traceback as the worker exits; the kernel is gone by now.
            atexit.unregister(client._cleanup_kernel)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    nb.metadata.pop("widgets", None)
    text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


_COLOURS = re.compile(r"\x1b\[[0-9;]*m")  # the kernel's coloured traceback, plain for logs and files


def _refresh(job: dict) -> dict:
    """In a worker: the executed notebook's bytes, or the error that stopped it; never raises.

    nbclient runs in a thread of its own: in the main thread it would install handlers for Ctrl-C
    and SIGTERM that shut the kernel down and print tracebacks, where the worker should ignore
    Ctrl-C and end at once on SIGTERM (the command stops it; the kernel exits with it)."""
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    started = time.perf_counter()
    content, error, what = None, None, "a cell failed"
    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            content = thread.submit(executed_notebook, Path(job["notebook"]), job["kernel_log"]).result()
    except CellExecutionError as exc:  # its message holds the cell's source and traceback
        error = _COLOURS.sub("", str(exc)).strip()
    except DeadKernelError:  # nbclient says only "Kernel died"; the kernel log says why
        error, what = "", "its kernel died while running it"
    except Exception as exc:
        if isinstance(exc, RuntimeError) and "Kernel died before replying" in str(exc):
            error, what = "", "its kernel died as it started"
        else:  # a timeout, an unreadable notebook
            error, what = _COLOURS.sub("", str(exc)).strip() or type(exc).__name__, "it could not be run"
    seconds = time.perf_counter() - started
    return {"notebook": job["notebook"], "content": content, "error": error, "what": what, "seconds": seconds}


def refresh_all(names: list[str] | None = None, *, jobs: int | None = None, out=None) -> list[Path]:
    """Refresh the notebooks (all, or those named), printing one line as each is written; the ones
    written. BuildError for an unknown name, BuildFailed when a notebook failed (after the others
    are written), Interrupted on Ctrl-C or SIGTERM, naming what was written."""
    everything = sorted(paths.notebooks_dir().glob("*.ipynb"))
    unknown = sorted({n for n in names or [] if not any(n in (nb.stem, nb.name) for nb in everything)})
    if unknown:
        raise BuildError(
            f"no notebook named {', '.join(unknown)}; notebooks: {', '.join(nb.stem for nb in everything)}.\n"
            "Nothing was run."
        )
    notebooks = [nb for nb in everything if not names or nb.stem in names or nb.name in names]
    problem = publish.refuse_folder(paths.notebooks_dir()) or kernels.environment_problem()  # said now
    if problem:
        raise BuildError(f"{problem}\nNothing was run.")
    # temporary files a refresh killed outright (kill -9) left beside the notebooks
    safe_io.remove_left_behind(paths.notebooks_dir(), f".*{safe_io.PARTIAL_SUFFIX}", KILLED_WRITE_SECONDS)
    as_read = {nb: nb.read_bytes() for nb in notebooks}  # to tell an edit saved while the notebook runs
    count = max(1, min(jobs or os.cpu_count() or 1, len(notebooks)))
    plural = "s" if len(notebooks) > 1 else ""
    print(
        f"Refreshing {len(notebooks)} notebook{plural} on {count} worker{'s' if count > 1 else ''}:",
        file=out,
        flush=True,
    )
    written: list[Path] = []
    failed = []
    try:
        logs = publish.work_folder(out) / publish.REFRESH
        logs.mkdir(exist_ok=True)
        work = [{"notebook": str(nb), "kernel_log": str(logs / f"{nb.stem}.kernel.log")} for nb in notebooks]
        for i, result in enumerate(workers.run_each(_refresh, work, count), start=1):
            notebook = Path(result["notebook"])
            if result["error"] is not None:
                log = paths.relative(logs / f"{notebook.stem}.kernel.log")
                said = f"{paths.relative(notebook)} is unchanged: {result['what']} (kernel log: {log})."
                failed.append(f"{said}\n{result['error']}" if result["error"] else said)
                status = "FAILED"
            elif notebook.read_bytes() != as_read[notebook]:  # saved meanwhile (JupyterLab): theirs stays
                failed.append(
                    f"{paths.relative(notebook)} was saved while it was refreshed: that version is kept, "
                    "not replaced by the run of the earlier one; refresh it again."
                )
                status = "CHANGED meanwhile, kept"
            elif result["content"] == as_read[notebook]:  # not rewritten: its date stays, so no build sees a change
                status = f"unchanged in {result['seconds']:.1f} s (its outputs were current)"
            else:
                safe_io.write_bytes(notebook, result["content"])  # never half-written
                written.append(notebook)
                status = f"written in {result['seconds']:.1f} s"
            print(f"  [{i}/{len(notebooks)}] {paths.relative(notebook):<36} {status}", file=out, flush=True)
    except KeyboardInterrupt as interrupt:
        raise Interrupted(
            f"Interrupted: {_said(written, notebooks)}", getattr(interrupt, "signum", signal.SIGINT)
        ) from None
    except workers.WorkerLost as lost:
        raise BuildFailed(f"Stopped: {lost}.\n{_said(written, notebooks)}") from None
    if failed:
        raise BuildFailed("\n".join(sorted(failed)))  # in the notebooks' order, whichever failed first
    return written


KILLED_WRITE_SECONDS = 60  # a notebook's temporary file lives under a second; older, its writer was killed


def _said(written: list[Path], notebooks: list[Path]) -> str:
    left = [paths.relative(nb) for nb in notebooks if nb not in written]
    done = f"{len(written)} refreshed ({', '.join(paths.relative(nb) for nb in written)}); " if written else ""
    return f"{done}{', '.join(left)} unchanged (never half-written)."
