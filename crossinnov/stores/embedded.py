"""The embedded store: pyoxigraph on disk (a folder) or in memory (``:memory:``).

A big load into an empty store goes through Oxigraph's bulk loader (:meth:`OxigraphStore.fill`),
which is not transactional. While it runs, a marker file (:data:`FILLING_MARKER`) lies in
the store's folder; the marker is written (and synced) before the first quad and removed
only once every quad is on disk. A store found with the marker was empty before a fill
that did not finish (the process was killed, the machine stopped): opening it for writing
empties it again, as it was before that load; opening it read-only is refused.
"""

from __future__ import annotations

import gc
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from crossinnov.config import MEMORY_STORE
from crossinnov.iris import IRIs
from crossinnov.sparql.dataset import oxigraph_dataset
from crossinnov.sparql.evaluate import answer
from crossinnov.sparql.evaluate import query as run_query
from crossinnov.stores.base import Store, StoreError, WriteVersion
from crossinnov.stores.commit import GroupFlush, OncePaused

log = logging.getLogger(__name__)

#: lies in a store's folder while :meth:`OxigraphStore.fill` bulk-loads it
FILLING_MARKER = "crossinnov-filling"
#: the names of the N-Quads files a fill writes in the folder (and removes)
FILL_FILE_PREFIX = ".crossinnov-fill-"
#: the store's write-ahead log files (RocksDB's; its own text log is ``LOG``)
WAL_FILES = "*.log"
#: once synced writes have paused this many seconds (at the latest this long after the
#: first), the memory tables are written to the store's files: the write-ahead log stays
#: short, so that opening the store (a restart, a query worker reading the disk) has
#: little of it to replay
TIDY_DELAY = 2.0
TIDY_LONGEST = 30.0


