"""The search index (crossinnov.search) against the store it indexes.

Every filter's total and every facet count is checked against the same count asked of
the store in SPARQL; pages are walked to the end without gaps or repeats; writes made
through the store's own write path (with their changelog entry) reach the index at
the next search, as writes by another process would.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import BACKENDS

from crossinnov.ingest.profile import profile_to_unit
from crossinnov.search import FIELDS, SearchIndex, SearchQuery, match_expression
from crossinnov.writes.changes import Change, delete_organisation, replace_units

CI = "https://w3id.org/crossinnov/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROPERTY = {"city": "ci:basedIn", "sector": "ci:inSector/skos:broader*",
            "theme": "ci:addressesTheme", "seeks": "ci:seeksPartnersIn/skos:broader*",
            "kind": "ci:organisationKind"}
CLASS = {"organisation": "ci:Organisation", "practice": "ci:GoodPractice"}


@pytest.fixture
def index(loaded_store):
    return SearchIndex(loaded_store)


def sparql_count(store, kind: str, filters: dict[str, tuple[str, ...]]) -> int:
    """How many items of a kind have, for every field, one of its chosen values (SPARQL)."""
    patterns = [f"?item {PROPERTY[name]} ?v{n} . "
                f"VALUES ?v{n} {{ {' '.join(f'<{v}>' for v in chosen)} }}"
                for n, (name, chosen) in enumerate(filters.items())]
    rows = store.select(f"PREFIX ci: <{CI}> PREFIX skos: <{SKOS}> "
                        f"SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {{ ?item a {CLASS[kind]} . "
                        + " ".join(patterns) + " }")
    return int(rows[0]["n"].value)


def every_value(store, name: str) -> list[str]:
    rows = store.select(f"PREFIX ci: <{CI}> PREFIX skos: <{SKOS}> SELECT DISTINCT ?v WHERE "
                        f"{{ ?item {PROPERTY[name]} ?v FILTER(isIRI(?v)) }}")
    return sorted(r["v"].value for r in rows)


@pytest.mark.parametrize("kind", ["organisation", "practice"])
@pytest.mark.parametrize("name", ["city", "sector", "theme", "kind"])
def test_every_filter_value_counts_what_sparql_counts(index, loaded_store, kind, name):
    chosen = every_value(loaded_store, name)
    assert chosen or name == "theme" and kind == "organisation"
    for value in chosen:
        result = index.search(SearchQuery(kind=kind, filters={name: (value,)}, limit=500))
        assert result.total == sparql_count(loaded_store, kind, {name: (value,)}), value
        assert len(result.hits) == result.total
        # the facet of the unfiltered list gives the same count
        assert index.search(SearchQuery(kind=kind)).facets[name].get(value, 0) == result.total


def test_or_within_a_field_and_across_fields(index, loaded_store):
    cities = every_value(loaded_store, "city")[:3]
    top = "https://w3id.org/crossinnov/id/sector/creative-industries"
    both = {"city": tuple(cities), "sector": (top,)}
    result = index.search(SearchQuery(filters=both, limit=500))
    assert result.total == sparql_count(loaded_store, "organisation", both) > 0
    one_city = index.search(SearchQuery(filters={"city": cities[:1], "sector": (top,)}))
    assert one_city.total < result.total  # OR within: more cities, more rows
    assert index.search(SearchQuery(filters={"city": tuple(cities)}, limit=500)).total \
        >= result.total  # AND across: a second field can only narrow


def test_a_top_sector_takes_in_its_narrower_sectors(index):
    top = "https://w3id.org/crossinnov/id/sector/creative-industries"
    design = "https://w3id.org/crossinnov/id/sector/design"
    designers = {h.iri for h in index.search(SearchQuery(filters={"sector": (design,)},
                                                         limit=500)).hits}
    creative = {h.iri for h in index.search(SearchQuery(filters={"sector": (top,)},
                                                        limit=500)).hits}
    assert designers and designers <= creative
    # the hits show the sectors stated, not the broader ones they count under
    hit = index.search(SearchQuery(filters={"sector": (design,)})).hits[0]
    assert design in hit.values["sector"]


def test_facets_count_the_rows_found(index, loaded_store):
    """As Datasette does: every filter applied, how many of the rows found have each value."""
    cities = every_value(loaded_store, "city")
    chosen = index.search(SearchQuery(filters={"city": (cities[0],)}))
    assert chosen.facets["city"] == {cities[0]: chosen.total} and chosen.total > 0
    assert sum(chosen.facets["kind"].values()) == chosen.total  # one kind each
    assert set(chosen.facets) == set(FIELDS)
    design = index.search(SearchQuery(q="design", limit=500))
    for sector, count in design.facets["sector"].items():
        assert count == sum(sector in h.values.get("sector", []) for h in design.hits) or \
            count >= sum(sector in h.values.get("sector", []) for h in design.hits)  # broader


@pytest.mark.parametrize("q", ["", "design", "c"])
def test_paging_walks_every_row_once(index, q):
    whole = index.search(SearchQuery(q=q, limit=500))
    seen, after = [], None
    while True:
        page = index.search(SearchQuery(q=q, limit=4, after=after))
        seen += [h.iri for h in page.hits]
        assert page.total == whole.total
        if page.next is None:
            break
        after = page.next
    assert seen == [h.iri for h in whole.hits]
    assert len(set(seen)) == len(seen) == whole.total


def test_a_page_cursor_survives_a_write_before_it(index, loaded_store):
    first = index.search(SearchQuery(limit=5))
    _write(loaded_store, {"id": "aaa-first-in-order", "name": "AAA first in order",
                          "city": "vilnius", "sectors": ["design"]})
    second = index.search(SearchQuery(limit=5, after=first.next))
    assert not {h.iri for h in first.hits} & {h.iri for h in second.hits}
    assert second.hits[0].sort > first.hits[-1].sort


def test_text_is_ranked_and_forgives_case_and_accents(index):
    hits = index.search(SearchQuery(q="DESIGN", limit=50)).hits
    assert hits and all(a.rank <= b.rank for a, b in zip(hits, hits[1:], strict=False))
    named = [h for h in hits if "design" in h.name.lower()]
    assert hits[0] in named  # a name match ranks above a description match
    plain = index.search(SearchQuery(q="design")).total
    assert index.search(SearchQuery(q="désign")).total == plain
    assert index.search(SearchQuery(q="desig")).total > 0  # the last word is a prefix


@pytest.mark.parametrize("q", ['"', "NEAR(a b)", "*", "a:b", "^x", "design OR", "-", "((("])
def test_search_syntax_cannot_be_used_or_broken(index, q):
    result = index.search(SearchQuery(q=q))
    assert result.total >= 0


def test_match_expression_quotes_words():
    assert match_expression('design "NEAR(') == '"design" "NEAR"*'
    assert match_expression("  ... ") is None
    assert match_expression("Łódź") == '"Łódź"*'


def _write(store, profile: dict) -> None:
    unit = profile_to_unit(profile, store.iris)
    replace_units(store, [unit], Change("create", store.iris.agent("test"), [unit.graph]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_writes_reach_the_index_at_the_next_search(index, loaded_store):
    """Regression: the index never caught up with writes on an external SPARQL store (the
    changelog window was a bound value, joined after the group there, so the FILTER inside
    it saw it unbound). Run on both backends, whatever the run's backend."""
    assert index.search(SearchQuery(q="Zephyrine")).total == 0
    _write(loaded_store, {"id": "zephyrine-studio", "name": "Zephyrine Studio",
                          "city": "vilnius", "sectors": ["design"], "seeksPartnersIn": ["ict"],
                          "description": "Furniture for hospitals"})
    found = index.search(SearchQuery(q="zephyrine"))
    assert [h.name for h in found.hits] == ["Zephyrine Studio"]
    ict = "https://w3id.org/crossinnov/id/sector/ict"
    growth = "https://w3id.org/crossinnov/id/sector/other-growth-sectors"
    assert found.hits[0].values["seeks"] == [ict]
    assert index.search(SearchQuery(q="hospitals", filters={"seeks": (growth,)})).total == 1

    _write(loaded_store, {"id": "zephyrine-studio", "name": "Zephyrine Works",
                          "city": "vilnius", "sectors": ["design"]})
    assert index.search(SearchQuery(q="studio zephyrine")).total == 0
    assert index.search(SearchQuery(q="zephyrine works")).total == 1
    assert index.search(SearchQuery(filters={"seeks": (ict,)})).total == 0

    iris = loaded_store.iris
    delete_organisation(loaded_store, iris.organisation("zephyrine-studio"),
                        iris.graph("organisation", "zephyrine-studio"),
                        Change("delete", iris.agent("test")))
    assert index.search(SearchQuery(q="zephyrine")).total == 0


