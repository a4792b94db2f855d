"""Partner scoring without the words (score_candidates), and who is a candidate at all."""

from __future__ import annotations

import networkx as nx
import pytest

from crossinnov.analysis.network import Network, Organisation
from crossinnov.analysis.partners import PARTS, score_candidates, suggest
from crossinnov.config import Settings

CREATIVE, GROWTH = {"creative-industries"}, {"other-growth-sectors"}


def network() -> Network:
    """X works with M (both say so), met E at an event, and C says it works with X (X has not
    confirmed). F is a partner of M; S and T have no tie."""
    orgs = {
        "X": Organisation("X", "x", "X", "rome", {"s/design"}, CREATIVE, {"t/brokerage"}),
        "M": Organisation("M", "m", "M", "rome", {"s/ict"}, GROWTH),
        "E": Organisation("E", "e", "E", "linz", {"s/ict"}, GROWTH),
        "C": Organisation("C", "c", "C", "rome", {"s/design"}, CREATIVE),
        "F": Organisation("F", "f", "F", "linz", {"s/ict"}, GROWTH, {"t/brokerage"}),
        "S": Organisation("S", "s", "S", "rome", {"s/design"}, CREATIVE),
        "T": Organisation("T", "t", "T", None, set(), set()),
    }
    graph = nx.Graph()
    graph.add_nodes_from(sorted(orgs))
    for a, b, kind in [("M", "X", "collaboration"), ("E", "X", "event"), ("C", "X", "unconfirmed"),
                       ("F", "M", "collaboration")]:
        graph.add_edge(a, b, weight=1.0, kinds={kind: 1.0})
    return Network(graph, orgs, {}, {}, claims={"C": {"X"}})


def test_candidates_and_parts():
    settings = Settings()
    scored = score_candidates(network(), "X", seeks={"s/ict"}, settings=settings)
    # tied by a collaboration or an event: no candidate; a claim X has not confirmed: one
    assert set(scored) == {"C", "F", "S", "T"}
    weights = [getattr(settings, f"partner_weight_{p}") for p in PARTS]
    for score, *parts in scored.values():
        assert score == pytest.approx(sum(w * p for w, p in zip(weights, parts, strict=True)))
    parts = {y: dict(zip(PARTS, row[1:], strict=True)) for y, row in scored.items()}
    # F: partner of a partner (the only one: proximity 1), other side, sought, same sub-theme,
    # another city; C: its claim gives it proximity 0.5, and it is in Rome too; S: only the
    # same city; T: nothing known, nothing in common
    assert parts["F"] == {"complementary": 1.0, "seeks": 1.0, "themes": 1.0, "proximity": 1.0,
                          "same_city": 0.0}
    assert parts["C"]["proximity"] == 0.5 and parts["C"]["same_city"] == 1.0
    assert scored["S"][0] == pytest.approx(settings.partner_weight_same_city)
    assert scored["T"][0] == 0.0


def test_suggest_is_the_sorted_scores_with_reasons():
    net = network()
    scored = score_candidates(net, "X", seeks={"s/ict"}, settings=Settings())
    out = suggest(net, "X", seeks={"s/ict"}, settings=Settings(), limit=10)
    assert [s.iri for s in out] == ["F", "C", "S"]  # T scores 0: not suggested
    assert [s.score for s in out] == [scored["F"][0], scored["C"][0], scored["S"][0]]
    assert any("states a collaboration with you" in r for r in out[1].reasons)
    # the partner in common is named, with the kind of tie that joins both to it
    assert "1 partner in common: M (through collaborations)" in out[0].reasons
