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
