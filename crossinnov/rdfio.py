"""RDF formats, prefixes, and the one bridge between pyoxigraph and rdflib.

The format table is the single place that knows names, media types and file
extensions; the CLI, the dumps and content negotiation all read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from crossinnov.iris import KINDS, IRIs
from crossinnov.namespaces import CI


@dataclass(frozen=True)
class RdfFormatSpec:
    """An RDF serialisation format crossinnov reads and writes."""

    name: str  # CLI name
    oxformat: ox.RdfFormat
    media_type: str
    extension: str
    rdflib_name: str

    @property
    def is_dataset(self) -> bool:
        return bool(self.oxformat.supports_datasets)


FORMATS: dict[str, RdfFormatSpec] = {
    f.name: f
    for f in (
        RdfFormatSpec("turtle", ox.RdfFormat.TURTLE, "text/turtle", "ttl", "turtle"),
        RdfFormatSpec("ntriples", ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt", "nt"),
        RdfFormatSpec("nquads", ox.RdfFormat.N_QUADS, "application/n-quads", "nq", "nquads"),
        RdfFormatSpec("trig", ox.RdfFormat.TRIG, "application/trig", "trig", "trig"),
        RdfFormatSpec("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", "jsonld", "json-ld"),
        RdfFormatSpec("xml", ox.RdfFormat.RDF_XML, "application/rdf+xml", "rdf", "xml"),
    )
}

BY_EXTENSION = {f.extension: f for f in FORMATS.values()}
BY_EXTENSION.update({"turtle": FORMATS["turtle"], "json-ld": FORMATS["jsonld"],
                     "owl": FORMATS["xml"], "xml": FORMATS["xml"], "n3": FORMATS["turtle"]})
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS.values()}
BY_MEDIA_TYPE.update({
    "application/x-turtle": FORMATS["turtle"],
    "text/n-triples": FORMATS["ntriples"],
    "text/plain": FORMATS["ntriples"],
    "text/x-nquads": FORMATS["nquads"],
    "application/json": FORMATS["jsonld"],
    "application/xml": FORMATS["xml"],
    "text/xml": FORMATS["xml"],
})

STANDARD_PREFIXES = {
    "ci": CI._NS,
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
}


#: prefixes whose declaration an error about an undeclared prefix offers (SPARQL itself
#: predefines none)
WELL_KNOWN_PREFIXES = {
    **STANDARD_PREFIXES,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def prefixes_for(iris: IRIs) -> dict[str, str]:
    """Return the prefixes used when serialising: standard ones plus one per resource kind."""
    prefixes = dict(STANDARD_PREFIXES)
    for kind in KINDS:
        prefixes[kind] = f"{iris.base}id/{kind}/"
    return prefixes


def format_for_path(path: str) -> RdfFormatSpec | None:
    """Return the RDF format a file name's extension names (``.gz`` ignored), or None."""
    name = path.lower().removesuffix(".gz")
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    return BY_EXTENSION.get(ext)


def to_rdflib(triples: Iterable[ox.Triple | ox.Quad],
              graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Copy pyoxigraph triples (or quads, graph dropped) into an rdflib Graph (new or given).

    The bridge goes through N-Triples written by pyoxigraph and read by rdflib,
    so escaping and datatypes are handled by both libraries' own code.
    """
    items = [t.triple if isinstance(t, ox.Quad) else t for t in triples]
    graph = rdflib.Graph() if graph is None else graph
    if items:
        data = ox.serialize(items, format=ox.RdfFormat.N_TRIPLES)
        graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def from_rdflib(graph: rdflib.Graph) -> list[ox.Triple]:
    """Copy an rdflib Graph's triples into pyoxigraph triples (through N-Triples)."""
    if len(graph) == 0:
        return []
    data = graph.serialize(format="nt", encoding="utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
