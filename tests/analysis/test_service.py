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
