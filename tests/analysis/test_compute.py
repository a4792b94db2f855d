"""The fast paths of the computation give what the straightforward ones gave: the measures on
dicts walked in the order networkx would walk them, modularity as networkx works it out, the
tallies counted by kind of tie rather than tie by tie.

They run on a generated network (crossinnov.generate) with one-sided ties and weights that are
not sums of powers of two (so an addition in another order would show).
"""

from __future__ import annotations

import random
from collections import Counter

import networkx as nx
import pytest

from crossinnov.analysis import brokerage, engines, tallies
from crossinnov.analysis.clusters import detect, modularity
from crossinnov.analysis.network import build_network, edges
from crossinnov.config import Settings
from crossinnov.generate import Generator, Plan
from crossinnov.namespaces import CI
from crossinnov.stores import open_store

SETTINGS = Settings(weight_collaboration=0.7, weight_unconfirmed_collaboration=0.3,
                    weight_practice=0.45, weight_practice_copartners=0.15, weight_event=0.1)


@pytest.fixture(scope="module")
def net():
    with open_store(Settings(store=":memory:")) as store:
        quads = list(Generator(Plan(400, 5), store.iris).quads())
        rng = random.Random(5)  # a fifth of the stated links are stated by one side only
        quads = [q for q in quads if q.predicate != CI.collaboratesWith or rng.random() > 0.2]
        store.add_quads(quads, bulk=True)
        network = build_network(store, SETTINGS)
    kinds = Counter(k for _, _, d in network.graph.edges(data=True) for k in d["kinds"])
    assert len(kinds) == 5, kinds
    return network


def test_edges_are_the_graphs_own(net):
    assert list(edges(net.graph)) == list(net.graph.edges(data=True))
    shuffled = nx.Graph()  # any insertion order
    pairs = list(net.graph.edges(data=True))
    random.Random(1).shuffle(pairs)
    shuffled.add_edges_from(pairs)
    assert list(edges(shuffled)) == list(shuffled.edges(data=True))


def test_working_adjacency_is_the_working_graph(net):
    for kinds in (brokerage.WORKING, ("collaboration", "event")):
        graph = brokerage.working_ties(net.graph, kinds)
        adjacency = brokerage.working_adjacency(net.graph, kinds)
        assert list(adjacency) == list(graph)
        assert {n: list(near.items()) for n, near in adjacency.items()} == \
            {n: [(m, d["weight"]) for m, d in graph[n].items()] for n in graph}
        g, nodes = engines._igraph_of(adjacency)
        h, same = engines._to_igraph(graph)
        assert nodes == same and g.get_edgelist() == h.get_edgelist()
        options = dict(exact_limit=100, samples=40, seed=3)
        for engine in ("igraph", "networkx"):
            assert engines.betweenness_of(adjacency, engine=engine, **options) == \
                engines.betweenness(graph, engine=engine, **options)


def test_measures_on_dicts_equal_those_on_the_graph(net):
    graph = brokerage.working_ties(net.graph)
    sides = {n: o.side for n, o in net.organisations.items()}
    assert brokerage.structural_holes(graph) == brokerage._structural_holes(
        {n: {m: w for m, w in near.items() if m != n}
         for n, near in brokerage.working_adjacency(net.graph).items()})
    assert brokerage.triads(graph, {"sector": sides}) == brokerage._triads(
        {n: set(graph[n]) - {n} for n in graph}, {"sector": sides})
    brokers = brokerage.measure(net, exact_limit=100, samples=40, seed=3)
    for node, broker in brokers.items():
        assert broker.weighted_degree == sum(
            d["weight"] for _, _, d in net.graph.edges(node, data=True))


def test_modularity_is_networkx_modularity(net):
    communities = detect(net.graph, resolution=1.0, seed=1)
    for resolution in (1.0, 0.5):
        assert modularity(net.graph, communities, resolution) == pytest.approx(
            nx.community.modularity(net.graph, communities, weight="weight",
                                    resolution=resolution), rel=1e-12)
    wrong = [set(net.graph)]
    assert modularity(net.graph, wrong, 1.0) == pytest.approx(
        nx.community.modularity(net.graph, wrong, weight="weight"), rel=1e-12)


