"""Query worker processes: in-memory replicas of the store that can be stopped.

pyoxigraph cannot interrupt a running query from Python, so every query of the
web app runs in a worker process; when a query overruns its time limit the
worker is killed (really stopped, whatever it was doing) and a fresh one takes
its place. Each worker holds the whole dataset in an in-memory pyoxigraph store
(answering 3-4x faster than the on-disk store), loaded from a snapshot of the
durable on-disk store; every write is applied to the disk store first and then
sent to each worker, in order, before the write is acknowledged, so a client
always reads its own writes.
"""

from __future__ import annotations

import collections
import itertools
import logging
import multiprocessing as mp
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

log = logging.getLogger("crossinnov.workers")

#: answers up to this size are read whole before the status line is sent, so an
#: error during evaluation still becomes a proper error response
BUFFER_BEFORE_HEADERS = 1_000_000
#: answer bytes a worker collects before it sends them to the web process
BATCH_BYTES = 256 * 1024


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped."""


class QueryRejected(Exception):
    """The query cannot be run: a syntax error, or an error while evaluating it."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class WorkerDied(Exception):
    """The worker process ended while answering (for example, out of memory)."""


@dataclass
class QuerySpec:
    """What a worker is asked: the query, its dataset, and how to write the answer."""

    sparql: str
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    bindings: dict[str, Any] | None = None
    select_format: str = "json"  # json, xml, csv, tsv
    graph_format: str = "ntriples"  # a name of crossinnov.rdfio.FORMATS
    max_rows: int = 100_000
    prefixes: dict[str, str] | None = None
    #: against which relative IRIs in the query are resolved (the endpoint's URL)
    base_iri: str | None = None


@dataclass
class Answer:
    """A query's answer: its kind, format, and bytes (streamed)."""

    kind: str  # "solutions", "boolean" or "graph"
    format: str
    chunks: Iterator[bytes]
    complete: bool = False  # the whole answer was read before it was handed out
    rows: int | None = None
    truncated: bool = False
    meta: dict = field(default_factory=dict)

    def read(self) -> bytes:
        return b"".join(self.chunks)


# --- the worker process ---------------------------------------------------------------------

def _run(store: ox.Store, spec: QuerySpec):
    from crossinnov.sparqltext import has_dataset_clause

    kwargs: dict[str, Any] = {}
    if spec.default_graph is not None or spec.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in spec.default_graph or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in spec.named_graphs or []]
    elif not has_dataset_clause(spec.sparql):
        kwargs["use_default_graph_as_union"] = True
    if spec.bindings:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in spec.bindings.items()}
    if spec.base_iri:
        kwargs["base_iri"] = spec.base_iri
    return store.query(spec.sparql, **kwargs)


def answer(store: ox.Store, spec: QuerySpec, emit: Callable[[tuple], None]) -> None:
    """Run one query and emit ``("head", kind, format)``, ``("chunk", bytes)``..., ``("done", meta)``.

    Errors are emitted as ``("error", kind, message)``, also after some chunks
    (evaluation is lazy: a type error may come while the answer is written).
    """
    from crossinnov.results import write_answer

    try:
        result = _run(store, spec)
    except SyntaxError as exc:
        emit(("error", "syntax", str(exc)))
        return
    except Exception as exc:  # evaluation errors surface as various types
        emit(("error", "evaluation", f"{type(exc).__name__}: {exc}"))
        return
    write_answer(result, spec, emit)


def _load_snapshot(path: str | None) -> ox.Store:
    store = ox.Store()
    if path:
        store.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
    return store


def worker_main(requests: Any, responses: Any, snapshot: str | None) -> None:
    """The loop of one worker process."""
    store = _load_snapshot(snapshot)
    parent = mp.parent_process()
    responses.put(("ready", os.getpid()))
    while True:
        try:
            message = requests.get(timeout=1.0)
        except queue.Empty:
            # a worker must not outlive its server (killed with -9, say): it would hold
            # the server's stdout and stderr open forever
            if parent is not None and not parent.is_alive():
                return
            continue
        kind = message[0]
        if kind == "stop":
            return
        if kind == "add":
            try:
                store.load(message[1], format=ox.RdfFormat.N_QUADS)
            except Exception as exc:  # it succeeded on disk; report and go on
                responses.put(("warning", f"adding quads failed in worker: {exc}"))
        elif kind == "update":
            try:
                store.update(message[1])
            except Exception as exc:  # it succeeded on disk; report and go on
                responses.put(("warning", f"update failed in worker: {exc}"))
        elif kind == "query":
            batch = _Batch(responses, message[1])
            answer(store, message[2], batch.emit)
            batch.send()


