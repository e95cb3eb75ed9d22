"""Real TCP servers that misbehave, for testing what a client says when nothing usable answers.

* ``closed_port()``: a port nobody listens on (connection refused).
* ``BadServer(HANG)``: accepts connections, reads, never answers (a hung process).
* ``BadServer(b"...")``: answers every connection with these bytes, then closes.

Each ``BadServer`` runs a thread with a listening socket on 127.0.0.1; ``accepted``
counts the connections it took, so a test can tell how many attempts a client made.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType

from tests.support.ports import free_port

HANG = b""
GARBAGE = b"\x00\x01\x02 not HTTP at all \xff\xfe\r\n\r\n"
HTML_PAGE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 27\r\n"
    b"Connection: close\r\n\r\n<html><h1>Router</h1></html>"
)


def closed_port() -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"


class BadServer:
    """A listening socket that answers ``reply`` to every connection, or hangs if empty."""

    def __init__(self, reply: bytes) -> None:
        self.reply = reply
        self.accepted = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> BadServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self._held:
            connection.close()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            if not self.reply:
                self._held.append(connection)  # keep it open, answer nothing
                continue
            with connection, contextlib.suppress(OSError):
                connection.settimeout(1.0)
                connection.recv(65536)
                connection.sendall(self.reply)
