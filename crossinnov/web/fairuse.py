"""Fair use of the public SPARQL endpoint: a few queries per client, a short bounded queue.

Every ``/sparql`` query passes :class:`PublicGate` before it is sent to a query
worker. A client (its address, or the address a trusted proxy reports) may have
``per_client`` queries running or waiting at once (429 beyond); at most
``slots`` run at once and ``queue`` more wait, each for at most ``wait`` seconds
(503 beyond). Pages, the API and writes never pass the gate, and the workers
keep a lane for them (:mod:`crossinnov.stores.workers`), so a crowd at ``/sparql``
cannot hold up the rest of the site, nor all the server's request threads.
"""

from __future__ import annotations

import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager


class Refused(Exception):
    """A query not admitted now: ``status`` 429 (this client) or 503 (everyone)."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class PublicGate:
    """Admits public queries: per-client concurrency, running slots, a bounded queue."""

    def __init__(self, *, slots: int, queue: int, per_client: int, wait: float) -> None:
        self.slots = max(1, slots)
        self.queue = max(0, queue)
        self.per_client = max(1, per_client)
        self.wait = wait
        self._cond = threading.Condition()
        self._running = 0
        self._waiting = 0
        self._clients: Counter[str] = Counter()

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(min(self.wait, 10.0)))

    @contextmanager
    def admit(self, client: str) -> Iterator[None]:
        """Hold a running slot for one query of ``client``; raise :class:`Refused` if none."""
        with self._cond:
            if self._clients[client] >= self.per_client:
                raise Refused(429, f"too many queries at once from your address: at most "
                                   f"{self.per_client} may run or wait at a time; wait for "
                                   "one to finish", 1)
            if self._running >= self.slots and self._waiting >= self.queue:
                raise Refused(503, "the SPARQL endpoint is busy: every query worker is "
                                   f"answering and {self._waiting} queries are waiting; try "
                                   "again shortly", self.retry_after)
            self._clients[client] += 1
            self._waiting += 1
            deadline = time.monotonic() + self.wait
            try:
                while self._running >= self.slots:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        self._leave(client)
                        raise Refused(503, "the SPARQL endpoint is busy: no query worker "
                                           f"became free within {self.wait:g} s; try again "
                                           "shortly", self.retry_after)
                    self._cond.wait(remaining)
            finally:
                self._waiting -= 1
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._leave(client)
                self._cond.notify()

    def _leave(self, client: str) -> None:
        self._clients[client] -= 1
        if self._clients[client] <= 0:
            del self._clients[client]

    def status(self) -> dict[str, int]:
        with self._cond:
            return {"running": self._running, "waiting": self._waiting,
                    "clients": len(self._clients)}


class Interval:
    """At most one request per ``seconds`` for each key (an organisation, say)."""

    def __init__(self, seconds: float, what: str, *, max_keys: int = 10_000) -> None:
        self.seconds = seconds
        self.what = what
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}

    def check(self, key: str) -> None:
        """Count a request of ``key`` now; raise :class:`Refused` (429) if it comes too soon."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.seconds:
                wait = math.ceil(self.seconds - (now - last))
                raise Refused(429, f"{self.what} may be asked for once every {self.seconds:g} s "
                                   f"with this token; try again in {wait} s", wait)
            self._last.pop(key, None)
            self._last[key] = now
            while len(self._last) > self.max_keys:  # the oldest first (dicts keep order)
                del self._last[next(iter(self._last))]
