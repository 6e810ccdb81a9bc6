"""The rolekit Jupyter kernel: ipykernel's IPython kernel that never shows a secret.

Everything the kernel sends to the front end (stdout and stderr across message boundaries,
execute results, display data in every MIME type with its keys and metadata, error tracebacks,
history replies, comm messages, buffers) passes through :mod:`rolekit._secrets`: no run of 12
characters of a secret the kernel knows, in any of the forms it is printed in, reaches the front
end. It knows, from start and whenever they change, every key in the AWS profile files and
caches, every environment variable whose name marks a secret, every secret botocore obtains or
signs with, and every secret rolekit obtains; anything shaped like a session token or written
next to a secret's name is masked too. Nothing else changes.

On start it runs ``%load_ext rolekit`` and ``import rolekit as rk``. When no AWS credentials
resolve it starts an embedded sandbox and points this process's AWS variables at it, and says so
in one line above the first output; ``ROLEKIT_SANDBOX=0`` turns that off.

Install it with ``rolekit kernel install [--user|--sys-prefix] [--name NAME]``; run it with
``python -m rolekit.kernel -f CONNECTION_FILE`` (what the kernelspec does).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from ipykernel.ipkernel import IPythonKernel

from . import __version__, _secrets

__all__ = ["DISPLAY_NAME", "KERNEL_NAME", "RolekitKernel", "install", "uninstall"]

KERNEL_NAME = "rolekit"
DISPLAY_NAME = "Python 3 (rolekit)"


def _resolve_credentials() -> bool:
    """Whether AWS credentials resolve in this process (registering them); botocore's chain."""
    _secrets.refresh(files_every=0)
    try:
        import botocore.session
    except ImportError:
        return bool(os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"))
    try:
        creds = botocore.session.get_session().get_credentials()
    except Exception:  # a broken profile is "no credentials" here; the user's calls will say why
        return False
    if creds is None:
        return False
    frozen = creds.get_frozen_credentials()
    _secrets.register(frozen.secret_key, frozen.token, pin=True)
    return True


class RolekitKernel(IPythonKernel):
    """IPython's kernel, plus secret masking on everything sent and a ready-to-teach namespace."""

    implementation = "rolekit"
    implementation_version = __version__
    banner = f"rolekit {__version__} kernel: IPython with secrets masked; `rk` is rolekit"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The session is shared with the IOPub streams: everything sent goes through it.
        _secrets.guard_session(self.session)
        self._notice: Optional[str] = None
        self._sandbox: Any = None

    def start(self) -> None:
        super().start()
        _secrets.install_log_guard()
        _secrets.hook_botocore()
        if not _resolve_credentials() and os.environ.get("ROLEKIT_SANDBOX", "") != "0":
            try:
                from .sandbox import Sandbox

                self._sandbox = Sandbox().start().activate()
                self._notice = (
                    f"rolekit kernel: no AWS credentials, so AWS is an embedded sandbox (moto) at "
                    f"{self._sandbox.endpoint_url}; no real account is touched."
                )
            except Exception as e:  # the kernel must start even when the sandbox cannot
                self._notice = f"rolekit kernel: no AWS credentials, and the sandbox did not start: {e}"
        if self._notice:
            print(self._notice, file=sys.__stderr__, flush=True)
        import rolekit

        shell: Any = self.shell
        shell.push({"rk": rolekit})
        shell.run_line_magic("load_ext", "rolekit")

    async def do_execute(self, code: str, silent: bool, *args: Any, **kwargs: Any) -> Any:
        if self._notice and not silent:
            print(self._notice)
            self._notice = None
        return await super().do_execute(code, silent, *args, **kwargs)

    def do_shutdown(self, restart: bool) -> Any:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        return super().do_shutdown(restart)


def _spec() -> dict[str, Any]:
    return {
        "argv": [sys.executable, "-m", "rolekit.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "metadata": {"debugger": True},
    }


def install(
    *, user: bool = False, sys_prefix: bool = False, prefix: Optional[str] = None, name: str = KERNEL_NAME
) -> str:
    """Install the kernelspec; returns the folder it went to. ``user``: the user's Jupyter data
    folder; ``sys_prefix``: this environment's; else the system's (as ``jupyter kernelspec``)."""
    from jupyter_client.kernelspec import KernelSpecManager

    if sys_prefix:
        prefix = sys.prefix
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / name
        folder.mkdir()
        (folder / "kernel.json").write_text(json.dumps(_spec(), indent=1))
        logo = Path(__file__).parent / "logo-64x64.png"
        if logo.exists():
            shutil.copy(logo, folder / logo.name)
        return str(KernelSpecManager().install_kernel_spec(str(folder), name, user=user, prefix=prefix))


def uninstall(name: str = KERNEL_NAME) -> str:
    """Remove the kernelspec; returns the folder removed (KeyError when it is not installed)."""
    from jupyter_client.kernelspec import KernelSpecManager

    return str(KernelSpecManager().remove_kernel_spec(name))


def main() -> None:
    """``python -m rolekit.kernel``: launch the kernel (Jupyter passes ``-f CONNECTION_FILE``)."""
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance(kernel_class=RolekitKernel)


if __name__ == "__main__":
    main()
