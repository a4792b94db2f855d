"""The dataset describing itself: VoID, DCAT, SPARQL Service Description; and one resource.

Counts are computed from the store (never written by hand); the web app caches
them per data version (:func:`data_version`), so a busy home page or VoID
document does not recount 2 million triples each time. No Flask here: the site's
URL and the counts are passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import pyoxigraph as ox

from crossinnov import __version__
from crossinnov.formats import (
    RDF_FORMATS,
    STANDARD_PREFIXES,
    prefixes_for,
)
from crossinnov.namespaces import DCAT, DCTERMS, FOAF, RDF, RDFS, SD, VOID, XSD
from crossinnov.sparql.queries import QUERIES
from crossinnov.stores.base import Store
from crossinnov.writes.changes import dataset_modified

#: media types as IRIs (DCAT: dcat:mediaType)
IANA = "http://www.iana.org/assignments/media-types/"
#: the licence of the data and the ontology
CC_BY = "https://creativecommons.org/licenses/by/4.0/"

DUMP_NAME = "crossinnov"
PUBLISHER = "crossinnov contributors"
#: the dataset's title and description: VoID and DCAT describe the same IRI, so one text
DATASET_TITLE = ox.Literal("crossinnov: the Cross Innovation knowledge graph", language="en")
DATASET_DESCRIPTION = ox.Literal(
    "Organisations and policy good practices of the INTERREG IVC project Cross Innovation "
    "(2012-2014) in eleven European cities, as linked open data.", language="en")


def publisher(iris) -> tuple[ox.NamedNode, list[ox.Triple]]:
    """The dataset's publisher, one agent for VoID and DCAT alike: its IRI and triples."""
    agent = ox.NamedNode(iris.base + "agent/crossinnov")
    return agent, [ox.Triple(agent, RDF.type, FOAF.Agent),
                   ox.Triple(agent, FOAF.name, ox.Literal(PUBLISHER))]


def data_version(store: Store) -> tuple[datetime | None, str]:
    """Return (modified, version tag) of the data; the tag changes with every write."""
    modified = dataset_modified(store)
    tag = f"{modified.isoformat() if modified else 'unknown'}|{len(store)}"
    return modified, hashlib.sha1(tag.encode()).hexdigest()[:20]


def serialize(triples: Iterable[ox.Triple], fmt: str, store: Store) -> tuple[bytes, str]:
    """Write triples in an RDF format (a name of RDF_FORMATS); return bytes and media type."""
    spec = RDF_FORMATS[fmt]
    prefixes = {**prefixes_for(store.iris), "void": str(VOID), "dcat": str(DCAT),
                "sd": str(SD)} if fmt in ("turtle", "trig") else None
    data = ox.serialize(list(triples), format=spec.oxformat, prefixes=prefixes)
    return data, spec.media_type


def describe_resource(store: Store, iri: ox.NamedNode) -> list[ox.Triple]:
    """Return a resource's own triples, labels of what it links to, and what links to it."""
    return store.construct(QUERIES["describe_resource"], res=iri)


# --- VoID ------------------------------------------------------------------------------------

