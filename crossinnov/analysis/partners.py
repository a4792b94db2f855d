"""Partner suggestions: whom an organisation should talk to, with the reasons in words.

For an organisation X, every other organisation Y that is not already a
collaborator is scored (0 to 1) as the weighted sum of five parts, each 0 to 1
(the weights are settings, ``partner_weight_*``; the defaults in brackets):

- network proximity (0.55): Y's resource-allocation index with X (the partners
  they share, each counted as 1 / its number of ties), divided by the highest
  among the candidates, plus 0.5 when they are in the same cluster, plus 0.5 when
  Y states a collaboration with X that X has not confirmed (capped at 1);
- the same city (0.15): 1 when both cities are known and are the same;
- what X seeks (0.15): the share of the sectors X ``ci:seeksPartnersIn`` that Y
  works in;
- shared sub-themes (0.10): the Jaccard similarity of their sub-themes;
- complementary sectors (0.05): 1 when X and Y are on opposite sides of the
  creative/growth divide, 0.5 when one of them works on both sides, 0 otherwise.

The weights follow what the suggestions are measured against
(``benchmarks/evaluate_suggestions.py``, results in ``benchmarks/RESULTS.md``):
hidden collaborations are found by the network first, and ties in the data are
mostly within one city, so "another city" and "the other side of the divide",
which the project wishes for but the data does not show, would push real partners
down (they did: worse than random for a newcomer). Cross-city and cross-sector
partners are what the search's filters are for.

Organisations X is already tied to are not suggested, except one whose only tie
is a collaboration it states and X has not confirmed: that one is, and its
reasons say so (X can confirm or decline it in its profile). Organisations with
nothing in common with X (a score of 0) are not suggested.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crossinnov.analysis.network import Network
from crossinnov.config import Settings
from crossinnov.sparql.queries import QUERIES
from crossinnov.stores.base import Store


@dataclass
class Suggestion:
    iri: str
    slug: str
    name: str
    score: float
    parts: dict[str, float]
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"id": self.slug, "iri": self.iri, "name": self.name,
                "score": round(self.score, 4),
                "parts": {k: round(v, 4) for k, v in self.parts.items()},
                "reasons": self.reasons}


def seeks_of(store: Store, org: str) -> set[str]:
    from pyoxigraph import NamedNode

    return {r["sector"].value for r in store.select(QUERIES["partner_seeks"], org=NamedNode(org))}


def _complementary(a: str | None, b: str | None) -> float:
    if a is None or b is None:
        return 0.0
    if {a, b} == {"creative", "growth"}:
        return 1.0
    if "both" in (a, b) and a != b:
        return 0.5
    return 0.0


#: the parts of a score, in the order :func:`score_candidates` gives them
PARTS = ("complementary", "seeks", "themes", "proximity", "same_city")
_SIDES = ("creative", "growth", "both", None)
_COMPLEMENTARY = {(a, b): _complementary(a, b) for a in _SIDES for b in _SIDES}


def score_candidates(net: Network, org: str, *, seeks: set[str], settings: Settings,
                     membership: dict[str, str] | None = None) -> dict[str, tuple[float, ...]]:
    """Score every candidate partner of ``org``: candidate IRI -> (score, *parts), the parts
    in the order of :data:`PARTS`.

    The candidates are the organisations ``org`` is not tied to (and those whose only tie
    is a collaboration they state and ``org`` has not confirmed); a score of 0 is kept
    here (:func:`suggest` drops it). This is the whole ranking, without the words: the
    evaluation (:mod:`.evaluate`) ranks with it. Plain tuples and local names, because
    it runs over every organisation of the network for each request.
    """
    me = net.organisations[org]
    graph = net.graph
    # who states a collaboration with org that org has not confirmed, and is tied to it by
    # nothing else: still a candidate (org may confirm or decline it)
    neighbours = graph[org] if org in graph else {}
    claiming = {y for y, tie in neighbours.items()
                if org in net.claims.get(y, ()) and set(tie.get("kinds", ())) == {"unconfirmed"}}
    current = set(neighbours) - claiming
    membership = membership or {}
    shared = _resource_allocation(graph, org)
    top_shared = max((v for y, v in shared.items()
                      if y not in current and y in net.organisations), default=0.0) or 1.0
    w_complementary, w_seeks, w_themes = (settings.partner_weight_complementary,
                                          settings.partner_weight_seeks,
                                          settings.partner_weight_themes)
    w_proximity, w_city = settings.partner_weight_proximity, settings.partner_weight_same_city
    mine, my_side, my_city, my_themes = membership.get(org), me.side, me.city, me.themes
    sides, cities = net.sides, net.cities
    out = {}
    for y, other in net.organisations.items():
        if y == org or y in current:
            continue
        complementary = _COMPLEMENTARY[my_side, sides[y]]
        sought = len(seeks & other.sectors) / len(seeks) if seeks else 0.0
        union = my_themes | other.themes
        themes = len(my_themes & other.themes) / len(union) if union else 0.0
        proximity = min(1.0, shared.get(y, 0.0) / top_shared
                        + (0.5 if mine is not None and membership.get(y) == mine else 0.0)
                        + (0.5 if y in claiming else 0.0))
        city = cities[y]
        same_city = 1.0 if my_city and city and my_city == city else 0.0
        score = (w_complementary * complementary + w_seeks * sought + w_themes * themes
                 + w_proximity * proximity + w_city * same_city)
        out[y] = (score, complementary, sought, themes, proximity, same_city)
    return out


def _resource_allocation(graph, org: str) -> dict[str, float]:
    """The resource-allocation index of ``org`` with every organisation two steps away: the
    sum over their shared neighbours of 1 / the neighbour's degree (walking only the
    neighbours' neighbours: the others share no neighbour with it and score 0)."""
    out: dict[str, float] = {}
    if org not in graph:
        return out
    for z in graph[org]:
        share = 1 / graph.degree(z)
        for y in graph[z]:
            if y != org:
                out[y] = out.get(y, 0.0) + share
    return out


