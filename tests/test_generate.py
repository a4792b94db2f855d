"""The synthetic graph generator: deterministic, shaped as asked, and valid."""

from __future__ import annotations

import io
from collections import Counter

import pyoxigraph as ox

from crossinnov.config import DEFAULT_BASE
from crossinnov.generate import Plan, generate
from crossinnov.ingest.files import quads_to_units
from crossinnov.iris import IRIs
from crossinnov.writes.load import check_units

CI = "https://w3id.org/crossinnov/ontology#"


def make(n: int, seed: int) -> bytes:
    out = io.BytesIO()
    generate(Plan(n, seed), IRIs(DEFAULT_BASE), out)
    return out.getvalue()


def test_same_seed_same_bytes_other_seed_other_graph():
    assert make(150, 7) == make(150, 7)
    assert make(150, 7) != make(150, 8)


def test_shape_of_the_generated_network():
    quads = list(ox.parse(make(1000, 1), format=ox.RdfFormat.N_QUADS))
    orgs = {q.subject for q in quads if q.object.value == CI + "ProfiledOrganisation"}
    assert len(orgs) == 1000
    degree = Counter(q.subject for q in quads if q.predicate.value == CI + "collaboratesWith")
    assert 6.5 <= sum(degree.values()) / len(orgs) <= 9.5
    # symmetric, as crossinnov keeps it
    ties = {(q.subject, q.object) for q in quads if q.predicate.value == CI + "collaboratesWith"}
    assert all((b, a) in ties for a, b in ties)
    sectors = Counter(q.subject for q in quads if q.predicate.value == CI + "inSector")
    assert set(sectors.values()) <= {1, 2, 3}
    assert any(q.predicate.value == CI + "operatedBy" for q in quads)
    assert any(q.predicate.value == CI + "participatedIn" for q in quads)
    names = [q.object.value for q in quads if q.predicate.value == "https://schema.org/name"
             and q.subject in orgs]
    assert all(n.startswith("Generated ") for n in names)  # never mistaken for real data


def test_generated_graph_conforms_to_the_shapes(store, validator):
    units = quads_to_units(list(ox.parse(make(400, 3), format=ox.RdfFormat.N_QUADS)),
                           store.iris, source="generated")
    accepted, rejected = check_units(store, units, validator)
    assert rejected == [], [r.as_text() for r in rejected[:3]]
    assert len(accepted) == len(units)


def test_more_cities_when_large():
    quads = ox.parse(make(30_000, 1), format=ox.RdfFormat.N_QUADS)
    cities = {q.subject.value for q in quads
              if q.predicate.value.endswith("#type") and q.object.value == CI + "City"}
    assert len(cities) > 11
