"""What crossinnov needs from a quad store: one small interface, whatever the backend.

Backends (each in its own module of :mod:`crossinnov.stores`):

- :class:`~crossinnov.stores.embedded.OxigraphStore`, embedded pyoxigraph, on disk
  (a folder) or in memory (``:memory:``, for tests);
- :class:`~crossinnov.stores.remote.RemoteStore`, any SPARQL 1.1 Query/Update/Graph
  Store server (``http(s)://`` URL);
- :class:`~crossinnov.stores.served.ServedStore`, the embedded store behind the web
  app's pool of query workers.

Callers use only :class:`Store`'s methods, so they do not know which one they
hold. Conventions shared by all backends:

- the default graph of a query is the union of the named graphs, unless the
  query has ``FROM``/``FROM NAMED`` or the caller passes a dataset (the rule is
  written once, in :mod:`crossinnov.sparql.dataset`);
- every triple is kept in exactly one named graph, so that union is a set
  (see :meth:`crossinnov.iris.IRIs.graph_for`);
- one :meth:`Store.update` call is one transaction.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import BinaryIO

import pyoxigraph as ox

from crossinnov.iris import IRIs
from crossinnov.sparql.answers import Answer, Message, QuerySpec, collect_answer

Term = ox.NamedNode | ox.BlankNode | ox.Literal
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: who asks a query (see :meth:`Store.answer`): the SPARQL endpoint, pages and the API,
#: or background work such as the analysis
PUBLIC, INTERNAL, BACKGROUND = "public", "internal", "background"
LANES = (PUBLIC, INTERNAL, BACKGROUND)


class WriteVersion:
    """A version tag that every write made through its owner changes, before and after.

    Changing it before and after means an answer computed while a write is going on is
    filed under a version nobody asks for afterwards, so a cache keyed by it never serves
    data older than the last acknowledged write. The tag starts from a random epoch, so
    two runs of a server never share one.
    """

    def __init__(self) -> None:
        self._epoch = secrets.token_hex(6)
        self._count = 0
        self._lock = threading.Lock()

    def tag(self) -> str:
        return f"{self._epoch}.{self._count}"

    def _bump(self) -> None:
        with self._lock:
            self._count += 1

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Wrap a write: the version changes when it starts and when it ends (or fails)."""
        self._bump()
        try:
            yield
        finally:
            self._bump()


def truth(value: Term) -> bool:
    """A boolean a query computed (``BIND(EXISTS { … } AS ?x)``, a comparison), read as
    Python's: ``true``, or ``1``, as Virtuoso 7 answers it (an ``xsd:integer``, whatever
    the expression)."""
    return value.value in ("true", "1")


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

    def graph_ntriples(self, graph: str) -> bytes:
        """One named graph as N-Triples written by pyoxigraph, one line per triple (its
        blank nodes are labelled afresh every time)."""
        return ox.serialize([q.triple for q in self.quads(graph)],
                            format=ox.RdfFormat.N_TRIPLES)

    @abstractmethod
    def named_graphs(self) -> list[str]:
        """Return the IRIs of the named graphs."""

    @abstractmethod
    def dump(self, output: BinaryIO, fmt: ox.RdfFormat, *, prefixes: dict[str, str]) -> None:
        """Write the whole dataset (or the union graph, for triple formats), streaming."""

    @abstractmethod
    def __len__(self) -> int:
        """Return the number of quads."""

    def is_empty(self) -> bool:
        """Whether the store holds no quad at all (without counting them where possible)."""
        return len(self) == 0

    def answer(self, spec: QuerySpec, timeout: float | None = None,
               lane: str | None = None) -> Answer:
        """Run a query and return its answer written as ``spec`` asks.

        (The answer types: :mod:`crossinnov.sparql.answers`.)

        ``lane`` says who asks (``public``: the SPARQL endpoint; ``internal``: pages,
        the API; ``background``: the analysis): the served store keeps workers for
        ``internal``. This base version runs in this process, without a time limit,
        and reads the answer whole; the served store and the remote store override it.
        """
        messages: list[Message] = []
        self._answer_in_process(spec, messages.append)
        return collect_answer(messages)

    def _answer_in_process(self, spec: QuerySpec, emit: Callable[[Message], None]) -> None:
        raise StoreError("this store cannot answer in process")

    def flush(self) -> None:
        """Make every acknowledged write durable.

        A no-op here: a SPARQL server acknowledges an update once it is committed.
        The embedded store writes its memory tables to its files.
        """
        return None

    def sync(self) -> None:
        """Make every write committed before the call durable, the cheapest way (a profile
        write calls it before it is acknowledged).

        A no-op here, as :meth:`flush`; the embedded store syncs its write-ahead log.
        """
        return None

    def close(self) -> None:
        """Release the store (flush to disk for the embedded one)."""
        return None

    def in_lane(self, lane: str) -> Store:
        """The same store, for work of another lane (only the served store has lanes)."""
        return self

    def limited(self, seconds: float) -> Store:
        """The same store, its reads stopped after ``seconds`` where it stops reads at all
        (the served store's workers, a SPARQL server's answers); others as they are."""
        return self

    def of_record(self) -> Store:
        """The store every write is committed to, for the few small reads of a write's own
        checks: the served store's disk store (read in this process, it has each committed
        write at once and waits for no query worker); any other store is its own.

        Its reads have no time limit: only reads bounded by what is being written belong
        here, never a query someone sent.
        """
        return self

    def scans(self) -> Store:
        """The store for the app's own long reads across much of the data (the cluster
        report's lists): the served store's disk store, read in this process; any other
        store is its own. A forked query worker copies the replica's pages its reads walk
        (reading writes reference counts), and the report's reads walked 0.7-1 GB of them
        at 100 000 organisations; on disk they copy nothing, and took 3.2-3.7 s against
        4.0-4.6 s through a worker.

        Its reads have no time limit: only the app's named queries belong here, never a
        query someone sent.
        """
        return self

    def version(self) -> str | None:
        """A tag every write changes, for caches of answers; None when the store cannot tell
        (a SPARQL server may be written by others), and then nothing is cached."""
        return None

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
