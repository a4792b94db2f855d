"""Partner suggestions (crossinnov.analysis.partners): who is a candidate at all, the scores
without the words (score_candidates), and the order and reasons on a small known network."""

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


def test_partner_suggestions_order_and_reasons():
    sector = {"design": "https://x/id/sector/design", "ict": "https://x/id/sector/ict",
              "energy": "https://x/id/sector/energy-and-environment"}
    theme = "https://x/id/theme/brokerage"
    orgs = {
        "X": Organisation("X", "x", "X", "tallinn", {sector["design"]}, {"creative-industries"},
                          {theme}),
        "Y1": Organisation("Y1", "y1", "Y1", "vilnius", {sector["ict"]}, {"other-growth-sectors"},
                           {theme}),
        "Y2": Organisation("Y2", "y2", "Y2", "tallinn", {sector["energy"]},
                           {"other-growth-sectors"}),
        "Y3": Organisation("Y3", "y3", "Y3", "rome", {sector["design"]}, {"creative-industries"}),
        "Y4": Organisation("Y4", "y4", "Y4", "rome", {sector["ict"]}, {"other-growth-sectors"}),
        "Y5": Organisation("Y5", "y5", "Y5", "tallinn", {sector["design"]},
                           {"creative-industries"}),
    }
    graph = nx.Graph()
    graph.add_nodes_from(sorted(orgs))
    graph.add_edge("X", "Y4", weight=1.0)  # current collaborator: never suggested
    graph.add_edge("Y4", "Y3", weight=1.0)  # Y3 is a partner of a partner
    net = Network(graph, orgs, {}, {})
    out = suggest(net, "X", seeks={sector["ict"]}, settings=Settings(), limit=10)
    order = [s.iri for s in out]
    # default weights: complementary .05, seeks .15, themes .10, proximity .55, same city .15
    # Y3: proximity 1 (resource allocation through Y4, the top candidate) -> .55
    # Y1: complementary 1, seeks 1, themes 1, another city -> .05+.15+.10 = .30
    # Y2: complementary 1, same city -> .20 ; Y5: same side, same city -> .15
    assert order == ["Y3", "Y1", "Y2", "Y5"]
    assert [s.score for s in out] == pytest.approx([0.55, 0.30, 0.20, 0.15])
    assert "1 partner in common: Y4" in out[0].reasons
    assert any("where you seek partners" in r for r in out[1].reasons)
    assert any("brokerage like you" in r for r in out[1].reasons)
    assert any(r.startswith("also in tallinn") for r in out[3].reasons)
    assert "Y4" not in order and "X" not in order
