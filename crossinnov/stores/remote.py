"""An external SPARQL 1.1 server as the store (for those who outgrow one machine).

Reads go to the query endpoint (SPARQL 1.1 Protocol), writes to the update
endpoint (one request = one transaction on servers that run a request
atomically, as Oxigraph, Fuseki and GraphDB do), whole-graph reads to the
Graph Store Protocol endpoint. The update and GSP endpoints are derived for
well-known servers or given explicitly (``--update-url``, ``--gsp-url``).

crossinnov's queries expect the default graph to be the union of the named
graphs: with Oxigraph server this is asked per query (``union-default-graph``);
Virtuoso's default graph is the union already (its own graphs made private, as the README
says; :mod:`crossinnov.stores.virtuoso` has all it does differently); other servers must be
configured so (see the README).

Answers are read by pyoxigraph's parsers as they arrive, so an answer the
server breaks off (Oxigraph reports an evaluation error after the status line)
is an error, never a short answer. The web app gives its reads a time limit
(:meth:`RemoteStore.limited`): past it the read stops with ``QueryTimeout``. The
server itself goes on evaluating unless it has a limit of its own (Oxigraph
server: ``--timeout-s``).
"""

from __future__ import annotations

import copy
import time
import urllib.parse
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from crossinnov.formats import RDF_FORMATS, RESULT_FORMATS
from crossinnov.iris import IRIs
from crossinnov.sparql.answers import (
    Answer,
    Failed,
    Message,
    QueryRejected,
    QuerySpec,
    collect_answer,
)
from crossinnov.sparql.dataset import protocol_fields
from crossinnov.sparql.queries import QUERIES, quads_block, term
from crossinnov.sparql.results import write_answer
from crossinnov.sparql.text import inject_values, query_form
from crossinnov.stores import http, virtuoso
from crossinnov.stores.base import Store, StoreError
from crossinnov.stores.http import Body, Credentials, NoAnswer, Refused, Unreachable

RESULTS_JSON = RESULT_FORMATS["json"].media_type
N_TRIPLES = RDF_FORMATS["ntriples"].media_type
N_QUADS = RDF_FORMATS["nquads"].media_type
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
#: seconds any one wait on the server may last (a big update or load takes a while)
HTTP_TIMEOUT = 300.0
#: quads per request of a bulk add with INSERT DATA; quads per chunk of a streamed one
BATCH = 20_000


OXIGRAPH, VIRTUOSO = "oxigraph", "virtuoso"


def derive_endpoints(query_url: str) -> tuple[str, str | None, str | None]:
    """Return (update URL, GSP URL, the server: ``oxigraph``, ``virtuoso`` or None) for a
    query URL."""
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if path.endswith("/query") and path.count("/") == 1:  # Oxigraph server: /query
        return at("/update"), at("/store"), OXIGRAPH
    if path == "/sparql":  # Virtuoso: updates to the same endpoint, its own graph CRUD
        return query_url, at("/sparql-graph-crud"), VIRTUOSO
    if path == "/sparql-auth":  # Virtuoso behind Digest authentication
        return query_url, at("/sparql-graph-crud-auth"), VIRTUOSO
    if path.endswith(("/query", "/sparql")):  # Fuseki: /dataset/query or /dataset/sparql
        base = path.rsplit("/", 1)[0]
        return at(base + "/update"), at(base + "/data"), None
    if "/repositories/" in path:  # GraphDB, RDF4J
        return at(path + "/statements"), at(path + "/rdf-graphs/service"), None
    return query_url, None, None  # others: one endpoint for both


