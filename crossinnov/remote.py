"""An external SPARQL 1.1 server as the store (for those who outgrow one machine).

Reads go to the query endpoint (SPARQL 1.1 Protocol), writes to the update
endpoint (one request = one transaction on servers that run a request
atomically, as Oxigraph, Fuseki and GraphDB do), whole-graph reads to the
Graph Store Protocol endpoint. The update and GSP endpoints are derived for
well-known servers or given explicitly (``--update-url``, ``--gsp-url``).

crossinnov's queries expect the default graph to be the union of the named
graphs: with Oxigraph server this is asked per query (``union-default-graph``),
other servers must be configured so (see the README).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pyoxigraph as ox

from crossinnov.iris import IRIs
from crossinnov.sparqltext import has_dataset_clause, inject_values, query_form
from crossinnov.store import Store, StoreError
from crossinnov.workers import Answer, QueryRejected, QuerySpec, QueryTimeout

RESULT_ACCEPT = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}
#: rows per INSERT DATA request when adding many quads
BATCH = 20_000


def derive_endpoints(query_url: str) -> tuple[str, str | None, bool]:
    """Return (update URL, GSP URL, whether it is Oxigraph server) for a query URL."""
    parts = urllib.parse.urlsplit(query_url)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    if path.endswith("/query") and path.count("/") == 1:  # Oxigraph server: /query
        return at("/update"), at("/store"), True
    if path.endswith(("/query", "/sparql")):  # Fuseki: /dataset/query or /dataset/sparql
        base = path.rsplit("/", 1)[0]
        return at(base + "/update"), at(base + "/data"), False
    if "/repositories/" in path:  # GraphDB, RDF4J
        return at(path + "/statements"), at(path + "/rdf-graphs/service"), False
    return query_url, None, False  # Virtuoso and others: one endpoint for both


class RemoteStore(Store):
    """A SPARQL 1.1 Query/Update (and Graph Store) server."""

    def __init__(self, query_url: str, iris: IRIs, *, update_url: str | None = None,
                 gsp_url: str | None = None, timeout: float = 300.0) -> None:
        self.iris = iris
        self.location = query_url
        self.query_url = query_url
        derived_update, derived_gsp, self.oxigraph = derive_endpoints(query_url)
        self.update_url = update_url or derived_update
        self.gsp_url = gsp_url or derived_gsp
        self.timeout = timeout

    # --- HTTP ------------------------------------------------------------------------------
    def _post(self, url: str, fields: list[tuple[str, str]], accept: str,
              timeout: float | None = None):
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        try:
            return urllib.request.urlopen(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")[:500]
            if exc.code == 400:
                raise QueryRejected("syntax", body) from None
            raise StoreError(f"{url} answered {exc.code}: {body}") from None
        except (urllib.error.URLError, OSError) as exc:
            if "timed out" in str(exc):
                raise QueryTimeout(f"the SPARQL server did not answer in time ({exc})") from None
            raise StoreError(f"cannot reach the SPARQL server {url}: {exc}") from None

    def _query_fields(self, sparql: str, bindings, default_graph, named_graphs):
        if bindings:
            sparql = inject_values(sparql, {k: str(v) for k, v in bindings.items()})
        fields = [("query", sparql)]
        if default_graph is not None or named_graphs is not None:
            fields += [("default-graph-uri", g) for g in default_graph or []]
            fields += [("named-graph-uri", g) for g in named_graphs or []]
        elif self.oxigraph and not has_dataset_clause(sparql):
            fields.append(("union-default-graph", ""))
        return fields

    # --- Store -------------------------------------------------------------------------------
    def query(self, sparql, *, bindings=None, default_graph=None, named_graphs=None):
        fields = self._query_fields(sparql, bindings, default_graph, named_graphs)
        graph = query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples" if graph else RESULT_ACCEPT["json"]
        try:
            with self._post(self.query_url, fields, accept) as response:
                data = response.read()
        except QueryRejected as exc:
            raise SyntaxError(str(exc)) from None
        if graph:
            return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)

    def answer(self, spec: QuerySpec, timeout: float | None = None) -> Answer:
        fields = self._query_fields(spec.sparql, spec.bindings, spec.default_graph,
                                    spec.named_graphs)
        from crossinnov.rdfio import FORMATS

        graph = query_form(spec.sparql) in ("CONSTRUCT", "DESCRIBE")
        accept = FORMATS[spec.graph_format].media_type if graph else \
            RESULT_ACCEPT[spec.select_format]
        started = time.monotonic()
        response = self._post(self.query_url, fields, accept, timeout)
        kind = "graph" if graph else ("boolean" if query_form(spec.sparql) == "ASK"
                                      else "solutions")
        fmt = spec.graph_format if graph else spec.select_format

        def chunks() -> Iterator[bytes]:
            with response:
                while True:
                    if timeout is not None and time.monotonic() - started > timeout:
                        raise QueryTimeout("the SPARQL server's answer took too long")
                    block = response.read(64 * 1024)
                    if not block:
                        return
                    yield block

        return Answer(kind, fmt, chunks())

    def update(self, sparql: str) -> None:
        try:
            with self._post(self.update_url, [("update", sparql)], "*/*"):
                pass
        except QueryRejected as exc:
            raise StoreError(f"the update was refused and changed nothing: {exc}") from None

    def add_quads(self, quads, *, bulk=False):
        batch: list[ox.Quad] = []
        for quad in quads:
            batch.append(quad)
            if len(batch) >= BATCH:
                self._insert(batch)
                batch = []
        if batch:
            self._insert(batch)

    def _insert(self, quads: list[ox.Quad]) -> None:
        # quads become triples inside GRAPH blocks of one INSERT DATA (one transaction)
        by_graph: dict[str, list[str]] = {}
        for quad in quads:
            by_graph.setdefault(str(quad.graph_name), []).append(str(quad.triple) + " .")
        parts = [f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}" for g, lines in by_graph.items()]
        self.update("INSERT DATA {\n" + "\n".join(parts) + "\n}")

    def quads(self, graph=None):
        if graph is not None:
            rows = self.select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                               g=ox.NamedNode(graph))
            for r in rows:
                yield ox.Quad(r["s"], r["p"], r["o"], ox.NamedNode(graph))
            return
        for r in self.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            yield ox.Quad(r["s"], r["p"], r["o"], r["g"])

    def named_graphs(self):
        return [r["g"].value for r in self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]

    def dump(self, output, fmt, *, prefixes):
        if fmt.supports_datasets:
            ox.serialize(self.quads(), output, fmt)
        else:
            triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            ox.serialize(triples, output, fmt, prefixes=prefixes)

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value)
