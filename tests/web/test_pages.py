"""The pages (crossinnov.web.pages and the resource pages it renders with crossinnov.web.views):
home, one page per resource kind, ontology documentation, the icon, the shapes, the health
check.

Expected values are read from ``data/sources/*.csv`` (the project's own source
tables), so a test fails when a page leaves out or garbles a real fact. The query page is
in ``test_querypage.py``.
"""

from __future__ import annotations

import csv
import re
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import rdflib
from htmlpage import BASE, BROWSER, Page, assert_links_local, get_page
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from crossinnov.formats import to_rdflib
from crossinnov.namespaces import CI
from crossinnov.resources import data_dir, ontology_path


def source_rows(name: str) -> list[dict[str, str]]:
    with open(data_dir() / "sources" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def source_row(name: str, id_: str) -> dict[str, str]:
    return next(r for r in source_rows(name) if r["id"] == id_)


# --- home ---------------------------------------------------------------------------------------

def test_home_page_says_what_and_for_whom(client, app):
    page = get_page(client, "/")
    for audience in ("Researchers", "Policy people", "Organisations"):
        assert audience in page.text
    store = app.extensions["crossinnov"].store
    for cls, label in ((CI.Organisation, "organisations"), (CI.GoodPractice, "good practices"),
                       (CI.Event, "events")):
        (row,) = store.select(
            "SELECT ?cls (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?cls } GROUP BY ?cls", cls=cls)
        assert f"{int(row['n'].value):,} {label}" in page.text
    (row,) = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert f"{int(row['n'].value):,} triples" in page.text
    for href in ("/sparql", "/dumps/", "/ontology", "/.well-known/void"):
        assert href in page.hrefs()


def test_home_page_links_the_eleven_cities_and_four_themes(client):
    page = get_page(client, "/")
    cities = source_rows("cities.csv")
    assert len(cities) == 11
    for city in cities:
        assert f"/id/city/{city['id']}" in page.hrefs()
        assert city["name"] in page.by_id["cities"]
    for theme in source_rows("themes.csv"):
        assert page.href_of(theme["label"]) == f"/id/theme/{theme['id']}"
        assert theme["definition"] in page.by_id["themes"]
    assert_links_local(page)


def test_every_resource_linked_from_the_home_page_opens(client):
    page = get_page(client, "/")
    local = {h for h in page.hrefs() if h.startswith(("/id/", "/scheme/"))}
    assert len(local) >= 16
    for href in sorted(local):
        assert client.get(href, headers={"Accept": BROWSER}).status_code == 200, href


# --- resource pages ----------------------------------------------------------------------------

def test_practice_page_names_operator_and_partners(client):
    row = source_row("good_practices.csv", "fab-lab-lx")
    page = get_page(client, "/id/practice/fab-lab-lx")
    assert row["name"] in page.text
    assert page.href_of(row["operator"]) == "/id/organisation/municipality-of-lisbon"
    partners = row["partners"].split(";")
    assert len(partners) == 5
    who = page.by_id["who"]
    for name in partners:
        assert name in who
        assert page.href_of(name).startswith("/id/organisation/")
    assert "Partners 5" in who
    assert page.href_of("Lisbon") == "/id/city/lisbon"
    assert page.href_of("Spatial cross-collaboration") == "/id/theme/spatial-cross-collaboration"
    assert row["type"] in page.text
    assert_links_local(page)


def test_practice_page_groups_sectors_by_top_concept(client):
    page = get_page(client, "/id/practice/fab-lab-lx")
    sectors = page.markup.split('id="sectors"', 1)[1].split("</section>", 1)[0]
    creative, growth = sectors.split("other growth sectors", 1)
    assert "design" in creative and "ICT" not in creative
    assert "ICT" in growth and "manufacturing" in growth


def test_practice_page_keeps_unidentified_partners_as_text(client):
    row = source_row("good_practices.csv", "romaprovinciacreativa")
    page = get_page(client, "/id/practice/romaprovinciacreativa")
    assert row["partners"] in page.by_id["who"]
    assert row["partners"] not in [label for _, label in page.links]
    assert "started" in page.text.lower() and row["start_year"] in page.text


def test_organisation_page(client):
    page = get_page(client, "/id/organisation/municipality-of-lisbon")
    assert "Municipality of Lisbon" in page.text
    assert "A municipality based in Lisbon" in page.text
    assert page.href_of("Lisbon") == "/id/city/lisbon"
    assert page.href_of("Fab Lab LX (FabLab Lisboa)") == "/id/practice/fab-lab-lx"
    assert "runs it" in page.by_id["practices"]
    partners = source_row("good_practices.csv", "fab-lab-lx")["partners"].split(";")
    for name in partners:
        assert name in page.by_id["collaborators"]
    # neither side stated these: they are shown as derived from the practice, with a link
    collaborators = page.markup.split('id="collaborators"', 1)[1].split("</section>", 1)[0]
    assert collaborators.count("derived from the good practice") == len(partners)
    assert "both say so" not in page.by_id["collaborators"]
    assert '<a href="/id/practice/fab-lab-lx">' in collaborators
    assert "http://www.cross-innovation.eu/practice/fab-lab-lx/" in page.hrefs()
    assert 'id="network"' in page.markup  # the place issue 5 fills
    assert_links_local(page)


def test_organisation_page_says_partner_only_where_the_sources_do(client):
    partner = get_page(client, "/id/organisation/province-of-rome")
    assert "Partner in Promoting Cross-Innovation" in partner.text
    assert partner.href_of("project partner") == "/id/project-role/project-partner"
    took_part = get_page(client, "/id/organisation/city-of-tallinn")
    assert "Partner in" not in took_part.text
    assert "Took part in Promoting Cross-Innovation in European Cities and Regions (the sources " \
        "do not call it a partner)" in took_part.text
    assert "In the Cross Innovation project: took part in the project" in took_part.text
    assert took_part.href_of("municipality") == "/id/organisation-kind/municipality"
    project = get_page(client, "/id/project/cross-innovation")
    assert "City of Tallinn" not in project.by_id["partners"]
    assert "City of Tallinn" in project.by_id["took-part"]
    assert "Birmingham City University" in project.by_id["partners"]


def test_organisation_page_groups_sectors_and_lists_events(client):
    page = get_page(client, "/id/organisation/pakmarkas")
    assert "other growth sectors" in page.by_id["sectors"]
    assert "manufacturing" in page.by_id["sectors"]
    assert page.href_of("Vilnius") == "/id/city/vilnius"
    events = page.by_id["events"]
    assert "Innovation Interface Berlin" in events and "24 March 2014" in events


def test_city_page_lists_practices_by_sub_theme(client):
    page = get_page(client, "/id/city/tallinn")
    practices = page.markup.split('id="practices"', 1)[1].split("</section>", 1)[0]
    groups = dict(re.findall(r"<h3>(.*?)</h3>(.*?)(?=<h3>|$)", practices, re.S))
    spatial = next(body for head, body in groups.items() if "Spatial cross-collaboration" in head)
    assert "Tallinn Creative Incubator (ESA)" in spatial
    no_theme = next(body for head, body in groups.items() if "No sub-theme" in head)
    assert "Garage48 Music hackathon (Tallinn)" in no_theme
    city = source_row("cities.csv", "tallinn")
    assert "Estonia" in page.text
    assert f"http://www.wikidata.org/entity/{city['wikidata_qid']}" in page.hrefs()
    assert "The place itself Wikidata " + city["wikidata_qid"] in page.text
    tallinn_orgs = [r for r in source_rows("organisations.csv") if r["city"] == "Tallinn"]
    for org in tallinn_orgs:
        assert org["name"] in page.by_id["organisations"]
    assert "Garage48 Tallinn Music 2012" in page.by_id["events"]
    assert_links_local(page)


@pytest.mark.parametrize("slug", ["amsterdam", "linz", "plzen"])
def test_city_page_shows_the_editors_notes_as_notes_not_facts(client, slug):
    """cities.csv's notes ("QID from general knowledge", ...) are the editors': shown in a
    box that says so, never among the facts."""
    city = source_row("cities.csv", slug)
    page = get_page(client, f"/id/city/{slug}")
    box = page.by_id["editorial-notes"]
    assert box.startswith("Notes from the editors") and "not facts of the graph" in box
    assert city["notes"] in box
    facts = page.markup.split('<dl class="facts">', 1)[1].split("</dl>", 1)[0]
    assert "general knowledge" not in facts and city["notes"] not in facts
    assert "Note:" not in page.text  # as 1.0.0 showed them, like facts


@pytest.mark.parametrize(("slug", "words"), [
    ("amsterdam-partner-meeting-2013", "2013 (only the year is known)"),
    ("final-conference-birmingham-2014",
     "uncertain: October 2014 (only the month is known) or 17–18 November 2014"),
    ("innovation-interface-berlin-2014", "24 March 2014"),
    ("warsaw-what-is-coworking-2013", "28–29 November 2013"),
])
def test_event_page_says_the_date_in_words(client, slug, words):
    page = get_page(client, f"/id/event/{slug}")
    assert f"Date {words}" in page.text
    row = source_row("events.csv", slug)
    assert row["name"] in page.text
    assert page.href_of(row["city"]) == f"/id/city/{row['city'].lower()}"


def test_event_page_shows_what_the_sources_leave_in_doubt(client):
    doubt = next(r for r in source_rows("event_doubts.csv")
                 if r["event"] == "final-conference-birmingham-2014")
    page = get_page(client, "/id/event/final-conference-birmingham-2014")
    box = page.by_id["doubt"]
    assert doubt["doubt"] in box and "none of them confirmed" in box
    for date in source_rows("event_dates.csv"):
        if date["event"] == doubt["event"]:
            assert date["source"] in page.hrefs() and date["note"] in box
    assert "17–18 November 2014, uncertain" in box
    assert "October 2014 (only the month is known), uncertain" in box
    assert "date uncertain: October 2014" in page.text  # the lead sentence
    seminar = get_page(client, "/id/event/stockholm-cross-innovation-seminar-2015")
    assert "Not confirmed to have taken place" in seminar.by_id["doubt"]
    assert "An event announced in Stockholm" in seminar.text
    # and where it is listed, it says so
    assert "not confirmed to have taken place" in get_page(
        client, "/id/city/stockholm").by_id["events"]
    assert "not confirmed to have taken place" in get_page(
        client, "/id/organisation/city-of-stockholm").by_id["events"]
    assert "date uncertain" in get_page(
        client, "/id/organisation/projekt-zukunft").by_id["events"]
    certain = get_page(client, "/id/event/innovation-interface-berlin-2014")
    assert "doubt" not in certain.by_id


def test_event_page_lists_participants(client):
    page = get_page(client, "/id/event/amsterdam-partner-meeting-2013")
    participants = page.by_id["participants"]
    assert "Amsterdam Innovation Motor (AIM)" in participants
    assert "Birmingham City University" in participants and "Birmingham" in participants


def test_sector_page(client):
    page = get_page(client, "/id/sector/advertising")
    assert "A sector of creative industries" in page.text
    assert "http://data.europa.eu/ux2/nace2/731" in page.hrefs()
    assert "NACE Rev. 2 73.1" in page.text
    assert "GreenGraffiti" in page.by_id["practices"]
    top = get_page(client, "/id/sector/creative-industries")
    assert "design" in top.by_id["narrower"]
    assert "Beepart creative workshop" in top.by_id["practices"]  # through design
    assert_links_local(top)


def test_theme_page(client):
    theme = source_row("themes.csv", "brokerage")
    page = get_page(client, "/id/theme/brokerage")
    assert theme["definition"] in page.text
    assert "Design Transfer Bonus" in page.by_id["practices"]
    assert "Berlin" in page.by_id["practices"]
    empty = get_page(client, "/id/theme/culture-based-innovation")
    assert "No good practice is filed under this sub-theme yet." in empty.text


def test_project_and_scheme_pages(client):
    page = get_page(client, "/id/project/cross-innovation")
    assert "INTERREG IVC" in page.text
    for city in source_rows("cities.csv"):
        assert city["name"] in page.by_id["cities"]
    scheme = get_page(client, "/scheme/sectors")
    for sector in source_rows("sectors.csv"):
        assert f"/id/sector/{sector['id']}" in scheme.hrefs()


def test_resource_page_shows_identifier_and_rdf_twins(client):
    page = get_page(client, "/id/practice/fab-lab-lx")
    assert page.by_id["iri"] == BASE + "id/practice/fab-lab-lx"
    twins = {"/id/practice/fab-lab-lx.ttl": "text/turtle",
             "/id/practice/fab-lab-lx.jsonld": "application/ld+json",
             "/id/practice/fab-lab-lx.nt": "application/n-triples",
             "/id/practice/fab-lab-lx.rdf": "application/rdf+xml"}
    for href, media in twins.items():
        assert href in page.hrefs()
        response = client.get(href)
        assert response.status_code == 200 and response.mimetype == media


def test_generic_page_for_other_kinds(app):
    from crossinnov.web.views import render_resource

    iri = ox.NamedNode(BASE + "id/cluster/c1")
    member = ox.NamedNode(BASE + "id/organisation/beepart")
    triples = [ox.Triple(iri, ox.NamedNode(str(RDF.type)), CI.Cluster),
               ox.Triple(iri, CI.hasMember, member),
               ox.Triple(member, ox.NamedNode("https://schema.org/name"), ox.Literal("Beepart")),
               ox.Triple(iri, CI.clusterSize, ox.Literal("1"))]
    with app.test_request_context("/id/cluster/c1"):
        page = Page(render_resource("cluster", iri, triples))
        assert page.href_of("Beepart") == "/id/organisation/beepart"
        other = Page(render_resource("something", iri, triples))
        assert "ci:hasMember" in other.text and "Beepart" in other.text


@pytest.mark.parametrize("path", ["/id/organisation/no-such-organisation", "/id/city/atlantis",
                                  "/id/nonsense/x", "/scheme/nonsense"])
def test_unknown_resources_are_404(client, path):
    page = get_page(client, path, status=404)
    assert "404" in page.text


# --- ontology ----------------------------------------------------------------------------------

def ontology_terms() -> tuple[rdflib.Graph, dict[str, rdflib.URIRef]]:
    graph = rdflib.Graph().parse(ontology_path(), format="turtle")
    terms = {}
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                 RDF.Property):
        for s in graph.subjects(RDF.type, kind):
            if str(s).startswith(CI._NS):
                terms[str(s)[len(CI._NS):]] = s
    return graph, terms


