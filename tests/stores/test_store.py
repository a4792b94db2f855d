"""The Store interface (crossinnov.stores.base), as every backend keeps it: the union default
graph as a set, FROM and the protocol's dataset honoured, a failing update that changes
nothing, bound values, capped answers, bulk adds, read-only views, dumps.

Every test runs against both backends, in every run: the embedded Oxigraph store
(a folder) and a real Oxigraph server used as an external SPARQL 1.1 store; in a Virtuoso
run (``CROSSINNOV_TEST_STORE=virtuoso``) against a real Virtuoso 7 server too. What only
one backend does is in ``test_embedded.py`` and ``test_remote.py``; what writes do to the
graph, in ``writes/``.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import BACKENDS

from crossinnov.config import Settings
from crossinnov.ingest.profile import profile_to_unit
from crossinnov.stores import open_store
from crossinnov.stores.base import StoreError
from crossinnov.writes.changes import Change, replace_units

DUPLICATES = """
SELECT ?s ?p ?o (COUNT(?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1)
"""


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Both backends, whatever ``CROSSINNOV_TEST_STORE`` says (and Virtuoso when it says
    ``virtuoso``)."""
    return request.param


def count(store, query: str, **kw) -> int:
    return int(next(iter(store.query(query, **kw)))["n"].value)


def write_profile(store, data: dict) -> None:
    unit = profile_to_unit(data, store.iris)
    assert not unit.problems
    replace_units(store, [unit], Change("create", store.iris.agent("test")))


def test_store_survives_reopen(settings):
    with open_store(settings) as store:
        write_profile(store, {"id": "acme", "name": "Acme", "city": "berlin", "sectors": ["ict"]})
        n = len(store)
    with open_store(settings) as store:
        assert len(store) == n > 0
        assert store.ask("ASK { ?o <https://schema.org/name> 'Acme' }")


def test_read_only_view_while_a_writer_is_open(settings):
    with open_store(settings) as writer:
        write_profile(writer, {"id": "acme", "name": "Acme", "city": "berlin", "sectors": ["ict"]})
        writer.flush()
        reader = open_store(settings, read_only=True)
        assert reader.ask("ASK { ?o <https://schema.org/name> 'Acme' }")
        with pytest.raises(StoreError, match="read-only"):
            reader.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/b> 1 } }")


