"""The analysis service (crossinnov.analysis.service): runs scheduled after writes, debounced,
and settled on request.
"""

from __future__ import annotations

import time

import pytest

from crossinnov.config import Settings


def test_settle_waits_for_a_scheduled_run_and_the_run(loaded_store):
    """A write schedules a run after the debounce; settle() returns once it is written."""
    from crossinnov.analysis.service import AnalysisService

    service = AnalysisService(loaded_store, Settings(analysis_debounce=0.2),
                              separate_process=False)
    try:
        assert service.settle(1)  # nothing going on
        service.schedule()
        status = service.status()
        assert 0 <= status.pop("scheduled") <= 0.2  # not yet started
        assert status == {"running": False, "pending": False, "last_error": None,
                          "elsewhere": None}
        assert service.settle(120)
        assert service.status() == {"running": False, "pending": False, "scheduled": None,
                                    "last_error": None, "elsewhere": None}
        assert service.last is not None and service.last_error is None
    finally:
        service.close()


def test_writes_move_one_waiting_time_and_each_quiet_spell_gets_its_run(loaded_store):
    """Many writes in a row give one run after them, and a write after that run gives
    another; one thread waits for the due runs, whatever the number of writes."""
    import threading

    from crossinnov.analysis.service import AnalysisService

    def debouncers() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "crossinnov-analysis-debounce"}

    others = debouncers()  # other services' (apps of other tests)
    service = AnalysisService(loaded_store, Settings(analysis_debounce=0.5),
                              separate_process=False)
    runs = []
    service.listeners.append(runs.append)
    try:
        for expected in (1, 2):
            for _ in range(20):
                service.schedule()
            assert service.settle(60)
            assert len(runs) == expected
            time.sleep(0.2)  # the waiting thread goes back to waiting for a write
        assert len(debouncers() - others) == 1
    finally:
        service.close()


def test_an_analysis_too_big_for_the_memory_is_refused_in_words(loaded_store):
    """A run whose estimated memory passes the share of the memory available is not run:
    the service says why (figures and the setting), and the store is left as it was."""
    from crossinnov.analysis.service import AnalysisService

    graph = loaded_store.iris.analysis_graph
    before = sorted(map(str, loaded_store.quads(graph.value)))
    service = AnalysisService(loaded_store, Settings(analysis_memory_share=1e-9),
                              separate_process=False)
    try:
        with pytest.raises(RuntimeError) as refused:
            service.run_now()
        message = str(refused.value)
        assert f"the analysis of {len(loaded_store)} quads" in message
        assert "CROSSINNOV_ANALYSIS_MEMORY_SHARE" in message
        assert service.status()["last_error"] == message
        assert sorted(map(str, loaded_store.quads(graph.value))) == before
    finally:
        service.close()


def test_the_memory_check_counts_the_store_against_what_is_available(loaded_store):
    """What counts is the store less its analysis graph (the last results, replaced
    without being read into the network): a second run is not refused for the first's."""
    from crossinnov.analysis import (
        ANALYSIS_BYTES_PER_QUAD,
        AnalysisTooBig,
        analyse,
        analysed_quads,
        check_memory,
    )

    before = len(loaded_store)
    assert analysed_quads(loaded_store) == before  # no analysis stored yet
    analyse(loaded_store, Settings())
    assert len(loaded_store) > before
    assert analysed_quads(loaded_store) <= before + 10  # the changelog's activity, no more
    need = analysed_quads(loaded_store) * ANALYSIS_BYTES_PER_QUAD
    fits = Settings(analysis_memory_share=0.5)
    check_memory(loaded_store, fits, available=2 * need)  # just fits: no error
    with pytest.raises(AnalysisTooBig):
        check_memory(loaded_store, fits, available=2 * need - 2)
    check_memory(loaded_store, Settings(analysis_memory_share=0), available=1)  # 0: no check


def analysis_runs(store) -> int:
    rows = store.select("PREFIX dcterms: <http://purl.org/dc/terms/> "
                        "SELECT (COUNT(?a) AS ?n) WHERE { GRAPH ?g { ?a dcterms:type ?t } "
                        "FILTER(STR(?t) = 'analysis') }")
    return int(rows[0]["n"].value)