class OxigraphStore(Store):
    """Embedded pyoxigraph store, on disk or in memory."""

    def __init__(self, path: str | None, iris: IRIs, *, read_only: bool = False) -> None:
        self.iris = iris
        self.location = path or MEMORY_STORE
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                if Path(path, FILLING_MARKER).exists():
                    raise OSError("a load into it has not finished (or was interrupted: "
                                  "opening it for writing, e.g. crossinnov load, empties it)")
                self._store = _open_read_only(path)
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(path)
        except OSError as exc:
            reason = str(exc)
            if "lock" in reason.lower():
                reason = "it is in use by another process (is `crossinnov serve` running?)"
            raise StoreError(f"cannot open the store at {path}: {reason}") from exc
        self.read_only = read_only
        self.writes = WriteVersion()
        # writers that flush (or sync) at about the same time share one (group commit)
        self._flushes = GroupFlush(self._flush_now)
        self._syncs = GroupFlush(self._sync_log_now)
        self._tidy = OncePaused(self.flush, TIDY_DELAY, TIDY_LONGEST, "crossinnov-store-tidy")
        if path is not None and not read_only and Path(path, FILLING_MARKER).exists():
            log.warning("the store at %s holds a load that did not finish; it was empty before "
                        "that load and is emptied again", path)
            self._undo_fill()

    @property
    def native(self) -> ox.Store:
        """The underlying pyoxigraph store (for the bulk loader and the benchmark)."""
        return self._store

    def query(self, sparql, *, bindings=None, default_graph=None, named_graphs=None):
        kwargs = oxigraph_dataset(sparql, default_graph, named_graphs)
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        return run_query(self._store, sparql, **kwargs)

    def _answer_in_process(self, spec, emit) -> None:
        answer(self._store, spec, emit)

    def version(self) -> str | None:
        # a read-only view sees another process's writes, which it cannot count
        return None if self.read_only else self.writes.tag()

    def update(self, sparql: str) -> None:
        self._check_writable()
        try:
            with self.writes.writing():
                self._store.update(sparql)
        except (RuntimeError, OSError) as exc:
            raise StoreError(f"the update failed and changed nothing: {exc}") from exc

    def add_quads(self, quads, *, bulk=False):
        self._check_writable()
        with self.writes.writing():
            if bulk:
                self._store.bulk_extend(quads)
            else:
                self._store.extend(quads)

    def is_empty(self) -> bool:
        """True when the store holds no quad and no named graph."""
        return (next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None
                and next(iter(self._store.named_graphs()), None) is None)

    def fill(self, source: ox.Store) -> None:
        """Write every quad of ``source`` into this store, which must be empty, with the bulk
        loader (much faster than a transaction for millions of quads, but not atomic):
        :meth:`start_fill`, one :meth:`Fill.add`, :meth:`Fill.finish`."""
        filling = self.start_fill()
        try:
            filling.add(source)
        except BaseException:
            filling.undo()
            raise
        filling.finish()

    def start_fill(self) -> Fill:
        """Begin filling this empty store with the bulk loader (see :class:`Fill`)."""
        self._check_writable()
        if not self.is_empty():
            raise StoreError("the bulk loader only fills an empty store")
        return Fill(self)

    def _undo_fill(self) -> None:
        """Empty a store whose fill did not finish (it was empty before), then drop the marker.

        Emptied and compacted, so that nothing of that load stays in the store's files.
        """
        self._store.clear()
        self._store.optimize()
        self._store.flush()
        for left in Path(self.location).glob(FILL_FILE_PREFIX + "*"):
            left.unlink(missing_ok=True)
        marker = Path(self.location, FILLING_MARKER)
        marker.unlink(missing_ok=True)
        _sync_folder(marker.parent)

    def quads(self, graph=None):
        if graph is None:
            for quad in self._store.quads_for_pattern(None, None, None, None):
                if not isinstance(quad.graph_name, ox.DefaultGraph):
                    yield quad
        else:
            yield from self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def graph_ntriples(self, graph):
        # written by the store itself: no Python object per quad
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))

    def named_graphs(self):
        return [g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]

    def dump(self, output, fmt, *, prefixes):
        if fmt.supports_datasets:
            wanted = prefixes if fmt != ox.RdfFormat.N_QUADS else None
            self._store.dump(output, fmt, prefixes=wanted)
        else:
            from crossinnov.sparql.queries import QUERIES

            triples = self._store.query(QUERIES["store_union"], use_default_graph_as_union=True)
            ox.serialize(triples, output, fmt, prefixes=prefixes)

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        """Write everything in memory to disk files (the write-ahead log is always written).

        Returns once a flush that began after this call has ended, so every write
        committed before the call is durable; callers that come together share one
        flush (:class:`~crossinnov.stores.commit.GroupFlush`).
        """
        if self.location != MEMORY_STORE and not self.read_only:
            self._flushes.sync()

    def _flush_now(self) -> None:
        self._store.flush()

    def sync(self) -> None:
        """Make every write committed before the call durable, by syncing the write-ahead
        log, and have the memory tables written to files later, once writes pause.

        Every transaction's commit hands its log record to the operating system (RocksDB
        writes the log at each commit; tested); syncing the log files, and the folder for a
        new one, makes them survive a power cut. That takes about a millisecond, where
        :meth:`flush` writes a file per column family (20-50 ms a profile upload at
        100 000 organisations). Callers that come together share one sync. What bypasses
        the log (the bulk loader) needs :meth:`flush`.
        """
        if self.location != MEMORY_STORE and not self.read_only:
            self._syncs.sync()
            self._tidy.poke()

    def _sync_log_now(self) -> None:
        folder = Path(self.location)
        for wal in sorted(folder.glob(WAL_FILES)):
            try:
                fd = os.open(wal, os.O_RDONLY)
            except FileNotFoundError:  # no longer needed: its records are in the files
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_folder(folder)

    def close(self) -> None:
        """Flush and release the store (and its lock on the folder)."""
        if self._store is None:
            return
        self._tidy.close()
        self.flush()
        # pyoxigraph has no close(): dropping the last reference releases the files
        self._store = None  # type: ignore[assignment]
        gc.collect()

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")


