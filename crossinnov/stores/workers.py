"""Query workers: forked copies of one in-memory replica, each query under time and memory limits.

pyoxigraph cannot interrupt a running query from Python, so every query of the
web app runs in a worker process that can be killed. The design:

- A **template** process loads the dataset once (from a checkpoint of the durable
  on-disk store, copied quad by quad without serialising them) into an in-memory
  pyoxigraph store, 3-4x faster to query than the disk. It answers no queries; it
  receives every write, in order, and forks workers on request. When SERVICE is
  off it first moves into a network namespace of its own, so neither it nor any
  worker can open a connection (see :func:`isolate_network`).
- Where that replica would not fit in memory (:func:`choose_replicas`: the
  ``replicas`` setting, ``auto`` by default), the template holds nothing and each
  worker opens the on-disk store read-only instead, again after every write, so
  it reads what the disk holds; queries still run in killable workers.
- **Workers** are forked from the template: they start in milliseconds and share
  its memory copy-on-write. A worker killed at its time or memory limit is
  replaced by a new fork, never by reloading a snapshot, so a crowd of runaway
  queries cannot keep the site busy rebuilding replicas.
- **Lanes**: ``public`` queries (the ``/sparql`` endpoint) use the public
  workers only, which run at a lower CPU priority; ``internal`` queries (pages,
  the API, validation of writes) use the reserved internal workers first and
  borrow an idle public one; ``background`` work (the analysis) uses public
  workers, so it never takes the reserved lane from pages.
- Every write goes to the disk store first, then to the template and to every
  worker through a per-worker outbox, in order, before it is acknowledged: a
  query sent afterwards to any worker sees it.
- An answer is read whole by the web process (in memory up to
  :data:`SPOOL_MEMORY`, then in a temporary file) before a response starts, so
  its status line and headers are right: a cut answer says so, an evaluation
  error is a 400, and a slow client never holds a worker.

Linux only (``fork``, ``/proc``, ``unshare``), as the server is.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing as mp
import os
import queue
import resource
import select
import shutil
import signal
import socket
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import reduction
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from crossinnov.sparql.answers import (
    Answer,
    Chunk,
    Done,
    Failed,
    Head,
    Message,
    PoolBusy,
    QueryOverMemory,
    QueryRejected,
    QuerySpec,
    QueryTimeout,
    WorkerDied,
)
from crossinnov.sparql.evaluate import answer
from crossinnov.sparql.rewrite import optimise
from crossinnov.stores.base import INTERNAL, LANES, PUBLIC
from crossinnov.stores.commit import OncePaused

log = logging.getLogger("crossinnov.stores.workers")

#: answer bytes a worker collects before it sends them to the web process
BATCH_BYTES = 256 * 1024
#: answer bytes kept in the web process's memory; beyond, a temporary file holds them
SPOOL_MEMORY = 4 * 1024 * 1024
#: a worker's private memory is looked at after an answer that took this long (seconds;
#: copying a quarter of a gigabyte takes longer) or after this many answers since the last
#: look, whichever comes first: the look costs milliseconds of a thread beside the answers
RECYCLE_CHECK_SLOWER_THAN = 0.05
RECYCLE_CHECK_EVERY = 200
#: every worker's private memory is looked at once no write has come for this many seconds
#: (one look for a burst of writes: the look costs 20-30 ms of CPU per GB of a worker), and
#: at the latest this long after the first write of the burst
WRITES_CHECK_DELAY = 2.0
WRITES_CHECK_LONGEST = 30.0
_WRITTEN = "written"
#: seconds between two looks at a running query's memory
WATCH_INTERVAL = 0.05
#: CPU priority of public workers (added to the server's nice value)
PUBLIC_NICE = 10
#: the hard address-space wall of a worker, as a multiple of its memory limit on top of
#: its size when the query starts (the watchdog stops a query at 1x; this catches what
#: grows faster than the watchdog looks)
ADDRESS_SPACE_FACTOR = 3
#: the wall is set again when the worker's size has moved by more than this since
WALL_SLACK = 64 * 2**20

_PAGE = os.sysconf("SC_PAGE_SIZE")


_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PR_SET_PDEATHSIG = 1


def isolate_network() -> str:
    """Move this process into a network namespace of its own: no connection can be opened.

    Returns ``"isolated"``, or why it could not be done. Root may create a network
    namespace; others try inside a new user namespace. Either way the process keeps
    its files and the connections it already holds (the pipes to the web process).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return "isolated"
        reason = os.strerror(ctypes.get_errno())
    return f"not isolated: unshare failed ({reason})"


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _apply_write(store: ox.Store, message: tuple) -> str | None:
    """Apply a write message to a replica; return a warning when it fails."""
    try:
        if message[0] == "add":
            store.load(message[1], format=ox.RdfFormat.N_QUADS)
        else:
            store.update(message[1])
    except Exception as exc:  # it succeeded on disk; report and go on
        return f"{message[0]} failed in a query worker: {exc}"
    return None


