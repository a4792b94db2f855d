"""``/sparql`` over real HTTP: requests as the SPARQL 1.1 Protocol sends them, answers read back.

Shared by the tests of the endpoint (``web/test_sparql_*.py``) and of the query workers
behind it (``stores/test_workers.py``). Every request goes through ``requests`` to an app
served by waitress (:class:`conftest.LiveServer`), and every answer is read back with an
independent parser (rdflib for SPARQL results and RDF).

Spec sections cited: SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/)
2.1.1-2.1.3 (query via GET, POST form, POST direct), 2.1.4 (dataset), 2.1.5-2.1.7
(response formats, success and failure responses).
"""

from __future__ import annotations

import io
import time

import rdflib
import requests
from conftest import LiveServer
from rdflib.query import Result

T = 60  # seconds: the timeout of every HTTP request (the server answers far sooner)

CI = rdflib.Namespace("https://w3id.org/crossinnov/ontology#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
ID = "https://w3id.org/crossinnov/id/"
GRAPH = "https://w3id.org/crossinnov/graph/"

CITIES = ["amsterdam", "berlin", "birmingham", "linz", "lisbon", "plzen", "rome", "stockholm",
          "tallinn", "vilnius", "warsaw"]


def city(slug: str) -> str:
    return f"{ID}city/{slug}"


def city_graph(slug: str) -> str:
    return f"{GRAPH}city/{slug}"


PREFIXES = ("PREFIX ci: <https://w3id.org/crossinnov/ontology#>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
CITY_NOTATIONS = PREFIXES + ("SELECT ?notation WHERE { ?city a ci:City ; skos:notation ?notation }"
                             " ORDER BY ?notation")
CITY_TRIPLES = PREFIXES + ("CONSTRUCT { ?city skos:notation ?n ; skos:prefLabel ?label } "
                           "WHERE { ?city a ci:City ; skos:notation ?n ; skos:prefLabel ?label }")
ALL_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
ALL_GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
UNION_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DISTINCT_TRIPLES = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
#: a query that never ends by itself: a three-way cartesian product, counted
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

RESULT_TYPES = {"application/sparql-results+json": "json",
                "application/sparql-results+xml": "xml",
                "text/csv": "csv", "text/tab-separated-values": "tsv"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt",
             "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")


# --- servers -----------------------------------------------------------------------------------

class Serve:
    """Starts LiveServers over new apps (each its own copy of the shipped data); closes them.

    ``serve(**config)`` returns the server, with its app at ``.app``.
    """

    def __init__(self, make_app) -> None:
        self._make_app = make_app
        self._servers: list[LiveServer] = []

    def __call__(self, **config) -> LiveServer:
        app = self._make_app(**config)
        server = LiveServer(app)
        server.app = app
        self._servers.append(server)
        return server

    def close(self) -> None:
        while self._servers:
            self._servers.pop().close()


# --- HTTP ------------------------------------------------------------------------------------

def _params(params: dict) -> dict:
    """Keyword names to protocol names: default_graph_uri -> default-graph-uri."""
    return {k.replace("_", "-"): v for k, v in params.items()}


def _headers(accept: str | None, extra: dict | None = None) -> dict:
    headers = dict(extra or {})
    if accept is not None:
        headers["Accept"] = accept
    return headers


def get(server, query: str | None, accept: str | None = None, **params) -> requests.Response:
    """Query via GET (protocol 2.1.1)."""
    params = _params(params)
    if query is not None:
        params["query"] = query
    return requests.get(server.url + "/sparql", params=params, headers=_headers(accept), timeout=T)


def post_form(server, query: str | None, accept: str | None = None, url: dict | None = None,
              **form) -> requests.Response:
    """Query via POST with URL-encoded parameters (protocol 2.1.2)."""
    form = _params(form)
    if query is not None:
        form["query"] = query
    return requests.post(server.url + "/sparql", params=_params(url or {}), data=form,
                         headers=_headers(accept), timeout=T)


def post_direct(server, query: str | bytes, accept: str | None = None,
                content_type: str = "application/sparql-query", **url) -> requests.Response:
    """Query via POST directly (protocol 2.1.3); ``url`` are the URL's parameters."""
    body = query.encode("utf-8") if isinstance(query, str) else query
    return requests.post(server.url + "/sparql", params=_params(url), data=body,
                         headers=_headers(accept, {"Content-Type": content_type}), timeout=T)


def update_direct(server, text: str | bytes, content_type="application/sparql-update", **url):
    """An update via POST directly (protocol 2.2.2)."""
    body = text.encode("utf-8") if isinstance(text, str) else text
    return requests.post(server.url + "/sparql", params=_params(url), data=body,
                         headers={"Content-Type": content_type}, timeout=T)


def update_form(server, body: str):
    """An update via POST with a URL-encoded body written by hand (protocol 2.2.1)."""
    return requests.post(server.url + "/sparql", data=body.encode("ascii"), timeout=T,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def assert_cors(response: requests.Response) -> None:
    assert response.headers.get("Access-Control-Allow-Origin") == "*", response.headers


# --- answers ---------------------------------------------------------------------------------

def results(response: requests.Response) -> Result:
    """Parse a SPARQL results answer (JSON, XML, CSV or TSV) with rdflib."""
    assert response.status_code == 200, response.text
    fmt = RESULT_TYPES[media_type(response)]
    return Result.parse(io.BytesIO(response.content), format=fmt)


def rows(response: requests.Response) -> list[dict[str, rdflib.term.Node]]:
    result = results(response)
    return [{str(v): row[i] for i, v in enumerate(result.vars) if row[i] is not None}
            for row in result]


def column(response: requests.Response, name: str) -> list[str]:
    return [str(row[name]) for row in rows(response)]


def boolean(response: requests.Response) -> bool:
    assert response.status_code == 200, response.text
    assert media_type(response) in BOOLEAN_TYPES, response.headers
    answer = results(response).askAnswer
    assert isinstance(answer, bool)
    return answer


def graph(response: requests.Response) -> rdflib.Graph:
    """Parse an RDF answer with rdflib, in the syntax its Content-Type names."""
    assert response.status_code == 200, response.text
    g = rdflib.Graph()
    g.parse(data=response.content, format=RDF_TYPES[media_type(response)])
    return g


def number(server, query: str, **params) -> int:
    """The single number a ``SELECT (... AS ?n)`` answers."""
    (row,) = rows(get(server, query, **params))
    return int(row["n"])


def graph_size(server, graph: str) -> int:
    """How many triples one named graph holds (asked with GRAPH, not FROM)."""
    return number(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def store_state(server) -> tuple[int, int, int]:
    """(quads over all named graphs, named graphs, quads on disk): equal before and after."""
    return (number(server, ALL_QUADS), number(server, ALL_GRAPHS),
            len(server.app.extensions["crossinnov"].store))


def refused(server, send, statuses=(400, 403)) -> requests.Response:
    """Send an update request; check it is refused and that the store is exactly as before."""
    before = store_state(server)
    response = send()
    assert response.status_code in statuses, (response.status_code, response.text)
    assert_cors(response)
    after = store_state(server)
    assert after == before
    assert column(get(server, CITY_NOTATIONS), "notation") == CITIES
    return response


# --- the query workers -------------------------------------------------------------------------

def wait_for_pool(pool, size: int, *, without: set[int] = frozenset(), timeout: float = 60):
    """Wait until the pool's workers (``size`` public ones and its internal ones) are alive,
    none of ``without``, and all idle; return their pids."""
    deadline = time.monotonic() + timeout
    total = size + pool.limits.internal
    while time.monotonic() < deadline:
        pids = set(pool.pids())
        if len(pids) == total and not pids & without and pool.idle_count() == total:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"the pool did not get back to {size} idle workers: {pool.pids()}")


def wait_for_workers(server, size: int) -> set[int]:
    """Wait for the embedded store's query workers to be all idle (a SPARQL server has none)."""
    pool = getattr(server.app.extensions["crossinnov"].store, "pool", None)
    return wait_for_pool(pool, size) if pool is not None else set()
