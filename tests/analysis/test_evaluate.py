"""The link-prediction evaluation of the partner suggestions: its metrics, worked out by hand on
a toy network; the hiding, seeded and reproducible; the script, end to end."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from crossinnov.analysis import evaluate as ev
from crossinnov.analysis.network import Network, Organisation, build_network
from crossinnov.config import Settings
from crossinnov.generate import Generator, Plan
from crossinnov.stores import open_store

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "evaluate_suggestions.py"
NEIGHBOURHOOD = ("common neighbours", "Jaccard", "Adamic-Adar", "resource allocation")


def toy_split() -> ev.Split:
    """A is tied to B and C; B to P1 and N01..N09; C to P1. Hidden: A-P1 and A-P2.

    A and P1 lost a tie and are evaluated; N10, N11 and P2 have no tie at all.
    """
    names = ["A", "B", "C", "P1", "P2", *(f"N{i:02d}" for i in range(1, 12))]
    graph = nx.Graph()
    graph.add_nodes_from(names)
    edges = [("A", "B"), ("A", "C"), ("B", "P1"), ("C", "P1"),
             *(("B", f"N{i:02d}") for i in range(1, 10))]
    for a, b in edges:
        graph.add_edge(a, b, weight=1.0, kinds={"collaboration": 1.0})
    net = Network(graph, {n: Organisation(n, n.lower(), n) for n in names}, {}, {})
    return ev.Split(net, positives={"A": {"P1", "P2"}, "P1": {"A"}}, seeks={}, membership={},
                    hidden_ties=2)


def test_metrics_by_hand_on_a_toy_network():
    # A: candidates are the 13 it is not tied to: P1, P2 (positives), N01..N11 (11 negatives).
    #   Common neighbours: P1 2 (B, C); N01..N09 1 (B); P2, N10, N11 0.
    #   AUC: P1 beats all 11 negatives (11); P2 loses to N01..N09 and ties N10, N11 (2 x 1/2),
    #        so (11 + 1) / (2 x 11) = 6/11.
    #   Top 10: P1 and the nine 1s (no tie crosses the cut): 1 hit, precision 1/10, recall 1/2.
    # P1: candidates A (positive), P2, N01..N11 (12 negatives). A 2 (B, C); N01..N09 1; the rest 0.
    #   AUC 12/12 = 1; top 10: A and the nine 1s: precision 1/10, recall 1/1.
    # Macro averages: AUC (6/11 + 1) / 2 = 17/22, precision 0.1, recall (1/2 + 1) / 2 = 0.75.
    # Jaccard, Adamic-Adar and resource allocation order the candidates the same way here.
    split = toy_split()
    methods = ev.methods(Settings())
    results = {r.method: r for r in ev.summarise(ev.evaluate(
        split, {m: methods[m] for m in NEIGHBOURHOOD}, seed=3))}
    for name in NEIGHBOURHOOD:
        r = results[name]
        assert r.organisations == 2
        assert r.auc == pytest.approx(17 / 22)
        assert r.precision == pytest.approx(0.1)
        assert r.recall == pytest.approx(0.75)


def test_the_baselines_are_networkx_indexes():
    split = toy_split()
    graph = split.visible.graph
    candidates = ["P1", "P2", "N01", "N10"]
    methods = ev.methods(Settings())
    expected = {"Jaccard": nx.jaccard_coefficient, "Adamic-Adar": nx.adamic_adar_index,
                "resource allocation": nx.resource_allocation_index,
                "preferential attachment": nx.preferential_attachment}
    for name, index in expected.items():
        want = [p for _, _, p in index(graph, [("A", y) for y in candidates])]
        assert methods[name](split, "A", candidates, 1) == pytest.approx(want), name
    assert list(methods["common neighbours"](split, "A", candidates, 1)) == [2, 0, 1, 0]


def test_rank_metrics_ties():
    # ten equal scores, one positive: AUC is 1/2 whatever the order; the tie-break decides the
    # top 3: the positive's key is the smallest in the first, the largest in the second
    scores, positive = np.zeros(10), np.arange(10) == 9
    first = ev.rank_metrics(scores, positive, np.r_[np.ones(9), 0.0], k=3)
    last = ev.rank_metrics(scores, positive, np.r_[np.zeros(9), 1.0], k=3)
    assert first == ev.Scores(0.5, 1 / 3, 1.0)
    assert last == ev.Scores(0.5, 0.0, 0.0)
    with pytest.raises(ValueError):
        ev.rank_metrics(np.zeros(3), np.ones(3, dtype=bool), np.zeros(3))


def test_equal_scores_are_ordered_at_random_not_by_id():
    """The hidden partner is always last in id order; a method that scores everyone alike
    still finds it in its top 10 about 10 times in 29, and the same times for the same seed."""
    names = [f"o{i:02d}" for i in range(30)]
    graph = nx.Graph()
    graph.add_nodes_from(names)
    net = Network(graph, {n: Organisation(n, n, n) for n in names}, {}, {})
    split = ev.Split(net, {n: {"o29"} for n in names[:20]}, {}, {}, 20)

    def alike(split, org, candidates, seed):
        return np.zeros(len(candidates))

    runs = [ev.summarise(ev.evaluate(split, {"alike": alike}, seed=s))[0] for s in (1, 1, 2)]
    assert runs[0] == runs[1]
    assert all(r.auc == 0.5 for r in runs)
    assert 0 < runs[0].recall < 1  # id order would give 0


@pytest.fixture(scope="module")
def generated():
    """A generated graph of 200 organisations in an in-memory store, and its network."""
    settings = Settings(store=":memory:")
    with open_store(settings) as store:
        store.add_quads(Generator(Plan(200, 7), store.iris).quads(), bulk=True)
        yield store, settings, build_network(store, settings)


def _edges(net: Network) -> set[tuple[str, str]]:
    return {ev.pair(a, b) for a, b in net.graph.edges()}


def test_hiding_is_seeded_and_takes_away_only_the_hidden_ties(generated):
    store, settings, full = generated
    ties = ev.working_ties(full)
    one, again, other = (ev.random_split(store, settings, full, seed=s) for s in (5, 5, 6))
    assert one.positives == again.positives and _edges(one.visible) == _edges(again.visible)
    assert one.positives != other.positives
    assert one.hidden_ties == round(0.1 * len(ties))
    lost = {ev.pair(a, b) for a, bs in one.positives.items() for b in bs}
    assert len(lost) >= one.hidden_ties
    assert lost <= set(ties) and not lost & _edges(one.visible)
    # context stays: every co-attendance of an event between two others is still there
    for a, b, data in full.graph.edges(data=True):
        if set(data["kinds"]) == {"event"} and not {a, b} & set(one.positives):
            assert one.visible.graph.has_edge(a, b)
    # a hidden operator-partner tie takes the partner out of that practice
    hidden_practice = [(a, b) for a, b in lost if "practice" in full.graph[a][b]["kinds"]]
    assert hidden_practice
    for a, b in hidden_practice:
        for iri in full.organisations[a].practices & full.organisations[b].practices:
            members = one.visible.practices[iri].members if iri in one.visible.practices else ()
            assert not {a, b} <= set(members)


def test_cold_start_keeps_only_what_the_organisation_says_of_itself(generated):
    store, settings, full = generated
    split = ev.cold_start_split(store, settings, full, seed=4)
    assert split.cold == ev.cold_start_split(store, settings, full, seed=4).cold
    assert len(split.cold) == 10  # 5 % of 200
    assert set(split.positives) <= set(split.cold) and split.positives
    seeks = ev.all_seeks(store)
    for org in split.cold:
        before, after = full.organisations[org], split.visible.organisations[org]
        assert split.visible.graph.degree(org) == 0 and not after.events
        assert (after.city, after.sectors, after.tops) == (before.city, before.sectors,
                                                          before.tops)
        assert split.seeks.get(org) == seeks.get(org)
        if org in split.positives:
            assert split.positives[org] == {y for y in full.graph[org] if ev.works(full, org, y)}


def test_the_product_is_ranked_with_its_own_scores(generated):
    store, settings, full = generated
    from crossinnov.analysis.partners import suggest

    split = ev.random_split(store, settings, full, seed=2)
    org = sorted(split.positives)[0]
    candidates = [y for y in sorted(full.organisations)
                  if y != org and not split.visible.graph.has_edge(org, y)]
    scores = ev.product(settings)(split, org, candidates, 1)
    top = suggest(split.visible, org, seeks=split.seeks.get(org, set()), settings=settings,
                  membership=split.membership, limit=5)
    by_iri = dict(zip(candidates, scores, strict=True))
    assert [s.score for s in top] == pytest.approx([by_iri[s.iri] for s in top])
    assert top[0].score == pytest.approx(max(scores))


def test_the_script_prints_a_table():
    spec = importlib.util.spec_from_file_location("evaluate_suggestions", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert script.main(["--sizes", "200", "--shipped-repeats", "2", "--no-progress"]) == 0
    text = out.getvalue()
    assert "| dataset | split | method |" in text and "Machine:" in text and "Seed 1" in text
    rows = [line for line in text.splitlines() if line.startswith("| generated 200")]
    assert len(rows) == 2 * 7  # two splits, seven methods
    for name in ("**product**", *NEIGHBOURHOOD, "preferential attachment", "random"):
        assert sum(f"| {name} |" in line for line in rows) == 2
    assert any(line.startswith("| shipped data") for line in text.splitlines())
