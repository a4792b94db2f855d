"""The store: union default graph as a set, FROM honoured, atomic graph replacement, symmetry."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from crossinnov.config import Settings
from crossinnov.ingest.profile import profile_to_unit
from crossinnov.store import StoreError, open_store
from crossinnov.writes import Change, delete_organisation, replace_units

DUPLICATES = """
SELECT ?s ?p ?o (COUNT(?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1)
"""


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


def test_on_disk_store_survives_reopen(settings):
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
    assert not list(loaded_store.quads(closure))
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
    assert not loaded_store.ask("ASK { { ?org ?p ?o } UNION { ?s ?p ?org } }", org=org)
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
