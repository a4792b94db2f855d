"""Vocabulary terms as pyoxigraph NamedNodes.

GENERATED from ontology/crossinnov.ttl by ``python -m crossinnov.devtools namespaces``;
do not edit by hand. Standard vocabularies are open namespaces; the crossinnov
namespace ``CI`` is closed: a name the ontology does not define is an AttributeError.
"""

from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace:
    """An open namespace: ``SCHEMA.name`` or ``SCHEMA["name"]`` gives a NamedNode."""

    __slots__ = ("iri",)

    def __init__(self, iri: str) -> None:
        self.iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self.iri + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)

    def __str__(self) -> str:
        return self.iri


RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VOID = Namespace("http://rdfs.org/ns/void#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VANN = Namespace("http://purl.org/vocab/vann/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")


class CI:
    """The crossinnov ontology (closed)."""

    _NS = "https://w3id.org/crossinnov/ontology#"
    AnalysisRun = NamedNode("https://w3id.org/crossinnov/ontology#AnalysisRun")  # owl:Class
    City = NamedNode("https://w3id.org/crossinnov/ontology#City")  # owl:Class
    Cluster = NamedNode("https://w3id.org/crossinnov/ontology#Cluster")  # owl:Class
    DateCandidate = NamedNode("https://w3id.org/crossinnov/ontology#DateCandidate")  # owl:Class
    DerivedTie = NamedNode("https://w3id.org/crossinnov/ontology#DerivedTie")  # owl:Class
    Event = NamedNode("https://w3id.org/crossinnov/ontology#Event")  # owl:Class
    EventCoAttendance = NamedNode("https://w3id.org/crossinnov/ontology#EventCoAttendance")  # owl:NamedIndividual
    GoodPractice = NamedNode("https://w3id.org/crossinnov/ontology#GoodPractice")  # owl:Class
    MutualCollaboration = NamedNode("https://w3id.org/crossinnov/ontology#MutualCollaboration")  # owl:NamedIndividual
    OneSidedCollaboration = NamedNode("https://w3id.org/crossinnov/ontology#OneSidedCollaboration")  # owl:NamedIndividual
    Organisation = NamedNode("https://w3id.org/crossinnov/ontology#Organisation")  # owl:Class
    OrganisationKind = NamedNode("https://w3id.org/crossinnov/ontology#OrganisationKind")  # owl:Class
    PracticeCoPartners = NamedNode("https://w3id.org/crossinnov/ontology#PracticeCoPartners")  # owl:NamedIndividual
    PracticeOperatorPartner = NamedNode("https://w3id.org/crossinnov/ontology#PracticeOperatorPartner")  # owl:NamedIndividual
    ProfiledOrganisation = NamedNode("https://w3id.org/crossinnov/ontology#ProfiledOrganisation")  # owl:Class
    Project = NamedNode("https://w3id.org/crossinnov/ontology#Project")  # owl:Class
    ProjectRole = NamedNode("https://w3id.org/crossinnov/ontology#ProjectRole")  # owl:Class
    Sector = NamedNode("https://w3id.org/crossinnov/ontology#Sector")  # owl:Class
    SubTheme = NamedNode("https://w3id.org/crossinnov/ontology#SubTheme")  # owl:Class
    Tally = NamedNode("https://w3id.org/crossinnov/ontology#Tally")  # owl:Class
    TieKind = NamedNode("https://w3id.org/crossinnov/ontology#TieKind")  # owl:Class
    addressesTheme = NamedNode("https://w3id.org/crossinnov/ontology#addressesTheme")  # owl:ObjectProperty
    basedIn = NamedNode("https://w3id.org/crossinnov/ontology#basedIn")  # owl:ObjectProperty
    betweenness = NamedNode("https://w3id.org/crossinnov/ontology#betweenness")  # owl:DatatypeProperty
    bothSidesOrganisationCount = NamedNode("https://w3id.org/crossinnov/ontology#bothSidesOrganisationCount")  # owl:DatatypeProperty
    bridgingOrganisationCount = NamedNode("https://w3id.org/crossinnov/ontology#bridgingOrganisationCount")  # owl:DatatypeProperty
    bridgingShare = NamedNode("https://w3id.org/crossinnov/ontology#bridgingShare")  # owl:DatatypeProperty
    brokerageTieKind = NamedNode("https://w3id.org/crossinnov/ontology#brokerageTieKind")  # owl:ObjectProperty
    centralMember = NamedNode("https://w3id.org/crossinnov/ontology#centralMember")  # owl:ObjectProperty
    cityCoordinator = NamedNode("https://w3id.org/crossinnov/ontology#cityCoordinator")  # owl:DatatypeProperty
    cityGatekeeper = NamedNode("https://w3id.org/crossinnov/ontology#cityGatekeeper")  # owl:DatatypeProperty
    cityItinerant = NamedNode("https://w3id.org/crossinnov/ontology#cityItinerant")  # owl:DatatypeProperty
    cityKnownTieCount = NamedNode("https://w3id.org/crossinnov/ontology#cityKnownTieCount")  # owl:DatatypeProperty
    cityLiaison = NamedNode("https://w3id.org/crossinnov/ontology#cityLiaison")  # owl:DatatypeProperty
    cityRepresentative = NamedNode("https://w3id.org/crossinnov/ontology#cityRepresentative")  # owl:DatatypeProperty
    clusterEvent = NamedNode("https://w3id.org/crossinnov/ontology#clusterEvent")  # owl:ObjectProperty
    clusterPractice = NamedNode("https://w3id.org/crossinnov/ontology#clusterPractice")  # owl:ObjectProperty
    clusterSize = NamedNode("https://w3id.org/crossinnov/ontology#clusterSize")  # owl:DatatypeProperty
    collaboratesWith = NamedNode("https://w3id.org/crossinnov/ontology#collaboratesWith")  # owl:ObjectProperty
    collaborationUnconfirmedBy = NamedNode("https://w3id.org/crossinnov/ontology#collaborationUnconfirmedBy")  # owl:ObjectProperty
    constraint = NamedNode("https://w3id.org/crossinnov/ontology#constraint")  # owl:DatatypeProperty
    countryCode = NamedNode("https://w3id.org/crossinnov/ontology#countryCode")  # owl:DatatypeProperty
    creativeOrganisationCount = NamedNode("https://w3id.org/crossinnov/ontology#creativeOrganisationCount")  # owl:DatatypeProperty
    creativeShare = NamedNode("https://w3id.org/crossinnov/ontology#creativeShare")  # owl:DatatypeProperty
    crossCityBrokerage = NamedNode("https://w3id.org/crossinnov/ontology#crossCityBrokerage")  # owl:DatatypeProperty
    crossCityBrokerageWithEvents = NamedNode("https://w3id.org/crossinnov/ontology#crossCityBrokerageWithEvents")  # owl:DatatypeProperty
    crossCityShare = NamedNode("https://w3id.org/crossinnov/ontology#crossCityShare")  # owl:DatatypeProperty
    crossCityTieCount = NamedNode("https://w3id.org/crossinnov/ontology#crossCityTieCount")  # owl:DatatypeProperty
    crossInnovationScore = NamedNode("https://w3id.org/crossinnov/ontology#crossInnovationScore")  # owl:DatatypeProperty
    crossSectorBrokerage = NamedNode("https://w3id.org/crossinnov/ontology#crossSectorBrokerage")  # owl:DatatypeProperty
    crossSectorBrokerageWithEvents = NamedNode("https://w3id.org/crossinnov/ontology#crossSectorBrokerageWithEvents")  # owl:DatatypeProperty
    crossSectorShare = NamedNode("https://w3id.org/crossinnov/ontology#crossSectorShare")  # owl:DatatypeProperty
    crossSectorTieCount = NamedNode("https://w3id.org/crossinnov/ontology#crossSectorTieCount")  # owl:DatatypeProperty
    dateCandidate = NamedNode("https://w3id.org/crossinnov/ontology#dateCandidate")  # owl:ObjectProperty
    declinesCollaborationWith = NamedNode("https://w3id.org/crossinnov/ontology#declinesCollaborationWith")  # owl:ObjectProperty
    density = NamedNode("https://w3id.org/crossinnov/ontology#density")  # owl:DatatypeProperty
    dominantCity = NamedNode("https://w3id.org/crossinnov/ontology#dominantCity")  # owl:ObjectProperty
    doubt = NamedNode("https://w3id.org/crossinnov/ontology#doubt")  # owl:DatatypeProperty
    edgeCount = NamedNode("https://w3id.org/crossinnov/ontology#edgeCount")  # owl:DatatypeProperty
    effectiveSize = NamedNode("https://w3id.org/crossinnov/ontology#effectiveSize")  # owl:DatatypeProperty
    enoughData = NamedNode("https://w3id.org/crossinnov/ontology#enoughData")  # owl:DatatypeProperty
    fundingProgramme = NamedNode("https://w3id.org/crossinnov/ontology#fundingProgramme")  # owl:DatatypeProperty
    growthOrganisationCount = NamedNode("https://w3id.org/crossinnov/ontology#growthOrganisationCount")  # owl:DatatypeProperty
    growthShare = NamedNode("https://w3id.org/crossinnov/ontology#growthShare")  # owl:DatatypeProperty
    hasMember = NamedNode("https://w3id.org/crossinnov/ontology#hasMember")  # owl:ObjectProperty
    hasPartner = NamedNode("https://w3id.org/crossinnov/ontology#hasPartner")  # owl:ObjectProperty
    heldIn = NamedNode("https://w3id.org/crossinnov/ontology#heldIn")  # owl:ObjectProperty
    inCluster = NamedNode("https://w3id.org/crossinnov/ontology#inCluster")  # owl:ObjectProperty
    inSector = NamedNode("https://w3id.org/crossinnov/ontology#inSector")  # owl:ObjectProperty
    inputModified = NamedNode("https://w3id.org/crossinnov/ontology#inputModified")  # owl:DatatypeProperty
    labelReason = NamedNode("https://w3id.org/crossinnov/ontology#labelReason")  # owl:DatatypeProperty
    labelSource = NamedNode("https://w3id.org/crossinnov/ontology#labelSource")  # owl:ObjectProperty
    leadPartner = NamedNode("https://w3id.org/crossinnov/ontology#leadPartner")  # owl:ObjectProperty
    mainSector = NamedNode("https://w3id.org/crossinnov/ontology#mainSector")  # owl:ObjectProperty
    mainTheme = NamedNode("https://w3id.org/crossinnov/ontology#mainTheme")  # owl:ObjectProperty
    minimumOrganisations = NamedNode("https://w3id.org/crossinnov/ontology#minimumOrganisations")  # owl:DatatypeProperty
    minimumTies = NamedNode("https://w3id.org/crossinnov/ontology#minimumTies")  # owl:DatatypeProperty
    modularity = NamedNode("https://w3id.org/crossinnov/ontology#modularity")  # owl:DatatypeProperty
    nodeCount = NamedNode("https://w3id.org/crossinnov/ontology#nodeCount")  # owl:DatatypeProperty
    operatedBy = NamedNode("https://w3id.org/crossinnov/ontology#operatedBy")  # owl:ObjectProperty
    organisationCount = NamedNode("https://w3id.org/crossinnov/ontology#organisationCount")  # owl:DatatypeProperty
    organisationKind = NamedNode("https://w3id.org/crossinnov/ontology#organisationKind")  # owl:ObjectProperty
    parameter = NamedNode("https://w3id.org/crossinnov/ontology#parameter")  # owl:DatatypeProperty
    partOfProject = NamedNode("https://w3id.org/crossinnov/ontology#partOfProject")  # owl:ObjectProperty
    participatedIn = NamedNode("https://w3id.org/crossinnov/ontology#participatedIn")  # owl:ObjectProperty
    participatedInProject = NamedNode("https://w3id.org/crossinnov/ontology#participatedInProject")  # owl:ObjectProperty
    partnerCity = NamedNode("https://w3id.org/crossinnov/ontology#partnerCity")  # owl:ObjectProperty
    partnerIn = NamedNode("https://w3id.org/crossinnov/ontology#partnerIn")  # owl:ObjectProperty
    practiceType = NamedNode("https://w3id.org/crossinnov/ontology#practiceType")  # owl:DatatypeProperty
    projectRole = NamedNode("https://w3id.org/crossinnov/ontology#projectRole")  # owl:ObjectProperty
    restrictedTo = NamedNode("https://w3id.org/crossinnov/ontology#restrictedTo")  # owl:ObjectProperty
    sectorCoordinator = NamedNode("https://w3id.org/crossinnov/ontology#sectorCoordinator")  # owl:DatatypeProperty
    sectorGatekeeper = NamedNode("https://w3id.org/crossinnov/ontology#sectorGatekeeper")  # owl:DatatypeProperty
    sectorItinerant = NamedNode("https://w3id.org/crossinnov/ontology#sectorItinerant")  # owl:DatatypeProperty
    sectorKnownTieCount = NamedNode("https://w3id.org/crossinnov/ontology#sectorKnownTieCount")  # owl:DatatypeProperty
    sectorLiaison = NamedNode("https://w3id.org/crossinnov/ontology#sectorLiaison")  # owl:DatatypeProperty
    sectorRepresentative = NamedNode("https://w3id.org/crossinnov/ontology#sectorRepresentative")  # owl:DatatypeProperty
    seeksPartnersIn = NamedNode("https://w3id.org/crossinnov/ontology#seeksPartnersIn")  # owl:ObjectProperty
    sideKnownOrganisationCount = NamedNode("https://w3id.org/crossinnov/ontology#sideKnownOrganisationCount")  # owl:DatatypeProperty
    softwareVersion = NamedNode("https://w3id.org/crossinnov/ontology#softwareVersion")  # owl:DatatypeProperty
    tallyOf = NamedNode("https://w3id.org/crossinnov/ontology#tallyOf")  # owl:ObjectProperty
    tieBetween = NamedNode("https://w3id.org/crossinnov/ontology#tieBetween")  # owl:ObjectProperty
    tieCount = NamedNode("https://w3id.org/crossinnov/ontology#tieCount")  # owl:DatatypeProperty
    tieKind = NamedNode("https://w3id.org/crossinnov/ontology#tieKind")  # owl:ObjectProperty
    tiedOrganisationCount = NamedNode("https://w3id.org/crossinnov/ontology#tiedOrganisationCount")  # owl:DatatypeProperty
    tiesOfKind = NamedNode("https://w3id.org/crossinnov/ontology#tiesOfKind")  # owl:DatatypeProperty
    uncertain = NamedNode("https://w3id.org/crossinnov/ontology#uncertain")  # owl:DatatypeProperty
    unidentifiedPartner = NamedNode("https://w3id.org/crossinnov/ontology#unidentifiedPartner")  # owl:DatatypeProperty
    weightedDegree = NamedNode("https://w3id.org/crossinnov/ontology#weightedDegree")  # owl:DatatypeProperty


CI_TERMS: frozenset[str] = frozenset(
    {
        "AnalysisRun",
        "City",
        "Cluster",
        "DateCandidate",
        "DerivedTie",
        "Event",
        "EventCoAttendance",
        "GoodPractice",
        "MutualCollaboration",
        "OneSidedCollaboration",
        "Organisation",
        "OrganisationKind",
        "PracticeCoPartners",
        "PracticeOperatorPartner",
        "ProfiledOrganisation",
        "Project",
        "ProjectRole",
        "Sector",
        "SubTheme",
        "Tally",
        "TieKind",
        "addressesTheme",
        "basedIn",
        "betweenness",
        "bothSidesOrganisationCount",
        "bridgingOrganisationCount",
        "bridgingShare",
        "brokerageTieKind",
        "centralMember",
        "cityCoordinator",
        "cityGatekeeper",
        "cityItinerant",
        "cityKnownTieCount",
        "cityLiaison",
        "cityRepresentative",
        "clusterEvent",
        "clusterPractice",
        "clusterSize",
        "collaboratesWith",
        "collaborationUnconfirmedBy",
        "constraint",
        "countryCode",
        "creativeOrganisationCount",
        "creativeShare",
        "crossCityBrokerage",
        "crossCityBrokerageWithEvents",
        "crossCityShare",
        "crossCityTieCount",
        "crossInnovationScore",
        "crossSectorBrokerage",
        "crossSectorBrokerageWithEvents",
        "crossSectorShare",
        "crossSectorTieCount",
        "dateCandidate",
        "declinesCollaborationWith",
        "density",
        "dominantCity",
        "doubt",
        "edgeCount",
        "effectiveSize",
        "enoughData",
        "fundingProgramme",
        "growthOrganisationCount",
        "growthShare",
        "hasMember",
        "hasPartner",
        "heldIn",
        "inCluster",
        "inSector",
        "inputModified",
        "labelReason",
        "labelSource",
        "leadPartner",
        "mainSector",
        "mainTheme",
        "minimumOrganisations",
        "minimumTies",
        "modularity",
        "nodeCount",
        "operatedBy",
        "organisationCount",
        "organisationKind",
        "parameter",
        "partOfProject",
        "participatedIn",
        "participatedInProject",
        "partnerCity",
        "partnerIn",
        "practiceType",
        "projectRole",
        "restrictedTo",
        "sectorCoordinator",
        "sectorGatekeeper",
        "sectorItinerant",
        "sectorKnownTieCount",
        "sectorLiaison",
        "sectorRepresentative",
        "seeksPartnersIn",
        "sideKnownOrganisationCount",
        "softwareVersion",
        "tallyOf",
        "tieBetween",
        "tieCount",
        "tieKind",
        "tiedOrganisationCount",
        "tiesOfKind",
        "uncertain",
        "unidentifiedPartner",
        "weightedDegree",
    }
)
