"""Loads (crossinnov.writes.load): a unit that names a rejected one is rejected too, and the
bulk path for big loads writes the graph a transactional load writes.

Runs against both backends, in every run (as ``stores/test_store.py``). The screen of big
loads is in ``validation/test_screen.py``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyoxigraph as ox
import pytest
from conftest import BACKENDS

from crossinnov.generate import Generator, Plan
from crossinnov.ingest.files import quads_to_units, read_json
from crossinnov.iris import IRIs
from crossinnov.namespaces import CI, SCHEMA
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


# --- big loads into an empty store: staged, checked, bulk-loaded while checked -----------------

AT = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)  # one time for both loads compared
PROV_GENERATED = "http://www.w3.org/ns/prov#generated"


def _generated(iris: IRIs, faults: bool, n: int = 120) -> list[ox.Quad]:
    """A generated graph; with ``faults``, a few deliberately invalid units besides.

    The faults are in units nobody else points at, but one (so that a rejection does not
    spread through the whole generated network): new organisations with a bad year, with
    a city for a sector, and one that collaborates with the first (rejected in turn); and
    triples about something that is not a resource.
    """
    quads = list(Generator(Plan(n, 5), iris).quads())
    if not faults:
        return quads
    model = min((q.subject for q in quads if q.object == CI.ProfiledOrganisation),
                key=lambda s: s.value)

    def clone(slug: str, drop=(), add=()) -> list[ox.Quad]:
        node, graph = iris.organisation(slug), iris.graph("organisation", slug)
        out = [ox.Quad(node, q.predicate, q.object, graph) for q in quads
               if q.subject == model and q.predicate not in drop]
        return out + [ox.Quad(node, p, o, graph) for p, o in add]

    year = ox.Literal("3999", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear"))
    quads += clone("zz-bad-year", [SCHEMA.foundingDate], [(SCHEMA.foundingDate, year)])
    quads += clone("zz-city-for-a-sector", [], [(CI.inSector, iris.resource("city", "berlin"))])
    quads += clone("zz-follower", [], [(CI.collaboratesWith, iris.organisation("zz-bad-year"))])
    quads.append(ox.Quad(ox.NamedNode("http://example.org/not-a-resource"), SCHEMA.name,
                         ox.Literal("x"), iris.graph("organisation", "zz-follower")))
    return quads


def _canonical(store) -> dict[str, set[str]]:
    """The store's graphs as compared: each graph's quads as text, blank nodes named by where
    they hang (each load names them anew); the changelog without the run's activity IRI nor
    the graphs it lists (a load in one transaction lists them, a bulk load records one
    activity)."""
    quads = []
    for q in store.quads():
        if q.graph_name == store.iris.changelog_graph:
            if q.predicate.value == PROV_GENERATED:
                continue
            q = ox.Quad(_anon(q.subject, store), q.predicate, q.object, q.graph_name)
        quads.append(q)
    names = _blank_names(quads)
    out: dict[str, set[str]] = {}
    for q in quads:
        s, o = (names.get(t, t) if isinstance(t, ox.BlankNode) else t
                for t in (q.subject, q.object))
        out.setdefault(q.graph_name.value, set()).add(f"{s} {q.predicate} {o}")
    return out


def _blank_names(quads: list[ox.Quad]) -> dict[ox.BlankNode, str]:
    """Name each blank node after the node and predicate that point at it (the ontology's
    lists are trees): the same structure gets the same names in both stores."""
    parents = [(q.object, q.subject, q.predicate, q.graph_name) for q in quads
               if isinstance(q.object, ox.BlankNode)]
    names: dict[ox.BlankNode, str] = {}
    while True:
        found = {b: f"[{g} {names.get(s, s)} {p}]"
                 for b, s, p, g in parents
                 if b not in names and (not isinstance(s, ox.BlankNode) or s in names)}
        if not found:
            return names
        names.update(found)


def _size(store) -> int:
    """How many quads, less the graphs a careful load lists in the changelog."""
    return len(store) - sum(1 for q in store.quads(store.iris.changelog_graph.value)
                            if q.predicate.value == PROV_GENERATED)


def _anon(node, store):
    if isinstance(node, ox.NamedNode) and node.value.startswith(store.iris.base + "activity/"):
        return ox.NamedNode(store.iris.base + "activity/the-load")
    return node


@pytest.fixture
def careful(monkeypatch):
    """Loads that never take the bulk path: every graph written in one transaction."""
    from crossinnov.writes import load as loader

    def load(store, units, validator, agent="test", label=""):
        with monkeypatch.context() as m:
            m.setattr(loader, "fills", lambda *_: False)
            m.setattr(loader, "prefill", lambda *_: None)
            return loader.load_units(store, units, validator,
                                     Change("load", store.iris.agent(agent), label=label, at=AT))
    return load


@pytest.fixture
def bulk(monkeypatch):
    """Every load into an empty store big enough for the bulk path, the screen on."""
    from crossinnov.stores.embedded import Fill
    from crossinnov.writes import load as loader

    monkeypatch.setattr(loader, "BULK_THRESHOLD", 0)
    monkeypatch.setattr(loader, "SCREEN_MIN", 1)
    monkeypatch.setattr(loader, "PREFILL_MIN_BYTES", 0)
    undone: list[Fill] = []
    real_undo = Fill.undo

    def undo(self):
        undone.append(self)
        real_undo(self)

    monkeypatch.setattr(Fill, "undo", undo)
    return undone


def _fresh(tmp_path, name: str):
    from crossinnov.config import Settings
    from crossinnov.stores import open_store

    return open_store(Settings(store=str(tmp_path / name)))


@pytest.mark.embedded_only(reason="the bulk path is the embedded store's")
@pytest.mark.parametrize("faults", [False, True], ids=["valid", "with-faults"])
def test_a_bulk_load_into_an_empty_store_equals_a_careful_one(tmp_path, validator, careful,
                                                             bulk, faults):
    """The same graphs and the same rejections, whether the units are written in one
    transaction or staged, checked and bulk-loaded while they are checked."""
    from crossinnov.writes.load import load_units

    with _fresh(tmp_path, "careful") as a, _fresh(tmp_path, "bulk") as b:
        quads = _generated(a.iris, faults)
        units = quads_to_units(quads, a.iris, source="generated")
        slow = careful(a, units, validator)
        fast = load_units(b, quads_to_units(quads, b.iris, source="generated"), validator,
                          Change("load", b.iris.agent("test"), at=AT))
        assert [r.as_text() for r in fast.rejected] == [r.as_text() for r in slow.rejected]
        assert len(slow.rejected) == 4 * faults, [r.as_text() for r in slow.rejected]
        assert _canonical(b) == _canonical(a)
        assert _size(b) == _size(a)
        # the load written while it was checked was kept, or undone when something was rejected
        assert len(bulk) == faults
        assert b.select(DUPLICATES) == []


@pytest.mark.embedded_only(reason="the bulk path is the embedded store's")
@pytest.mark.parametrize("case", ["valid", "with-faults", "a-dump", "misplaced"])
def test_the_cli_bulk_loads_a_file_as_it_reads_it_and_gets_the_careful_graphs(
        tmp_path, validator, careful, bulk, runner, case):
    """``crossinnov load FILE.nq`` into an empty store bulk-loads the file from the start; the
    store ends as a careful load leaves it: kept when the file holds just the accepted
    units (a dump's bookkeeping graphs taken out), undone and filled anew otherwise."""
    from crossinnov.cli import main
    from crossinnov.ingest.files import read_path

    with _fresh(tmp_path, "source") as source:
        quads = _generated(source.iris, case == "with-faults")
        if case == "a-dump":  # crossinnov's own dump: changelog, closure, derived ties
            careful(source, quads_to_units(quads, source.iris, source="g"), validator)
            quads = list(source.native.quads_for_pattern(None, None, None, None))
        if case == "misplaced":  # a valid triple in another resource's graph: it goes home
            q = next(q for q in quads if q.predicate == SCHEMA.name)
            quads.append(ox.Quad(q.subject, SCHEMA.alternateName, ox.Literal("elsewhere"),
                                 source.iris.graph("organisation", "somebody-else")))
    path = tmp_path / "input.nq"
    path.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    with _fresh(tmp_path, "careful") as a:
        units, _ = read_path(path, a.iris)
        slow = careful(a, units, validator, "cli", "crossinnov load input.nq")
        expected = _canonical(a), _size(a)
    from crossinnov.writes import changes

    def fixed(*args, real=changes.Change, **kwargs):  # the CLI's change, at the careful time
        return real(*args, **{"at": AT, **kwargs})

    with pytest.MonkeyPatch.context() as m:
        m.setattr(changes, "Change", fixed)
        result = runner.invoke(main, ["load", "--store", str(tmp_path / "bulk"), str(path)])
    assert result.exit_code == (1 if slow.rejected else 0), result.output
    assert sorted(line.removeprefix("rejected: ") for line in result.output.splitlines()
                  if line.startswith("rejected: ")) == sorted(r.as_text() for r in slow.rejected)
    with _fresh(tmp_path, "bulk") as b:
        assert (_canonical(b), _size(b)) == expected
    # the file, loaded as it was read, was kept; with faults it holds a triple that goes
    # elsewhere (so it is undone at once) and units are rejected (the staged fill undone)
    assert len(bulk) == {"valid": 0, "a-dump": 0, "misplaced": 1, "with-faults": 2}[case]


@pytest.mark.embedded_only(reason="the bulk path is the embedded store's")
def test_a_strict_bulk_load_with_a_rejection_leaves_the_store_empty(tmp_path, validator, bulk):
    from crossinnov.writes.load import load_units

    with _fresh(tmp_path, "s") as store:
        units = quads_to_units(_generated(store.iris, True), store.iris, source="g")
        report = load_units(store, units, validator, Change("load", store.iris.agent("t")),
                            strict=True)
        assert report.rejected and not report.written
        assert store.is_empty()
        assert len(bulk) == 1
    assert [p.name for p in (tmp_path / "s").iterdir() if "crossinnov" in p.name] == []
