"""The fast parts of the analysis, behind the networkx graph: Louvain and betweenness.

The network is always a networkx Graph; when python-igraph is installed (it is
a dependency) the two costly computations run in its C core on a copy, with
the same definitions:

- Louvain community detection: ``igraph.Graph.community_multilevel`` (Blondel et
  al. 2008), weighted, with the resolution from the settings; the random order
  it uses comes from a ``random.Random(seed)`` given to igraph for the call, so
  a run is reproducible. networkx's ``louvain_communities`` is the fallback
  (and ``analysis_engine = "networkx"`` asks for it); both optimise the same
  modularity, partitions may differ in detail.
- Betweenness centrality (Brandes 2001), unweighted, normalised as networkx
  does; above ``exact_limit`` nodes estimated from ``samples`` random sources
  (scaled by n/k, as networkx's ``k`` option does).
"""

from __future__ import annotations

import random
import threading

import networkx as nx

from crossinnov.analysis.network import edges as edges_of

try:  # pragma: no cover - igraph is a dependency; the fallback keeps tests honest
    import igraph
except ImportError:  # pragma: no cover
    igraph = None

# igraph's random number generator is process-wide: calls that set it must not overlap
_IGRAPH_RNG = threading.Lock()


def use_igraph(engine: str) -> bool:
    if engine == "networkx":
        return False
    if engine == "igraph" and igraph is None:
        raise RuntimeError("analysis_engine is igraph but python-igraph is not installed")
    return igraph is not None


def _to_igraph(graph: nx.Graph):
    nodes = list(graph)  # the graph is built in sorted order (see network.py)
    index = {n: i for i, n in enumerate(nodes)}
    edges, weights = [], []
    for a, b, d in edges_of(graph):  # in the order of graph.edges()
        edges.append((index[a], index[b]))
        weights.append(d.get("weight", 1.0))
    g = igraph.Graph(n=len(nodes), edges=edges, directed=False)
    g.es["weight"] = weights
    return g, nodes


def _edge_indexes(adjacency: dict[str, dict[str, float]]) -> list[tuple[int, int]]:
    """The edges of the graph whose adjacency this is, as pairs of node positions, in the
    order ``graph.edges()`` yields them: each edge at the first of its nodes."""
    index = {n: i for i, n in enumerate(adjacency)}
    edges = []
    for i, near in enumerate(adjacency.values()):
        for m in near:
            j = index[m]
            if j >= i:
                edges.append((i, j))
    return edges


def _igraph_of(adjacency: dict[str, dict[str, float]]):
    """The igraph of an adjacency (as :func:`_to_igraph` makes it of the graph that holds it:
    the same nodes and edges, in the same order)."""
    return (igraph.Graph(n=len(adjacency), edges=_edge_indexes(adjacency), directed=False),
            list(adjacency))


def louvain(graph: nx.Graph, *, resolution: float, seed: int, engine: str) -> list[set[str]]:
    """Return the Louvain communities of a weighted graph."""
    if not use_igraph(engine):
        return [set(c) for c in nx.community.louvain_communities(
            graph, weight="weight", resolution=resolution, seed=seed)]
    g, nodes = _to_igraph(graph)
    with _IGRAPH_RNG:
        previous = igraph.set_random_number_generator(random.Random(seed))
        try:
            membership = g.community_multilevel(weights="weight",
                                                resolution=resolution).membership
        finally:
            igraph.set_random_number_generator(previous or random)
    groups: dict[int, set[str]] = {}
    for node, group in zip(nodes, membership, strict=True):
        groups.setdefault(group, set()).add(node)
    return list(groups.values())


def betweenness(graph: nx.Graph, *, exact_limit: int, samples: int, seed: int,
                engine: str) -> dict[str, float]:
    """Return normalised betweenness centrality (estimated above ``exact_limit`` nodes)."""
    n = graph.number_of_nodes()
    if not use_igraph(engine):
        return nx.betweenness_centrality(graph, k=min(samples, n) if n > exact_limit else None,
                                         seed=seed, normalized=True)
    if n < 3:
        return dict.fromkeys(graph, 0.0)
    return _igraph_betweenness(*_to_igraph(graph), exact_limit=exact_limit, samples=samples,
                               seed=seed)


def betweenness_of(adjacency: dict[str, dict[str, float]], *, exact_limit: int, samples: int,
                   seed: int, engine: str) -> dict[str, float]:
    """:func:`betweenness` of the graph whose adjacency (each node's neighbours, in the graph's
    order) this is (the weights are not used)."""
    n = len(adjacency)
    if not use_igraph(engine):
        nodes = list(adjacency)
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from((nodes[i], nodes[j]) for i, j in _edge_indexes(adjacency))
        return betweenness(graph, exact_limit=exact_limit, samples=samples, seed=seed,
                           engine=engine)
    if n < 3:
        return dict.fromkeys(adjacency, 0.0)
    return _igraph_betweenness(*_igraph_of(adjacency), exact_limit=exact_limit,
                               samples=samples, seed=seed)


def _igraph_betweenness(g, nodes: list[str], *, exact_limit: int, samples: int, seed: int
                        ) -> dict[str, float]:
    n = len(nodes)
    sample = n > exact_limit
    if sample:
        sources = random.Random(seed).sample(range(n), min(samples, n))
        raw = g.betweenness(directed=False, sources=sources)  # to every node
        scale = n / len(sources)
    else:
        raw = g.betweenness(directed=False)
        scale = 1.0
    norm = 2.0 / ((n - 1) * (n - 2))
    return {node: value * scale * norm for node, value in zip(nodes, raw, strict=True)}
