"""Loads (crossinnov.writes.load): a unit that names a rejected one is rejected too, and the
bulk path for big loads writes the graph a transactional load writes.

Runs against both backends, in every run (as ``stores/test_store.py``). The screen of big
loads is in ``validation/test_screen.py``.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from conftest import BACKENDS

from crossinnov.ingest.files import read_json
from crossinnov.iris import IRIs
from crossinnov.writes.changes import Change
from crossinnov.writes.load import check_units

IRIS = IRIs("https://w3id.org/crossinnov/")
DUPLICATES = """
SELECT ?s ?p ?o (COUNT(?g) AS ?graphs) WHERE { GRAPH ?g { ?s ?p ?o } }
GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1)
"""


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Both backends, whatever ``CROSSINNOV_TEST_STORE`` says."""
    return request.param


def test_a_bulk_load_equals_a_transactional_one(store, shipped_quads, validator, monkeypatch):
    """The loader's path for big loads (bulk add, then the closure and the changelog) gives
    the graph a load in one transaction gives, also when it replaces graphs already there."""
    from crossinnov.writes import load as loader

    def ground(quads) -> set[ox.Quad]:
        return {q for q in quads if q.graph_name != store.iris.changelog_graph
                and not isinstance(q.subject, ox.BlankNode)
                and not isinstance(q.object, ox.BlankNode)}

    monkeypatch.setattr(loader, "BULK_THRESHOLD", 0)
    units, _ = loader.shipped_units(store)
    for _ in range(2):  # the second load replaces every graph
        report = loader.load_units(store, units, validator,
                                   Change("load", store.iris.agent("test")))
        assert report.conforms and report.written
        assert ground(store.quads()) == ground(shipped_quads)
        assert len(store) == len(set(store.quads()))
    assert store.select(DUPLICATES) == []
    changes = store.select("SELECT ?a WHERE { GRAPH ?g { ?a a <http://www.w3.org/ns/prov#Activity> "
                           "} }")
    assert len(changes) == 2


def test_a_unit_referencing_a_rejected_one_is_rejected_too(loaded_store, validator):
    units, _ = read_json(json.dumps([
        {"id": "good", "name": "Good", "city": "berlin", "sectors": ["ict"],
         "collaboratesWith": ["bad"]},
        {"id": "bad", "name": "Bad", "city": "berlin", "sectors": ["not-a-sector"]},
    ]).encode(), IRIS, source="p.json")
    accepted, failed = check_units(loaded_store, units, validator)
    assert accepted == []
    reasons = {r.label: {e.field for e in r.errors} for r in failed}
    assert reasons == {"p.json item 1 (good)": {"collaboratesWith"},
                       "p.json item 2 (bad)": {"sectors"}}
