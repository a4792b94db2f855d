"""Writes change only what they say (item 8 of "A public endpoint that cannot be turned
against its host").

A delete or a write changes only the writer's graph, the derived closure graph and the
changelog, or else every other graph it changes gets a changelog entry of its own; a
deleted profile's IRI answers 410 Gone at once, and pages and reports stop showing it at
once; a collaboration one side states is shown as one-sided, and the other side can
decline it through its own profile, after which the tie appears nowhere and counts for
nothing.

Each test writes organisations of its own (ids with its own prefix) into one app.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pyoxigraph as ox
import pytest
import rdflib

from crossinnov.analysis.network import build_network
from crossinnov.ingest.profile import profile_to_unit
from crossinnov.writes.changes import Change, rebuild_closure, replace_units

ADMIN = "admin-token-for-writes-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
BASE = "https://w3id.org/crossinnov/"
CI = "https://w3id.org/crossinnov/ontology#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CLOSURE = BASE + "graph/inferred/collaborations"
CHANGELOG = BASE + "graph/changelog"


@pytest.fixture(scope="module")
def app(make_app):
    # no background analysis: a test runs the analysis itself when it wants one
    return make_app(TOKEN=ADMIN, ANALYSIS_DEBOUNCE=3600.0)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["crossinnov"].store


@pytest.fixture
def settings(app):
    return app.extensions["crossinnov"].settings


def org(slug: str) -> str:
    return f"{BASE}id/organisation/{slug}"


def graph(slug: str) -> str:
    return f"{BASE}graph/organisation/{slug}"


def profile(slug: str, name: str, **fields) -> dict:
    return {"id": slug, "name": name, "city": fields.pop("city", "tallinn"),
            "sectors": fields.pop("sectors", ["design"]), **fields}


def create(client, slug: str, name: str, **fields) -> None:
    r = client.post("/api/profiles", json=profile(slug, name, **fields), headers=AUTH)
    assert r.status_code == 201, r.get_data(as_text=True)


def put(client, slug: str, name: str, **fields):
    return client.put(f"/api/profiles/{slug}", json=profile(slug, name, **fields), headers=AUTH)


def quads_by_graph(store) -> dict[str, set[ox.Triple]]:
    out: dict[str, set[ox.Triple]] = {}
    for q in store.quads():
        out.setdefault(q.graph_name.value, set()).add(q.triple)
    return out


def ask(client, query: str) -> bool:
    r = client.get("/sparql", query_string={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["boolean"]


def section(client, path: str, id_: str) -> str:
    """The text of the element with ``id_`` on a page (tags stripped, spaces squeezed)."""
    r = client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 200, path
    html = r.get_data(as_text=True)
    match = re.search(rf'<section id="{id_}">(.*?)</section>', html, re.S)
    text = match.group(1) if match else ""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split())


def turtle_of(client, slug: str) -> rdflib.Graph:
    r = client.get(f"/id/organisation/{slug}", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    return rdflib.Graph().parse(data=r.get_data(as_text=True), format="turtle")


def edge_kinds(store, settings, a: str, b: str) -> dict | None:
    net = build_network(store, settings)
    data = net.graph.get_edge_data(org(a), org(b))
    return None if data is None else data["kinds"]


# --- deleting X changes Y's graph only with Y's own changelog entry -----------------------------

def test_deleting_an_organisation_logs_every_other_graph_it_changes(client, store):
    create(client, "del-target", "Delete Target")
    create(client, "del-linker", "Delete Linker", collaboratesWith=["del-target"])
    create(client, "del-bystander", "Delete Bystander", collaboratesWith=["del-linker"])
    before = quads_by_graph(store)
    r = client.delete("/api/profiles/del-target", headers=AUTH)
    assert r.status_code == 204
    after = quads_by_graph(store)

    # every graph but these four is exactly as it was (the bystander's included)
    touched = {graph("del-target"), graph("del-linker"), CLOSURE, CHANGELOG}
    assert {g: t for g, t in before.items() if g not in touched} == \
        {g: t for g, t in after.items() if g not in touched}
    assert graph("del-target") not in after

    # the linker's graph lost its link to the deleted organisation and moved its record,
    # nothing else
    link = ox.Triple(ox.NamedNode(org("del-linker")), ox.NamedNode(CI + "collaboratesWith"),
                     ox.NamedNode(org("del-target")))
    removed = before[graph("del-linker")] - after[graph("del-linker")]
    added = after[graph("del-linker")] - before[graph("del-linker")]
    record = {DCTERMS + "modified", PROV + "generatedAtTime"}
    assert link in removed
    assert {t.predicate.value for t in removed - {link}} == record
    assert {t.predicate.value for t in added} == record
    assert all(t.subject.value == graph("del-linker") for t in added)
    modified = next(t.object for t in added if t.predicate.value == DCTERMS + "modified")

    # the changelog holds exactly two new activities: the delete, and the linker's unlink
    new = after[CHANGELOG] - before[CHANGELOG]
    activities = {t.subject for t in new
                  if t.predicate.value == DCTERMS + "type"}
    assert len(activities) == 2
    facts = {(t.subject, t.predicate.value): t.object for t in new}
    kinds = {facts[(a, DCTERMS + "type")].value: a for a in activities}
    assert set(kinds) == {"delete", "unlink"}
    delete, unlink = kinds["delete"], kinds["unlink"]
    invalidated = {t.object.value for t in new
                   if t.subject == delete and t.predicate.value == PROV + "invalidated"}
    assert invalidated == {graph("del-target"), org("del-target")}
    generated = {t.object.value for t in new
                 if t.subject == unlink and t.predicate.value == PROV + "generated"}
    assert generated == {graph("del-linker")}
    assert facts[(unlink, PROV + "wasInformedBy")] == delete
    assert facts[(unlink, PROV + "wasAssociatedWith")] == \
        facts[(delete, PROV + "wasAssociatedWith")] == ox.NamedNode(BASE + "agent/admin")
    assert facts[(unlink, PROV + "endedAtTime")] == modified
    assert "del-target" in facts[(unlink, "http://www.w3.org/2000/01/rdf-schema#label")].value

    # and GET /api/changes shows both, each with its graph
    changes = {c["action"]: c for c in client.get("/api/changes?limit=2").json}
    assert changes["delete"]["graphs"] == [graph("del-target")]
    assert changes["unlink"]["graphs"] == [graph("del-linker")]
    assert not ask(client, f"ASK {{ {{ <{org('del-target')}> ?p ?o }} UNION "
                           f"{{ ?s <{CI}collaboratesWith> <{org('del-target')}> }} }}")


# --- 410 Gone from the moment the DELETE is acknowledged ------------------------------------------

def test_a_deleted_profile_answers_410_gone_at_once(client):
    create(client, "gone-org", "Gone Organisation")
    assert client.get("/id/organisation/gone-org", headers={"Accept": BROWSER}).status_code == 200
    assert client.delete("/api/profiles/gone-org", headers=AUTH).status_code == 204

    page = client.get("/id/organisation/gone-org", headers={"Accept": BROWSER})
    assert page.status_code == 410 and page.mimetype == "text/html"
    assert "deleted" in page.get_data(as_text=True)
    assert "Accept" in page.headers["Vary"]
    for headers, path in (({"Accept": "text/turtle"}, "/id/organisation/gone-org"),
                          ({}, "/id/organisation/gone-org.ttl")):
        r = client.get(path, headers=headers)
        assert r.status_code == 410 and r.mimetype == "text/turtle", path
        g = rdflib.Graph().parse(data=r.get_data(as_text=True), format="turtle")
        activity = g.value(rdflib.URIRef(org("gone-org")),
                           rdflib.URIRef(PROV + "wasInvalidatedBy"))
        assert (activity, rdflib.URIRef(PROV + "invalidated"), rdflib.URIRef(org("gone-org"))) in g
    r = client.get("/id/organisation/gone-org", headers={"Accept": "text/plain"})
    assert r.status_code == 410 and "deleted" in r.get_data(as_text=True)

    api = client.get("/api/profiles/gone-org")
    assert api.status_code == 410, api.get_data(as_text=True)
    assert "deleted" in api.json["message"]
    assert client.delete("/api/profiles/gone-org", headers=AUTH).status_code == 410
    # never there: 404; made again: live again
    assert client.get("/id/organisation/never-was-here").status_code == 404
    assert client.get("/api/profiles/never-was-here").status_code == 404
    create(client, "gone-org", "Gone Organisation Again")
    assert client.get("/id/organisation/gone-org", headers={"Accept": BROWSER}).status_code == 200
    assert client.get("/api/profiles/gone-org").status_code == 200


# --- pages and reports stop showing a deleted organisation at once --------------------------------

def test_a_deleted_organisation_leaves_reports_and_pages_at_once(client):
    create(client, "rep-alpha", "Report Alpha", city="linz", sectors=["games"])
    create(client, "rep-beta", "Report Beta", city="linz", sectors=["ict"],
           collaboratesWith=["rep-alpha"])
    create(client, "rep-gamma", "Ghostly Gamma Works", city="rome", sectors=["ict"],
           collaboratesWith=["rep-alpha", "rep-beta"])
    assert put(client, "rep-alpha", "Report Alpha", city="linz", sectors=["games"],
               collaboratesWith=["rep-beta", "rep-gamma"]).status_code == 200
    assert client.post("/api/analysis", headers=AUTH).json["status"] == "done"
    report = client.get("/reports/clusters.json").json
    run = report["run"]["iri"]
    cluster = next(c for c in report["clusters"] if org("rep-gamma") in
                   {m["iri"] for m in c["members"]})
    cluster_path = "/id/cluster/" + cluster["id"]
    assert "Ghostly Gamma" in client.get(cluster_path, headers={"Accept": BROWSER}).get_data(
        as_text=True)
    assert "rep-gamma" in json.dumps(report)

    assert client.delete("/api/profiles/rep-gamma", headers=AUTH).status_code == 204
    # the same analysis run, not a new one: the lists leave it out at once
    report = client.get("/reports/clusters.json")
    assert report.json["run"]["iri"] == run
    assert "rep-gamma" not in report.get_data(as_text=True)
    html = client.get("/reports/clusters").get_data(as_text=True)
    assert "rep-gamma" not in html and "Ghostly Gamma" not in html
    page = client.get(cluster_path, headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "rep-gamma" not in page and "Ghostly Gamma" not in page
    for slug in ("rep-alpha", "rep-beta"):
        page = client.get(f"/id/organisation/{slug}", headers={"Accept": BROWSER})
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "rep-gamma" not in text and "Ghostly Gamma" not in text, slug
        partners = client.get(f"/api/organisations/{slug}/partners?limit=100").json
        assert org("rep-gamma") not in {s["iri"] for s in partners["suggestions"]}


# --- a collaboration one side states is shown as one-sided ---------------------------------------

def test_a_one_sided_collaboration_is_shown_as_one_sided(client, store, settings):
    create(client, "os-named", "Named Studio")
    create(client, "os-claimer", "Claiming Agency", collaboratesWith=["os-named"])

    mine = section(client, "/id/organisation/os-claimer", "collaborators")
    assert "Claiming Agency says it works with Named Studio; not confirmed by Named Studio" \
        in mine
    theirs = section(client, "/id/organisation/os-named", "collaborators")
    assert "Claiming Agency says it works with Named Studio; Named Studio has not confirmed" \
        in theirs
    assert "declinesCollaborationWith" in theirs and "its profile" in theirs
    page = client.get("/id/organisation/os-named", headers={"Accept": BROWSER})
    assert "/profiles/os-named/edit" in page.get_data(as_text=True)

    # in RDF, on both sides: the symmetric link, and who states it
    claimer, named = rdflib.URIRef(org("os-claimer")), rdflib.URIRef(org("os-named"))
    mark = rdflib.URIRef(CI + "collaborationUnconfirmedBy")
    link = rdflib.URIRef(CI + "collaboratesWith")
    for slug in ("os-named", "os-claimer"):
        g = turtle_of(client, slug)
        assert (claimer, mark, named) in g and (named, mark, claimer) not in g, slug
    assert (named, link, claimer) in turtle_of(client, "os-named")
    assert (claimer, link, named) in turtle_of(client, "os-claimer")

    # in the analysis: a tie of its own kind, and who states it
    assert edge_kinds(store, settings, "os-claimer", "os-named") == {"unconfirmed": pytest.approx(
        settings.weight_collaboration * 0.5)}
    assert org("os-named") in build_network(store, settings).claims[org("os-claimer")]
    # the named organisation is suggested nothing new: the claimer is, with the reason
    suggestions = client.get("/api/organisations/os-named/partners?limit=100").json
    claimed = [s for s in suggestions["suggestions"] if s["id"] == "os-claimer"]
    assert claimed and any("states a collaboration with you (unconfirmed" in r
                           for r in claimed[0]["reasons"])

    # confirmed: mutual everywhere
    assert put(client, "os-named", "Named Studio",
               collaboratesWith=["os-claimer"]).status_code == 200
    assert "both say so" in section(client, "/id/organisation/os-named", "collaborators")
    assert (claimer, mark, named) not in turtle_of(client, "os-named")
    assert edge_kinds(store, settings, "os-claimer", "os-named") == {
        "collaboration": settings.weight_collaboration}


# --- refusal through one's own profile -----------------------------------------------------------

def test_declining_a_collaboration_removes_the_tie_everywhere(client, store, settings):
    create(client, "dec-owner", "Declining Owner")
    create(client, "dec-claimer", "Unwanted Claimer", collaboratesWith=["dec-owner"])
    before = quads_by_graph(store)
    r = put(client, "dec-owner", "Declining Owner", declinesCollaborationWith=["dec-claimer"])
    assert r.status_code == 200, r.json
    assert r.json["declinesCollaborationWith"] == ["dec-claimer"]
    assert client.get("/api/profiles/dec-owner").json["declinesCollaborationWith"] == \
        ["dec-claimer"]

    # nowhere in the union graph, nor in the closure
    owner, claimer = org("dec-owner"), org("dec-claimer")
    assert not ask(client, f"ASK {{ {{ <{owner}> <{CI}collaboratesWith> <{claimer}> }} UNION "
                           f"{{ <{claimer}> <{CI}collaboratesWith> <{owner}> }} UNION "
                           f"{{ <{claimer}> <{CI}collaborationUnconfirmedBy> <{owner}> }} }}")
    after = quads_by_graph(store)
    assert not {t for t in after.get(CLOSURE, set())
                if {t.subject.value, t.object.value} == {owner, claimer}}
    # the claimer's graph lost its statement, with a changelog entry of its own
    removed = before[graph("dec-claimer")] - after[graph("dec-claimer")]
    assert ox.Triple(ox.NamedNode(claimer), ox.NamedNode(CI + "collaboratesWith"),
                     ox.NamedNode(owner)) in removed
    changes = client.get("/api/changes?limit=2").json
    assert {c["action"] for c in changes} == {"replace", "unlink"}
    unlink = next(c for c in changes if c["action"] == "unlink")
    assert unlink["graphs"] == [graph("dec-claimer")] and "declined" in unlink["label"]

    # not on the pages
    assert "Unwanted Claimer" not in section(client, "/id/organisation/dec-owner",
                                             "collaborators")
    assert "Declining Owner" not in section(client, "/id/organisation/dec-claimer",
                                            "collaborators")
    # and no tie in the analysis
    assert edge_kinds(store, settings, "dec-owner", "dec-claimer") is None
    assert owner not in build_network(store, settings).claims.get(claimer, set())


def test_restating_a_declined_collaboration_is_a_422_naming_the_field(client, store):
    create(client, "re-owner", "Refusing Owner")
    create(client, "re-claimer", "Insistent Claimer")
    assert put(client, "re-owner", "Refusing Owner",
               declinesCollaborationWith=["re-claimer"]).status_code == 200
    before = set(store.quads())
    r = put(client, "re-claimer", "Insistent Claimer", collaboratesWith=["re-owner"])
    assert r.status_code == 422
    assert [(e["field"], e["value"]) for e in r.json["errors"]] == \
        [("collaboratesWith", "re-owner")]
    assert "declined" in r.json["errors"][0]["message"]
    r = client.post("/api/profiles", headers=AUTH, json=profile(
        "re-newcomer", "Newcomer", collaboratesWith=["re-owner"]))
    assert r.status_code == 201  # only the declined organisation is refused
    before = set(store.quads())
    # one profile cannot name an organisation in both lists
    r = put(client, "re-owner", "Refusing Owner", collaboratesWith=["re-newcomer"],
            declinesCollaborationWith=["re-newcomer"])
    assert r.status_code == 422
    assert {e["field"] for e in r.json["errors"]} == {"declinesCollaborationWith"}
    assert set(store.quads()) == before


def test_the_closure_never_holds_a_declined_link(store):
    """Also when a statement of a declined link reaches the store by another path (a load):
    the inverse is never inferred, neither link by link nor by a full rebuild."""
    iris = store.iris
    units = [profile_to_unit(profile("cl-owner", "Closure Owner",
                                     declinesCollaborationWith=["cl-claimer"]), iris),
             profile_to_unit(profile("cl-claimer", "Closure Claimer"), iris)]
    replace_units(store, units, Change("load", iris.agent("test")))
    stated = profile_to_unit(profile("cl-claimer", "Closure Claimer",
                                     collaboratesWith=["cl-owner"]), iris)
    replace_units(store, [stated], Change("load", iris.agent("test")))
    owner, claimer = org("cl-owner"), org("cl-claimer")

    def inferred() -> set[tuple[str, str, str]]:
        return {(t.subject.value, t.predicate.value, t.object.value)
                for t in (q.triple for q in store.quads(CLOSURE))
                if {t.subject.value, t.object.value} == {owner, claimer}}

    assert inferred() == set()
    rebuild_closure(store)
    assert inferred() == set()
    # counted for nothing by the analysis either
    from crossinnov.config import Settings

    net = build_network(store, Settings(store=store.location))
    assert net.graph.get_edge_data(owner, claimer) is None
