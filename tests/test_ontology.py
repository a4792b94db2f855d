"""The ontology means what it says, and nothing more, under RDFS reasoning.

The ontology, the shipped data (with the ties derived from good practices and the
closure graph, as a load leaves them) and an analysis graph with a cluster are
expanded with the RDFS entailment rules (owlrl's ``RDFS_Semantics``), together with
the upstream axioms the ontology builds on (W3C ORG, PROV-O, SKOS, FOAF, schema.org;
only those RDFS can use: sub-classes, sub-properties, domains, ranges). Then every
resource's named types are checked against the set its kind may have, exactly.

Ontology 1.0.0 failed this: a cluster (a statistical grouping) became an
``org:Organization`` through ``ci:Cluster ⊑ org:OrganizationalCollaboration`` and
``ci:hasMember ⊑ org:hasMember``, a city concept was a ``schema:Place``, and the
project a ``prov:Activity``. 2.0.0 means the project to be the ORG collaboration.

The last section checks what the ontology file states of itself (title, licence, versions,
history note) and of each term (label, comment, domain, range, alignments).
"""

from __future__ import annotations

import owlrl
import pytest
import rdflib
from rdflib import RDF, RDFS, BNode, Namespace, URIRef
from rdflib.namespace import DCTERMS

from crossinnov.config import DEFAULT_BASE
from crossinnov.formats import to_rdflib
from crossinnov.resources import ontology_path