def void_triples(store: Store, site: str, counts: dict) -> list[ox.Triple]:
    """Return the VoID description of the dataset (https://www.w3.org/TR/void/).

    ``site`` is the URL the app is served at (for the endpoint and dump URLs, not
    for resource IRIs); ``counts`` is what :func:`void_counts` returned.
    """
    iris = store.iris
    ds = iris.dataset
    base = site
    t: list[ox.Triple] = []

    def add(s, p, o):
        t.append(ox.Triple(s, p, o))

    add(ds, RDF.type, VOID.Dataset)
    add(ds, DCTERMS.title, DATASET_TITLE)
    add(ds, DCTERMS.description, DATASET_DESCRIPTION)
    add(ds, DCTERMS.license, ox.NamedNode(CC_BY))
    agent, agent_triples = publisher(iris)
    t += agent_triples
    add(ds, DCTERMS.publisher, agent)
    modified, _ = data_version(store)
    if modified:
        add(ds, DCTERMS.modified, ox.Literal(modified.isoformat().replace("+00:00", "Z"),
                                             datatype=XSD.dateTime))
    add(ds, VOID.sparqlEndpoint, ox.NamedNode(base + "sparql"))
    for spec in RDF_FORMATS.values():
        add(ds, VOID.dataDump, ox.NamedNode(f"{base}dumps/{DUMP_NAME}.{spec.extension}.gz"))
    add(ds, VOID.uriSpace, ox.Literal(iris.base + "id/"))
    add(ds, VOID.rootResource, iris.resource("project", "cross-innovation"))
    add(ds, VOID.triples, ox.Literal(str(counts["triples"]), datatype=XSD.integer))
    add(ds, VOID.distinctSubjects, ox.Literal(str(counts["subjects"]), datatype=XSD.integer))
    add(ds, VOID.distinctObjects, ox.Literal(str(counts["objects"]), datatype=XSD.integer))
    add(ds, VOID.entities, ox.Literal(str(counts["entities"]), datatype=XSD.integer))
    add(ds, VOID.classes, ox.Literal(str(len(counts["classes"])), datatype=XSD.integer))
    add(ds, VOID.properties, ox.Literal(str(len(counts["properties"])), datatype=XSD.integer))
    for example in counts["examples"]:
        add(ds, VOID.exampleResource, ox.NamedNode(example))
    for vocabulary in counts["vocabularies"]:
        add(ds, VOID.vocabulary, ox.NamedNode(vocabulary))
    for i, (cls, n) in enumerate(counts["classes"]):
        part = ox.NamedNode(f"{iris.base}dataset/class-partition/{i}")
        add(ds, VOID.classPartition, part)
        add(part, VOID["class"], ox.NamedNode(cls))
        add(part, VOID.entities, ox.Literal(str(n), datatype=XSD.integer))
    for i, (prop, n) in enumerate(counts["properties"]):
        part = ox.NamedNode(f"{iris.base}dataset/property-partition/{i}")
        add(ds, VOID.propertyPartition, part)
        add(part, VOID.property, ox.NamedNode(prop))
        add(part, VOID.triples, ox.Literal(str(n), datatype=XSD.integer))
    return t


def void_counts(store: Store) -> dict:
    """Count the dataset: triples, subjects, objects, entities, classes, properties."""
    (row,) = store.select(QUERIES["void_counts"])
    classes = [(r["class"].value, int(r["entities"].value))
               for r in store.select(QUERIES["void_classes"])
               if isinstance(r.get("class"), ox.NamedNode)]
    properties = [(r["property"].value, int(r["triples"].value))
                  for r in store.select(QUERIES["void_properties"])]
    used = {c for c, _ in classes} | {p for p, _ in properties}
    known = set(STANDARD_PREFIXES.values()) | {str(VOID), str(DCAT), str(SD),
                                               "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
                                               "http://www.w3.org/ns/shacl#"}
    vocabularies = sorted({ns for ns in known for iri in used if iri.startswith(ns)})
    entities = sum(n for c, n in classes if c.startswith("https://w3id.org/crossinnov/ontology#")
                   and not c.endswith("#ProfiledOrganisation"))
    examples = [r["example"].value for r in store.select(QUERIES["void_examples"])]
    return {"triples": int(row["triples"].value), "subjects": int(row["subjects"].value),
            "objects": int(row["objects"].value), "classes": classes, "properties": properties,
            "vocabularies": vocabularies, "entities": entities, "examples": examples}


# --- DCAT ------------------------------------------------------------------------------------

def dump_files(site: str) -> list[dict]:
    """The downloadable dumps at ``site``: one per RDF format, plain and gzip-compressed."""
    base = site
    files = []
    for spec in RDF_FORMATS.values():
        for gz in (False, True):
            name = f"{DUMP_NAME}.{spec.extension}" + (".gz" if gz else "")
            files.append({
                "name": name, "format": spec.name, "media_type": spec.media_type,
                "compressed": gz, "url": f"{base}dumps/{name}",
                "graphs": "every named graph" if spec.is_dataset else "the union graph",
            })
    return files


