"""Brokerage: who builds bridges between sectors and between cities.

The measures are taken on the ties that mean working together (:mod:`.kinds`):
stated collaborations (both sides or one) and the ties between a good practice's
operator and its partners; partners of the same practice and co-attendance of an
event only when the settings ``brokerage_copartners`` and ``brokerage_events``
say so: taking part in the same 100-firm matchmaking day does not make two
organisations partners, and the cliques events would add hide who actually
connects whom. When events are left out, the pairs the strongest brokers bridge
counting events too are computed apart (``cross_*_with_events``, :func:`top_bridges`),
so a report can say what events add.

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
- Pairs bridged across sectors (``cross_sector``) are counted strictly: one partner
  in the creative industries only, the other in other growth sectors only. Across
  cities: the two partners' cities are known and differ.
  The pairs are counted from the group sizes among ``b``'s partners minus the
  pairs that are tied (the triangles through ``b``): linear in the number of
  triangles rather than in the number of pairs.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Mapping, Set
from dataclasses import dataclass, field

import networkx as nx

from crossinnov.analysis.kinds import KINDS, WORKING
from crossinnov.analysis.network import Network, edges

ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")
#: the brokers counting events too whose exact counts are guaranteed (see top_bridges)
WITH_EVENTS_LIMIT = 20
GROUPINGS = ("sector", "city")


@dataclass(slots=True)
class Broker:
    """An organisation's brokerage measures."""

    iri: str
    betweenness: float = 0.0
    constraint: float | None = None
    effective_size: float | None = None
    weighted_degree: float = 0.0
    roles: dict[str, dict[str, int]] = field(
        default_factory=lambda: {g: dict.fromkeys(ROLES, 0) for g in GROUPINGS})
    cross_sector: int = 0  # pairs of unconnected partners: creative only and growth only
    cross_city: int = 0  # pairs of unconnected partners in different cities
    # the same counting event ties too, for the strongest such brokers (None: not counted)
    cross_sector_with_events: int | None = None
    cross_city_with_events: int | None = None


def working_ties(graph: nx.Graph, kinds: tuple[str, ...] = WORKING) -> nx.Graph:
    """The subgraph of the ties of some kinds (by default those that mean working together),
    each weighted by the sum of the weights of those kinds."""
    keep = nx.Graph()
    keep.add_nodes_from(graph)
    edges = []
    for a, b, d in graph.edges(data=True):
        tie = d.get("kinds", {"collaboration": d.get("weight", 1.0)})
        weight = sum(tie.get(k, 0.0) for k in kinds)
        if weight > 0:
            edges.append((a, b, weight))
    keep.add_weighted_edges_from(edges)
    return keep


def working_adjacency(graph: nx.Graph, kinds: tuple[str, ...] = WORKING
                      ) -> dict[str, dict[str, float]]:
    """``working_ties(graph, kinds)`` as each node's neighbours and tie weights, in the very
    order that graph would hold them (no graph is built: the measures walk dicts)."""
    out: dict[str, dict[str, float]] = {n: {} for n in graph}
    for a, b, d in edges(graph):
        tie = d.get("kinds", {"collaboration": d.get("weight", 1.0)})
        weight = sum(tie.get(k, 0.0) for k in kinds)
        if weight > 0:
            out[a][b] = weight
            out[b][a] = weight
    return out


def wider_adjacency(graph: nx.Graph, kinds: tuple[str, ...]) -> dict[str, set[str]]:
    """Each node's neighbours over the ties of some kinds (no graph built: only the pairs
    bridged are counted on it)."""
    adjacency: dict[str, set[str]] = {n: set() for n in graph}
    for a, b, d in edges(graph):
        tie = d.get("kinds", {})
        for k in kinds:
            if tie.get(k, 0.0) > 0:
                adjacency[a].add(b)
                adjacency[b].add(a)
                break
    return adjacency


def top_bridges(adjacency: dict[str, set[str]], group: dict[str, str | None], limit: int
                ) -> dict[str, int]:
    """The pairs of partners in different groups, not tied to each other, that the strongest
    brokers bridge: exact counts for every node whose count is at least the ``limit``-th best.

    A node's count is at most the number of its partner pairs in different known groups
    (from the group sizes, linear in its degree); exact counts (less the tied pairs, from
    the triangles through the node) are taken in decreasing order of that bound, until the
    bound falls below the ``limit``-th best count found: no node left can reach it.
    """
    bounds = []
    for b, partners in adjacency.items():
        sizes: dict[str, int] = {}
        for a in partners:
            g = group.get(a)
            if g is not None:
                sizes[g] = sizes.get(g, 0) + 1
        total = sum(sizes.values())
        bound = (total * total - sum(v * v for v in sizes.values())) // 2
        if bound > 0:
            bounds.append((bound, b))
    bounds.sort(key=lambda x: (-x[0], x[1]))
    found: dict[str, int] = {}
    best: list[int] = []  # min-heap of the ``limit`` best counts
    for bound, b in bounds:
        if len(best) >= limit and bound < best[0]:
            break
        partners = adjacency[b]
        tied = 0
        for a in partners:
            ga = group.get(a)
            if ga is None:
                continue
            for c in adjacency[a] & partners:
                gc = group.get(c)
                if a < c and gc is not None and gc != ga:
                    tied += 1
        count = bound - tied
        if count > 0:
            found[b] = count
            if len(best) < limit:
                heapq.heappush(best, count)
            elif count > best[0]:
                heapq.heapreplace(best, count)
    return found


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def triads(graph: nx.Graph, groups: dict[str, dict[str, str | None]]
           ) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, dict[str, int]]]:
    """Count, for every node and grouping, the Gould-Fernandez roles and the brokered pairs
    whose two partners are in different groups.

    :param groups: grouping name -> (node -> group, or None when unknown)
    :return: (roles[node][grouping][role], differ[node][grouping])
    """
    return _triads({n: set(graph[n]) - {n} for n in graph}, groups)