CI = Namespace("https://w3id.org/crossinnov/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
OWL = Namespace("http://www.w3.org/2002/07/owl#")

#: The upstream axioms RDFS can use, as their vocabularies state them:
#: ORG https://www.w3.org/ns/org.ttl, PROV-O https://www.w3.org/ns/prov-o,
#: SKOS https://www.w3.org/2009/08/skos-reference/skos.rdf,
#: FOAF http://xmlns.com/foaf/spec/index.rdf, schema.org (sub-classes only: its
#: domains and ranges are schema:domainIncludes/rangeIncludes, which RDFS ignores).
UPSTREAM = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix schema: <https://schema.org/> .

org:Organization rdfs:subClassOf foaf:Agent .
org:FormalOrganization rdfs:subClassOf org:Organization , foaf:Organization .
org:OrganizationalCollaboration rdfs:subClassOf org:Organization .
org:memberOf rdfs:domain foaf:Agent ; rdfs:range org:Organization .
org:hasMember rdfs:domain org:Organization ; rdfs:range foaf:Agent .

prov:wasDerivedFrom rdfs:domain prov:Entity ; rdfs:range prov:Entity .
prov:wasAttributedTo rdfs:domain prov:Entity ; rdfs:range prov:Agent .
prov:wasGeneratedBy rdfs:domain prov:Entity ; rdfs:range prov:Activity .
prov:used rdfs:domain prov:Activity ; rdfs:range prov:Entity .
prov:wasAssociatedWith rdfs:domain prov:Activity ; rdfs:range prov:Agent .

skos:inScheme rdfs:range skos:ConceptScheme .
skos:topConceptOf rdfs:subPropertyOf skos:inScheme ;
    rdfs:domain skos:Concept ; rdfs:range skos:ConceptScheme .
skos:hasTopConcept rdfs:domain skos:ConceptScheme ; rdfs:range skos:Concept .
skos:semanticRelation rdfs:domain skos:Concept ; rdfs:range skos:Concept .
skos:broaderTransitive rdfs:subPropertyOf skos:semanticRelation .
skos:narrowerTransitive rdfs:subPropertyOf skos:semanticRelation .
skos:broader rdfs:subPropertyOf skos:broaderTransitive .
skos:narrower rdfs:subPropertyOf skos:narrowerTransitive .
skos:mappingRelation rdfs:subPropertyOf skos:semanticRelation .
skos:closeMatch rdfs:subPropertyOf skos:mappingRelation .
skos:exactMatch rdfs:subPropertyOf skos:closeMatch .
skos:broadMatch rdfs:subPropertyOf skos:mappingRelation , skos:broader .
skos:narrowMatch rdfs:subPropertyOf skos:mappingRelation , skos:narrower .
skos:member rdfs:domain skos:Collection .
skos:prefLabel rdfs:subPropertyOf rdfs:label .
skos:altLabel rdfs:subPropertyOf rdfs:label .
skos:definition rdfs:subPropertyOf skos:note .
skos:editorialNote rdfs:subPropertyOf skos:note .

foaf:Organization rdfs:subClassOf foaf:Agent .
foaf:focus rdfs:domain skos:Concept ; rdfs:range owl:Thing .
foaf:homepage rdfs:range foaf:Document .

schema:Project rdfs:subClassOf schema:Organization .
"""

#: An analysis graph as ``crossinnov analyse`` writes it (ci: terms only): a run, a
#: cluster with members and what describes it, and scores on organisations and a city.
ANALYSIS = """
@prefix ci: <https://w3id.org/crossinnov/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@base <https://w3id.org/crossinnov/> .

<analysis/run/test> a ci:AnalysisRun , prov:Activity ;
    prov:used <dataset> ;
    ci:modularity 0.41 ; ci:nodeCount 47 ; ci:edgeCount 21 ; ci:parameter "seed=1" .

<id/cluster/fab-lab-lx-partners> a ci:Cluster , prov:Entity ;
    rdfs:label "Fab Lab LX partners"@en ;
    prov:wasGeneratedBy <analysis/run/test> ;
    ci:hasMember <id/organisation/municipality-of-lisbon> , <id/organisation/etic> ,
        <id/organisation/aip-cci> ;
    ci:centralMember <id/organisation/municipality-of-lisbon> ;
    ci:clusterSize 3 ; ci:density 0.67 ; ci:creativeShare 0.33 ; ci:growthShare 0.67 ;
    ci:crossSectorShare 0.5 ; ci:crossCityShare 0.0 ;
    ci:dominantCity <id/city/lisbon> ;
    ci:mainSector <id/sector/manufacturing> ;
    ci:mainTheme <id/theme/spatial-cross-collaboration> ;
    ci:clusterPractice <id/practice/fab-lab-lx> .

<id/organisation/municipality-of-lisbon> ci:betweenness 0.2 ; ci:weightedDegree 5.0 ;
    ci:crossSectorBrokerage 4 ; ci:crossCityBrokerage 0 ; ci:sectorLiaison 2 .
<id/city/lisbon> ci:crossInnovationScore 33.3 ; ci:bridgingShare 0.5 .
"""

ORGANISATION = {CI.Organisation, ORG.Organization, FOAF.Organization, SCHEMA.Organization,
                FOAF.Agent}
#: the named types each kind of resource may have after RDFS reasoning, and must have
ALLOWED: dict[str, tuple[set[URIRef], set[URIRef]]] = {
    # (must, may besides): a practice's operator and partners are also its prov:Agents
    "organisation": (ORGANISATION, {PROV.Agent}),
    "practice": ({CI.GoodPractice, SCHEMA.CreativeWork, PROV.Entity}, set()),
    "city": ({CI.City, SKOS.Concept}, set()),
    "sector": ({CI.Sector, SKOS.Concept}, set()),
    "theme": ({CI.SubTheme, SKOS.Concept}, set()),
    "organisation-kind": ({CI.OrganisationKind, SKOS.Concept}, set()),
    "project-role": ({CI.ProjectRole, SKOS.Concept}, set()),
    "event": ({CI.Event, SCHEMA.Event}, set()),
    # meant: as W3C ORG describes a project, the project is the partners' collaboration
    "project": ({CI.Project, SCHEMA.Project, SCHEMA.Organization,
                 ORG.OrganizationalCollaboration, ORG.Organization, FOAF.Agent}, set()),
    # a statistical grouping, an analysis result: never an organisation
    "cluster": ({CI.Cluster, PROV.Entity}, set()),
    "analysis": ({CI.AnalysisRun, PROV.Activity}, set()),
    "scheme": ({SKOS.ConceptScheme}, set()),
    "date-candidate": ({CI.DateCandidate}, set()),
    # where a city is: a WGS84 point of its own, not the concept
    "point": ({URIRef("http://www.w3.org/2003/01/geo/wgs84_pos#Point")}, set()),
    "derived-tie": ({CI.DerivedTie, PROV.Entity}, set()),
    "derived-graph": ({PROV.Entity}, set()),
    "dataset": ({PROV.Entity}, set()),
    "nace": ({SKOS.Concept}, set()),
    # the place a city concept stands for: not a concept, never merged with one
    "wikidata": ({OWL.Thing}, set()),
    "web": (set(), {FOAF.Document}),
}


def kind_of(iri: str) -> str | None:
    """Return the kind of a resource of the data (None for vocabulary terms)."""
    base = DEFAULT_BASE
    if iri.startswith(base + "id/event/") and "#date-" in iri:
        return "date-candidate"
    if iri.startswith(base + "id/city/") and iri.endswith("#point"):
        return "point"
    if iri.startswith(base + "graph/derived/practice-ties#"):
        return "derived-tie"
    if iri == base + "graph/derived/practice-ties":
        return "derived-graph"
    if iri.startswith(base + "id/"):
        return iri[len(base + "id/"):].split("/", 1)[0]
    if iri.startswith(base + "scheme/"):
        return "scheme"
    if iri.startswith(base + "analysis/"):
        return "analysis"
    if iri == base + "dataset":
        return "dataset"
    if iri.startswith("http://data.europa.eu/ux2/nace2/"):
        return "nace"
    if iri.startswith("http://www.wikidata.org/entity/"):
        return "wikidata"
    vocabularies = (str(CI), str(ORG), str(PROV), str(SKOS), str(FOAF), str(SCHEMA), str(OWL),
                    str(RDF), str(RDFS), "http://www.w3.org/2001/XMLSchema#",
                    "http://purl.org/dc/terms/", "http://purl.org/vocab/vann/",
                    "https://w3id.org/crossinnov/ontology")
    if iri.startswith(vocabularies):
        return None
    return "web"


def entailed(*graphs: rdflib.Graph) -> rdflib.Graph:
    """The RDFS closure of the union of some graphs."""
    union = rdflib.Graph()
    for graph in graphs:
        union += graph
    # improved_datatypes=False: otherwise owlrl swaps rdflib's literal converters for the
    # whole process, and later validations in the same run judge gYear differently
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics, improved_datatypes=False).expand(union)
    return union


def named_types(graph: rdflib.Graph) -> dict[URIRef, set[URIRef]]:
    """Every IRI's named types, less rdfs:Resource (RDFS gives it to everything)."""
    out: dict[URIRef, set[URIRef]] = {}
    for s in set(graph.subjects()) | set(graph.objects()):
        if isinstance(s, URIRef):
            out[s] = {t for t in graph.objects(s, RDF.type)
                      if isinstance(t, URIRef) and t != RDFS.Resource}
    return out


def surprises(graph: rdflib.Graph) -> dict[str, list[str]]:
    """What each resource was given beyond, or lacks of, what its kind means."""
    out: dict[str, list[str]] = {}
    predicates = set(graph.predicates())
    for iri, types in named_types(graph).items():
        kind = kind_of(str(iri))
        if kind is None or iri in predicates:
            continue
        assert kind in ALLOWED, f"no expectation for {kind} ({iri})"
        must, may = ALLOWED[kind]
        problems = [f"+{t}" for t in sorted(types - must - may)]
        problems += [f"-{t}" for t in sorted(must - types)]
        if problems:
            out[str(iri)] = problems
    return out


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology_path(), format="turtle")