def dcat_triples(store: Store, site: str) -> list[ox.Triple]:
    """Return a DCAT 3 catalogue of the dataset and its distributions served at ``site``."""
    iris = store.iris
    base = site
    modified, _ = data_version(store)
    catalog = ox.NamedNode(base + "dumps/")
    dataset = iris.dataset
    service = ox.NamedNode(base + "sparql")
    t: list[ox.Triple] = []

    def add(s, p, o):
        t.append(ox.Triple(s, p, o))

    licence = ox.NamedNode(CC_BY)
    agent, agent_triples = publisher(iris)
    t += agent_triples
    add(catalog, RDF.type, DCAT.Catalog)
    add(catalog, DCTERMS.title, ox.Literal("crossinnov downloads", language="en"))
    add(catalog, DCTERMS.publisher, agent)
    add(catalog, DCTERMS.license, licence)
    add(catalog, DCAT.dataset, dataset)
    add(catalog, DCAT.service, service)
    add(dataset, RDF.type, DCAT.Dataset)
    add(dataset, DCTERMS.title, DATASET_TITLE)
    add(dataset, DCTERMS.description, DATASET_DESCRIPTION)
    add(dataset, DCTERMS.license, licence)
    add(dataset, DCTERMS.publisher, agent)
    add(dataset, DCAT.keyword, ox.Literal("creative industries", language="en"))
    add(dataset, DCAT.keyword, ox.Literal("cross-innovation", language="en"))
    if modified:
        stamp = ox.Literal(modified.isoformat().replace("+00:00", "Z"), datatype=XSD.dateTime)
        add(dataset, DCTERMS.modified, stamp)
        add(catalog, DCTERMS.modified, stamp)
    add(service, RDF.type, DCAT.DataService)
    add(service, DCAT.endpointURL, service)
    add(service, DCTERMS.conformsTo, ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, DCAT.servesDataset, dataset)
    add(service, DCTERMS.license, licence)
    for f in dump_files(site):
        dist = ox.NamedNode(f["url"])
        add(dataset, DCAT.distribution, dist)
        add(dist, RDF.type, DCAT.Distribution)
        add(dist, DCTERMS.title, ox.Literal(f"{f['format']} dump" +
                                            (" (gzip)" if f["compressed"] else ""), language="en"))
        add(dist, DCAT.downloadURL, dist)
        add(dist, DCAT.accessURL, dist)
        add(dist, DCAT.mediaType, ox.NamedNode(IANA + f["media_type"]))
        if f["compressed"]:
            add(dist, DCAT.compressFormat, ox.NamedNode(IANA + "application/gzip"))
        add(dist, DCTERMS.license, licence)
        if modified:
            add(dist, DCTERMS.modified, ox.Literal(modified.isoformat().replace("+00:00", "Z"),
                                                   datatype=XSD.dateTime))
    return t


# --- SPARQL Service Description -----------------------------------------------------------------

def service_description(store: Store, site: str, fmt: str, *,
                        allow_service: bool) -> tuple[bytes, str]:
    """Return the Service Description of the endpoint at ``site`` in an RDF format."""
    endpoint = ox.NamedNode(site + "sparql")
    formats = ox.NamedNode("http://www.w3.org/ns/formats/")
    t = [
        ox.Triple(endpoint, RDF.type, SD.Service),
        ox.Triple(endpoint, SD.endpoint, endpoint),
        ox.Triple(endpoint, SD.supportedLanguage, SD.SPARQL11Query),
        ox.Triple(endpoint, SD.feature, SD.UnionDefaultGraph),
        ox.Triple(endpoint, RDFS.label, ox.Literal(f"crossinnov {__version__} SPARQL endpoint "
                                                   "(read-only)", language="en")),
        ox.Triple(endpoint, SD.defaultEntailmentRegime,
                  ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
    ]
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                 "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        t.append(ox.Triple(endpoint, SD.resultFormat, ox.NamedNode(formats.value + name)))
    dataset = ox.BlankNode()
    default = ox.BlankNode()
    t += [
        ox.Triple(endpoint, SD.defaultDataset, dataset),
        ox.Triple(dataset, RDF.type, SD.Dataset),
        ox.Triple(dataset, SD.defaultGraph, default),
        ox.Triple(default, RDF.type, SD.Graph),
        ox.Triple(default, VOID.triples, ox.Literal(str(len(store)), datatype=XSD.integer)),
        ox.Triple(dataset, DCTERMS.source, store.iris.dataset),
    ]
    if allow_service:
        t.append(ox.Triple(endpoint, SD.feature, SD.BasicFederatedQuery))
    return serialize(t, fmt, store)