def test_ontology_page_documents_every_class_and_property(client):
    graph, terms = ontology_terms()
    assert len(terms) >= 30
    page = get_page(client, "/ontology")
    for name, iri in terms.items():
        assert name in page.by_id, name
        entry = page.by_id[name]
        for prop in (rdflib.RDFS.label, rdflib.RDFS.comment):
            value = graph.value(iri, prop)
            if value is not None:
                assert Page._squeeze(str(value)) in entry, (name, prop)
        assert f"#{name}" in page.hrefs()
    assert "ci:Organisation or ci:GoodPractice" in page.by_id["basedIn"]
    assert "symmetric" in page.by_id["collaboratesWith"]
    assert "org:Organization" in page.by_id["Organisation"]  # super-classes
    assert "crossinnov ontology" in page.text and "2.0.0" in page.text


def test_ontology_is_turtle_when_asked(client):
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    served = rdflib.Graph().parse(data=response.data, format="turtle")
    expected = rdflib.Graph().parse(ontology_path(), format="turtle")
    assert isomorphic(served, expected)
    assert client.get("/shapes").mimetype == "text/turtle"
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "ok"


ONTOLOGY_FORMATS = [(".ttl", "text/turtle", "turtle"),
                    (".jsonld", "application/ld+json", "json-ld"),
                    (".nt", "application/n-triples", "nt"), (".rdf", "application/rdf+xml", "xml")]


