"""What only the embedded store (crossinnov.stores.embedded, a folder or ``:memory:``) does:
one writer per folder, separate memory stores, a read-only view of a folder not made yet,
the default graph left out of the store's quads, and filling an empty store with the bulk
loader (what an interrupted fill leaves).

What every backend does alike is in ``test_store.py``.
"""

from __future__ import annotations

import os
import signal

import pyoxigraph as ox
import pytest

from crossinnov.config import Settings
from crossinnov.stores import open_store
from crossinnov.stores.base import StoreError

EX = "http://example.org/"


def test_memory_store_is_empty_and_separate():
    a = open_store(Settings(store=":memory:"))
    b = open_store(Settings(store=":memory:"))
    a.add_quads([ox.Quad(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"),
                         ox.Literal("o"), ox.NamedNode("http://ex/g"))])
    assert len(a) == 1 and len(b) == 0


@pytest.mark.embedded_only(reason="a folder has one writer; a server takes many clients")
def test_second_writer_is_refused_with_a_clear_error(settings):
    with open_store(settings):
        with pytest.raises(StoreError, match="in use by another process"):
            open_store(settings)


def test_a_read_only_view_of_a_folder_with_nothing_stored_is_empty_and_makes_no_folder(tmp_path):
    folder = tmp_path / "not-loaded-yet"
    reader = open_store(Settings(store=str(folder)), read_only=True)
    assert reader.location == str(folder)
    assert len(reader) == 0 and reader.named_graphs() == []
    assert reader.ask("ASK { ?s ?p ?o }") is False
    with pytest.raises(StoreError, match="read-only"):
        reader.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> "
                      "<http://example.org/p> 1 } }")
    assert not folder.exists()


def test_the_default_graph_is_not_among_the_stores_quads():
    """Every triple of crossinnov lives in a named graph: a triple written to the default
    graph (by hand) is not among the quads the store lists, nor is the default graph one of
    its named graphs."""
    store = open_store(Settings(store=":memory:"))
    named = ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("named"),
                    ox.NamedNode(EX + "g"))
    default = ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("default"),
                      ox.DefaultGraph())
    store.add_quads([named, default])
    assert list(store.quads()) == [named]
    assert store.named_graphs() == [EX + "g"]
    assert [q.object.value for q in store.quads(EX + "g")] == ["named"]


@pytest.mark.embedded_only(reason="about the lock on a folder")
def test_closing_releases_the_folder_for_the_next_writer(settings):
    first = open_store(settings)
    first.add_quads([ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("x"),
                             ox.NamedNode(EX + "g"))])
    first.close()
    with open_store(settings) as second:
        assert len(second) == 1


# --- filling an empty store with the bulk loader (OxigraphStore.fill, Fill) --------------------

#: a `crossinnov load` of a big file into an empty store, killed (SIGKILL) as soon as the bulk
#: loader has written the file's quads to disk, before the load is finished
KILLED_LOAD = """
import os, signal, sys
from crossinnov.stores import embedded
from crossinnov.writes import load as loader
loader.BULK_THRESHOLD = 0
loader.PREFILL_MIN_BYTES = 0
real = embedded.Fill._load

def load_then_die(self, path, fmt):
    real(self, path, fmt)
    self.store.native.flush()  # the quads are in the store's files
    os.kill(os.getpid(), signal.SIGKILL)

embedded.Fill._load = load_then_die
from crossinnov.cli import main
main(["load", "--store", sys.argv[1], sys.argv[2]])
"""


@pytest.fixture(scope="module")
def generated_file(tmp_path_factory):
    from crossinnov.config import DEFAULT_BASE
    from crossinnov.generate import Plan, generate_file
    from crossinnov.iris import IRIs

    path = tmp_path_factory.mktemp("generated") / "generated.nq"
    generate_file(Plan(80, 3), IRIs(DEFAULT_BASE), path)
    return path


def _leftovers(folder) -> list[str]:
    from crossinnov.stores.embedded import FILL_FILE_PREFIX, FILLING_MARKER

    return sorted(p.name for p in folder.iterdir()
                  if p.name == FILLING_MARKER or p.name.startswith(FILL_FILE_PREFIX))


def test_a_load_killed_while_it_fills_an_empty_store_leaves_it_empty(tmp_path, generated_file,
                                                                    runner, monkeypatch):
    """Killed for real in the middle of a bulk load, the store is found with the quads written
    so far and the marker: refused read-only, emptied when opened for writing; loading again
    then gives what a load into a new folder gives."""
    import subprocess
    import sys
    from pathlib import Path

    from crossinnov.cli import main
    from crossinnov.stores.embedded import FILLING_MARKER
    from crossinnov.writes import load as loader

    folder = tmp_path / "store"
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", KILLED_LOAD, str(folder), str(generated_file)],
                          env=env, capture_output=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert (folder / FILLING_MARKER).exists()
    assert len(ox.Store.read_only(str(folder))) > 0  # half a load really is on disk
    with pytest.raises(StoreError, match="has not finished"):
        open_store(Settings(store=str(folder)), read_only=True)
    with open_store(Settings(store=str(folder))) as store:
        assert len(store) == 0 and store.is_empty()
    assert _leftovers(folder) == []

    monkeypatch.setattr(loader, "BULK_THRESHOLD", 0)
    monkeypatch.setattr(loader, "PREFILL_MIN_BYTES", 0)
    for where in (folder, tmp_path / "new"):
        result = runner.invoke(main, ["load", "--store", str(where), str(generated_file)])
        assert result.exit_code == 0, result.output
    with open_store(Settings(store=str(folder))) as again, \
            open_store(Settings(store=str(tmp_path / "new"))) as new:
        assert len(again) == len(new) > 0
        assert sorted(again.named_graphs()) == sorted(new.named_graphs())
    assert _leftovers(folder) == []


def test_a_fill_that_fails_is_undone_at_once(tmp_path, generated_file, runner, monkeypatch):
    """A bulk load that fails half-way (here: after the file's quads) leaves the store empty,
    without marker or files of its own, and the command fails."""
    from crossinnov.cli import main
    from crossinnov.stores import embedded
    from crossinnov.writes import load as loader

    monkeypatch.setattr(loader, "BULK_THRESHOLD", 0)
    monkeypatch.setattr(loader, "PREFILL_MIN_BYTES", 0)
    real = embedded.Fill._load
    calls = []

    def load_then_fail(self, path, fmt):
        real(self, path, fmt)
        calls.append(path)
        if len(calls) == 2:  # the file went in; what the load adds does not
            raise OSError("No space left on device")

    monkeypatch.setattr(embedded.Fill, "_load", load_then_fail)
    folder = tmp_path / "store"
    result = runner.invoke(main, ["load", "--store", str(folder), str(generated_file)])
    assert result.exit_code != 0 and "No space left" in result.output
    assert len(calls) == 2
    # emptied by the command itself, not by the next open (which would empty a marked store)
    assert _leftovers(folder) == []
    assert len(ox.Store.read_only(str(folder))) == 0


def test_only_an_empty_store_is_filled(tmp_path):
    with open_store(Settings(store=str(tmp_path / "s"))) as store:
        store.add_quads([ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"),
                                 ox.Literal("o"), ox.NamedNode(EX + "g"))])
        with pytest.raises(StoreError, match="empty"):
            store.fill(ox.Store())
        assert len(store) == 1
