"""The dataset a query at ``/sparql`` reads (SPARQL 1.1 Protocol 2.1.4, SPARQL 1.1 Query 13).

Without a dataset in the query or the request, the default graph is the union of the named
graphs, as a set; ``FROM``/``FROM NAMED`` replace it; the protocol's
``default-graph-uri``/``named-graph-uri`` replace those. Over real HTTP, read back with rdflib;
the rule itself is tested in ``sparql/test_dataset.py``.
"""

from __future__ import annotations

import pytest
from endpoint import (
    ALL_QUADS,
    DISTINCT_TRIPLES,
    PREFIXES,
    UNION_COUNT,
    Serve,
    boolean,
    city,
    city_graph,
    column,
    get,
    graph_size,
    number,
    post_direct,
    post_form,
    rows,
)


@pytest.fixture(scope="module")
def serve(make_app):
    serve = Serve(make_app)
    yield serve
    serve.close()


@pytest.fixture(scope="module")
def live(live_server, app):
    """The shared read-only server, with its app at hand for the store's own counts."""
    live_server.app = app
    return live_server


def test_default_graph_is_the_union_of_the_named_graphs_as_a_set(live):
    distinct = rows(get(live, DISTINCT_TRIPLES))
    assert len({(r["s"], r["p"], r["o"]) for r in distinct}) == len(distinct)
    union = number(live, UNION_COUNT)
    assert union == len(distinct)
    # every quad of the store is in a named graph, and the union holds all of them
    assert number(live, ALL_QUADS) == len(live.app.extensions["crossinnov"].store) >= union > 1000
    # triples of two different graphs meet in the default graph
    both = (f"ASK {{ <{city('berlin')}> skos:notation 'berlin' . "
            f"<{city('rome')}> skos:notation 'rome' }}")
    assert boolean(get(live, PREFIXES + both)) is True


def test_from_replaces_the_union(live):
    berlin = city_graph("berlin")
    size = len(list(live.app.extensions["crossinnov"].store.quads(berlin)))
    assert size > 0
    assert number(live, f"SELECT (COUNT(*) AS ?n) FROM <{berlin}> WHERE {{ ?s ?p ?o }}") == size
    assert number(live, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{berlin}> {{ ?s ?p ?o }} }}") \
        == size
    notations = PREFIXES + f"SELECT ?n FROM <{berlin}> WHERE {{ ?c skos:notation ?n }}"
    assert column(get(live, notations), "n") == ["berlin"]
    # two FROM: their merge
    two = (f"SELECT ?n FROM <{berlin}> FROM <{city_graph('rome')}> "
           "WHERE { ?c skos:notation ?n } ORDER BY ?n")
    assert column(get(live, PREFIXES + two), "n") == ["berlin", "rome"]
    # a graph the store does not hold is empty (and is not fetched)
    assert number(live, "SELECT (COUNT(*) AS ?n) FROM <https://example.org/nothing> "
                        "WHERE { ?s ?p ?o }") == 0


def test_from_named(live):
    query = (f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{city_graph('berlin')}> "
             f"FROM NAMED <{city_graph('rome')}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} "
             "GROUP BY ?g ORDER BY ?g")
    answer = {str(r["g"]): int(r["n"]) for r in rows(get(live, query))}
    assert answer == {city_graph(c): graph_size(live, city_graph(c)) for c in ("berlin", "rome")}
    assert min(answer.values()) > 0
    # with FROM NAMED alone the default graph is empty (SPARQL 1.1 Query 13.2)
    assert number(live, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{city_graph('berlin')}> "
                        "WHERE { ?s ?p ?o }") == 0
    # FROM and FROM NAMED together
    query = (PREFIXES + f"ASK FROM <{city_graph('linz')}> FROM NAMED <{city_graph('berlin')}> "
             "{ ?l skos:notation 'linz' GRAPH ?g { ?b skos:notation ?n } }")
    assert boolean(get(live, query)) is True
    query = (PREFIXES + f"ASK FROM <{city_graph('linz')}> FROM NAMED <{city_graph('berlin')}> "
             "{ GRAPH ?g { ?r skos:notation 'rome' } }")
    assert boolean(get(live, query)) is False


def test_protocol_dataset_overrides_the_query_dataset(live):
    """default-graph-uri / named-graph-uri replace FROM / FROM NAMED (protocol 2.1.4)."""
    notations = PREFIXES + (f"SELECT ?n FROM <{city_graph('berlin')}> "
                            "WHERE { ?c skos:notation ?n } ORDER BY ?n")
    assert column(get(live, notations), "n") == ["berlin"]
    assert column(get(live, notations, default_graph_uri=city_graph("rome")), "n") == ["rome"]
    assert column(post_form(live, notations, default_graph_uri=[city_graph("rome"),
                                                                city_graph("linz")]),
                  "n") == ["linz", "rome"]
    assert column(post_direct(live, notations, default_graph_uri=city_graph("warsaw")),
                  "n") == ["warsaw"]
    graphs = (f"SELECT DISTINCT ?g FROM NAMED <{city_graph('berlin')}> "
              "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert column(get(live, graphs), "g") == [city_graph("berlin")]
    assert column(get(live, graphs, named_graph_uri=city_graph("tallinn")), "g") == \
        [city_graph("tallinn")]


@pytest.fixture(scope="module")
def shared_triple(serve):
    """A server that was asked to load one triple into two graphs: Berlin's notation also in
    Rome's graph (a TriG file, through crossinnov's loader, as every write goes)."""
    import pyoxigraph as ox

    from crossinnov.formats import RDF_FORMATS
    from crossinnov.ingest.files import read_rdf
    from crossinnov.validation.shacl import Validator
    from crossinnov.writes.changes import Change
    from crossinnov.writes.load import load_units

    server = serve()
    store = server.app.extensions["crossinnov"].store
    quads = [q for g in (city_graph("berlin"), city_graph("rome")) for q in store.quads(g)]
    quads.append(ox.Quad(ox.NamedNode(city("berlin")),
                         ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation"),
                         ox.Literal("berlin"), ox.NamedNode(city_graph("rome"))))
    trig = ox.serialize(quads, format=ox.RdfFormat.TRIG)
    units = read_rdf(trig, RDF_FORMATS["trig"], store.iris, source="two-graphs.trig")
    report = load_units(store, units, Validator(), Change("load", store.iris.agent("test")))
    assert report.conforms, [r.as_text() for r in report.rejected]
    return server


def test_union_counts_a_triple_of_two_graphs_once(shared_triple):
    """pyoxigraph's union counts a triple once per graph that holds it (FIELD-NOTES); crossinnov
    keeps every triple in exactly one graph (that of its subject), so the union is a set."""
    distinct = len(rows(get(shared_triple, DISTINCT_TRIPLES)))
    assert number(shared_triple, ALL_QUADS) == distinct  # the triple was kept once
    assert number(shared_triple, UNION_COUNT) == distinct


def test_from_merge_counts_a_triple_of_two_graphs_once(shared_triple):
    """FROM lists are bags in pyoxigraph (FIELD-NOTES); SPARQL 1.1 Query 13.2.1 says the merge
    is a set. With each triple in one graph, the merge of distinct graphs is a set."""
    two = (f"SELECT (COUNT(*) AS ?n) FROM <{city_graph('berlin')}> FROM <{city_graph('rome')}> "
           "WHERE { ?s ?p ?o }")
    sizes = [graph_size(shared_triple, city_graph(c)) for c in ("berlin", "rome")]
    assert number(shared_triple, two) == sum(sizes) > 0
