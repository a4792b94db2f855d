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


class CI:
    """The crossinnov ontology (closed)."""

    _NS = "https://w3id.org/crossinnov/ontology#"
    City = NamedNode("https://w3id.org/crossinnov/ontology#City")  # owl:Class
    Cluster = NamedNode("https://w3id.org/crossinnov/ontology#Cluster")  # owl:Class
    Event = NamedNode("https://w3id.org/crossinnov/ontology#Event")  # owl:Class
    GoodPractice = NamedNode("https://w3id.org/crossinnov/ontology#GoodPractice")  # owl:Class
    Organisation = NamedNode("https://w3id.org/crossinnov/ontology#Organisation")  # owl:Class
    ProfiledOrganisation = NamedNode("https://w3id.org/crossinnov/ontology#ProfiledOrganisation")  # owl:Class
    Project = NamedNode("https://w3id.org/crossinnov/ontology#Project")  # owl:Class
    Sector = NamedNode("https://w3id.org/crossinnov/ontology#Sector")  # owl:Class
    SubTheme = NamedNode("https://w3id.org/crossinnov/ontology#SubTheme")  # owl:Class
    addressesTheme = NamedNode("https://w3id.org/crossinnov/ontology#addressesTheme")  # owl:ObjectProperty
    basedIn = NamedNode("https://w3id.org/crossinnov/ontology#basedIn")  # owl:ObjectProperty
    clusterSize = NamedNode("https://w3id.org/crossinnov/ontology#clusterSize")  # owl:DatatypeProperty
    collaboratesWith = NamedNode("https://w3id.org/crossinnov/ontology#collaboratesWith")  # owl:ObjectProperty
    countryCode = NamedNode("https://w3id.org/crossinnov/ontology#countryCode")  # owl:DatatypeProperty
    fundingProgramme = NamedNode("https://w3id.org/crossinnov/ontology#fundingProgramme")  # owl:DatatypeProperty
    hasMember = NamedNode("https://w3id.org/crossinnov/ontology#hasMember")  # owl:ObjectProperty
    hasPartner = NamedNode("https://w3id.org/crossinnov/ontology#hasPartner")  # owl:ObjectProperty
    heldIn = NamedNode("https://w3id.org/crossinnov/ontology#heldIn")  # owl:ObjectProperty
    inSector = NamedNode("https://w3id.org/crossinnov/ontology#inSector")  # owl:ObjectProperty
    leadPartner = NamedNode("https://w3id.org/crossinnov/ontology#leadPartner")  # owl:ObjectProperty
    operatedBy = NamedNode("https://w3id.org/crossinnov/ontology#operatedBy")  # owl:ObjectProperty
    organisationKind = NamedNode("https://w3id.org/crossinnov/ontology#organisationKind")  # owl:DatatypeProperty
    partOfProject = NamedNode("https://w3id.org/crossinnov/ontology#partOfProject")  # owl:ObjectProperty
    participatedIn = NamedNode("https://w3id.org/crossinnov/ontology#participatedIn")  # owl:ObjectProperty
    partnerCity = NamedNode("https://w3id.org/crossinnov/ontology#partnerCity")  # owl:ObjectProperty
    partnerIn = NamedNode("https://w3id.org/crossinnov/ontology#partnerIn")  # owl:ObjectProperty
    practiceType = NamedNode("https://w3id.org/crossinnov/ontology#practiceType")  # owl:DatatypeProperty
    projectRole = NamedNode("https://w3id.org/crossinnov/ontology#projectRole")  # owl:DatatypeProperty
    seeksPartnersIn = NamedNode("https://w3id.org/crossinnov/ontology#seeksPartnersIn")  # owl:ObjectProperty
    unidentifiedPartner = NamedNode("https://w3id.org/crossinnov/ontology#unidentifiedPartner")  # owl:DatatypeProperty


CI_TERMS: frozenset[str] = frozenset(
    {
        "City",
        "Cluster",
        "Event",
        "GoodPractice",
        "Organisation",
        "ProfiledOrganisation",
        "Project",
        "Sector",
        "SubTheme",
        "addressesTheme",
        "basedIn",
        "clusterSize",
        "collaboratesWith",
        "countryCode",
        "fundingProgramme",
        "hasMember",
        "hasPartner",
        "heldIn",
        "inSector",
        "leadPartner",
        "operatedBy",
        "organisationKind",
        "partOfProject",
        "participatedIn",
        "partnerCity",
        "partnerIn",
        "practiceType",
        "projectRole",
        "seeksPartnersIn",
        "unidentifiedPartner",
    }
)
