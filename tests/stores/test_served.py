"""The served store (crossinnov.stores.served): an on-disk store whose reads are answered by
query worker processes (in-memory replicas), each query under the time limit, and whose
writes go to the disk first and then to every worker, so a write is seen at once.

Built here as ``crossinnov serve`` builds it (:func:`crossinnov.web.state.open_served_store`):
an on-disk :class:`~crossinnov.stores.embedded.OxigraphStore` in a temporary folder behind a
:class:`~crossinnov.stores.workers.WorkerPool` of one public and one internal worker.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from crossinnov.config import DEFAULT_BASE
from crossinnov.iris import IRIs
from crossinnov.sparql.answers import QueryRejected, QuerySpec, QueryTimeout
from crossinnov.stores.base import INTERNAL, PUBLIC, StoreError
from crossinnov.stores.embedded import OxigraphStore
from crossinnov.stores.served import ServedStore
from crossinnov.stores.workers import PoolLimits, choose_replicas

#: about the embedded store's workers: once per run is enough
pytestmark = pytest.mark.embedded_only(reason="the served store is the embedded store's")

EX = "http://example.org/"
P = ox.NamedNode(EX + "p")
#: a query that never ends by itself on the many triples of the fixture
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def quad(subject: str, value: str, graph: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + subject), P, ox.Literal(value), ox.NamedNode(EX + graph))


def values(store, graph: str) -> list[str]:
    rows = store.select(f"SELECT ?v WHERE {{ GRAPH <{EX}{graph}> {{ ?s <{EX}p> ?v }} }}")
    return sorted(r["v"].value for r in rows)


@pytest.fixture(scope="module", params=["memory", "disk"])
def served(request, tmp_path_factory):
    """A served store over a disk store holding 2 000 quads (enough for a runaway query),
    its workers reading an in-memory replica, or the disk store opened read-only."""
    disk = OxigraphStore(str(tmp_path_factory.mktemp("served") / "store"), IRIs(DEFAULT_BASE))
    disk.add_quads([quad(f"s{i}", str(i), "many") for i in range(2000)])
    store = ServedStore(disk, PoolLimits(public=1, internal=1, start_timeout=120,
                                         replicas=request.param), 30.0)
    yield store
    store.close()


def test_the_workers_read_where_the_setting_says(served):
    assert served.health()["workers"]["replicas"] == served.limits.replicas


def test_queries_are_answered_by_the_workers_not_the_disk(served):
    """A quad written to the disk store behind the served store's back is not seen: reads
    go to the workers' replicas (the disk is only read for quads, dumps and counts)."""
    if served.limits.replicas == "disk":
        pytest.skip("workers reading the disk read what it holds")
    served.disk.add_quads([quad("hidden", "behind its back", "hidden")])
    assert values(served.disk, "hidden") == ["behind its back"]
    assert values(served, "hidden") == []
    assert values(served.in_lane(PUBLIC), "hidden") == []
    # the store's own listing reads the disk
    assert EX + "hidden" in served.named_graphs()


def test_an_added_quad_is_seen_at_once_by_every_worker(served):
    served.add_quads([quad("a", "added", "added")])
    assert values(served, "added") == ["added"]
    assert values(served.in_lane(PUBLIC), "added") == ["added"]
    assert values(served.disk, "added") == ["added"]  # durable: on disk first


def test_an_update_is_seen_at_once_by_every_worker(served):
    served.update(f"INSERT DATA {{ GRAPH <{EX}updated> {{ <{EX}u> <{EX}p> 'one' }} }}")
    assert values(served, "updated") == ["one"]
    served.update(f"DELETE DATA {{ GRAPH <{EX}updated> {{ <{EX}u> <{EX}p> 'one' }} }} ; "
                  f"INSERT DATA {{ GRAPH <{EX}updated> {{ <{EX}u> <{EX}p> 'two' }} }}")
    for store in (served, served.in_lane(PUBLIC), served.in_lane(INTERNAL), served.disk):
        assert values(store, "updated") == ["two"]


def test_a_bulk_add_starts_the_workers_from_a_fresh_snapshot(served):
    served.add_quads([quad(f"b{i}", f"bulk {i}", "bulk") for i in range(3)], bulk=True)
    assert values(served, "bulk") == ["bulk 0", "bulk 1", "bulk 2"]
    assert values(served.in_lane(PUBLIC), "bulk") == ["bulk 0", "bulk 1", "bulk 2"]


def test_the_store_of_record_is_the_disk_store_read_in_process(served, monkeypatch):
    """A write's own checks read the store of record: every committed write at once, and
    no query worker asked."""
    record = served.of_record()
    assert record is served.disk
    served.update(f"INSERT DATA {{ GRAPH <{EX}record> {{ <{EX}s> <{EX}p> \"now\" }} }}")

    def no_worker(*args, **kwargs):
        raise AssertionError("a query worker was asked")

    monkeypatch.setattr(served.pool, "query", no_worker)
    assert values(record, "record") == ["now"]


def test_the_answer_is_written_as_asked(served):
    spec = QuerySpec(f"SELECT ?s WHERE {{ GRAPH <{EX}many> {{ ?s ?p ?o }} }} ORDER BY ?s",
                     select_format="csv", max_rows=3)
    answer = served.answer(spec)
    assert answer.cut == "rows" and answer.rows == 3
    assert answer.read().decode().split() == ["s", EX + "s0", EX + "s1", EX + "s10"]


