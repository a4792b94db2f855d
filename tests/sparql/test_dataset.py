"""The one rule for the dataset a query reads (crossinnov.sparql.dataset): without a dataset in
the query or the request, the default graph is the union of the named graphs; ``FROM`` or
``FROM NAMED`` in the query make it the query's own; graphs the request gives replace both.

Checked as the rule itself, as the keyword arguments pyoxigraph gets (and what pyoxigraph
then answers), and as the protocol fields a SPARQL server gets. Over HTTP:
``web/test_sparql_dataset.py``.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from crossinnov.sparql.dataset import given, oxigraph_dataset, protocol_fields, union_default

G1, G2 = "http://example.org/g1", "http://example.org/g2"
PLAIN = "SELECT ?o WHERE { ?s ?p ?o }"
WITH_FROM = f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}"
WITH_FROM_NAMED = f"SELECT ?o FROM NAMED <{G2}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
#: the words only, in a string, an IRI and a comment: no dataset clause
MENTIONS_FROM = ("SELECT ?o WHERE { ?s <http://example.org/FROM> ?o "
                 "FILTER(?o != 'FROM <x>') } # FROM <http://example.org/g1>")


@pytest.mark.parametrize("query", [PLAIN, MENTIONS_FROM])
def test_no_dataset_anywhere_means_the_union(query):
    assert union_default(query) is True
    assert not given(None, None)
    assert oxigraph_dataset(query) == {"use_default_graph_as_union": True}


@pytest.mark.parametrize("query", [WITH_FROM, WITH_FROM_NAMED, WITH_FROM.lower()])
def test_from_or_from_named_in_the_query_is_not_the_union(query):
    assert union_default(query) is False
    assert oxigraph_dataset(query) == {}  # pyoxigraph reads the query's own dataset
    assert protocol_fields(query, union_parameter="union-default-graph") == []


@pytest.mark.parametrize("default_graph,named_graphs", [([G1], None), (None, [G2]), ([], []),
                                                        ([G1, G2], [G2])])
def test_graphs_the_request_gives_replace_any_dataset(default_graph, named_graphs):
    assert given(default_graph, named_graphs)
    for query in (PLAIN, WITH_FROM):
        assert union_default(query, default_graph, named_graphs) is False
        kwargs = oxigraph_dataset(query, default_graph, named_graphs)
        assert kwargs == {"default_graph": [ox.NamedNode(g) for g in default_graph or []],
                          "named_graphs": [ox.NamedNode(g) for g in named_graphs or []]}
        assert protocol_fields(query, default_graph, named_graphs,
                               union_parameter="union-default-graph") == (
            [("default-graph-uri", g) for g in default_graph or []]
            + [("named-graph-uri", g) for g in named_graphs or []])


def test_a_server_is_told_to_use_the_union_only_when_the_rule_says_so():
    assert protocol_fields(PLAIN, union_parameter="union-default-graph") == [
        ("union-default-graph", "")]
    # a server configured to use the union by default is told nothing
    assert protocol_fields(PLAIN) == []


def test_pyoxigraph_answers_what_the_rule_says():
    """The keyword arguments give the answers the rule promises, on a store of two graphs."""
    store = ox.Store()
    for graph, value in ((G1, "one"), (G2, "two")):
        store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(value), ox.NamedNode(graph)))

    def values(query, default_graph=None, named_graphs=None) -> list[str]:
        kwargs = oxigraph_dataset(query, default_graph, named_graphs)
        return sorted(s["o"].value for s in store.query(query, **kwargs))

    assert values(PLAIN) == ["one", "two"]  # the union
    assert values(WITH_FROM) == ["one"]  # FROM honoured
    assert values(WITH_FROM, default_graph=[G2]) == ["two"]  # the request's graph replaces it
    assert values(WITH_FROM_NAMED) == ["two"]
    assert values(WITH_FROM_NAMED, named_graphs=[G1]) == ["one"]
    assert values(PLAIN, default_graph=[], named_graphs=[G1]) == []  # an empty default graph
