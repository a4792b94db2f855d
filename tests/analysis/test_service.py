"""The analysis service (crossinnov.analysis.service): runs scheduled after writes, debounced,
and settled on request.
"""

from __future__ import annotations

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
        assert service.status() == {"running": False, "pending": False,
                                    "last_error": None}  # not yet started
        assert service.settle(120)
        assert service.status() == {"running": False, "pending": False, "last_error": None}
        assert service.last is not None and service.last_error is None
    finally:
        service.close()


def test_writes_move_one_waiting_time_and_each_quiet_spell_gets_its_run(loaded_store):
    """Many writes in a row give one run after them, and a write after that run gives
    another; one thread waits for the due runs, whatever the number of writes."""
    import threading
    import time

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
    from crossinnov.analysis import ANALYSIS_BYTES_PER_QUAD, AnalysisTooBig, check_memory

    need = len(loaded_store) * ANALYSIS_BYTES_PER_QUAD
    fits = Settings(analysis_memory_share=0.5)
    check_memory(loaded_store, fits, available=2 * need)  # just fits: no error
    with pytest.raises(AnalysisTooBig):
        check_memory(loaded_store, fits, available=2 * need - 2)
    check_memory(loaded_store, Settings(analysis_memory_share=0), available=1)  # 0: no check
