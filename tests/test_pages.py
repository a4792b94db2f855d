"""The HTML pages: home, one page per resource kind, ontology documentation, query page.

Expected values are read from ``data/sources/*.csv`` (the project's own source
tables), so a test fails when a page leaves out or garbles a real fact.
"""

from __future__ import annotations

import csv
import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from crossinnov.namespaces import CI
from crossinnov.resources import data_dir, ontology_path
from crossinnov.web.querypage import load_examples

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/crossinnov/"


def source_rows(name: str) -> list[dict[str, str]]:
    with open(data_dir() / "sources" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def source_row(name: str, id_: str) -> dict[str, str]:
    return next(r for r in source_rows(name) if r["id"] == id_)


class Page(HTMLParser):
    """A page read back: its visible text, its links, and the text of each element with an id."""

    VOID = {"br", "img", "input", "link", "meta", "hr", "source", "wbr"}

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = markup
        self.links: list[tuple[str, str]] = []
        self._chunks: list[str] = []
        self._open: list[tuple[str, str | None, int]] = []  # tag, id, start of its text
        self._anchor: tuple[str, int] | None = None
        self.by_id: dict[str, str] = {}
        self._skip = 0
        self.feed(markup)
        self.text = self._squeeze("".join(self._chunks))

    @staticmethod
    def _squeeze(text: str) -> str:
        return re.sub(r"\s+", " ", text).strip()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href") is not None:
            self._anchor = (attrs["href"], len("".join(self._chunks)))
        if tag not in self.VOID:
            self._open.append((tag, attrs.get("id"), len("".join(self._chunks))))
        self._chunks.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        text = "".join(self._chunks)
        if tag == "a" and self._anchor:
            self.links.append((self._anchor[0], self._squeeze(text[self._anchor[1]:])))
            self._anchor = None
        while self._open:
            open_tag, id_, start = self._open.pop()
            if id_:
                self.by_id[id_] = self._squeeze(text[start:])
            if open_tag == tag:
                break
        self._chunks.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self._chunks.append(data)

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.links]

    def href_of(self, text: str) -> str:
        """Return the href of the (first) link whose text is ``text``."""
        for href, label in self.links:
            if label == text:
                return href
        raise AssertionError(f"no link {text!r} on the page")


def get_page(client, path: str, status: int = 200) -> Page:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def assert_links_local(page: Page) -> None:
    """Links to resources of the graph go to this site; nothing links to the canonical base."""
    for href in page.hrefs():
        assert not href.startswith(BASE + "id/"), href
        assert not href.startswith(BASE + "scheme/"), href
    assert any(href.startswith("/id/") or href.startswith("/scheme/") for href in page.hrefs())


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


# --- query page -----------------------------------------------------------------------------------

def test_example_queries_have_title_and_question():
    examples = load_examples()
    assert 8 <= len(examples) <= 10
    for ex in examples:
        lines = ex.text.splitlines()
        assert lines[0].startswith("# title: ") and lines[1].startswith("# question: ")
        assert ex.title and ex.question.endswith(("?", ")"))


@pytest.mark.parametrize("example", load_examples(), ids=lambda ex: ex.name)
def test_every_example_query_returns_rows(client, example):
    response = client.get("/sparql?" + urlencode({"query": example.text, "format": "json"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    if response.mimetype == "application/sparql-results+json":
        assert len(response.json["results"]["bindings"]) >= 1
    else:
        graph = rdflib.Graph().parse(data=response.data, format="json-ld")
        assert len(graph) >= 1
    page = get_page(client, "/sparql?" + urlencode({"query": example.text}))
    count = int(re.search(r"([\d,]+) (?:rows?|triples?)", page.by_id["answer"]).group(1)
                .replace(",", ""))
    assert count >= 1
    assert page.markup.count("<tr>") >= 2


def test_query_page_offers_examples_without_javascript(client):
    page = get_page(client, "/sparql")
    assert "<textarea" in page.markup and 'name="query"' in page.markup
    for ex in load_examples():
        href = page.href_of(ex.title)
        parts = urlsplit(href)
        assert parts.path == "/sparql" and "query=" in parts.query
        assert ex.question in page.text


def test_query_answer_is_a_table_with_local_links_and_downloads(client):
    query = next(ex.text for ex in load_examples() if ex.name.startswith("09"))
    page = get_page(client, "/sparql?" + urlencode({"query": query}))
    assert html.escape(query, quote=False) in page.markup  # kept in the editor
    assert page.href_of("Fab Lab LX (FabLab Lisboa)") == "/id/practice/fab-lab-lx"
    assert "12 rows" in page.by_id["answer"]
    assert_links_local(page)
    downloads = {label: href for href, label in page.links if label in ("CSV", "JSON")}
    csv_response = client.get(downloads["CSV"])
    assert csv_response.mimetype == "text/csv"
    assert "Fab Lab LX (FabLab Lisboa)" in csv_response.get_data(as_text=True)
    assert client.get(downloads["JSON"]).mimetype == "application/sparql-results+json"


def test_ask_and_construct_answers(client):
    ask = get_page(client, "/sparql?" + urlencode(
        {"query": "ASK { ?s a <https://w3id.org/crossinnov/ontology#GoodPractice> }"}))
    assert "Yes" in ask.by_id["answer"]
    no = get_page(client, "/sparql?" + urlencode({"query": "ASK { ?s a <urn:x:nothing> }"}))
    assert "No" in no.by_id["answer"]
    construct = get_page(client, "/sparql?" + urlencode({"query": (
        "CONSTRUCT { ?p <https://w3id.org/crossinnov/ontology#operatedBy> ?o } WHERE "
        "{ ?p <https://w3id.org/crossinnov/ontology#operatedBy> ?o }")}))
    answer = construct.by_id["answer"]
    assert "12 triples" in answer and "subject" in answer and "predicate" in answer
    assert "Turtle" in answer


def test_query_syntax_error_is_400(client):
    response = client.get("/sparql?" + urlencode({"query": "SELEKT nothing"}),
                          headers={"Accept": BROWSER})
    assert response.status_code == 400


# --- escaping ---------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def profiled_client(make_app):
    """A fresh app holding one more profile, with markup in its name and description."""
    from crossinnov.ingest.profile import profile_to_unit
    from crossinnov.writes import Change, replace_units

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
                 "/id/organisation/estonian-design-centre", "/sparql?" + urlencode({"query": query})):
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


def test_a_failing_query_keeps_its_text_on_the_query_page(client):
    query = "SELECT * WHERE { ?s ?p }"
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    text = r.get_data(as_text=True)
    assert "SPARQL syntax error" in text and "SELECT * WHERE { ?s ?p }" in text
    assert "Accept" in r.headers["Vary"]


def test_download_links_keep_the_dataset(client):
    graph = "https://w3id.org/crossinnov/graph/city/berlin"
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }",
                                            "default-graph-uri": graph},
                   headers={"Accept": "text/html"})
    assert r.status_code == 200
    links = [a for a in r.get_data(as_text=True).split('href="')[1:] if "format=csv" in a]
    assert links and f"default-graph-uri={graph}" in links[0]