@pytest.fixture(scope="module")
def upstream() -> rdflib.Graph:
    return rdflib.Graph().parse(data=UPSTREAM, format="turtle")


@pytest.fixture(scope="module")
def data(shipped_quads) -> rdflib.Graph:
    """The shipped data as a load leaves it (derived ties, closure), with an analysis graph;
    the changelog and the ontology graph are left out (the ontology is added apart)."""
    keep = [q for q in shipped_quads
            if q.graph_name.value not in (DEFAULT_BASE + "graph/changelog",
                                          DEFAULT_BASE + "graph/ontology")]
    graph = to_rdflib(keep)
    graph.parse(data=ANALYSIS, format="turtle")
    return graph


@pytest.fixture(scope="module")
def closure(ontology, upstream, data) -> rdflib.Graph:
    return entailed(ontology, upstream, data)


def test_every_kind_of_resource_has_exactly_the_types_it_means(closure):
    assert surprises(closure) == {}


def test_no_cluster_becomes_an_organisation(closure):
    """Regression: in ontology 1.0.0 a cluster (a statistical grouping) became an
    ``org:Organization`` through ``ci:Cluster ⊑ org:OrganizationalCollaboration`` and
    ``ci:hasMember ⊑ org:hasMember``."""
    clusters = set(closure.subjects(RDF.type, CI.Cluster))
    assert clusters, "the analysis graph holds a cluster"
    for cluster in clusters:
        types = set(closure.objects(cluster, RDF.type))
        assert not types & {ORG.Organization, ORG.OrganizationalCollaboration, FOAF.Agent,
                            FOAF.Organization, SCHEMA.Organization, CI.Organisation}, cluster
    # its members are organisations because they are, not because of the cluster
    for member in closure.objects(None, CI.hasMember):
        assert (member, RDF.type, CI.Organisation) in closure


