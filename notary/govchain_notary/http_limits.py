"""Bounds on a request's head (request line and headers) for uvicorn's httptools parser.

uvicorn with httptools puts no limit on the head: one ``GET /healthz`` with a 200 MB
header line was buffered whole (RSS +188 MB) and answered 200; five at once took the
notary to 1.29 GB. httptools keeps a header's pieces until the header ends, so
counting in ``on_header`` is too late; :class:`BoundedHttpToolsProtocol` counts the
bytes it feeds while a request's head is incomplete and answers 431 and closes as
soon as they pass :data:`MAX_HEAD_BYTES` (so at most that plus one socket read is
buffered). More than :data:`MAX_HEADERS` header fields also answer 431.

Cost: server CPU per ``GET /healthz`` 273-280 us, plain httptools 250-273 us, h11 (which
has a head limit of its own) 357-383 us (3,000 keep-alive requests, 2 runs).

Pass the class as ``http=`` to ``uvicorn.Config`` / ``uvicorn.run``.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

#: Bytes of request line plus headers (aiohttp, the node's server, allows 8190 per line).
MAX_HEAD_BYTES = 16 * 1024
#: Header fields per request.
MAX_HEADERS = 100


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with :data:`MAX_HEAD_BYTES` and :data:`MAX_HEADERS`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = False
        self._head_bytes = 0
        self._header_count = 0
        self._refusal = ""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_head and not self.transport.is_closing():
            # The whole chunk counts: only a pipelined request's tail can be in it too.
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(f"request line and headers too large (max {MAX_HEAD_BYTES} bytes)")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0
        self._header_count = 0

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > MAX_HEAD_BYTES:
            self._stop(f"request line too large (max {MAX_HEAD_BYTES} bytes)")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > MAX_HEADERS:
            self._stop(f"too many header fields (max {MAX_HEADERS})")
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def _stop(self, message: str) -> None:
        """Stop the parser from a callback: httptools turns the exception into a parser
        error, for which uvicorn calls :meth:`send_400_response`."""
        self._refusal = message
        raise ValueError(message)

    def send_400_response(self, msg: str) -> None:
        if self._refusal:
            self._refuse(self._refusal)
        else:
            super().send_400_response(msg)

    def _refuse(self, message: str) -> None:
        """Answer 431 and close, as uvicorn's ``send_400_response`` does for 400."""
        self.logger.info("refused a request: %s", message)
        body = message.encode("ascii")
        head = [STATUS_LINE[431]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.extend(
            [
                b"content-type: text/plain; charset=utf-8\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(head))
        self.transport.close()
        self._in_head = False
