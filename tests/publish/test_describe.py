"""The dataset describing itself (crossinnov.publish.describe): VoID at ``/.well-known/void``
and the DCAT catalogue of ``/dumps/``, their counts computed from the store, and the two
saying the same of the dataset. Through the Flask test client, read back with rdflib.

The SPARQL service description is checked with the endpoint
(``web/test_sparql_endpoint.py``).
"""

from __future__ import annotations

import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from crossinnov.formats import to_rdflib

BASE = "https://w3id.org/crossinnov/"
CI = rdflib.Namespace(BASE + "ontology#")


def store_of(app):
    return app.extensions["crossinnov"].store


def union_graph(store) -> rdflib.Graph:
    return to_rdflib(store.quads())


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"),
                                        ("application/ld+json", "json-ld")])
def test_dump_list_is_a_dcat_catalogue(client, accept, fmt):
    response = client.get("/dumps/", headers={"Accept": accept})
    assert response.mimetype == accept
    g = rdflib.Graph().parse(data=response.get_data(), format=fmt)
    (catalog,) = g.subjects(RDF.type, DCAT.Catalog)
    (dataset,) = g.objects(catalog, DCAT.dataset)
    assert (dataset, RDF.type, DCAT.Dataset) in g
    assert g.value(dataset, DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert g.value(dataset, DCTERMS.publisher) is not None
    assert g.value(dataset, DCTERMS.modified) is not None
    distributions = list(g.objects(dataset, DCAT.distribution))
    assert len(distributions) == 12
    for d in distributions:
        url = str(g.value(d, DCAT.downloadURL))
        assert url.startswith("http://localhost/dumps/crossinnov.")
        assert str(g.value(d, DCAT.mediaType)).startswith("http://www.iana.org/assignments/media-types/")
    service = g.value(catalog, DCAT.service)
    assert str(g.value(service, DCAT.endpointURL)) == "http://localhost/sparql"


def test_void_and_dcat_say_the_same_of_the_dataset(client):
    """Regression: VoID gave the dataset a publisher literal and DCAT an agent IRI, with two
    different descriptions, so the dataset IRI had two publishers and two texts (issue 14)."""
    void = rdflib.Graph().parse(data=client.get("/.well-known/void").get_data(),
                                format="turtle")
    dcat = rdflib.Graph().parse(data=client.get("/dumps/", headers={
        "Accept": "text/turtle"}).get_data(), format="turtle")
    (dataset,) = dcat.objects(next(dcat.subjects(RDF.type, DCAT.Catalog)), DCAT.dataset)
    for prop in (DCTERMS.publisher, DCTERMS.title, DCTERMS.description, DCTERMS.license):
        said = {g.value(dataset, prop) for g in (void, dcat)}
        assert len(said) == 1 and None not in said, prop
    agent = void.value(dataset, DCTERMS.publisher)
    assert isinstance(agent, rdflib.URIRef)
    both = void + dcat
    assert len(set(both.objects(dataset, DCTERMS.publisher))) == 1
    assert void.value(agent, rdflib.URIRef("http://xmlns.com/foaf/0.1/name")) == \
        dcat.value(agent, rdflib.URIRef("http://xmlns.com/foaf/0.1/name"))


def test_void_counts_come_from_the_store(client, app):
    response = client.get("/.well-known/void")
    assert response.mimetype == "text/turtle"
    g = rdflib.Graph().parse(data=response.get_data(), format="turtle")
    ds = rdflib.URIRef(BASE + "dataset")
    store = store_of(app)
    union = union_graph(store)
    assert int(g.value(ds, VOID.triples)) == len(union)
    assert int(g.value(ds, VOID.distinctSubjects)) == len(set(union.subjects()))
    partitions = {str(g.value(p, VOID["class"])): int(g.value(p, VOID.entities))
                  for p in g.objects(ds, VOID.classPartition)}
    assert partitions[str(CI.City)] == 11
    assert partitions[str(CI.GoodPractice)] == 12
    props = {str(g.value(p, VOID.property)): int(g.value(p, VOID.triples))
             for p in g.objects(ds, VOID.propertyPartition)}
    assert props[str(CI.collaboratesWith)] == len(list(union.triples((None, CI.collaboratesWith,
                                                                      None))))
    vocabularies = {str(v) for v in g.objects(ds, VOID.vocabulary)}
    assert {str(CI), "https://schema.org/", "http://www.w3.org/2004/02/skos/core#"} <= vocabularies
    assert str(g.value(ds, VOID.sparqlEndpoint)) == "http://localhost/sparql"
    assert len(list(g.objects(ds, VOID.dataDump))) == 6
    assert g.value(ds, DCTERMS.license) is not None
    assert len(list(g.objects(ds, VOID.exampleResource))) >= 5


def test_void_in_json_ld(client):
    response = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    g = rdflib.Graph().parse(data=response.get_data(), format="json-ld")
    assert (rdflib.URIRef(BASE + "dataset"), RDF.type, VOID.Dataset) in g


def test_the_data_version_moves_with_a_profile_replaced_by_one_of_its_size_at_once(
        loaded_store):
    """The key of every cache the web app keeps, as another server over the same store
    reads it: a profile replaced by one of the same number of quads, straight after, still
    moves it — the dataset's modification time is kept to the microsecond, and the
    changelog grows by every write, so the number of quads moves too."""
    from crossinnov.ingest.profile import profile_to_unit
    from crossinnov.publish.describe import data_version
    from crossinnov.writes.changes import Change, replace_units

    def write(name: str) -> int:
        unit = profile_to_unit({"id": "same-size", "name": name, "city": "rome",
                                "sectors": ["design"]}, loaded_store.iris)
        replace_units(loaded_store, [unit], Change("replace", loaded_store.iris.agent("test"),
                                                   [unit.graph]))
        return len(list(loaded_store.quads(unit.graph.value)))

    size = write("Same Size A")
    modified, before = data_version(loaded_store)
    assert write("Same Size B") == size
    moved, after = data_version(loaded_store)
    assert after != before and moved != modified
