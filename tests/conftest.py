"""Shared fixtures: settings over a fresh store, the shipped data, a CLI runner, apps.

Each test gets stores of its own that start empty, on the backend that
``CROSSINNOV_TEST_STORE`` names:

- ``embedded`` (the default): the embedded Oxigraph store in a temporary folder;
- ``oxigraph-server``: a real Oxigraph server process (``oxigraph serve`` on a
  temporary folder, see ``servers.py``) used as an external SPARQL 1.1 store,
  as ``--store http://127.0.0.1:PORT/query`` uses it;
- ``virtuoso``: real Virtuoso 7 servers (``virtuoso-t``, Debian's ``virtuoso-opensource``,
  see ``servers.py``), as ``--store http://127.0.0.1:PORT/sparql`` uses one. They take
  seconds to start, so a few are shared by the session and emptied for each test.

Tests about the embedded store itself carry ``@pytest.mark.embedded_only(reason=...)``
and are skipped under the server backends; what Virtuoso cannot do carries
``@pytest.mark.not_on_virtuoso(reason=...)``. ``stores/test_store.py`` (and the modules
that say so) run on the embedded store and Oxigraph server in every run, and on Virtuoso
too in a Virtuoso run (they parametrise the ``backend`` fixture). The shipped data is
built and validated once per session and copied into a test's store.
"""

from __future__ import annotations

import http.server
import itertools
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from servers import Servers, VirtuosoPool

from crossinnov.config import Settings
from crossinnov.stores import open_store
from crossinnov.validation.shacl import Validator
from crossinnov.writes.changes import Change
from crossinnov.writes.load import load_units, shipped_units

BACKEND_VARIABLE = "CROSSINNOV_TEST_STORE"
EMBEDDED, SERVER, VIRTUOSO = "embedded", "oxigraph-server", "virtuoso"
RUN_BACKEND = os.environ.get(BACKEND_VARIABLE) or EMBEDDED
#: the backends every run tests the store interface on (and Virtuoso in a Virtuoso run)
BACKENDS = (EMBEDDED, SERVER) + ((VIRTUOSO,) if RUN_BACKEND == VIRTUOSO else ())
_BACKEND = pytest.StashKey[str]()


# --- the store backend ------------------------------------------------------------------------

def pytest_configure(config: pytest.Config) -> None:
    backend = RUN_BACKEND
    if backend not in (EMBEDDED, SERVER, VIRTUOSO):
        raise pytest.UsageError(f"{BACKEND_VARIABLE}={backend!r}: use one of "
                                f"{EMBEDDED}, {SERVER}, {VIRTUOSO}")
    config.stash[_BACKEND] = backend


def pytest_report_header(config: pytest.Config) -> str:
    return f"store backend: {config.stash[_BACKEND]} ({BACKEND_VARIABLE})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the ``embedded_only`` tests whose store is a server, the ``not_on_virtuoso`` ones
    whose store is Virtuoso."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = (callspec.params.get("backend") if callspec else None) or config.stash[_BACKEND]
        marker = item.get_closest_marker("embedded_only")
        if marker is not None and backend != EMBEDDED:
            why = marker.kwargs.get("reason", "about the embedded store itself")
            item.add_marker(pytest.mark.skip(reason=f"embedded store only: {why}"))
        marker = item.get_closest_marker("not_on_virtuoso")
        if marker is not None and backend == VIRTUOSO:
            item.add_marker(pytest.mark.skip(reason=f"not on Virtuoso: {marker.kwargs['reason']}"))


@pytest.fixture(scope="session")
def store_backend(pytestconfig: pytest.Config) -> str:
    """The backend of this run: ``embedded``, ``oxigraph-server`` or ``virtuoso``."""
    return pytestconfig.stash[_BACKEND]


@pytest.fixture
def backend(store_backend: str) -> str:
    """The backend of this test's stores (``stores/test_store.py`` parametrises it)."""
    return store_backend


def fresh_location(backend: str, servers: Servers, folder: Path, *server_args: str,
                   virtuoso: VirtuosoPool | None = None) -> str:
    """Return where a new, empty store is: a folder, or a new Oxigraph server's query URL
    (a new Virtuoso server's, kept: for apps; ``server_args`` are Oxigraph's only)."""
    if backend == EMBEDDED:
        return str(folder)
    if backend == VIRTUOSO:
        assert virtuoso is not None
        return virtuoso.dedicated().query_url
    return servers.start(*server_args).query_url


@pytest.fixture(scope="session")
def session_servers(tmp_path_factory) -> Iterator[Servers]:
    """The Oxigraph servers of session-scoped apps, stopped at the end of the run."""
    servers = Servers(tmp_path_factory.mktemp("servers"))
    yield servers
    servers.close()


@pytest.fixture(scope="session")
def virtuoso_pool(tmp_path_factory) -> Iterator[VirtuosoPool]:
    """The Virtuoso servers of the session (started when first asked for), stopped at the end."""
    pool = VirtuosoPool(tmp_path_factory.mktemp("virtuoso"))
    yield pool
    pool.close()


