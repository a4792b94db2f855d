"""The shipped data (crossinnov.ingest.shipped): every shipped file parses, and the shipped graph
holds what the source tables (``data/sources/*.csv``) say, no more and no less.

The ontology's own statements are checked in ``test_ontology.py``; that the generated files
are up to date, in ``test_devtools.py``; the ties derived from practices as writes change
them, in ``writes/test_closure.py``.
"""

from __future__ import annotations

import csv
import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, SKOS, XSD

from crossinnov.config import DEFAULT_BASE
from crossinnov.formats import to_rdflib
from crossinnov.resources import data_dir, ontology_path, shapes_paths

CI = rdflib.Namespace("https://w3id.org/crossinnov/ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")
NACE = "http://data.europa.eu/ux2/nace2/"
DERIVED = DEFAULT_BASE + "graph/derived/practice-ties"
CLOSURE = DEFAULT_BASE + "graph/inferred/collaborations"
CITIES = ["amsterdam", "berlin", "birmingham", "linz", "lisbon", "plzen", "rome", "stockholm",
          "tallinn", "vilnius", "warsaw"]
THEMES = ["smart-incentives", "culture-based-innovation", "brokerage",
          "spatial-cross-collaboration"]


def sources(name: str) -> list[dict[str, str]]:
    with open(data_dir() / "sources" / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def graph(shipped_quads) -> rdflib.Graph:
    return to_rdflib(shipped_quads)


# every shipped file parses ---------------------------------------------------------------

def shipped_rdf_files():
    return [ontology_path(), *shapes_paths(), *sorted(data_dir().glob("*.trig"))]


@pytest.mark.parametrize("path", shipped_rdf_files(), ids=lambda p: p.name)
def test_shipped_rdf_parses_with_rdflib_and_pyoxigraph(path):
    fmt = "trig" if path.suffix == ".trig" else "turtle"
    dataset = rdflib.Dataset()
    dataset.parse(path, format=fmt)
    assert len(dataset) > 0 or sum(len(g) for g in dataset.graphs()) > 0
    quads = list(ox.parse(path=str(path)))
    assert len(quads) > 10


@pytest.mark.parametrize("path", sorted((data_dir() / "sources").glob("*.csv")),
                         ids=lambda p: p.name)
def test_source_csv_parses_with_one_value_per_column(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) > 1
    assert all(len(r) == len(rows[0]) for r in rows), \
        "a row has more or fewer cells than the header"


# the shipped graph ----------------------------------------------------------------------------

def test_shipped_data_conforms_to_the_shapes(shipped_quads, validator):
    report = validator.validate(q.triple for q in shipped_quads)
    assert report.conforms, report.text


def test_the_eleven_cities(graph):
    rows = graph.query("""
        SELECT ?notation ?label ?place ?country WHERE {
          ?c a ci:City ; skos:notation ?notation ; skos:prefLabel ?label ; foaf:focus ?place ;
             ci:countryCode ?country .
        }""", initNs={"ci": CI, "skos": SKOS, "foaf": FOAF})
    by_id = {str(r.notation): r for r in rows}
    assert sorted(by_id) == CITIES
    assert str(by_id["berlin"].place) == "http://www.wikidata.org/entity/Q64"
    assert str(by_id["plzen"].country) == "CZ"
    assert by_id["lisbon"].label.language == "en"
    # a concept is not the place: no city is owl:sameAs anything
    assert not list(graph.triples((None, OWL.sameAs, None)))


def test_city_notes_are_the_editors_not_facts(graph):
    """cities.csv has no sources: its notes are kept as skos:editorialNote, never skos:note."""
    for row in sources("cities.csv"):
        city = rdflib.URIRef(DEFAULT_BASE + "id/city/" + row["id"])
        assert [str(n) for n in graph.objects(city, SKOS.editorialNote)] == [row["notes"]]
        assert list(graph.objects(city, SKOS.note)) == []


def test_the_four_sub_themes_with_definitions(graph):
    rows = graph.query("""SELECT ?n ?d WHERE { ?t a ci:SubTheme ; skos:notation ?n ;
        skos:definition ?d ; skos:inScheme ?s . ?s a skos:ConceptScheme }""",
                       initNs={"ci": CI, "skos": SKOS})
    assert sorted(str(r.n) for r in rows) == sorted(THEMES)
    assert all(len(str(r.d)) > 40 for r in rows)


def test_sector_scheme_has_two_top_concepts_and_nace_matches(graph):
    tops = {str(r.n) for r in graph.query("""SELECT ?n WHERE { ?s a ci:Sector ;
        skos:topConceptOf ?scheme ; skos:notation ?n }""", initNs={"ci": CI, "skos": SKOS})}
    assert tops == {"creative-industries", "other-growth-sectors"}
    under = {}
    for r in graph.query("""SELECT ?n ?top WHERE { ?s a ci:Sector ; skos:notation ?n ;
            skos:broader/skos:notation ?top }""", initNs={"ci": CI, "skos": SKOS}):
        under[str(r.n)] = str(r.top)
    for creative in ("architecture", "design", "fashion", "film-and-audiovisual", "games",
                     "music", "performing-arts", "visual-arts", "crafts", "publishing",
                     "advertising", "cultural-heritage", "software-and-digital-media"):
        assert under[creative] == "creative-industries"
    for growth in ("manufacturing", "ict", "health-and-life-sciences", "energy-and-environment",
                   "mobility-and-logistics", "tourism", "food", "packaging", "finance",
                   "construction-and-real-estate", "education", "public-services"):
        assert under[growth] == "other-growth-sectors"
    design = rdflib.URIRef(DEFAULT_BASE + "id/sector/design")
    # design includes the applied arts, which NACE 74.10 does not: 74.10 is a part of it
    assert rdflib.URIRef(NACE + "7410") in set(graph.objects(design, SKOS.narrowMatch))


# exact only where the NACE class means the same activity, no more, no less
NACE_EXACT = {"architecture": "7111", "cultural-education": "8552", "publishing": "581",
              "education": "P", "engineering": "7112", "manufacturing": "C",
              "mobility-and-logistics": "H"}


@pytest.mark.parametrize(("sector", "match", "code"), [
    # the five the issue names: looser than exact
    ("advertising", SKOS.narrowMatch, "731"),  # advertising and communication > advertising
    ("music", SKOS.narrowMatch, "5920"),  # music (with live music) > sound recording
    ("visual-arts", SKOS.closeMatch, "9003"),  # overlap: 90.03 has writers, lacks photography
    ("research-and-technology", SKOS.narrowMatch, "72"),  # research and technology > R&D
    ("public-services", SKOS.narrowMatch, "O"),  # public services > public administration
    # and others found looser than exact on review
    ("cultural-heritage", SKOS.broadMatch, "91"),  # 91 also has zoos and nature reserves
    ("film-and-audiovisual", SKOS.broadMatch, "591"),  # 59.1 also has cinemas
    ("finance", SKOS.broadMatch, "K"),  # K also has insurance and pension funding
    ("games", SKOS.narrowMatch, "5821"),
    ("media", SKOS.narrowMatch, "60"),
])
def test_nace_matches_say_how_close_they_are(graph, sector, match, code):
    node = rdflib.URIRef(DEFAULT_BASE + "id/sector/" + sector)
    assert rdflib.URIRef(NACE + code) in set(graph.objects(node, match))
    assert list(graph.objects(node, SKOS.exactMatch)) == []


def test_exact_nace_matches_are_only_the_exact_ones(graph):
    exact = {str(s).rsplit("/", 1)[1]: str(o)[len(NACE):]
             for s, o in graph.subject_objects(SKOS.exactMatch)}
    assert exact == NACE_EXACT


def test_the_project(graph):
    project = rdflib.URIRef(DEFAULT_BASE + "id/project/cross-innovation")
    assert str(graph.value(project, SCHEMA.startDate)) == "2012-01-01"
    assert str(graph.value(project, SCHEMA.endDate)) == "2014-12-31"
    assert str(graph.value(project, CI.fundingProgramme)) == "INTERREG IVC"
    assert graph.value(project, CI.leadPartner) == rdflib.URIRef(
        DEFAULT_BASE + "id/organisation/birmingham-city-university")
    assert len(set(graph.objects(project, CI.partnerCity))) == 11


@pytest.mark.parametrize("csv_name,kind,cls", [
    ("good_practices.csv", "practice", CI.GoodPractice),
    ("organisations.csv", "organisation", CI.Organisation),
    ("events.csv", "event", CI.Event),
])
def test_every_source_row_is_in_the_graph_with_source_and_summary(graph, csv_name, kind, cls):
    for row in sources(csv_name):
        node = rdflib.URIRef(f"{DEFAULT_BASE}id/{kind}/{row['id']}")
        assert (node, RDF.type, cls) in graph, row["id"]
        assert str(graph.value(node, SCHEMA.name)) == row["name"]
        assert str(graph.value(node, DCTERMS.description)) == row["summary"]
        sources_in_graph = {str(o) for o in graph.objects(node, DCTERMS.source)}
        assert sources_in_graph == set(row["source_urls"].split()), row["id"]


def test_operators_partners_and_collaborations(graph, shipped_quads):
    practice = rdflib.URIRef(DEFAULT_BASE + "id/practice/fab-lab-lx")
    operator = graph.value(practice, CI.operatedBy)
    assert operator == rdflib.URIRef(DEFAULT_BASE + "id/organisation/municipality-of-lisbon")
    partners = {str(p).rsplit("/", 1)[1] for p in graph.objects(practice, CI.hasPartner)}
    assert partners == {"aip-cci", "iberomoldes", "centimfe", "etic", "ydreams"}
    for p in partners:
        partner = rdflib.URIRef(DEFAULT_BASE + "id/organisation/" + p)
        # symmetric in the union graph (the contract)
        assert (operator, CI.collaboratesWith, partner) in graph
        assert (partner, CI.collaboratesWith, operator) in graph
        # derived from the practice, one tie per pair and practice
        ties = [t for t in graph.subjects(PROV.wasDerivedFrom, practice)
                if {operator, partner} == set(graph.objects(t, CI.tieBetween))]
        assert len(ties) == 1 and (ties[0], RDF.type, CI.DerivedTie) in graph
    # a partner named by the source that is no organisation of the dataset stays text
    rome = rdflib.URIRef(DEFAULT_BASE + "id/practice/romaprovinciacreativa")
    assert str(graph.value(rome, CI.unidentifiedPartner)).startswith("Chamber of Trade")


def test_derived_ties_are_not_stated_by_the_organisations(shipped_quads):
    """The practice, not the organisations, says they work together: no organisation graph
    holds a ci:collaboratesWith; the links are in the closure graph, the ties in their own."""
    link = str(CI.collaboratesWith)
    where = {q.graph_name.value for q in shipped_quads if q.predicate.value == link}
    assert where == {CLOSURE}
    ties = {q.subject for q in shipped_quads
            if q.predicate.value == str(RDF.type) and q.object.value == str(CI.DerivedTie)}
    assert {q.graph_name.value for q in shipped_quads if q.subject in ties} == {DERIVED}
    # one tie per operator-partner pair and practice: 21 pairs, 42 links, none stated
    assert len(ties) == 21
    assert sum(q.predicate.value == link for q in shipped_quads) == 42
    # the graph of derived ties is described as a PROV entity
    assert any(q.subject.value == DERIVED and q.object.value == str(PROV.Entity)
               for q in shipped_quads)


def test_partner_in_only_where_a_source_says_partner(graph):
    """ci:partnerIn where project_participation.csv finds "partner" in the sources; where
    they only say the organisation took part, ci:participatedInProject and a role that says so."""
    project = rdflib.URIRef(DEFAULT_BASE + "id/project/cross-innovation")
    said = {r["organisation"]: r["relation"] for r in sources("project_participation.csv")}
    claimed = {r["id"] for r in sources("organisations.csv")
               if r["role"] in ("lead-partner", "project-partner")}
    assert set(said) == claimed
    partners = {str(s).rsplit("/", 1)[1] for s in graph.subjects(CI.partnerIn, project)}
    took_part = {str(s).rsplit("/", 1)[1]
                 for s in graph.subjects(CI.participatedInProject, project)}
    assert partners == {o for o, r in said.items() if r == "partner"}
    assert took_part == {o for o, r in said.items() if r == "participant"}
    assert {"city-of-stockholm", "city-of-tallinn", "future-society-institute",
            "vilnius-city-municipality"} == took_part
    for slug in took_part:
        node = rdflib.URIRef(DEFAULT_BASE + "id/organisation/" + slug)
        assert graph.value(node, CI.projectRole) == rdflib.URIRef(
            DEFAULT_BASE + "id/project-role/project-participant")


@pytest.mark.parametrize(("prop", "kind", "column", "table"), [
    (CI.organisationKind, "organisation-kind", "kind", "organisation_kinds.csv"),
    (CI.projectRole, "project-role", "role", "project_roles.csv"),
])
def test_kinds_and_roles_are_concepts_of_their_schemes(graph, prop, kind, column, table):
    scheme = rdflib.URIRef(f"{DEFAULT_BASE}scheme/{kind}s")
    concepts = {r["id"] for r in sources(table)}
    for row in sources(table):
        node = rdflib.URIRef(f"{DEFAULT_BASE}id/{kind}/{row['id']}")
        assert (node, SKOS.inScheme, scheme) in graph
        assert (scheme, SKOS.hasTopConcept, node) in graph
        assert str(graph.value(node, SKOS.prefLabel)) == row["label"]
        assert str(graph.value(node, SKOS.notation)) == row["id"]
    for row in sources("organisations.csv"):
        org = rdflib.URIRef(DEFAULT_BASE + "id/organisation/" + row["id"])
        values = list(graph.objects(org, prop))
        assert all(isinstance(v, rdflib.URIRef) for v in values)
        assert {str(v).rsplit("/", 1)[1] for v in values} <= concepts
        if row[column] and column == "kind":
            assert values == [rdflib.URIRef(f"{DEFAULT_BASE}id/{kind}/{row[column]}")]


def test_events_in_doubt_have_candidate_dates_not_a_date(graph):
    """What the sources leave in doubt is data: each date a source gives, with the source and
    the mark ci:uncertain, and a sentence of doubt; the event itself has no date."""
    doubts = {r["event"]: r for r in sources("event_doubts.csv")}
    assert set(doubts) == {"final-conference-birmingham-2014",
                           "stockholm-cross-innovation-seminar-2015"}
    for slug, doubt in doubts.items():
        event = rdflib.URIRef(DEFAULT_BASE + "id/event/" + slug)
        assert graph.value(event, SCHEMA.startDate) is None
        assert graph.value(event, SCHEMA.endDate) is None
        assert str(graph.value(event, CI.doubt)) == doubt["doubt"]
        held_uncertain = graph.value(event, CI.uncertain)
        assert (held_uncertain is not None and held_uncertain.toPython()) == (
            doubt["held"] == "unconfirmed")
        row = next(r for r in sources("events.csv") if r["id"] == slug)
        given = {}
        for candidate in graph.objects(event, CI.dateCandidate):
            assert (candidate, RDF.type, CI.DateCandidate) in graph
            assert graph.value(candidate, CI.uncertain).toPython() is True
            source = str(graph.value(candidate, DCTERMS.source))
            assert source in row["source_urls"].split()
            given[source] = graph.value(candidate, SCHEMA.startDate)
        assert len(given) == sum(r["event"] == slug for r in sources("event_dates.csv"))
    final = rdflib.URIRef(DEFAULT_BASE + "id/event/final-conference-birmingham-2014")
    starts = {(str(graph.value(c, SCHEMA.startDate)), graph.value(c, SCHEMA.startDate).datatype)
              for c in graph.objects(final, CI.dateCandidate)}
    assert starts == {("2014-11-17", XSD.date), ("2014-10", XSD.gYearMonth)}


def test_event_participants(graph):
    event = rdflib.URIRef(DEFAULT_BASE + "id/event/innovation-interface-berlin-2014")
    people = {str(s).rsplit("/", 1)[1] for s in graph.subjects(CI.participatedIn, event)}
    row = next(r for r in sources("events.csv") if r["id"] == "innovation-interface-berlin-2014")
    assert people == set(row["participants"].split(";"))


def test_gaps_are_modelled_truthfully(graph):
    def node(kind, slug):
        return rdflib.URIRef(f"{DEFAULT_BASE}id/{kind}/{slug}")

    year_only = graph.value(node("event", "amsterdam-partner-meeting-2013"), SCHEMA.startDate)
    assert year_only.datatype == rdflib.XSD.gYear and str(year_only) == "2013"
    assert graph.value(node("event", "amsterdam-partner-meeting-2013"), SCHEMA.endDate) is None
    final = node("event", "final-conference-birmingham-2014")
    assert graph.value(final, SCHEMA.startDate) is None  # in doubt: candidates instead
    (november,) = [c for c in graph.objects(final, CI.dateCandidate)
                   if str(graph.value(c, SCHEMA.startDate)) == "2014-11-17"]
    assert str(graph.value(november, SCHEMA.endDate)) == "2014-11-18"
    assert graph.value(node("organisation", "iberomoldes"), CI.basedIn) is None
    assert graph.value(node("organisation", "bsu-berlin"), CI.inSector) is None
    assert graph.value(node("practice", "greengraffiti"), CI.addressesTheme) is None
    assert graph.value(node("practice", "fab-lab-lx"), SCHEMA.startDate) is None
    # organisations without a city are referenced ones, not self-submitted profiles
    assert (node("organisation", "iberomoldes"), RDF.type, CI.ProfiledOrganisation) not in graph


def test_every_sector_term_of_the_sources_is_kept_as_a_keyword(graph):
    for row in sources("organisations.csv"):
        node = rdflib.URIRef(f"{DEFAULT_BASE}id/organisation/{row['id']}")
        keywords = {str(k) for k in graph.objects(node, SCHEMA.keywords)}
        assert keywords == {t.strip() for t in row["sectors"].split(";") if t.strip()}


def test_shipped_iris_are_minted_under_the_base(graph):
    # resources, and the candidate dates of events as fragments of the event's IRI
    pattern = re.compile(r"^https://w3id\.org/crossinnov/id/(organisation|practice|city|sector|"
                         r"theme|event|project|organisation-kind|project-role)/[a-z0-9-]+"
                         r"(#date-[0-9-]+|#point)?$")
    for s in set(graph.subjects()):
        if isinstance(s, rdflib.URIRef) and str(s).startswith(DEFAULT_BASE + "id/"):
            assert pattern.match(str(s)), s



def test_every_city_has_a_wgs84_point_with_its_source(graph):
    rows = graph.query("""
        PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
        SELECT ?city ?lat ?long ?source WHERE {
          ?city a ci:City ; geo:location ?p . ?p a geo:Point ; geo:lat ?lat ; geo:long ?long ;
             dcterms:source ?source }""", initNs={"ci": CI, "dcterms": DCTERMS})
    points = {str(r.city).rsplit("/", 1)[1]: r for r in rows}
    assert len(points) == 11
    for city, r in points.items():
        # Europe, roughly: a swapped latitude and longitude would fall outside
        assert 35 < float(r.lat) < 62 and -10 < float(r.long) < 30, city
        assert str(r.source).startswith("https://www.geonames.org/"), city
    assert round(float(points["vilnius"].lat)) == 55 and round(float(points["lisbon"].long)) == -9
