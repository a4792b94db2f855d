"""Clusters: Louvain communities with readable labels, stable IRIs and their facts.

- Community detection: Louvain (Blondel et al. 2008), in igraph's C core or
  networkx (:mod:`.engines`), with a fixed seed and the resolution from the
  settings; reproducible because the graph is built in a sorted order.
- Stable IRIs: a cluster whose members are mostly (Jaccard >= 0.5) those of a
  cluster of the previous run keeps that cluster's IRI; a new one is named after
  its most central member.
- A cluster is a group of at least two organisations; organisations without any
  tie are reported apart as "not connected".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from crossinnov.analysis.network import CREATIVE, GROWTH, Network
from crossinnov.iris import IRIs, slugify

STABLE_JACCARD = 0.5


@dataclass
class Cluster:
    iri: str
    members: list[str]  # organisation IRIs, most central first
    label: str = ""
    density: float = 0.0
    creative_share: float = 0.0
    growth_share: float = 0.0
    cross_sector_share: float | None = None
    cross_city_share: float | None = None
    cities: list[tuple[str, int]] = field(default_factory=list)  # city IRI, members
    sectors: list[tuple[str, int]] = field(default_factory=list)
    themes: list[tuple[str, int]] = field(default_factory=list)
    practices: list[str] = field(default_factory=list)
    central: list[str] = field(default_factory=list)
    dominant_city: str | None = None
    internal_ties: int = 0

    @property
    def size(self) -> int:
        return len(self.members)


def detect(graph: nx.Graph, *, resolution: float, seed: int,
           engine: str = "auto") -> list[set[str]]:
    """Return the Louvain communities of the graph, largest first (ties broken by member IRIs)."""
    from crossinnov.analysis.engines import louvain

    if graph.number_of_edges() == 0:
        return [{n} for n in sorted(graph)]
    communities = louvain(graph, resolution=resolution, seed=seed, engine=engine)
    return sorted(communities, key=lambda c: (-len(c), min(c)))


def modularity(graph: nx.Graph, communities: list[set[str]], resolution: float) -> float:
    if graph.number_of_edges() == 0:
        return 0.0
    return float(nx.community.modularity(graph, communities, weight="weight",
                                         resolution=resolution))


def crosses_sectors(net: Network, a: str, b: str) -> bool | None:
    """True when a tie joins different sides of the creative/growth divide; None if unknown.

    Sides are creative, growth or both; a tie crosses when the two sides differ.
    """
    return differs(net.organisations[a].side, net.organisations[b].side)


def crosses_cities(net: Network, a: str, b: str) -> bool | None:
    return differs(net.organisations[a].city, net.organisations[b].city)


def differs(x: str | None, y: str | None) -> bool | None:
    """Whether two known values differ; None when either is unknown."""
    if x is None or y is None:
        return None
    return x != y


def share(flags: list[bool | None]) -> float | None:
    known = [f for f in flags if f is not None]
    return sum(known) / len(known) if known else None


def edge_shares(net: Network, edges: list[tuple[str, str]]) -> tuple[float | None, float | None]:
    """The shares of ties that cross sectors and that cross cities."""
    sides, cities = net.sides, net.cities
    return (share([differs(sides[a], sides[b]) for a, b in edges]),
            share([differs(cities[a], cities[b]) for a, b in edges]))


def describe(net: Network, members: set[str], iri: str) -> Cluster:
    """Return a cluster's facts: label, shares, density, cities, sectors, themes, practices."""
    adjacency = net.adjacency
    strength: dict[str, float] = {}
    edges: list[tuple[str, str]] = []
    for n in members:
        total = 0.0
        for m, w in adjacency[n].items():
            if m in members:
                total += w
                if n < m:
                    edges.append((n, m))
        strength[n] = total
    ordered = sorted(members, key=lambda n: (-strength[n], n))
    orgs = [net.organisations[m] for m in ordered]
    cities = Counter(o.city for o in orgs if o.city)
    sectors = Counter(s for o in orgs for s in o.sectors)
    themes = Counter(t for o in orgs for t in o.themes)
    practices = sorted({p for o in orgs for p in o.practices},
                       key=lambda p: net.practices[p].name.lower())
    known = [o for o in orgs if o.tops]
    k = len(members)
    cross_sector, cross_city = edge_shares(net, edges)
    cluster = Cluster(
        iri=iri, members=ordered, density=2 * len(edges) / (k * (k - 1)) if k > 1 else 0.0,
        creative_share=sum(CREATIVE in o.tops for o in known) / len(known) if known else 0.0,
        growth_share=sum(GROWTH in o.tops for o in known) / len(known) if known else 0.0,
        cross_sector_share=cross_sector, cross_city_share=cross_city,
        cities=sorted(cities.items(), key=lambda x: (-x[1], x[0])),
        sectors=sorted(sectors.items(), key=lambda x: (-x[1], x[0])),
        themes=sorted(themes.items(), key=lambda x: (-x[1], x[0])),
        practices=practices, central=ordered[:3], internal_ties=len(edges),
    )
    with_city = sum(cities.values())
    if cities and cluster.cities[0][1] * 2 >= with_city:
        cluster.dominant_city = cluster.cities[0][0]
    cluster.label = make_label(net, cluster)
    return cluster


