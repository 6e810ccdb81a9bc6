"""Child process behind :class:`rolekit.sandbox.Sandbox`: moto's server on 127.0.0.1.

It prints ``READY <port>`` once listening and exits when its standard input closes, so that a
sandbox whose parent dies (a killed kernel, a crashed test run) never leaves a server behind.

moto's application is served by waitress, which keeps HTTP/1.1 connections open between
requests as AWS's own endpoints do. moto's bundled server (werkzeug's development server) closes
the connection after every answer, so every client, boto3 and rolekit alike, would pay a TCP
connect and close per request that it never pays against AWS. Without waitress installed, the
bundled server is used.
"""

from __future__ import annotations

import logging
import sys
import threading
from typing import Callable

# Requests are handled by moto under the GIL; a few threads keep one slow request (a policy
# simulation, a large list) from holding up the others without adding contention.
_THREADS = 8


def _serve_waitress(port: int) -> tuple[int, Callable[[], None]] | None:
    """Start waitress on ``port``; ``(bound port, stop)``, or None when waitress is missing."""
    try:
        from waitress.server import create_server
    except ImportError:
        return None
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    logging.getLogger("waitress").setLevel(logging.ERROR)
    app = DomainDispatcherApplication(create_backend_app)
    server = create_server(app, host="127.0.0.1", port=port, threads=_THREADS, ident="moto")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return int(server.effective_port), server.close


def _serve_werkzeug(port: int) -> tuple[int, Callable[[], None]]:
    """moto's own threaded server (one connection per request)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound = server.get_host_and_port()
    return bound, server.stop


def main() -> int:
    """Serve until standard input reaches end of file."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    bound, stop = _serve_waitress(port) or _serve_werkzeug(port)
    sys.stdout.write(f"READY {bound}\n")
    sys.stdout.flush()
    try:
        while sys.stdin.read(4096):
            pass
    except (OSError, KeyboardInterrupt):
        pass
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
