"""Profile writes (crossinnov.writes.profiles): each create, replace and delete is one update.

Runs against both backends, in every run (as ``stores/test_store.py``).
"""

from __future__ import annotations

import pytest
from conftest import BACKENDS

from crossinnov.ingest.profile import profile_to_unit


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Both backends, whatever ``CROSSINNOV_TEST_STORE`` says."""
    return request.param


def collaborators(store, slug: str) -> set[str]:
    rows = store.select(
        "SELECT ?org ?p WHERE { ?org <https://w3id.org/crossinnov/ontology#collaboratesWith> ?p }",
        org=store.iris.organisation(slug),
    )
    return {r["p"].value.rsplit("/", 1)[1] for r in rows}


def test_a_profile_write_is_one_update_request(loaded_store, validator, monkeypatch):
    """Create, replace and delete each send one update: the graph, the inverse links and
    the changelog change together or not at all."""
    from crossinnov.writes.profiles import Profiles
    from crossinnov.writes.tokens import Holder

    updates: list[str] = []
    real = loaded_store.update
    monkeypatch.setattr(loaded_store, "update", lambda text: (updates.append(text), real(text)))
    profiles = Profiles(loaded_store, validator)
    admin = Holder(None)
    data = {"id": "acme", "name": "Acme", "city": "berlin", "sectors": ["ict"],
            "collaboratesWith": ["pakmarkas"]}
    profiles.create(profile_to_unit(data, loaded_store.iris), admin)
    profiles.replace("acme", profile_to_unit({**data, "name": "Acme 2"}, loaded_store.iris),
                     admin)
    profiles.delete("acme", admin)
    assert len(updates) == 3
    assert "acme" not in collaborators(loaded_store, "pakmarkas")


def test_what_a_write_answers_is_what_a_read_gives(loaded_store, validator):
    """A create or replace answers with the profile, ETag and times a read gives afterwards
    (the answer is made from what was written, not read back)."""
    from crossinnov.writes.profiles import Profiles
    from crossinnov.writes.tokens import Holder

    profiles = Profiles(loaded_store, validator)
    admin = Holder(None)
    data = {"id": "acme", "name": "Acme Ünïcode", "city": "berlin", "sectors": ["ict", "design"],
            "themes": ["brokerage"], "founded": 1990, "homepage": "https://acme.example.org/",
            "description": "Line one\nline two", "collaboratesWith": ["pakmarkas"]}
    for write in (lambda: profiles.create(profile_to_unit(data, loaded_store.iris), admin),
                  lambda: profiles.replace("acme", profile_to_unit(
                      {**data, "name": "Acme 2", "founded": 2001}, loaded_store.iris), admin)):
        written = write()
        read = profiles.get("acme")
        assert (written.profile, written.etag, written.created, written.modified) == \
            (read.profile, read.etag, read.created, read.modified)
        assert sorted(map(str, written.triples)) == sorted(map(str, read.triples))


def test_a_unit_as_stored_has_its_terms_as_the_store_keeps_them(store):
    import pyoxigraph as ox

    from crossinnov.ingest import Unit
    from crossinnov.namespaces import XSD
    from crossinnov.writes.profiles import as_stored

    graph = store.iris.graph("organisation", "acme")
    org = store.iris.organisation("acme")
    p = ox.NamedNode("https://example.org/p")
    unit = Unit(graph, [ox.Triple(org, p, ox.Literal("01", datatype=XSD.integer)),
                        ox.Triple(org, p, ox.Literal("x", language="EN-GB")),
                        ox.Triple(org, p, ox.Literal("2011", datatype=XSD.gYear)),
                        ox.Triple(org, p, ox.Literal("x", language="EN-GB"))])
    store.add_quads(unit.quads())
    kept = {q.triple for q in store.quads(graph.value)}
    assert sorted(map(str, as_stored(unit))) == sorted(map(str, kept))
    assert str(ox.Literal("1", datatype=XSD.integer)) in map(str, (t.object for t in kept))


def test_every_profile_write_is_synced_after_its_update_and_before_it_returns(
        loaded_store, validator, monkeypatch):
    """A write is acknowledged only once durable: create, replace and delete each make
    the store sync (the embedded store's write-ahead log) after their update, before
    they return; the listeners (the analysis) hear of it after the sync."""
    from crossinnov.writes.profiles import Profiles
    from crossinnov.writes.tokens import Holder

    events: list[str] = []
    real_update, real_sync = loaded_store.update, loaded_store.sync
    monkeypatch.setattr(loaded_store, "update",
                        lambda text: (events.append("update"), real_update(text)))
    monkeypatch.setattr(loaded_store, "sync", lambda: (real_sync(), events.append("sync")))
    profiles = Profiles(loaded_store, validator)
    profiles.on_write(lambda: events.append("told"))
    admin = Holder(None)
    data = {"id": "synced", "name": "Synced", "city": "rome", "sectors": ["ict"]}
    profiles.create(profile_to_unit(data, loaded_store.iris), admin)
    events.append("returned")
    profiles.replace("synced", profile_to_unit({**data, "name": "Synced 2"}, loaded_store.iris),
                     admin)
    events.append("returned")
    profiles.delete("synced", admin)
    events.append("returned")
    assert events == ["update", "sync", "told", "returned"] * 3