def test_the_project_is_the_org_collaboration_and_not_an_activity(closure):
    """Regression: in ontology 1.0.0 the project was a ``prov:Activity``."""
    project = URIRef(DEFAULT_BASE + "id/project/cross-innovation")
    types = set(closure.objects(project, RDF.type))
    assert {ORG.OrganizationalCollaboration, ORG.Organization} <= types
    assert PROV.Activity not in types
    # partners are its members (org:memberOf); organisations that only took part are not
    members = set(closure.subjects(ORG.memberOf, project))
    took_part = set(closure.subjects(CI.participatedInProject, project))
    assert members < took_part
    assert URIRef(DEFAULT_BASE + "id/organisation/city-of-stockholm") in took_part - members


def test_a_city_concept_is_not_merged_with_its_place(closure):
    """Regression: in ontology 1.0.0 a city concept was a ``schema:Place`` (the city itself)."""
    for city in closure.subjects(RDF.type, CI.City):
        assert not list(closure.objects(city, OWL.sameAs)), city
        (place,) = closure.objects(city, FOAF.focus)
        assert str(place).startswith("http://www.wikidata.org/entity/Q")
        assert (place, RDF.type, SKOS.Concept) not in closure
        assert (city, RDF.type, SCHEMA.Place) not in closure


def test_kinds_and_roles_are_concepts_not_strings(closure):
    for prop, cls in ((CI.organisationKind, CI.OrganisationKind), (CI.projectRole, CI.ProjectRole)):
        values = list(closure.objects(None, prop))
        assert values
        assert all(isinstance(v, URIRef) and (v, RDF.type, cls) in closure for v in values)


def test_the_check_catches_what_version_1_said(ontology, upstream, data):
    """The checker is not blind: the 1.0.0 axioms put back make clusters organisations."""
    old = rdflib.Graph().parse(data="""
        @prefix ci: <https://w3id.org/crossinnov/ontology#> .
        @prefix org: <http://www.w3.org/ns/org#> .
        @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix schema: <https://schema.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ci:Cluster rdfs:subClassOf org:OrganizationalCollaboration .
        ci:hasMember rdfs:subPropertyOf org:hasMember .
        ci:City rdfs:subClassOf schema:City .
        ci:Project rdfs:subClassOf prov:Activity .
        """, format="turtle")
    found = surprises(entailed(ontology, upstream, data, old))
    cluster = DEFAULT_BASE + "id/cluster/fab-lab-lx-partners"
    assert f"+{ORG.Organization}" in found[cluster]
    assert f"+{SCHEMA.City}" in found[DEFAULT_BASE + "id/city/berlin"]
    assert f"+{PROV.Activity}" in found[DEFAULT_BASE + "id/project/cross-innovation"]


def test_no_blank_node_is_left_untyped_by_accident(closure):
    """Anonymous classes (unions of domains) are the only blank-node types."""
    for cls in set(closure.objects(None, RDF.type)):
        if isinstance(cls, BNode):
            assert (cls, OWL.unionOf, None) in closure, cls


# --- what the ontology states of itself and of each term ----------------------------------------

CORE_CLASSES = ["Organisation", "GoodPractice", "City", "Sector", "SubTheme", "Event", "Project",
                "Cluster"]
