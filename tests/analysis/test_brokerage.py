"""Brokerage (crossinnov.analysis.brokerage) on networks whose answers are known: Gould-Fernandez
roles worked out by hand and by enumeration, betweenness, cross-sector and cross-city
bridging, Burt's constraint and effective size against networkx.
"""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from crossinnov.analysis.brokerage import gould_fernandez, measure
from crossinnov.analysis.network import Network, Organisation


def hand_network() -> Network:
    """A hand-made network whose brokerage answers are worked out below.

          A(creative, berlin)   C(creative, rome)
                    \\          /
                     B(growth, berlin) --- D(growth, rome)
                    /          \\
          E(both, rome)        F(growth, berlin) --- D
    """
    sides = {"A": {"creative-industries"}, "B": {"other-growth-sectors"},
             "C": {"creative-industries"}, "D": {"other-growth-sectors"},
             "E": {"creative-industries", "other-growth-sectors"}, "F": {"other-growth-sectors"}}
    cities = {"A": "berlin", "B": "berlin", "C": "rome", "D": "rome", "E": "rome", "F": "berlin"}
    graph = nx.Graph()
    graph.add_nodes_from("ABCDEF")
    for a, b in [("A", "B"), ("B", "C"), ("B", "D"), ("B", "E"), ("B", "F"), ("D", "F")]:
        graph.add_edge(a, b, weight=1.0, kinds={"collaboration": 1.0})
    orgs = {n: Organisation(n, n.lower(), n, cities[n], set(), sides[n]) for n in graph}
    return Network(graph, orgs, {}, {})


def test_gould_fernandez_roles_by_sector():
    net = hand_network()
    roles = gould_fernandez(net.graph, lambda n: net.organisations[n].side)
    # B (growth) brokers the unconnected pairs among A, C, D, E, F (D-F are tied):
    # A-C creative/creative -> itinerant x2; A-D, C-D, A-F, C-F: one side is growth like B
    # -> representative + gatekeeper each (4 pairs); A-E, C-E: creative/both -> liaison x2 each;
    # D-E, E-F: growth/both, B shares D's/F's group -> representative + gatekeeper (2 pairs)
    assert roles["B"] == {"coordinator": 0, "itinerant": 2, "gatekeeper": 6,
                          "representative": 6, "liaison": 4}
    # D brokers B-F? they are tied; so D brokers nothing; A has one partner
    assert roles["D"] == dict.fromkeys(roles["D"], 0)
    assert roles["A"] == dict.fromkeys(roles["A"], 0)


def test_gould_fernandez_roles_by_city():
    net = hand_network()
    roles = gould_fernandez(net.graph, lambda n: net.organisations[n].city)
    # B in berlin. Pairs not tied: A-C(b,r) A-D(b,r) A-E(b,r) C-E(r,r) C-F(r,b) A-F(b,b)
    # C-D(r,r) D-E(r,r) E-F(r,b)
    # berlin-berlin with B berlin: A-F -> coordinator x2
    # rome-rome: C-E, C-D, D-E -> itinerant x2 each = 6
    # berlin-rome: A-C, A-D, A-E, C-F, E-F -> representative+gatekeeper each = 5
    assert roles["B"] == {"coordinator": 2, "itinerant": 6, "gatekeeper": 5,
                          "representative": 5, "liaison": 0}


def test_betweenness_and_cross_brokerage():
    net = hand_network()
    brokers = measure(net, exact_limit=100, samples=10, seed=1)
    assert max(brokers, key=lambda n: brokers[n].betweenness) == "B"
    assert brokers["A"].betweenness == 0.0
    # cross-sector pairs bridged by B, strictly: one creative only, the other growth only,
    # among untied partner pairs: A-D A-F C-D C-F (E, in both sides, never crosses) = 4
    assert brokers["B"].cross_sector == 4
    assert brokers["B"].cross_sector_with_events == 4  # no event ties here
    # cross-city: A-C A-D A-E C-F E-F = 5
    assert brokers["B"].cross_city == 5
    assert brokers["B"].constraint is not None and brokers["B"].constraint < \
        brokers["D"].constraint


def test_structural_holes_match_networkx():
    """Our one-pass constraint and effective size equal networkx's (which is far slower)."""
    from crossinnov.analysis.brokerage import structural_holes

    rng = random.Random(1)
    graph = nx.relabel_nodes(nx.gnm_random_graph(60, 200, seed=3), str)
    for a, b in graph.edges():
        graph[a][b]["weight"] = rng.choice([0.25, 0.5, 1.0, 1.5])
    graph.add_node("isolated")
    constraint, effective = structural_holes(graph)
    expected_c = nx.constraint(graph, weight="weight")
    expected_e = nx.effective_size(graph, weight="weight")
    assert "isolated" not in constraint and math.isnan(expected_c["isolated"])
    for node in constraint:
        assert constraint[node] == pytest.approx(expected_c[node])
        assert effective[node] == pytest.approx(expected_e[node])


def brute_force_roles(graph, group):
    """Gould-Fernandez roles by enumerating every brokered pair (the definition, slowly)."""
    out = {}
    for b in graph:
        role = dict.fromkeys(["coordinator", "itinerant", "gatekeeper", "representative",
                              "liaison"], 0)
        partners = sorted(graph[b])
        for i, a in enumerate(partners):
            for c in partners[i + 1:]:
                if graph.has_edge(a, c) or None in (group[a], group[b], group[c]):
                    continue
                ga, gb, gc = group[a], group[b], group[c]
                if ga == gc:
                    role["coordinator" if ga == gb else "itinerant"] += 2
                elif gb in (ga, gc):
                    role["representative"] += 1
                    role["gatekeeper"] += 1
                else:
                    role["liaison"] += 2
        out[b] = role
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counted_roles_equal_the_enumerated_ones(seed):
    from crossinnov.analysis.brokerage import triads

    rng = random.Random(seed)
    graph = nx.relabel_nodes(nx.gnm_random_graph(80, 300, seed=seed), str)
    group = {n: rng.choice(["creative", "growth", "both", None]) for n in graph}
    roles, differ = triads(graph, {"sector": group})
    expected = brute_force_roles(graph, group)
    for node in graph:
        assert roles[node]["sector"] == expected[node], node
        pairs = [(a, c) for a in graph[node] for c in graph[node] if a < c
                 and not graph.has_edge(a, c) and None not in (group[a], group[c])
                 and group[a] != group[c]]
        assert differ[node]["sector"] == len(pairs)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_top_bridges_are_the_exact_counts_of_the_strongest(seed):
    """The bounded search finds every node whose count is at least the limit-th best, with
    the count the full triad count gives."""
    from crossinnov.analysis.brokerage import top_bridges, triads

    rng = random.Random(seed)
    graph = nx.relabel_nodes(nx.gnm_random_graph(120, 500, seed=seed), str)
    group = {n: rng.choice(["berlin", "rome", "tallinn", None]) for n in graph}
    _, differ = triads(graph, {"city": group})
    full = {n: d["city"] for n, d in differ.items() if d["city"] > 0}
    found = top_bridges({n: set(graph[n]) - {n} for n in graph}, group, 10)
    kth = sorted(full.values(), reverse=True)[9]
    assert {n for n, c in full.items() if c >= kth} <= set(found)
    assert all(full[n] == c for n, c in found.items())
