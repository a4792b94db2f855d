"""Writes to the graph (crossinnov.writes.changes): a replaced profile leaves nothing of the old
version, collaborations are made symmetric without duplicates, a deleted organisation leaves
no link to it, and every triple stays in exactly one graph.

Every test runs against both backends, in every run (as ``stores/test_store.py``). The ties
derived from good practices are in ``test_closure.py``.
"""

from __future__ import annotations

import pytest
from conftest import BACKENDS

from crossinnov.ingest.profile import profile_to_unit
from crossinnov.writes.changes import Change, delete_organisation, replace_units

#: every test runs with both ways of clearing the closure (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("closure_clearing")

DUPLICATES = """
SELECT ?s ?p ?o (COUNT(?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1)
"""


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Both backends, whatever ``CROSSINNOV_TEST_STORE`` says."""
    return request.param


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
    write_profile(loaded_store, {"id": "acme", "name": "Acme", "city": "berlin",
                                 "sectors": ["ict"]})
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


def test_shipped_collaborations_are_stated_by_both_sides(loaded_store):
    one_sided = loaded_store.select("""
        SELECT ?a ?b WHERE { ?a <https://w3id.org/crossinnov/ontology#collaboratesWith> ?b
          FILTER NOT EXISTS { ?b <https://w3id.org/crossinnov/ontology#collaboratesWith> ?a } }
    """)
    assert one_sided == []
    assert collaborators(loaded_store, "esa-tallinn") >= {"estonian-academy-of-arts",
                                                          "city-of-tallinn"}