def test_default_graph_is_the_union_of_named_graphs(loaded_store):
    total = count(loaded_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    per_graph = count(loaded_store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert total == per_graph == len(loaded_store)


def test_every_triple_is_in_exactly_one_graph(loaded_store):
    assert loaded_store.select(DUPLICATES) == []


def test_from_replaces_the_union(loaded_store):
    berlin = loaded_store.iris.graph("city", "berlin").value
    q = f"SELECT (COUNT(*) AS ?n) FROM <{berlin}> WHERE {{ ?s ?p ?o }}"
    in_graph = sum(1 for _ in loaded_store.quads(berlin))
    assert count(loaded_store, q) == in_graph < len(loaded_store)
    # FROM NAMED limits GRAPH to the named graphs listed
    q = (f"SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <{berlin}> "
         "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert count(loaded_store, q) == 1


def test_protocol_dataset_overrides_from(loaded_store):
    berlin = loaded_store.iris.graph("city", "berlin").value
    rome = loaded_store.iris.graph("city", "rome").value
    q = f"SELECT (COUNT(*) AS ?n) FROM <{berlin}> WHERE {{ ?s ?p ?o }}"
    in_rome = sum(1 for _ in loaded_store.quads(rome))
    assert count(loaded_store, q, default_graph=[rome], named_graphs=[]) == in_rome
    q = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(loaded_store, q, default_graph=[], named_graphs=[berlin, rome]) == 2


@pytest.mark.not_on_virtuoso(reason="Virtuoso commits each operation of an update request on "
                               "its own: the operations before a failing one stay (its error "
                               "says so, see test_virtuoso.py)")
def test_a_failing_update_changes_nothing(loaded_store):
    before = sorted(str(q) for q in loaded_store.quads())
    bad = ("DROP GRAPH <https://w3id.org/crossinnov/graph/city/berlin> ; "
           "INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/b> 1 } } ; "
           "DROP GRAPH <http://ex/does-not-exist>")
    with pytest.raises(StoreError, match="changed nothing"):
        loaded_store.update(bad)
    assert sorted(str(q) for q in loaded_store.quads()) == before


def test_bindings_are_substituted_not_pasted(loaded_store):
    hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { "')
    rows = loaded_store.select("SELECT ?name ?org WHERE { ?org <https://schema.org/name> ?name }",
                               name=hostile)
    assert rows == []
    assert len(loaded_store) > 0
    rows = loaded_store.select("SELECT ?org ?name WHERE { ?org <https://schema.org/name> ?name }",
                               org=loaded_store.iris.organisation("pakmarkas"))
    assert [r["name"].value for r in rows] == ["PakMarkas (JSC)"]


# --- what every backend must do alike (regressions of the external store) ----------------------

def test_answer_is_capped_and_resolves_relative_iris(loaded_store):
    """Regression: the external store passed the server's bytes through, uncapped and without
    the base IRI. The web's answers: at most max_rows rows, relative IRIs against the
    endpoint's URL."""
    from crossinnov.sparql.answers import QuerySpec

    cities = "SELECT ?c WHERE { ?c a <https://w3id.org/crossinnov/ontology#City> }"
    answer = loaded_store.answer(QuerySpec(cities, select_format="csv", max_rows=3))
    assert answer.truncated and answer.rows == 3
    assert len(answer.read().decode().split()) == 1 + 3
    relative = QuerySpec("SELECT ?x WHERE { BIND(<rel> AS ?x) }", select_format="tsv",
                         base_iri="http://example.org/sparql")
    assert "<http://example.org/rel>" in loaded_store.answer(relative).read().decode()


def test_bound_values_reach_queries_of_every_form(loaded_store):
    """Regression: values bound for a SPARQL server were pasted inside a keyword (WHER VALUES E)."""
    org = loaded_store.iris.organisation("pakmarkas")
    assert loaded_store.ask("ASK { ?org a <https://w3id.org/crossinnov/ontology#Organisation> }",
                            org=org)
    triples = loaded_store.construct("CONSTRUCT { ?org ?p ?o } WHERE { ?org ?p ?o }", org=org)
    assert triples and {t.subject for t in triples} == {org}
    graph = loaded_store.iris.graph("organisation", "pakmarkas").value
    assert {q.graph_name.value for q in loaded_store.quads(graph)} == {graph}


def test_bulk_add_keeps_blank_nodes_linked(store):
    """A bulk add (the loader's path for big loads) is one stream: blank nodes keep their links."""
    ex = "http://example.org/"
    quads = []
    for g in range(30):
        graph, head = ox.NamedNode(f"{ex}g{g}"), ox.BlankNode()
        quads.append(ox.Quad(ox.NamedNode(f"{ex}s{g}"), ox.NamedNode(ex + "list"), head, graph))
        quads.append(ox.Quad(head, ox.NamedNode(ex + "first"), ox.Literal(str(g)), graph))
    store.add_quads(quads, bulk=True)
    assert len(store) == len(quads)
    rows = store.select("SELECT ?s ?v WHERE { ?s <http://example.org/list> [ "
                        "<http://example.org/first> ?v ] }")
    assert sorted((r["s"].value, r["v"].value) for r in rows) == \
        sorted((f"{ex}s{g}", str(g)) for g in range(30))


def test_a_read_only_store_refuses_every_write(store):
    """Regression: ``open_store(read_only=True)`` gave a writable external store."""
    quad = ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                   ox.Literal("x"), ox.NamedNode("http://example.org/g"))
    store.add_quads([quad])
    reader = open_store(Settings(store=store.location), read_only=True)
    for write in (lambda: reader.add_quads([quad]), lambda: reader.add_quads([quad], bulk=True),
                  lambda: reader.update("DROP ALL")):
        with pytest.raises(StoreError, match="read-only"):
            write()
    assert list(store.quads()) == [quad]


@pytest.mark.parametrize("name", ["turtle", "ntriples", "nquads", "trig", "jsonld", "xml"])
def test_dump_in_every_format_is_the_store(loaded_store, name):
    import io

    import rdflib
    from rdflib.compare import isomorphic

    from crossinnov.formats import RDF_FORMATS, prefixes_for, to_rdflib

    spec = RDF_FORMATS[name]
    out = io.BytesIO()
    loaded_store.dump(out, spec.oxformat, prefixes=prefixes_for(loaded_store.iris))
    data = out.getvalue()
    if spec.is_dataset:
        parsed = set(ox.parse(data, format=spec.oxformat))
        assert len(parsed) == len(loaded_store)
        assert {q.graph_name for q in parsed} == \
            {ox.NamedNode(g) for g in loaded_store.named_graphs()}
    else:
        graph = rdflib.Graph().parse(data=data, format=spec.rdflib_name)
        assert isomorphic(graph, to_rdflib(loaded_store.quads()))
    if name in ("turtle", "trig"):
        assert b"@prefix ci: <https://w3id.org/crossinnov/ontology#>" in data


@pytest.mark.not_on_virtuoso(reason="Virtuoso lists no empty graph: GRAPH ?g { } binds no ?g, "
                               "and a graph made by CREATE GRAPH is seen once it holds a triple")
def test_named_graphs_include_empty_ones(store):
    store.update("CREATE GRAPH <http://example.org/empty>")
    assert store.named_graphs() == ["http://example.org/empty"]
    assert len(store) == 0 and list(store.quads("http://example.org/empty")) == []
    assert list(store.quads("http://example.org/never-made")) == []


def test_written_times_read_back_as_written(store):
    """Regression (Virtuoso): crossinnov's xsd:dateTime literals come back unchanged, whatever
    their fraction of a second (Virtuoso writes ".1" as ".100", Oxigraph as ".1")."""
    from datetime import UTC, datetime

    from crossinnov.writes.changes import datetime_literal

    quads = [ox.Quad(ox.NamedNode(f"http://example.org/t{us}"), ox.NamedNode("http://example.org/at"),
                     datetime_literal(datetime(2026, 1, 2, 3, 4, 5, us, tzinfo=UTC)),
                     ox.NamedNode("http://example.org/g"))
             for us in (0, 1, 100_000, 120_000, 123_000, 123_400, 123_450, 123_456)]
    store.add_quads(quads)
    assert sorted(map(str, store.quads())) == sorted(map(str, quads))


def test_computed_booleans_read_with_truth(store):
    """Virtuoso answers EXISTS and comparisons as xsd:integer 1/0, Oxigraph as xsd:boolean:
    crossinnov reads both with truth()."""
    from crossinnov.stores.base import truth

    store.add_quads([ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode(
        "http://example.org/p"), ox.Literal("x"), ox.NamedNode("http://example.org/g"))])
    row = store.select("SELECT ?yes ?no ?more WHERE { BIND(EXISTS { ?s ?p 'x' } AS ?yes) "
                       "BIND(EXISTS { ?s ?p 'y' } AS ?no) BIND((2 > 1) AS ?more) }")[0]
    assert (truth(row["yes"]), truth(row["no"]), truth(row["more"])) == (True, False, True)


def test_a_dataset_without_named_graphs_has_none(loaded_store):
    """Regression (Virtuoso): FROM without FROM NAMED, or a request's default graph alone,
    leaves GRAPH ?g nothing to match (Virtuoso took every graph)."""
    berlin = loaded_store.iris.graph("city", "berlin").value
    q = f"SELECT (COUNT(*) AS ?n) FROM <{berlin}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count(loaded_store, q) == 0
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(loaded_store, q, default_graph=[berlin]) == 0
    q = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{berlin}> WHERE {{ ?s ?p ?o }}"
    assert count(loaded_store, q) == 0


def test_describe_gives_what_is_said_of_a_resource(loaded_store):
    """Regression (Virtuoso): DESCRIBE gave only the triples pointing at the resource."""
    city = ox.NamedNode(loaded_store.iris.base + "id/city/berlin")
    triples = loaded_store.construct(f"DESCRIBE <{city.value}>")
    assert ox.Triple(city, ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation"),
                     ox.Literal("berlin")) in triples