def test_services_sharing_a_store_run_once_and_the_other_looks_again(loaded_store):
    """Two services with the lease (two servers over one store): asked at once, one runs;
    the other says who holds the lease, looks again, and finds the stored run current."""
    import threading

    from crossinnov.analysis.lease import Lease
    from crossinnov.analysis.service import AnalysisService

    settings = Settings(analysis_debounce=3600, analysis_lease_seconds=1.5)
    services = [AnalysisService(loaded_store, settings, separate_process=False,
                                lease=Lease(loaded_store, 1.5, holder=name))
                for name in ("a", "b")]
    outcomes = {}
    barrier = threading.Barrier(2)

    def ask(service) -> None:
        barrier.wait()
        outcomes[service.lease.id] = service.wait(service.request(), 120)

    try:
        threads = [threading.Thread(target=ask, args=(s,)) for s in services]
        for t in threads:
            t.start()
        for t in threads:
            t.join(150)
        ran = [o for o in outcomes.values() if o.info is not None]
        other = [o for o in outcomes.values() if o.info is None]
        assert len(ran) == 1 and len(other) == 1, outcomes
        assert other[0].elsewhere is not None or other[0].current == ran[0].info.run
        for service in services:
            assert service.settle(60)  # the one that did not run looked again (0.5 s later)
        assert analysis_runs(loaded_store) == 1
        assert not Lease(loaded_store, 1.5).holders()
        # asked again with nothing written since: no run, the stored one is current
        again = services[1].wait(services[1].request(), 60)
        assert again.current == ran[0].info.run and analysis_runs(loaded_store) == 1
    finally:
        for service in services:
            service.close()


def test_a_service_without_the_lease_runs_whatever_is_stored(loaded_store):
    """The embedded store (one process): no lease, every run asked for runs."""
    from crossinnov.analysis.service import AnalysisService

    service = AnalysisService(loaded_store, Settings(), separate_process=False)
    try:
        service.run_now()
        service.run_now()
        assert analysis_runs(loaded_store) == 2
        assert not loaded_store.select("SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
                                       g=loaded_store.iris.lease_graph)
    finally:
        service.close()


def test_a_run_whose_lease_was_lost_writes_nothing(loaded_store, monkeypatch):
    """A server paused past its lease's end (another took it and may be running): its run
    must not write over the other's."""
    from crossinnov.analysis.lease import Lease
    from crossinnov.analysis.service import AnalysisService

    lease = Lease(loaded_store, 60, holder="paused")
    monkeypatch.setattr(lease, "renew", lambda: False)  # found gone when asked before writing
    service = AnalysisService(loaded_store, Settings(), separate_process=False, lease=lease)
    try:
        outcome = service.wait(service.request(), 120)
        assert outcome.error is not None and "lease was lost" in outcome.error
        assert analysis_runs(loaded_store) == 0
        assert not lease.holders()  # given back all the same
    finally:
        service.close()


@pytest.mark.embedded_only(reason="about the embedded store's query workers")
def test_the_background_analysis_reads_under_its_own_time_limit(tmp_path, shipped_quads):
    """The web app's analysis reads every tie through the query workers: under
    ANALYSIS_QUERY_TIMEOUT, not the public QUERY_TIMEOUT (at a million organisations its
    reads take minutes, and it failed every time). Here the public limit stops any query."""
    from crossinnov.analysis.service import AnalysisService
    from crossinnov.config import DEFAULT_BASE
    from crossinnov.iris import IRIs
    from crossinnov.stores.embedded import OxigraphStore
    from crossinnov.stores.served import ServedStore
    from crossinnov.stores.workers import PoolLimits

    disk = OxigraphStore(str(tmp_path / "store"), IRIs(DEFAULT_BASE))
    disk.add_quads(shipped_quads)
    served = ServedStore(disk, PoolLimits(public=1, internal=1, start_timeout=120), 1e-6)
    try:
        with pytest.raises(Exception, match="time limit"):
            served.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        for limit, ends in ((1e-6, "fails"), (600.0, "runs")):
            service = AnalysisService(served, Settings(analysis_query_timeout=limit),
                                      separate_process=False)
            try:
                if ends == "fails":
                    with pytest.raises(RuntimeError, match="time limit|became free within 1e-06"):
                        service.run_now()
                else:
                    assert service.run_now() is not None
            finally:
                service.close()
    finally:
        served.close()


def _write_held_at_chunk(store, monkeypatch, chunk: int):
    """Make the analysis graph a stepwise write of many small chunks, and hold the write
    when chunk ``chunk`` is about to be added: (held, release, chunks added)."""
    import threading

    from crossinnov.analysis import rdf
    from crossinnov.writes import changes

    monkeypatch.setattr(rdf, "BIG_GRAPH_MIN", 0)  # the shipped data's graph is small
    monkeypatch.setattr(changes, "ADD_CHUNK", 200)
    held, release = threading.Event(), threading.Event()
    added: list[int] = []
    real_add = store.add_quads

    def add_quads(quads):
        if len(added) + 1 == chunk:
            held.set()
            assert release.wait(60)
        real_add(quads)
        added.append(1)

    monkeypatch.setattr(store, "add_quads", add_quads)
    return held, release, added


