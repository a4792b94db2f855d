"""The collaboration network, built from the store with SPARQL (never from files on the side).

Nodes are organisations (with city, sectors and their top concept, sub-themes,
good practices and events); edges join organisations that are tied in one or
more ways, each kind with a weight from the settings (:mod:`.kinds`):

- ``collaboration``: a ``ci:collaboratesWith`` both sides state in their own
  (organisation) graphs (``weight_collaboration``);
- ``unconfirmed``: a ``ci:collaboratesWith`` only one side states, kept apart from the
  mutual ones, with a weight of its own (:func:`unconfirmed_weight`); the network's
  ``claims`` says who states it;
- ``practice``: operator and partner of the same good practice (``weight_practice`` per
  practice);
- ``copartner``: two partners of the same good practice (``weight_practice_copartners``);
- ``event``: taking part in the same event (``weight_event`` per event).

Only links stated in organisation graphs count as stated collaborations: links
inferred or derived elsewhere (the closure graph, ties derived from practices)
are never counted twice. A collaboration either side declines
(``ci:declinesCollaborationWith``) counts for nothing.

An edge's ``weight`` is the sum over its ties. Nodes and edges are added in a
sorted order, because networkx's Louvain depends on it even with a fixed seed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
import pyoxigraph as ox

from crossinnov.config import Settings
from crossinnov.sparql.queries import QUERIES, term
from crossinnov.stores.base import Store

CREATIVE = "creative-industries"
GROWTH = "other-growth-sectors"


def unconfirmed_weight(settings: Settings) -> float:
    """The tie weight of a collaboration only one side states (one side's word says less)."""
    return settings.weight_unconfirmed_collaboration


@dataclass
class Organisation:
    iri: str
    slug: str
    name: str
    city: str | None = None
    sectors: set[str] = field(default_factory=set)
    # notations of the top concepts: creative-industries, other-growth-sectors
    tops: set[str] = field(default_factory=set)
    themes: set[str] = field(default_factory=set)
    practices: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)

    @property
    def side(self) -> str | None:
        """creative, growth, both, or None when no sector is known."""
        creative, growth = CREATIVE in self.tops, GROWTH in self.tops
        if creative and growth:
            return "both"
        if creative:
            return "creative"
        if growth:
            return "growth"
        return None


@dataclass
class Practice:
    iri: str
    name: str
    city: str | None = None
    theme: str | None = None
    operators: set[str] = field(default_factory=set)
    partners: set[str] = field(default_factory=set)

    @property
    def members(self) -> set[str]:
        return self.operators | self.partners


@dataclass
class Event:
    iri: str
    name: str
    participants: set[str] = field(default_factory=set)


@dataclass
class Concept:
    iri: str
    notation: str
    label: str
    broader: str | None = None


@dataclass
class Network:
    """The network and what is needed to describe it."""

    graph: nx.Graph
    organisations: dict[str, Organisation]
    practices: dict[str, Practice]
    concepts: dict[str, Concept]
    #: one-sided collaborations: who states one -> the organisations it names that have not
    #: stated it back
    claims: dict[str, set[str]] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)

    @property
    def adjacency(self) -> dict[str, dict[str, float]]:
        """Each node's neighbours and tie weights, as plain dicts (fast to walk)."""
        cached = self.__dict__.get("_adjacency")
        if cached is None:
            cached = {n: {m: d["weight"] for m, d in self.graph[n].items()} for n in self.graph}
            self.__dict__["_adjacency"] = cached
        return cached

    @property
    def sides(self) -> dict[str, str | None]:
        """Each organisation's sector side (creative, growth, both or None), cached."""
        if "_sides" not in self.__dict__:
            self.__dict__["_sides"] = {n: o.side for n, o in self.organisations.items()}
        return self.__dict__["_sides"]

    @property
    def cities(self) -> dict[str, str | None]:
        """Each organisation's city (or None), cached."""
        if "_cities" not in self.__dict__:
            self.__dict__["_cities"] = {n: o.city for n, o in self.organisations.items()}
        return self.__dict__["_cities"]

    def label(self, iri: str | None) -> str:
        if iri is None:
            return "unknown"
        if iri in self.concepts:
            return self.concepts[iri].label
        if iri in self.organisations:
            return self.organisations[iri].name
        if iri in self.practices:
            return self.practices[iri].name
        if iri in self.events:
            return self.events[iri].name
        return iri.rsplit("/", 1)[-1]

    def label_of_notation(self, notation: str) -> str:
        for concept in self.concepts.values():
            if concept.notation == notation:
                return concept.label
        return notation


