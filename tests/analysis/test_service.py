"""The analysis service (crossinnov.analysis.service): runs scheduled after writes, debounced,
and settled on request.
"""

from __future__ import annotations

from crossinnov.config import Settings


def test_settle_waits_for_a_scheduled_run_and_the_run(loaded_store):
    """A write schedules a run after the debounce; settle() returns once it is written."""
    from crossinnov.analysis.service import AnalysisService

    service = AnalysisService(loaded_store, Settings(analysis_debounce=0.2),
                              separate_process=False)
    try:
        assert service.settle(1)  # nothing going on
        service.schedule()
        assert service.status() == {"running": False, "pending": False}  # not yet started
        assert service.settle(120)
        assert service.status() == {"running": False, "pending": False}
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