def suggest(net: Network, org: str, *, seeks: set[str], settings: Settings,
            membership: dict[str, str] | None = None, limit: int = 10) -> list[Suggestion]:
    """Rank partners for ``org`` (an organisation IRI in the network), with their reasons."""
    me = net.organisations[org]
    graph = net.graph
    membership = membership or {}
    scored = [(row[0], y, dict(zip(PARTS, row[1:], strict=True))) for y, row in score_candidates(
        net, org, seeks=seeks, settings=settings, membership=membership).items() if row[0] > 0]
    scored.sort(key=lambda s: (-s[0], net.organisations[s[1]].name.lower(), s[1]))
    mine = set(graph[org]) if org in graph else set()
    out = []
    for score, y, parts in scored[:limit]:
        other = net.organisations[y]
        same_cluster = org in membership and membership.get(y) == membership[org]
        claims_you = org in net.claims.get(y, ()) and y in mine and set(
            graph[org][y].get("kinds", ())) == {"unconfirmed"}
        out.append(Suggestion(y, other.slug, other.name, score, parts,
                              reasons(net, me, other, parts, mine & set(graph[y]), seeks,
                                      same_cluster, claims_you=claims_you)))
    return out


def reasons(net, me, other, parts, common, seeks, same_cluster, *, claims_you: bool = False
            ) -> list[str]:
    """The suggestion's reasons, in words."""
    out = []
    sectors = (", ".join(sorted(net.label(s) for s in other.sectors)[:3])
               or " & ".join(net.label_of_notation(t) for t in sorted(other.tops))
               or "sector not stated")
    where = f" in {net.label(other.city)}" if other.city else ""
    out.append(f"{sectors}{where}")
    if claims_you:
        out.append("states a collaboration with you (unconfirmed: confirm or decline it in "
                   "your profile)")
    if parts["complementary"] == 1.0:
        out.append("on the other side of the creative/growth divide from you")
    elif parts["complementary"] > 0:
        out.append("bridges the creative industries and other growth sectors")
    matched = seeks & other.sectors
    if matched:
        out.append("works in " + ", ".join(sorted(net.label(s) for s in matched)) +
                   ", where you seek partners")
    shared = me.themes & other.themes
    if shared:
        out.append("works on " + ", ".join(sorted(net.label(t).lower() for t in shared)) +
                   " like you")
    if common:
        out.append(in_common(net, me.iri, other, common))
    if same_cluster:
        out.append("in the same cluster as you")
    if parts["same_city"]:
        out.append(f"also in {net.label(other.city)}, where most of the recorded "
                   "collaborations are")
    return out


#: how a tie through a shared partner is said, by the kind of the two ties
_THROUGH = {"collaboration": "collaborations", "unconfirmed": "collaborations",
            "practice": "good practices", "copartner": "good practices", "event": "events"}


def in_common(net, org: str | None, other, common: set[str]) -> str:
    """"2 partners in common: A and B (through good practices and events)": who they are
    (up to three by name) and which kinds of tie join both organisations to them."""
    names = sorted(net.organisations[c].name for c in common if c in net.organisations)
    shown = names[:3] + ([f"{len(names) - 3} more"] if len(names) > 3 else [])
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    through = set()
    graph = net.graph
    for c in common:
        for a in (org, other.iri):
            if a is not None and graph.has_edge(a, c):
                through |= {_THROUGH.get(k, "ties") for k in graph[a][c].get("kinds", ())}
    how = f" (through {' and '.join(sorted(through))})" if through else ""
    return (f"{len(common)} partner{'s' if len(common) != 1 else ''} in common: "
            f"{listed}{how}")


def suggest_for(store: Store, settings: Settings, slug: str, *, limit: int = 10,
                net: Network | None = None, membership: dict[str, str] | None = None
                ) -> list[Suggestion] | None:
    """Suggest partners for the organisation ``slug``; None if it does not exist."""
    from crossinnov.analysis.network import build_network

    org = store.iris.organisation(slug).value
    net = net or build_network(store, settings)
    if org not in net.organisations:
        return None
    if membership is None:
        membership = {r["member"].value: r["cluster"].value for r in
                      store.select(QUERIES["analysis_previous_clusters"],
                                   analysis=store.iris.analysis_graph)}
    return suggest(net, org, seeks=seeks_of(store, org), settings=settings,
                   membership=membership, limit=limit)
