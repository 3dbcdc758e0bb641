"""Worker processes for the commands that run kernels (the build, refresh-notebooks).

A terminal's Ctrl-C goes to every process of the foreground group: the command, its workers
and their kernels. The workers ignore it, so the terminal shows no worker tracebacks, nor the
errors of cells whose kernel the Ctrl-C ended; the command stops them itself (their kernels
exit with them: ipykernel watches its parent) and says what happened in one line.
"""

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from sovereign_ai.engine import kernels, publish


class WorkerLost(RuntimeError):
    """A worker process ended abruptly: killed from outside, or out of memory."""


def run_each(function: Callable, items: list, workers: int) -> Iterator:
    """function(item) for every item, in `workers` processes, yielded as each finishes.

    The processes are spawned, so no state is shared, and each pays its imports once. When the
    caller stops (Ctrl-C, SIGTERM, an error), the processes still running are terminated."""
    os.environ[kernels.COMMAND_VARIABLE] = str(os.getpid())  # the workers' kernels name their files after it
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_ignore_interrupts)
    futures = []
    try:
        with _signals_wait():  # submitting starts the workers
            futures = [pool.submit(function, item) for item in items]
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:
                raise WorkerLost("a worker process ended abruptly (killed from outside, or out of memory)") from None
            yield result
    except BaseException:  # GeneratorExit included: the caller stopped early
        # The processes are ended without cancelling the futures first: the pool's own thread then
        # marks each waiting one as failed, which a cancelled one refuses with a traceback of its own
        # (InvalidStateError: CANCELLED) printed after the command's last line.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        # Kernels remove their sockets and connection files when shut down, not when stopped with
        # their worker (Ctrl-C, an error): this command's are removed now, a killed command's next time.
        kernels.remove_kernel_files(os.getpid())
        kernels.remove_kernel_files()


# Ctrl-C and SIGTERM arriving while the workers start wait until they have: one half-way through
# starting a worker left a broken pool (a traceback and exit 1 instead of 130) and a traceback
# from the worker. The workers inherit the blocked signals and unblock them once they ignore
# Ctrl-C, which drops a Ctrl-C that reached them in the meantime. (POSIX; Windows has no masks.)
_WAITING_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_MASKS = hasattr(signal, "pthread_sigmask")


@contextlib.contextmanager
def _signals_wait():
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _WAITING_SIGNALS) if _MASKS else None
    try:
        yield
    finally:
        if _MASKS:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a waiting signal is handled now


def _ignore_interrupts() -> None:
    publish.fault("worker-starting")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _MASKS:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _WAITING_SIGNALS)
    threading.Thread(target=_end_with_parent, args=(os.getppid(),), daemon=True).start()


def _end_with_parent(parent: int) -> None:
    """A worker whose command was killed outright (SIGKILL, which nothing can catch) ends too,
    and its kernel with it, rather than running on with nobody to report to."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
