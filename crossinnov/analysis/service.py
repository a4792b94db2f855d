"""Keep the analysis current in the web app: re-run after writes (debounced), never blocking.

The network is read in a background thread (through the query workers), the
computation runs in a separate process (so the web process's threads keep
answering), and the results are written in one transaction. Runs never
overlap; writes that come while one runs schedule one more run.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import threading
import time
import queue
from dataclasses import dataclass

from crossinnov.analysis import AnalysisResult, compute, gather
from crossinnov.analysis.rdf import write_result
from crossinnov.config import Settings
from crossinnov.store import Store

log = logging.getLogger("crossinnov.analysis")


def _compute_child(inputs, settings: Settings, out) -> None:
    try:
        result = compute(inputs, settings)
        result.network = None  # the parent has it; do not send it back
        out.put(("ok", result))
    except Exception as exc:  # reported in the parent
        out.put(("error", f"{type(exc).__name__}: {exc}"))


def compute_elsewhere(inputs, settings: Settings) -> AnalysisResult:
    """Compute in a fresh process that ends with the run (so none outlives the server)."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    child = ctx.Process(target=_compute_child, args=(inputs, settings, out), daemon=True,
                        name="crossinnov-analysis")
    child.start()
    try:
        while True:
            try:
                status, payload = out.get(timeout=1.0)
                break
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError("the analysis process ended without a result") from None
    finally:
        child.join(timeout=10)
    if status != "ok":
        raise RuntimeError(payload)
    payload.network = inputs.network
    return payload


@dataclass
class RunInfo:
    run: str
    clusters: int
    organisations: int
    seconds: float


class AnalysisService:
    """Runs the analysis on demand and after writes, one run at a time."""

    def __init__(self, store: Store, settings: Settings, *, separate_process: bool = True) -> None:
        self.store = store
        self.settings = settings
        self._run_lock = threading.Lock()
        self._state = threading.Lock()
        self._timer: threading.Timer | None = None
        self.separate_process = separate_process
        self.last: RunInfo | None = None
        self.last_error: str | None = None
        self.listeners: list = []  # called with the result after each run
        self._closed = False

    def run_now(self) -> RunInfo:
        """Run the analysis and store it; waits for a run already going on."""
        with self._run_lock:
            started = time.monotonic()
            inputs = gather(self.store, self.settings)
            if self.separate_process:
                result = compute_elsewhere(inputs, self.settings)
            else:
                result = compute(inputs, self.settings)
            write_result(self.store, result)
            info = RunInfo(result.run, len(result.clusters), result.nodes,
                           time.monotonic() - started)
            self.last, self.last_error = info, None
            log.info("analysis %s: %d clusters of %d organisations in %.1f s", info.run,
                     info.clusters, info.organisations, info.seconds)
        for listener in self.listeners:
            listener(result)
        return info

    def start(self) -> threading.Thread:
        """Run in the background now; return the thread."""
        thread = threading.Thread(target=self._safe_run, daemon=True, name="crossinnov-analysis")
        thread.start()
        return thread

    def schedule(self) -> None:
        """Run after ``analysis_debounce`` seconds without further writes."""
        with self._state:
            if self._closed:
                return
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.settings.analysis_debounce, self._safe_run)
            self._timer.daemon = True
            self._timer.start()

    def _safe_run(self) -> None:
        try:
            self.run_now()
        except Exception as exc:  # a failed background run must not take the app down
            self.last_error = f"{type(exc).__name__}: {exc}"
            log.exception("background analysis failed")

    def close(self) -> None:
        with self._state:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
