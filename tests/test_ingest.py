"""Ingest: profile JSON, CSV of profiles and RDF files into units; the SPARQL text scanner."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from crossinnov.ingest import IngestError
from crossinnov.ingest.files import read_json, read_profiles_csv, read_rdf
from crossinnov.ingest.profile import ProfileError, profile_to_unit, unit_to_profile
from crossinnov.iris import IRIs, slugify
from crossinnov.loader import check_units
from crossinnov.namespaces import CI, FOAF, SCHEMA, XSD
from crossinnov.rdfio import FORMATS
from crossinnov.sparqltext import has_dataset_clause, looks_like_update, query_form, uses_service

IRIS = IRIs("https://w3id.org/crossinnov/")
FULL = {
    "id": "pakmarkas-demo",
    "name": "JSC Pakmarkas",
    "city": "vilnius",
    "sectors": ["packaging", "design"],
    "themes": ["culture-based-innovation"],
    "description": "Packaging maker working with designers.\nSecond line.",
    "homepage": "https://example.org/",
    "email": "info@example.org",
    "founded": 1993,
    "collaboratesWith": ["beepart"],
    "seeksPartnersIn": ["ict"],
    "events": ["innovation-interface-berlin-2014"],
}


def test_profile_json_round_trips_through_rdf():
    unit = profile_to_unit(FULL, IRIS)
    assert unit.problems == []
    node = IRIS.organisation("pakmarkas-demo")
    assert unit.graph == IRIS.graph("organisation", "pakmarkas-demo")
    assert ox.Triple(node, SCHEMA.foundingDate, ox.Literal("1993", datatype=XSD.gYear)) in unit.triples
    assert ox.Triple(node, FOAF.homepage, ox.NamedNode("https://example.org/")) in unit.triples
    assert ox.Triple(node, CI.seeksPartnersIn, IRIS.resource("sector", "ict")) in unit.triples
    back = unit_to_profile(unit.triples, node, IRIS)
    assert back == {**FULL, "sectors": sorted(FULL["sectors"])}


def test_ids_and_iris_are_both_accepted():
    data = {**FULL, "city": "https://w3id.org/crossinnov/id/city/vilnius",
            "sectors": ["https://w3id.org/crossinnov/id/sector/design"]}
    unit = profile_to_unit(data, IRIS)
    assert unit.problems == []
    assert ox.Triple(IRIS.organisation("pakmarkas-demo"), CI.basedIn,
                     IRIS.resource("city", "vilnius")) in unit.triples


def test_id_defaults_to_the_slug_of_the_name():
    unit = profile_to_unit({"name": "Plzeň Design Studio", "city": "plzen", "sectors": ["design"]},
                           IRIS)
    assert unit.focus == [IRIS.organisation("plzen-design-studio")]
    assert slugify("  ÄÖ -- Ü  ") == "ao-u"


@pytest.mark.parametrize("data,field,words", [
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "colour": "red"}, "colour", "not a field"),
    ({"id": "x", "name": 42, "city": "berlin", "sectors": ["ict"]}, "name", "non-empty string"),
    ({"name": "X", "city": ["berlin"], "sectors": ["ict"]}, "city", "not a list"),
    ({"name": "X", "city": "berlin", "sectors": "ict"}, "sectors", "list of ids"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "founded": "1993"}, "founded",
     "whole number"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "founded": True}, "founded",
     "whole number"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "founded": 3000}, "founded",
     "between 1000"),
    ({"name": "X\u0000", "city": "berlin", "sectors": ["ict"]}, "name", "control character"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "description": "x" * 5001},
     "description", "longer than 5000"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "homepage": "javascript:alert(1)"},
     "homepage", "http:// or https://"),
    ({"name": "X", "city": "../../etc/passwd", "sectors": ["ict"]}, "city", "not a valid city id"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"],
      "collaboratesWith": ["http://evil.example/org"]}, "collaboratesWith", "must start with"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "events": [{"id": 1}]}, "events",
     "must be a event id"),
])
def test_schema_problems_name_the_field(data, field, words):
    unit = profile_to_unit(data, IRIS)
    problems = {p.field: p.message for p in unit.problems}
    assert field in problems and words in problems[field], problems


@pytest.mark.parametrize("data", [["a list"], "text", {"id": "Bad Id!", "name": "X"},
                                  {"id": "../x", "name": "X"}, {"name": "!!!"}])
def test_profiles_that_cannot_become_a_unit_raise(data):
    with pytest.raises(ProfileError):
        profile_to_unit(data, IRIS)


def test_put_id_must_match():
    unit = profile_to_unit({**FULL, "id": "other"}, IRIS, slug="pakmarkas-demo")
    assert [(p.field, p.value) for p in unit.problems] == [("id", "other")]
    assert "does not match" in unit.problems[0].message
    unit = profile_to_unit({k: v for k, v in FULL.items() if k != "id"}, IRIS, slug="pakmarkas-demo")
    assert unit.focus == [IRIS.organisation("pakmarkas-demo")]


def test_json_file_errors_give_line_and_column():
    with pytest.raises(IngestError, match="line 2 column"):
        read_json(b'{"name": "x",\n  oops}', IRIS, source="p.json")


def test_csv_of_profiles_keeps_row_numbers(loaded_store, validator):
    data = ("id,name,city,sectors,themes,founded\n"
            "a-one,A One,berlin,design;ict,brokerage,1999\n"
            "a-two,A Two,nowhere,design,,\n").encode()
    units, rejected = read_profiles_csv(data, IRIS, source="p.csv")
    assert rejected == [] and len(units) == 2
    accepted, failed = check_units(loaded_store, units, validator)
    assert [u.label for u in accepted] == ["p.csv line 2 (a-one)"]
    assert failed[0].label == "p.csv line 3 (a-two)"
    assert failed[0].errors[0].field == "city" and failed[0].errors[0].value == "nowhere"


def test_csv_with_unknown_columns_is_unreadable():
    with pytest.raises(IngestError, match="line 1: unknown column"):
        read_profiles_csv(b"name,town\nX,Berlin\n", IRIS, source="p.csv")


def test_a_unit_referencing_a_rejected_one_is_rejected_too(loaded_store, validator):
    units, _ = read_json(json.dumps([
        {"id": "good", "name": "Good", "city": "berlin", "sectors": ["ict"],
         "collaboratesWith": ["bad"]},
        {"id": "bad", "name": "Bad", "city": "berlin", "sectors": ["not-a-sector"]},
    ]).encode(), IRIS, source="p.json")
    accepted, failed = check_units(loaded_store, units, validator)
    assert accepted == []
    reasons = {r.label: {e.field for e in r.errors} for r in failed}
    assert reasons == {"p.json item 1 (good)": {"collaboratesWith"},
                       "p.json item 2 (bad)": {"sectors"}}


def test_rdf_triples_are_split_into_one_graph_per_resource():
    ttl = b"""
    @prefix ci: <https://w3id.org/crossinnov/ontology#> .
    @prefix schema: <https://schema.org/> .
    <https://w3id.org/crossinnov/id/organisation/a> a ci:Organisation ; schema:name "A" ;
        schema:address [ schema:streetAddress "1 Main St" ] .
    <https://w3id.org/crossinnov/id/organisation/b> a ci:Organisation ; schema:name "B" .
    """
    units = read_rdf(ttl, FORMATS["turtle"], IRIS, source="x.ttl")
    by_graph = {u.graph.value.rsplit("/", 1)[1]: u for u in units}
    assert set(by_graph) == {"a", "b"}
    assert len(by_graph["a"].triples) == 4  # the blank node goes with its owner
    assert by_graph["a"].focus == [IRIS.organisation("a")]


def test_quads_keep_their_graph():
    nq = (b'<https://w3id.org/crossinnov/id/organisation/a> <https://schema.org/name> "A" '
          b'<https://w3id.org/crossinnov/graph/organisation/a> .\n')
    (unit,) = read_rdf(nq, FORMATS["nquads"], IRIS, source="x.nq")
    assert unit.graph == IRIS.graph("organisation", "a")


@pytest.mark.parametrize("fmt,data", [
    ("turtle", b"<a> <b> ."),
    ("ntriples", b"<http://ex/a> <http://ex/b> \"x .\n"),
    ("xml", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><oops"),
    ("jsonld", b'{"@id": 5}'),
])
def test_malformed_rdf_is_an_ingest_error_with_position(fmt, data):
    with pytest.raises(IngestError, match=f"x: invalid {fmt}"):
        read_rdf(data, FORMATS[fmt], IRIS, source="x")


# the SPARQL text scanner -------------------------------------------------------------------

@pytest.mark.parametrize("query,expected", [
    ("SELECT * FROM <http://ex/g> WHERE { ?s ?p ?o }", True),
    ("select * from named <http://ex/g> where { graph ?g { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s ?p 'FROM here' }", False),
    ("SELECT * WHERE { ?s <http://ex/FROM> ?from }", False),
    ("PREFIX from: <http://ex/> SELECT * WHERE { ?s from:x ?o }", False),
    ("# FROM <x>\nSELECT * WHERE { ?s ?p ?o }", False),
    ('SELECT * WHERE { ?s ?p """\nFROM <x>\n""" }', False),
])
def test_dataset_clause_detection(query, expected):
    assert has_dataset_clause(query) is expected


def test_service_update_and_form_detection():
    assert uses_service("SELECT * { SERVICE <http://ex/sparql> { ?s ?p ?o } }")
    assert not uses_service("SELECT * { ?s ?p 'SERVICE' }")
    assert looks_like_update("DROP ALL")
    assert looks_like_update("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b 1 }")
    assert not looks_like_update("SELECT * WHERE { ?s ?p 'delete me' . ?s ex:insert ?o }")
    assert query_form("PREFIX select: <http://ex/> CONSTRUCT { ?s ?p ?o } WHERE { "
                      "{ SELECT ?s WHERE { ?s ?p ?o } } }") == "CONSTRUCT"
    assert query_form("ask {}") == "ASK"


def test_triples_go_to_their_subjects_graph_whatever_graph_a_file_says():
    nq = (b'<https://w3id.org/crossinnov/id/organisation/a> <https://schema.org/name> "A" '
          b'<https://w3id.org/crossinnov/graph/city/rome> .\n'
          b'<https://w3id.org/crossinnov/id/organisation/a> <https://schema.org/name> "A" '
          b'<https://w3id.org/crossinnov/graph/organisation/a> .\n')
    (unit,) = read_rdf(nq, FORMATS["nquads"], IRIS, source="x.nq")
    assert unit.graph == IRIS.graph("organisation", "a") and len(unit.triples) == 1


def test_bookkeeping_is_skipped_and_foreign_subjects_are_rejected():
    nq = (b'<https://w3id.org/crossinnov/dataset> <http://purl.org/dc/terms/modified> "x" '
          b'<https://w3id.org/crossinnov/graph/changelog> .\n'
          b'<https://w3id.org/crossinnov/id/organisation/b> '
          b'<https://w3id.org/crossinnov/ontology#collaboratesWith> '
          b'<https://w3id.org/crossinnov/id/organisation/a> '
          b'<https://w3id.org/crossinnov/graph/inferred/collaborations> .\n'
          b'<http://example.org/other> <https://schema.org/name> "Other" .\n')
    units = read_rdf(nq, FORMATS["nquads"], IRIS, source="x.nq")
    assert len(units) == 1
    assert units[0].problems and "not a resource of crossinnov" in units[0].problems[0].message
