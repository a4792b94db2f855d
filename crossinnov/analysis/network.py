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

The network is built compact (it has to fit beside a server at 1 000 000
organisations): an edge's data dict (``{"weight": ..., "kinds": {...}}``) is one
object shared by every edge with the same kinds and weights, and so are the
nodes' (empty) attribute dicts; an organisation's sets are frozensets, one object
per distinct value (the empty one shared), its strings one object per distinct
value. They are read, never written: a change to one would change every edge or
organisation that shares it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
import pyoxigraph as ox

from crossinnov.analysis.kinds import KINDS
from crossinnov.config import Settings
from crossinnov.sparql.queries import QUERIES
from crossinnov.stores.base import Store

CREATIVE = "creative-industries"
GROWTH = "other-growth-sectors"


def edges(graph: nx.Graph) -> Iterator[tuple[str, str, dict]]:
    """``graph.edges(data=True)`` of an undirected graph, in the same order, read from its
    adjacency directly (the view costs seconds at 100 000 organisations)."""
    seen: set[str] = set()
    for a, near in graph._adj.items():
        for b, d in near.items():
            if b not in seen:
                yield a, b, d
        seen.add(a)


def unconfirmed_weight(settings: Settings) -> float:
    """The tie weight of a collaboration only one side states (one side's word says less)."""
    return settings.weight_unconfirmed_collaboration


#: the empty set of an organisation's field (one object for all of them)
EMPTY: frozenset[str] = frozenset()
#: the attributes of every node of a built network (one empty dict, shared: never written)
NO_ATTRIBUTES: dict = {}


@dataclass(slots=True)
class Organisation:
    iri: str
    slug: str
    name: str
    city: str | None = None
    # sets (frozensets, shared, in a built network: see the module's docstring)
    sectors: set[str] | frozenset[str] = field(default_factory=set)
    # notations of the top concepts: creative-industries, other-growth-sectors
    tops: set[str] | frozenset[str] = field(default_factory=set)
    themes: set[str] | frozenset[str] = field(default_factory=set)
    practices: set[str] | frozenset[str] = field(default_factory=set)
    events: set[str] | frozenset[str] = field(default_factory=set)

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
        """Each node's neighbours and tie weights, as plain dicts, cached (a copy of the
        graph's adjacency: the analysis itself walks ``graph._adj``, which costs no copy)."""
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


def table(store: Store, sparql: str, *names: str, **bindings: ox.NamedNode
          ) -> list[tuple[str | None, ...]]:
    """Run a SELECT query and return its rows as tuples of the values of ``names`` (None when
    unbound): no dict per row, and the answer is read whole in this thread."""
    result = store.query(sparql, bindings=bindings or None)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError("a SELECT query was expected")
    return [tuple(None if (v := solution[n]) is None else v.value for n in names)
            for solution in result]


def stated_by(store: Store, orgs: dict[str, Organisation],
              links: list[tuple[str | None, ...]] | None = None) -> dict[str, set[str]]:
    """The collaborations organisations state in their own graphs: each stating organisation
    of the network -> the organisations of the network it names, less the links either
    side declines.

    Only organisation graphs count: a link inferred or derived elsewhere (the closure
    graph, ties derived from good practices) is never a stated one. The IRIs are the
    network's own strings (one object per organisation, however many links name it).

    :param links: the rows of ``analysis_collaborations`` when already read
    """
    prefix = store.iris.base + "graph/organisation/"
    declined = {(r["a"].value, r["b"].value) for r in store.select(QUERIES["analysis_declines"])}
    if links is None:
        links = read_links(store)
    out: dict[str, set[str]] = {}
    for g, a, named in links:
        if not g.startswith(prefix) or a not in orgs or not named:
            continue
        stater = orgs[a].iri
        targets = out.get(stater)
        if targets is None:
            targets = out[stater] = set()
        for b in named.split(" "):
            org = orgs.get(b)
            if org is None or b == a:
                continue
            if declined and ((a, b) in declined or (b, a) in declined):
                continue
            targets.add(org.iri)
    return {a: named for a, named in out.items() if named}


def read_links(store: Store) -> list[tuple[str | None, ...]]:
    """The stated links, grouped by graph and stater (``analysis_collaborations``)."""
    return table(store, QUERIES["analysis_collaborations"], "g", "a", "named")


def stated_collaborations(store: Store, orgs: dict[str, Organisation]) -> set[tuple[str, str]]:
    """The same as :func:`stated_by`, as (stater, named) pairs."""
    return {(a, b) for a, named in stated_by(store, orgs).items() for b in named}


