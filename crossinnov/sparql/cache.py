"""Answers that need not be computed twice: a cache bounded in bytes, keyed by the store's version.

A key is everything that decides an answer's bytes — the query text, the dataset,
the formats, the row and byte caps, the prefixes and base IRI — plus the store's
version, which every write changes (:meth:`crossinnov.stores.base.Store.version`).
So a write makes every older entry unreachable at once; they are then the least
recently used and go first when the budget is full.

Only whole answers are kept (a cut one is kept too: it is what the same request
gets again), each at most :attr:`AnswerCache.max_entry` bytes, all together at most
:attr:`AnswerCache.budget` bytes. The cache also names each answer: :func:`etag`
is the ``ETag`` of the answer a key has at a version, so a client's
``If-None-Match`` is answered ``304`` without running the query again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from crossinnov.sparql.answers import Answer, QuerySpec


@dataclass(frozen=True)
class Cached:
    """A whole answer kept in memory: what :class:`~crossinnov.sparql.answers.Answer` says,
    with its bytes."""

    kind: str
    format: str
    data: bytes
    rows: int | None
    meta: dict
    cut: str | None

    def answer(self) -> Answer:
        return Answer(self.kind, self.format, iter([self.data]), True, self.rows,
                      dict(self.meta), self.cut, len(self.data))


def key_of(spec: QuerySpec) -> str:
    """The part of a cache key that comes from the request: every field that shapes the bytes."""
    parts = [spec.sparql, repr(spec.default_graph), repr(spec.named_graphs),
             repr(sorted((spec.bindings or {}).items(), key=lambda kv: kv[0])),
             spec.select_format, spec.graph_format, str(spec.max_rows), str(spec.max_bytes),
             repr(sorted((spec.prefixes or {}).items())), spec.base_iri or ""]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def etag(key: str, version: str) -> str:
    """The strong entity tag of the answer ``key`` has when the store is at ``version``."""
    return hashlib.sha256(f"{version}\x1f{key}".encode()).hexdigest()[:32]


class AnswerCache:
    """Least recently used answers, at most ``budget`` bytes in all, thread-safe."""

    def __init__(self, budget: int, max_entry: int) -> None:
        self.budget = budget
        self.max_entry = min(max_entry, budget)
        self._entries: OrderedDict[tuple[str, str], Cached] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str, version: str) -> Answer | None:
        with self._lock:
            found = self._entries.get((key, version))
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end((key, version))
            self.hits += 1
        return found.answer()

    def put(self, key: str, version: str, answer: Answer) -> Answer:
        """Keep ``answer`` if it is small enough; return an answer to send (its bytes are read
        here when kept, so the one returned is a fresh reader of them)."""
        if self.budget <= 0 or not answer.complete or answer.size is None \
                or answer.size > self.max_entry:
            return answer
        data = answer.read()
        entry = Cached(answer.kind, answer.format, data, answer.rows, dict(answer.meta),
                       answer.cut)
        with self._lock:
            old = self._entries.pop((key, version), None)
            if old is not None:
                self._size -= len(old.data)
            self._entries[(key, version)] = entry
            self._size += len(data)
            while self._size > self.budget and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.data)
        return entry.answer()

    @property
    def size(self) -> int:
        """Bytes held now."""
        return self._size

    def __len__(self) -> int:
        return len(self._entries)
