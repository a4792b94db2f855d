"""Ties derived from good practices (crossinnov.writes.changes: the closure graph), as writes
change the graph: a statement wins over a derived link and gives it back, a declined tie is
nowhere, a deleted organisation keeps none, a rewritten practice redoes its ties.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from crossinnov.config import DEFAULT_BASE

#: every test runs with both ways of clearing the closure (tests/conftest.py)
pytestmark = pytest.mark.usefixtures("closure_clearing")

CI = rdflib.Namespace("https://w3id.org/crossinnov/ontology#")
DERIVED = DEFAULT_BASE + "graph/derived/practice-ties"
CLOSURE = DEFAULT_BASE + "graph/inferred/collaborations"
DUPLICATES = """
SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } GRAPH ?h { ?s ?p ?o } FILTER(STR(?g) < STR(?h)) }
"""


LISBON = DEFAULT_BASE + "id/organisation/municipality-of-lisbon"


ETIC = DEFAULT_BASE + "id/organisation/etic"


def _etic(store, **fields):
    from crossinnov.ingest.profile import profile_to_unit
    from crossinnov.writes.changes import Change, replace_units

    unit = profile_to_unit({"id": "etic", "name": "ETIC", "city": "lisbon",
                            "sectors": ["creative-industries"], **fields}, store.iris)
    assert not unit.problems
    replace_units(store, [unit], Change("replace", store.iris.agent("test")))


def _links(store, a: str, b: str) -> dict[tuple[str, str], set[str]]:
    """The ci:collaboratesWith links between two organisations, each with its graphs."""
    out: dict[tuple[str, str], set[str]] = {}
    for x, y in ((a, b), (b, a)):
        rows = store.select(f"SELECT ?g WHERE {{ GRAPH ?g {{ <{x}> <{CI.collaboratesWith}> "
                            f"<{y}> }} }}")
        out[(x, y)] = {r["g"].value for r in rows}
    return out


def _marks(store, a: str, b: str) -> set[tuple[str, str]]:
    rows = store.select(f"SELECT ?s ?o WHERE {{ VALUES (?s ?o) {{ (<{a}> <{b}>) (<{b}> <{a}>) }} "
                        f"?s <{CI.collaborationUnconfirmedBy}> ?o }}")
    return {(r["s"].value, r["o"].value) for r in rows}


def _tie_count(store) -> int:
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DERIVED}> {{ ?t a "
                        f"<{CI.DerivedTie}> ; <{CI.tieBetween}> <{LISBON}> , <{ETIC}> }} }}")
    return int(rows[0]["n"].value)


def test_a_statement_wins_over_the_derived_link_and_gives_it_back(loaded_store):
    store = loaded_store
    assert _links(store, LISBON, ETIC) == {(LISBON, ETIC): {CLOSURE}, (ETIC, LISBON): {CLOSURE}}
    # ETIC states it: its graph holds its link, the other direction is the one-sided inverse
    # (marked: the mark says who stated what; the practice is evidence of its own)
    _etic(store, collaboratesWith=["municipality-of-lisbon"])
    etic_graph = store.iris.graph("organisation", "etic").value
    assert _links(store, LISBON, ETIC) == {(LISBON, ETIC): {CLOSURE}, (ETIC, LISBON): {etic_graph}}
    assert _marks(store, LISBON, ETIC) == {(ETIC, LISBON)}
    assert _tie_count(store) == 1 and store.select(DUPLICATES) == []
    # withdrawn: the derived links come back, unmarked
    _etic(store)
    assert _links(store, LISBON, ETIC) == {(LISBON, ETIC): {CLOSURE}, (ETIC, LISBON): {CLOSURE}}
    assert _marks(store, LISBON, ETIC) == set()
    assert store.select(DUPLICATES) == []


def test_a_declined_derived_tie_is_nowhere_but_its_practice_stays(loaded_store):
    from crossinnov.writes.changes import rebuild_closure

    store = loaded_store
    _etic(store, declinesCollaborationWith=["municipality-of-lisbon"])
    assert _links(store, LISBON, ETIC) == {(LISBON, ETIC): set(), (ETIC, LISBON): set()}
    rebuild_closure(store)  # nor by a full rebuild
    assert _links(store, LISBON, ETIC) == {(LISBON, ETIC): set(), (ETIC, LISBON): set()}
    # what the practice says is untouched: the tie is still derived from it
    assert _tie_count(store) == 1
    practice = DEFAULT_BASE + "id/practice/fab-lab-lx"
    assert store.ask(f"ASK {{ <{practice}> <{CI.hasPartner}> <{ETIC}> }}")


def test_a_deleted_organisation_has_no_derived_link(loaded_store):
    from crossinnov.writes.changes import Change, delete_organisation

    store = loaded_store
    delete_organisation(store, ox.NamedNode(ETIC), store.iris.graph("organisation", "etic"),
                        Change("delete", store.iris.agent("test")))
    assert _links(store, LISBON, ETIC) == {(LISBON, ETIC): set(), (ETIC, LISBON): set()}
    assert store.select(DUPLICATES) == []


def test_rewriting_a_practice_redoes_its_ties(loaded_store):
    from crossinnov.ingest.shipped import build_shipped
    from crossinnov.writes.changes import Change, rebuild_closure, replace_units

    store = loaded_store
    units, _ = build_shipped(store.iris)
    (unit,) = [u for u in units if u.graph.value.endswith("/graph/practice/fab-lab-lx")]
    unit.triples = [t for t in unit.triples
                    if not (t.predicate.value == str(CI.hasPartner) and t.object.value == ETIC)]
    replace_units(store, [unit], Change("load", store.iris.agent("test")))
    assert _tie_count(store) == 0
    assert _links(store, LISBON, ETIC) == {(LISBON, ETIC): set(), (ETIC, LISBON): set()}
    # the practice's other partners keep theirs, and a full rebuild finds the same
    aip = DEFAULT_BASE + "id/organisation/aip-cci"
    assert _links(store, LISBON, aip) == {(LISBON, aip): {CLOSURE}, (aip, LISBON): {CLOSURE}}
    derived = {q.triple for g in (DERIVED, CLOSURE) for q in store.quads(g)}
    rebuild_closure(store)
    assert {q.triple for g in (DERIVED, CLOSURE) for q in store.quads(g)} == derived
