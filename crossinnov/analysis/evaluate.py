"""How good are the partner suggestions? Hide known collaborations, see who finds them again.

A link-prediction evaluation (Lü & Zhou 2011, "Link prediction in complex
networks: a survey"): part of the known ties is hidden, every method ranks the
candidate partners of each organisation that lost one on what is left (the
*visible* network), and the ranking is scored against the hidden ties.

**What a collaboration tie is.** A pair of organisations the network joins with a
kind that means working together (:data:`.kinds.WORKING`, the kinds brokerage
counts): a stated ``ci:collaboratesWith`` (mutual or one-sided) or the operator and
a partner of the same good practice. Two partners of the same practice (the
sources do not say they work with each other) and two participants of the same
event are *context*: never hidden on their own, always visible to every method.

**What hiding a tie takes away.** The statements that make it, and the visible
network is then built from the rest by the product's own code
(:func:`.network.build_network`), so it is exactly what the product would see had
they never been made: both directions of a stated collaboration; for an
operator-partner tie, the partner's membership of that practice (left in place,
the practice's other members would give the pair away; its co-partner ties in that
practice go with it); and the pair's own edge, whole, if anything else still joins
the two (an event both attended: that co-attendance is part of the hidden tie, and
a tied pair is no candidate). Everything else stays, events and practices included.

**Cold start.** All ties of a share of organisations are hidden: their stated
collaborations, practice memberships and event participations. Only their
sectors, the sectors they seek partners in, their own sub-themes and their city
remain.

**The product** ranks with its own scoring (:func:`.partners.score_candidates`,
what :func:`.partners.suggest` sorts) on the visible network, with the clusters
``crossinnov analyse`` would find on it (those of the whole network would leak the
hidden ties). The baselines are networkx's link-prediction indexes on the same
visible network (every kind of tie, unweighted), and a seeded random score.

**Scoring.** For an organisation, the candidates are every other organisation it
is not tied to in the visible network; the positives are the candidates it had a
collaboration tie with in the whole network. Per organisation: AUC (the chance
that a positive outscores a negative, ties counting half), precision@k and
recall@k; then the plain mean over organisations (macro average). Equal scores
are ordered by a seeded random permutation, the same for every method, so no
method gains from the order of identifiers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pyoxigraph as ox

from crossinnov.analysis.clusters import detect
from crossinnov.analysis.kinds import WORKING
from crossinnov.analysis.network import Network, build_network
from crossinnov.analysis.partners import score_candidates
from crossinnov.config import Settings
from crossinnov.namespaces import CI
from crossinnov.sparql.queries import QUERIES
from crossinnov.stores import open_store
from crossinnov.stores.base import Store

Pair = tuple[str, str]


def pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def working_ties(net: Network) -> list[Pair]:
    """The collaboration ties of a network (see the module's docstring), sorted."""
    return sorted(pair(a, b) for a, b, data in net.graph.edges(data=True)
                  if set(data.get("kinds", ())) & set(WORKING))


def works(net: Network, a: str, b: str) -> bool:
    """Whether the neighbours a and b have a collaboration tie."""
    return bool(set(net.graph[a][b].get("kinds", ())) & set(WORKING))


@dataclass
class Split:
    """A visible network and, for the organisations evaluated, the partners hidden from it."""

    visible: Network
    positives: dict[str, set[str]]
    seeks: dict[str, set[str]]
    membership: dict[str, str]
    hidden_ties: int
    cold: list[str] = field(default_factory=list)


# --- hiding ---------------------------------------------------------------------------------

@dataclass
class Hiding:
    """The statements to take away: as patterns over quads."""

    collaborations: set[frozenset[str]] = field(default_factory=set)  # pairs, both directions
    memberships: set[Pair] = field(default_factory=set)  # (practice, organisation)
    organisations: set[str] = field(default_factory=set)  # every tie of these (cold start)
    pairs: set[Pair] = field(default_factory=set)  # edges removed whole afterwards

    def drops(self, quad: ox.Quad) -> bool:
        p, s, o = quad.predicate, quad.subject.value, quad.object.value
        if p == CI.collaboratesWith:
            return (frozenset((s, o)) in self.collaborations
                    or s in self.organisations or o in self.organisations)
        if p in (CI.hasPartner, CI.operatedBy):
            return (s, o) in self.memberships or o in self.organisations
        if p == CI.participatedIn:
            return s in self.organisations
        return False


def hide_ties(net: Network, pairs: Iterable[Pair]) -> Hiding:
    """What to take away to hide these collaboration ties (see the module's docstring)."""
    hiding = Hiding()
    for a, b in pairs:
        hiding.pairs.add(pair(a, b))
        hiding.collaborations.add(frozenset((a, b)))
        shared = net.organisations[a].practices & net.organisations[b].practices
        for iri in sorted(shared):
            practice = net.practices[iri]
            if a in practice.operators and b in practice.operators:
                hiding.memberships.add((iri, max(a, b)))  # two operators: drop one of them
            elif a in practice.operators:
                hiding.memberships.add((iri, b))
            elif b in practice.operators:
                hiding.memberships.add((iri, a))
    return hiding


def visible_network(store: Store, settings: Settings, hiding: Hiding) -> Network:
    """Build the network the product would build had the hidden statements never been made."""
    with open_store(settings.replace(store=":memory:")) as copy:
        copy.add_quads((q for q in store.quads() if not hiding.drops(q)), bulk=True)
        net = build_network(copy, settings)
    for a, b in hiding.pairs:
        if net.graph.has_edge(a, b):
            net.graph.remove_edge(a, b)
    return net


def all_seeks(store: Store) -> dict[str, set[str]]:
    """The sectors each organisation seeks partners in (the product's own query, unbound)."""
    out: dict[str, set[str]] = {}
    for r in store.select(QUERIES["partner_seeks"]):
        out.setdefault(r["org"].value, set()).add(r["sector"].value)
    return out


def clusters_of(net: Network, settings: Settings) -> dict[str, str]:
    """Cluster membership as ``crossinnov analyse`` would find it on this network."""
    communities = detect(net.graph, resolution=settings.analysis_resolution,
                         seed=settings.analysis_seed, engine=settings.analysis_engine)
    return {m: f"cluster-{i}" for i, c in enumerate(communities) if len(c) >= 2 for m in c}


def _split(store, settings, full: Network, hiding: Hiding, evaluated: Iterable[str],
           hidden_ties: int, cold: list[str]) -> Split:
    visible = visible_network(store, settings, hiding)
    graph = visible.graph
    positives = {}
    for org in evaluated:
        lost = {y for y in full.graph[org] if works(full, org, y) and not graph.has_edge(org, y)}
        if lost:
            positives[org] = lost
    return Split(visible, positives, all_seeks(store), clusters_of(visible, settings),
                 hidden_ties, cold)


def random_split(store: Store, settings: Settings, full: Network, *, share: float = 0.10,
                 seed: int = 1) -> Split:
    """Hide a seeded random ``share`` of the collaboration ties."""
    ties = working_ties(full)
    hidden = random.Random(seed).sample(ties, round(share * len(ties)))
    orgs = sorted({o for p in hidden for o in p})
    return _split(store, settings, full, hide_ties(full, hidden), orgs, len(hidden), [])


def cold_start_split(store: Store, settings: Settings, full: Network, *, share: float = 0.05,
                     seed: int = 1) -> Split:
    """Hide every tie of a seeded random ``share`` of the organisations."""
    orgs = sorted(full.organisations)
    cold = sorted(random.Random(seed).sample(orgs, max(1, round(share * len(orgs)))))
    hiding = Hiding(organisations=set(cold))
    hiding.pairs = {pair(c, y) for c in cold for y in full.graph[c]}
    hidden = {pair(c, y) for c in cold for y in full.graph[c] if works(full, c, y)}
    return _split(store, settings, full, hiding, cold, len(hidden), cold)


# --- the methods ------------------------------------------------------------------------------

#: a method: (split, organisation, candidates, seed) -> one score per candidate
Method = Callable[[Split, str, list[str], int], np.ndarray]


def product(settings: Settings) -> Method:
    """The product's partner ranking (:func:`.partners.score_candidates`), as configured."""
    def score(split: Split, org: str, candidates: list[str], seed: int) -> np.ndarray:
        scored = score_candidates(split.visible, org, seeks=split.seeks.get(org, set()),
                                  settings=settings, membership=split.membership)
        return np.array([scored[y][0] if y in scored else 0.0 for y in candidates])
    return score


def _two_hop(graph: nx.Graph, org: str) -> set[str]:
    return {y for z in graph[org] for y in graph[z]} - {org}


def _neighbourhood(index: Callable) -> Method:
    """A networkx link-prediction index, asked only about the candidates that share a
    neighbour with the organisation: for every other one it is 0 (no common neighbour)."""
    def score(split: Split, org: str, candidates: list[str], seed: int) -> np.ndarray:
        graph = split.visible.graph
        near = _two_hop(graph, org)
        values = {v: p for _, v, p in index(graph, [(org, y) for y in candidates if y in near])}
        return np.array([values.get(y, 0.0) for y in candidates], dtype=float)
    return score


def _common_neighbours(graph: nx.Graph, ebunch) -> Iterator[tuple[str, str, int]]:
    for u, v in ebunch:
        yield u, v, len(list(nx.common_neighbors(graph, u, v)))


def _preferential_attachment(split: Split, org: str, candidates: list[str],
                             seed: int) -> np.ndarray:
    """networkx's preferential attachment, asked once per distinct candidate degree (its
    value, degree(org) x degree(candidate), depends on nothing else)."""
    graph = split.visible.graph
    degrees = [graph.degree(y) for y in candidates]
    ask = {d: y for y, d in zip(candidates, degrees, strict=True)}
    value = {graph.degree(y): p for _, y, p in nx.preferential_attachment(
        graph, [(org, y) for y in ask.values()])}
    return np.array([value[d] for d in degrees], dtype=float)


def _random(split: Split, org: str, candidates: list[str], seed: int) -> np.ndarray:
    return _rng(seed, org, "random").random(len(candidates))


def methods(settings: Settings) -> dict[str, Method]:
    """Every method evaluated, by the name the table shows."""
    return {
        "product": product(settings),
        "common neighbours": _neighbourhood(_common_neighbours),
        "Jaccard": _neighbourhood(nx.jaccard_coefficient),
        "Adamic-Adar": _neighbourhood(nx.adamic_adar_index),
        "resource allocation": _neighbourhood(nx.resource_allocation_index),
        "preferential attachment": _preferential_attachment,
        "random": _random,
    }


# --- the metrics ------------------------------------------------------------------------------

def _rng(seed: int, org: str, purpose: str) -> np.random.Generator:
    """A generator seeded by the run's seed, the organisation and the purpose (stable across
    runs and Python processes, unlike ``hash``)."""
    return np.random.default_rng([seed, *org.encode(), *purpose.encode()])


@dataclass(frozen=True)
class Scores:
    auc: float
    precision: float
    recall: float


def rank_metrics(scores: np.ndarray, positive: np.ndarray, tiebreak: np.ndarray,
                 k: int = 10) -> Scores:
    """AUC, precision@k and recall@k of one ranking.

    ``scores``: one per candidate, higher first; ``positive``: which candidates are hidden
    partners; ``tiebreak``: a random key per candidate ordering equal scores. AUC counts a
    positive and a negative with equal scores as half right (the mean over every tie-break),
    so it does not depend on ``tiebreak``; the top k does.
    """
    scores = np.round(np.asarray(scores, dtype=float), 12)  # equal up to float noise: equal
    positive = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("a ranking needs at least one positive and one negative")
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    below = np.concatenate(([0], np.cumsum(counts)[:-1]))
    midrank = below[inverse] + (counts[inverse] + 1) / 2  # 1-based, ties share their mean
    auc = (midrank[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    order = np.lexsort((tiebreak, -scores))
    hits = int(positive[order[:k]].sum())
    return Scores(float(auc), hits / k, hits / n_pos)


def evaluate(split: Split, chosen: dict[str, Method], *, seed: int = 1, k: int = 10,
             progress: Callable[[Iterable], Iterable] = lambda it: it
             ) -> dict[str, list[Scores]]:
    """Score every method on a split: method -> one :class:`Scores` per organisation."""
    graph = split.visible.graph
    everyone = sorted(split.visible.organisations)
    per: dict[str, list[Scores]] = {name: [] for name in chosen}
    for org in progress(sorted(split.positives)):
        candidates = [y for y in everyone if y != org and y not in graph[org]]
        positive = np.array([y in split.positives[org] for y in candidates])
        if positive.all():
            continue
        tiebreak = _rng(seed, org, "tiebreak").random(len(candidates))
        for name, method in chosen.items():
            per[name].append(rank_metrics(method(split, org, candidates, seed), positive,
                                          tiebreak, k))
    return per


@dataclass
class Result:
    """One method's macro averages over the organisations evaluated."""

    method: str
    organisations: int
    auc: float
    precision: float
    recall: float


def summarise(per: dict[str, list[Scores]]) -> list[Result]:
    """The macro average of each method (the plain mean over organisations)."""
    return [Result(name, len(s), *(_mean([getattr(x, m) for x in s])
                                   for m in ("auc", "precision", "recall")))
            for name, s in per.items()]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan
