"""Formats and prefixes: the one table of RDF and SPARQL result formats, and the bridge to rdflib.

This module is the only place that knows format names, media types, file
suffixes and the standard prefixes; the CLI, the SPARQL endpoint, the dumps,
the profile API and the remote store all read it. Content negotiation is here
too: :func:`parse_accept` reads an ``Accept`` header (RFC 9110 section 12.5.1)
and :func:`negotiate` picks the best of the media types a resource offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

from crossinnov.iris import KINDS, IRIs
from crossinnov.namespaces import (
    CI,
    DCAT,
    DCTERMS,
    FOAF,
    GEO,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SD,
    SH,
    SKOS,
    VANN,
    VOID,
    XSD,
)


@dataclass(frozen=True)
class RdfFormatSpec:
    """An RDF serialisation format crossinnov reads and writes."""

    name: str  # CLI name, and the value of ``format=`` parameters
    oxformat: ox.RdfFormat
    media_type: str
    extension: str
    rdflib_name: str
    #: other media types that mean this format (read, and accepted in Accept)
    also_media: tuple[str, ...] = ()
    #: other file suffixes that mean this format
    also_suffixes: tuple[str, ...] = ()
    #: other names accepted by ``format=`` parameters
    also_names: tuple[str, ...] = ()
    #: a name people read ("Turtle")
    label: str = ""

    @property
    def is_dataset(self) -> bool:
        return bool(self.oxformat.supports_datasets)


@dataclass(frozen=True)
class ResultFormatSpec:
    """A SPARQL query results format (SELECT and ASK answers)."""

    name: str
    media_type: str
    extension: str
    also_media: tuple[str, ...] = ()
    also_names: tuple[str, ...] = ()


RDF_FORMATS: dict[str, RdfFormatSpec] = {
    f.name: f
    for f in (
        RdfFormatSpec("turtle", ox.RdfFormat.TURTLE, "text/turtle", "ttl", "turtle",
                      ("application/x-turtle",), ("turtle", "n3"), ("ttl",), "Turtle"),
        RdfFormatSpec("ntriples", ox.RdfFormat.N_TRIPLES, "application/n-triples", "nt", "nt",
                      ("text/n-triples", "text/plain"), (), ("nt", "n-triples"), "N-Triples"),
        RdfFormatSpec("nquads", ox.RdfFormat.N_QUADS, "application/n-quads", "nq", "nquads",
                      ("text/x-nquads",), (), ("nq", "n-quads"), "N-Quads"),
        RdfFormatSpec("trig", ox.RdfFormat.TRIG, "application/trig", "trig", "trig",
                      (), (), (), "TriG"),
        RdfFormatSpec("jsonld", ox.RdfFormat.JSON_LD, "application/ld+json", "jsonld", "json-ld",
                      ("application/json",), ("json-ld",), ("json-ld", "json"), "JSON-LD"),
        RdfFormatSpec("xml", ox.RdfFormat.RDF_XML, "application/rdf+xml", "rdf", "xml",
                      ("application/xml", "text/xml"), ("owl", "xml"), ("rdfxml", "rdf", "rdf/xml"),
                      "RDF/XML"),
    )
}

RESULT_FORMATS: dict[str, ResultFormatSpec] = {
    f.name: f
    for f in (
        ResultFormatSpec("json", "application/sparql-results+json", "srj", ("application/json",),
                         ("srj",)),
        ResultFormatSpec("xml", "application/sparql-results+xml", "srx",
                         ("application/xml", "text/xml"), ("srx",)),
        ResultFormatSpec("csv", "text/csv", "csv"),
        ResultFormatSpec("tsv", "text/tab-separated-values", "tsv"),
    )
}

#: file suffix -> RDF format
BY_EXTENSION = {suffix: f for f in RDF_FORMATS.values()
                for suffix in (f.extension, *f.also_suffixes)}
#: media type -> RDF format (its own type first, then the types that also mean it)
BY_MEDIA_TYPE = {f.media_type: f for f in RDF_FORMATS.values()}
BY_MEDIA_TYPE.update({m: f for f in RDF_FORMATS.values() for m in f.also_media
                      if m not in BY_MEDIA_TYPE})

#: media type -> RDF format name, for content negotiation of graphs
GRAPH_TYPES = {m: f.name for m, f in BY_MEDIA_TYPE.items()}
#: media type -> result format name, for content negotiation of SELECT/ASK answers
RESULT_TYPES = {m: f.name for f in RESULT_FORMATS.values() for m in (f.media_type, *f.also_media)}
#: RDF format name -> its media type
GRAPH_MEDIA = {f.name: f.media_type for f in RDF_FORMATS.values()}
#: result format name -> its media type
RESULT_MEDIA = {f.name: f.media_type for f in RESULT_FORMATS.values()}


def _aliases() -> dict[str, tuple[str | None, str | None]]:
    """``format=`` names -> (result format, RDF format) they mean (None: not that kind)."""
    table: dict[str, list[str | None]] = {}
    for f in RESULT_FORMATS.values():
        for name in (f.name, *f.also_names):
            table.setdefault(name, [None, None])[0] = f.name
    for g in RDF_FORMATS.values():
        for name in (g.name, *g.also_names):
            table.setdefault(name, [None, None])[1] = g.name
    table["html"] = ["html", "html"]
    return {k: (v[0], v[1]) for k, v in table.items()}


#: names accepted by the ``format`` parameter, for result and graph answers
FORMAT_ALIASES = _aliases()

#: the RDF formats offered to people who follow links (a resource's "also as" links)
OFFERED_RDF = ("turtle", "jsonld", "ntriples", "xml")
#: their media types, in that order
OFFERED_RDF_MEDIA = tuple(RDF_FORMATS[name].media_type for name in OFFERED_RDF)

#: the prefixes crossinnov writes with (Turtle, TriG, JSON-LD contexts); the namespaces
#: themselves are those of :mod:`crossinnov.namespaces`, generated from the ontology
STANDARD_PREFIXES = {
    "ci": CI._NS, "schema": str(SCHEMA), "skos": str(SKOS), "dcterms": str(DCTERMS),
    "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "foaf": str(FOAF), "prov": str(PROV),
    "org": str(ORG),
}


#: prefixes whose declaration an error about an undeclared prefix offers (SPARQL itself
#: predefines none)
WELL_KNOWN_PREFIXES = {
    **STANDARD_PREFIXES, "rdf": str(RDF), "dcat": str(DCAT), "void": str(VOID), "sh": str(SH),
    "sd": str(SD), "vann": str(VANN), "geo": str(GEO),
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


# --- content negotiation ---------------------------------------------------------------------

_PARAM = re.compile(r";\s*q\s*=\s*([0-9.]+)", re.IGNORECASE)


@dataclass(frozen=True)
class MediaRange:
    type: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        if self.type == "*/*":
            return 0
        return 1 if self.type.endswith("/*") else 2

    def matches(self, media_type: str) -> bool:
        if self.type == "*/*":
            return True
        if self.type.endswith("/*"):
            return media_type.startswith(self.type[:-1])
        return media_type == self.type


def parse_accept(header: str | None) -> list[MediaRange]:
    """Return the media ranges of an Accept header, best first (q, then specificity, then order).

    >>> [m.type for m in parse_accept("text/html;q=0.9, text/turtle")]
    ['text/turtle', 'text/html']
    """
    if not header or not header.strip():
        return [MediaRange("*/*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        part = part.strip()
        if not part:
            continue
        media = part.split(";", 1)[0].strip().lower()
        if "/" not in media:
            continue
        match = _PARAM.search(part)
        try:
            q = float(match.group(1)) if match else 1.0
        except ValueError:
            q = 0.0
        ranges.append(MediaRange(media, max(0.0, min(q, 1.0)), order))
    return sorted(ranges, key=lambda m: (-m.q, -m.specificity, m.order))


def negotiate(header: str | None, offered: list[str]) -> str | None:
    """Return the offered media type the client prefers, or None if it accepts none of them.

    Among equally acceptable types the server's order of ``offered`` wins.
    """
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, media_type in enumerate(offered):
        # the most specific range that matches decides the quality of a type
        matching = [r for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        top = max(matching, key=lambda r: (r.specificity, -r.order))
        if top.q <= 0:
            continue
        key = (top.q, top.specificity, -index)
        if best is None or key > best:
            best, chosen = key, media_type
    return chosen
