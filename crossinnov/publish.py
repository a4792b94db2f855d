"""Publishing: content negotiation, and the dataset's own descriptions (VoID, DCAT, service).

Content negotiation is a table plus a pure function: :func:`parse_accept`
reads an ``Accept`` header (RFC 9110 section 12.5.1) and :func:`negotiate` picks
the best of the types a resource offers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: SPARQL result formats: media type -> name used by crossinnov.results
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: RDF graph formats: media type -> name of crossinnov.rdfio.FORMATS
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
#: names accepted by the ``format`` parameter, for result and graph answers
FORMAT_ALIASES = {
    "json": ("json", "jsonld"), "srj": ("json", None), "xml": ("xml", "xml"),
    "srx": ("xml", None), "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "turtle"), "ttl": (None, "turtle"), "ntriples": (None, "ntriples"),
    "nt": (None, "ntriples"), "n-triples": (None, "ntriples"), "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"), "rdfxml": (None, "xml"), "rdf": (None, "xml"),
    "rdf/xml": (None, "xml"), "html": ("html", "html"),
}
GRAPH_MEDIA = {"turtle": "text/turtle", "ntriples": "application/n-triples",
               "jsonld": "application/ld+json", "xml": "application/rdf+xml",
               "nquads": "application/n-quads", "trig": "application/trig"}
RESULT_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}

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


def wants_html(header: str | None) -> bool:
    """True when a browser-like client prefers HTML to the RDF and result types."""
    offered = ["text/html", "application/sparql-results+json", "text/turtle"]
    return negotiate(header, offered) == "text/html" and "text/html" in (header or "")


IANA = "http://www.iana.org/assignments/media-types/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