class _Batch:
    """Sends an answer's messages in few queue transfers: a small answer goes as one."""

    def __init__(self, responses: Any, ident: int) -> None:
        self.responses, self.ident = responses, ident
        self.items: list[tuple] = []
        self.size = 0

    def emit(self, item: tuple) -> None:
        self.items.append(item)
        if item[0] == "chunk":
            self.size += len(item[1])
        if self.size >= BATCH_BYTES or item[0] in ("done", "error"):
            self.send()

    def send(self) -> None:
        if self.items:
            self.responses.put((self.ident, "batch", self.items))
            self.items, self.size = [], 0


# --- the pool, in the web process ------------------------------------------------------------

class Worker:
    """One worker process and its two queues."""

    def __init__(self, ctx: Any, snapshot: str | None) -> None:
        self.requests = ctx.Queue()
        self.responses = ctx.Queue()
        #: messages of the current answer received but not yet read
        self.pending: collections.deque[tuple] = collections.deque()
        self.process = ctx.Process(target=worker_main, args=(self.requests, self.responses,
                                                              snapshot), daemon=True)
        self.process.start()
        self.pid = self.process.pid

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self.responses.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                if not self.process.is_alive() or time.monotonic() > deadline:
                    raise WorkerDied("a query worker did not start") from None
                continue
            if message[0] == "ready":
                return

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        for q in (self.requests, self.responses):
            q.cancel_join_thread()
            q.close()


class _Stream:
    """The rest of an answer, read from the worker as it is sent on.

    Closing it before the end (the client went away, or nobody read it) stops
    the worker's work by retiring the worker, so a worker is never lost.
    """

    def __init__(self, pool: WorkerPool, worker: Worker, ident: int, deadline: float,
                 buffered: list[bytes]) -> None:
        self._pool, self._worker, self._ident, self._deadline = pool, worker, ident, deadline
        self._buffered = list(buffered)
        self._finished = False

    def __iter__(self) -> _Stream:
        return self

    def __next__(self) -> bytes:
        if self._buffered:
            return self._buffered.pop(0)
        if self._finished:
            raise StopIteration
        try:
            message = self._pool._next(self._worker, self._ident, self._deadline)
        except (QueryTimeout, WorkerDied):
            log.warning("query stopped at its time limit after its answer started")
            self._finish(retire=True)
            raise StopIteration from None
        if message[0] == "chunk":
            return message[1]
        if message[0] == "error":
            log.warning("query failed after its answer started: %s", message[2])
        self._finish(retire=False)
        raise StopIteration

    def _finish(self, *, retire: bool) -> None:
        if not self._finished:
            self._finished = True
            if retire:
                self._pool._retire(self._worker)
            else:
                self._pool.release(self._worker)

    def close(self) -> None:
        self._finish(retire=True)


