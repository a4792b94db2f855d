"""Dumps, VoID, DCAT and dereferenceable linked data, through the Flask test client."""

from __future__ import annotations

import gzip
import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from crossinnov.ingest.profile import profile_to_unit
from crossinnov.rdfio import FORMATS, to_rdflib
from crossinnov.writes import Change, replace_units

BASE = "https://w3id.org/crossinnov/"
CI = rdflib.Namespace(BASE + "ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")


def store_of(app):
    return app.extensions["crossinnov"].store


def union_graph(store) -> rdflib.Graph:
    return to_rdflib(store.quads())


def dataset_of(store) -> set[ox.Quad]:
    return set(store.quads())


# --- dumps -------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("compressed", [False, True])
def test_dump_in_each_format_is_the_store(client, app, fmt, compressed):
    spec = FORMATS[fmt]
    name = f"crossinnov.{spec.extension}" + (".gz" if compressed else "")
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response.mimetype == ("application/gzip" if compressed else spec.media_type)
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    data = response.get_data()
    if compressed:
        data = gzip.decompress(data)
    store = store_of(app)
    if spec.is_dataset:
        parsed = set(ox.parse(data, format=spec.oxformat))
        ground = {q for q in parsed if not isinstance(q.subject, ox.BlankNode)
                  and not isinstance(q.object, ox.BlankNode)}
        expected = {q for q in dataset_of(store) if not isinstance(q.subject, ox.BlankNode)
                    and not isinstance(q.object, ox.BlankNode)}
        assert ground == expected and len(parsed) == len(store)
    else:  # a real parser, independent of the writer
        graph = rdflib.Graph().parse(data=data, format=spec.rdflib_name)
        assert isomorphic(graph, union_graph(store))


