"""Files into units (crossinnov.ingest.files): JSON and CSV of profiles, and RDF files, each
problem with its place in the file; every triple goes to its subject's graph.
"""

from __future__ import annotations

import pytest

from crossinnov.formats import RDF_FORMATS
from crossinnov.ingest import IngestError
from crossinnov.ingest.files import read_json, read_profiles_csv, read_rdf
from crossinnov.iris import IRIs
from crossinnov.writes.load import check_units

IRIS = IRIs("https://w3id.org/crossinnov/")


def test_json_file_errors_give_line_and_column():
    with pytest.raises(IngestError, match="line 2 column"):
        read_json(b'{"name": "x",\n  oops}', IRIS, source="p.json")


def test_csv_of_profiles_keeps_row_numbers(loaded_store, validator):
    data = (b"id,name,city,sectors,themes,founded\n"
            b"a-one,A One,berlin,design;ict,brokerage,1999\n"
            b"a-two,A Two,nowhere,design,,\n")
    units, rejected = read_profiles_csv(data, IRIS, source="p.csv")
    assert rejected == [] and len(units) == 2
    accepted, failed = check_units(loaded_store, units, validator)
    assert [u.label for u in accepted] == ["p.csv line 2 (a-one)"]
    assert failed[0].label == "p.csv line 3 (a-two)"
    assert failed[0].errors[0].field == "city" and failed[0].errors[0].value == "nowhere"


def test_csv_with_unknown_columns_is_unreadable():
    with pytest.raises(IngestError, match="line 1: unknown column"):
        read_profiles_csv(b"name,town\nX,Berlin\n", IRIS, source="p.csv")


def test_rdf_triples_are_split_into_one_graph_per_resource():
    ttl = b"""
    @prefix ci: <https://w3id.org/crossinnov/ontology#> .
    @prefix schema: <https://schema.org/> .
    <https://w3id.org/crossinnov/id/organisation/a> a ci:Organisation ; schema:name "A" ;
        schema:address [ schema:streetAddress "1 Main St" ] .
    <https://w3id.org/crossinnov/id/organisation/b> a ci:Organisation ; schema:name "B" .
    """
    units = read_rdf(ttl, RDF_FORMATS["turtle"], IRIS, source="x.ttl")
    by_graph = {u.graph.value.rsplit("/", 1)[1]: u for u in units}
    assert set(by_graph) == {"a", "b"}
    assert len(by_graph["a"].triples) == 4  # the blank node goes with its owner
    assert by_graph["a"].focus == [IRIS.organisation("a")]


def test_quads_keep_their_graph():
    nq = (b'<https://w3id.org/crossinnov/id/organisation/a> <https://schema.org/name> "A" '
          b'<https://w3id.org/crossinnov/graph/organisation/a> .\n')
    (unit,) = read_rdf(nq, RDF_FORMATS["nquads"], IRIS, source="x.nq")
    assert unit.graph == IRIS.graph("organisation", "a")


@pytest.mark.parametrize("fmt,data", [
    ("turtle", b"<a> <b> ."),
    ("ntriples", b"<http://ex/a> <http://ex/b> \"x .\n"),
    ("xml", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><oops"),
    ("jsonld", b'{"@id": 5}'),
])
def test_malformed_rdf_is_an_ingest_error_with_position(fmt, data):
    with pytest.raises(IngestError, match=f"x: invalid {fmt}"):
        read_rdf(data, RDF_FORMATS[fmt], IRIS, source="x")


def test_triples_go_to_their_subjects_graph_whatever_graph_a_file_says():
    nq = (b'<https://w3id.org/crossinnov/id/organisation/a> <https://schema.org/name> "A" '
          b'<https://w3id.org/crossinnov/graph/city/rome> .\n'
          b'<https://w3id.org/crossinnov/id/organisation/a> <https://schema.org/name> "A" '
          b'<https://w3id.org/crossinnov/graph/organisation/a> .\n')
    (unit,) = read_rdf(nq, RDF_FORMATS["nquads"], IRIS, source="x.nq")
    assert unit.graph == IRIS.graph("organisation", "a") and len(unit.triples) == 1


def test_bookkeeping_is_skipped_and_foreign_subjects_are_rejected():
    nq = (b'<https://w3id.org/crossinnov/dataset> <http://purl.org/dc/terms/modified> "x" '
          b'<https://w3id.org/crossinnov/graph/changelog> .\n'
          b'<https://w3id.org/crossinnov/id/organisation/b> '
          b'<https://w3id.org/crossinnov/ontology#collaboratesWith> '
          b'<https://w3id.org/crossinnov/id/organisation/a> '
          b'<https://w3id.org/crossinnov/graph/inferred/collaborations> .\n'
          b'<http://example.org/other> <https://schema.org/name> "Other" .\n')
    units = read_rdf(nq, RDF_FORMATS["nquads"], IRIS, source="x.nq")
    assert len(units) == 1
    assert units[0].problems and "not a resource of crossinnov" in units[0].problems[0].message
