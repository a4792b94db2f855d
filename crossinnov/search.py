"""Search over organisations and good practices: ranked full text and facets (SQLite FTS5).

The store answers SPARQL; a search box needs something else: words found whatever their
case or accents, ranked by how well they match, and counts for every filter. This module
keeps a small index beside the store, in SQLite (standard library) with its FTS5
full-text tables:

- ``item``: one row per organisation or good practice (IRI, kind, name, sort key);
- ``text``: its name and other names, description and keywords, tokenised by
  ``unicode61`` with diacritics removed, ranked by BM25 (a name counts ten times);
- ``value``: its filterable values, one row each: ``city``, ``sector``, ``theme``,
  ``seeks`` (sectors it seeks partners in) and ``kind`` (organisation kind). A sector
  counts for its broader sectors too, so a top concept takes in its narrower ones.

The index follows the store's changelog (every write adds an activity): before each
search it compares the number of writes recorded, and the latest one's time, with those
it was built from, and re-reads only the graphs written since (or everything after a big
load, or after a write stamped long before the latest: see :meth:`SearchIndex.sync`).
So it is kept in step with every write, also one made by another process over the same
store, and it is built from the store at first use. The SPARQL it reads with is in
``queries/search_*.rq``.

Filters: AND across fields, OR within one. Facet counts are Datasette's: for every field,
how many of the rows found (every filter and the text applied) have each value, so the
counts of a field add up to the rows found with a value for it. Paging is by cursor: the
last row's (rank, sort key, IRI), so a page never repeats or skips a row when others
are written in between.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox

from crossinnov.namespaces import CI
from crossinnov.sparql.queries import QUERIES, Serialised, number, term, values
from crossinnov.stores.base import Store
from crossinnov.writes.changes import datetime_literal

#: the filterable fields, in the order pages show them
FIELDS = ("city", "sector", "theme", "seeks", "kind")
#: fields whose values are sectors: they count for every broader sector too
SECTOR_FIELDS = ("sector", "seeks")
KIND_OF_CLASS = {CI.Organisation.value: "organisation", CI.GoodPractice.value: "practice"}
#: more graphs written since the last look than this: read everything again
REBUILD_ABOVE = 2_000
#: writes recorded up to this long before the latest one read are looked at again: a write
#: started first may commit last, and servers' clocks differ a little
WINDOW = timedelta(seconds=60)
#: at most this many words of a text query are used
MAX_WORDS = 16
#: BM25 weights of the text columns: names, then description and keywords
WEIGHTS = (10.0, 1.0)
_WORD = re.compile(r"\w+", re.UNICODE)
_BATCH = 500
UNDEF = Serialised("UNDEF")

SCHEMA_SQL = """
CREATE TABLE item (id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, kind TEXT NOT NULL,
                   name TEXT NOT NULL, sort TEXT NOT NULL);
CREATE INDEX item_order ON item (kind, sort, iri);
CREATE TABLE value (item INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
                    direct INTEGER NOT NULL, PRIMARY KEY (item, field, value)) WITHOUT ROWID;
