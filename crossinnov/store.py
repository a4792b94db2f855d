"""The quad store behind crossinnov, opened from what ``--store`` names.

One small interface, :class:`Store`, with two kinds of backend:

- :class:`OxigraphStore`, embedded pyoxigraph, on disk (a folder) or in memory
  (``:memory:``, for tests);
- :class:`crossinnov.remote.RemoteStore`, any SPARQL 1.1 Query/Update/Graph
  Store server (``http(s)://`` URL).

Callers use only :class:`Store`'s methods, so they do not know which one they
hold. Conventions shared by all backends:

- the default graph of a query is the union of the named graphs, unless the
  query has ``FROM``/``FROM NAMED`` or the caller passes a dataset;
- every triple is kept in exactly one named graph, so that union is a set
  (see :meth:`crossinnov.iris.IRIs.graph_for`);
- one :meth:`Store.update` call is one transaction.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from crossinnov.config import MEMORY_STORE, Settings
from crossinnov.iris import IRIs
from crossinnov.sparqltext import has_dataset_clause

Term = ox.NamedNode | ox.BlankNode | ox.Literal
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


class StoreError(Exception):
    """The store cannot be opened or cannot do what was asked."""


class Store(ABC):
    """What crossinnov needs from a quad store."""

    iris: IRIs
    location: str

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a read query.

        :param bindings: values for variables of the query (substituted, never pasted)
        :param default_graph: graph IRIs whose merge is the default graph (replaces FROM)
        :param named_graphs: graph IRIs available to GRAPH (replaces FROM NAMED)
        """

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL Update request as one transaction."""

    @abstractmethod
    def add_quads(self, quads: Iterable[ox.Quad], *, bulk: bool = False) -> None:
        """Add quads: in one transaction, or with the bulk loader when ``bulk``."""

    @abstractmethod
    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Iterate the quads of one named graph, or of all named graphs."""

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """Return the IRIs of the named graphs."""

    @abstractmethod
    def dump(self, output: BinaryIO, fmt: ox.RdfFormat, *, prefixes: dict[str, str]) -> None:
        """Write the whole dataset (or the union graph, for triple formats), streaming."""

    @abstractmethod
    def __len__(self) -> int:
        """Return the number of quads."""

    def answer(self, spec, timeout: float | None = None, lane: str | None = None):
        """Run a query and return its answer written as ``spec`` asks (see crossinnov.workers).

        ``lane`` says who asks (``public``: the SPARQL endpoint; ``internal``: pages,
        the API; ``background``: the analysis): the served store keeps workers for
        ``internal``. This base version runs in this process, without a time limit,
        and reads the answer whole; the served store and the remote store override it.
        """
        from crossinnov.results import collect_answer

        messages: list[tuple] = []
        self._answer_in_process(spec, messages.append)
        return collect_answer(messages)

    def _answer_in_process(self, spec, emit) -> None:
        raise StoreError("this store cannot answer in process")

    def flush(self) -> None:
        """Make every acknowledged write durable.

        A no-op here: a SPARQL server acknowledges an update once it is committed.
        The embedded store writes its memory tables to its files.
        """

    def close(self) -> None:
        """Release the store (flush to disk for the embedded one)."""

    def in_lane(self, lane: str) -> Store:
        """The same store, for work of another lane (only the served store has lanes)."""
        return self

    def health(self) -> dict:
        """Whether the store answers (for ``/healthz``): never waits behind queries."""
        return {"store": self.ask("ASK { ?s ?p ?o }")}

    def select(self, sparql: str, **bindings: Term) -> list[dict[str, Term]]:
        """Run a SELECT query and return its rows as dicts of terms (unbound left out)."""
        result = self.query(sparql, bindings=bindings or None)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                value = solution[name]
                if value is not None:
                    row[name] = value
            rows.append(row)
        return rows

    def ask(self, sparql: str, **bindings: Term) -> bool:
        """Run an ASK query."""
        return bool(self.query(sparql, bindings=bindings or None))

    def construct(self, sparql: str, **bindings: Term) -> list[ox.Triple]:
        """Run a CONSTRUCT or DESCRIBE query and return its triples."""
        return list(self.query(sparql, bindings=bindings or None))  # type: ignore[arg-type]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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

    @property
    def native(self) -> ox.Store:
        """The underlying pyoxigraph store (for the bulk loader and the benchmark)."""
        return self._store

    def query(self, sparql, *, bindings=None, default_graph=None, named_graphs=None):
        kwargs: dict = {}
        if default_graph is not None or named_graphs is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
        elif not has_dataset_clause(sparql):
            # pyoxigraph ignores FROM when use_default_graph_as_union is set, so
            # only ask for the union when the query names no dataset itself.
            kwargs["use_default_graph_as_union"] = True
        if bindings:
            kwargs["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        return self._store.query(sparql, **kwargs)

    def _answer_in_process(self, spec, emit) -> None:
        from crossinnov.workers import answer

        answer(self._store, spec, emit)

    def update(self, sparql: str) -> None:
        self._check_writable()
        try:
            self._store.update(sparql)
        except (RuntimeError, OSError) as exc:
            raise StoreError(f"the update failed and changed nothing: {exc}") from exc

    def add_quads(self, quads, *, bulk=False):
        self._check_writable()
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

    def named_graphs(self):
        return [g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]

    def dump(self, output, fmt, *, prefixes):
        if fmt.supports_datasets:
            self._store.dump(output, fmt, prefixes=prefixes if fmt != ox.RdfFormat.N_QUADS else None)
        else:
            from crossinnov.queries import QUERIES

            triples = self._store.query(QUERIES["store_union"], use_default_graph_as_union=True)
            ox.serialize(triples, output, fmt, prefixes=prefixes)

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        """Write everything in memory to disk files (the write-ahead log is always written)."""
        if self.location != MEMORY_STORE and not self.read_only:
            self._store.flush()

    def close(self) -> None:
        """Flush and release the store (and its lock on the folder)."""
        if self._store is None:
            return
        self.flush()
        # pyoxigraph has no close(): dropping the last reference releases the files
        self._store = None  # type: ignore[assignment]
        import gc

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


def is_remote(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def open_store(settings: Settings | None = None, *, read_only: bool = False) -> Store:
    """Open the store that ``settings.store`` names.

    A folder opens (or creates) the embedded on-disk store; ``:memory:`` an
    empty in-memory store; an ``http(s)://`` URL an external SPARQL server.
    """
    settings = settings or Settings.from_env()
    iris = IRIs(settings.base)
    location = settings.store
    if is_remote(location):
        from crossinnov.remote import RemoteStore

        return RemoteStore(location, iris, update_url=settings.update_url,
                           gsp_url=settings.gsp_url, read_only=read_only)
    if location == MEMORY_STORE:
        return OxigraphStore(None, iris)
    path = os.path.expanduser(location)
    if read_only and not Path(path, "CURRENT").exists():
        # nothing stored there yet: an empty read-only view
        empty = OxigraphStore(None, iris, read_only=True)
        empty.location = path
        return empty
    return OxigraphStore(path, iris, read_only=read_only)
