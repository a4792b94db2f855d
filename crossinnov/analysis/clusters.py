"""Clusters: Louvain communities with labels that say what they are, stable IRIs and facts.

- Community detection: Louvain (Blondel et al. 2008), in igraph's C core or
  networkx (:mod:`.engines`), with a fixed seed and the resolution from the
  settings; reproducible because the graph is built in a sorted order.
- Stable IRIs: a cluster whose members are mostly (Jaccard >= 0.5) those of a
  cluster of the previous run keeps that cluster's IRI; a new one is named after
  its most central member.
- Labels (:func:`name_cluster`): after the good practice or event that forms the
  cluster when one does (at least half of the cluster's members take part in it,
  and at least half of its organisations are in the cluster), else after the city
  and sector that at least half of the members share, else after its most central
  member; the reason is kept with the label. A sector few members have never
  names a cluster.
- A cluster is a group of at least two organisations; organisations without any
  tie are reported apart as "not connected".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import networkx as nx

from crossinnov.analysis.network import CREATIVE, GROWTH, Network
from crossinnov.analysis.tallies import SCORE_EXPLANATION, Tally, city_score, crosses_sides
from crossinnov.iris import IRIs, slugify

STABLE_JACCARD = 0.5


@dataclass
class Cluster:
    iri: str
    members: list[str]  # organisation IRIs, most central first
    label: str = ""
    label_reason: str = ""
    label_source: str | None = None  # the practice, event, city or sector it is named after
    density: float = 0.0
    creative_share: float = 0.0
    growth_share: float = 0.0
    cross_sector_share: float | None = None
    cross_city_share: float | None = None
    cities: list[tuple[str, int]] = field(default_factory=list)  # city IRI, members
    sectors: list[tuple[str, int]] = field(default_factory=list)
    themes: list[tuple[str, int]] = field(default_factory=list)
    practices: list[str] = field(default_factory=list)
    events: list[tuple[str, int]] = field(default_factory=list)  # event IRI, members
    central: list[str] = field(default_factory=list)
    dominant_city: str | None = None
    main_sectors: list[str] = field(default_factory=list)  # held by at least half the members
    main_theme: str | None = None
    internal_ties: int = 0
    tally: Tally | None = None

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
    """The weighted modularity of a partition of an undirected graph, worked out as
    ``networkx.community.modularity`` does (the same sums, term by term), on the graph's
    adjacency: networkx's views take seconds at 100 000 organisations."""
    if graph.number_of_edges() == 0:
        return 0.0
    adjacency = graph._adj
    degree = {n: sum(d.get("weight", 1) for d in near.values())
              + (n in near and near[n].get("weight", 1)) for n, near in adjacency.items()}
    deg_sum = sum(degree.values())
    m = deg_sum / 2
    norm = 1 / deg_sum**2

    def contribution(community: set[str]) -> float:
        comm = set(community)
        inside, seen = 0, set()
        for u in comm:  # each edge once, as graph.edges(comm) yields it
            for v, d in adjacency[u].items():
                if v in comm and v not in seen:
                    inside += d.get("weight", 1)
            seen.add(u)
        degree_sum = sum(degree[u] for u in comm)
        return inside / m - resolution * degree_sum * degree_sum * norm

    return float(sum(map(contribution, communities)))


def edge_shares(net: Network, edges: list[tuple[str, str]]) -> tuple[float | None, float | None]:
    """The shares of ties that cross sectors (strictly: creative only with growth only, out of
    the ties whose two sides are known) and that cross cities (out of those with two cities)."""
    sides, cities = net.sides, net.cities
    sides_known = crossing = cities_known = apart = 0
    for a, b in edges:  # counted, as share() would count the flags (the same divisions)
        sa, sb = sides[a], sides[b]
        if sa and sb:
            sides_known += 1
            crossing += crosses_sides(sa, sb)
        ca, cb = cities[a], cities[b]
        if ca is not None and cb is not None:
            cities_known += 1
            apart += ca != cb
    return (crossing / sides_known if sides_known else None,
            apart / cities_known if cities_known else None)