class _Wall:
    """A worker's address-space wall: a few memory limits above its size when a query starts.

    Set again only when the size has moved by more than :data:`WALL_SLACK` since it was
    last set: opening and reading ``/proc/self/statm`` and calling ``setrlimit`` before
    every query cost 50 us of a point lookup's 0.3 ms in the worker (measured). ``statm``
    is held open (the worker's own, opened after the fork).
    """

    def __init__(self, limit_bytes: int | None) -> None:
        self.limit = limit_bytes
        self.soft: int | None = None
        self._statm = os.open("/proc/self/statm", os.O_RDONLY) if limit_bytes else None

    def vm_size(self) -> int:
        assert self._statm is not None
        return int(os.pread(self._statm, 64, 0).split()[0]) * _PAGE

    def raise_if_needed(self) -> None:
        if not self.limit:
            return
        with contextlib.suppress(ValueError, OSError):
            soft = self.vm_size() + ADDRESS_SPACE_FACTOR * self.limit
            if self.soft is not None and abs(soft - self.soft) <= WALL_SLACK:
                return
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            self.soft = soft


class Replica:
    """What a worker reads: an in-memory store that the writes it is sent keep current, or
    (``path`` given) the on-disk store opened read-only, opened again after each write."""

    def __init__(self, store: ox.Store | None = None, path: str | None = None) -> None:
        self.path = path
        self._store = store

    @property
    def on_disk(self) -> bool:
        return self.path is not None

    def current(self) -> ox.Store:
        if self._store is None:
            assert self.path is not None
            self._store = ox.Store.read_only(self.path)
        return self._store

    def write(self, message: tuple) -> str | None:
        """Take a write the disk store already holds; return a warning when it fails."""
        if self.on_disk:
            self._store = None  # the next query opens the store again and sees it
            return None
        assert self._store is not None
        return _apply_write(self._store, message)

    def failed(self) -> None:
        """After a failed query: a read-only handle may have lost files the server compacted
        away since it was opened; the next query opens the store again."""
        if self.on_disk:
            self._store = None


def worker_loop(replica: Replica, conn: Connection, memory_limit: int | None) -> None:
    """The loop of one forked worker: queries and writes, in the order they come."""
    parent = os.getppid()
    wall = _Wall(memory_limit)
    while True:
        try:
            if not conn.poll(1.0):
                if os.getppid() != parent:  # the template is gone: so is the server
                    return
                continue
            message = conn.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        if kind == "stop":
            return
        if kind in ("add", "update"):
            warning = replica.write(message)
            if warning:
                conn.send(("warning", warning))
        elif kind == "query":
            wall.raise_if_needed()
            batch = _Batch(conn, message[1])
            try:
                store = replica.current()
            except OSError as exc:
                batch.emit(Failed("evaluation", f"the store could not be opened: {exc}"))
                replica.failed()
                continue
            answer(store, message[2], batch.emit)
            if batch.failed:
                replica.failed()
            batch.send()


class _Batch:
    """Sends an answer's messages in few transfers: a small answer goes as one."""

    def __init__(self, conn: Connection, ident: int) -> None:
        self.conn, self.ident = conn, ident
        self.items: list[Message] = []
        self.size = 0
        self.failed = False

    def emit(self, item: Message) -> None:
        self.items.append(item)
        if isinstance(item, Failed):
            self.failed = True
        if isinstance(item, Chunk):
            self.size += len(item.data)
        if self.size >= BATCH_BYTES or isinstance(item, Done | Failed):
            self.send()

    def send(self) -> None:
        if self.items:
            self.conn.send((self.ident, self.items))
            self.items, self.size = [], 0


