"""The HTTP client of the remote store (crossinnov.stores.http) against a tiny real HTTP server
on a free loopback port: what can go wrong is told apart, because it decides what a caller
may say about a write.

- a 2xx answer: its body, read as it arrives;
- an error status: :class:`Refused`, with the status and the server's message;
- nothing listening: :class:`Unreachable` (nothing was sent);
- no answer in time, or an answer that breaks off: :class:`NoAnswer` (effect unknown);
- a read past its deadline: :class:`QueryTimeout`.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from crossinnov.sparql.answers import QueryTimeout
from crossinnov.stores.base import StoreError
from crossinnov.stores.http import NoAnswer, Refused, Unreachable, post_form, request

#: how long a stalled answer waits to be released (the tests release it long before)
STALL = 30.0
#: the waits the client is given where the server stalls (short: the test waits for them)
WAIT = 0.3


class Server(http.server.ThreadingHTTPServer):
    """Answers by path: ``/ok``, ``/refuse`` (400), ``/busy`` (503, no body), ``/silent``
    (never answers), ``/partial`` (promises a length, sends less, then closes),
    ``/partial-chunks`` (the same in chunks, as a streaming server breaks off), ``/stall``
    (sends part of the body, then waits). Keeps what it was sent."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.release = threading.Event()
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    server: Server

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((self.command, self.path, dict(self.headers), body))
        path = urllib.parse.urlsplit(self.path).path
        if path == "/ok":
            self._send(200, b"the answer " * 1000)
        elif path == "/refuse":
            self._send(400, b"  Parser error at line 1: unexpected '}'  ")
        elif path == "/busy":
            self._send(503, b"")
        elif path == "/silent":
            self.server.release.wait(STALL)
        elif path == "/partial":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"the start of an answer; then an error: query cancelled")
            self.wfile.flush()
            self.close_connection = True
        elif path == "/partial-chunks":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            part = b"the start of an answer; then an error: query cancelled"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"400\r\nnot all of this chunk")  # and no last chunk
            self.wfile.flush()
            self.close_connection = True
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"some of it")
            self.wfile.flush()
            self.server.release.wait(STALL)
        else:
            self._send(404, b"no such path")

    do_GET = do_POST = _answer

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    server = Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_2xx_answer_is_read_whole(server):
    with request("GET", server.url + "/ok?query=ASK%7B%7D", headers={"Accept": "text/plain"},
                 timeout=10) as body:
        assert body.read_all() == b"the answer " * 1000
        assert body.tail.endswith(b"the answer ")
    (method, path, headers, _), = server.received
    assert (method, path, headers["Accept"]) == ("GET", "/ok?query=ASK%7B%7D", "text/plain")


def test_post_form_sends_url_encoded_fields(server):
    fields = [("query", "SELECT * { ?s ?p 'é & =' }"), ("default-graph-uri", "http://x/g")]
    with post_form(server.url + "/ok", fields, "application/sparql-results+json",
                   timeout=10) as body:
        assert body.read_all().startswith(b"the answer")
    (method, _, headers, sent), = server.received
    assert method == "POST"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers["Accept"] == "application/sparql-results+json"
    assert urllib.parse.parse_qsl(sent.decode()) == fields


def test_an_error_status_is_refused_with_the_servers_message(server):
    with pytest.raises(Refused) as caught:
        request("POST", server.url + "/refuse", headers={}, timeout=10, body=b"x")
    assert caught.value.status == 400
    assert caught.value.message == "Parser error at line 1: unexpected '}'"
    assert "answered 400: Parser error" in str(caught.value)
    assert isinstance(caught.value, StoreError)


def test_an_error_status_without_a_body_says_the_reason(server):
    with pytest.raises(Refused) as caught:
        request("GET", server.url + "/busy", headers={}, timeout=10)
    assert caught.value.status == 503 and caught.value.message == "Service Unavailable"


def test_nothing_listening_is_unreachable_and_nothing_was_sent():
    url = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(Unreachable, match="cannot reach the SPARQL server"):
        request("POST", url, headers={}, timeout=5, body=b"update=CLEAR%20ALL")


def test_a_server_that_does_not_answer_in_time_is_no_answer(server):
    """The request went out, no answer came: its effect is unknown (not Unreachable)."""
    with pytest.raises(NoAnswer, match="did not answer in time") as caught:
        request("POST", server.url + "/silent", headers={}, timeout=WAIT, body=b"x")
    assert not isinstance(caught.value, Unreachable)
    assert [r[1] for r in server.received] == ["/silent"]  # it was sent


def test_no_answer_before_a_deadline_is_past_the_time_limit(server):
    with pytest.raises(QueryTimeout, match="time limit"):
        request("GET", server.url + "/silent", headers={}, timeout=10,
                deadline=time.monotonic() + WAIT)


def test_a_streamed_answer_that_breaks_off_is_no_answer(server):
    """Its effect is unknown; the parser that reads the body sees the same failure
    (``body.failure``), so it cannot take a short answer for a whole one."""
    url = server.url + "/partial-chunks"
    body = request("GET", url, headers={}, timeout=10)
    with body, pytest.raises(NoAnswer, match="broke off") as caught:
        body.read_all()
    assert body.failure is caught.value and url in str(caught.value)


def test_an_answer_shorter_than_its_content_length_is_no_answer(server):
    """Regression: http.client's read(amt) returns b"" when the connection closes before
    Content-Length is reached, so a cut N-Triples answer read as a whole, shorter one."""
    body = request("GET", server.url + "/partial", headers={}, timeout=10)
    with body, pytest.raises(NoAnswer, match="broke off"):
        body.read_all()


def test_a_body_that_stalls_past_the_deadline_is_past_the_time_limit(server):
    body = request("GET", server.url + "/stall", headers={}, timeout=10,
                   deadline=time.monotonic() + WAIT)
    with body, pytest.raises(QueryTimeout, match="time limit"):
        body.read_all()
    assert isinstance(body.failure, QueryTimeout)


def test_a_body_that_stalls_without_a_deadline_is_no_answer(server):
    body = request("GET", server.url + "/stall", headers={}, timeout=WAIT)
    with body, pytest.raises(NoAnswer, match="did not answer in time"):
        body.read_all()
