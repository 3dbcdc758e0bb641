"""How the project starts Jupyter kernels (for the build and for refreshing notebooks)."""

KERNEL_NAME = "python3"  # the kernel of the environment running the build (.venv)


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

    return IPCKernelManager