def test_dump_revalidation_and_etag_change_after_a_write(make_app):
    app = make_app()
    client = app.test_client()
    first = client.get("/dumps/crossinnov.nt")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/dumps/crossinnov.nt", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/dumps/crossinnov.nt",
                      headers={"If-Modified-Since": modified}).status_code == 304
    listing = client.get("/dumps/").headers["ETag"]
    store = store_of(app)
    unit = profile_to_unit({"id": "etag-test", "name": "ETag Test", "city": "rome",
                            "sectors": ["music"]}, store.iris)
    replace_units(store, [unit], Change("create", store.iris.agent("test")))
    second = client.get("/dumps/crossinnov.nt", headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["ETag"] != etag
    assert b"ETag Test" in second.get_data()
    assert client.get("/dumps/").headers["ETag"] != listing
    # the etags of two formats differ
    assert client.get("/dumps/crossinnov.ttl").headers["ETag"] != second.headers["ETag"]


def test_head_on_a_dump_sends_headers_only(client):
    response = client.head("/dumps/crossinnov.ttl.gz")
    assert response.status_code == 200 and response.get_data() == b""
    assert response.headers["ETag"]


@pytest.mark.parametrize("name", ["crossinnov.exe", "other.ttl", "crossinnov", "crossinnov.ttl.zip"])
def test_unknown_dump_is_404(client, name):
    assert client.get(f"/dumps/{name}").status_code == 404


def test_dump_list_html(client):
    response = client.get("/dumps/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    for spec in FORMATS.values():
        assert f"crossinnov.{spec.extension}.gz" in text


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
    """Regression (issue 14): VoID gave the dataset a publisher literal and DCAT an agent IRI,
    with two different descriptions, so the dataset IRI had two publishers and two texts."""
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


# --- VoID --------------------------------------------------------------------------------------

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


# --- linked data -------------------------------------------------------------------------------

RDF_TYPES = [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
             ("application/n-triples", "nt"), ("application/rdf+xml", "xml")]


def minted_iris(store) -> list[str]:
    rows = store.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && "
                        "STRSTARTS(STR(?s), 'https://w3id.org/crossinnov/id/')) }")
    return sorted(r["s"].value for r in rows)


def test_every_minted_iri_dereferences_in_html_and_rdf(client, app):
    iris = minted_iris(store_of(app))
    assert len(iris) > 100
    for iri in iris:
        path = iri[len(BASE) - 1:]
        html = client.get(path, headers={"Accept": "text/html"})
        assert html.status_code == 200 and html.mimetype == "text/html", iri
        ttl = client.get(path, headers={"Accept": "text/turtle"})
        assert ttl.status_code == 200 and "Accept" in ttl.headers["Vary"], iri
        g = rdflib.Graph().parse(data=ttl.get_data(), format="turtle")
        assert (rdflib.URIRef(iri), None, None) in g, iri


@pytest.mark.parametrize("accept,fmt", RDF_TYPES)
def test_resource_rdf_holds_own_triples_labels_and_incoming_links(client, accept, fmt):
    response = client.get("/id/organisation/municipality-of-lisbon", headers={"Accept": accept})
    assert response.mimetype == accept
    g = rdflib.Graph().parse(data=response.get_data(), format=fmt)
    org = rdflib.URIRef(BASE + "id/organisation/municipality-of-lisbon")
    lisbon = rdflib.URIRef(BASE + "id/city/lisbon")
    practice = rdflib.URIRef(BASE + "id/practice/fab-lab-lx")
    assert (org, SCHEMA.name, rdflib.Literal("Municipality of Lisbon")) in g
    assert (org, CI.basedIn, lisbon) in g
    assert (lisbon, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
            rdflib.Literal("Lisbon", lang="en")) in g
    assert (practice, CI.operatedBy, org) in g  # what links to it
    assert (practice, SCHEMA.name, None) in g  # with its label
    # only its neighbourhood, not the whole graph
    assert (rdflib.URIRef(BASE + "id/practice/beepart"), None, None) not in g


@pytest.mark.parametrize("suffix,media", [(".ttl", "text/turtle"), (".jsonld", "application/ld+json"),
                                          (".nt", "application/n-triples"),
                                          (".rdf", "application/rdf+xml")])
def test_suffix_twins(client, suffix, media):
    response = client.get(f"/id/city/tallinn{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == media


def test_iris_stay_the_base_whatever_the_host(client):
    response = client.get("/id/city/berlin", headers={"Accept": "text/turtle",
                                                      "Host": "mirror.example.net:8080"})
    text = response.get_data(as_text=True)
    assert "mirror.example.net" not in text
    assert "https://w3id.org/crossinnov/id/city/" in text or "city:berlin" in text


def test_a_configured_base_is_what_is_served(make_app):
    app = make_app(BASE="https://data.example.org/ci/")
    # the shipped copy was minted under the default base; a profile written now uses the new one
    store = store_of(app)
    unit = profile_to_unit({"id": "based", "name": "Based", "city": "rome", "sectors": ["music"]},
                           store.iris)
    replace_units(store, [unit], Change("create", store.iris.agent("test")))
    response = app.test_client().get("/id/organisation/based", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=response.get_data(), format="turtle")
    assert (rdflib.URIRef("https://data.example.org/ci/id/organisation/based"), None, None) in g


@pytest.mark.parametrize("path", ["/id/organisation/no-such-org", "/id/planet/earth",
                                  "/id/city/Berlin", "/id/city/..%2F..%2Fetc",
                                  "/id/organisation/pakmarkas.exe", "/scheme/planets"])
def test_unknown_resources_are_404(client, path):
    html = client.get(path, headers={"Accept": "text/html"})
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 404


def test_not_acceptable(client):
    assert client.get("/id/city/rome", headers={"Accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("path", ["/id/organisation/municipality-of-lisbon", "/id/city/rome",
                                  "/scheme/sectors"])
def test_plain_json_gets_the_json_ld(client, path):
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "Accept" in response.headers["Vary"]
    g = rdflib.Graph().parse(data=response.get_data(), format="json-ld")
    assert (rdflib.URIRef(BASE + path.lstrip("/")), None, None) in g
    # browsers, and clients that prefer JSON-LD, still get what they asked for
    assert client.get(path, headers={"Accept": "text/html,application/json;q=0.9"}
                      ).mimetype == "text/html"
    assert client.get(path, headers={"Accept": "application/ld+json, application/json;q=0.5"}
                      ).mimetype == "application/ld+json"


def test_favicon_is_served_and_kept_for_long(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/x-icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert response.cache_control.public and response.cache_control.max_age >= 7 * 24 * 3600
    assert response.headers["ETag"]
    again = client.get("/favicon.ico", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    with client.get("/static/favicon.svg") as svg:  # a file response: close it
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert b"<script" not in svg.data and b"style=" not in svg.data


def test_every_page_names_the_icon(client):
    for path in ["/ontology", "/id/city/rome", "/login", "/no/such/page"]:
        text = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text, path


def test_ontology_and_shapes(client):
    ttl = client.get("/ontology", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=ttl.get_data(), format="turtle")
    assert (CI.collaboratesWith, RDF.type, rdflib.OWL.SymmetricProperty) in g
    shapes = client.get("/shapes")
    assert shapes.mimetype == "text/turtle"
    sg = rdflib.Graph().parse(data=shapes.get_data(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(list(sg.subjects(RDF.type, sh.NodeShape))) >= 8


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["quads"] > 1000


def test_cors_everywhere(client):
    for path in ["/", "/healthz", "/dumps/", "/id/city/rome", "/id/city/nowhere", "/sparql"]:
        assert client.get(path).headers["Access-Control-Allow-Origin"] == "*", path


def test_scheme_dereferences(client):
    response = client.get("/scheme/sectors", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=response.get_data(), format="turtle")
    tops = set(g.objects(rdflib.URIRef(BASE + "scheme/sectors"),
                         rdflib.URIRef("http://www.w3.org/2004/02/skos/core#hasTopConcept")))
    assert len(tops) == 2


def test_home_page_counts_are_real(client, app):
    text = client.get("/").get_data(as_text=True)
    n = len(union_graph(store_of(app)))
    assert re.search(rf"\b{n:,}\b|\b{n}\b", text)
