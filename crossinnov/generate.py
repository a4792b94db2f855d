"""Generate a synthetic Cross Innovation graph, for tests and benchmarks only.

Deterministic for a seed; reuses the real reference data (the 11 cities, the
sector scheme, the four sub-themes, the ontology) and adds generated cities
when the graph is large. Every generated organisation, practice and event is
marked by its name ("Generated ...") and never loaded by default.

Shape of the network: groups of about ``group_size`` organisations, each
mostly (``local``) in one city; about ``degree`` partners per organisation,
about ``across`` of the ties outside the group; a good practice per ~25
organisations (operator and 2-5 partners from its group) and an event per ~50,
held in the city of one group, with participants from it and a few other groups
(of the same city half the time).

Ties follow cities and events the way the shipped (real) data does, measured on
its collaboration ties (the kinds that mean working together: stated
collaborations and good-practice operator-partner ties; see
``crossinnov.analysis.evaluate``) against all pairs of its organisations:

- within one city: 16 of 16 ties whose two cities are known (12 % of all pairs);
  generated: about 89 %, inside that share's 95 % confidence interval (79-100 %),
  kept below 100 % so cross-city analysis has something to measure;
- across the creative/growth divide: of the 4 ties between two organisations each
  on one side only, 2 cross it (47 % of all such pairs do): no tendency to
  reproduce, so sectors are drawn independently of ties, as before;
- via events: 1 of 21 ties joins two participants of the same event (3 % of all
  pairs); co-attendance pairs are within one city half the time (52 %, 12 % of
  all pairs). Generated: a share (``via_events``) of the ties outside a group are
  made with someone met at an event, the rest of those ties mostly stay in the
  city (``same_city``), which gives 5-7 % of ties via events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from crossinnov.iris import IRIs
from crossinnov.namespaces import CI, DCTERMS, RDF, RDFS, SCHEMA, SKOS, XSD

ADJECTIVES = ["Northern", "Blue", "Open", "Urban", "Bright", "Quiet", "Silver", "Green", "Nova",
              "Atlas", "Copper", "Linden", "Harbour", "Amber", "Delta", "Orbit", "Cedar", "Pixel",
              "Granite", "Willow", "Helix", "Lumen", "Vector", "Meadow", "Signal", "Kite"]
NOUNS = ["Loom", "Forge", "Works", "Lab", "Studio", "Foundry", "Collective", "Circuit", "Atelier",
         "Mill", "Yard", "Hub", "Factory", "Bureau", "Garden", "Press", "Motion", "Field", "Wave"]
FORMS = ["Ltd", "GmbH", "SA", "Oy", "AB", "s.r.o.", "sp. z o.o.", "BV", "SRL", "UAB", "OÜ"]
ACTIVITIES = ["prototyping", "branding", "service design", "software", "packaging", "sound",
              "exhibitions", "training", "digital fabrication", "logistics", "product design"]
SPECIAL = ["circular economy", "upcycling"]


@dataclass(frozen=True)
class Plan:
    organisations: int
    seed: int = 1
    group_size: int = 50
    degree: float = 8.0
    across: float = 0.10
    #: share of a group's organisations based in the group's city
    local: float = 0.95
    #: share of the ties outside a group made with someone met at an event
    via_events: float = 0.3
    #: share of the other ties outside a group that stay in the organisation's city
    same_city: float = 0.7


def _reference_units(iris: IRIs):
    from crossinnov.ingest.shipped import REFERENCE_KINDS, build_shipped, ontology_unit

    units, _ = build_shipped(iris)
    keep = []
    for unit in units:
        parsed = iris.resource_of_graph(unit.graph.value)
        # the project names its (real) lead partner, which a synthetic graph does not hold
        if parsed is None or (parsed[0] in REFERENCE_KINDS and parsed[0] != "project"):
            keep.append(unit)
    return [ontology_unit(iris), *keep]


def _literal_year(year: int) -> ox.Literal:
    return ox.Literal(str(year), datatype=XSD.gYear)


class Generator:
    """Makes the quads of a synthetic graph, streaming them."""

    def __init__(self, plan: Plan, iris: IRIs) -> None:
        self.plan, self.iris = plan, iris
        self.rng = random.Random(plan.seed)
        self.reference = _reference_units(iris)
        concepts = [t for u in self.reference for t in u.triples]
        self.cities = sorted({t.subject for t in concepts
                              if t.predicate == RDF.type and t.object == CI.City},
                             key=lambda n: n.value)
        self.sectors = {}
        for t in concepts:
            if t.predicate == SKOS.broader:
                self.sectors.setdefault(t.object.value.rsplit("/", 1)[1], []).append(t.subject)
        for side in self.sectors.values():
            side.sort(key=lambda n: n.value)
        self.themes = sorted({t.subject for t in concepts
                              if t.predicate == RDF.type and t.object == CI.SubTheme},
                             key=lambda n: n.value)

    def quads(self) -> Iterator[ox.Quad]:
        # blank nodes of the ontology get random ids when parsed: number them in order
        names: dict[ox.BlankNode, ox.BlankNode] = {}

        def fixed(term):
            if isinstance(term, ox.BlankNode):
                return names.setdefault(term, ox.BlankNode(f"b{len(names)}"))
            return term

        for unit in self.reference:
            for q in unit.quads():
                yield ox.Quad(fixed(q.subject), q.predicate, fixed(q.object), q.graph_name)
        n = self.plan.organisations
        extra_cities = max(0, n // 2_000 - len(self.cities))
        cities = list(self.cities)
        for i in range(extra_cities):
            slug = f"generated-city-{i + 1:03d}"
            node = self.iris.resource("city", slug)
            graph = self.iris.graph("city", slug)
            for p, o in [(RDF.type, CI.City), (RDF.type, SKOS.Concept),
                         (SKOS.inScheme, self.iris.scheme("cities")),
                         (SKOS.notation, ox.Literal(slug)),
                         (SKOS.prefLabel, ox.Literal(f"Generated city {i + 1}", language="en"))]:
                yield ox.Quad(node, p, o, graph)
            cities.append(node)
        groups = max(1, round(n / self.plan.group_size))
        group_of = [min(groups - 1, i * groups // n) for i in range(n)]
        members: list[list[int]] = [[] for _ in range(groups)]
        for i, g in enumerate(group_of):
            members[g].append(i)
        group_city = [cities[self.rng.randrange(len(cities))] for _ in range(groups)]
        city_of = [group_city[g] if self.rng.random() < self.plan.local else
                   self.cities[self.rng.randrange(len(self.cities))] for g in group_of]
        events = self._events(n, members, group_city)
        attends: dict[int, list[str]] = {}
        for slug, _, _, people in events:
            for p in people:
                attends.setdefault(p, []).append(slug)
        partners = self._ties(n, group_of, members, city_of, events, attends)
        practices = self._practices(n, members)
        for i in range(n):
            yield from self._organisation(i, city_of[i], partners[i], attends.get(i, []))
        for slug, operator, people, theme in practices:
            yield from self._practice(slug, operator, people, theme, group_city, group_of)
        for slug, city, date, people in events:
            yield from self._event(slug, city, date, people)

    def _ties(self, n, group_of, members, city_of, events, attends) -> list[set[int]]:
        rng, plan = self.rng, self.plan
        ties: list[set[int]] = [set() for _ in range(n)]
        in_city: dict[ox.NamedNode, list[int]] = {}
        for i, city in enumerate(city_of):
            in_city.setdefault(city, []).append(i)
        people = {slug: members for slug, _, _, members in events}
        half = plan.degree / 2  # each tie adds to two organisations' degree
        for i in range(n):
            inside = members[group_of[i]]
            mean = half * (1 - plan.across)
            k = rng.randint(int(mean), int(mean) + 2)
            for _ in range(k):
                j = inside[rng.randrange(len(inside))]
                if j != i:
                    ties[i].add(j)
                    ties[j].add(i)
            if rng.random() < half * plan.across:
                j = self._outside(i, city_of, in_city, people, attends.get(i, []))
                if j != i:
                    ties[i].add(j)
                    ties[j].add(i)
        return ties

    def _outside(self, i, city_of, in_city, people, attended) -> int:
        """A partner outside i's group: met at an event, else in i's city, else anyone."""
        rng, plan = self.rng, self.plan
        draw = rng.random()
        if attended and draw < plan.via_events:
            met = people[attended[rng.randrange(len(attended))]]
            return met[rng.randrange(len(met))]
        if rng.random() < plan.same_city:
            near = in_city[city_of[i]]
            return near[rng.randrange(len(near))]
        return rng.randrange(len(city_of))

    def _practices(self, n, members):
        out = []
        for k in range(max(1, n // 25)):
            group = members[self.rng.randrange(len(members))]
            people = self.rng.sample(group, min(len(group), self.rng.randint(3, 6)))
            theme = self.themes[self.rng.randrange(4)] if self.rng.random() < 0.7 else None
            out.append((f"gen-practice-{k + 1:05d}", people[0], people[1:], theme))
        return out

    def _events(self, n, members, group_city):
        rng = self.rng
        by_city: dict[ox.NamedNode, list[int]] = {}
        for g, city in enumerate(group_city):
            by_city.setdefault(city, []).append(g)
        out = []
        for k in range(max(1, n // 50)):
            host = rng.randrange(len(members))
            city = group_city[host]
            groups = [host]
            for _ in range(rng.randint(1, 3)):
                near = by_city[city]
                groups.append(near[rng.randrange(len(near))] if rng.random() < 0.5
                              else rng.randrange(len(members)))
            people: set[int] = set()
            for g in groups:
                people.update(rng.sample(members[g], min(len(members[g]), rng.randint(3, 10))))
            date = f"{rng.randint(2012, 2014)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            out.append((f"gen-event-{k + 1:05d}", city, date, sorted(people)))
        return out

    def _organisation(self, i, city, partners, events) -> Iterator[ox.Quad]:
        rng = self.rng
        slug = f"org-{i:06d}"
        node, graph = self.iris.organisation(slug), self.iris.graph("organisation", slug)
        name = f"Generated {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(FORMS)} {i}"
        main = "creative-industries" if rng.random() < 0.5 else "other-growth-sectors"
        other = "other-growth-sectors" if main == "creative-industries" else "creative-industries"
        sectors = rng.sample(self.sectors[main], rng.randint(1, 2))
        if rng.random() < 0.3:
            sectors.append(self.sectors[other][rng.randrange(len(self.sectors[other]))])
        activity = rng.choice(ACTIVITIES)
        if rng.random() < 0.05:
            activity += " for the " + rng.choice(SPECIAL)
        description = (f"Generated organisation for tests and benchmarks, working on {activity} "
                       f"with partners from other sectors.")
        triples = [(RDF.type, CI.Organisation), (RDF.type, CI.ProfiledOrganisation),
                   (SCHEMA.name, ox.Literal(name)), (RDFS.label, ox.Literal(name)),
                   (CI.basedIn, city), (DCTERMS.description, ox.Literal(description)),
                   (SCHEMA.foundingDate, _literal_year(rng.randint(1950, 2024)))]
        triples += [(CI.inSector, s) for s in sectors]
        triples += [(CI.addressesTheme, t) for t in rng.sample(self.themes, rng.randint(0, 2))]
        if rng.random() < 0.4:
            wanted = self.sectors[other][rng.randrange(len(self.sectors[other]))]
            triples.append((CI.seeksPartnersIn, wanted))
        triples += [(CI.collaboratesWith, self.iris.organisation(f"org-{j:06d}"))
                    for j in sorted(partners)]
        triples += [(CI.participatedIn, self.iris.resource("event", e)) for e in events]
        for p, o in triples:
            yield ox.Quad(node, p, o, graph)

    def _practice(self, slug, operator, people, theme, group_city, group_of):
        node, graph = self.iris.resource("practice", slug), self.iris.graph("practice", slug)
        triples = [(RDF.type, CI.GoodPractice),
                   (SCHEMA.name, ox.Literal(f"Generated practice {slug[-5:]}")),
                   (RDFS.label, ox.Literal(f"Generated practice {slug[-5:]}")),
                   (CI.basedIn, group_city[group_of[operator]]),
                   (CI.operatedBy, self.iris.organisation(f"org-{operator:06d}")),
                   (SCHEMA.startDate, _literal_year(self.rng.randint(2005, 2014))),
                   (DCTERMS.description, ox.Literal("Generated good practice for tests."))]
        triples += [(CI.hasPartner, self.iris.organisation(f"org-{p:06d}")) for p in people]
        if theme is not None:
            triples.append((CI.addressesTheme, theme))
        for p, o in triples:
            yield ox.Quad(node, p, o, graph)

    def _event(self, slug, city, date, people):
        node, graph = self.iris.resource("event", slug), self.iris.graph("event", slug)
        for p, o in [(RDF.type, CI.Event),
                     (SCHEMA.name, ox.Literal(f"Generated event {slug[-5:]}")),
                     (RDFS.label, ox.Literal(f"Generated event {slug[-5:]}")),
                     (CI.heldIn, city), (SCHEMA.startDate, ox.Literal(date, datatype=XSD.date))]:
            yield ox.Quad(node, p, o, graph)


def generate(plan: Plan, iris: IRIs, output: BinaryIO) -> int:
    """Write the synthetic graph as N-Quads; return the number of quads."""
    count = 0

    def counted():
        nonlocal count
        for quad in Generator(plan, iris).quads():
            count += 1
            yield quad

    ox.serialize(counted(), output, ox.RdfFormat.N_QUADS)
    return count


def generate_file(plan: Plan, iris: IRIs, path: Path) -> int:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as fh:
        return generate(plan, iris, fh)