class WorkerPool:
    """Worker processes holding replicas of a store, with a time limit per query.

    :param snapshot: writes the store's current content as N-Quads to a path
    """

    def __init__(self, snapshot: Callable[[str], None], size: int, *,
                 start_timeout: float = 600.0) -> None:
        self._snapshot = snapshot
        self.size = max(1, size)
        self.start_timeout = start_timeout
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._workers: list[Worker] = []
        self._lock = threading.RLock()  # held by writes and by (re)starts
        self._ids = itertools.count(1)
        self._closed = False
        self._tmpdir = tempfile.mkdtemp(prefix="crossinnov-snapshot-")

    @property
    def write_lock(self) -> threading.RLock:
        return self._lock

    def start(self) -> None:
        with self._lock:
            path = self._take_snapshot()
            workers = [Worker(self._ctx, path) for _ in range(self.size)]
            try:
                for w in workers:
                    w.wait_ready(self.start_timeout)
            finally:
                os.unlink(path)
            self._workers = workers
            for w in workers:
                self._idle.put(w)
        log.info("%d query workers ready", self.size)

    def _take_snapshot(self) -> str:
        path = os.path.join(self._tmpdir, f"snapshot-{time.time_ns()}.nq")
        self._snapshot(path)
        return path

    def _replace(self, dead: Worker) -> None:
        """Start a new worker for a killed one (called in a background thread)."""
        try:
            with self._lock:
                if self._closed:
                    return
                path = self._take_snapshot()
                fresh = Worker(self._ctx, path)
                self._workers = [w for w in self._workers if w is not dead] + [fresh]
            try:
                fresh.wait_ready(self.start_timeout)
            finally:
                os.unlink(path)
            self._idle.put(fresh)
            log.info("query worker %s replaces %s", fresh.pid, dead.pid)
        except Exception:  # keep the pool alive; the next failure will retry
            log.exception("could not start a replacement query worker")

    def broadcast(self, update: str) -> None:
        """Send an update to every worker, in order (call with ``write_lock`` held)."""
        for w in self._workers:
            w.requests.put(("update", update))

    def broadcast_quads(self, nquads: bytes) -> None:
        """Send quads (as N-Quads) for every worker to add, in order (``write_lock`` held)."""
        for w in self._workers:
            w.requests.put(("add", nquads))

    def reload(self) -> None:
        """Give every worker a fresh snapshot (after a bulk load)."""
        with self._lock:
            old = list(self._workers)
            self._workers = []
        # take every worker out of service, then start fresh ones
        for _ in old:
            w = self._idle.get()
            w.requests.put(("stop",))
            w.process.join(timeout=10)
            w.kill()
        self._idle = queue.Queue()
        self.start()

    def query(self, spec: QuerySpec, timeout: float) -> Answer:
        """Run a query in a free worker; raise QueryTimeout after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {timeout:g} s") from None
        ident = next(self._ids)
        worker.requests.put(("query", ident, spec))
        try:
            head = self._next(worker, ident, deadline)
            if head[0] == "error":
                self._idle.put(worker)
                raise QueryRejected(head[1], head[2])
            _, kind, fmt = head
            buffered: list[bytes] = []
            size = 0
            while size < BUFFER_BEFORE_HEADERS:
                message = self._next(worker, ident, deadline)
                if message[0] == "chunk":
                    buffered.append(message[1])
                    size += len(message[1])
                elif message[0] == "done":
                    self._idle.put(worker)
                    return Answer(kind, fmt, iter(buffered), True, message[1]["rows"],
                                  message[1]["truncated"])
                else:  # error while writing the answer
                    self._idle.put(worker)
                    raise QueryRejected(message[1], message[2])
        except (QueryTimeout, WorkerDied):
            self._retire(worker)
            raise
        return Answer(kind, fmt, _Stream(self, worker, ident, deadline, buffered))

    def _next(self, worker: Worker, ident: int, deadline: float) -> tuple:
        if worker.pending:
            return worker.pending.popleft()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QueryTimeout("the query ran past its time limit and was stopped")
            try:
                message = worker.responses.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not worker.process.is_alive():
                    raise WorkerDied("the query worker ended unexpectedly") from None
                continue
            if message[0] == "warning":
                log.warning(message[1])
                continue
            if message[0] == ident:
                worker.pending.extend(message[2])
                return worker.pending.popleft()

    def _retire(self, worker: Worker) -> None:
        worker.kill()
        threading.Thread(target=self._replace, args=(worker,), daemon=True,
                         name="crossinnov-worker-restart").start()

    def release(self, worker: Worker) -> None:
        self._idle.put(worker)

    def pids(self) -> list[int]:
        return [w.pid for w in self._workers if w.process.is_alive()]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for w in self._workers:
                try:
                    w.requests.put(("stop",))
                except (OSError, ValueError):
                    pass
            for w in self._workers:
                w.process.join(timeout=2)
                w.kill()
            self._workers = []
        try:
            os.rmdir(self._tmpdir)
        except OSError:
            pass