def test_a_big_change_rebuilds_and_an_unchanged_store_is_not_read_again(index, loaded_store,
                                                                         monkeypatch):
    index.search(SearchQuery())
    built = index.version
    reads = []
    monkeypatch.setattr(index, "_rebuild", lambda latest: reads.append(latest))
    index.search(SearchQuery())
    assert index.version == built and not reads
    import crossinnov.search as search

    monkeypatch.setattr(search, "REBUILD_ABOVE", 0)
    _write(loaded_store, {"id": "another-one", "name": "Another One", "city": "vilnius",
                          "sectors": ["design"]})
    index.search(SearchQuery())
    assert reads and reads[0] != built


def test_an_item_of_both_kinds_is_not_confused(index):
    orgs = index.search(SearchQuery(kind="organisation", limit=500)).hits
    practices = index.search(SearchQuery(kind="practice", limit=500)).hits
    assert orgs and practices and not {h.iri for h in orgs} & {h.iri for h in practices}
    assert all("/id/practice/" in h.iri for h in practices)
    assert isinstance(ox.NamedNode(orgs[0].iri), ox.NamedNode)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_write_stamped_before_the_latest_one_still_reaches_the_index(index, loaded_store):
    """Two servers over one store: a write's time is taken when it starts, so one that
    started first may commit last (or come from a server whose clock is behind). The index
    must not take the latest time for "everything up to here is read"."""
    from datetime import timedelta

    from crossinnov.writes.changes import now

    index.search(SearchQuery())
    started = now()
    _write(loaded_store, {"id": "quick-writer", "name": "Quick Writer", "city": "vilnius",
                          "sectors": ["design"]})
    assert index.search(SearchQuery(q="quick writer")).total == 1
    unit = profile_to_unit({"id": "slow-writer", "name": "Slow Writer", "city": "vilnius",
                            "sectors": ["design"]}, loaded_store.iris)
    replace_units(loaded_store, [unit], Change("create", loaded_store.iris.agent("test"),
                                               [unit.graph], at=started))
    assert index.search(SearchQuery(q="slow writer")).total == 1
    # far behind (a long load that started minutes before it committed): read again whole
    unit = profile_to_unit({"id": "slower-writer", "name": "Slower Writer", "city": "vilnius",
                            "sectors": ["design"]}, loaded_store.iris)
    replace_units(loaded_store, [unit], Change("create", loaded_store.iris.agent("test"),
                                               [unit.graph], at=started - timedelta(hours=1)))
    assert index.search(SearchQuery(q="slower writer")).total == 1
