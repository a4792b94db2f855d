"""Brokerage: who builds bridges between sectors and between cities.

All measures are taken on the *working ties* - stated collaborations and shared
good practices -, not on co-attendance at events: taking part in the same
100-firm matchmaking day does not make two organisations partners, and the
cliques events would add hide who actually connects whom.

- Betweenness centrality (Freeman), on the unweighted network, normalised;
  estimated from a sample of source nodes on large networks (:mod:`.engines`).
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
  The pairs are counted from the group sizes among ``b``'s partners minus the
  pairs that are tied (the triangles through ``b``): linear in the number of
  triangles rather than in the number of pairs.
"""

from __future__ import annotations

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


def working_ties(graph: nx.Graph) -> nx.Graph:
    """The subgraph of stated collaborations (mutual or one side's) and shared good practices
    (weights kept)."""
    keep = nx.Graph()
    keep.add_nodes_from(graph)
    for a, b, d in graph.edges(data=True):
        kinds = d.get("kinds", {"collaboration": d.get("weight", 1.0)})
        weight = sum(kinds.get(k, 0.0) for k in ("collaboration", "unconfirmed", "practice"))
        if weight > 0:
            keep.add_edge(a, b, weight=weight)
    return keep


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def triads(graph: nx.Graph, groups: dict[str, dict[str, str | None]]
           ) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, dict[str, int]]]:
    """Count, for every node and grouping, the Gould-Fernandez roles and the brokered pairs
    whose two partners are in different groups.

    :param groups: grouping name -> (node -> group, or None when unknown)
    :return: (roles[node][grouping][role], differ[node][grouping])
    """
    adjacency = {n: set(graph[n]) - {n} for n in graph}
    roles = {n: {g: dict.fromkeys(ROLES, 0) for g in groups} for n in graph}
    differ = {n: dict.fromkeys(groups, 0) for n in graph}
    for b, partners in adjacency.items():
        if len(partners) < 2:
            continue
        tied = [(a, c) for a in partners for c in adjacency[a] & partners if a < c]
        for name, group_of in groups.items():
            sizes: dict[str, int] = {}
            for a in partners:
                g = group_of.get(a)
                if g is not None:
                    sizes[g] = sizes.get(g, 0) + 1
            gb = group_of.get(b)
            adj_same: dict[str, int] = {}
            adj_diff = adj_diff_b = 0
            for a, c in tied:
                ga, gc = group_of.get(a), group_of.get(c)
                if ga is None or gc is None:
                    continue
                if ga == gc:
                    adj_same[ga] = adj_same.get(ga, 0) + 1
                else:
                    adj_diff += 1
                    if gb in (ga, gc):
                        adj_diff_b += 1
            total = sum(sizes.values())
            apart = (total * total - sum(v * v for v in sizes.values())) // 2 - adj_diff
            differ[b][name] = apart
            if gb is None:
                continue
            own = _pairs(sizes.get(gb, 0)) - adj_same.get(gb, 0)
            same = sum(_pairs(v) for v in sizes.values()) - sum(adj_same.values())
            across_b = sizes.get(gb, 0) * (total - sizes.get(gb, 0)) - adj_diff_b
            r = roles[b][name]
            r["coordinator"] = 2 * own
            r["itinerant"] = 2 * (same - own)
            r["representative"] = r["gatekeeper"] = across_b
            r["liaison"] = 2 * (apart - across_b)
    return roles, differ


def gould_fernandez(graph: nx.Graph, group: Callable[[str], str | None]
                    ) -> dict[str, dict[str, int]]:
    """Count the five brokerage roles of every node for one grouping."""
    roles, _ = triads(graph, {"g": {n: group(n) for n in graph}})
    return {n: r["g"] for n, r in roles.items()}


def structural_holes(graph: nx.Graph) -> tuple[dict[str, float], dict[str, float]]:
    """Burt's constraint and effective size (weighted), for nodes with at least one tie.

    The same definitions as ``networkx.constraint`` and ``networkx.effective_size``
    with ``weight`` on an undirected graph (Burt 1992; Borgatti 1997), computed in
    one pass over each node's neighbours' neighbours instead of recomputing every
    normalisation (networkx takes minutes at 10 000 organisations).

    With p(u, v) = w(u, v) / sum of u's weights and m(v, w) = w(v, w) / v's largest weight:
    constraint(u) = sum over v in N(u) of (p(u, v) + sum over w of p(u, w) p(w, v))^2;
    effective size(u) = sum over v in N(u) of (1 - sum over w of p(u, w) m(v, w)).
    """
    adjacency = {n: {m: d.get("weight", 1.0) for m, d in graph[n].items() if m != n}
                 for n in graph}
    total = {n: sum(nb.values()) for n, nb in adjacency.items()}
    largest = {n: max(nb.values(), default=0.0) for n, nb in adjacency.items()}
    constraint: dict[str, float] = {}
    effective: dict[str, float] = {}
    for u, nu in adjacency.items():
        if not nu or total[u] == 0:
            continue
        p_u = {w: x / total[u] for w, x in nu.items()}
        indirect: dict[str, float] = {}
        redundancy: dict[str, float] = {}
        for w, puw in p_u.items():
            nw = adjacency[w]
            for v, x in nw.items():
                if v in nu and v != u:
                    indirect[v] = indirect.get(v, 0.0) + puw * x / total[w]
                    redundancy[v] = redundancy.get(v, 0.0) + puw * x / largest[v]
        constraint[u] = sum((p_u[v] + indirect.get(v, 0.0)) ** 2 for v in nu)
        effective[u] = sum(1 - redundancy.get(v, 0.0) for v in nu)
    return constraint, effective


def measure(net: Network, *, exact_limit: int, samples: int, seed: int,
            engine: str = "auto") -> dict[str, Broker]:
    """Compute every brokerage measure for every organisation, on the working ties."""
    from crossinnov.analysis.engines import betweenness as compute_betweenness

    graph = working_ties(net.graph)
    betweenness = compute_betweenness(graph, exact_limit=exact_limit, samples=samples,
                                      seed=seed, engine=engine)
    constraint, effective = structural_holes(graph)
    orgs = net.organisations
    roles, differ = triads(graph, {"sector": {n: orgs[n].side for n in graph},
                                   "city": {n: orgs[n].city for n in graph}})
    out = {}
    for node in graph:
        out[node] = Broker(
            iri=node, betweenness=betweenness.get(node, 0.0), constraint=constraint.get(node),
            effective_size=effective.get(node),
            weighted_degree=sum(d["weight"] for _, _, d in net.graph.edges(node, data=True)),
            roles=roles[node], cross_sector=differ[node]["sector"],
            cross_city=differ[node]["city"])
    return out


def top_brokers(brokers: dict[str, Broker], key: str, limit: int = 10) -> list[Broker]:
    """The organisations that bridge most pairs across sectors (``cross_sector``) or cities."""
    ranked = sorted((b for b in brokers.values() if getattr(b, key) > 0),
                    key=lambda b: (-getattr(b, key), -b.betweenness, b.iri))
    return ranked[:limit]
