"""Group commit: writers that commit at about the same time share one flush.

A flush makes durable everything committed before it *began*. A writer that has
committed calls :meth:`GroupFlush.sync`, which returns once a flush that began after
the call has ended:

- when no flush is running, the caller runs one itself;
- when one is running, it may have begun before the caller committed, so it does
  not count: the caller waits for it to end, and then one of the callers that
  waited runs the next flush, for all of them.

So under load a flush is running nearly all the time and each covers every writer
that committed while the one before it ran; alone, a writer waits for its own flush
only, as before. No writer is ever released by a flush that began before its call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from crossinnov.stores.base import StoreError

log = logging.getLogger(__name__)

#: failed flushes remembered for the callers that waited for them
_FAILURES_KEPT = 64


class GroupFlush:
    """Run ``flush`` for whoever calls :meth:`sync`, one flush at a time, shared."""

    def __init__(self, flush: Callable[[], None]) -> None:
        self._flush = flush
        self._cond = threading.Condition()
        self._started = 0  # flushes begun
        self._finished = 0  # flushes ended: one runs at a time, so they end in order
        self._running = False
        self._waiting = 0  # callers waiting for a flush to end
        # why flushes failed, by number (words only: a traceback would keep the failed
        # caller's frames alive in other threads)
        self._failures: dict[int, str] = {}

    @property
    def flushes(self) -> int:
        """How many flushes have begun (the callers share them)."""
        with self._cond:
            return self._started

    @property
    def waiting(self) -> int:
        """How many callers are waiting for a flush that someone else runs."""
        with self._cond:
            return self._waiting

    def sync(self) -> None:
        """Return once a flush that began after this call has ended.

        The caller that runs the flush gets its exception; the others that waited for it
        get a :class:`~crossinnov.stores.base.StoreError` (nothing tells them their write
        is durable).
        """
        with self._cond:
            wanted = self._started + 1  # the first flush to begin from now on
            while self._finished < wanted:
                if not self._running:
                    self._running = True
                    self._started += 1
                    number = self._started
                    break
                self._waiting += 1
                try:
                    self._cond.wait()
                finally:
                    self._waiting -= 1
            else:
                failure = self._failures.get(wanted)
                if failure is not None:
                    raise StoreError(f"the store could not be flushed: {failure}")
                return
        try:
            self._flush()
        except BaseException as exc:
            with self._cond:
                self._failures[number] = f"{type(exc).__name__}: {exc}"
                self._failures.pop(number - _FAILURES_KEPT, None)
            raise
        finally:
            with self._cond:
                self._running = False
                self._finished = number
                self._cond.notify_all()


class OncePaused:
    """Run ``action`` in a thread of its own once calls to :meth:`poke` have paused
    ``delay`` seconds, and at the latest ``longest`` seconds after the first of them.

    For work a burst of writes makes due but that need not (and should not) share the
    machine with the burst: one run after it, not one per write.
    """

    def __init__(self, action: Callable[[], None], delay: float, longest: float,
                 name: str) -> None:
        self._action, self._delay, self._longest, self._name = action, delay, longest, name
        self._cond = threading.Condition()
        self._first: float | None = None  # the first poke since the last run
        self._last = 0.0
        self._closed = False
        self._thread: threading.Thread | None = None
        #: how many times the action has run (for the tests)
        self.runs = 0

    def poke(self) -> None:
        with self._cond:
            if self._closed:
                return
            now = time.monotonic()
            self._first = now if self._first is None else self._first
            self._last = now
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True,
                                                name=self._name)
                self._thread.start()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    if self._first is None:
                        self._cond.wait()
                        continue
                    due = min(self._last + self._delay, self._first + self._longest)
                    if time.monotonic() >= due:
                        break
                    self._cond.wait(due - time.monotonic())
                self._first = None
            try:
                self._action()
            except Exception as exc:  # noqa: BLE001 - a thread of its own: say it, go on
                log.warning("%s failed: %s", self._name, exc)
            self.runs += 1

    def close(self) -> None:
        """Run no more (a run under way is waited for)."""
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(60)
