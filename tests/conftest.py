"""Shared fixtures: settings over a fresh on-disk store, the shipped data, a CLI runner.

Each test gets its own store in a temporary folder (the real embedded Oxigraph
on disk); the shipped data is built and validated once per session and copied
into a test's store with the bulk loader.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from crossinnov.config import Settings
from crossinnov.loader import load_units, shipped_units
from crossinnov.store import open_store
from crossinnov.validate import Validator
from crossinnov.writes import Change


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(store=str(tmp_path / "store"))


@pytest.fixture
def store(settings):
    with open_store(settings) as s:
        yield s


@pytest.fixture(scope="session")
def shipped_quads(tmp_path_factory, validator) -> list[ox.Quad]:
    """The shipped data as loaded by `crossinnov load` (validated, with its changelog)."""
    settings = Settings(store=str(tmp_path_factory.mktemp("shipped") / "store"))
    with open_store(settings) as s:
        units, _ = shipped_units(s)
        report = load_units(s, units, validator, Change("load", s.iris.agent("cli")))
        assert report.conforms, [r.as_text() for r in report.rejected]
        return list(s.quads())


@pytest.fixture
def loaded_store(store, shipped_quads):
    """A fresh on-disk store holding the shipped data."""
    store.add_quads(shipped_quads)
    return store


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    # keep the developer's own store and settings out of CLI tests
    for name in ("CROSSINNOV_STORE", "CROSSINNOV_BASE", "CROSSINNOV_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


# --- the web app ------------------------------------------------------------------------------

def store_with_shipped_data(path, shipped_quads) -> str:
    """Write the shipped data into a new on-disk store at ``path``; return the path."""
    with open_store(Settings(store=str(path))) as s:
        s.add_quads(shipped_quads)
    return str(path)


@pytest.fixture(scope="session")
def make_app(tmp_path_factory, shipped_quads):
    """Build apps over fresh on-disk copies of the shipped data; all are closed at the end."""
    from crossinnov.web import create_app

    apps = []

    def build(**config):
        path = store_with_shipped_data(tmp_path_factory.mktemp("app") / "store", shipped_quads)
        app = create_app({"STORE": path, "QUERY_WORKERS": 1, "QUERY_TIMEOUT": 20.0,
                          "TESTING": True, "ANALYSE_ON_START": False, **config})
        apps.append(app)
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

    def __init__(self, app) -> None:
        import threading

        import waitress

        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=6)
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