def in_own_arena(fn: Callable[..., None], *args: Any) -> None:
    """Run ``fn(*args)`` in a new thread and wait for it; its exception is raised here.

    For a forked worker. Its main thread allocates from the heap it shares with the
    template (copy-on-write), whose free gaps lie between the replica's pages: each query's
    short-lived allocations land in a few more of them, and every page first written is
    copied. A point lookup copied ~240 KB that way (1 000 of them: 236 MB of private memory
    in a worker, which recycling then replaced) and took twice the time of the same lookup
    in a thread. A new thread allocates from a malloc arena of its own (glibc), where the
    same few pages serve every query.
    """
    failure: list[BaseException] = []

    def run() -> None:
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            failure.append(exc)

    thread = threading.Thread(target=run, name="crossinnov-worker-loop")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _fork_worker(replica: Replica, control: Connection, nice: int,
                 memory_limit: int | None) -> None:
    """Fork a worker sharing this replica; hand the web process its end of a socket pair."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            ours.close()
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _die_with_parent()
            if nice:
                os.nice(nice)
            in_own_arena(worker_loop, replica, Connection(theirs.detach()), memory_limit)
        except BaseException:  # noqa: BLE001 - the pool replaces it; the log says why it ended
            code = 1
            with contextlib.suppress(BaseException):
                traceback.print_exc()
        finally:
            os._exit(code)
    theirs.close()
    control.send(("forked", pid))
    reduction.send_handle(control, ours.fileno(), os.getppid())
    ours.close()


@dataclass(frozen=True)
class Source:
    """Where a template's replica comes from.

    ``kind`` is ``checkpoint`` (``path``: a checkpoint of the disk store, copied into
    memory), ``nquads`` (``path``: an N-Quads file, for a store that is itself in memory),
    ``disk`` (``path``: the live disk store, which each worker opens read-only) or
    ``empty``.
    """

    kind: str
    path: str | None = None


def load_replica(source: Source) -> Replica:
    """The template's replica, as ``source`` says."""
    if source.kind == "disk":
        return Replica(path=source.path)
    store = ox.Store()
    if source.kind == "checkpoint":
        checkpoint = ox.Store.read_only(source.path)
        store.bulk_extend(checkpoint.quads_for_pattern(None, None, None, None))
        del checkpoint
    elif source.kind == "nquads":
        store.bulk_load(path=source.path, format=ox.RdfFormat.N_QUADS)
    return Replica(store)


#: queries the template answers once before it forks, the answers dropped: what a first
#: query loads lazily (rdflib's SPARQL grammar, which the NOT EXISTS rewrite checks its
#: work with: 0.1-0.3 s; the answer writers) is then loaded once, in the template, and
#: every fork has it, instead of a fresh fork's first query paying for it
WARM_UP = (
    QuerySpec("SELECT ?s WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s ?p ?s } } LIMIT 1"),
    QuerySpec("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", select_format="xml"),
    QuerySpec("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", graph_format="turtle"),
    QuerySpec("ASK { ?s ?p ?o }"),
)


def warm_up(replica: Replica) -> None:
    """Answer :data:`WARM_UP` on the replica (before any fork; nothing is sent). A replica
    on disk is not opened here (each worker opens its own): only the rewrite is warmed."""
    optimise(WARM_UP[0].sparql)
    if replica.on_disk:
        return
    for spec in WARM_UP:
        answer(replica.current(), spec, lambda message: None)


def template_main(control: Connection, source: Source, isolate: bool,
                  memory_limit: int | None) -> None:
    """The template process: one replica, kept current, forked into workers."""
    network = isolate_network() if isolate else "open (SERVICE is allowed)"
    replica = load_replica(source)
    warm_up(replica)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped as they end
    parent = os.getppid()
    control.send(("ready", os.getpid(), network))
    while True:
        try:
            if not control.poll(1.0):
                # a template must not outlive its server (killed with -9, say)
                if os.getppid() != parent:
                    return
                continue
            message = control.recv()
        except (EOFError, OSError):
            return
        kind = message[0]
        if kind == "stop":
            return
        if kind == "fork":
            _fork_worker(replica, control, message[1], memory_limit)
        elif kind in ("add", "update"):
            warning = replica.write(message)
            if warning:
                control.send(("warning", warning))


# --- in the web process -------------------------------------------------------------------------

class _Outbox:
    """Messages to one process, in order. Writes go through a thread of their own, so a
    writer never waits for a busy worker to read; a query to an idle worker is sent at
    once when nothing is waiting before it (a thread hand-off costs more than the send)."""

    def __init__(self, conn: Connection, name: str) -> None:
        self.conn = conn
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._count = threading.Lock()  # guards _pending; never held while sending
        self._sending = threading.Lock()  # held by whoever sends
        self._pending = 0  # messages put in the queue and not yet sent
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)
        self._thread.start()

    def put(self, message: tuple) -> None:
        with self._count:
            self._pending += 1
        self._queue.put(message)

    def send_now(self, message: tuple) -> None:
        """Send ``message`` from this thread, after everything put before it. Only for a
        process known to be reading (an idle worker): the send does not wait then."""
        with self._sending:
            with self._count:
                direct = self._pending == 0
            if direct:
                with contextlib.suppress(OSError, ValueError):  # gone: the pool notices
                    self.conn.send(message)
                return
        self.put(message)

    def _run(self) -> None:
        while True:
            message = self._queue.get()
            if message is None:
                return
            with self._sending:
                try:
                    self.conn.send(message)
                except (OSError, ValueError):  # the process is gone; the pool notices
                    return
                finally:
                    with self._count:
                        self._pending -= 1

    def close(self) -> None:
        self._queue.put(None)


