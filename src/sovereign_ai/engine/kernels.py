"""How the project starts Jupyter kernels (for the build and for refreshing notebooks)."""

import contextlib
import logging
import os
import re
from pathlib import Path

KERNEL_NAME = "python3"  # the kernel of the environment running the build (.venv)

# The command (its process id) whose kernels these are: their sockets and connection files are
# named after it, so that when a command is interrupted or killed, before its kernels could remove
# them, the command itself or the next one can.
COMMAND_VARIABLE = "SOVEREIGN_AI_COMMAND_PID"
FILE_PREFIX = "sovereign-ai-"


def _owner() -> str:
    return os.environ.get(COMMAND_VARIABLE) or str(os.getpid())


def ipc_kernel_manager_class(log: str | None = None):
    """A kernel manager that talks to its kernel over local sockets (IPC) instead of TCP ports:
    no port races between kernels started side by side, and no unencrypted-TCP warning. With a
    log, the kernels it starts write their own messages there."""
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            # An absolute socket path: the kernel may run in another folder than its client.
            runtime = jupyter_runtime_dir()
            os.makedirs(runtime, exist_ok=True)
            ip = os.path.join(runtime, f"{FILE_PREFIX}{_owner()}-{uuid.uuid4().hex[:12]}")
            kwargs.setdefault("ip", ip)
            kwargs.setdefault("connection_file", ip + ".json")  # not a stray /tmp/tmp*.json
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own messages (start-up, shutdown) go to a log beside the executed
            # notebook rather than interleaving with the command's progress lines.
            if not log:
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            with open(log, "ab") as stderr:  # the kernel process keeps its own copy
                return await super()._async_launch_kernel(kernel_cmd, **kw, stderr=stderr)

    return IPCKernelManager


_SOCKET_PATH_MAX = 107  # a Unix socket's path, in bytes (sockaddr_un's sun_path, less its final NUL)


def environment_problem() -> str | None:
    """Why kernels cannot start or draw in this environment, said before any kernel starts."""
    return _backend_problem() or runtime_folder_problem()


def _backend_problem() -> str | None:
    """MPLBACKEND set to a backend matplotlib does not know: every kernel would stop importing it."""
    backend = os.environ.get("MPLBACKEND")
    if not backend:
        return None
    try:
        from matplotlib import rcsetup  # matplotlib's import reads MPLBACKEND too, and refuses it the same way

        rcsetup.validate_backend(backend)
    except ValueError:
        return (
            f"the environment variable MPLBACKEND is {backend!r}, which matplotlib does not know; "
            "unset it (the notebooks need no backend of their own) or set it to one such as 'agg'"
        )
    return None


def runtime_folder_problem() -> str | None:
    """Why kernels cannot start here, said before any is: Jupyter's runtime folder, where each
    kernel's connection file and sockets go, cannot be made or written (a read-only or odd HOME)."""
    from jupyter_core.paths import jupyter_runtime_dir

    folder = jupyter_runtime_dir()
    # a kernel's socket path: the folder, this project's prefix, a command's pid, 12 hex digits, a port
    socket = os.path.join(folder, f"{FILE_PREFIX}{'9' * 7}-{'0' * 12}-65535")
    if not os.path.isabs(folder):
        why = "not an absolute path: a kernel started in another folder would not find it"
    elif os.name != "nt" and len(os.fsencode(socket)) > _SOCKET_PATH_MAX:
        why = f"too long: a kernel's socket path in it would pass the system's {_SOCKET_PATH_MAX} bytes"
    else:
        try:
            os.makedirs(folder, exist_ok=True)
            writable = os.access(folder, os.W_OK)
        except OSError as error:
            why = error.strerror or str(error)
        else:
            if writable:
                return None
            why = "not writable"
    return (
        f"Jupyter's runtime folder {folder} cannot be used ({why}): kernels keep their connection files "
        "there. Set JUPYTER_RUNTIME_DIR to a writable folder with a short absolute path (HOME is "
        f"{os.environ.get('HOME', 'not set')})"
    )


# A file of a command's kernel: sovereign-ai-<command's process id>-<kernel>-<channel> or .json
_KERNEL_FILE = re.compile(re.escape(FILE_PREFIX) + r"(\d{1,9})-[0-9a-f]{12}(-\d+|\.json)")


def remove_kernel_files(command: int | None = None) -> None:
    """Remove the sockets and connection files a command's kernels left (they remove their own
    when shut down cleanly): those of `command`, or of every command no longer running.
    Housekeeping: it never fails the command."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir

        for path in Path(jupyter_runtime_dir()).glob(f"{FILE_PREFIX}*"):
            named = _KERNEL_FILE.fullmatch(path.name)
            owner = int(named[1]) if named else None
            if owner is None or (command is not None and owner != command):
                continue
            if command is None and _running(owner):
                continue
            path.unlink(missing_ok=True)
    except (OSError, ValueError, OverflowError):
        pass


def _running(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would end the process there: assume it runs
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's: it runs
        return True
    return True


# Run once in a new warm kernel: the imports every notebook pays for, then a snapshot of the
# state a fresh kernel has after them, which every run starts from.
_WARM_UP = """
import sys as _sys, types as _types, warnings as _warnings
import matplotlib as _matplotlib
import matplotlib.backends.backend_agg, matplotlib.backends.backend_pdf, matplotlib.backends.backend_svg
import matplotlib_fontja, numpy, pandas, IPython.display
_state = _types.ModuleType("_sovereign_ai_warm")
_state.rc = dict(_matplotlib.rcParams)
_state.filters = list(_warnings.filters)
_state.environ = dict(__import__("os").environ)
_state.path = list(_sys.path)
_sys.modules["_sovereign_ai_warm"] = _state
"""

# Run before each notebook: an empty namespace and execution count 1, matplotlib's settings,
# warnings filters, module search path and environment as after the warm-up, and the package imported afresh, so
# that the modules a run loads are the ones it records, and no state of an earlier run is left.
_RESET = """
import os as _os, sys as _sys, warnings as _warnings
import matplotlib as _matplotlib
_state = _sys.modules["_sovereign_ai_warm"]
_matplotlib.pyplot.close("all") if "matplotlib.pyplot" in _sys.modules else None
dict.update(_matplotlib.rcParams, _state.rc)
_warnings.filters[:] = _state.filters
_sys.path[:] = _state.path
_os.environ.clear()
_os.environ.update(_state.environ)
_os.environ.update({environment!r})
_os.chdir({cwd!r})
for _name in [n for n in _sys.modules if n == "sovereign_ai" or n.startswith("sovereign_ai.")]:
    del _sys.modules[_name]
