"""The store: union default graph as a set, FROM honoured, atomic graph replacement, symmetry.

Every test runs against both backends, in every run: the embedded Oxigraph store
(a folder) and a real Oxigraph server used as an external SPARQL 1.1 store.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import BACKENDS

from crossinnov.config import Settings
from crossinnov.ingest.profile import profile_to_unit
from crossinnov.store import StoreError, open_store
from crossinnov.writes import Change, delete_organisation, replace_units

DUPLICATES = """
SELECT ?s ?p ?o (COUNT(?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1)
"""


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Both backends, whatever ``CROSSINNOV_TEST_STORE`` says."""
    return request.param


def count(store, query: str, **kw) -> int:
    return int(next(iter(store.query(query, **kw)))["n"].value)


def write_profile(store, data: dict) -> None:
    unit = profile_to_unit(data, store.iris)
    assert not unit.problems
    replace_units(store, [unit], Change("create", store.iris.agent("test")))


def collaborators(store, slug: str) -> set[str]:
    rows = store.select(
        "SELECT ?org ?p WHERE { ?org <https://w3id.org/crossinnov/ontology#collaboratesWith> ?p }",
        org=store.iris.organisation(slug),
    )
    return {r["p"].value.rsplit("/", 1)[1] for r in rows}


def test_store_survives_reopen(settings):
    with open_store(settings) as store:
        write_profile(store, {"id": "acme", "name": "Acme", "city": "berlin", "sectors": ["ict"]})
        n = len(store)
    with open_store(settings) as store:
        assert len(store) == n > 0
        assert store.ask("ASK { ?o <https://schema.org/name> 'Acme' }")


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
    q = f"SELECT (COUNT(DISTINCT ?g) AS ?n) FROM NAMED <{berlin}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert count(loaded_store, q) == 1


def test_protocol_dataset_overrides_from(loaded_store):
    berlin = loaded_store.iris.graph("city", "berlin").value
    rome = loaded_store.iris.graph("city", "rome").value
    q = f"SELECT (COUNT(*) AS ?n) FROM <{berlin}> WHERE {{ ?s ?p ?o }}"
    in_rome = sum(1 for _ in loaded_store.quads(rome))
    assert count(loaded_store, q, default_graph=[rome], named_graphs=[]) == in_rome
    q = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(loaded_store, q, default_graph=[], named_graphs=[berlin, rome]) == 2


def test_replacing_a_profile_leaves_no_triple_of_the_old_version(loaded_store):
    write_profile(loaded_store, {
        "id": "acme", "name": "Acme Old", "city": "berlin", "sectors": ["ict", "design"],
        "themes": ["brokerage"], "collaboratesWith": ["beepart"], "founded": 1990,
    })
    write_profile(loaded_store, {"id": "acme", "name": "Acme New", "city": "rome",
                                 "sectors": ["music"]})
    graph = loaded_store.iris.graph("organisation", "acme").value
    triples = {(str(q.predicate), str(q.object)) for q in loaded_store.quads(graph)}
    text = " ".join(o for _, o in triples)
    for old in ("Acme Old", "city/berlin", "sector/ict", "sector/design", "theme/brokerage",
                "1990", "organisation/beepart"):
        assert old not in text
    assert "Acme New" in text and "city/rome" in text and "sector/music" in text
    # the old collaboration is gone in both directions
    assert "acme" not in collaborators(loaded_store, "beepart")
    assert loaded_store.select(DUPLICATES) == []


def test_one_sided_collaboration_is_made_symmetric_without_duplicates(loaded_store):
    write_profile(loaded_store, {"id": "acme", "name": "Acme", "city": "berlin",
                                 "sectors": ["ict"], "collaboratesWith": ["pakmarkas"]})
    assert "acme" in collaborators(loaded_store, "pakmarkas")
    closure = loaded_store.iris.closure_graph.value
    assert any(q.subject.value.endswith("/pakmarkas") for q in loaded_store.quads(closure))
    # the other side says it too: the inverse leaves the closure graph (one graph per triple)
    write_profile(loaded_store, {"id": "pakmarkas", "name": "PakMarkas", "city": "vilnius",
                                 "sectors": ["packaging"], "collaboratesWith": ["acme"]})
    assert loaded_store.select(DUPLICATES) == []
    # (the closure also holds ties derived from good practices: none of these two's)
    assert not [q for q in loaded_store.quads(closure)
                if {q.subject.value.rsplit("/", 1)[1], q.object.value.rsplit("/", 1)[1]}
                & {"acme", "pakmarkas"}]
    # acme withdraws: pakmarkas still states the link, so acme's inverse comes back
    write_profile(loaded_store, {"id": "acme", "name": "Acme", "city": "berlin", "sectors": ["ict"]})
    assert collaborators(loaded_store, "acme") == {"pakmarkas"}
    assert loaded_store.select(DUPLICATES) == []


def test_deleting_an_organisation_removes_its_graph_and_links_to_it(loaded_store):
    write_profile(loaded_store, {"id": "acme", "name": "Acme", "city": "berlin",
                                 "sectors": ["ict"], "collaboratesWith": ["pakmarkas", "beepart"]})
    org = loaded_store.iris.organisation("acme")
    delete_organisation(loaded_store, org, loaded_store.iris.graph("organisation", "acme"),
                        Change("delete", loaded_store.iris.agent("test")))
    # nothing but the changelog's tombstone names it any more
    changelog = loaded_store.iris.changelog_graph
    assert not loaded_store.ask("ASK { GRAPH ?g { { ?org ?p ?o } UNION { ?s ?p ?org } } "
                                f"FILTER(?g != {changelog}) }}", org=org)
    assert loaded_store.ask(f"ASK {{ GRAPH {changelog} {{ ?a "
                            "<http://www.w3.org/ns/prov#invalidated> ?org } }", org=org)
    assert "acme" not in collaborators(loaded_store, "pakmarkas")


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


def test_shipped_collaborations_are_stated_by_both_sides(loaded_store):
    one_sided = loaded_store.select("""
        SELECT ?a ?b WHERE { ?a <https://w3id.org/crossinnov/ontology#collaboratesWith> ?b
          FILTER NOT EXISTS { ?b <https://w3id.org/crossinnov/ontology#collaboratesWith> ?a } }
    """)
    assert one_sided == []
    assert collaborators(loaded_store, "esa-tallinn") >= {"estonian-academy-of-arts", "city-of-tallinn"}


# --- what every backend must do alike (regressions of the external store) -----------------------

def test_answer_is_capped_and_resolves_relative_iris(loaded_store):
    """The web's answers: at most max_rows rows, relative IRIs against the endpoint's URL.

    Regression: the external store passed the server's bytes through, uncapped and without
    the base IRI."""
    from crossinnov.workers import QuerySpec

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

    from crossinnov.rdfio import FORMATS, prefixes_for, to_rdflib

    spec = FORMATS[name]
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


def test_named_graphs_include_empty_ones(store):
    store.update("CREATE GRAPH <http://example.org/empty>")
    assert store.named_graphs() == ["http://example.org/empty"]
    assert len(store) == 0 and list(store.quads("http://example.org/empty")) == []
    assert list(store.quads("http://example.org/never-made")) == []


def test_a_profile_write_is_one_update_request(loaded_store, validator, monkeypatch):
    """Create, replace and delete each send one update: the graph, the inverse links and
    the changelog change together or not at all."""
    from crossinnov.auth import Holder
    from crossinnov.profiles import Profiles

    updates: list[str] = []
    real = loaded_store.update
    monkeypatch.setattr(loaded_store, "update", lambda text: (updates.append(text), real(text)))
    profiles = Profiles(loaded_store, validator)
    admin = Holder(None)
    data = {"id": "acme", "name": "Acme", "city": "berlin", "sectors": ["ict"],
            "collaboratesWith": ["pakmarkas"]}
    profiles.create(profile_to_unit(data, loaded_store.iris), admin)
    profiles.replace("acme", profile_to_unit({**data, "name": "Acme 2"}, loaded_store.iris),
                     admin)
    profiles.delete("acme", admin)
    assert len(updates) == 3
    assert "acme" not in collaborators(loaded_store, "pakmarkas")


def test_the_web_app_fills_an_empty_store(settings):
    """Regression: an empty external store was served empty (only a folder was filled)."""
    from crossinnov.web import create_app

    app = create_app({"STORE": settings.store, "QUERY_WORKERS": 1, "TESTING": True,
                      "ANALYSE_ON_START": False})
    try:
        store = app.extensions["crossinnov"].store
        assert store.ask("ASK { ?p a <https://w3id.org/crossinnov/ontology#GoodPractice> }")
        page = app.test_client().get("/id/city/linz", headers={"Accept": "text/turtle"})
        assert page.status_code == 200
    finally:
        app.extensions["crossinnov"].close()


def test_a_bulk_load_equals_a_transactional_one(store, shipped_quads, validator, monkeypatch):
    """The loader's path for big loads (bulk add, then the closure and the changelog) gives
    the graph a load in one transaction gives, also when it replaces graphs already there."""
    from crossinnov import loader

    def ground(quads) -> set[ox.Quad]:
        return {q for q in quads if q.graph_name != store.iris.changelog_graph
                and not isinstance(q.subject, ox.BlankNode)
                and not isinstance(q.object, ox.BlankNode)}

    monkeypatch.setattr(loader, "BULK_THRESHOLD", 0)
    units, _ = loader.shipped_units(store)
    for _ in range(2):  # the second load replaces every graph
        report = loader.load_units(store, units, validator,
                                   Change("load", store.iris.agent("test")))
        assert report.conforms and report.written
        assert ground(store.quads()) == ground(shipped_quads)
        assert len(store) == len(set(store.quads()))
    assert store.select(DUPLICATES) == []
    changes = store.select("SELECT ?a WHERE { GRAPH ?g { ?a a <http://www.w3.org/ns/prov#Activity> "
                           "} }")
    assert len(changes) == 2