def _first(rows: list[tuple[str | None, ...]], keep: dict) -> dict[str, str]:
    """The first value of each subject of ``keep``, in the order the store answers (as the
    first row of an OPTIONAL join would give it)."""
    out: dict[str, str] = {}
    for subject, value in rows:
        if subject in keep and subject not in out:
            out[subject] = value
    return out


def build_network(store: Store, settings: Settings) -> Network:
    """Read the organisations and their ties from the store into a weighted networkx Graph.

    Each property is read with a query of one pattern (or one grouped pattern) and joined
    here, by the IRIs: on the disk store reading a term costs a lookup, and joins or
    OPTIONALs in the store cost more than these dicts.
    """
    # the stated links are most of the reading: grouped, the store reads them when asked,
    # outside Python's lock, so they are asked first, beside the rest
    with ThreadPoolExecutor(1, thread_name_prefix="crossinnov-gather") as reader:
        links = reader.submit(read_links, store)
        try:
            return _build(store, settings, links)
        finally:
            links.cancel()


def _build(store: Store, settings: Settings, links: Future) -> Network:
    # one object per distinct value (strings read from the store, frozensets, tie kinds):
    # the store answers a new string for every row
    shared: dict = {}
    one = shared.setdefault
    concepts = {r["concept"].value: Concept(r["concept"].value, r["notation"].value,
                                            r["label"].value,
                                            r["broader"].value if "broader" in r else None)
                for r in store.select(QUERIES["analysis_concepts"])}
    prefix = store.iris.base + "id/organisation/"
    typed = dict.fromkeys(iri for iri, in table(store, QUERIES["analysis_organisations"],
                                                 "org"))
    names = _first(table(store, QUERIES["analysis_names"], "thing", "name"), typed)
    cities = _first(table(store, QUERIES["analysis_cities"], "thing", "city"), typed)
    orgs: dict[str, Organisation] = {}
    for iri in typed:
        slug = iri[len(prefix):] if iri.startswith(prefix) else iri.rsplit("/", 1)[-1]
        city = cities.get(iri)
        orgs[iri] = Organisation(iri, slug, names.get(iri, slug),
                                 None if city is None else one(city, city),
                                 EMPTY, EMPTY, EMPTY, EMPTY, EMPTY)
    del typed, names, cities

    def top_of(iri: str) -> Concept | None:
        seen = set()
        concept = concepts.get(iri)
        while concept is not None and concept.broader and concept.iri not in seen:
            seen.add(concept.iri)
            concept = concepts.get(concept.broader)
        return concept

    # each organisation's sets, gathered here and frozen at the end (see freeze)
    sectors_of: dict[str, set[str]] = {}
    tops_of: dict[str, set[str]] = {}
    themes_of: dict[str, set[str]] = {}
    practices_of: dict[str, set[str]] = {}
    events_of: dict[str, set[str]] = {}

    def gather_in(sets: dict[str, set[str]], iri: str, value: str) -> None:
        values = sets.get(iri)
        if values is None:
            sets[iri] = {value}
        else:
            values.add(value)

    tops = {iri: top_of(iri) for iri in concepts}
    for iri, sector in table(store, QUERIES["analysis_sectors"], "org", "sector"):
        org = orgs.get(iri)
        top = tops.get(sector)
        if org is None or top is None:
            continue
        gather_in(tops_of, org.iri, top.notation)
        if sector != top.iri:
            gather_in(sectors_of, org.iri, one(sector, sector))
    for iri, theme in table(store, QUERIES["analysis_themes"], "thing", "theme"):
        org = orgs.get(iri)
        if org is not None:
            gather_in(themes_of, org.iri, one(theme, theme))

    practices: dict[str, Practice] = {}
    for iri, name, city, theme, org, role in table(
            store, QUERIES["analysis_practices"], "practice", "name", "city", "theme", "org",
            "role"):
        p = practices.get(iri)
        if p is None:
            p = practices[iri] = Practice(iri, iri if name is None else name)
        if city is not None:
            p.city = one(city, city)
        if theme is not None:
            p.theme = one(theme, theme)
        member = orgs.get(org) if org is not None else None
        if member is not None:
            (p.operators if role == "operator" else p.partners).add(member.iri)
            gather_in(practices_of, member.iri, p.iri)
    for p in practices.values():  # an organisation works on the sub-themes of its practices
        if p.theme:
            for org in p.operators | p.partners:
                gather_in(themes_of, org, p.theme)

    # ties[a][b] (a < b): the kinds of tie of a pair and their weights, in the order they
    # are found (stated ones first), as a tuple of (kind, weight) pairs, one object per
    # distinct value (there are few: a dict per pair took most of the memory); an edge's
    # weight is their sum in that order
    ties: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {}
    steps: dict[tuple, tuple[tuple[str, float], ...]] = {}

    def plus(kinds: tuple[tuple[str, float], ...] | None, kind: str, weight: float
             ) -> tuple[tuple[str, float], ...]:
        """The kinds of a pair with one more tie (a shared tuple)."""
        key = (id(kinds), kind, weight)  # the tuples live in ``shared``: their ids hold
        out = steps.get(key)
        if out is None:
            added = dict(kinds or ())
            added[kind] = added.get(kind, 0.0) + weight
            made = tuple(added.items())
            out = steps[key] = one(made, made)
        return out

    def tie(a: str, b: str, kind: str, weight: float) -> None:
        if a != b and a in orgs and b in orgs:
            if b < a:
                a, b = b, a
            row = ties.get(a)
            if row is None:
                row = ties[a] = {}
            row[b] = plus(row.get(b), kind, weight)

    claims: dict[str, set[str]] = defaultdict(set)
    stated = stated_by(store, orgs, links.result())
    mutual = plus(None, "collaboration", settings.weight_collaboration)
    one_sided = plus(None, "unconfirmed", unconfirmed_weight(settings))
    nothing: set[str] = set()
    for a, named in stated.items():  # organisations of the network, a != b: a pair's first tie
        for b in named:
            if a in stated.get(b, nothing):
                if a < b:
                    row = ties.get(a)
                    if row is None:
                        row = ties[a] = {}
                    row[b] = mutual
            else:
                low, high = (a, b) if a < b else (b, a)
                row = ties.get(low)
                if row is None:
                    row = ties[low] = {}
                row[high] = one_sided
                claims[a].add(b)
    del stated
    for p in practices.values():
        for a in sorted(p.operators):
            for b in sorted(p.partners | p.operators):
                if a < b or b not in p.operators:
                    tie(a, b, "practice", settings.weight_practice)
        for a, b in combinations(sorted(p.partners - p.operators), 2):
            tie(a, b, "copartner", settings.weight_practice_copartners)
    events: dict[str, Event] = {}
    for iri, org, name in table(store, QUERIES["analysis_events"], "event", "org", "name"):
        event = events.get(iri)
        if event is None:
            event = events[iri] = Event(iri, iri if name is None else name)
        member = orgs.get(org)
        if member is not None:
            event.participants.add(member.iri)
            gather_in(events_of, member.iri, event.iri)
    weight = settings.weight_event
    for event in events.values():
        # organisations of the network, distinct and sorted: a < b
        for a, b in combinations(sorted(event.participants), 2):
            row = ties.get(a)
            if row is None:
                row = ties[a] = {}
            row[b] = plus(row.get(b), "event", weight)
    steps.clear()

    def freeze(values: set[str]) -> frozenset[str]:
        frozen = frozenset(values)
        return one(frozen, frozen)

    for iri, values in sectors_of.items():
        orgs[iri].sectors = freeze(values)
    for iri, values in tops_of.items():
        orgs[iri].tops = freeze(values)
    for iri, values in themes_of.items():
        orgs[iri].themes = freeze(values)
    for iri, values in practices_of.items():
        orgs[iri].practices = freeze(values)
    for iri, values in events_of.items():
        orgs[iri].events = freeze(values)
    del sectors_of, tops_of, themes_of, practices_of, events_of

    graph = nx.Graph()
    adjacency, attributes = graph._adj, graph._node
    for n in sorted(orgs):  # as graph.add_nodes_from, with one (empty) attribute dict
        adjacency[n] = {}
        attributes[n] = NO_ATTRIBUTES
    # the edges in sorted order, as graph.add_edge would add them one by one (written into
    # networkx's adjacency directly: add_edge costs seconds at 100 000 organisations); one
    # data dict per distinct kinds (shared, never written), each row freed once added
    weightless = not all(k.weight(settings) > 0 for k in KINDS)
    data_of: dict[int, dict | None] = {}
    for a in sorted(ties):
        row, near = ties.pop(a), adjacency[a]
        for b in sorted(row):
            found = row[b]
            data = data_of.get(id(found), False)
            if data is False:
                kinds = dict(found)
                if weightless:
                    kinds = {k: w for k, w in kinds.items() if w > 0}  # a weight of 0: no tie
                data = {"weight": sum(kinds.values()), "kinds": kinds} if kinds else None
                data_of[id(found)] = data
            if data is None:
                continue
            near[b] = data
            adjacency[b][a] = data
    del data_of, shared  # (the tuples counted by their ids lived in ``shared`` until here)
    return Network(graph, orgs, practices, concepts, dict(claims), events)
