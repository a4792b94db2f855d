"""Mint and read the IRIs of the knowledge graph (Cool URIs under a configurable base).

Layout, below the base (default ``https://w3id.org/crossinnov/``):

- ``id/{kind}/{slug}`` a resource (organisation, practice, city, ...);
- ``scheme/{name}`` a SKOS concept scheme (cities, sectors, themes, organisation kinds,
  project roles);
- ``graph/{kind}/{slug}`` the named graph that describes one resource, so
  that a profile is replaced or removed in one transaction;
- ``graph/ontology``, ``graph/inferred/collaborations``, ``graph/derived/practice-ties``,
  ``graph/analysis``, ``graph/changelog`` the graphs that belong to no single resource;
- ``graph/system/analysis-lease`` the lease of the servers that share an external store on
  the analysis (who runs it, until when: :mod:`crossinnov.analysis.lease`);
- ``…#fragment`` a part of the resource or graph before the ``#`` (an event's candidate
  date, a tie derived from a practice), described in that resource's graph;
- ``dataset`` the dataset as a whole (VoID, DCAT), ``agent/{name}`` writers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pyoxigraph import NamedNode

#: properties whose triples belong to the analysis graph whatever their subject
ANALYSIS_PREDICATES = frozenset(
    "https://w3id.org/crossinnov/ontology#" + name
    for name in ("inCluster", "betweenness", "constraint", "effectiveSize", "weightedDegree",
                 "crossSectorBrokerage", "crossCityBrokerage", "crossSectorShare",
                 "crossCityShare", "bridgingShare", "crossInnovationScore",
                 "crossSectorBrokerageWithEvents", "crossCityBrokerageWithEvents",
                 *(g + r for g in ("sector", "city") for r in ("Coordinator", "Itinerant",
                                                             "Gatekeeper", "Representative",
                                                             "Liaison")))
)

KINDS = ("organisation", "practice", "city", "sector", "theme", "event", "project", "cluster",
         "organisation-kind", "project-role")
SCHEMES = ("cities", "sectors", "themes", "organisation-kinds", "project-roles")
ONTOLOGY_IRI = "https://w3id.org/crossinnov/ontology"

#: a slug: lower-case letters, digits and single hyphens, 1-100 characters
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,99}$")


class InvalidSlug(ValueError):
    """A string that cannot be used as the last segment of a minted IRI."""


def slugify(text: str) -> str:
    """Return the slug of a name: ASCII, lower case, words joined by hyphens.

    >>> slugify("Plzeň 2015 (public benefit organisation)")
    'plzen-2015-public-benefit-organisation'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:100].rstrip("-")


def check_slug(slug: str) -> str:
    """Return ``slug`` if it is a valid slug, else raise :class:`InvalidSlug`."""
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise InvalidSlug(
            f"{slug!r} is not a valid id: use 1-100 lower-case letters, digits and hyphens"
        )
    return slug