@pytest.mark.parametrize("suffix,media,fmt", ONTOLOGY_FORMATS)
def test_ontology_files_and_accept_give_the_same_graph(client, suffix, media, fmt):
    expected = rdflib.Graph().parse(ontology_path(), format="turtle")
    response = client.get("/ontology" + suffix, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == media
    assert isomorphic(rdflib.Graph().parse(data=response.data, format=fmt), expected)
    asked = client.get("/ontology", headers={"Accept": media})
    assert asked.mimetype == media and "Accept" in asked.headers["Vary"]
    assert isomorphic(rdflib.Graph().parse(data=asked.data, format=fmt), expected)


def test_ontology_in_json(client):
    response = client.get("/ontology", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    doc = response.json
    assert "@context" in doc and doc["@context"]["ci"] == CI._NS  # compact, with prefixes
    graph = rdflib.Graph().parse(data=response.data, format="json-ld")
    assert (rdflib.URIRef(CI._NS + "collaboratesWith"), RDF.type, OWL.SymmetricProperty) in graph
    # browsers still get the documentation, which links every format
    page = client.get("/ontology", headers={"Accept": BROWSER})
    assert page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    for suffix, media, _ in ONTOLOGY_FORMATS:
        assert f'href="/ontology{suffix}" type="{media}"' in text
    assert client.get("/ontology.exe").status_code == 404



# --- escaping ---------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def profiled_client(make_app):
    """A fresh app holding one more profile, with markup in its name and description."""
    from crossinnov.ingest.profile import profile_to_unit
    from crossinnov.writes.changes import Change, replace_units

    app = make_app()
    store = app.extensions["crossinnov"].store
    profile = {"id": "xss-test", "name": f"Evil {SCRIPT} {ATTRIBUTE}",
               "description": f"About {ATTRIBUTE} and {SCRIPT}", "city": "tallinn",
               "sectors": ["design"], "themes": ["brokerage"], "founded": 1993,
               "homepage": "https://example.org/evil", "seeksPartnersIn": ["ict"],
               "collaboratesWith": ["estonian-design-centre"],
               "events": ["innovation-interface-berlin-2014"]}
    replace_units(store, [profile_to_unit(profile, store.iris)],
                  Change("create", store.iris.agent("test")))
    return app.test_client()


def test_user_text_is_escaped_everywhere(profiled_client):
    client = profiled_client
    query = ("PREFIX schema: <https://schema.org/> SELECT ?o ?name ?d WHERE "
             "{ ?o schema:name ?name . OPTIONAL { ?o <http://purl.org/dc/terms/description> ?d } "
             "FILTER(CONTAINS(?name, 'Evil')) }")
    for path in ("/id/organisation/xss-test", "/id/city/tallinn", "/id/theme/brokerage",
                 "/id/sector/design", "/id/event/innovation-interface-berlin-2014",
                 "/id/organisation/estonian-design-centre",
                 "/sparql?" + urlencode({"query": query})):
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert "Evil" in body, path
        assert SCRIPT not in body, path
        assert "<img" not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path
    page = get_page(client, "/id/organisation/xss-test")
    assert f"Evil {SCRIPT} {ATTRIBUTE}" in page.text  # shown as text, as written
    assert f"About {ATTRIBUTE} and {SCRIPT}" in page.text


def test_profile_facts_on_the_organisation_page(profiled_client):
    page = get_page(profiled_client, "/id/organisation/xss-test")
    assert "Founded 1993" in page.text
    assert "https://example.org/evil" in page.hrefs()
    assert page.href_of("ICT") == "/id/sector/ict"  # seeks partners in
    assert "Looking for partners in: ICT" in page.by_id["sectors"]
    assert "Estonian Design Centre" in page.by_id["collaborators"]
    assert "Tallinn" in page.by_id["collaborators"]
    assert "24 March 2014" in page.by_id["events"]
    assert "Brokerage" in page.text
    assert_links_local(page)


# --- words ------------------------------------------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(("start", "end", "words"), [
    (("2013", "gYear"), None, "2013 (only the year is known)"),
    (("2013-03", "gYearMonth"), None, "March 2013 (only the month is known)"),
    (("2014-03-24", "date"), None, "24 March 2014"),
    (("2014-11-17", "date"), ("2014-11-18", "date"), "17–18 November 2014"),
    (("2013-11-28", "date"), ("2013-12-02", "date"), "28 November – 2 December 2013"),
    (("2012-01-01", "date"), ("2014-12-31", "date"), "1 January 2012 – 31 December 2014"),
    (("2012", "gYear"), ("2014", "gYear"), "2012 – 2014 (only the years are known)"),
    (None, ("2014-11-18", "date"), "until 18 November 2014"),
    (None, None, None),
])
def test_date_in_words(start, end, words):
    from crossinnov.web.views import date_in_words

    def literal(pair):
        return None if pair is None else ox.Literal(pair[0], datatype=ox.NamedNode(XSD + pair[1]))

    assert date_in_words(literal(start), literal(end)) == words


# --- the icon, the shapes, the health check, the counts -----------------------------------------

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
    assert (rdflib.URIRef(CI._NS + "collaboratesWith"), RDF.type, OWL.SymmetricProperty) in g
    shapes = client.get("/shapes")
    assert shapes.mimetype == "text/turtle"
    sg = rdflib.Graph().parse(data=shapes.get_data(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(list(sg.subjects(RDF.type, sh.NodeShape))) >= 8


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["quads"] > 1000


def test_home_page_counts_are_real(client, app):
    text = client.get("/").get_data(as_text=True)
    n = len(to_rdflib(app.extensions["crossinnov"].store.quads()))
    assert re.search(rf"\b{n:,}\b|\b{n}\b", text)
