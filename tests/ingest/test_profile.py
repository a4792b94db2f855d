"""Profile JSON (crossinnov.ingest.profile): a profile becomes a unit of RDF and back, and
every problem names its field.

Files of profiles and of RDF are in ``test_files.py``.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from crossinnov.ingest.profile import ProfileError, profile_to_unit, unit_to_profile
from crossinnov.iris import IRIs, slugify
from crossinnov.namespaces import CI, FOAF, SCHEMA, XSD

IRIS = IRIs("https://w3id.org/crossinnov/")
FULL = {
    "id": "pakmarkas-demo",
    "name": "JSC Pakmarkas",
    "city": "vilnius",
    "sectors": ["packaging", "design"],
    "themes": ["culture-based-innovation"],
    "description": "Packaging maker working with designers.\nSecond line.",
    "homepage": "https://example.org/",
    "email": "info@example.org",
    "founded": 1993,
    "collaboratesWith": ["beepart"],
    "seeksPartnersIn": ["ict"],
    "events": ["innovation-interface-berlin-2014"],
}


def test_profile_json_round_trips_through_rdf():
    unit = profile_to_unit(FULL, IRIS)
    assert unit.problems == []
    node = IRIS.organisation("pakmarkas-demo")
    assert unit.graph == IRIS.graph("organisation", "pakmarkas-demo")
    founded = ox.Literal("1993", datatype=XSD.gYear)
    assert ox.Triple(node, SCHEMA.foundingDate, founded) in unit.triples
    assert ox.Triple(node, FOAF.homepage, ox.NamedNode("https://example.org/")) in unit.triples
    assert ox.Triple(node, CI.seeksPartnersIn, IRIS.resource("sector", "ict")) in unit.triples
    back = unit_to_profile(unit.triples, node, IRIS)
    assert back == {**FULL, "sectors": sorted(FULL["sectors"])}


def test_ids_and_iris_are_both_accepted():
    data = {**FULL, "city": "https://w3id.org/crossinnov/id/city/vilnius",
            "sectors": ["https://w3id.org/crossinnov/id/sector/design"]}
    unit = profile_to_unit(data, IRIS)
    assert unit.problems == []
    assert ox.Triple(IRIS.organisation("pakmarkas-demo"), CI.basedIn,
                     IRIS.resource("city", "vilnius")) in unit.triples


def test_id_defaults_to_the_slug_of_the_name():
    unit = profile_to_unit({"name": "Plzeň Design Studio", "city": "plzen", "sectors": ["design"]},
                           IRIS)
    assert unit.focus == [IRIS.organisation("plzen-design-studio")]
    assert slugify("  ÄÖ -- Ü  ") == "ao-u"


@pytest.mark.parametrize("data,field,words", [
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "colour": "red"}, "colour", "not a field"),
    ({"id": "x", "name": 42, "city": "berlin", "sectors": ["ict"]}, "name", "non-empty string"),
    ({"name": "X", "city": ["berlin"], "sectors": ["ict"]}, "city", "not a list"),
    ({"name": "X", "city": "berlin", "sectors": "ict"}, "sectors", "list of ids"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "founded": "1993"}, "founded",
     "whole number"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "founded": True}, "founded",
     "whole number"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "founded": 3000}, "founded",
     "between 1000"),
    ({"name": "X\u0000", "city": "berlin", "sectors": ["ict"]}, "name", "control character"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "description": "x" * 5001},
     "description", "longer than 5000"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "homepage": "javascript:alert(1)"},
     "homepage", "http:// or https://"),
    ({"name": "X", "city": "../../etc/passwd", "sectors": ["ict"]}, "city", "not a valid city id"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"],
      "collaboratesWith": ["http://evil.example/org"]}, "collaboratesWith", "must start with"),
    ({"name": "X", "city": "berlin", "sectors": ["ict"], "events": [{"id": 1}]}, "events",
     "must be a event id"),
])
def test_schema_problems_name_the_field(data, field, words):
    unit = profile_to_unit(data, IRIS)
    problems = {p.field: p.message for p in unit.problems}
    assert field in problems and words in problems[field], problems


@pytest.mark.parametrize("data", [["a list"], "text", {"id": "Bad Id!", "name": "X"},
                                  {"id": "../x", "name": "X"}, {"name": "!!!"}])
def test_profiles_that_cannot_become_a_unit_raise(data):
    with pytest.raises(ProfileError):
        profile_to_unit(data, IRIS)


def test_put_id_must_match():
    unit = profile_to_unit({**FULL, "id": "other"}, IRIS, slug="pakmarkas-demo")
    assert [(p.field, p.value) for p in unit.problems] == [("id", "other")]
    assert "does not match" in unit.problems[0].message
    unit = profile_to_unit({k: v for k, v in FULL.items() if k != "id"}, IRIS,
                           slug="pakmarkas-demo")
    assert unit.focus == [IRIS.organisation("pakmarkas-demo")]
