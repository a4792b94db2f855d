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

import threading
from collections.abc import Callable

from crossinnov.stores.base import StoreError

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
