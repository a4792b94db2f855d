"""The store as ``crossinnov serve`` uses it: the disk store, answered by worker replicas.

:class:`ServedStore` is a :class:`~crossinnov.stores.embedded.Store`: reads go to the
query workers (in-memory replicas, each query under the time limit), writes go
to the durable on-disk store first and then, in order, to every worker.
"""

from __future__ import annotations

import copy
import logging
import sys

import pyoxigraph as ox

from crossinnov.config import MEMORY_STORE
from crossinnov.sparql.answers import Answer, QueryRejected, QuerySpec
from crossinnov.stores.base import INTERNAL, Store, StoreError, WriteVersion
from crossinnov.stores.embedded import OxigraphStore
from crossinnov.stores.workers import (
    PoolLimits,
    Source,
    WorkerPool,
    available_memory,
    choose_replicas,
)

log = logging.getLogger("crossinnov.stores.served")


def parse_answer(answer: Answer):
    """Turn an answer written as SPARQL JSON results or N-Triples back into pyoxigraph objects."""
    data = answer.read()
    if answer.kind == "graph":
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)


class ServedStore(Store):
    """An on-disk store whose reads are answered by a pool of worker processes."""

    def __init__(self, disk: OxigraphStore, limits: PoolLimits, timeout: float) -> None:
        self.disk = disk
        self.iris = disk.iris
        self.location = disk.location
        self.timeout = timeout
        #: the workers' lane of this store's own queries (see in_lane)
        self.lane = INTERNAL
        self.limits = limits
        self.writes = WriteVersion()
        self.pool = WorkerPool(self._source, limits)
        self._choice: tuple[str, str] | None = None
        #: (version, quads) of the last count: counting takes seconds at millions of quads
        self._count: tuple[str, int] | None = None
        if disk.location != MEMORY_STORE and self._choose()[0] == "memory" \
                and self._quads >= limits.warm_from:
            # a big replica takes minutes to load: the workers read the disk until it is in
            self.pool.start(lambda _: Source("disk", self.disk.location))
            self.pool.warm_beside()
        else:
            self.pool.start()

    def _choose(self) -> tuple[str, str]:
        """Where the workers read, and why (:func:`choose_replicas`), chosen once per start."""
        if self._choice is None:
            self._quads = len(self)
            self._choice = choose_replicas(self.limits.replicas, self._quads,
                                           available_memory(), self.limits.replica_share,
                                           self.limits.public + self.limits.internal)
        return self._choice

    def in_lane(self, lane: str) -> ServedStore:
        """The same store, whose own queries go to the workers of ``lane`` (never close it)."""
        view = copy.copy(self)
        view.lane = lane
        return view

    def limited(self, seconds: float) -> ServedStore:
        """The same store, its queries stopped after ``seconds`` (never close it)."""
        view = copy.copy(self)
        view.timeout = seconds
        return view

    def _source(self, scratch: str) -> Source:
        """Where a fresh template's replica comes from (see :func:`choose_replicas`)."""
        if self.disk.location == MEMORY_STORE:  # a store in memory: its quads, written out
            with open(scratch, "wb") as fh:
                self.disk.native.dump(fh, ox.RdfFormat.N_QUADS)
            return Source("nquads", scratch)
        mode, why = self._choose()
        log.info("query workers read from %s", why)
        if mode == "disk":
            return Source("disk", self.disk.location)
        # a checkpoint: hard links to the store's files, consistent, made in milliseconds;
        # the template copies its quads into memory without serialising them
        self.disk.native.backup(scratch)
        return Source("checkpoint", scratch)

    def of_record(self) -> OxigraphStore:
        """The durable disk store itself (see :meth:`Store.of_record`)."""
        return self.disk

    def scans(self) -> OxigraphStore:
        """The durable disk store itself (see :meth:`Store.scans`)."""
        return self.disk

    def answer(self, spec: QuerySpec, timeout: float | None = None, lane: str | None = None
               ) -> Answer:
        return self.pool.query(spec, self.timeout if timeout is None else timeout,
                               lane or self.lane)

    def health(self) -> dict:
        """Whether the durable store answers, and the workers' state; waits for no query."""
        return {"store": bool(self.disk.ask("ASK { ?s ?p ?o }")), "workers": self.pool.status()}

    def query(self, sparql, *, bindings=None, default_graph=None, named_graphs=None):
        spec = QuerySpec(sparql, default_graph, named_graphs, dict(bindings or {}) or None,
                         "json", "ntriples", sys.maxsize)
        try:
            return parse_answer(self.answer(spec))
        except QueryRejected as exc:
            if exc.kind == "syntax":
                raise SyntaxError(str(exc)) from exc
            raise StoreError(str(exc)) from exc

    def version(self) -> str | None:
        """Changes with every write, before the disk has it and after every worker has."""
        return self.writes.tag()

    def update(self, sparql: str) -> None:
        with self.writes.writing(), self.pool.write_lock:
            self.disk.update(sparql)
            self.pool.broadcast(sparql)

    def add_quads(self, quads, *, bulk=False):
        with self.writes.writing():
            if bulk:  # a bulk load: the workers start again from a fresh snapshot
                with self.pool.write_lock:
                    self.disk.add_quads(quads, bulk=True)
                    self._choice = None  # chosen again for the new size
                self.pool.reload()
                return
            quads = list(quads)
            with self.pool.write_lock:
                self.disk.add_quads(quads)
                self.pool.broadcast_quads(ox.serialize(quads, None, ox.RdfFormat.N_QUADS))

    def quads(self, graph=None):
        return self.disk.quads(graph)

    def graph_ntriples(self, graph):
        return self.disk.graph_ntriples(graph)

    def named_graphs(self):
        return self.disk.named_graphs()

    def dump(self, output, fmt, *, prefixes):
        self.disk.dump(output, fmt, prefixes=prefixes)

    def __len__(self) -> int:
        """The quads, counted once per version (the start's count serves the first
        ``/healthz``; a count begun before a write is kept under a version gone after it)."""
        version, count = self.version(), self._count
        if count is not None and count[0] == version:
            return count[1]
        quads = len(self.disk)
        self._count = (version, quads)
        return quads

    def is_empty(self) -> bool:
        return self.disk.is_empty()

    def flush(self) -> None:
        """Write the disk store's memory tables to its files (durable past a power cut)."""
        self.disk.flush()

    def sync(self) -> None:
        """Sync the disk store's write-ahead log (see :meth:`OxigraphStore.sync`)."""
        self.disk.sync()

    def close(self) -> None:
        self.pool.close()
        self.disk.close()