def test_a_server_that_stops_during_the_analysis_write_stops_it_between_chunks(
        loaded_store, monkeypatch, caplog):
    """Closing the service (the server stops) while a run writes its graph: the write stops
    before its next chunk, close() returns once it has, and the log says so in words, with
    no traceback. The run's own lines come last, so the stored graph is never taken for a
    whole run: the next start runs it again (it was an AttributeError from a closed store,
    logged as a failure, when the store was closed under the write)."""
    import logging
    import threading

    from crossinnov.analysis.service import AnalysisService, analysis_is_current
    from crossinnov.web.state import analysis_is_stale
    from crossinnov.writes import changes

    # a run written whole first: the last write is an analysis, so only its graph can say
    # that the next run's write was stopped
    AnalysisService(loaded_store, Settings(), separate_process=False).run_now()
    assert analysis_is_stale(loaded_store) is False
    monkeypatch.setattr(changes, "MAX_DIFFERENCE", 0)  # replaced in steps, not as a difference
    held, release, added = _write_held_at_chunk(loaded_store, monkeypatch, chunk=3)
    service = AnalysisService(loaded_store, Settings(), separate_process=False)
    caplog.set_level(logging.INFO, logger="crossinnov.analysis")
    ticket = service.request()
    assert held.wait(120), "the run never reached its third chunk"
    closed: list[bool] = []
    closing = threading.Thread(target=lambda: closed.append(service.close(wait=60)))
    closing.start()
    with service._cond:  # noqa: SLF001 - close() sets _closed under it and notifies
        assert service._cond.wait_for(lambda: service._closed, 30), "close() never began"
    release.set()
    closing.join(90)
    assert closed == [True]
    assert len(added) == 3  # the held chunk went in; the next was never started
    outcome = service.wait(ticket, 1)
    assert outcome is not None and outcome.info is None
    assert "WriteStopped" in outcome.error
    said = [r for r in caplog.records if r.name == "crossinnov.analysis"]
    assert [r.levelno for r in said] == [logging.INFO]
    assert "analysis run stopped with the server" in said[0].getMessage()
    assert said[0].exc_info is None
    assert analysis_is_current(loaded_store) is None  # a run is needed: none is taken as whole
    assert analysis_is_stale(loaded_store) is True  # and the next start runs it


def test_a_run_that_outlasts_the_close_wait_meets_the_closed_store_quietly(
        loaded_store, monkeypatch, caplog):
    """Past CLOSE_WAIT the server closes the store anyway; the run still going then fails on
    it, and that is said as a stop, not as a failure with a traceback."""
    import logging

    from crossinnov.analysis.service import AnalysisService

    held, release, _ = _write_held_at_chunk(loaded_store, monkeypatch, chunk=2)
    service = AnalysisService(loaded_store, Settings(), separate_process=False)
    caplog.set_level(logging.INFO, logger="crossinnov.analysis")
    ticket = service.request()
    assert held.wait(120)
    assert service.close(wait=0.2) is False  # held: still going
    loaded_store.close()
    release.set()
    assert service.settle(60)  # wait() answers at once on a closed service
    assert service.wait(ticket, 0) is not None and service.last_error
    said = [r for r in caplog.records if r.name == "crossinnov.analysis"]
    assert [r.levelno for r in said] == [logging.INFO], [r.getMessage() for r in said]
    assert "analysis run stopped with the server" in said[0].getMessage()


def test_a_closed_service_abandons_a_run_before_its_write(loaded_store, monkeypatch):
    """Closed while the run reads or computes, the run writes nothing at all."""
    import threading

    from crossinnov.analysis import service as service_module
    from crossinnov.analysis.service import AnalysisService

    graph = loaded_store.iris.analysis_graph
    before = sorted(map(str, loaded_store.quads(graph.value)))
    computing, release = threading.Event(), threading.Event()
    real_compute = service_module.compute

    def compute(inputs, settings):
        computing.set()
        assert release.wait(60)
        return real_compute(inputs, settings)

    monkeypatch.setattr(service_module, "compute", compute)
    service = AnalysisService(loaded_store, Settings(), separate_process=False)
    ticket = service.request()
    assert computing.wait(120)
    threading.Timer(0.3, release.set).start()
    assert service.close(wait=60) is True
    outcome = service.wait(ticket, 1)
    assert outcome is not None and "abandoned before its write" in outcome.error
    assert sorted(map(str, loaded_store.quads(graph.value))) == before