def stated_collaborations(store: Store, orgs: dict[str, Organisation]) -> set[tuple[str, str]]:
    """The collaborations organisations state in their own graphs, as (stater, named) pairs
    of organisations of the network, less those either side declines.

    Only organisation graphs count: a link inferred or derived elsewhere (the closure
    graph, ties derived from good practices) is never a stated one. The IRIs are the
    network's own strings (one object per organisation, however many links name it).
    """
    prefix = term(ox.Literal(store.iris.base + "graph/organisation/"))
    declined = {(r["a"].value, r["b"].value) for r in store.select(QUERIES["analysis_declines"])}
    out: set[tuple[str, str]] = set()
    for r in store.select(QUERIES.render("analysis_collaborations", organisation_graphs=prefix)):
        a, b = r["a"].value, r["b"].value
        if a == b or a not in orgs or b not in orgs or (a, b) in declined or (b, a) in declined:
            continue
        out.add((orgs[a].iri, orgs[b].iri))
    return out


def build_network(store: Store, settings: Settings) -> Network:
    """Read the organisations and their ties from the store into a weighted networkx Graph."""
    concepts = {r["concept"].value: Concept(r["concept"].value, r["notation"].value,
                                            r["label"].value,
                                            r["broader"].value if "broader" in r else None)
                for r in store.select(QUERIES["analysis_concepts"])}
    prefix = store.iris.base + "id/organisation/"
    orgs: dict[str, Organisation] = {}
    for r in store.select(QUERIES["analysis_organisations"]):
        iri = r["org"].value
        if iri not in orgs:
            slug = iri[len(prefix):] if iri.startswith(prefix) else iri.rsplit("/", 1)[-1]
            orgs[iri] = Organisation(iri, slug, r["name"].value if "name" in r else slug,
                                     r["city"].value if "city" in r else None)
    def top_of(iri: str) -> Concept | None:
        seen = set()
        concept = concepts.get(iri)
        while concept is not None and concept.broader and concept.iri not in seen:
            seen.add(concept.iri)
            concept = concepts.get(concept.broader)
        return concept

    tops = {iri: top_of(iri) for iri in concepts}
    for r in store.select(QUERIES["analysis_sectors"]):
        org = orgs.get(r["org"].value)
        sector = r["sector"].value
        top = tops.get(sector)
        if org is None or top is None:
            continue
        org.tops.add(top.notation)
        if sector != top.iri:
            org.sectors.add(sector)
    for r in store.select(QUERIES["analysis_themes"]):
        if r["org"].value in orgs:
            orgs[r["org"].value].themes.add(r["theme"].value)

    practices: dict[str, Practice] = {}
    for r in store.select(QUERIES["analysis_practices"]):
        iri = r["practice"].value
        p = practices.setdefault(iri, Practice(iri, r["name"].value if "name" in r else iri))
        if "city" in r:
            p.city = r["city"].value
        if "theme" in r:
            p.theme = r["theme"].value
        if "org" in r and r["org"].value in orgs:
            (p.operators if r["role"].value == "operator" else p.partners).add(r["org"].value)
            orgs[r["org"].value].practices.add(iri)
    for p in practices.values():  # an organisation works on the sub-themes of its practices
        if p.theme:
            for org in p.operators | p.partners:
                orgs[org].themes.add(p.theme)

    ties: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def tie(a: str, b: str, kind: str, weight: float) -> None:
        if a != b and a in orgs and b in orgs:
            ties[(a, b) if a < b else (b, a)][kind] += weight

    claims: dict[str, set[str]] = defaultdict(set)
    stated = stated_collaborations(store, orgs)
    for a, b in stated:
        if (b, a) in stated:
            if a < b:
                tie(a, b, "collaboration", settings.weight_collaboration)
        else:
            tie(a, b, "unconfirmed", unconfirmed_weight(settings))
            claims[a].add(b)
    for p in practices.values():
        for a in sorted(p.operators):
            for b in sorted(p.partners | p.operators):
                if a < b or b not in p.operators:
                    tie(a, b, "practice", settings.weight_practice)
        for a, b in combinations(sorted(p.partners - p.operators), 2):
            tie(a, b, "copartner", settings.weight_practice_copartners)
    events: dict[str, Event] = {}
    for r in store.select(QUERIES["analysis_events"]):
        event = events.setdefault(r["event"].value, Event(
            r["event"].value, r["name"].value if "name" in r else r["event"].value))
        if r["org"].value in orgs:
            event.participants.add(r["org"].value)
            orgs[r["org"].value].events.add(event.iri)
    for event in events.values():
        for a, b in combinations(sorted(event.participants), 2):
            tie(a, b, "event", settings.weight_event)

    graph = nx.Graph()
    graph.add_nodes_from(sorted(orgs))
    for (a, b) in sorted(ties):
        kinds = {k: w for k, w in ties[(a, b)].items() if w > 0}  # a weight of 0: no tie
        if kinds:
            graph.add_edge(a, b, weight=sum(kinds.values()), kinds=kinds)
    return Network(graph, orgs, practices, concepts, dict(claims), events)