@pytest.fixture
def new_store_location(backend: str, tmp_path: Path,
                       request: pytest.FixtureRequest) -> Iterator[Callable[[], str]]:
    """A function returning the location of a new, empty store each time it is called."""
    servers = Servers(tmp_path / "servers")
    numbers = itertools.count(1)

    def make() -> str:
        number = next(numbers)
        if backend == VIRTUOSO:
            pool = request.getfixturevalue("virtuoso_pool")
            return pool.lease(number - 1).query_url
        return fresh_location(backend, servers, tmp_path / f"store-{number}")

    yield make
    servers.close()


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator()


@pytest.fixture
def settings(new_store_location) -> Settings:
    """Settings over a new, empty store of the test's backend."""
    return Settings(store=new_store_location())


@pytest.fixture
def store(settings):
    with open_store(settings) as s:
        yield s


@pytest.fixture(scope="session")
def shipped_quads(tmp_path_factory, validator) -> list[ox.Quad]:
    """The shipped data as loaded by `crossinnov load` (validated, with its changelog).

    Built once in an embedded store: only the quads are kept, and copied into each
    test's store, whatever its backend.
    """
    settings = Settings(store=str(tmp_path_factory.mktemp("shipped") / "store"))
    with open_store(settings) as s:
        units, _ = shipped_units(s)
        report = load_units(s, units, validator, Change("load", s.iris.agent("cli")))
        assert report.conforms, [r.as_text() for r in report.rejected]
        return list(s.quads())


@pytest.fixture
def loaded_store(store, shipped_quads):
    """A fresh store holding the shipped data."""
    store.add_quads(shipped_quads)
    return store


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    # keep the developer's own store and settings out of CLI tests
    for name in ("CROSSINNOV_STORE", "CROSSINNOV_BASE", "CROSSINNOV_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


# --- the web app ------------------------------------------------------------------------------

def store_with_shipped_data(location: str, shipped_quads) -> str:
    """Write the shipped data into the new store at ``location``; return the location."""
    with open_store(Settings(store=location)) as s:
        s.add_quads(shipped_quads)
    return location


@pytest.fixture(scope="session")
def make_app(tmp_path_factory, shipped_quads, store_backend, session_servers, request):
    """Build apps over fresh copies of the shipped data; all are closed at the end.

    ``build(server_args=(...), **config)``: ``server_args`` go to ``oxigraph serve``
    under the server backend (its own query timeout, say).
    """
    from crossinnov.web import create_app

    apps = []

    def build(*, server_args: tuple[str, ...] | None = None, **config):
        if server_args is None:
            # a query the app gave up on must not go on in the server for the rest of the run
            # (it would slow every later test): the server stops it at the app's time limit
            limit = float(config.get("QUERY_TIMEOUT", 20.0))
            server_args = ("--timeout-s", str(max(1, round(limit))))
        location = fresh_location(
            store_backend, session_servers, tmp_path_factory.mktemp("app") / "store",
            *server_args,
            virtuoso=request.getfixturevalue("virtuoso_pool") if store_backend == VIRTUOSO
            else None)
        store_with_shipped_data(location, shipped_quads)
        app = create_app({"STORE": location, "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 20.0,
                          "TESTING": True, "ANALYSE_ON_START": False, **config})
        apps.append(app)
        # the search index is built in a thread when the app starts: a test that replaces a
        # store method must not have that thread call it (its failure would land elsewhere)
        app.extensions["crossinnov"].warming.join(120)
        return app

    yield build
    for app in apps:
        app.extensions["crossinnov"].close()


@pytest.fixture(scope="session")
def app(make_app):
    """One read-only app over the shipped data, shared by the tests that only read."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


class LiveServer:
    """An app served by waitress on a free port, in a background thread."""

    def __init__(self, app, *, threads: int = 6) -> None:
        import threading

        import waitress

        # poll(), not select(): this test process holds over 1 024 files (every app's worker
        # pipes), and select() never sees a socket numbered past 1 023 (requests hung)
        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads,
                                             asyncore_use_poll=True)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self._wait()

    def _wait(self) -> None:
        import time

        import requests

        for _ in range(200):
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the live server did not come up")

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(app):
    """The shared read-only app behind a real WSGI server; ``.url`` has no trailing slash."""
    server = LiveServer(app)
    yield server
    server.close()


# --- a SPARQL endpoint that records its callers ----------------------------------------------

class SparqlListener(http.server.ThreadingHTTPServer):
    """A SPARQL endpoint on a free loopback port that records every call made to it.

    It answers any GET or POST with one empty solution (SPARQL JSON results), so a
    query that reaches it gets an answer; ``calls`` and ``paths`` say who came.
    """

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Answer)
        self.lock = threading.Lock()
        self.paths: list[str] = []

    @property
    def calls(self) -> int:
        with self.lock:
            return len(self.paths)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Answer(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.paths.append(self.path)
        body = json.dumps({"head": {"vars": []}, "results": {"bindings": [{}]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[SparqlListener]:
    """A listener of the module's tests (read ``calls`` before and after what you check)."""
    server = SparqlListener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


# --- the writes' closure, cleared both ways -----------------------------------------------------

@pytest.fixture( params=["one organisation at a time", "one join"])
def closure_clearing(request, monkeypatch) -> str:
    """Both ways of clearing the closure around the organisations a write touches
    (crossinnov.writes.changes.closure_operations): few organisations are cleared one at
    a time, many by one join; each must leave the same closure."""
    from crossinnov.writes import changes

    monkeypatch.setattr(changes, "CLOSURE_ONE_BY_ONE", 64 if request.param.startswith("one org")
                        else 0)
    return request.param
