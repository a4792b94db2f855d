"""The embedded store: pyoxigraph on disk (a folder) or in memory (``:memory:``)."""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox

from crossinnov.config import MEMORY_STORE
from crossinnov.iris import IRIs
from crossinnov.sparql.dataset import oxigraph_dataset
from crossinnov.sparql.evaluate import answer
from crossinnov.sparql.evaluate import query as run_query
from crossinnov.stores.base import Store, StoreError, WriteVersion
from crossinnov.stores.commit import GroupFlush


class OxigraphStore(Store):
    """Embedded pyoxigraph store, on disk or in memory."""

    def __init__(self, path: str | None, iris: IRIs, *, read_only: bool = False) -> None:
        self.iris = iris
        self.location = path or MEMORY_STORE
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
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
        # writers that flush at about the same time share one flush (group commit)
        self._flushes = GroupFlush(self._flush_now)

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

    def is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

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

    def close(self) -> None:
        """Flush and release the store (and its lock on the folder)."""
        if self._store is None:
            return
        self.flush()
        # pyoxigraph has no close(): dropping the last reference releases the files
        self._store = None  # type: ignore[assignment]
        gc.collect()

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")


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