CORE_PROPERTIES = ["basedIn", "inSector", "addressesTheme", "collaboratesWith", "operatedBy",
                   "participatedIn", "seeksPartnersIn", "hasMember"]


def test_ontology_metadata(ontology):
    onto = rdflib.URIRef("https://w3id.org/crossinnov/ontology")
    assert (onto, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(onto, DCTERMS.title)
    assert ontology.value(onto, DCTERMS.description)
    assert ontology.value(onto, DCTERMS.license) == rdflib.URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert str(ontology.value(onto, OWL.versionIRI)).startswith(str(onto) + "/")
    assert ontology.value(onto, DCTERMS.created).datatype == rdflib.XSD.date


def test_ontology_change_notes(ontology):
    """A release says what changed: its version (in its IRI too), date and history note."""
    onto = rdflib.URIRef("https://w3id.org/crossinnov/ontology")
    version = str(ontology.value(onto, OWL.versionInfo))
    assert str(ontology.value(onto, OWL.versionIRI)) == f"{onto}/{version}"
    assert ontology.value(onto, DCTERMS.modified) >= ontology.value(onto, DCTERMS.created)
    assert ontology.value(onto, OWL.priorVersion) == rdflib.URIRef(f"{onto}/1.0.0")
    history = str(ontology.value(onto, SKOS.historyNote))
    assert history.startswith(f"{version} ({ontology.value(onto, DCTERMS.modified)})")
    for changed in ("ci:Cluster", "ci:Project", "ci:City", "foaf:focus", "ci:organisationKind",
                    "ci:projectRole", "ci:participatedInProject", "ci:DerivedTie",
                    "ci:DateCandidate", "ci:doubt"):
        assert changed in history, changed


@pytest.mark.parametrize("name", CORE_CLASSES)
def test_core_class_is_defined_and_aligned(ontology, name):
    cls = CI[name]
    assert (cls, RDF.type, OWL.Class) in ontology
    assert ontology.value(cls, RDFS.label) and ontology.value(cls, RDFS.comment)
    assert list(ontology.objects(cls, RDFS.subClassOf)), f"{name} is aligned to nothing"


def test_alignments_to_the_vocabularies_people_query(ontology):
    org = set(ontology.objects(CI.Organisation, RDFS.subClassOf))
    assert {ORG.Organization, SCHEMA.Organization, FOAF.Organization} <= org
    assert SCHEMA.Event in set(ontology.objects(CI.Event, RDFS.subClassOf))
    assert SKOS.Concept in set(ontology.objects(CI.Sector, RDFS.subClassOf))
    # a city is a concept of the cities scheme, not the place (foaf:focus names the place)
    assert set(ontology.objects(CI.City, RDFS.subClassOf)) == {SKOS.Concept}
    # the project, not a cluster, is the ORG collaboration
    assert ORG.OrganizationalCollaboration in set(ontology.objects(CI.Project, RDFS.subClassOf))
    assert PROV.Activity not in set(ontology.objects(CI.Project, RDFS.subClassOf))
    assert set(ontology.objects(CI.Cluster, RDFS.subClassOf)) == {PROV.Entity}
    assert list(ontology.objects(CI.hasMember, RDFS.subPropertyOf)) == []
    assert set(ontology.objects(CI.partnerIn, RDFS.subPropertyOf)) == {
        ORG.memberOf, CI.participatedInProject}
    assert list(ontology.objects(CI.participatedInProject, RDFS.subPropertyOf)) == []
    for prop, cls in ((CI.organisationKind, CI.OrganisationKind),
                      (CI.projectRole, CI.ProjectRole)):
        assert (prop, RDF.type, OWL.ObjectProperty) in ontology
        assert ontology.value(prop, RDFS.range) == cls
        assert (cls, RDFS.subClassOf, SKOS.Concept) in ontology


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
        is_property = any((term, RDF.type, t) in ontology for t in (
            OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property))
        if is_property:
            assert ontology.value(term, RDFS.domain) and ontology.value(term, RDFS.range), term


def test_collaborates_with_is_symmetric(ontology):
    assert (CI.collaboratesWith, RDF.type, OWL.SymmetricProperty) in ontology
