"""Brokerage: who builds bridges between sectors and between cities.

- Betweenness centrality (Freeman), on the unweighted network, normalised;
  estimated from a sample of source nodes on large networks.
- Burt's constraint and effective size (structural holes), on the weighted network.
- Gould-Fernandez brokerage roles (Gould & Fernandez 1989) for each organisation
  ``b`` and each pair of its partners ``a``, ``c`` that are not tied to each other,
  by the groups of ``a``, ``b``, ``c``: coordinator (all in one group), itinerant
  (``a`` and ``c`` share a group, ``b`` is outside it), representative (``b`` shares
  the group of ``a``, the source), gatekeeper (``b`` shares the group of ``c``, the
  target), liaison (three groups). The network is undirected, so each pair is
  counted in both directions, as in a symmetric directed network: a pair gives two
  coordinator, itinerant or liaison counts, or one representative and one gatekeeper.
  Groups are the sector side (creative, growth, both) and, separately, the city;
  organisations whose group is unknown take part in no counted triad.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx

from crossinnov.analysis.network import Network

ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
GROUPINGS = ("sector", "city")


@dataclass
class Broker:
    """An organisation's brokerage measures."""

    iri: str
    betweenness: float = 0.0
    constraint: float | None = None
    effective_size: float | None = None
    weighted_degree: float = 0.0
    roles: dict[str, dict[str, int]] = field(
        default_factory=lambda: {g: dict.fromkeys(ROLES, 0) for g in GROUPINGS})
    cross_sector: int = 0  # pairs of unconnected partners on different sector sides
    cross_city: int = 0  # pairs of unconnected partners in different cities


def gould_fernandez(graph: nx.Graph, group: Callable[[str], str | None]) -> dict[str, dict[str, int]]:
    """Count the five brokerage roles of every node for one grouping."""
    adjacency = {n: set(graph[n]) for n in graph}
    counts = {n: dict.fromkeys(ROLES, 0) for n in graph}
    for b, partners in adjacency.items():
        gb = group(b)
        if gb is None or len(partners) < 2:
            continue
        ordered = sorted(partners)
        known = [(a, group(a)) for a in ordered]
        known = [(a, g) for a, g in known if g is not None]
        role = counts[b]
        for i, (a, ga) in enumerate(known):
            near = adjacency[a]
            for c, gc in known[i + 1:]:
                if c in near:
                    continue
                if ga == gc:
                    role["coordinator" if ga == gb else "itinerant"] += 2
                elif gb == ga or gb == gc:
                    role["representative"] += 1
                    role["gatekeeper"] += 1
                else:
                    role["liaison"] += 2
    return counts


def bridged_pairs(graph: nx.Graph, differ: Callable[[str, str], bool | None]) -> dict[str, int]:
    """For each node, the pairs of its partners that are not tied and that ``differ``."""
    adjacency = {n: set(graph[n]) for n in graph}
    out = {}
    for b, partners in adjacency.items():
        ordered = sorted(partners)
        n = 0
        for i, a in enumerate(ordered):
            near = adjacency[a]
            for c in ordered[i + 1:]:
                if c not in near and differ(a, c):
                    n += 1
        out[b] = n
    return out


def structural_holes(graph: nx.Graph) -> tuple[dict[str, float], dict[str, float]]:
    """Burt's constraint and effective size (weighted), for nodes with at least one tie."""
    nodes = [n for n in graph if graph.degree(n) > 0]
    constraint = nx.constraint(graph, nodes=nodes, weight="weight")
    effective = nx.effective_size(graph, nodes=nodes, weight="weight")
    return ({n: v for n, v in constraint.items() if not math.isnan(v)},
            {n: v for n, v in effective.items() if not math.isnan(v)})


def measure(net: Network, *, exact_limit: int, samples: int, seed: int) -> dict[str, Broker]:
    """Compute every brokerage measure for every organisation."""
    from crossinnov.analysis.clusters import crosses_cities, crosses_sectors

    graph = net.graph
    n = graph.number_of_nodes()
    k = None if n <= exact_limit else min(samples, n)
    betweenness = nx.betweenness_centrality(graph, k=k, seed=seed, normalized=True)
    constraint, effective = structural_holes(graph)
    by_sector = gould_fernandez(graph, lambda x: net.organisations[x].side)
    by_city = gould_fernandez(graph, lambda x: net.organisations[x].city)
    cross_sector = bridged_pairs(graph, lambda a, c: bool(crosses_sectors(net, a, c)))
    cross_city = bridged_pairs(graph, lambda a, c: bool(crosses_cities(net, a, c)))
    out = {}
    for node in graph:
        out[node] = Broker(
            iri=node, betweenness=betweenness.get(node, 0.0), constraint=constraint.get(node),
            effective_size=effective.get(node),
            weighted_degree=sum(d["weight"] for _, _, d in graph.edges(node, data=True)),
            roles={"sector": by_sector[node], "city": by_city[node]},
            cross_sector=cross_sector[node], cross_city=cross_city[node])
    return out


def top_brokers(brokers: dict[str, Broker], key: str, limit: int = 10) -> list[Broker]:
    """The organisations that bridge most pairs across sectors (``cross_sector``) or cities."""
    ranked = sorted((b for b in brokers.values() if getattr(b, key) > 0),
                    key=lambda b: (-getattr(b, key), -b.betweenness, b.iri))
    return ranked[:limit]
