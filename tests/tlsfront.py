"""TLS in front of a plain-HTTP server (the sandbox), with a certificate the test makes: what a
private HTTPS endpoint or a TLS-inspecting proxy presents. Used by test_tls and test_proxy. Without
a certificate it is a plain relay, which puts the sandbox on another address (IPv6's ``::1``)."""

from __future__ import annotations

import socket
import ssl
import threading
from typing import Optional

import trustme


class TlsFront:
    """TLS in front of a plain-HTTP server: each accepted connection is decrypted and piped."""

    def __init__(self, upstream_port: int, cert: Optional[trustme.LeafCert], host: str = "127.0.0.1") -> None:
        self.context: Optional[ssl.SSLContext] = None
        if cert is not None:
            self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(self.context)
        self.upstream_port = upstream_port
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.create_server((host, 0), family=family)
        shown = f"[{host}]" if ":" in host else host
        scheme = "https" if cert is not None else "http"
        self.url = f"{scheme}://{shown}:{self.listener.getsockname()[1]}"
        self.handshakes = 0
        self.refused = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            self.handshakes += 1
            threading.Thread(target=self._one, args=(raw,), daemon=True).start()

    def _one(self, raw: socket.socket) -> None:
        try:
            tls = self.context.wrap_socket(raw, server_side=True) if self.context is not None else raw
        except (ssl.SSLError, OSError):
            self.refused += 1
            raw.close()
            return
        with tls:
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:  # the server behind is gone (the test is over): drop the client
                return
            with upstream:
                back = threading.Thread(target=_pump, args=(upstream, tls), daemon=True)
                back.start()
                _pump(tls, upstream)
                back.join(timeout=30)

    def close(self) -> None:
        self.listener.close()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    """Copy until either side closes, then shut both down (the caller closes them)."""
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