class Fill:
    """A bulk load into an empty :class:`OxigraphStore`, in one or more parts.

    Made by :meth:`OxigraphStore.start_fill`. Each :meth:`add` writes every quad of an
    in-memory store through an N-Quads file in the store's folder (both steps in Rust,
    the text never held in memory), in this thread or in the background; parts are
    written one after the other. :meth:`finish` waits, flushes and removes the marker;
    :meth:`undo` empties the store again. On disk the marker :data:`FILLING_MARKER` lies
    in the folder from the start to the end of :meth:`finish`: a store killed in between
    is emptied when next opened for writing, and refused read-only.
    """

    def __init__(self, store: OxigraphStore) -> None:
        self.store = store
        self.on_disk = store.location != MEMORY_STORE
        self._worker: threading.Thread | None = None
        self._failure: BaseException | None = None
        self.done = False
        if self.on_disk:
            _write_synced(Path(store.location, FILLING_MARKER),
                          b"a bulk load into this empty store has not finished\n")

    def add(self, source: ox.Store, *, background: bool = False) -> None:
        """Write the quads of ``source``; with ``background`` return once they are read
        (``source`` may then change) and load them in another thread, after the parts
        given before."""
        if not background:
            self.wait()
        if not self.on_disk:
            with self.store.writes.writing():
                self.store.native.bulk_extend(source)
            return
        file = tempfile.NamedTemporaryFile(dir=self.store.location,  # noqa: SIM115 - closed
                                           prefix=FILL_FILE_PREFIX, suffix=".nq")  # by _load
        try:
            source.dump(file, ox.RdfFormat.N_QUADS)
            file.flush()
        except BaseException:
            file.close()
            raise

        def load() -> None:
            try:
                self._load(file.name, ox.RdfFormat.N_QUADS)
            finally:
                file.close()

        self._run(load, background)

    def load_file(self, path: Path, fmt: ox.RdfFormat, *, background: bool = False) -> None:
        """Write every quad of an RDF file (on disk only). A file the bulk loader finds
        wrong raises ``SyntaxError`` (from :meth:`wait` when in the background)."""
        if not background:
            self.wait()
        if not self.on_disk:
            raise StoreError("only a store on disk is filled from a file")
        self._run(lambda: self._load(str(path), fmt), background)

    def _load(self, path: str, fmt: ox.RdfFormat) -> None:
        with self.store.writes.writing():
            self.store.native.bulk_load(path=path, format=fmt, lenient=True)

    def _run(self, load: Callable[[], None], background: bool) -> None:
        if not background:
            self.wait()
            load()
            return
        previous = self._worker  # parts load one after the other

        def run() -> None:
            if previous is not None:
                previous.join()
            if self._failure is not None:
                return
            try:
                load()
            except BaseException as exc:  # handed to the thread that waits
                self._failure = exc

        self._worker = threading.Thread(target=run, name="crossinnov-fill", daemon=True)
        self._worker.start()

    def wait(self) -> None:
        """Wait for a part being loaded in the background; raise what stopped it."""
        if self._worker is not None:
            self._worker.join()
            self._worker = None
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def finish(self) -> None:
        """Wait for the last part, flush, and remove the marker: the store is filled."""
        self.wait()
        if self.on_disk:
            self.store.native.flush()
            marker = Path(self.store.location, FILLING_MARKER)
            marker.unlink()
            _sync_folder(marker.parent)
        self.done = True

    def undo(self) -> None:
        """Throw away what was loaded: the store is empty again (and the marker gone)."""
        try:
            self.wait()
        except BaseException:  # noqa: BLE001 - the store is emptied whatever stopped the load
            log.debug("an abandoned fill had failed", exc_info=True)
        if self.on_disk:
            self.store._undo_fill()  # noqa: SLF001 - the fill belongs to its store
        else:
            self.store.native.clear()
        self.done = True


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_read_only(path: str) -> ox.Store:
    """Open a store folder read-only, next to a writer that may be compacting it.

    RocksDB can delete a file between reading the manifest and opening the file;
    opening again sees the new manifest.
    """
    for attempt in range(5):
        try:
            return ox.Store.read_only(path)
        except RuntimeError as exc:
            if attempt == 4:
                raise OSError(f"the store changed while it was being opened ({exc})") from exc
    raise AssertionError("unreachable")