def _half(n: int) -> int:
    """At least half of n (and at least 2): what 'most members' means for a label."""
    return max(2, (n + 1) // 2)


def describe(net: Network, members: set[str], iri: str) -> Cluster:
    """Return a cluster's facts: label and its reason, shares, density, cities, sectors, ..."""
    adjacency = net.graph._adj
    strength: dict[str, float] = {}
    edges: list[tuple[str, str]] = []
    for n in members:
        total = 0.0
        for m, d in adjacency[n].items():
            if m in members:
                total += d["weight"]
                if n < m:
                    edges.append((n, m))
        strength[n] = total
    ordered = sorted(members, key=lambda n: (-strength[n], n))
    orgs = [net.organisations[m] for m in ordered]
    cities = Counter(o.city for o in orgs if o.city)
    sectors = Counter(s for o in orgs for s in o.sectors)
    themes = Counter(t for o in orgs for t in o.themes)
    events = Counter(e for o in orgs for e in o.events)
    practices = sorted({p for o in orgs for p in o.practices},
                       key=lambda p: net.practices[p].name.lower())
    known = [o for o in orgs if o.tops]
    k = len(members)
    cross_sector, cross_city = edge_shares(net, edges)
    by_count = lambda counter: sorted(counter.items(), key=lambda x: (-x[1], x[0]))  # noqa: E731
    cluster = Cluster(
        iri=iri, members=ordered, density=2 * len(edges) / (k * (k - 1)) if k > 1 else 0.0,
        creative_share=sum(CREATIVE in o.tops for o in known) / len(known) if known else 0.0,
        growth_share=sum(GROWTH in o.tops for o in known) / len(known) if known else 0.0,
        cross_sector_share=cross_sector, cross_city_share=cross_city,
        cities=by_count(cities), sectors=by_count(sectors), themes=by_count(themes),
        events=[(e, n) for e, n in by_count(events) if n >= 2],
        practices=practices, central=ordered[:3], internal_ties=len(edges),
    )
    with_city = sum(cities.values())
    if cities and cluster.cities[0][1] * 2 >= with_city:
        cluster.dominant_city = cluster.cities[0][0]
    cluster.main_sectors = [s for s, n in cluster.sectors[:2] if n >= _half(k)]
    if cluster.themes and cluster.themes[0][1] >= _half(k):
        cluster.main_theme = cluster.themes[0][0]
    cluster.label, cluster.label_reason, cluster.label_source = name_cluster(net, cluster)
    return cluster


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _of(n: int, k: int) -> str:
    return f"all {k}" if n == k else f"{n} of its {k}"


def name_cluster(net: Network, cluster: Cluster) -> tuple[str, str, str | None]:
    """Return (label, reason, what it is named after) for a cluster.

    A good practice or an event forms a cluster when at least half of the cluster's
    members take part in it and at least half of its own organisations are in the
    cluster; a practice before an event (good practices are what the project is about),
    then the one with most members in the cluster. Otherwise the city and the sector at
    least half of the members share name it; otherwise its most central member does.
    """
    members, k = set(cluster.members), cluster.size
    forming: list[tuple[int, str, str]] = []  # (members inside, name, iri): practices
    met: list[tuple[int, str, str]] = []  # the same for events
    for p in cluster.practices:
        practice = net.practices[p]
        inside = len(practice.members & members)
        if inside >= _half(k) and 2 * inside >= len(practice.members):
            forming.append((inside, practice.name, p))
    for e, inside in cluster.events:
        event = net.events[e]
        if inside >= _half(k) and 2 * inside >= len(event.participants):
            met.append((inside, event.name, e))
    forming.sort(key=lambda x: (-x[0], x[1]))
    met.sort(key=lambda x: (-x[0], x[1]))
    if forming:  # good practices first: they are what the project is about
        inside, name, iri = forming[0]
        reason = f"{_of(inside, k)} members run or are partners of the good practice {name}."
        if met:
            reason += f" {met[0][0]} took part in the event {met[0][1]}."
        return name, _cap(reason), iri
    if met:
        inside, name, iri = met[0]
        return name, _cap(f"{_of(inside, k)} members took part in the event {name}."), iri
    parts, reasons, source = [], [], None
    if cluster.cities and cluster.cities[0][1] >= _half(k):
        city, n = cluster.cities[0]
        parts.append(net.label(city))
        reasons.append(f"{_of(n, k)} members are based in {net.label(city)}")
        source = city
    if cluster.sectors and cluster.sectors[0][1] >= _half(k):
        sector, n = cluster.sectors[0]
        parts.append(net.label(sector))
        reasons.append(f"{_of(n, k)} members work in {net.label(sector).lower()}")
        source = source or sector
    else:
        sides = Counter(net.sides[m] for m in members)
        side, n = max(((s, c) for s, c in sides.items() if s in ("creative", "growth")),
                      key=lambda x: (x[1], x[0]), default=(None, 0))
        if side and n >= _half(k):
            words = "creative industries" if side == "creative" else "other growth sectors"
            parts.append(words)
            reasons.append(f"{_of(n, k)} members are in the {words} only")
    if parts:
        return (" — ".join(parts), _cap("; ".join(reasons)) +
                ". No good practice or event forms it.", source)
    central = net.label(cluster.members[0])
    return (f"Around {central}",
            f"No good practice, event, city or sector is shared by half of its {k} members; "
            f"it is named after its most central member.", cluster.members[0])


def unique_labels(net: Network, clusters: list[Cluster]) -> None:
    """Make labels unique: a repeated one gets its cluster's most central member added."""
    seen: Counter = Counter(c.label for c in clusters)
    for cluster in clusters:
        if seen[cluster.label] > 1 and not cluster.label.startswith("Around "):
            cluster.label += f" (around {net.label(cluster.members[0])})"


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
    """A city's tally and, when it has enough data, its cross-innovation score."""

    city: str
    tally: Tally
    score: float | None = None


def city_scores(net: Network, tallies: dict[str, Tally], min_organisations: int,
                min_ties: int) -> list[CityScore]:
    """Score the cities that have enough organisations and ties; the others get no score.

    Ranked first: the cities with a score, highest first; then the others by name.
    """
    out = []
    for city, tally in tallies.items():
        enough = tally.check(min_organisations, min_ties)
        out.append(CityScore(city, tally, city_score(tally) if enough else None))
    return sorted(out, key=lambda s: (s.score is None, -(s.score or 0), net.label(s.city)))


__all__ = ["SCORE_EXPLANATION", "CityScore", "Cluster", "city_scores", "describe", "detect",
           "modularity", "name_cluster", "stable_iris", "unique_labels"]
