"""HTTP to a SPARQL server: one connection per request, failures as exceptions, reads on a clock.

Used by :class:`crossinnov.stores.remote.RemoteStore`. What can go wrong is told apart,
because it decides what a caller may say about a write:

- :class:`Unreachable`: no connection, so nothing was sent (nothing changed);
- :class:`Refused`: the server answered with an error status (with its message);
- :class:`NoAnswer`: the request went out but no whole answer came back, so its
  effect is unknown;
- :class:`~crossinnov.stores.workers.QueryTimeout`: a read given a deadline ran past it.

A body is read through :class:`Body`, a file-like object that pyoxigraph's
parsers read from as it arrives; with a deadline, each read waits only for the
time that is left.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
import urllib.parse
from collections.abc import Iterable

from crossinnov.sparql.answers import QueryTimeout
from crossinnov.stores.base import StoreError

FORM = "application/x-www-form-urlencoded"
#: bytes of an error answer kept for its message
MESSAGE_BYTES = 2_000
#: bytes of the end of an answer kept to explain an answer that broke off
TAIL_BYTES = 300


class Unreachable(StoreError):
    """The server could not be reached: the request was not sent."""


class NoAnswer(StoreError):
    """The request was sent but no whole answer came back: its effect is unknown."""


class Refused(StoreError):
    """The server answered with an error status."""

    def __init__(self, url: str, status: int, message: str) -> None:
        super().__init__(f"{url} answered {status}: {message}")
        self.status = status
        self.message = message


class Body:
    """An answer's body, read as it arrives; with a deadline, never waiting past it."""

    def __init__(self, url: str, connection: http.client.HTTPConnection,
                 response: http.client.HTTPResponse, sock: socket.socket | None,
                 deadline: float | None) -> None:
        self.url = url
        self._connection = connection
        self._response = response
        self._sock = sock
        self._deadline = deadline
        self.tail = b""
        #: the exception a read raised (parsers may wrap or swallow it)
        self.failure: Exception | None = None

    @property
    def headers(self):
        """The answer's headers (``http.client.HTTPMessage``: ``get`` ignores case)."""
        return self._response.headers

    def read(self, size: int | None = -1) -> bytes:
        try:
            if self._deadline is not None and self._sock is not None:
                left = self._deadline - time.monotonic()
                if left <= 0:
                    raise QueryTimeout("the query ran past its time limit and was stopped")
                self._sock.settimeout(left)
            data = self._response.read(None if size is None or size < 0 else size)
            if not data and size != 0 and self._response.length:
                # http.client's read(amt) returns b"" when the connection closes before
                # Content-Length is reached: a cut answer, never the end of a whole one
                raise http.client.IncompleteRead(b"", self._response.length)
        except TimeoutError:
            self.failure = _timeout(self.url, self._deadline)
            raise self.failure from None
        except QueryTimeout as exc:
            self.failure = exc
            raise
        except (OSError, http.client.HTTPException) as exc:
            self.failure = NoAnswer(f"the answer of {self.url} broke off: {exc}")
            raise self.failure from None
        self.tail = (self.tail + data)[-TAIL_BYTES:]
        return data

    def read_all(self) -> bytes:
        """Read the rest of the body (in pieces, so that a deadline is kept)."""
        parts = []
        while data := self.read(64 * 1024):
            parts.append(data)
        return b"".join(parts)

    def broke_off(self) -> str:
        """Say why an answer could not be read: the end of what came (the server's message)."""
        text = self.tail.decode("utf-8", "replace").strip()
        return f"the answer of the SPARQL server broke off; it ended with: {text[-200:]!r}"

    def close(self) -> None:
        self._response.close()
        self._connection.close()

    def __enter__(self) -> Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Buffered(Body):
    """An answer already read whole (and perhaps mended), read like a :class:`Body`."""

    def __init__(self, body: Body, data: bytes) -> None:
        self.url = body.url
        self._headers = body.headers
        self._data = io.BytesIO(data)
        self.tail = data[-TAIL_BYTES:]
        self.failure = None

    @property
    def headers(self):
        return self._headers

    def read(self, size: int | None = -1) -> bytes:
        return self._data.read(-1 if size is None else size)

    def close(self) -> None:
        self._data.close()


def _timeout(url: str, deadline: float | None) -> StoreError | QueryTimeout:
    if deadline is not None:
        return QueryTimeout("the query ran past its time limit and was stopped")
    return NoAnswer(f"{url} did not answer in time")


def request(method: str, url: str, *, headers: dict[str, str], timeout: float,
            body: bytes | Iterable[bytes] | None = None, deadline: float | None = None) -> Body:
    """Send one request and return the body of a 2xx answer; raise for anything else.

    :param timeout: seconds any one wait may last (connecting, or for more bytes)
    :param deadline: ``time.monotonic()`` after which reading stops with QueryTimeout
    :param body: bytes, or an iterable of bytes (sent with chunked transfer encoding)
    """
    parts = urllib.parse.urlsplit(url)
    if deadline is not None:
        timeout = max(0.001, min(timeout, deadline - time.monotonic()))
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.connect()
    except OSError as exc:
        connection.close()
        if deadline is not None and isinstance(exc, TimeoutError):
            raise _timeout(url, deadline) from None
        raise Unreachable(f"cannot reach the SPARQL server {url}: {exc}") from None
    sock = connection.sock  # kept: the connection lets go of it once the answer starts
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
    except TimeoutError:
        connection.close()
        raise _timeout(url, deadline) from None
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise NoAnswer(f"{url} did not answer: {exc}") from None
    if response.status >= 300:
        try:
            message = response.read(MESSAGE_BYTES).decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException):
            message = response.reason
        connection.close()
        raise Refused(url, response.status, message or response.reason)
    return Body(url, connection, response, sock, deadline)


def post_form(url: str, fields: list[tuple[str, str]], accept: str, *, timeout: float,
              deadline: float | None = None) -> Body:
    """POST URL-encoded fields (SPARQL 1.1 Protocol 2.1.2 and 2.2.1)."""
    data = urllib.parse.urlencode(fields).encode("utf-8")
    return request("POST", url, body=data, timeout=timeout, deadline=deadline,
                   headers={"Accept": accept, "Content-Type": FORM})
