"""Every figure with its base: counts of organisations and ties, by kind, for each thing.

A :class:`Tally` counts, for one thing (the whole network, a cluster, a city, a
good practice, an event), its organisations and its ties, each tie once under
its strongest kind (:mod:`.kinds`), and for each share the number it rests on:

- *across sectors* (strict): a tie joins an organisation of the creative
  industries only with one of other growth sectors only; the base is the ties
  whose two organisations both have a known sector side (creative, growth or
  both), so ties of an organisation classed in both sides count in the base and
  never as crossing;
- *across cities*: a tie joins organisations based in different cities; the base
  is the ties whose two organisations both have a known city;
- *bridging*: a creative-only or growth-only organisation with at least one tie to
  the other side; the base is the creative-only and growth-only organisations.

Which ties belong to a thing: a cluster's are those between two of its members;
a city's those with at least one organisation in it; a practice's the pairs of
its operator and partners; an event's the pairs of its participants. Everything
here is one pass over the edges (or over a practice's or event's pairs): no
pair of organisations is looked at that is not tied.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from crossinnov.analysis.kinds import BY_KEY, KINDS, strongest
from crossinnov.analysis.network import Network

_CROSSING = {"creative", "growth"}


def crosses_sides(a: str | None, b: str | None) -> bool:
    """True for a tie between a creative-only and a growth-only organisation."""
    return a != b and a in _CROSSING and b in _CROSSING


#: what one tie adds to a tally: (strongest kind, every kind it has, sector sides known,
#: creative-only <-> growth-only, cities known, different cities)
Fact = tuple[str, tuple[str, ...], bool, bool, bool, bool]


@lru_cache(maxsize=64)
def _strongest_of(present: tuple[str, ...]) -> str:
    """The strongest of some kinds (there are few combinations: each is worked out once)."""
    return strongest(dict.fromkeys(present, 1.0))


def fact(kinds: dict[str, float], side_a, side_b, city_a, city_b) -> Fact:
    """What one tie counts for, worked out once for every tally it belongs to (an edge's
    kinds all weigh more than 0: see :func:`crossinnov.analysis.network.build_network`)."""
    present = tuple(kinds)
    kind = _strongest_of(present)
    sides_known = side_a is not None and side_b is not None
    cities_known = city_a is not None and city_b is not None
    return (kind, present, sides_known,
            sides_known and {side_a, side_b} == _CROSSING, cities_known,
            cities_known and city_a != city_b)


@dataclass
class KindCount:
    """The ties of one kind (or of every kind) and the bases of their shares."""

    ties: int = 0
    cross_sector: int = 0
    sector_known: int = 0
    cross_city: int = 0
    city_known: int = 0

    def bump(self, f: Fact, n: int = 1) -> None:
        """Count ``n`` ties of one fact."""
        self.ties += n
        self.sector_known += f[2] * n
        self.cross_sector += f[3] * n
        self.city_known += f[4] * n
        self.cross_city += f[5] * n

    def as_dict(self) -> dict[str, int]:
        return {"ties": self.ties, "cross_sector": self.cross_sector,
                "sector_known": self.sector_known, "cross_city": self.cross_city,
                "city_known": self.city_known}


@dataclass
class Tally:
    """Counts about one thing, with the bases of its shares."""

    organisations: int = 0
    tied: int = 0
    sides: Counter = field(default_factory=Counter)  # creative, growth, both, None
    bridging: int = 0
    all: KindCount = field(default_factory=KindCount)
    #: kind key -> ties whose strongest kind it is
    by_kind: dict[str, KindCount] = field(
        default_factory=lambda: {k.key: KindCount() for k in KINDS})
    #: kind key -> ties that have this kind at all
    with_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BY_KEY, 0))
    #: only for cities and clusters: whether it has the minimum organisations and ties
    enough: bool | None = None

    @property
    def side_known(self) -> int:
        return self.sides["creative"] + self.sides["growth"]

    def add(self, f: Fact, n: int = 1) -> None:
        """Count ``n`` ties of one fact."""
        self.all.bump(f, n)
        self.by_kind[f[0]].bump(f, n)
        for k in f[1]:
            self.with_kind[k] += n

    def add_organisations(self, net: Network, members, tied: set[str]) -> None:
        sides = net.sides
        for m in members:
            self.organisations += 1
            self.sides[sides[m]] += 1
            if m in tied:
                self.tied += 1

    def check(self, min_organisations: int, min_ties: int) -> bool:
        self.enough = self.organisations >= min_organisations and self.all.ties >= min_ties
        return self.enough


def count_ties(net: Network, membership: dict[str, str]
            ) -> tuple[Tally, dict[str, Tally], dict[str, Tally]]:
    """The tallies of the whole network, of each cluster and of each city, in one pass over
    the ties: a cluster counts the ties between two of its members, a city those with at
    least one organisation in it.

    :param membership: organisation -> its cluster
    """
    sides, cities = net.sides, net.cities
    network = Tally()
    by_cluster: dict[str, Tally] = {}
    by_city: dict[str, Tally] = {}
    tied: set[str] = set()
    bridging: set[str] = set()
    # the ties are counted by what they count for (the counts do not depend on the order):
    # few distinct facts, clusters and cities, so one dict update per tie and one fact per key
    keys: dict[tuple, int] = {}
    for a, near in net.graph._adj.items():
        sa, ca, cluster = sides[a], cities[a], membership.get(a)
        if near:
            tied.add(a)
        for b, d in near.items():
            if b < a:  # each tie once: at the first of its nodes in the order of the strings
                continue
            sb, cb = sides[b], cities[b]
            if sa != sb and sa in _CROSSING and sb in _CROSSING:
                bridging.add(a)
                bridging.add(b)
            key = (tuple(d["kinds"]), sa, sb, ca, cb,
                   cluster if cluster is not None and cluster == membership.get(b) else None)
            keys[key] = keys.get(key, 0) + 1
    for (present, sa, sb, ca, cb, cluster), n in keys.items():
        f = fact(dict.fromkeys(present), sa, sb, ca, cb)
        network.add(f, n)
        if cluster is not None:
            _get(by_cluster, cluster).add(f, n)
        if ca is not None:
            _get(by_city, ca).add(f, n)
        if cb is not None and cb != ca:
            _get(by_city, cb).add(f, n)
    network.add_organisations(net, net.organisations, tied)
    network.bridging = len(bridging)
    for groups, out in ((membership, by_cluster), (cities, by_city)):
        members: dict[str, list[str]] = {}
        for node, group in groups.items():
            if group is not None:
                members.setdefault(group, []).append(node)
        for group, nodes in members.items():
            t = _get(out, group)
            t.add_organisations(net, nodes, tied)
            t.bridging = sum(1 for n in nodes if n in bridging)
    return network, by_cluster, by_city


def _get(tallies: dict[str, Tally], key: str) -> Tally:
    t = tallies.get(key)
    if t is None:
        t = tallies[key] = Tally()
    return t


def pairs_tally(net: Network, members: set[str]) -> Tally:
    """The tally of the pairs among some organisations (a practice's or an event's)."""
    sides, cities, adjacency = net.sides, net.cities, net.graph._adj
    t = Tally()
    inside = sorted(m for m in members if m in net.organisations)
    tied: set[str] = set()
    for a, b in combinations(inside, 2):
        data = adjacency.get(a, {}).get(b)
        if data is None:  # a kind weighted 0 in the settings
            continue
        t.add(fact(data["kinds"], sides[a], sides[b], cities[a], cities[b]))
        tied.update((a, b))
    t.add_organisations(net, inside, tied)
    return t


def share(part: int, base: int) -> float | None:
    return part / base if base else None


def city_score(t: Tally) -> float | None:
    """A city's cross-innovation score: the mean of its three shares, as a percentage."""
    parts = [s for s in (share(t.all.cross_sector, t.all.sector_known),
                         share(t.all.cross_city, t.all.city_known),
                         share(t.bridging, t.side_known)) if s is not None]
    return round(100 * sum(parts) / len(parts), 1) if parts else None


SCORE_EXPLANATION = (
    "A city's cross-innovation score is the mean, as a percentage, of three shares over the "
    "ties of its organisations: the ties that join an organisation of the creative industries "
    "only with one of other growth sectors only (out of the ties whose two organisations have a "
    "known sector side), the ties that reach an organisation in another city (out of the ties "
    "whose two cities are known), and the creative-only or growth-only organisations with a tie "
    "to the other side (out of those organisations). Ties of every kind count, events included. "
    "A city with fewer organisations or ties than the minimum has no score and no rank.")