def make_label(net: Network, cluster: Cluster) -> str:
    """A readable label from what dominates a cluster, e.g. 'Tallinn — design & fashion, brokerage'."""
    if cluster.dominant_city:
        place = net.label(cluster.dominant_city)
    elif len(cluster.cities) >= 2:
        place = " & ".join(net.label(c) for c, _ in cluster.cities[:2]) + \
            (f" (+{len(cluster.cities) - 2})" if len(cluster.cities) > 2 else "")
    else:
        place = "no known city"
    if cluster.sectors:
        what = " & ".join(net.label(s) for s, _ in cluster.sectors[:2])
    else:
        sides = sorted({t for m in cluster.members for t in net.organisations[m].tops})
        what = " & ".join(net.label_of_notation(t) for t in sides) or "sectors unknown"
    label = f"{place} — {what}"
    if cluster.themes:
        label += ", " + net.label(cluster.themes[0][0]).lower()
    return label


def stable_iris(iris: IRIs, communities: list[list[str]],
                previous: dict[str, set[str]]) -> list[str]:
    """Give each community (members, most central first) an IRI, reusing the previous run's.

    A community takes the IRI of the previous cluster it overlaps most, when
    their Jaccard similarity is at least 0.5 and no larger community took it
    first; otherwise it is named after its most central member.
    """
    taken: set[str] = set()
    out = []
    for members in communities:
        mset = set(members)
        best, best_score = None, 0.0
        for iri, old in previous.items():
            if iri in taken:
                continue
            score = len(mset & old) / len(mset | old)
            if score > best_score or (score == best_score and best is not None and iri < best):
                best, best_score = iri, score
        if best is not None and best_score >= STABLE_JACCARD:
            taken.add(best)
            out.append(best)
            continue
        anchor = slugify(members[0].rsplit("/", 1)[-1])[:90] or "cluster"
        slug, n = anchor, 2
        while iris.resource("cluster", slug).value in taken | set(previous):
            slug, n = f"{anchor}-{n}", n + 1
        iri = iris.resource("cluster", slug).value
        taken.add(iri)
        out.append(iri)
    return out


@dataclass
class CityScore:
    """How much a city's organisations innovate across sectors and cities."""

    city: str
    organisations: int
    ties: int
    cross_sector_share: float | None
    cross_city_share: float | None
    bridging_share: float | None  # organisations with at least one cross-sector tie

    @property
    def score(self) -> float | None:
        parts = [p for p in (self.cross_sector_share, self.cross_city_share,
                             self.bridging_share) if p is not None]
        return round(100 * sum(parts) / len(parts), 1) if parts else None


SCORE_EXPLANATION = (
    "The cross-innovation score of a city is the mean, as a percentage, of three shares "
    "over the ties of its organisations: the share of ties that cross the divide between "
    "the creative industries and other growth sectors (sides: creative, growth, or both; a "
    "tie crosses when the sides differ), the share of ties that reach an organisation in "
    "another city, and the share of its organisations with at least one cross-sector tie. "
    "Ties with an unknown side or city are left out of the share they cannot inform.")


def city_scores(net: Network) -> list[CityScore]:
    """Score every city that has organisations in the network."""
    by_city: dict[str, list[str]] = {}
    for iri, org in net.organisations.items():
        if org.city:
            by_city.setdefault(org.city, []).append(iri)
    sides, cities, adjacency = net.sides, net.cities, net.adjacency
    out = []
    for city, members in sorted(by_city.items()):
        edges = [(m, n) for m in members for n in adjacency[m]]
        bridging = [any(differs(sides[m], sides[n]) for n in adjacency[m])
                    if sides[m] else None for m in members]
        out.append(CityScore(city, len(members), len(edges),
                             share([differs(sides[a], sides[b]) for a, b in edges]),
                             share([differs(cities[a], cities[b]) for a, b in edges]),
                             share(bridging)))
    return sorted(out, key=lambda s: (-(s.score or -1), s.city))