def count_one_by_one(net, membership):
    """The tallies as count_ties counted them before: tie by tie."""
    sides, cities = net.sides, net.cities
    network, by_cluster, by_city = tallies.Tally(), {}, {}
    tied, bridging = set(), set()
    for a, b, d in net.graph.edges(data=True):
        sa, sb, ca, cb = sides[a], sides[b], cities[a], cities[b]
        f = tallies.fact(d["kinds"], sa, sb, ca, cb)
        network.add(f)
        tied.update((a, b))
        if f[3]:
            bridging.update((a, b))
        cluster = membership.get(a)
        if cluster is not None and cluster == membership.get(b):
            by_cluster.setdefault(cluster, tallies.Tally()).add(f)
        if ca is not None:
            by_city.setdefault(ca, tallies.Tally()).add(f)
        if cb is not None and cb != ca:
            by_city.setdefault(cb, tallies.Tally()).add(f)
    network.add_organisations(net, net.organisations, tied)
    network.bridging = len(bridging)
    for groups, out in ((membership, by_cluster), (cities, by_city)):
        members = {}
        for node, group in groups.items():
            if group is not None:
                members.setdefault(group, []).append(node)
        for group, nodes in members.items():
            t = out.setdefault(group, tallies.Tally())
            t.add_organisations(net, nodes, tied)
            t.bridging = sum(1 for n in nodes if n in bridging)
    return network, by_cluster, by_city


def test_ties_counted_by_kind_equal_ties_counted_one_by_one(net):
    communities = detect(net.graph, resolution=1.0, seed=1)
    membership = {m: f"c{i}" for i, c in enumerate(communities) if len(c) > 1 for m in c}
    fast, expected = tallies.count_ties(net, membership), count_one_by_one(net, membership)
    assert fast[0] == expected[0]
    assert fast[1] == expected[1] and fast[2] == expected[2]
    assert fast[0].bridging > 0 and fast[0].all.cross_city > 0


def test_brokerage_measured_in_a_forked_copy_is_the_same(net):
    from crossinnov.analysis import Forked

    options = dict(exact_limit=100, samples=40, seed=3)
    forked = Forked(_measure_with, net, options).result()
    assert forked == brokerage.measure(net, **options)
    assert any(b.betweenness > 0 for b in forked.values())


def _measure_with(net, options):
    return brokerage.measure(net, **options)


def _fail():
    raise ValueError("no such network")


def test_a_failure_in_the_forked_copy_is_raised_here():
    from crossinnov.analysis import Forked

    with pytest.raises(RuntimeError, match="ValueError: no such network"):
        Forked(_fail).result()
    pending = Forked(_measure_with, None, {})  # never asked for: stopped and reaped
    pending.close()
    assert pending.pid is None


def test_the_same_analysis_one_after_the_other_or_side_by_side(net):
    from datetime import UTC, datetime

    from crossinnov.analysis import Inputs, compute

    inputs = Inputs(net, {}, None, datetime(2026, 1, 1, tzinfo=UTC), "https://example.org/")
    side, serial = compute(inputs, SETTINGS, parallel=True), compute(inputs, SETTINGS)
    assert side.brokers == serial.brokers
    assert [vars(c) for c in side.clusters] == [vars(c) for c in serial.clusters]


def test_cluster_shares_counted_equal_the_shares_of_flags(net):
    from crossinnov.analysis.clusters import edge_shares

    def share(flags):
        known = [f for f in flags if f is not None]
        return sum(known) / len(known) if known else None

    sides, cities = net.sides, net.cities
    communities = detect(net.graph, resolution=1.0, seed=1)
    for members in communities[:8] + [set(net.graph)]:
        ties = [(a, b) for a, b in net.graph.edges() if a in members and b in members]
        strict = [{sides[a], sides[b]} == {"creative", "growth"} if sides[a] and sides[b]
                  else None for a, b in ties]
        apart = [None if cities[a] is None or cities[b] is None else cities[a] != cities[b]
                 for a, b in ties]
        assert edge_shares(net, ties) == (share(strict), share(apart))
    assert edge_shares(net, []) == (None, None)