class RemoteStore(Store):
    """A SPARQL 1.1 Query/Update (and Graph Store) server."""

    def __init__(self, query_url: str, iris: IRIs, *, update_url: str | None = None,
                 gsp_url: str | None = None, read_only: bool = False,
                 query_timeout: float | None = None, http_timeout: float = HTTP_TIMEOUT,
                 credentials: Credentials | None = None) -> None:
        for url in (query_url, update_url, gsp_url):
            if url is None:
                continue
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                kind = "query endpoint" if url == query_url else "endpoint"
                raise StoreError(f"not the URL of a SPARQL {kind}: {url!r}")
            if parts.username is not None or parts.password is not None:
                raise StoreError("a user name or password in the store's URL would be shown "
                                 "wherever the URL is (logs, process lists): set "
                                 "CROSSINNOV_STORE_USER and CROSSINNOV_STORE_PASSWORD instead")
        #: HTTP authentication sent with every request to the server (None: none)
        self.credentials = credentials
        self.iris = iris
        self.location = query_url
        self.query_url = query_url
        derived_update, derived_gsp, self.server = derive_endpoints(query_url)
        self.oxigraph = self.server == OXIGRAPH
        self.virtuoso = self.server == VIRTUOSO
        self.update_url = update_url or derived_update
        self.gsp_url = gsp_url or derived_gsp
        self.read_only = read_only
        #: seconds a read may take before it stops with QueryTimeout (None: no limit)
        self.query_timeout = query_timeout
        self.http_timeout = http_timeout

    def limited(self, seconds: float) -> RemoteStore:
        """Return this store with reads stopped after ``seconds`` (the web app's time limit)."""
        limited = copy.copy(self)
        limited.query_timeout = seconds
        return limited

    # --- reads -----------------------------------------------------------------------------
    def _query_fields(self, sparql: str, bindings, default_graph, named_graphs,
                      base_iri: str | None = None) -> list[tuple[str, str]]:
        if bindings:
            sparql = inject_values(sparql, {k: _bindable(k, v) for k, v in bindings.items()})
        if base_iri:
            sparql = _with_base(sparql, base_iri)
        if self.virtuoso:
            sparql, default_graph, named_graphs = virtuoso.adapt_query(
                sparql, default_graph, named_graphs)
        return [("query", sparql)] + protocol_fields(
            sparql, default_graph, named_graphs,
            union_parameter="union-default-graph" if self.oxigraph else None)

    def _send_query(self, fields: list[tuple[str, str]], accept: str,
                    deadline: float | None) -> Body:
        try:
            body = http.post_form(self.query_url, fields, accept, timeout=self.http_timeout,
                                  deadline=deadline, credentials=self.credentials)
        except Refused as exc:
            if exc.status == 400:  # SPARQL 1.1 Protocol 2.1.7: a malformed query
                raise QueryRejected("syntax", exc.message) from None
            raise
        if self.virtuoso:
            return self._mended(body)
        return body

    def _mended(self, body: Body) -> Body:
        """Virtuoso's answer read whole, refused if Virtuoso cut it, its JSON mended."""
        with body:
            cut = virtuoso.cut_answer(body.headers)
            if cut is not None:
                raise QueryRejected("evaluation", cut)
            data = body.read_all()
        if body.headers.get("Content-Type", "").startswith(RESULTS_JSON):
            data = virtuoso.fix_json_results(data)
        return http.Buffered(body, data)

    def _deadline(self, timeout: float | None = None) -> float | None:
        limit = self.query_timeout if timeout is None else timeout
        return None if limit is None else time.monotonic() + limit

    def query(self, sparql, *, bindings=None, default_graph=None, named_graphs=None):
        """Run a read query; the answer is read whole (and checked whole) before it is returned."""
        graph = query_form(sparql) in GRAPH_FORMS
        fields = self._query_fields(sparql, bindings, default_graph, named_graphs)
        try:
            with self._send_query(fields, N_TRIPLES if graph else RESULTS_JSON,
                                  self._deadline()) as body:
                return _parse_whole(body.read_all(), graph, body)
        except QueryRejected as exc:
            if exc.kind == "syntax":
                raise SyntaxError(str(exc)) from None
            raise StoreError(str(exc)) from None

    def answer(self, spec: QuerySpec, timeout: float | None = None, lane: str | None = None
               ) -> Answer:
        """Answer for the web: parsed as it arrives, written as ``spec`` asks, capped.

        The answer is read whole (and so checked whole) before it is returned.
        """
        graph = query_form(spec.sparql) in GRAPH_FORMS
        fields = self._query_fields(spec.sparql, spec.bindings, spec.default_graph,
                                    spec.named_graphs, spec.base_iri)
        messages: list[Message] = []
        with self._send_query(fields, N_TRIPLES if graph else RESULTS_JSON,
                              self._deadline(timeout)) as body:
            try:
                result = _parse_stream(body, graph)
            except SyntaxError:
                result = None
            if result is not None:
                write_answer(result, spec, messages.append)
        failure, body.failure = body.failure, None
        if failure is not None:
            # the body no longer holds the exception: no cycle keeps the half-read answer
            # (a pyoxigraph object that must be dropped in this thread) for the collector
            raise failure
        if result is None or isinstance(messages[-1], Failed):
            raise QueryRejected("evaluation", body.broke_off())
        return collect_answer(messages)

    def quads(self, graph=None):
        if self.virtuoso:  # its Graph Store reads are cut at ResultSetMaxRows, silently
            return self._selected_quads(graph)
        if graph is not None:
            return self._graph_quads(graph) if self.gsp_url else self._selected_quads(graph)
        if self.oxigraph and self.gsp_url:
            return self._dataset_quads()
        return self._selected_quads(None)

    def _graph_quads(self, graph: str) -> Iterator[ox.Quad]:
        """One graph by the Graph Store Protocol (5.2: GET, ``?graph=``); none if it is missing."""
        name = ox.NamedNode(graph)
        url = self.gsp_url + "?" + urllib.parse.urlencode({"graph": graph})
        try:
            body = http.request("GET", url, headers={"Accept": N_TRIPLES},
                                timeout=self.http_timeout, credentials=self.credentials)
        except Refused as exc:
            if exc.status == 404:
                return
            raise
        with body:
            for quad in _parsed(body, ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(quad.subject, quad.predicate, quad.object, name)

    def _dataset_quads(self) -> Iterator[ox.Quad]:
        """Every named graph in one read: Oxigraph server's GSP endpoint answers the dataset."""
        with http.request("GET", self.gsp_url, headers={"Accept": N_QUADS},
                          timeout=self.http_timeout, credentials=self.credentials) as body:
            for quad in _parsed(body, ox.RdfFormat.N_QUADS):
                if not isinstance(quad.graph_name, ox.DefaultGraph):
                    yield quad

    def _selected_quads(self, graph: str | None) -> Iterator[ox.Quad]:
        bindings = {"g": ox.NamedNode(graph)} if graph is not None else {}
        for r in self.select(QUERIES["store_quads"], **bindings):
            yield ox.Quad(r["s"], r["p"], r["o"], r["g"])

    def named_graphs(self):
        # Virtuoso answers GRAPH ?g { } with one solution that binds nothing: it lists
        # the graphs that hold triples (an empty graph is not seen)
        query = QUERIES["store_graphs_with_triples" if self.virtuoso else "store_named_graphs"]
        return [r["g"].value for r in self.select(query)
                if isinstance(r["g"], ox.NamedNode)]

    def dump(self, output, fmt, *, prefixes):
        if fmt.supports_datasets:
            ox.serialize(self.quads(), output, fmt,
                         prefixes=None if fmt == ox.RdfFormat.N_QUADS else prefixes)
            return
        if self.virtuoso:  # its CONSTRUCT answers are cut at ResultSetMaxRows, silently
            ox.serialize((q.triple for q in self.quads()), output, fmt, prefixes=prefixes)
            return
        fields = self._query_fields(QUERIES["store_union"], None, None, None)
        with self._send_query(fields, N_TRIPLES, None) as body:
            triples = (q.triple for q in _parsed(body, ox.RdfFormat.N_TRIPLES))
            ox.serialize(triples, output, fmt, prefixes=prefixes)

    def __len__(self) -> int:
        return int(self.select(QUERIES["store_size"])[0]["n"].value)

    # --- writes ----------------------------------------------------------------------------
    def update(self, sparql: str) -> None:
        """Run an update request; it is acknowledged once the server has committed it."""
        self._check_writable()
        if self.virtuoso:
            sparql = virtuoso.split_update(sparql)
        try:
            with http.post_form(self.update_url, [("update", sparql)], "*/*",
                                timeout=self.http_timeout, credentials=self.credentials) as body:
                body.read_all()
        except Refused as exc:
            if self.virtuoso and exc.status not in (400, 401, 403):  # refused before it ran
                raise StoreError(f"the update failed: {exc.message} (Virtuoso commits each "
                                 "operation of a request on its own: those before the failing "
                                 "one may have been applied)") from None
            raise StoreError(f"the update failed and changed nothing: {exc.message}") from None
        except Unreachable as exc:
            raise StoreError(f"{exc}; nothing was changed") from None
        except NoAnswer as exc:
            raise StoreError(f"{exc}: the update may or may not have been applied") from None

    def add_quads(self, quads, *, bulk=False):
        """Add quads in one transaction, or (``bulk``) as fast as the server can.

        Oxigraph server takes N-Quads streamed to its Graph Store endpoint (GSP 5.5,
        POST to the dataset): one transaction, of any size (update requests are
        limited to 128 MiB), or with its bulk loader (``no_transaction``). Other
        servers get ``INSERT DATA``: one request, or for a bulk add batches that each
        end where a graph ends (blank nodes never span two requests).
        """
        self._check_writable()
        if self.oxigraph and self.gsp_url:
            self._post_quads(quads, bulk=bulk)
            return
        batches = _batches(quads, BATCH) if bulk else [list(quads)]
        for batch in batches:
            if batch:
                self.update(QUERIES.render("insert_data", quads=quads_block(batch)))

    def _post_quads(self, quads: Iterable[ox.Quad], *, bulk: bool) -> None:
        """POST N-Quads to Oxigraph server's dataset, streamed: one request, any size."""
        url = self.gsp_url + ("?no_transaction" if bulk else "")
        chunks = (ox.serialize(batch, format=ox.RdfFormat.N_QUADS)
                  for batch in _batches(quads, BATCH))
        try:
            with http.request("POST", url, body=chunks, timeout=self.http_timeout,
                              headers={"Content-Type": N_QUADS},
                              credentials=self.credentials) as body:
                body.read_all()
        except Refused as exc:
            done = "the bulk load may have been written in part" if bulk else "nothing was added"
            raise StoreError(f"adding quads failed ({done}): {exc.message}") from None
        except Unreachable as exc:
            raise StoreError(f"{exc}; nothing was added") from None
        except NoAnswer as exc:
            raise StoreError(f"{exc}: the quads may or may not have been added") from None

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")


def _bindable(name: str, value) -> str:
    """Write a bound value in SPARQL syntax, for a VALUES block (which holds no blank nodes)."""
    if isinstance(value, ox.BlankNode):
        raise StoreError(f"?{name}: a blank node cannot be sent to a SPARQL server as a value")
    return str(term(value))


def _with_base(sparql: str, base_iri: str) -> str:
    """Return the query with ``BASE <iri>`` before it (on its first line: positions keep their
    line numbers); a query's own BASE comes later and wins (SPARQL 1.1 Query 4.1.1.1)."""
    try:
        base = term(ox.NamedNode(base_iri))
    except ValueError:  # not an IRI: relative IRIs stay unresolved
        return sparql
    return f"BASE {base} {sparql}"


def _parse_stream(body: Body, graph: bool):
    """Parse an answer as it arrives: an iterator of triples, solutions, or a boolean."""
    if graph:
        return (q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)


def _parse_whole(data: bytes, graph: bool, body: Body):
    """Parse a whole answer, checking all of it: one that broke off is an error, not short."""
    result = None
    try:
        if graph:
            return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        result = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        if isinstance(result, ox.QuerySolutions):
            for _ in result:
                pass
            result = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        return result
    except SyntaxError:
        result = None  # the traceback keeps this frame: it must not keep the answer too
        raise QueryRejected("evaluation", body.broke_off()) from None


def _parsed(body: Body, fmt: ox.RdfFormat) -> Iterator[ox.Quad]:
    """Parse RDF as it arrives; a broken-off answer is a StoreError."""
    try:
        yield from ox.parse(body, format=fmt)
    except SyntaxError:
        failure, body.failure = body.failure, None
        if failure is not None:
            raise failure from None
        raise StoreError(body.broke_off()) from None


def _batches(quads: Iterable[ox.Quad], size: int) -> Iterator[list[ox.Quad]]:
    """Cut quads into lists of about ``size``, each ending where a graph ends."""
    batch: list[ox.Quad] = []
    for quad in quads:
        if len(batch) >= size and quad.graph_name != batch[-1].graph_name:
            yield batch
            batch = []
        batch.append(quad)
    if batch:
        yield batch