get_ipython().reset(new_session=True)  # last: it also clears the names above
"""


class WarmKernel:
    """One kernel that runs notebooks one after another, paying its start and its imports once.

    Before each run the kernel is put back in the state a fresh kernel would be in (see
    _RESET); `make check`'s byte-for-byte comparison and the determinism tests hold the
    build to that. A run that fails should discard its kernel (close) rather than reuse it.

    One client, connected once, serves the set-up and every run: papermill is handed it
    through the kernel manager, as connecting a client costs 0.2 s of waiting each time.
    """

    def __init__(self, cwd: str, log: str | None = None):
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self.log = log
        self.km = ipc_kernel_manager_class(log)(kernel_name=KERNEL_NAME)
        run_sync(self.km.start_kernel)(cwd=cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=60)
        self._close_channels = self.kc.stop_channels

        # For papermill (nbclient): the same client, already connected and ready, kept open after its run.
        async def ready(timeout=None):
            return None

        self.kc.start_channels = lambda *args, **kwargs: None
        self.kc.stop_channels = lambda: None
        self.kc.wait_for_ready = ready
        self.km.client = lambda **kwargs: self.kc
        try:
            self._execute(_WARM_UP)
        except BaseException:
            self.close()
            raise

    def _execute(self, code: str) -> None:
        """Run code silently in the kernel; RuntimeError if it fails."""
        reply = self._run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False, timeout=60)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not be prepared: {reply['content'].get('evalue')}")

    def prepare(self, cwd: str, environment: dict) -> None:
        """Make the kernel as a fresh one would be, in folder cwd, with these environment variables set."""
        self._execute(_RESET.format(cwd=cwd, environment=environment))

    def close(self) -> None:
        """Shut the kernel down (it is not reused after a failed run)."""
        try:
            self._close_channels()
            self._run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # a kernel that is already gone needs no shutting down
            pass


@contextlib.contextmanager
def messages_into(log: str | None, logger_name: str = "papermill"):
    """A logger's warnings and errors (papermill's and nbclient's: "Kernel died while waiting for
    execute reply.") appended to the kernel's log, which a failed run's message names, rather than
    printed beside the command's own lines; the logger. Without a log they go where logging sends them.
    Appended, as the kernel writes to the same file: written from its start, they would overwrite it."""
    logger = logging.getLogger(logger_name)  # nbclient logs through papermill's logger in papermill runs
    if not log:
        yield logger
        return
    handler, propagated = _OnALineOfItsOwn(log, mode="a", encoding="utf-8"), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagated
        handler.close()


class _OnALineOfItsOwn(logging.FileHandler):
    """Appends each message on a line of its own, even after a kernel's last words that did not end one."""

    def emit(self, record):
        try:
            with open(self.baseFilename, "rb") as log:
                ends_open = log.seek(0, 2) > 0 and log.seek(-1, 2) >= 0 and log.read(1) != b"\n"
        except OSError:
            ends_open = False
        if ends_open and self.stream is not None:
            self.stream.write("\n")
        super().emit(record)


class WarmRunner:
    """papermill runs on one warm kernel: started on first use (its stderr into `log`), reset before
    each run, shut down and replaced after a run that fails. The build keeps one per worker, the
    tests one per test process.

    `log` stays the log of the last kernel started, so after a failure it still names the log of
    the kernel that failed.
    """

    def __init__(self):
        self.kernel: WarmKernel | None = None
        self.log: str | None = None

    def run(
        self, notebook, executed, parameters: dict, *, cwd: str, environment=None, log=None, label="", timeout=None
    ):
        """Execute notebook into executed with these parameters, in folder cwd, with these environment
        variables set; papermill's exception when a cell fails."""
        from sovereign_ai import lighter_imports

        lighter_imports.skip_iri_grammar()
        import papermill  # a quarter of a second, even so: only in processes that run notebooks

        try:
            if self.kernel is None:
                if log:
                    open(log, "wb").close()  # this kernel's messages only
                self.log = log
                self.kernel = WarmKernel(cwd=cwd, log=log)
            if self.log and label:
                with open(self.log, "a", encoding="utf-8") as f:
                    f.write(f"--- {label} ---\n")
            self.kernel.prepare(cwd=cwd, environment=environment or {})
            with messages_into(self.log):
                papermill.execute_notebook(
                    str(notebook),
                    str(executed),
                    parameters=parameters,
                    kernel_name=KERNEL_NAME,
                    km=self.kernel.km,
                    progress_bar=False,
                    execution_timeout=timeout,
                    # Written once at the end (or at the failing cell) rather than twice per cell: each
                    # write serialises and validates the whole notebook, a tenth of a chart run's time.
                    request_save_on_cell_execute=False,
                )
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.kernel is not None:
            self.kernel.close()
            self.kernel = None
