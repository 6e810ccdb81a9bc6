"""A fault-injecting HTTP proxy for the tests: sits on loopback in front of the sandbox and, at a set
rate, drops connections (before or after the server saw the request), answers 500 or IAM's
Throttling error, or answers slowly. Requests pass through byte for byte otherwise, so SigV4
signatures stay valid (the Host header is the proxy's, as the client signed it).
"""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = ("drop_before", "drop_after", "http_500", "throttle", "slow")

THROTTLE_BODY = (
    b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
    b"<Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    b"<RequestId>faultproxy</RequestId></ErrorResponse>"
)
ERROR_500_BODY = (
    b'<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Receiver</Type>'
    b"<Code>ServiceFailure</Code><Message>injected</Message></Error>"
    b"<RequestId>faultproxy</RequestId></ErrorResponse>"
)


class FaultProxy:
    """``with FaultProxy(upstream, rate=0.2, seed=1) as proxy:`` then send requests to ``proxy.url``."""

    def __init__(
        self,
        upstream: str,
        *,
        rate: float = 0.2,
        seed: int = 0,
        faults: tuple[str, ...] = FAULTS,
        slow: float = 0.3,
        operations: frozenset[str] | None = None,
        limit: int | None = None,
    ) -> None:
        """``operations`` limits faults to those actions (e.g. {"CreateRole"}); ``limit`` caps their number."""
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rate = rate
        self.faults = faults
        self.slow = slow
        self.only = operations
        self.limit = limit
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.requests = 0
        self.operations: Counter[str] = Counter()
        #: The actions that were faulted, with how often.
        self.faulted: Counter[str] = Counter()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: without this, Nagle's algorithm and the
            # client's delayed ACK add 40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                proxy._handle(self)

            do_GET = do_POST
            do_PUT = do_POST
            do_DELETE = do_POST
            do_HEAD = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _choose(self, action: str) -> str | None:
        with self.lock:
            self.requests += 1
            if self.only is not None and action not in self.only:
                return None
            if self.limit is not None and sum(self.injected.values()) >= self.limit:
                return None
            if self.random.random() >= self.rate:
                return None
            fault = self.random.choice(self.faults)
            self.injected[fault] += 1
            self.faulted[action] += 1
            return fault

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        action = next((p[7:] for p in body.decode("latin-1").split("&") if p.startswith("Action=")), "")
        with self.lock:
            self.operations[action or h.headers.get("X-Amz-Target", "?")] += 1
        fault = self._choose(action)
        if fault == "drop_before":
            self._drop(h)
            return
        if fault in ("http_500", "throttle"):
            payload = ERROR_500_BODY if fault == "http_500" else THROTTLE_BODY
            h.send_response(500 if fault == "http_500" else 400)
            h.send_header("Content-Type", "text/xml")
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            return
        if fault == "slow":
            time.sleep(self.slow)
        conn = http.client.HTTPConnection(*self.upstream, timeout=60)
        try:
            headers = {k: v for k, v in h.headers.items() if k.lower() not in ("connection", "keep-alive")}
            conn.request(h.command, h.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if fault == "drop_after":  # the server acted; the client never hears of it
            self._drop(h)
            return
        h.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"):
                h.send_header(k, v)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    @staticmethod
    def _drop(h: BaseHTTPRequestHandler) -> None:
        h.close_connection = True
        try:
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main() -> None:
    """``python tests/faultproxy.py UPSTREAM [--rate R] [--faults slow,...] [--slow S]``: serve in a
    process of its own (so its CPU is not the client's) until stdin closes; prints its URL first."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("upstream")
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--faults", default=",".join(FAULTS))
    parser.add_argument("--slow", type=float, default=0.3)
    args = parser.parse_args()
    faults = tuple(f for f in args.faults.split(",") if f)
    with FaultProxy(args.upstream, rate=args.rate, faults=faults, slow=args.slow) as proxy:
        print(proxy.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