def _rss(pid: int) -> int | None:
    """Resident memory of a process, in bytes (None once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def private_memory(pid: int) -> int | None:
    """Memory a process has written and shares with no other, in bytes (``Private_Dirty``
    of ``/proc/PID/smaps_rollup``; None once it is gone).

    This, not the resident size, is what a forked worker adds to the machine. Reading a
    replica writes to it (reference counts of the nodes a query walks), so a query that
    scans the store copies the template's pages it touches, page by page: the worker's
    private memory grows by up to the replica's size while its resident size does not
    move (those pages were resident, shared, already). The kernel walks the whole address
    space to tell: about 20 ms per GB, so it is read off the answer's path.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class Worker:
    """One forked worker, seen from the web process."""

    def __init__(self, pid: int, fd: int, lane: str) -> None:
        self.pid = pid
        self.lane = lane
        self.conn = Connection(fd)
        self.outbox = _Outbox(self.conn, f"crossinnov-worker-{pid}")
        self.alive = True
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except (OSError, AttributeError):
            self._pidfd = None
        try:  # held open: reading it again costs microseconds, opening it a tenth of a ms
            self._statm: int | None = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
        except OSError:
            self._statm = None
        #: answers since its memory was last looked at (see WorkerPool._check_later)
        self.unchecked = 0
        #: when it last finished an answer (``time.monotonic()``)
        self.done_at = time.monotonic()

    def ended(self) -> bool:
        """Whether the process has ended (killed from outside, say): its pidfd is readable.

        ``poll``, never ``select``: a server's descriptors pass 1 023 (every app's worker
        pipes in the tests), where ``select`` raises, and taking that for "ended" replaced
        every worker as it was forked, without end. Unsure is "not ended": a dead worker
        handed a query fails it as before (WorkerDied), and is replaced then.
        """
        if self._pidfd is None:
            return _rss(self.pid) is None
        try:
            watch = select.poll()
            watch.register(self._pidfd, select.POLLIN)
            return bool(watch.poll(0))
        except (OSError, ValueError):
            return False

    def rss(self) -> int | None:
        """Resident memory of the worker, in bytes (None once it is gone)."""
        if self._statm is None:
            return _rss(self.pid)
        try:
            return int(os.pread(self._statm, 128, 0).split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        if not self.alive:
            return
        self.alive = False
        with contextlib.suppress(OSError):
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        self.outbox.close()
        with contextlib.suppress(OSError):
            self.conn.close()
        for fd in (self._pidfd, self._statm):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._pidfd = self._statm = None

    def stop(self) -> None:
        """Ask the worker to end after what it was sent before."""
        self.outbox.put(("stop",))


class Template:
    """The template process, seen from the web process."""

    def __init__(self, ctx: Any, source: Source, isolate: bool,
                 memory_limit: int | None, start_timeout: float) -> None:
        ours, theirs = ctx.Pipe(duplex=True)
        self.source = source
        self.process = ctx.Process(target=template_main, daemon=True, name="crossinnov-template",
                                   args=(theirs, source, isolate, memory_limit))
        self.process.start()
        theirs.close()
        self.conn: Connection = ours
        self.outbox = _Outbox(ours, "crossinnov-template")
        self._fork_lock = threading.Lock()
        message = self._receive(start_timeout, "the query template did not start")
        _, self.pid, self.network = message

    def _receive(self, timeout: float, failure: str) -> tuple:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                if self.conn.poll(max(0.0, min(remaining, 1.0))):
                    message = self.conn.recv()
                    if message[0] == "warning":
                        log.warning(message[1])
                        continue
                    return message
            except (EOFError, OSError):
                raise WorkerDied(failure) from None
            if not self.process.is_alive() or remaining <= 0:
                raise WorkerDied(failure)

    def send(self, message: tuple) -> None:
        self.outbox.put(message)

    def fork(self, lane: str, timeout: float = 60.0) -> Worker:
        """A new worker holding the template's present content (and every write sent before)."""
        with self._fork_lock:
            self.outbox.put(("fork", PUBLIC_NICE if lane == PUBLIC else 0))
            _, pid = self._receive(timeout, "the query template ended")
            try:
                fd = reduction.recv_handle(self.conn)
            except (EOFError, OSError):
                raise WorkerDied("the query template ended") from None
        return Worker(pid, fd, lane)

    def close(self) -> None:
        self.outbox.put(("stop",))
        self.outbox.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        with contextlib.suppress(OSError):
            self.conn.close()


class _Spool:
    """An answer's bytes as they arrive: in memory, then in a temporary file."""

    def __init__(self) -> None:
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        self.size = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)

    def chunks(self, size: int = 256 * 1024) -> Iterator[bytes]:
        try:
            self.file.seek(0)
            while True:
                data = self.file.read(size)
                if not data:
                    return
                yield data
        finally:
            self.file.close()

    def close(self) -> None:
        self.file.close()


