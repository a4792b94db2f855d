"""The SPARQL screen of big loads agrees with pySHACL: it flags every node pySHACL rejects.

The screen (crossinnov.validation.screen) only decides which units pySHACL must look at; a
unit it clears is written unchecked. So soundness is what matters: on every
shape fixture (one per sh:message) each node pySHACL reports must be flagged.
It must also be useful: on valid data it clears the organisations, practices
and events (otherwise big loads fall back to pySHACL for everything).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from test_shapes import FIXTURES, _param  # its folder is on sys.path (pytest's prepend)

import crossinnov.writes.load as loader
from crossinnov.formats import from_rdflib
from crossinnov.generate import Generator, Plan
from crossinnov.ingest import Unit
from crossinnov.ingest.files import quads_to_units
from crossinnov.namespaces import CI, FOAF, SCHEMA
from crossinnov.writes.changes import Change
from crossinnov.writes.load import check_units

CHECKED_KINDS = {CI.Organisation, CI.GoodPractice, CI.Event}


def _flagged(validator, graph: rdflib.Graph) -> set[str]:
    return {n.value for n in validator.might_violate(from_rdflib(graph))
            if isinstance(n, ox.NamedNode)}


@pytest.mark.parametrize("path", [_param(p) for p in FIXTURES])
def test_screen_flags_every_node_pyshacl_rejects(path, validator):
    graph = rdflib.Graph().parse(path, format="turtle")
    report = validator.validate(graph)
    rejected = {v.focus for v in report.violations}
    flagged = _flagged(validator, graph)
    assert rejected <= flagged, f"the screen missed {sorted(rejected - flagged)}:\n{report.text}"
    if path.parent.name == "valid":
        # useful: valid organisations, practices and events are cleared without pySHACL
        typed = {str(s) for k in CHECKED_KINDS
                 for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(k.value))}
        assert not (flagged & typed), f"valid nodes flagged: {sorted(flagged & typed)}"


def test_screen_clears_the_shipped_organisations(validator, loaded_store):
    """On real data the screen lets pySHACL skip every organisation, practice and event."""
    triples = [q.triple for q in loaded_store.quads()]
    flagged = {n for n in validator.might_violate(triples)}
    typed = {t.subject for t in triples if t.predicate.value == str(rdflib.RDF.type)
             and t.object in CHECKED_KINDS}
    assert typed and not (flagged & typed)


def _planted_units(store, n: int = 200) -> list[Unit]:
    """A generated batch with faults planted in some organisations, one kind each."""
    quads = list(Generator(Plan(n, 7), store.iris).quads())
    orgs = sorted({q.subject for q in quads if q.predicate.value == str(rdflib.RDF.type)
                   and q.object == CI.Organisation}, key=lambda s: s.value)
    xsd = "http://www.w3.org/2001/XMLSchema#"
    planted = {
        orgs[1]: lambda q: q.predicate != SCHEMA.name,                            # no name
        orgs[2]: lambda q: q.predicate != CI.basedIn,                            # profiled, no city
    }
    out = [q for q in quads if q.subject not in planted or planted[q.subject](q)]
    g = lambda s: next(q.graph_name for q in quads if q.subject == s)  # noqa: E731
    extra = [
        (orgs[3], SCHEMA.foundingDate, ox.Literal("3999", datatype=ox.NamedNode(xsd + "gYear"))),
        (orgs[4], SCHEMA.foundingDate,
         ox.Literal("nineteen", datatype=ox.NamedNode(xsd + "gYear"))),
        (orgs[5], CI.collaboratesWith, orgs[5]),
        (orgs[6], CI.collaboratesWith, store.iris.resource("organisation", "does-not-exist")),
        (orgs[7], FOAF.homepage, ox.Literal("ftp://example.org/")),
        (orgs[8], CI.basedIn, store.iris.resource("city", "tallinn")),
        (orgs[9], SCHEMA.name, ox.Literal("x" * 400)),
        (orgs[10], CI.inSector, store.iris.resource("city", "berlin")),
    ]
    out += [ox.Quad(s, p, o, g(s)) for s, p, o in extra]
    return quads_to_units(out, store.iris, source="planted faults")


def _outcome(accepted, rejected):
    return ({u.graph.value for u in accepted},
            sorted(r.as_text() for r in rejected))


def test_screened_check_equals_pyshacl_alone(validator, loaded_store, monkeypatch):
    units = _planted_units(loaded_store)
    monkeypatch.setattr(loader, "SCREEN_MIN", 10**9)
    monkeypatch.setattr(loader, "PARALLEL_CHECK_MIN", 10**9)
    alone = _outcome(*check_units(loaded_store, units, validator))
    monkeypatch.setattr(loader, "SCREEN_MIN", 1)
    screened = _outcome(*check_units(loaded_store, units, validator))
    assert screened == alone
    assert len(alone[1]) >= 9, alone[1]  # every planted fault was caught (plus followers)


def test_parallel_check_equals_serial(validator, loaded_store, monkeypatch):
    units = _planted_units(loaded_store, 120)
    monkeypatch.setattr(loader, "SCREEN_MIN", 10**9)
    monkeypatch.setattr(loader, "PARALLEL_CHECK_MIN", 10**9)
    serial = _outcome(*check_units(loaded_store, units, validator))
    monkeypatch.setattr(loader, "PARALLEL_CHECK_MIN", 1)
    monkeypatch.setattr(loader, "CHECK_CHUNK", 40)
    assert _outcome(*check_units(loaded_store, units, validator)) == serial


def test_a_screened_load_writes_only_the_good_units(validator, loaded_store, monkeypatch):
    monkeypatch.setattr(loader, "SCREEN_MIN", 1)
    units = _planted_units(loaded_store)
    report = loader.load_units(loaded_store, units, validator,
                               Change("load", loaded_store.iris.agent("cli")))
    assert report.rejected and report.accepted
    graphs = set(loaded_store.named_graphs())
    assert all(u.graph.value in graphs for u in report.accepted)
    assert not any(r.label and loaded_store.iris.base in r.label and r.label in graphs
                   for r in report.rejected)


@pytest.mark.parametrize("path", [_param(p) for p in FIXTURES])
def test_checking_named_focus_nodes_equals_checking_the_whole_graph(path, validator):
    """Writes name their focus nodes, so pySHACL runs only the shapes that target them:
    on every fixture that gives the same violations as pySHACL finding targets itself."""
    graph = rdflib.Graph().parse(path, format="turtle")
    whole = validator.validate(graph)
    focus = sorted({s for s in graph.subjects(rdflib.RDF.type, None)
                    if isinstance(s, rdflib.URIRef)})
    focused = validator.validate(from_rdflib(graph), focus=[ox.NamedNode(str(s)) for s in focus])
    expected = [v for v in whole.violations if v.focus in {str(s) for s in focus}]
    assert focused.violations == expected
    assert focused.conforms == (not expected)


@pytest.mark.parametrize("constraint", [
    'sh:languageIn ( "en" )',                                 # a component it does not compile
    "sh:node [ sh:property [ sh:path ex:q ; sh:minCount 1 ] ]",
    'sh:sparql [ sh:select "SELECT $this WHERE { $this ex:p ?x }" ]',  # on a property shape
])
def test_what_the_screen_cannot_compile_goes_to_pyshacl(constraint):
    from crossinnov.validation.screen import Screen

    shapes = rdflib.Graph().parse(format="turtle", data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; {constraint} ] .""")
    ex = "http://example.org/"
    rdf_type = ox.NamedNode(str(rdflib.RDF.type))
    triples = [ox.Triple(ox.NamedNode(ex + "a"), rdf_type, ox.NamedNode(ex + "C")),
               ox.Triple(ox.NamedNode(ex + "a"), ox.NamedNode(ex + "p"),
                         ox.Literal("x", language="en")),
               ox.Triple(ox.NamedNode(ex + "b"), rdf_type, ox.NamedNode(ex + "Other"))]
    assert Screen(shapes).flagged(triples) == {ox.NamedNode(ex + "a")}
