"""What a query gets back: the answer types, and the messages an answer travels in.

A query is asked as a :class:`QuerySpec`. Whoever runs it (in this process, in a
worker process, or on a remote server) writes the answer as a stream of
:data:`Message` values — one :class:`Head`, :class:`Chunk` values, then
:class:`Done` — or a :class:`Failed` at any point (evaluation is lazy: a type
error may come while the answer is written). :func:`collect_answer` turns a
whole stream into an :class:`Answer`, or raises what went wrong.

The exceptions are the ways a query can end without an answer; the web layer
maps each to its HTTP status.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


class QueryTimeout(Exception):
    """The query ran past its time limit and was stopped."""


class QueryRejected(Exception):
    """The query cannot be run: a syntax error, or an error while evaluating it."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class WorkerDied(Exception):
    """The worker process ended while answering (a crash in the engine)."""


class QueryOverMemory(Exception):
    """The query needed more memory than a worker may add, and was stopped."""

    def __init__(self, limit_mb: int) -> None:
        super().__init__(f"the query needed more than the {limit_mb} MB of memory a query may "
                         "use, and was stopped")
        self.limit_mb = limit_mb


class PoolBusy(Exception):
    """No worker of the query's lane became free in time."""


@dataclass
class QuerySpec:
    """What a worker is asked: the query, its dataset, and how to write the answer."""

    sparql: str
    default_graph: list[str] | None = None
    named_graphs: list[str] | None = None
    bindings: dict[str, Any] | None = None
    select_format: str = "json"  # json, xml, csv, tsv
    graph_format: str = "ntriples"  # a name of crossinnov.formats.RDF_FORMATS
    max_rows: int = 100_000
    prefixes: dict[str, str] | None = None
    #: against which relative IRIs in the query are resolved (the endpoint's URL)
    base_iri: str | None = None
    #: most bytes the written answer may have (it is cut before a row that would pass it)
    max_bytes: int | None = None


@dataclass
class Answer:
    """A query's answer: its kind, format, and bytes.

    ``cut`` says why an answer holds less than the query's result: ``"rows"``
    (the row limit) or ``"bytes"`` (the size limit); None when it is whole.
    """

    kind: str  # "solutions", "boolean" or "graph"
    format: str
    chunks: Iterator[bytes]
    complete: bool = True  # the whole answer was read before it was handed out
    rows: int | None = None
    meta: dict = field(default_factory=dict)
    cut: str | None = None
    size: int | None = None

    @property
    def truncated(self) -> bool:
        """Whether the answer holds less than the query's result (see ``cut``)."""
        return self.cut is not None

    def read(self) -> bytes:
        return b"".join(self.chunks)


# --- the answer protocol ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Head:
    """The first message: what kind of answer follows, in which format."""

    kind: str  # "solutions", "boolean" or "graph"
    format: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """Some bytes of the written answer."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Done:
    """The last message of an answer: rows written, why it was cut (or None), bytes written."""

    rows: int
    cut: str | None
    bytes: int

    def answer(self, head: Head, chunks: Iterator[bytes], size: int) -> Answer:
        """The :class:`Answer` this message ends, whose bytes are ``chunks``."""
        meta = {"rows": self.rows, "cut": self.cut, "bytes": self.bytes}
        return Answer(head.kind, head.format, chunks, True, self.rows, meta, self.cut, size)


@dataclass(frozen=True, slots=True)
class Failed:
    """The query failed: ``kind`` is ``syntax``, ``evaluation`` or ``memory``."""

    kind: str
    message: str


Message = Head | Chunk | Done | Failed


def collect_answer(messages: list[Message]) -> Answer:
    """Return the whole answer a stream of messages holds, or raise its error."""
    for message in (messages[0], messages[-1]):
        if isinstance(message, Failed):
            raise QueryRejected(message.kind, message.message)
    head, done = messages[0], messages[-1]
    assert isinstance(head, Head) and isinstance(done, Done)
    chunks = [m.data for m in messages if isinstance(m, Chunk)]
    return done.answer(head, iter(chunks), done.bytes)