@dataclass(frozen=True)
class IRIs:
    """The IRIs minted under one base."""

    base: str

    def __post_init__(self) -> None:
        if not self.base.endswith("/") or not re.match(r"^https?://", self.base):
            raise ValueError(f"base must be an http(s) IRI ending with '/': {self.base!r}")

    # resources ---------------------------------------------------------------
    def resource(self, kind: str, slug: str) -> NamedNode:
        """Return the IRI of a resource ``{base}id/{kind}/{slug}``."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return NamedNode(f"{self.base}id/{kind}/{check_slug(slug)}")

    def organisation(self, slug: str) -> NamedNode:
        return self.resource("organisation", slug)

    def parse_resource(self, iri: str) -> tuple[str, str] | None:
        """Return ``(kind, slug)`` of a minted resource IRI, or None."""
        prefix = self.base + "id/"
        if not iri.startswith(prefix):
            return None
        kind, _, slug = iri[len(prefix):].partition("/")
        if kind in KINDS and SLUG_RE.match(slug):
            return kind, slug
        return None

    def scheme(self, name: str) -> NamedNode:
        """Return the IRI of a SKOS concept scheme."""
        if name not in SCHEMES:
            raise ValueError(f"unknown scheme {name!r}")
        return NamedNode(f"{self.base}scheme/{name}")

    @property
    def dataset(self) -> NamedNode:
        return NamedNode(self.base + "dataset")

    def agent(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}agent/{check_slug(name)}")

    def activity(self, stamp: str) -> NamedNode:
        """Return the IRI of a change (a PROV activity) recorded in the changelog."""
        return NamedNode(f"{self.base}activity/{check_slug(stamp)}")

    # graphs ------------------------------------------------------------------
    def graph(self, kind: str, slug: str) -> NamedNode:
        """Return the named graph describing the resource ``kind/slug``."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        return NamedNode(f"{self.base}graph/{kind}/{check_slug(slug)}")

    def scheme_graph(self, name: str) -> NamedNode:
        return NamedNode(f"{self.base}graph/scheme/{name}")

    @property
    def ontology_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/ontology")

    @property
    def closure_graph(self) -> NamedNode:
        """Graph of the inverse ``ci:collaboratesWith`` links no profile states itself."""
        return NamedNode(self.base + "graph/inferred/collaborations")

    @property
    def derived_ties_graph(self) -> NamedNode:
        """Graph of the ties derived from good practices (one ``ci:DerivedTie`` per pair and
        practice); their plain ``ci:collaboratesWith`` links are in the closure graph."""
        return NamedNode(self.base + "graph/derived/practice-ties")

    @property
    def analysis_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/analysis")

    @property
    def changelog_graph(self) -> NamedNode:
        return NamedNode(self.base + "graph/changelog")

    @property
    def lease_graph(self) -> NamedNode:
        """Graph of the analysis lease: which server runs the analysis, until when (empty
        while none does)."""
        return NamedNode(self.base + "graph/system/analysis-lease")

    def analysis_node(self, *parts: str) -> NamedNode:
        """Return the IRI of a node of the analysis results (a run, a brokerage count)."""
        return NamedNode(f"{self.base}analysis/" + "/".join(check_slug(p) for p in parts))

    def is_bookkeeping(self, subject: str) -> bool:
        """True for the subjects of the changelog: the dataset and the recorded changes."""
        return subject == self.base + "dataset" or subject.startswith(self.base + "activity/")

    def graph_for(self, subject: str, predicate: str | None = None) -> NamedNode:
        """Return the named graph in which a triple about ``subject`` is kept.

        Each triple lives in exactly one graph (the union default graph is then
        a set): the graph of its subject's resource, the ontology graph for
        ontology terms, the analysis graph for clusters and analysis results
        (also those about an organisation, told by their predicate), the
        changelog graph for everything else. A fragment IRI (``…/id/event/x#date-2015``)
        belongs to the graph of the resource or graph it is a fragment of.
        """
        if predicate in ANALYSIS_PREDICATES or subject.startswith(self.base + "analysis/"):
            return self.analysis_graph
        subject = subject.split("#", 1)[0] if subject.startswith(self.base) else subject
        parsed = self.parse_resource(subject)
        if parsed:
            if parsed[0] == "cluster":
                return self.analysis_graph
            return self.graph(*parsed)
        if subject.startswith(self.base + "scheme/"):
            name = subject[len(self.base + "scheme/"):]
            if name in SCHEMES:
                return self.scheme_graph(name)
        if subject.startswith(self.base + "graph/"):
            # a profile's record (its graph IRI as subject) lives in that graph
            return NamedNode(subject)
        if subject.startswith(ONTOLOGY_IRI):
            return self.ontology_graph
        return self.changelog_graph

    def resource_of_graph(self, graph: str) -> tuple[str, str] | None:
        """Return ``(kind, slug)`` of the resource a per-resource graph describes."""
        prefix = self.base + "graph/"
        if not graph.startswith(prefix):
            return None
        kind, _, slug = graph[len(prefix):].partition("/")
        if kind in KINDS and SLUG_RE.match(slug):
            return kind, slug
        return None
