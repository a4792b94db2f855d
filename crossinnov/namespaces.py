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
    #: owl:Class
    AnalysisRun = NamedNode(_NS + "AnalysisRun")
    #: owl:Class
    City = NamedNode(_NS + "City")
    #: owl:Class
    Cluster = NamedNode(_NS + "Cluster")
    #: owl:Class
    DateCandidate = NamedNode(_NS + "DateCandidate")
    #: owl:Class
    DerivedTie = NamedNode(_NS + "DerivedTie")
    #: owl:Class
    Event = NamedNode(_NS + "Event")
    #: owl:NamedIndividual
    EventCoAttendance = NamedNode(_NS + "EventCoAttendance")
    #: owl:Class
    GoodPractice = NamedNode(_NS + "GoodPractice")
    #: owl:NamedIndividual
    MutualCollaboration = NamedNode(_NS + "MutualCollaboration")
    #: owl:NamedIndividual
    OneSidedCollaboration = NamedNode(_NS + "OneSidedCollaboration")
    #: owl:Class
    Organisation = NamedNode(_NS + "Organisation")
    #: owl:Class
    OrganisationKind = NamedNode(_NS + "OrganisationKind")
    #: owl:NamedIndividual
    PracticeCoPartners = NamedNode(_NS + "PracticeCoPartners")
    #: owl:NamedIndividual
    PracticeOperatorPartner = NamedNode(_NS + "PracticeOperatorPartner")
    #: owl:Class
    ProfiledOrganisation = NamedNode(_NS + "ProfiledOrganisation")
    #: owl:Class
    Project = NamedNode(_NS + "Project")
    #: owl:Class
    ProjectRole = NamedNode(_NS + "ProjectRole")
    #: owl:Class
    Sector = NamedNode(_NS + "Sector")
    #: owl:Class
    SubTheme = NamedNode(_NS + "SubTheme")
    #: owl:Class
    Tally = NamedNode(_NS + "Tally")
    #: owl:Class
    TieKind = NamedNode(_NS + "TieKind")
    #: owl:ObjectProperty
    addressesTheme = NamedNode(_NS + "addressesTheme")
    #: owl:ObjectProperty
    basedIn = NamedNode(_NS + "basedIn")
    #: owl:DatatypeProperty
    betweenness = NamedNode(_NS + "betweenness")
    #: owl:DatatypeProperty
    bothSidesOrganisationCount = NamedNode(_NS + "bothSidesOrganisationCount")
    #: owl:DatatypeProperty
    bridgingOrganisationCount = NamedNode(_NS + "bridgingOrganisationCount")
    #: owl:DatatypeProperty
    bridgingShare = NamedNode(_NS + "bridgingShare")
    #: owl:ObjectProperty
    brokerageTieKind = NamedNode(_NS + "brokerageTieKind")
    #: owl:ObjectProperty
    centralMember = NamedNode(_NS + "centralMember")
    #: owl:DatatypeProperty
    cityCoordinator = NamedNode(_NS + "cityCoordinator")
    #: owl:DatatypeProperty
    cityGatekeeper = NamedNode(_NS + "cityGatekeeper")
    #: owl:DatatypeProperty
    cityItinerant = NamedNode(_NS + "cityItinerant")
    #: owl:DatatypeProperty
    cityKnownTieCount = NamedNode(_NS + "cityKnownTieCount")
    #: owl:DatatypeProperty
    cityLiaison = NamedNode(_NS + "cityLiaison")
    #: owl:DatatypeProperty
    cityRepresentative = NamedNode(_NS + "cityRepresentative")
    #: owl:ObjectProperty
    clusterEvent = NamedNode(_NS + "clusterEvent")
    #: owl:ObjectProperty
    clusterPractice = NamedNode(_NS + "clusterPractice")
    #: owl:DatatypeProperty
    clusterSize = NamedNode(_NS + "clusterSize")
    #: owl:ObjectProperty
    collaboratesWith = NamedNode(_NS + "collaboratesWith")
    #: owl:ObjectProperty
    collaborationUnconfirmedBy = NamedNode(_NS + "collaborationUnconfirmedBy")
    #: owl:DatatypeProperty
    constraint = NamedNode(_NS + "constraint")
    #: owl:DatatypeProperty
    countryCode = NamedNode(_NS + "countryCode")
    #: owl:DatatypeProperty
    creativeOrganisationCount = NamedNode(_NS + "creativeOrganisationCount")
    #: owl:DatatypeProperty
    creativeShare = NamedNode(_NS + "creativeShare")
    #: owl:DatatypeProperty
    crossCityBrokerage = NamedNode(_NS + "crossCityBrokerage")
    #: owl:DatatypeProperty
    crossCityBrokerageWithEvents = NamedNode(_NS + "crossCityBrokerageWithEvents")
    #: owl:DatatypeProperty
    crossCityShare = NamedNode(_NS + "crossCityShare")
    #: owl:DatatypeProperty
    crossCityTieCount = NamedNode(_NS + "crossCityTieCount")
    #: owl:DatatypeProperty
    crossInnovationScore = NamedNode(_NS + "crossInnovationScore")
    #: owl:DatatypeProperty
    crossSectorBrokerage = NamedNode(_NS + "crossSectorBrokerage")
    #: owl:DatatypeProperty
    crossSectorBrokerageWithEvents = NamedNode(_NS + "crossSectorBrokerageWithEvents")
    #: owl:DatatypeProperty
    crossSectorShare = NamedNode(_NS + "crossSectorShare")
    #: owl:DatatypeProperty
    crossSectorTieCount = NamedNode(_NS + "crossSectorTieCount")
    #: owl:ObjectProperty
    dateCandidate = NamedNode(_NS + "dateCandidate")
    #: owl:ObjectProperty
    declinesCollaborationWith = NamedNode(_NS + "declinesCollaborationWith")
    #: owl:DatatypeProperty
    density = NamedNode(_NS + "density")
    #: owl:ObjectProperty
    dominantCity = NamedNode(_NS + "dominantCity")
    #: owl:DatatypeProperty
    doubt = NamedNode(_NS + "doubt")
    #: owl:DatatypeProperty
    edgeCount = NamedNode(_NS + "edgeCount")
    #: owl:DatatypeProperty
    effectiveSize = NamedNode(_NS + "effectiveSize")
    #: owl:DatatypeProperty
    enoughData = NamedNode(_NS + "enoughData")
    #: owl:DatatypeProperty
    fundingProgramme = NamedNode(_NS + "fundingProgramme")
    #: owl:DatatypeProperty
    growthOrganisationCount = NamedNode(_NS + "growthOrganisationCount")
    #: owl:DatatypeProperty
    growthShare = NamedNode(_NS + "growthShare")
    #: owl:ObjectProperty
    hasMember = NamedNode(_NS + "hasMember")
    #: owl:ObjectProperty
    hasPartner = NamedNode(_NS + "hasPartner")
    #: owl:ObjectProperty
    heldIn = NamedNode(_NS + "heldIn")
    #: owl:ObjectProperty
    inCluster = NamedNode(_NS + "inCluster")
    #: owl:ObjectProperty
    inSector = NamedNode(_NS + "inSector")
    #: owl:DatatypeProperty
    inputModified = NamedNode(_NS + "inputModified")
    #: owl:DatatypeProperty
    labelReason = NamedNode(_NS + "labelReason")
    #: owl:ObjectProperty
    labelSource = NamedNode(_NS + "labelSource")
    #: owl:ObjectProperty
    leadPartner = NamedNode(_NS + "leadPartner")
    #: owl:ObjectProperty
    mainSector = NamedNode(_NS + "mainSector")
    #: owl:ObjectProperty
    mainTheme = NamedNode(_NS + "mainTheme")
    #: owl:DatatypeProperty
    minimumOrganisations = NamedNode(_NS + "minimumOrganisations")
    #: owl:DatatypeProperty
    minimumTies = NamedNode(_NS + "minimumTies")
    #: owl:DatatypeProperty
    modularity = NamedNode(_NS + "modularity")
    #: owl:DatatypeProperty
    nodeCount = NamedNode(_NS + "nodeCount")
    #: owl:ObjectProperty
    operatedBy = NamedNode(_NS + "operatedBy")
    #: owl:DatatypeProperty
    organisationCount = NamedNode(_NS + "organisationCount")
    #: owl:ObjectProperty
    organisationKind = NamedNode(_NS + "organisationKind")
    #: owl:DatatypeProperty
    parameter = NamedNode(_NS + "parameter")
    #: owl:ObjectProperty
    partOfProject = NamedNode(_NS + "partOfProject")
    #: owl:ObjectProperty
    participatedIn = NamedNode(_NS + "participatedIn")
    #: owl:ObjectProperty
    participatedInProject = NamedNode(_NS + "participatedInProject")
    #: owl:ObjectProperty
    partnerCity = NamedNode(_NS + "partnerCity")
    #: owl:ObjectProperty
    partnerIn = NamedNode(_NS + "partnerIn")
    #: owl:DatatypeProperty
    practiceType = NamedNode(_NS + "practiceType")
    #: owl:ObjectProperty
    projectRole = NamedNode(_NS + "projectRole")
    #: owl:ObjectProperty
    restrictedTo = NamedNode(_NS + "restrictedTo")
    #: owl:DatatypeProperty
    sectorCoordinator = NamedNode(_NS + "sectorCoordinator")
    #: owl:DatatypeProperty
    sectorGatekeeper = NamedNode(_NS + "sectorGatekeeper")
    #: owl:DatatypeProperty
    sectorItinerant = NamedNode(_NS + "sectorItinerant")
    #: owl:DatatypeProperty
    sectorKnownTieCount = NamedNode(_NS + "sectorKnownTieCount")
    #: owl:DatatypeProperty
    sectorLiaison = NamedNode(_NS + "sectorLiaison")
    #: owl:DatatypeProperty
    sectorRepresentative = NamedNode(_NS + "sectorRepresentative")
    #: owl:ObjectProperty
    seeksPartnersIn = NamedNode(_NS + "seeksPartnersIn")
    #: owl:DatatypeProperty
    sideKnownOrganisationCount = NamedNode(_NS + "sideKnownOrganisationCount")
    #: owl:DatatypeProperty
    softwareVersion = NamedNode(_NS + "softwareVersion")
    #: owl:ObjectProperty
    tallyOf = NamedNode(_NS + "tallyOf")
    #: owl:ObjectProperty
    tieBetween = NamedNode(_NS + "tieBetween")
    #: owl:DatatypeProperty
    tieCount = NamedNode(_NS + "tieCount")
    #: owl:ObjectProperty
    tieKind = NamedNode(_NS + "tieKind")
    #: owl:DatatypeProperty
    tiedOrganisationCount = NamedNode(_NS + "tiedOrganisationCount")
    #: owl:DatatypeProperty
    tiesOfKind = NamedNode(_NS + "tiesOfKind")
    #: owl:DatatypeProperty
    uncertain = NamedNode(_NS + "uncertain")
    #: owl:DatatypeProperty
    unidentifiedPartner = NamedNode(_NS + "unidentifiedPartner")
    #: owl:DatatypeProperty
    weightedDegree = NamedNode(_NS + "weightedDegree")


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