def test_errors_are_told_apart(served):
    with pytest.raises(SyntaxError):
        served.query("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryRejected) as caught:
        served.answer(QuerySpec("SELECT ?s WHERE { ?s ?p }"))
    assert caught.value.kind == "syntax"
    with pytest.raises(StoreError):  # an error while evaluating: no syntax error
        served.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


def test_a_query_past_its_time_limit_is_stopped_and_the_store_answers_on(served):
    served.add_quads([quad("t", "written before", "timeout")])
    before = set(served.pool.pids())
    with pytest.raises(QueryTimeout, match="time limit"):
        served.answer(QuerySpec(RUNAWAY), timeout=1.0)
    assert set(served.pool.pids()) != before  # the worker that held it was replaced
    assert len(served.pool.pids()) == 2
    # the replacement has every write
    assert values(served, "timeout") == ["written before"]
    assert values(served.in_lane(PUBLIC), "timeout") == ["written before"]


def test_health_and_counts_come_from_the_disk_and_the_pool(served):
    health = served.health()
    assert health["store"] is True
    assert health["workers"]["public"] == 1 and health["workers"]["internal"] == 1
    assert len(served) == len(served.disk) >= 2000
    assert sum(1 for _ in served.quads(EX + "many")) == 2000


def test_the_quads_are_counted_once_per_version(served, monkeypatch):
    """Counting takes seconds at millions of quads: the served store counts once per
    version of its data (the start's count serves the first /healthz), and a write through
    it is counted at once."""
    before = len(served)
    counted = []
    monkeypatch.setattr(type(served.disk), "__len__",
                        lambda self: counted.append(1) or len(self.native))
    assert len(served) == before and not counted  # kept
    served.add_quads([quad("counted", "1", "counting")])
    assert len(served) == before + 1 and len(counted) == 1  # counted again, once
    assert len(served) == before + 1 and len(counted) == 1
    served.update(f"DROP GRAPH <{EX}counting>")
    assert len(served) == before and len(counted) == 2


@pytest.mark.parametrize(("setting", "quads", "workers", "available", "chosen"), [
    ("auto", 1_000_000, 3, 8 * 2**30, "memory"),     # 4 x 450 MB of 8 GB
    ("auto", 2_700_000, 3, 23 * 2**30, "memory"),    # 100 000 organisations here: 4.9 GB
    ("auto", 20_000_000, 0, 24 * 2**30, "memory"),   # one copy: 9 GB <= half of 24 GB
    ("auto", 20_000_000, 3, 24 * 2**30, "disk"),     # 4 copies: 36 GB > half of 24 GB
    ("auto", 27_000_000, 3, 23 * 2**30, "disk"),     # 1 000 000 organisations here
    ("auto", 1_000, 3, None, "memory"),              # unknown: memory, as before
    ("disk", 10, 3, 64 * 2**30, "disk"),             # the setting wins
    ("memory", 10**9, 3, 2**30, "memory"),
])
def test_where_the_workers_read_is_chosen_by_size_and_memory(setting, quads, workers,
                                                             available, chosen):
    """Each worker may hold a copy of the replica while it scans it (reading writes reference
    counts): the template's and one per worker are counted."""
    mode, why = choose_replicas(setting, quads, available, 0.5, workers)
    assert mode == chosen
    assert why.startswith(chosen)


def test_a_big_store_is_read_from_the_disk_until_its_replica_is_in_memory(tmp_path,
                                                                          monkeypatch):
    """From ``warm_from`` quads the workers answer from the disk at once while the
    in-memory replica loads; the writes made meanwhile reach the replica, in order, before
    its workers take over (the snapshot was taken before them)."""
    import threading

    from crossinnov.stores import workers

    disk = OxigraphStore(str(tmp_path / "store"), IRIs(DEFAULT_BASE))
    disk.add_quads([quad(f"s{i}", str(i), "many") for i in range(2000)])
    loading, go_on = threading.Event(), threading.Event()

    class SlowTemplate(workers.Template):
        def __init__(self, ctx, source, *args):
            if source.kind != "disk":  # the replica: held until the test has written
                loading.set()
                assert go_on.wait(60)
            super().__init__(ctx, source, *args)

    monkeypatch.setattr(workers, "Template", SlowTemplate)
    store = ServedStore(disk, PoolLimits(public=1, internal=1, start_timeout=120,
                                         replicas="memory", warm_from=1000), 30.0)
    try:
        status = store.health()["workers"]
        assert status["replicas"] == "disk" and status["warming"]
        assert values(store, "many")[:2] == ["0", "1"]  # answered before the replica is in
        assert loading.wait(60)
        store.add_quads([quad("x", "while loading", "late")])
        store.update(f'INSERT DATA {{ GRAPH <{EX}late> {{ <{EX}y> <{EX}p> "updated" }} }}')
        assert values(store, "late") == ["updated", "while loading"]  # the disk workers
        go_on.set()
        for _ in range(600):
            status = store.health()["workers"]
            if not status["warming"] and status["replicas"] == "memory":
                break
            threading.Event().wait(0.1)
        assert status["replicas"] == "memory" and not status["warming"]
        assert values(store, "late") == ["updated", "while loading"]  # the replica has them
        assert len(values(store, "many")) == 2000
    finally:
        go_on.set()
        store.close()


def test_a_small_store_is_read_from_memory_from_the_start(tmp_path):
    disk = OxigraphStore(str(tmp_path / "store"), IRIs(DEFAULT_BASE))
    disk.add_quads([quad(f"s{i}", str(i), "many") for i in range(20)])
    store = ServedStore(disk, PoolLimits(public=1, internal=1, replicas="memory",
                                         warm_from=1000), 30.0)
    try:
        status = store.health()["workers"]
        assert status["replicas"] == "memory" and not status["warming"]
    finally:
        store.close()
