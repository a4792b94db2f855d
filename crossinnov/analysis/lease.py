"""A lease on the analysis, kept in the store: servers that share one store run it once.

Several ``crossinnov serve`` processes over one external store each keep an
:class:`~crossinnov.analysis.service.AnalysisService`; before a run, each takes the lease
in the store's graph ``{base}graph/system/analysis-lease`` (:attr:`IRIs.lease_graph`).
There a holder's lease is one node, ``{graph}#{random}``, with its holder's id
(``rdfs:label``, "host:pid:random"), when it was taken (``prov:generatedAtTime``) and when
it ends (``prov:invalidatedAtTime``). The holder renews it while its run lasts and removes
it at the end; a holder that crashed leaves it behind, and it counts for nothing once it
has ended (the next taker removes it).

Taking it (:meth:`Lease.acquire`) is two steps:

1. one update request (``lease_take.ru``): drop the ended leases, then add this holder's
   only when no other live lease is there — a ``DELETE``/``INSERT … WHERE`` whose
   condition is read in the operation itself;
2. read the graph back: the lease is held when this holder's is the only live one.

Step 1 alone is not enough: two takers at once may both find no lease and both add theirs
(Virtuoso commits each operation on its own, and no engine promises that two concurrent
requests are serialised). Step 2 settles it: each taker reads after its own insert
committed, so of two that both got in, the one that reads last sees both. Whoever sees a
lease beside its own gives its own back (and tries again a moment later, at most
:data:`ATTEMPTS` times): at most one holder can ever find itself alone. The times are
the servers' clocks: they must agree to well within the lease's length.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from crossinnov.sparql.queries import QUERIES, term
from crossinnov.stores.base import Store
from crossinnov.writes.changes import datetime_literal

log = logging.getLogger("crossinnov.analysis")

#: how many times a taker that met another at the same moment tries again
ATTEMPTS = 3


def holder_id() -> str:
    """An id no other process shares: host, process id, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _when(value: ox.Literal) -> datetime:
    moment = datetime.fromisoformat(value.value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Holder:
    """Who holds a lease, since when, until when."""

    id: str
    since: datetime
    until: datetime

    def as_dict(self) -> dict:
        return {"holder": self.id, "since": self.since.isoformat(),
                "until": self.until.isoformat()}


class Lease:
    """The analysis lease of one holder (one server process) on one store.

    :param seconds: how long the lease lasts unless renewed (``analysis_lease_seconds``)
    :param clock: the time now (tests move it)
    """

    def __init__(self, store: Store, seconds: float, *, holder: str | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store.of_record()
        self.seconds = seconds
        self.id = holder or holder_id()
        self.graph = store.iris.lease_graph
        self.node = ox.NamedNode(f"{self.graph.value}#{secrets.token_hex(8)}")
        self.clock = clock

    # --- reading ---------------------------------------------------------------------------

    def holders(self) -> list[Holder]:
        """The live leases (normally one, or none), oldest first."""
        now = self.clock()
        found = []
        for row in self.store.select(QUERIES["lease_holders"], graph=self.graph):
            held = Holder(row["holder"].value, _when(row["since"]), _when(row["until"]))
            if held.until > now:
                found.append(held)
        return found

    # --- taking, keeping, giving back ------------------------------------------------------

    def acquire(self) -> Holder | None:
        """Take the lease: None when it is now this holder's, else who else holds it."""
        met: Holder | None = None
        for attempt in range(ATTEMPTS):
            now = self.clock()
            self.store.update(QUERIES.render(
                "lease_take", graph=term(self.graph), node=term(self.node),
                holder=term(ox.Literal(self.id)), now=term(datetime_literal(now)),
                until=term(datetime_literal(now + timedelta(seconds=self.seconds)))))
            live = self.holders()
            mine = any(h.id == self.id for h in live)
            others = [h for h in live if h.id != self.id]
            if mine and not others:
                return None
            if others and not mine:
                return others[0]
            if others:  # another taker got in at the same moment: both give way, then retry
                log.info("analysis lease: %s took it at the same moment", others[0].id)
                self.release()
                met = others[0]
            # else the lease that kept ours out was given back before we read: retry
            if attempt + 1 < ATTEMPTS:
                time.sleep(random.uniform(0.05, 0.3))  # noqa: S311 (spreading, not secrets)
        return met or Holder("another server", self.clock(), self.clock())

    def renew(self) -> bool:
        """Move the lease's end on; False when this holder no longer holds it."""
        until = self.clock() + timedelta(seconds=self.seconds)
        self.store.update(QUERIES.render("lease_renew", graph=term(self.graph),
                                         node=term(self.node),
                                         until=term(datetime_literal(until))))
        return any(h.id == self.id for h in self.holders())

    def release(self) -> None:
        """Give the lease back (nothing happens when this holder holds none)."""
        self.store.update(QUERIES.render("lease_release", graph=term(self.graph),
                                         node=term(self.node)))

    @contextlib.contextmanager
    def renewing(self) -> Iterator[None]:
        """Keep the lease (renewed every third of its length) while the block runs."""
        stop = threading.Event()

        def keep() -> None:
            while not stop.wait(self.seconds / 3):
                try:
                    if not self.renew():
                        log.warning("analysis lease of %s lost while its run went on (a "
                                    "pause longer than ANALYSIS_LEASE_SECONDS?)", self.id)
                        return
                except Exception as exc:  # the store may be away a moment: try next time
                    log.warning("analysis lease not renewed: %s", exc)

        thread = threading.Thread(target=keep, daemon=True, name="crossinnov-analysis-lease")
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=10)


class LeaseHeld(Exception):
    """Another holder has the analysis lease: it runs the analysis."""

    def __init__(self, holder: Holder) -> None:
        super().__init__(f"the analysis is running on {holder.id} (its lease lasts until "
                         f"{holder.until.isoformat(timespec='seconds')}); its result will be "
                         "in the store")
        self.holder = holder


def lease_for(store: Store, seconds: float) -> Lease | None:
    """The analysis lease of this process on ``store`` when the store is external (several
    processes may run the analysis on it); None for the embedded store (one process)."""
    from crossinnov.stores.remote import RemoteStore

    return Lease(store, seconds) if isinstance(store, RemoteStore) else None


@contextlib.contextmanager
def held(lease: Lease | None) -> Iterator[Callable[[], bool] | None]:
    """Take the lease, keep it while the block runs, give it back at the end.

    Yields the check to make just before writing a result (False: the lease was lost), or
    None without a lease. Raises :class:`LeaseHeld` when another holder has it.
    """
    if lease is None:
        yield None
        return
    holder = lease.acquire()
    if holder is not None:
        raise LeaseHeld(holder)
    try:
        with lease.renewing():
            yield lease.renew
    finally:
        lease.release()
