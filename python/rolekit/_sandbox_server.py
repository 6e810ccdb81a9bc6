"""Child process behind :class:`rolekit.sandbox.Sandbox`: moto's server on 127.0.0.1.

It prints ``READY <port>`` once listening and exits when its standard input closes, so that a
sandbox whose parent dies (a killed kernel, a crashed test run) never leaves a server behind.
"""

from __future__ import annotations

import logging
import sys


def main() -> int:
    """Serve until standard input reaches end of file."""
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound = server.get_host_and_port()
    sys.stdout.write(f"READY {bound}\n")
    sys.stdout.flush()
    try:
        while sys.stdin.read(4096):
            pass
    except (OSError, KeyboardInterrupt):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
