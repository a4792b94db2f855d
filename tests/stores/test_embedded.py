"""What only the embedded store (crossinnov.stores.embedded, a folder or ``:memory:``) does:
one writer per folder, separate memory stores, a read-only view of a folder not made yet,
and the default graph left out of the store's quads.

What every backend does alike is in ``test_store.py``.
"""

from __future__ import annotations

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