@dataclass(frozen=True)
class PoolLimits:
    """What bounds the workers."""

    public: int = 1
    internal: int = 1
    #: most memory (bytes) one query may add to its worker; None: no limit
    memory: int | None = None
    #: private memory (bytes, :func:`private_memory`) past which a worker is replaced by a
    #: fresh fork after an answer (it copied the replica's pages a query walked, or the
    #: allocator keeps what a big query took); None: never
    recycle: int | None = None
    #: seconds such a worker must have been idle before it is replaced: a fresh fork copies
    #: again the pages its queries walk (the first scan of a 100 000 organisation store on a
    #: fresh fork took twice as long as on a worker that had copied them), so a worker kept
    #: busy keeps what it copied, and gives it back when things calm down (0: at once)
    recycle_idle: float = 10.0
    #: SERVICE may reach the network (otherwise the workers have none)
    allow_service: bool = False
    start_timeout: float = 3600.0
    #: where the workers read: "auto", "memory" or "disk" (see :func:`choose_replicas`)
    replicas: str = "auto"
    #: share of the available memory a replica may take under "auto"
    replica_share: float = 0.5
    #: from this many quads, a store that is to be read from memory is first read from the
    #: disk (the workers answer at once) while its in-memory replica loads (:meth:`WorkerPool.warm`)
    warm_from: int = 500_000


#: memory an in-memory replica is counted per quad, in bytes: measured at 341 on this
#: project's generated data (pyoxigraph 0.5, 2.7 M quads: 879 MB), with room for growth
REPLICA_BYTES_PER_QUAD = 450


def available_memory() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo``, in bytes (None where it cannot be read)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def choose_replicas(setting: str, quads: int, available: int | None,
                    share: float, workers: int = 1) -> tuple[str, str]:
    """Where the workers read, ``memory`` or ``disk``, and why (for the log and /healthz).

    ``auto`` chooses memory when the replica's estimated size (:data:`REPLICA_BYTES_PER_QUAD`
    per quad) times ``1 + workers`` fits in ``share`` of the memory available, else disk.
    The workers share the template's replica copy-on-write, but reading it writes to it
    (reference counts of what a query walks), so a query that scans the store copies it
    into its worker: at worst, while every worker scans, there are as many copies as
    workers besides the template's. Recycling (``limits.recycle``) gives them back after
    the answers, not during them.
    """
    if setting in ("memory", "disk"):
        return setting, f"{setting}: as the replicas setting says"
    copies = 1 + workers
    need = quads * REPLICA_BYTES_PER_QUAD * copies
    if available is None:
        return "memory", "memory: the available memory is unknown"
    mb = 2**20
    if need <= share * available:
        return "memory", (f"memory: {copies} copies of a replica of {quads} quads (the "
                          f"template's, and one per worker at worst) need about {need // mb} "
                          f"MB, within {share:g} of the {available // mb} MB available")
    return "disk", (f"disk: {copies} copies of a replica of {quads} quads (the template's, "
                    f"and one per worker at worst) would need about {need // mb} MB, more "
                    f"than {share:g} of the {available // mb} MB available")


