"""The shipped files: ontology, shapes, generated data; and what the shipped graph holds."""

from __future__ import annotations

import csv
import re

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from crossinnov.config import DEFAULT_BASE
from crossinnov.devtools import generate_namespaces
from crossinnov.ingest.shipped import shipped_files
from crossinnov.iris import IRIs
from crossinnov.rdfio import to_rdflib
from crossinnov.resources import data_dir, ontology_path, shapes_paths

CI = rdflib.Namespace("https://w3id.org/crossinnov/ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")
CORE_CLASSES = ["Organisation", "GoodPractice", "City", "Sector", "SubTheme", "Event", "Project",
                "Cluster"]
CORE_PROPERTIES = ["basedIn", "inSector", "addressesTheme", "collaboratesWith", "operatedBy",
                   "participatedIn", "seeksPartnersIn", "hasMember"]
CITIES = ["amsterdam", "berlin", "birmingham", "linz", "lisbon", "plzen", "rome", "stockholm",
          "tallinn", "vilnius", "warsaw"]
THEMES = ["smart-incentives", "culture-based-innovation", "brokerage",
          "spatial-cross-collaboration"]


def sources(name: str) -> list[dict[str, str]]:
    with open(data_dir() / "sources" / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_path(), format="turtle")


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
    assert all(len(r) == len(rows[0]) for r in rows), "a row has more or fewer cells than the header"


def test_generated_data_files_are_up_to_date():
    """data/*.trig is what the ingest code makes of data/sources/*.csv (regenerate with devtools)."""
    for name, content in shipped_files(IRIs(DEFAULT_BASE)).items():
        on_disk = set(ox.parse(path=str(data_dir() / name)))
        fresh = set(ox.parse(content, format=ox.RdfFormat.TRIG))
        assert on_disk == fresh, f"data/{name} is stale: run python -m crossinnov.devtools data"


def test_namespaces_module_is_up_to_date():
    import crossinnov.namespaces

    with open(crossinnov.namespaces.__file__, encoding="utf-8") as fh:
        assert fh.read() == generate_namespaces(), "run python -m crossinnov.devtools namespaces"


# the ontology ------------------------------------------------------------------------------

def test_ontology_metadata(ontology):
    onto = rdflib.URIRef("https://w3id.org/crossinnov/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, DCTERMS.title)
    assert ontology.value(onto, DCTERMS.description)
    assert ontology.value(onto, DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert str(ontology.value(onto, OWL.versionIRI)).startswith(str(onto) + "/")
    assert ontology.value(onto, DCTERMS.created).datatype == rdflib.XSD.date


@pytest.mark.parametrize("name", CORE_CLASSES)
def test_core_class_is_defined_and_aligned(ontology, name):
    cls = CI[name]
    assert (cls, RDF.type, OWL.Class) in ontology
    assert ontology.value(cls, RDFS.label) and ontology.value(cls, RDFS.comment)
    assert list(ontology.objects(cls, RDFS.subClassOf)), f"{name} is aligned to nothing"


def test_alignments_to_the_vocabularies_people_query(ontology):
    org = set(ontology.objects(CI.Organisation, RDFS.subClassOf))
    assert {rdflib.URIRef("http://www.w3.org/ns/org#Organization"), SCHEMA.Organization,
            rdflib.URIRef("http://xmlns.com/foaf/0.1/Organization")} <= org
    assert SCHEMA.Event in set(ontology.objects(CI.Event, RDFS.subClassOf))
    assert SKOS.Concept in set(ontology.objects(CI.Sector, RDFS.subClassOf))
    assert SCHEMA.Place in set(ontology.objects(CI.City, RDFS.subClassOf))


@pytest.mark.parametrize("name", CORE_PROPERTIES)
def test_core_property_has_label_comment_domain_range(ontology, name):
    prop = CI[name]
    assert (prop, RDF.type, OWL.ObjectProperty) in ontology
    for p in (RDFS.label, RDFS.comment, RDFS.domain, RDFS.range):
        assert ontology.value(prop, p) is not None, f"ci:{name} has no {p}"


def test_every_defined_term_is_documented(ontology):
    for term in set(ontology.subjects(RDFS.isDefinedBy, None)):
        for p in (RDFS.label, RDFS.comment):
            assert ontology.value(term, p), f"{term} lacks {p}"
        if (term, RDF.type, OWL.Class) not in ontology:
            assert ontology.value(term, RDFS.domain) and ontology.value(term, RDFS.range), term


def test_collaborates_with_is_symmetric(ontology):
    assert (CI.collaboratesWith, RDF.type, OWL.SymmetricProperty) in ontology


# the shipped graph ----------------------------------------------------------------------------

def test_shipped_data_conforms_to_the_shapes(shipped_quads, validator):
    report = validator.validate(q.triple for q in shipped_quads)
    assert report.conforms, report.text


def test_the_eleven_cities(graph):
    rows = graph.query("""
        SELECT ?notation ?label ?same ?country WHERE {
          ?c a ci:City ; skos:notation ?notation ; skos:prefLabel ?label ; owl:sameAs ?same ;
             ci:countryCode ?country .
        }""", initNs={"ci": CI, "skos": SKOS, "owl": OWL})
    by_id = {str(r.notation): r for r in rows}
    assert sorted(by_id) == CITIES
    assert str(by_id["berlin"].same) == "http://www.wikidata.org/entity/Q64"
    assert str(by_id["plzen"].country) == "CZ"
    assert by_id["lisbon"].label.language == "en"


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
    assert rdflib.URIRef("http://data.europa.eu/ux2/nace2/7410") in set(
        graph.objects(design, SKOS.exactMatch))


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


def test_operators_partners_and_collaborations(graph):
    practice = rdflib.URIRef(DEFAULT_BASE + "id/practice/fab-lab-lx")
    operator = graph.value(practice, CI.operatedBy)
    assert operator == rdflib.URIRef(DEFAULT_BASE + "id/organisation/municipality-of-lisbon")
    partners = {str(p).rsplit("/", 1)[1] for p in graph.objects(practice, CI.hasPartner)}
    assert partners == {"aip-cci", "iberomoldes", "centimfe", "etic", "ydreams"}
    for p in partners:
        partner = rdflib.URIRef(DEFAULT_BASE + "id/organisation/" + p)
        assert (operator, CI.collaboratesWith, partner) in graph
        assert (partner, CI.collaboratesWith, operator) in graph
    # a partner named by the source that is no organisation of the dataset stays text
    rome = rdflib.URIRef(DEFAULT_BASE + "id/practice/romaprovinciacreativa")
    assert str(graph.value(rome, CI.unidentifiedPartner)).startswith("Chamber of Trade")


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
    assert str(graph.value(final, SCHEMA.startDate)) == "2014-11-17"
    assert str(graph.value(final, SCHEMA.endDate)) == "2014-11-18"
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
    pattern = re.compile(r"^https://w3id\.org/crossinnov/id/(organisation|practice|city|sector|"
                         r"theme|event|project)/[a-z0-9-]+$")
    for s in set(graph.subjects()):
        if isinstance(s, rdflib.URIRef) and str(s).startswith(DEFAULT_BASE + "id/"):
            assert pattern.match(str(s)), s
