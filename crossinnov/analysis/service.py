"""Keep the analysis current in the web app: re-run after writes (debounced), never blocking.

The network is read in a background thread (through the query workers), the
computation runs in a separate process (so the web process's threads keep
answering), and the results are written in one transaction. Runs never
overlap; writes that come while one runs schedule one more run.

Over an external store several servers may keep a service each: then a run first takes the
lease kept in the store (:mod:`crossinnov.analysis.lease`). A server that does not get it
runs nothing, says who holds it, and looks again a debounce later: by then the holder has
written its result (the analysis graph, which every server reads), and the run is only
needed if a write came after the stored run read its input (:func:`analysis_is_current`).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing as mp
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyoxigraph as ox

from crossinnov.analysis import AnalysisResult, AnalysisTooBig, check_memory, compute, gather
from crossinnov.analysis.lease import Holder, Lease, LeaseHeld, held
from crossinnov.analysis.rdf import write_result
from crossinnov.config import Settings
from crossinnov.namespaces import XSD
from crossinnov.sparql.queries import QUERIES
from crossinnov.stores.base import Store

log = logging.getLogger("crossinnov.analysis")

#: a write recorded this long before a run started counts as after it: a write's time is
#: taken when it starts, and it may commit after the run read the store (or come from a
#: server whose clock is behind). So a write made just before a run may cost one more run
WRITE_MARGIN = timedelta(seconds=1)

#: seconds :meth:`AnalysisService.close` waits for a run going on to stop (a run stops at its
#: next step: before its computation, before its write, between the write's chunks)
CLOSE_WAIT = 10.0


class Stopped(RuntimeError):
    """The service was closed (the server stops): the run was abandoned at a step."""


def analysis_is_current(store: Store) -> str | None:
    """The stored run's IRI when no write but analyses came after it read the store (less
    :data:`WRITE_MARGIN`); None when a run is needed."""
    runs = store.select(QUERIES["report_run"], analysis=store.iris.analysis_graph)
    if not runs:
        return None
    started = datetime.fromisoformat(runs[0]["started"].value.replace("Z", "+00:00"))
    since = ox.Literal((started - WRITE_MARGIN).isoformat().replace("+00:00", "Z"),
                       datatype=XSD.dateTime)
    later = store.select(QUERIES["changes_after"], changelog=store.iris.changelog_graph,
                         since=since)
    return None if later else runs[0]["run"].value


def _compute_child(inputs, settings: Settings, out) -> None:
    try:
        result = compute(inputs, settings, parallel=True)  # a process of its own: it may fork
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


@dataclass
class Outcome:
    """How the run that answered a request ended: its info, or its error; or, over a shared
    store, why there was none (another server holds the lease; the stored run is current)."""

    info: RunInfo | None = None
    error: str | None = None
    #: the lease met: another server runs the analysis (its result is what is served)
    elsewhere: Holder | None = None
    #: the stored run (its IRI) came after every write: no run was needed
    current: str | None = None


class AnalysisService:
    """Runs the analysis on demand and after writes: at most one run, and one more pending.

    However many ask while a run goes on, one more run follows it (it will see
    every write made until it starts), so requests never queue up. Each request
    gets a ticket: the number of the run whose end answers it.
    """

    def __init__(self, store: Store, settings: Settings, *, separate_process: bool = True,
                 lease: Lease | None = None) -> None:
        self.store = store
        self.settings = settings
        self.separate_process = separate_process
        #: the lease of servers sharing the store (None: this process is alone on it)
        self.lease = lease
        self._cond = threading.Condition()  # over an RLock: request() may run under it
        #: when the run that writes asked for is due (time.monotonic()); None: none asked
        self._due: float | None = None
        # one thread waits for the due runs, for the service's whole life: a write that
        # schedules a run only moves the time (a thread started per write cost a write up
        # to 20 ms on a busy machine: starting waits until the new thread runs)
        self._debouncer: threading.Thread | None = None
        self._running = False
        self._pending = False
        self._started = 0  # number of the run going on (or the last one)
        self._outcomes: dict[int, Outcome] = {}
        self.last: RunInfo | None = None
        self.last_error: str | None = None
        #: who held the lease when this service last looked, if not this one
        self.elsewhere: Holder | None = None
        self.listeners: list = []  # called with the result after each run
        self._closed = False

    def _compute(self, still_held: Callable[[], bool] | None = None) -> RunInfo:
        """Read, compute, write one run; ``still_held`` (the lease's renewal) is asked just
        before the write: a run whose lease was lost (this process paused past its end, and
        another server took it) writes nothing."""
        started = time.monotonic()
        self._stop_if_closed("before it read the store")
        check_memory(self.store, self.settings)
        # read through the background lane: the workers kept for pages stay free; under a
        # time limit of its own (the public one, QUERY_TIMEOUT, is for one query someone
        # sent: the analysis reads every tie, minutes at a million organisations)
        reader = self.store.in_lane("background").limited(self.settings.analysis_query_timeout)
        inputs = gather(reader, self.settings)
        if self.separate_process:
            result = compute_elsewhere(inputs, self.settings)
        else:
            result = compute(inputs, self.settings)
        self._stop_if_closed("before its write")
        if still_held is not None and not still_held():
            raise RuntimeError("the analysis lease was lost during the run (another server "
                               "took it): its result was not written")
        write_result(self.store, result, proceed=lambda: not self._closed)
        info = RunInfo(result.run, len(result.clusters), result.nodes,
                       time.monotonic() - started)
        log.info("analysis %s: %d clusters of %d organisations in %.1f s", info.run,
                 info.clusters, info.organisations, info.seconds)
        for listener in self.listeners:
            listener(result)
        return info

    def _stop_if_closed(self, when: str) -> None:
        if self._closed:
            raise Stopped(f"the server stopped: the analysis run was abandoned {when}")

    def _run(self) -> Outcome:
        """One run; over a shared store, only with the lease and when the stored one is old."""
        if self.lease is None:
            return Outcome(info=self._compute())
        try:
            with held(self.lease) as still_held:
                self.elsewhere = None
                current = analysis_is_current(self.store)
                if current is not None:
                    return Outcome(current=current)
                return Outcome(info=self._compute(still_held=still_held))
        except LeaseHeld as exc:
            self.elsewhere = exc.holder
            log.info("%s; looking again later", exc)
            # look again when the holder has renewed once more (or its lease has ended): by
            # then its result may be stored, and this server has nothing to run
            self.schedule(min(self.settings.analysis_debounce, self.lease.seconds / 3))
            return Outcome(elsewhere=exc.holder)

    def request(self) -> int:
        """Ask for a run that starts now or after the present one; return its ticket."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the analysis service is closed")
            if self._running:
                self._pending = True
                return self._started + 1
            self._running = True
            self._started += 1
            ticket = self._started
        threading.Thread(target=self._loop, daemon=True, name="crossinnov-analysis").start()
        return ticket

    def _loop(self) -> None:
        while True:
            with self._cond:
                number = self._started
            try:
                outcome = self._run()
                if outcome.info is not None:
                    self.last = outcome.info
                if outcome.error is None:
                    self.last_error = None
            except AnalysisTooBig as exc:  # said in words; nothing went wrong
                log.warning("%s", exc)
                outcome = Outcome(error=str(exc))
                self.last_error = outcome.error
            except Exception as exc:  # a failed background run must not take the app down
                if self._closed:  # stopped with the server (or met its closed store)
                    log.info("analysis run stopped with the server: %s: %s",
                             type(exc).__name__, exc)
                else:
                    log.exception("analysis run failed")
                outcome = Outcome(error=f"{type(exc).__name__}: {exc}")
                self.last_error = outcome.error
                del exc
                # a failure's traceback may hold pyoxigraph answers in reference cycles;
                # they must be dropped in the thread that made them, so collect them here
                gc.collect()
            with self._cond:
                self._outcomes[number] = outcome
                for old in [n for n in self._outcomes if n < number - 10]:
                    del self._outcomes[old]
                if self._pending and not self._closed:
                    self._pending = False
                    self._started += 1
                else:
                    self._running = False
                self._cond.notify_all()
                if not self._running:
                    return

    def wait(self, ticket: int, timeout: float | None) -> Outcome | None:
        """Wait for the run of ``ticket`` to end; None if it has not ended in ``timeout`` s."""
        with self._cond:
            self._cond.wait_for(lambda: ticket in self._outcomes or self._closed, timeout)
            return self._outcomes.get(ticket)

    def run_now(self) -> RunInfo:
        """Ask for a run and wait for it; raise its error."""
        outcome = self.wait(self.request(), None)
        if outcome is None or outcome.info is None:
            raise RuntimeError(outcome.error if outcome else "the analysis service closed")
        return outcome.info

    def start(self) -> None:
        """Run in the background now (or after the run going on)."""
        self.request()

    def status(self) -> dict:
        with self._cond:
            return {"running": self._running, "pending": self._pending,
                    # seconds until a run is due (after a write's debounce, or to look
                    # at the lease again); None: none is
                    "scheduled": (None if self._due is None else
                                  round(max(0.0, self._due - time.monotonic()), 1)),
                    "last_error": self.last_error,
                    "elsewhere": self.elsewhere.as_dict() if self.elsewhere else None}

    def settle(self, timeout: float) -> bool:
        """Wait until no run is going on or scheduled; False if that takes over ``timeout`` s.

        For whoever must read the store between runs (tests that compare it before and
        after a refused write; a shutdown that wants the last run written).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._running or (self._due is not None and not self._closed):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.5))
            return True

    def schedule(self, delay: float | None = None) -> None:
        """Run after ``analysis_debounce`` seconds (or ``delay``) without further writes."""
        with self._cond:
            if self._closed:
                return
            wait = self.settings.analysis_debounce if delay is None else delay
            before, self._due = self._due, time.monotonic() + wait
            # the debouncer waits for a time: a word only when the new one comes sooner
            idle = before is None or self._due < before
            if self._debouncer is None:
                self._debouncer = threading.Thread(target=self._debounce, daemon=True,
                                                   name="crossinnov-analysis-debounce")
                self._debouncer.start()
            elif idle:
                self._cond.notify_all()

    def _debounce(self) -> None:
        """Ask for a run when the time :meth:`schedule` set has come; wait for the next."""
        with self._cond:
            while not self._closed:
                if self._due is None:
                    self._cond.wait()
                    continue
                remaining = self._due - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                # under the lock, so settle() never sees neither a due run nor a running one
                self._due = None
                with contextlib.suppress(RuntimeError):
                    self.request()

    def close(self, wait: float = CLOSE_WAIT) -> bool:
        """Run nothing more; let a run going on stop at its next step, waiting up to ``wait``
        seconds for it. True when none is going on any more (the store may be closed)."""
        with self._cond:
            self._closed = True
            self._due = None
            self._cond.notify_all()
            return self._cond.wait_for(lambda: not self._running, wait)