CREATE INDEX value_field ON value (field, value, item);
CREATE VIRTUAL TABLE text USING fts5(names, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TEMP TABLE hits (id INTEGER PRIMARY KEY, rank REAL NOT NULL);
"""


@dataclass(frozen=True)
class SearchQuery:
    """What is asked: a kind of item, words, filters (field -> value IRIs), a page."""

    kind: str = "organisation"
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    limit: int = 50
    #: the cursor: (rank, sort key, IRI) of the last row before the page
    after: tuple[float, str, str] | None = None


@dataclass
class Hit:
    iri: str
    name: str
    values: dict[str, list[str]]  # field -> the IRIs stated (not the broader sectors)
    rank: float
    sort: str


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]  # field -> value IRI -> count
    next: tuple[float, str, str] | None


def match_expression(text: str) -> str | None:
    """Turn what someone typed into an FTS5 query: every word must occur, the last as a
    prefix (so results come while typing); None when there is no word in it.

    Only word characters reach FTS5, each word quoted: FTS5's own syntax (``NEAR``,
    ``*``, ``"``, ``:``, ``^``) cannot be used, nor broken, from the search box.
    """
    words = _WORD.findall(text)[:MAX_WORDS]
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def sort_key(name: str) -> str:
    return " ".join(name.casefold().split())


class SearchIndex:
    """The search index of one store; thread-safe (one lock around one SQLite connection)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._broader: dict[str, str] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        #: (writes recorded, time of the latest) when the index was last brought up to date
        self.version: tuple[int, str] | None = None
        #: the writes recorded in the ``WINDOW`` before the latest one read
        self._recent: set[str] = set()

    # --- keeping in step ---------------------------------------------------------------------

    def _latest(self) -> tuple[int, str] | None:
        """How many writes the changelog records, and the time of the latest."""
        rows = self.store.select(QUERIES["search_version"],
                                 changelog=self.store.iris.changelog_graph)
        if not rows or "latest" not in rows[0]:
            return None
        return int(rows[0]["writes"].value), rows[0]["latest"].value

    def _since(self, moment: str) -> list[dict]:
        """The writes recorded from ``WINDOW`` before ``moment`` on, with their graphs."""
        start = datetime.fromisoformat(moment.replace("Z", "+00:00")) - WINDOW
        since = datetime_literal(start.astimezone(UTC))
        return self.store.select(QUERIES.render("search_changes", since=term(since),
                                                limit=number(REBUILD_ABOVE + 1)),
                                 changelog=self.store.iris.changelog_graph)

    def sync(self) -> None:
        """Bring the index up to the store's latest write (build it the first time).

        The writes are counted: a write whose time is earlier than the latest one read
        (it started first and committed last, or its server's clock is behind) still moves
        the count. The writes recorded in the last ``WINDOW`` before the latest one read are
        known by name, so the new ones are found among those of the window; when they do
        not account for the count's rise (a write stamped further back: a long load), or
        there are too many, the index is read again whole.
        """
        with self._lock:
            latest = self._latest()
            if self._db is not None and latest == self.version:
                return
            if self._db is None or self.version is None or latest is None:
                self._rebuild(latest)
                return
            rows = self._since(self.version[1])
            fresh = {r["activity"].value for r in rows} - self._recent
            if len(rows) > REBUILD_ABOVE or len(fresh) < latest[0] - self.version[0]:
                self._rebuild(latest)
                return
            items = set()
            for r in rows:
                if r["activity"].value not in fresh or "graph" not in r:
                    continue
                found = self.store.iris.resource_of_graph(r["graph"].value)
                if found and found[0] in ("organisation", "practice"):
                    items.add(self.store.iris.resource(*found).value)
            self._reindex(sorted(items))
            # a write that committed after the count was read is among the rows: counted
            self.version = (self.version[0] + len(fresh), latest[1])
            # the next window starts later: what it holds that is known is among these rows
            self._recent = {r["activity"].value for r in rows}

    def _rebuild(self, latest: tuple[str, str] | None) -> None:
        # the writes known by name before the items are read: one that commits in between
        # is read with the items, and found again (re-read, harmless) at the next sync
        self._recent = ({r["activity"].value for r in self._since(latest[1])}
                        if latest is not None else set())
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.executescript(SCHEMA_SQL)
        self._broader = self._read_broader()
        self._db = db
        self._insert(None)
        self.version = latest

    def _read_broader(self) -> dict[str, str]:
        return {r["value"].value: r["broader"].value
                for r in self.store.select(QUERIES["list_choices"])
                if "broader" in r and r["field"].value == "sector"}

    def _ancestors(self, sector: str) -> list[str]:
        out, seen = [], {sector}
        node = self._broader.get(sector)
        while node is not None and node not in seen:
            out.append(node)
            seen.add(node)
            node = self._broader.get(node)
        return out

    def _reindex(self, iris: list[str]) -> None:
        """Read again the items named (those gone from the store leave the index)."""
        assert self._db is not None
        for start in range(0, len(iris), _BATCH):
            batch = iris[start:start + _BATCH]
            marks = ",".join("?" * len(batch))
            ids = [r[0] for r in self._db.execute(
                f"SELECT id FROM item WHERE iri IN ({marks})", batch)]  # noqa: S608 (marks)
            self._forget(ids)
            self._insert(batch)
        self._db.commit()

    def _forget(self, ids: list[int]) -> None:
        assert self._db is not None
        for i in ids:
            self._db.execute("DELETE FROM item WHERE id = ?", (i,))
            self._db.execute("DELETE FROM value WHERE item = ?", (i,))
            self._db.execute("DELETE FROM text WHERE rowid = ?", (i,))

    def _insert(self, only: list[str] | None) -> None:
        """Read items from the store into the index: all of them, or ``only`` these IRIs."""
        assert self._db is not None
        # no restriction: one UNDEF row of VALUES lets every item through
        items = values([ox.NamedNode(i) for i in only]) if only is not None else UNDEF
        ids: dict[str, int] = {}
        for r in self.store.select(QUERIES.render("search_items", items=items)):
            iri = r["item"].value
            name = r["name"].value if "name" in r else iri.rsplit("/", 1)[-1]
            kind = KIND_OF_CLASS[r["class"].value]
            if iri in ids:  # an item of both classes: listed once, as an organisation
                continue
            cur = self._db.execute("INSERT INTO item (iri, kind, name, sort) VALUES (?,?,?,?)",
                                   (iri, kind, name, sort_key(name)))
            ids[iri] = cur.lastrowid  # type: ignore[assignment]
            names = " · ".join(x for x in (name, _text(r, "others")) if x)
            body = " ".join(x for x in (_text(r, "description"), _text(r, "keywords")) if x)
            self._db.execute("INSERT INTO text (rowid, names, body) VALUES (?,?,?)",
                             (ids[iri], names, body))
        rows = []
        for r in self.store.select(QUERIES.render("search_values", items=items)):
            item = ids.get(r["item"].value)
            if item is None:
                continue
            name, value = r["field"].value, r["value"].value
            rows.append((item, name, value, 1))
            if name in SECTOR_FIELDS:
                rows += [(item, name, up, 0) for up in self._ancestors(value)]
        # a stated value wins over the same value reached as a broader sector
        self._db.executemany("INSERT INTO value VALUES (?,?,?,?) ON CONFLICT DO UPDATE "
                             "SET direct = max(direct, excluded.direct)", rows)
        self._db.commit()

    # --- asking --------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of hits, the total and the facet counts (the index synced first)."""
        self.sync()
        with self._lock:
            assert self._db is not None
            return _run(self._db, query)

    def counts(self) -> dict[str, int]:
        """How many items of each kind the index holds."""
        self.sync()
        with self._lock:
            assert self._db is not None
            return dict(self._db.execute("SELECT kind, count(*) FROM item GROUP BY kind"))


def _text(row: dict, key: str) -> str:
    return row[key].value if key in row else ""


def _conditions(query: SearchQuery) -> tuple[list[str], list[object]]:
    """SQL conditions on ``item`` (aliased ``i``) for the query's kind and filters."""
    sql, args = ["i.kind = ?"], [query.kind]
    for name in FIELDS:
        chosen = query.filters.get(name, ())
        if not chosen:
            continue
        marks = ",".join("?" * len(chosen))
        sql.append(f"i.id IN (SELECT item FROM value WHERE field = ? AND value IN ({marks}))")
        args += [name, *chosen]
    return sql, args


def _run(db: sqlite3.Connection, query: SearchQuery) -> SearchResult:
    expression = match_expression(query.q)
    if query.q.strip() and expression is None:  # only punctuation: nothing can match
        return SearchResult([], 0, {name: {} for name in FIELDS}, None)
    where, args = _conditions(query)
    source_args: list[object] = []
    if expression:
        # the matches and their rank, once: as a subquery in FROM, SQLite may run the
        # full-text match again for every row of a join (26 s at 100 000 items, not 0.1)
        db.execute("DELETE FROM temp.hits")
        db.execute("INSERT INTO temp.hits SELECT rowid, bm25(text, ?, ?) FROM text "
                   "WHERE text MATCH ?", [*WEIGHTS, expression])
        source = "temp.hits t JOIN item i ON i.id = t.id"
    else:
        source = "item i"
    rank = "t.rank" if expression else "0.0"
    page_where = list(where)
    page_args = list(args)
    if query.after is not None:
        page_where.append(f"({rank}, i.sort, i.iri) > (?, ?, ?)")
        page_args += list(query.after)
    found = db.execute(
        f"SELECT i.id, i.iri, i.name, {rank}, i.sort FROM {source} "  # noqa: S608 (fixed text)
        f"WHERE {' AND '.join(page_where)} ORDER BY {rank}, i.sort, i.iri LIMIT ?",
        [*source_args, *page_args, query.limit + 1]).fetchall()
    hits = [Hit(iri, name, {}, float(r), sort) for _, iri, name, r, sort in found[:query.limit]]
    if hits:
        by_id = {row[0]: hit for row, hit in zip(found, hits, strict=False)}
        marks = ",".join("?" * len(by_id))
        for item, name, value in db.execute(
                f"SELECT item, field, value FROM value WHERE direct = 1 "  # noqa: S608
                f"AND item IN ({marks}) ORDER BY field, value", list(by_id)):
            by_id[item].values.setdefault(name, []).append(value)
    total = db.execute(f"SELECT count(*) FROM {source} WHERE {' AND '.join(where)}",  # noqa: S608
                       [*source_args, *args]).fetchone()[0]
    facets: dict[str, dict[str, int]] = {name: {} for name in FIELDS}
    for name, value, count in db.execute(
            f"SELECT v.field, v.value, count(*) FROM {source} "  # noqa: S608 (fixed text)
            f"JOIN value v ON v.item = i.id WHERE {' AND '.join(where)} "
            f"GROUP BY v.field, v.value ORDER BY v.field, count(*) DESC, v.value",
            [*source_args, *args]):
        facets[name][value] = count
    last = hits[-1] if hits and len(found) > query.limit else None
    return SearchResult(hits, total, facets, (last.rank, last.sort, last.iri) if last else None)

