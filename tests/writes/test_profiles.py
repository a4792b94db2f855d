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