def _triads(adjacency: Mapping[str, Set[str]], groups: dict[str, dict[str, str | None]],
            with_roles: Collection[str] | None = None
            ) -> tuple[dict[str, dict[str, dict[str, int]]], dict[str, dict[str, int]]]:
    """:func:`triads` on each node's partners (itself left out: sets, or the key views of
    dicts).

    :param with_roles: the groupings whose roles are counted (by default every one; the
        pairs in different groups are counted for every grouping)
    """
    role_groups = tuple(groups if with_roles is None else (g for g in groups if g in with_roles))
    roles = {n: {g: dict.fromkeys(ROLES, 0) for g in role_groups} for n in adjacency}
    differ = {n: dict.fromkeys(groups, 0) for n in adjacency}
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
            if gb is None or name not in role_groups:
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
    return _structural_holes({n: {m: d.get("weight", 1.0) for m, d in graph[n].items()
                                  if m != n} for n in graph})


def _structural_holes(adjacency: dict[str, dict[str, float]]
                      ) -> tuple[dict[str, float], dict[str, float]]:
    """:func:`structural_holes` on each node's neighbours and tie weights (itself left out)."""
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


def _strict(side: str | None) -> str | None:
    """The sector group for strict counts: creative or growth only; both and unknown: none."""
    return side if side in ("creative", "growth") else None


def measure(net: Network, *, exact_limit: int, samples: int, seed: int,
            engine: str = "auto", kinds: tuple[str, ...] = WORKING,
            events: bool = True) -> dict[str, Broker]:
    """Compute every brokerage measure for every organisation, on the ties of ``kinds``.

    When ``kinds`` leave events out, the pairs bridged counting events too are added
    (:func:`bridges_with_events`), unless ``events`` is false: then they are left to the
    caller (:func:`add_bridges_with_events`).
    """
    from crossinnov.analysis import engines

    working = working_adjacency(net.graph, kinds)
    betweenness = engines.betweenness_of(working, exact_limit=exact_limit, samples=samples,
                                         seed=seed, engine=engine)
    # a built network has no tie of a node with itself: the measures walk ``working`` as it
    # is, without a copy that leaves such ties out
    loops = any(n in near for n, near in working.items())
    constraint, effective = _structural_holes(
        {n: {m: w for m, w in near.items() if m != n} for n, near in working.items()}
        if loops else working)
    orgs = net.organisations
    sides = {n: orgs[n].side for n in working}
    cities = {n: orgs[n].city for n in working}
    strict = {n: _strict(s) for n, s in sides.items()}
    roles, differ = _triads({n: set(near) - {n} for n, near in working.items()} if loops
                            else {n: near.keys() for n, near in working.items()},
                            {"sector": sides, "city": cities, "strict": strict}, GROUPINGS)
    del working, sides, cities, strict
    adjacency = net.graph._adj  # each node's ties, in the graph's order
    out = {}
    for node, near in adjacency.items():
        out[node] = Broker(
            iri=node, betweenness=betweenness.get(node, 0.0), constraint=constraint.get(node),
            effective_size=effective.get(node),
            weighted_degree=sum(d["weight"] for d in near.values()),
            roles=roles[node], cross_sector=differ[node]["strict"],
            cross_city=differ[node]["city"])
    del roles, differ, betweenness, constraint, effective
    if events:
        add_bridges_with_events(out, bridges_with_events(net, kinds))
    return out


def bridges_with_events(net: Network, kinds: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """What events would add when ``kinds`` leave them out: the pairs the strongest brokers
    bridge counting events too (:func:`top_bridges`), across cities (``city``) and sectors
    (``strict``); nothing when ``kinds`` count events."""
    if "event" in kinds:
        return {}
    orgs = net.organisations
    cities = {n: orgs[n].city for n in net.graph}
    strict = {n: _strict(orgs[n].side) for n in net.graph}
    wider = wider_adjacency(net.graph, (*kinds, "event"))
    return {name: top_bridges(wider, group, WITH_EVENTS_LIMIT)
            for name, group in (("city", cities), ("strict", strict))}


def add_bridges_with_events(brokers: dict[str, Broker], found: dict[str, dict[str, int]]
                            ) -> None:
    """Give each broker its counts of :func:`bridges_with_events` (None: not counted)."""
    for node, broker in brokers.items():
        broker.cross_sector_with_events = found["strict"].get(node) if found else None
        broker.cross_city_with_events = found["city"].get(node) if found else None


def top_brokers(brokers: dict[str, Broker], key: str, limit: int = 10) -> list[Broker]:
    """The organisations that bridge most pairs across sectors (``cross_sector``) or cities."""
    ranked = sorted((b for b in brokers.values() if (getattr(b, key) or 0) > 0),
                    key=lambda b: (-getattr(b, key), -b.betweenness, b.iri))
    return ranked[:limit]


__all__ = ["KINDS", "Broker", "add_bridges_with_events", "bridges_with_events", "measure",
           "top_brokers", "triads", "working_adjacency", "working_ties"]