class WorkerPool:
    """Forked workers holding replicas of a store, each query under time and memory limits.

    :param source: gives the replica's :class:`Source` for a fresh template; it may write
        into the path it is given (a checkpoint folder, an N-Quads file), which the pool
        removes once the template has read it
    """

    def __init__(self, source: Callable[[str], Source], limits: PoolLimits) -> None:
        self._source = source
        self.limits = limits
        self.size = limits.public + limits.internal
        self._ctx = mp.get_context("spawn")
        self._cond = threading.Condition()
        self._idle: dict[str, list[Worker]] = {PUBLIC: [], INTERNAL: []}
        self._workers: list[Worker] = []
        self._lock = threading.RLock()  # held by writes, (re)starts and forks
        self._ids = iter(range(1, 1 << 62))
        self._closed = False
        self._template: Template | None = None
        #: workers replaced after an answer because they had grown (``limits.recycle``)
        self.recycled = 0
        self._checks: queue.SimpleQueue[Worker] | None = None  # see _check_later
        # every worker is looked at once writes pause (see WRITES_CHECK_DELAY)
        self._after_writes = OncePaused(lambda: self._check_later(_WRITTEN),
                                        WRITES_CHECK_DELAY, WRITES_CHECK_LONGEST,
                                        "crossinnov-writes-look")
        #: the writes a template loading beside the present one is to get (see warm)
        self._later: list[tuple] | None = None
        self._warm_due = False  # see warm_beside
        #: counts the (re)starts from a fresh snapshot: a warm-up begun before one is dropped
        self._starts = 0

    @property
    def write_lock(self) -> threading.RLock:
        return self._lock

    @property
    def network(self) -> str:
        """Whether the workers can reach the network (``isolated``, or why not)."""
        return self._template.network if self._template else "not started"

    @property
    def replicas(self) -> str:
        """Where the workers read: ``memory`` or ``disk``."""
        if self._template is None:
            return "not started"
        return "disk" if self._template.source.kind == "disk" else "memory"

    def start(self, source: Callable[[str], Source] | None = None) -> Template | None:
        """Start a template from a fresh snapshot and fork the workers; return the old template.

        ``source``: where this template's replica comes from, instead of the pool's own.
        """
        with self._lock:
            scratch = tempfile.mkdtemp(prefix="crossinnov-snapshot-")
            try:
                given = (source or self._source)(os.path.join(scratch, "replica"))
                template = Template(self._ctx, given, not self.limits.allow_service,
                                    self.limits.memory, self.limits.start_timeout)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            self._starts += 1
            return self._take(template)

    def _take(self, template: Template) -> Template | None:
        """Fork the workers of ``template`` and put them in place (``_lock`` held)."""
        workers = ([template.fork(PUBLIC) for _ in range(self.limits.public)]
                   + [template.fork(INTERNAL) for _ in range(self.limits.internal)])
        old, self._template = self._template, template
        with self._cond:
            self._workers = workers
            for lane in self._idle:
                self._idle[lane] = [w for w in workers if w.lane == lane]
            self._cond.notify_all()
        log.info("%d public and %d internal query workers ready, reading %s; network of the "
                 "workers: %s", self.limits.public, self.limits.internal, self.replicas,
                 template.network)
        return old

    def warm_beside(self) -> None:
        """:meth:`warm` in a thread of its own; ``warming`` is true from now until it ends."""
        self._warm_due = True

        def run() -> None:
            try:
                self.warm()
            except Exception:  # the workers go on reading where they read
                log.exception("the in-memory replica could not be loaded")
            finally:
                self._warm_due = False

        threading.Thread(target=run, name="crossinnov-warm", daemon=True).start()

    def warm(self) -> None:
        """Replace the template and workers with ones from the pool's own source, built
        without holding writes up.

        The snapshot is taken under the write lock; the writes made while the new
        template loads it are kept and sent to it, in order, before its workers fork.
        So a server can answer from the disk store at once and from memory when the
        replica is ready. The present workers finish their query first.
        """
        scratch = tempfile.mkdtemp(prefix="crossinnov-snapshot-")
        try:
            with self._lock:
                source = self._source(os.path.join(scratch, "replica"))
                self._later, starts = [], self._starts
            try:
                template = Template(self._ctx, source, not self.limits.allow_service,
                                    self.limits.memory, self.limits.start_timeout)
            except BaseException:
                with self._lock:
                    self._later = None
                raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        with self._lock:
            pending, self._later = self._later or [], None
            if self._closed or self._starts != starts:  # closed, or started anew meanwhile
                template.close()
                return
            self._starts += 1
            for message in pending:
                template.send(message)
            with self._cond:
                old = list(self._workers)
            previous = self._take(template)
        for w in old:
            w.stop()
        threading.Thread(target=self._reap, args=(old, previous), daemon=True).start()

    @property
    def warming(self) -> bool:
        """Whether a new template is loading beside the present one (:meth:`warm`)."""
        return self._warm_due or self._later is not None

    # --- writes -------------------------------------------------------------------------------

    def _send_all(self, message: tuple) -> None:
        if self._later is not None:  # a template loading beside (warm): it gets it later
            self._later.append(message)
        if self._template is not None:
            self._template.send(message)
        for w in self._workers:
            w.outbox.put(message)
        if self.limits.recycle and self.replicas == "memory":
            # a write copies the pages it changes in every replica: about 5 MB a profile in
            # each worker at 100 000 (measured), kept until a query's check saw it
            self._after_writes.poke()

    def broadcast(self, update: str) -> None:
        """Send an update to the template and every worker, in order (``write_lock`` held)."""
        self._send_all(("update", update))

    def broadcast_quads(self, nquads: bytes) -> None:
        """Send quads (N-Quads) for the template and every worker to add (``write_lock`` held)."""
        self._send_all(("add", nquads))

    def reload(self) -> None:
        """Start again from a fresh snapshot (after a bulk load): a new template and workers.

        Workers answering a query finish it first; the others are replaced at once.
        """
        with self._lock:
            with self._cond:
                old = list(self._workers)
            template = self.start()
        for w in old:
            w.stop()
        # the old workers end after their present query (a worker dies with its template,
        # so the old template is stopped only after them)
        threading.Thread(target=self._reap, args=(old, template), daemon=True).start()

    def _reap(self, workers: list[Worker], template: Template | None,
              grace: float = 120.0) -> None:
        deadline = time.monotonic() + grace
        for w in workers:
            while _rss(w.pid) is not None and time.monotonic() < deadline:
                time.sleep(0.2)
            w.kill()
        if template is not None:
            template.close()

    # --- queries ------------------------------------------------------------------------------

    def _acquire(self, lane: str, timeout: float) -> Worker:
        lanes = (INTERNAL, PUBLIC) if lane == INTERNAL else (PUBLIC,)

        ended: list[Worker] = []  # idle workers found gone (the OOM killer, an operator)

        def free() -> Worker | None:
            for name in lanes:
                while self._idle[name]:
                    worker = self._idle[name].pop()
                    if not worker.ended():
                        return worker
                    ended.append(worker)
            return None

        deadline = time.monotonic() + timeout
        replaced = 0
        while True:
            with self._cond:
                worker = free()
                while worker is None and not ended:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or self._closed:
                        raise PoolBusy(f"no query worker became free within {timeout:g} s")
                    self._cond.wait(remaining)
                    worker = free()
            for gone in ended:  # replaced outside the condition (_retire takes the pool lock)
                log.warning("query worker %s had ended while idle; replacing it", gone.pid)
                self._retire(gone)
                replaced += 1
            ended.clear()
            if worker is not None:
                return worker
            if replaced > 2 * (self.limits.public + self.limits.internal):
                # fresh workers end as they start (a broken engine, no memory): say so
                # rather than fork for ever
                raise WorkerDied(f"{replaced} query workers ended before they answered; "
                                 "the server's log says why")

    def _release(self, worker: Worker) -> None:
        worker.done_at = time.monotonic()
        with self._cond:
            if worker.alive and worker in self._workers:
                self._idle[worker.lane].append(worker)
                self._cond.notify_all()

    def query(self, spec: QuerySpec, timeout: float, lane: str = INTERNAL) -> Answer:
        """Run a query in a free worker of ``lane``; the whole answer, read before returning.

        :raises QueryTimeout: past ``timeout`` seconds (the worker is replaced)
        :raises QueryOverMemory: past the memory limit (the worker is replaced)
        :raises PoolBusy: no worker became free within ``timeout``
        :raises QueryRejected: a syntax or evaluation error
        """
        if lane not in LANES:
            raise ValueError(f"unknown lane {lane!r}")
        started = time.monotonic()
        deadline = started + timeout
        worker = self._acquire(lane, timeout)
        ident = next(self._ids)
        try:
            baseline = worker.rss()
            worker.outbox.send_now(("query", ident, spec))
            answer = self._collect(worker, ident, deadline, baseline)
        except QueryRejected:  # the worker is done with the query and fine
            self._release(worker)
            raise
        except BaseException:  # stopped half-way (time, memory, a crash): never reused
            self._retire(worker)
            raise
        self._release(worker)
        if self.limits.recycle:
            worker.unchecked += 1
            if (time.monotonic() - started >= RECYCLE_CHECK_SLOWER_THAN
                    or worker.unchecked >= RECYCLE_CHECK_EVERY):
                self._check_later(worker)
        return answer

    def _check_later(self, worker: Worker | str) -> None:
        """Have a thread look at the worker's private memory and, when it holds more than
        ``limits.recycle``, replace it once it has been idle ``limits.recycle_idle`` s
        (``_WRITTEN``: at every worker, once writes have paused)."""
        if isinstance(worker, Worker):
            worker.unchecked = 0
        with self._cond:
            if self._checks is None:
                self._checks = queue.SimpleQueue()
                threading.Thread(target=self._check_loop, args=(self._checks,), daemon=True,
                                 name="crossinnov-recycle-check").start()
            self._checks.put(worker)

    def _check_loop(self, checks: queue.SimpleQueue) -> None:
        grown: dict[Worker, None] = {}  # found holding too much, in the order found
        while True:
            try:
                item = checks.get(timeout=min(1.0, self.limits.recycle_idle / 2 or 0.01)
                                  if grown else None)
            except queue.Empty:
                item = False
            if item is None:
                return
            looks = [item] if isinstance(item, Worker) else []
            if item == _WRITTEN:
                with self._cond:
                    looks.extend(self._workers)
            for worker in looks:
                if worker.alive and worker not in grown:
                    held = private_memory(worker.pid)
                    if held is not None and held > (self.limits.recycle or held):
                        grown[worker] = None
            now = time.monotonic()
            for worker in list(grown):
                with self._cond:
                    idle = self._idle[worker.lane]
                    due = worker in idle and now - worker.done_at >= self.limits.recycle_idle
                    if due:  # taken out under the lock: no query can get it any more
                        idle.remove(worker)
                        self.recycled += 1
                if due or not worker.alive:
                    del grown[worker]
                if due:
                    self._retire(worker)

    def _collect(self, worker: Worker, ident: int, deadline: float,
                 baseline: int | None) -> Answer:
        spool = _Spool()
        head: Head | None = None
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise QueryTimeout("the query ran past its time limit and was stopped")
                try:
                    ready = worker.conn.poll(min(remaining, WATCH_INTERVAL))
                    message = worker.conn.recv() if ready else None
                except (EOFError, OSError):
                    raise WorkerDied(self._death(worker)) from None
                if message is None:
                    self._watch(worker, baseline)
                    continue
                if message[0] == "warning":
                    log.warning(message[1])
                    continue
                if message[0] != ident:
                    continue  # what is left of an earlier answer: never happens, but harmless
                for item in message[1]:
                    if isinstance(item, Chunk):
                        spool.write(item.data)
                    elif isinstance(item, Head):
                        head = item
                    elif isinstance(item, Failed):
                        if item.kind == "memory":
                            raise QueryOverMemory(self._limit_mb())
                        raise QueryRejected(item.kind, item.message)
                    elif isinstance(item, Done):
                        assert head is not None
                        return item.answer(head, spool.chunks(), spool.size)
        except BaseException:
            spool.close()
            raise

    def _watch(self, worker: Worker, baseline: int | None) -> None:
        if not self.limits.memory or baseline is None:
            return
        now = worker.rss()
        if now is not None and now - baseline > self.limits.memory:
            raise QueryOverMemory(self._limit_mb())

    def _limit_mb(self) -> int:
        return round((self.limits.memory or 0) / 2**20)

    def _death(self, worker: Worker) -> str:
        """Why a worker ended while answering, as far as can be told."""
        if self.limits.memory:
            return ("the query worker ended while answering (a crash in the query engine, or "
                    f"memory past the worker's wall of {ADDRESS_SPACE_FACTOR} x "
                    f"{self._limit_mb()} MB); it is being replaced")
        return "the query worker ended while answering; it is being replaced"

    def _retire(self, worker: Worker) -> None:
        """Kill a worker and fork its replacement (milliseconds: nothing is reloaded)."""
        worker.kill()
        with self._lock:
            with self._cond:
                if worker in self._workers:
                    self._workers.remove(worker)
                for idle in self._idle.values():
                    if worker in idle:
                        idle.remove(worker)
            if self._closed or self._template is None:
                return
            try:
                fresh = self._template.fork(worker.lane)
            except WorkerDied:
                log.exception("the query template ended; starting it again")
                threading.Thread(target=self._restart, daemon=True).start()
                return
            with self._cond:
                self._workers.append(fresh)
                self._idle[fresh.lane].append(fresh)
                self._cond.notify_all()
        log.info("query worker %s replaces %s", fresh.pid, worker.pid)

    def _restart(self) -> None:
        try:
            self.reload()
        except Exception:  # keep serving what can be served; the next failure retries
            log.exception("could not start the query workers again")

    # --- state --------------------------------------------------------------------------------

    def pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in self._workers if w.alive and _rss(w.pid) is not None]

    def idle_count(self) -> int:
        with self._cond:
            return sum(len(v) for v in self._idle.values())

    def status(self) -> dict[str, Any]:
        with self._cond:
            return {"public": self.limits.public, "internal": self.limits.internal,
                    "idle": {lane: len(v) for lane, v in self._idle.items()},
                    "network": self.network, "replicas": self.replicas,
                    "warming": self.warming, "recycled": self.recycled}

    def close(self) -> None:
        self._after_writes.close()  # first, outside the locks: its look takes the pool's
        with self._lock:
            self._closed = True
            with self._cond:
                workers, self._workers = self._workers, []
                for idle in self._idle.values():
                    idle.clear()
                if self._checks is not None:
                    self._checks.put(None)
                    self._checks = None
                self._cond.notify_all()
            for w in workers:
                w.kill()
            if self._template is not None:
                self._template.close()
                self._template = None

