"""How the project starts Jupyter kernels (for the build and for refreshing notebooks)."""

KERNEL_NAME = "python3"  # the kernel of the environment running the build (.venv)
KERNEL_LOG_VARIABLE = "SOVEREIGN_AI_KERNEL_LOG"  # where a kernel's own stderr goes, when set


def ipc_kernel_manager_class():
    """A kernel manager that talks to its kernel over local sockets (IPC) instead of TCP ports:
    no port races between kernels started side by side, and no unencrypted-TCP warning."""
    import os
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            # An absolute socket path: the kernel may run in another folder than its client.
            runtime = jupyter_runtime_dir()
            os.makedirs(runtime, exist_ok=True)
            kwargs.setdefault("ip", os.path.join(runtime, f"sovereign-ai-{uuid.uuid4().hex[:12]}"))
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own messages (start-up, shutdown) go to a log beside the executed
            # notebook rather than interleaving with the build's progress lines.
            log = os.environ.get(KERNEL_LOG_VARIABLE)
            if log:
                kw.setdefault("stderr", open(log, "ab"))  # noqa: SIM115 (the kernel process owns it)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return IPCKernelManager
