"""Partner suggestions: whom an organisation should talk to, with the reasons in words.

For an organisation X, every other organisation Y that is not already a
collaborator is scored (0 to 1) as the weighted sum of five parts, each 0 to 1
(the weights are settings, ``partner_weight_*``):

- complementary sectors: 1 when X and Y are on opposite sides of the
  creative/growth divide, 0.5 when one of them works on both sides, 0 otherwise;
- what X seeks: the share of the sectors X ``ci:seeksPartnersIn`` that Y works in;
- shared sub-themes: the Jaccard similarity of their sub-themes;
- network proximity: Y's Adamic-Adar index with X, divided by the highest among
  the candidates, plus 0.5 when they are in the same cluster, plus 0.5 when Y
  states a collaboration with X that X has not confirmed (capped at 1);
- another city: 1 when both cities are known and differ (the project is about
  working across cities).

Organisations X is already tied to are not suggested, except one whose only tie
is a collaboration it states and X has not confirmed: that one is, and its
reasons say so (X can confirm or decline it in its profile). Organisations with
nothing in common with X (a score of 0) are not suggested.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from crossinnov.analysis.network import Network
from crossinnov.config import Settings
from crossinnov.queries import QUERIES
from crossinnov.store import Store


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


def suggest(net: Network, org: str, *, seeks: set[str], settings: Settings,
            membership: dict[str, str] | None = None, limit: int = 10) -> list[Suggestion]:
    """Rank partners for ``org`` (an organisation IRI in the network)."""
    me = net.organisations[org]
    graph = net.graph
    # who states a collaboration with org that org has not confirmed, and is tied to it by
    # nothing else: still a candidate (org may confirm or decline it)
    neighbours = graph[org] if org in graph else {}
    claiming = {y for y, tie in neighbours.items()
                if org in net.claims.get(y, ()) and set(tie.get("kinds", ())) == {"unconfirmed"}}
    current = (set(graph.neighbors(org)) if org in graph else set()) - claiming
    membership = membership or {}
    candidates = [y for y in sorted(net.organisations) if y != org and y not in current]
    adamic: dict[str, float] = {}
    mine = set(graph[org]) if org in graph else set()
    for y in candidates:
        common = mine & set(graph[y])
        adamic[y] = sum(1 / math.log(graph.degree(z)) for z in common if graph.degree(z) > 1)
    top_adamic = max(adamic.values(), default=0.0) or 1.0
    weights = {"complementary": settings.partner_weight_complementary,
               "seeks": settings.partner_weight_seeks, "themes": settings.partner_weight_themes,
               "proximity": settings.partner_weight_proximity,
               "other_city": settings.partner_weight_other_city}
    out = []
    for y in candidates:
        other = net.organisations[y]
        common = mine & set(graph[y])
        same_cluster = org in membership and membership.get(y) == membership[org]
        themes = me.themes | other.themes
        parts = {
            "complementary": _complementary(me.side, other.side),
            "seeks": len(seeks & other.sectors) / len(seeks) if seeks else 0.0,
            "themes": len(me.themes & other.themes) / len(themes) if themes else 0.0,
            "proximity": min(1.0, adamic[y] / top_adamic + (0.5 if same_cluster else 0.0)
                             + (0.5 if y in claiming else 0.0)),
            "other_city": 1.0 if me.city and other.city and me.city != other.city else 0.0,
        }
        score = sum(weights[k] * v for k, v in parts.items())
        if score <= 0:
            continue
        out.append(Suggestion(y, other.slug, other.name, score, parts,
                              reasons(net, me, other, parts, common, seeks, same_cluster,
                                      claims_you=y in claiming)))
    out.sort(key=lambda s: (-s.score, s.name.lower(), s.iri))
    return out[:limit]


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
        out.append(f"{len(common)} partner{'s' if len(common) != 1 else ''} in common")
    if same_cluster:
        out.append("in the same cluster as you")
    if parts["other_city"]:
        out.append("based in another city")
    return out


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
