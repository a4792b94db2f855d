"""Linked data (crossinnov.web.resource): every minted IRI dereferences, in HTML and in each RDF
syntax by Accept or by suffix, with its own triples, its labels and what links to it; IRIs
stay the configured base whatever the host; unknown resources are 404.
"""

from __future__ import annotations

import pytest
import rdflib

from crossinnov.ingest.profile import profile_to_unit
from crossinnov.writes.changes import Change, replace_units

BASE = "https://w3id.org/crossinnov/"
CI = rdflib.Namespace(BASE + "ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")


def store_of(app):
    return app.extensions["crossinnov"].store


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


@pytest.mark.parametrize("suffix,media", [(".ttl", "text/turtle"),
                                          (".jsonld", "application/ld+json"),
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


def test_scheme_dereferences(client):
    response = client.get("/scheme/sectors", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=response.get_data(), format="turtle")
    tops = set(g.objects(rdflib.URIRef(BASE + "scheme/sectors"),
                         rdflib.URIRef("http://www.w3.org/2004/02/skos/core#hasTopConcept")))
    assert len(tops) == 2
