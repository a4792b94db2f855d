"""HTTP to a SPARQL server: one connection per request, failures as exceptions, reads on a clock.

Used by :class:`crossinnov.stores.remote.RemoteStore`. What can go wrong is told apart,
because it decides what a caller may say about a write:

- :class:`Unreachable`: no connection, so nothing was sent (nothing changed);
- :class:`Refused`: the server answered with an error status (with its message);
- :class:`NoAnswer`: the request went out but no whole answer came back, so its
  effect is unknown;
- :class:`~crossinnov.stores.workers.QueryTimeout`: a read given a deadline ran past it.

With :class:`Credentials`, requests carry HTTP authentication: Basic (RFC 7617), sent
with every request, or Digest (RFC 7616: MD5 or SHA-256, ``qop=auth``), answered to the
server's challenge, which is kept and reused with a growing nonce count until the
server calls it stale.

A body is read through :class:`Body`, a file-like object that pyoxigraph's
parsers read from as it arrives; with a deadline, each read waits only for the
time that is left.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import io
import secrets
import socket
import threading
import time
import urllib.parse
import urllib.request
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


class Credentials:
    """A user name and password for the SPARQL server, sent as ``scheme`` says (``basic`` or
    ``digest``). The password is never shown (not in ``repr``, not in any message)."""

    def __init__(self, user: str, password: str, scheme: str = "basic") -> None:
        if scheme not in ("basic", "digest"):
            raise ValueError(f"unknown HTTP authentication scheme {scheme!r}")
        self.user, self._password, self.scheme = user, password, scheme
        self._challenge: dict[str, str] | None = None  # the server's last Digest challenge
        self._count = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"

    @property
    def needs_challenge(self) -> bool:
        """Digest, and no challenge from the server yet: a request would be refused."""
        return self.scheme == "digest" and self._challenge is None

    def header(self, method: str, target: str) -> str | None:
        """The ``Authorization`` header of a request (None: Digest, not challenged yet)."""
        if self.scheme == "basic":
            pair = f"{self.user}:{self._password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        with self._lock:
            if self._challenge is None:
                return None
            challenge = dict(self._challenge)
            self._count += 1
            count = f"{self._count:08x}"
        return _digest(challenge, self.user, self._password, method, target, count)

    def challenged(self, values: list[str]) -> bool:
        """Take a Digest challenge from a 401's ``WWW-Authenticate`` headers; whether it is
        worth asking again (a new or stale nonce, not the one just refused)."""
        if self.scheme != "digest":
            return False
        for value in values:
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() != "digest":
                continue
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            fields = {k.lower(): v for k, v in fields.items()}
            if "nonce" not in fields or "realm" not in fields:
                continue
            with self._lock:
                old = self._challenge
                fresh = old is None or old.get("nonce") != fields["nonce"] \
                    or fields.get("stale", "").lower() == "true"
                self._challenge, self._count = fields, 0
            return fresh
        return False


_DIGESTS = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _digest(challenge: dict[str, str], user: str, password: str, method: str, target: str,
            count: str) -> str:
    """The ``Authorization`` header answering a Digest challenge (RFC 7616, section 3.4)."""
    algorithm = challenge.get("algorithm", "MD5")
    base = algorithm.upper().removesuffix("-SESS")
    if base not in _DIGESTS:
        raise StoreError(f"the SPARQL server asks for Digest with {algorithm}, which crossinnov "
                         "does not speak (MD5 and SHA-256 only)")

    def h(text: str) -> str:
        return _DIGESTS[base](text.encode()).hexdigest()

    realm, nonce = challenge["realm"], challenge["nonce"]
    cnonce = secrets.token_hex(8)
    secret = h(f"{user}:{realm}:{password}")
    if algorithm.upper().endswith("-SESS"):
        secret = h(f"{secret}:{nonce}:{cnonce}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    method_part = h(f"{method}:{target}")
    fields = {"username": user, "realm": realm, "nonce": nonce, "uri": target,
              "algorithm": algorithm}
    if "auth" in qops:
        fields["response"] = h(f"{secret}:{nonce}:{count}:{cnonce}:auth:{method_part}")
        extra = f", qop=auth, nc={count}, cnonce=\"{cnonce}\""
    elif not qops:  # RFC 2069's form
        fields["response"] = h(f"{secret}:{nonce}:{method_part}")
        extra = ""
    else:
        raise StoreError(f"the SPARQL server asks for Digest with qop={challenge['qop']}, which "
                         "crossinnov does not speak (auth only)")
    if "opaque" in challenge:
        fields["opaque"] = challenge["opaque"]
    quoted = ", ".join(f'{k}="{v}"' if k != "algorithm" else f"{k}={v}"
                       for k, v in fields.items())
    return f"Digest {quoted}{extra}"


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
            body: bytes | Iterable[bytes] | None = None, deadline: float | None = None,
            credentials: Credentials | None = None) -> Body:
    """Send one request and return the body of a 2xx answer; raise for anything else.

    :param timeout: seconds any one wait may last (connecting, or for more bytes)
    :param deadline: ``time.monotonic()`` after which reading stops with QueryTimeout
    :param body: bytes, or an iterable of bytes (sent with chunked transfer encoding)
    :param credentials: HTTP authentication; a Digest challenge is answered by asking again
        (a body that is an iterable cannot be sent twice: the challenge is fetched first,
        with a ``HEAD`` request)
    """
    if credentials is not None and credentials.needs_challenge and body is not None \
            and not isinstance(body, bytes):
        with contextlib.suppress(Refused):
            _send("HEAD", url, headers={}, timeout=timeout, deadline=deadline,
                  credentials=credentials).close()
    try:
        return _send(method, url, headers=headers, timeout=timeout, body=body,
                     deadline=deadline, credentials=credentials)
    except _Challenged:  # a Digest challenge taken: once more, answering it
        return _send(method, url, headers=headers, timeout=timeout, body=body,
                     deadline=deadline, credentials=credentials, again=False)


class _Challenged(Exception):
    """A 401 whose Digest challenge was taken: the request may be sent again."""


def _send(method: str, url: str, *, headers: dict[str, str], timeout: float,
          body: bytes | Iterable[bytes] | None = None, deadline: float | None = None,
          credentials: Credentials | None = None, again: bool = True) -> Body:
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
    if credentials is not None and (authorization := credentials.header(method, target)):
        headers = {**headers, "Authorization": authorization}
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
    except TimeoutError:
        connection.close()
        raise _timeout(url, deadline) from None
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise NoAnswer(f"{url} did not answer: {exc}") from None
    if response.status == 401 and credentials is not None:
        challenges = response.headers.get_all("WWW-Authenticate") or []
        fresh = credentials.challenged(challenges)
        response.close()
        connection.close()
        if fresh and again and (body is None or isinstance(body, bytes)):
            raise _Challenged
        if not fresh or again is False:
            raise Refused(url, 401, f"the SPARQL server refused the credentials of user "
                                    f"{credentials.user!r} ({credentials.scheme})")
        raise Refused(url, 401, "the SPARQL server asked for Digest authentication while "
                                "the request was being sent; it was not sent again")
    if response.status == 401:
        response.close()
        connection.close()
        raise Refused(url, 401, "the SPARQL server asks for a user name and password: set "
                                "CROSSINNOV_STORE_USER and CROSSINNOV_STORE_PASSWORD")
    if response.status >= 300:
        try:
            message = response.read(MESSAGE_BYTES).decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException):
            message = response.reason
        connection.close()
        raise Refused(url, response.status, message or response.reason)
    return Body(url, connection, response, sock, deadline)


def post_form(url: str, fields: list[tuple[str, str]], accept: str, *, timeout: float,
              deadline: float | None = None, credentials: Credentials | None = None) -> Body:
    """POST URL-encoded fields (SPARQL 1.1 Protocol 2.1.2 and 2.2.1)."""
    data = urllib.parse.urlencode(fields).encode("utf-8")
    return request("POST", url, body=data, timeout=timeout, deadline=deadline,
                   headers={"Accept": accept, "Content-Type": FORM}, credentials=credentials)
