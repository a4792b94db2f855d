"""``/sparql`` against the SPARQL 1.1 Protocol, over real HTTP to real servers.

Every request goes through ``requests`` to an app served by waitress (the shared
read-only ``live_server``, or ``LiveServer(make_app(...))`` for a setting under
test), and every answer is read back with an independent parser (rdflib for
SPARQL results and RDF) and checked for its values, not just its status.

Sections:

1. the W3C protocol tests (https://w3c.github.io/rdf-tests/sparql/sparql11/protocol/),
   one test each, named after the W3C test; the data they read from kasei.us is
   replaced by graphs of our own store (said in each docstring); the update tests
   are refused (the endpoint is read-only) and the store is left as it was;
2. content negotiation; 3. dataset semantics; 4. errors; 5. limits; 6. CORS and
   the service description.

Spec sections cited: SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/)
2.1.1-2.1.3 (query via GET, POST form, POST direct), 2.1.4 (dataset), 2.1.5-2.1.7
(response formats, success and failure responses).
"""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import rdflib
import requests
from conftest import LiveServer
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS
from rdflib.query import Result

# --- names and queries ----------------------------------------------------------------------

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

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

RESULT_TYPES = {"application/sparql-results+json": "json",
                "application/sparql-results+xml": "xml",
                "text/csv": "csv", "text/tab-separated-values": "tsv"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt",
             "application/ld+json": "json-ld", "application/rdf+xml": "xml"}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")


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


def store_state(server) -> tuple[int, int, int]:
    """(quads over all named graphs, named graphs, quads on disk): equal before and after."""
    return (number(server, ALL_QUADS), number(server, ALL_GRAPHS),
            len(server.app.extensions["crossinnov"].store))


# --- servers -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def serve(make_app):
    """Start a LiveServer over a new app (its own copy of the shipped data) with some config."""
    servers = []

    def start(**config) -> LiveServer:
        app = make_app(**config)
        server = LiveServer(app)
        server.app = app
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def live(live_server, app):
    """The shared read-only server, with its app at hand for the store's own counts."""
    live_server.app = app
    return live_server


@pytest.fixture(scope="module")
def writable(serve):
    """A server of its own for the update tests, so that a wrongly run update harms nobody."""
    return serve()


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


# =============================================================================================
# 1. The W3C protocol tests
# =============================================================================================

def test_query_post_form(live):
    """W3C query_post_form: "query via URL-encoded POST".

    Adapted: the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of Berlin.
    """
    r = post_form(live, "ASK {}", url={"default-graph-uri": city_graph("berlin")})
    assert boolean(r) is True
    # and a real query through the same route, with its values
    assert column(post_form(live, CITY_NOTATIONS), "notation") == CITIES


def test_query_get(live):
    """W3C query_get: "query via GET".

    Adapted: the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of Berlin.
    """
    r = get(live, "ASK {}", default_graph_uri=city_graph("berlin"))
    assert boolean(r) is True
    assert column(get(live, CITY_NOTATIONS), "notation") == CITIES


def test_query_post_direct(live):
    """W3C query_post_direct: "query via POST directly"."""
    assert boolean(post_direct(live, "ASK {}")) is True
    # the body is UTF-8 (protocol 2.1.3): a non-ASCII literal must match the data
    plzen = PREFIXES + 'ASK { ?c skos:editorialNote ?note FILTER(CONTAINS(?note, "Plzeň")) }'
    assert boolean(post_direct(live, plzen)) is True
    assert column(post_direct(live, CITY_NOTATIONS), "notation") == CITIES


def test_query_dataset_default_graph(live):
    """W3C query_dataset_default_graph: "query with protocol-specified default graph".

    (From the protocol validator the W3C suite grew out of.) Adapted: the default
    graph kasei.us data1.rdf is the graph of Berlin, asked about Berlin.
    """
    query = f"ASK {{ <{city('berlin')}> ?p ?o }}"
    assert boolean(post_direct(live, query, default_graph_uri=city_graph("berlin"))) is True
    # the default graph is that graph alone: Rome is not in it
    other = f"ASK {{ <{city('rome')}> ?p ?o }}"
    assert boolean(post_direct(live, other, default_graph_uri=city_graph("berlin"))) is False


def test_query_dataset_default_graphs_get(live):
    """W3C query_dataset_default_graphs_get: "GET query with protocol-specified default graph".

    Adapted: the default graphs kasei.us data1.rdf and data2.rdf are the graphs of
    Berlin and Rome, and the query asks for a type both cities share.
    """
    query = f"ASK {{ <{city('berlin')}> a ?type . <{city('rome')}> a ?type . }}"
    both = [city_graph("berlin"), city_graph("rome")]
    assert boolean(get(live, query, default_graph_uri=both)) is True
    assert boolean(get(live, query, default_graph_uri=city_graph("berlin"))) is False


def test_query_dataset_default_graphs_post(live):
    """W3C query_dataset_default_graphs_post: "POST query with protocol-specified default graphs".

    Adapted: the default graphs kasei.us data1.rdf and data2.rdf are the graphs of
    Berlin and Rome.
    """
    query = f"ASK {{ <{city('berlin')}> a ?type . <{city('rome')}> a ?type . }}"
    both = [city_graph("berlin"), city_graph("rome")]
    assert boolean(post_direct(live, query, default_graph_uri=both)) is True
    assert boolean(post_direct(live, query, default_graph_uri=city_graph("rome"))) is False


def test_query_dataset_named_graphs_post(live):
    """W3C query_dataset_named_graphs_post: "POST query with protocol-specified named graphs".

    Adapted: the named graphs kasei.us data1.rdf and data2.rdf are the graphs of
    Berlin and Rome.
    """
    query = (f"ASK {{ GRAPH ?g1 {{ <{city('berlin')}> a ?type }} "
             f"GRAPH ?g2 {{ <{city('rome')}> a ?type }} }}")
    both = [city_graph("berlin"), city_graph("rome")]
    assert boolean(post_direct(live, query, named_graph_uri=both)) is True
    assert boolean(post_direct(live, query, named_graph_uri=city_graph("berlin"))) is False
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert column(post_direct(live, graphs, named_graph_uri=both), "g") == both


def test_query_dataset_named_graphs_get(live):
    """W3C query_dataset_named_graphs_get: "GET query with protocol-specified named graphs".

    Adapted: the named graphs kasei.us data1.rdf and data2.rdf are the graphs of
    Berlin and Rome.
    """
    query = (f"ASK {{ GRAPH ?g1 {{ <{city('berlin')}> a ?type }} "
             f"GRAPH ?g2 {{ <{city('rome')}> a ?type }} }}")
    both = [city_graph("berlin"), city_graph("rome")]
    assert boolean(get(live, query, named_graph_uri=both)) is True
    assert boolean(get(live, query, named_graph_uri=city_graph("rome"))) is False
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    assert column(get(live, graphs, named_graph_uri=both), "g") == both


def test_query_dataset_full(live):
    """W3C query_dataset_full: "query with protocol-specified dataset (both named and default
    graphs)".

    Adapted: default graph kasei.us data3.rdf is the graph of Linz, named graphs
    data1.rdf and data2.rdf are the graphs of Berlin and Rome.
    """
    query = (f"ASK {{ <{city('linz')}> a ?type "
             f"GRAPH ?g1 {{ <{city('berlin')}> a ?type }} "
             f"GRAPH ?g2 {{ <{city('rome')}> a ?type }} }}")
    dataset = {"default_graph_uri": city_graph("linz"),
               "named_graph_uri": [city_graph("berlin"), city_graph("rome")]}
    assert boolean(post_direct(live, query, **dataset)) is True
    # which graph answered which pattern, and nothing else in the default graph
    which = (f"SELECT DISTINCT ?g1 ?g2 WHERE {{ GRAPH ?g1 {{ <{city('berlin')}> a ?t }} "
             f"GRAPH ?g2 {{ <{city('rome')}> a ?t }} }}")
    (row,) = rows(post_direct(live, which, **dataset))
    assert (str(row["g1"]), str(row["g2"])) == (city_graph("berlin"), city_graph("rome"))
    assert number(live, UNION_COUNT, default_graph_uri=city_graph("linz")) == \
        number(live, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{city_graph('linz')}> "
                     "{ ?s ?p ?o } }")
    # Linz's triples are not in the default graph when Berlin's graph is the default
    swapped = {"default_graph_uri": city_graph("berlin"),
               "named_graph_uri": [city_graph("linz"), city_graph("rome")]}
    assert boolean(post_direct(live, query, **swapped)) is False


def test_query_multiple_dataset(live):
    """W3C query_multiple_dataset: "query specifying dataset in both query string and protocol;
    test for use of protocol-specified dataset".

    Adapted: FROM kasei.us data3.rdf is FROM the graph of Linz; the named graphs
    data1.rdf and data2.rdf (in the W3C request one parameter with an encoded "&",
    here the two parameters it stands for) are the graphs of Berlin and Rome.
    """
    query = (f"ASK FROM <{city_graph('linz')}> {{ GRAPH ?g1 {{ <{city('berlin')}> a ?type }} "
             f"GRAPH ?g2 {{ <{city('rome')}> a ?type }} }}")
    both = [city_graph("berlin"), city_graph("rome")]
    assert boolean(post_direct(live, query, named_graph_uri=both)) is True
    # without the protocol's dataset the query's own (no named graphs) answers false
    assert boolean(post_direct(live, query)) is False
    # the protocol's default graph replaces FROM (protocol 2.1.4)
    from_berlin = f"ASK FROM <{city_graph('berlin')}> {{ <{city('rome')}> ?p ?o }}"
    assert boolean(post_direct(live, from_berlin)) is False
    assert boolean(post_direct(live, from_berlin, default_graph_uri=city_graph("rome"))) is True


def test_query_content_type_select(live):
    """W3C query_content_type_select: "query appropriate content type (expect one of: XML, JSON,
    CSV, TSV)".

    Adapted: the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of Berlin.
    """
    r = post_direct(live, "SELECT (1 AS ?value) {}", default_graph_uri=city_graph("berlin"))
    assert media_type(r) in RESULT_TYPES
    (row,) = rows(r)
    assert row["value"] == rdflib.Literal(1)


def test_query_content_type_ask(live):
    """W3C query_content_type_ask: "query appropriate content type (expect one of: XML, JSON)".

    Adapted: the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of Berlin.
    """
    r = post_direct(live, "ASK {}", default_graph_uri=city_graph("berlin"))
    assert media_type(r) in BOOLEAN_TYPES
    assert boolean(r) is True


def test_query_content_type_describe(live):
    """W3C query_content_type_describe: "query appropriate content type (expect one of: RDF/XML,
    Turtle, N-Triples, RDFa)".

    Adapted: the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of
    Berlin; http://example.org/ is described by nothing there, so also Berlin is described.
    """
    r = post_direct(live, "DESCRIBE <http://example.org/>", default_graph_uri=city_graph("berlin"))
    assert media_type(r) in RDF_TYPES
    assert len(graph(r)) == 0
    r = post_direct(live, f"DESCRIBE <{city('berlin')}>", default_graph_uri=city_graph("berlin"))
    assert media_type(r) in RDF_TYPES
    g = graph(r)
    assert (rdflib.URIRef(city("berlin")), SKOS.notation, rdflib.Literal("berlin")) in g


def test_query_content_type_construct(live):
    """W3C query_content_type_construct: "query appropriate content type (expect one of: RDF/XML,
    Turtle, N-Triples, RDFa)".

    Adapted: the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of Berlin.
    (CONSTRUCT with absolute IRIs in every format: test_construct_in_every_rdf_format.)
    """
    r = post_direct(live, "CONSTRUCT { <s> <p> 1 } WHERE {}",
                    default_graph_uri=city_graph("berlin"))
    assert media_type(r) in RDF_TYPES
    g = graph(r)
    assert len(g) == 1
    ((s, p, o),) = list(g)
    assert o == rdflib.Literal(1)
    assert str(s).startswith("http") and str(s).endswith("s")


def test_bad_query_method(live):
    """W3C bad_query_method: "invoke query operation with a method other than GET or POST".

    Adapted: the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of Berlin.
    """
    for method in ("PUT", "DELETE"):
        r = requests.request(method, live.url + "/sparql",
                             params={"query": "ASK {}", "default-graph-uri": city_graph("berlin")},
                             headers={"Content-Type": "application/x-www-form-urlencoded"},
                             timeout=T)
        assert r.status_code == 405, (method, r.text)
        assert method in r.text
        assert_cors(r)


def test_bad_multiple_queries(live):
    """W3C bad_multiple_queries: "invoke query operation with more than one query string"."""
    r = requests.get(live.url + "/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")],
                     timeout=T)
    assert r.status_code == 400
    assert "more than one" in r.text
    assert_cors(r)


def test_bad_query_wrong_media_type(live):
    """W3C bad_query_wrong_media_type: "invoke query operation with a POST with media type that's
    not url-encoded or application/sparql-query"."""
    r = post_direct(live, "ASK {}", content_type="text/plain")
    assert r.status_code == 415
    assert "text/plain" in r.text
    assert_cors(r)


def test_bad_query_missing_form_type(live):
    """W3C bad_query_missing_form_type: "invoke query operation with url-encoded body, but without
    application/x-www-form-urlencoded media type"."""
    r = requests.post(live.url + "/sparql", data=b"query=ASK%20%7B%7D", timeout=T)
    assert "Content-Type" not in r.request.headers
    assert r.status_code == 415
    assert_cors(r)


def test_bad_query_missing_direct_type(live):
    """W3C bad_query_missing_direct_type: "invoke query operation with SPARQL body, but without
    application/sparql-query media type"."""
    r = requests.post(live.url + "/sparql", data=b"ASK {}", timeout=T)
    assert "Content-Type" not in r.request.headers
    assert r.status_code == 415
    assert_cors(r)


def test_bad_query_non_utf8(live):
    """W3C bad_query_non_utf8: "invoke query operation with direct POST, but with a non-UTF8
    encoding (UTF-16)"."""
    body = "ASK {}".encode("utf-16")  # with a byte order mark, as in the W3C test
    r = post_direct(live, body, content_type="application/sparql-query; charset=UTF-16")
    assert r.status_code == 400
    assert "UTF-8" in r.text
    assert_cors(r)


def test_bad_query_syntax(live):
    """W3C bad_query_syntax: "invoke query operation with invalid query syntax (4XX result)"."""
    r = get(live, "ASK {")
    assert r.status_code == 400
    assert "syntax" in r.text.lower()
    assert re.search(r"\bline 1, column \d+", r.text), r.text  # where the parser stopped
    assert_cors(r)


# --- the update tests: every one refused, the store untouched ----------------------------------

KASEI = "http://kasei.us/2009/09/sparql/data/"
W3C_INSERT_DEFAULT = f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
CLEAR ALL ;
INSERT DATA {{
    GRAPH <{KASEI}data1.rdf> {{
        <{KASEI}data1.rdf> a foaf:Document
    }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    ?s a foaf:Document
}}"""
W3C_DROP_AND_INSERT = f"""PREFIX dc: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
DROP ALL ;
INSERT DATA {{
    GRAPH <{KASEI}data1.rdf> {{ <{KASEI}data1.rdf> a foaf:Document }}
    GRAPH <{KASEI}data2.rdf> {{ <{KASEI}data2.rdf> a foaf:Document }}
    GRAPH <{KASEI}data3.rdf> {{ <{KASEI}data3.rdf> a foaf:Document }}
}} ;
INSERT {{
    GRAPH <http://example.org/protocol-update-dataset-graphs-test/> {{
        ?s a dc:BibliographicResource
    }}
}}
WHERE {{
    GRAPH ?g {{ ?s a foaf:Document }}
}}"""
REFUSED = (400, 403)


def refused(server, send, statuses=REFUSED) -> requests.Response:
    """Send an update request; check it is refused and that the store is exactly as before."""
    before = store_state(server)
    response = send()
    assert response.status_code in statuses, (response.status_code, response.text)
    assert_cors(response)
    after = store_state(server)
    assert after == before
    assert column(get(server, CITY_NOTATIONS), "notation") == CITIES
    return response


def update_direct(server, text: str | bytes, content_type="application/sparql-update", **url):
    body = text.encode("utf-8") if isinstance(text, str) else text
    return requests.post(server.url + "/sparql", params=_params(url), data=body,
                         headers={"Content-Type": content_type}, timeout=T)


def update_form(server, body: str):
    return requests.post(server.url + "/sparql", data=body.encode("ascii"), timeout=T,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_update_dataset_default_graph(writable):
    """W3C update_dataset_default_graph: "update with protocol-specified default graph".

    Read-only endpoint: refused (403), the store unchanged.
    """
    r = refused(writable, lambda: update_direct(writable, W3C_INSERT_DEFAULT,
                                                using_graph_uri=KASEI + "data1.rdf"))
    assert "read-only" in r.text


def test_update_dataset_default_graphs(writable):
    """W3C update_dataset_default_graphs: "update with protocol-specified default graphs".

    Read-only endpoint: refused, the store unchanged.
    """
    refused(writable, lambda: update_direct(
        writable, W3C_DROP_AND_INSERT,
        using_graph_uri=[KASEI + "data1.rdf", KASEI + "data2.rdf"]))


def test_update_dataset_named_graphs(writable):
    """W3C update_dataset_named_graphs: "update with protocol-specified named graphs".

    Read-only endpoint: refused, the store unchanged.
    """
    refused(writable, lambda: update_direct(
        writable, W3C_DROP_AND_INSERT,
        using_named_graph_uri=[KASEI + "data1.rdf", KASEI + "data2.rdf"]))


def test_update_dataset_full(writable):
    """W3C update_dataset_full: "update with protocol-specified dataset (both named and default
    graphs)".

    Read-only endpoint: refused, the store unchanged.
    """
    refused(writable, lambda: update_direct(
        writable, W3C_DROP_AND_INSERT, using_graph_uri=KASEI + "data1.rdf",
        using_named_graph_uri=KASEI + "data2.rdf"))


def test_update_post_form(writable):
    """W3C update_post_form: "update via URL-encoded POST".

    Read-only endpoint: refused (403), the store unchanged.
    """
    r = refused(writable, lambda: update_form(writable, "update=CLEAR+ALL"))
    assert r.status_code == 403


def test_update_post_direct(writable):
    """W3C update_post_direct: "update via POST directly".

    Read-only endpoint: refused (403), the store unchanged.
    """
    r = refused(writable, lambda: update_direct(writable, "CLEAR ALL"))
    assert r.status_code == 403


def test_update_base_uri(writable):
    """W3C update_base_uri: "test for service-defined BASE URI ("which MAY be the service
    endpoint")".

    Read-only endpoint: refused, the store unchanged, the graph not created.
    """
    text = ("CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
            "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
            "{ <http://example.org/s> <http://example.org/p> <test> } }")
    refused(writable, lambda: update_direct(writable, text))
    ask = "ASK { GRAPH <http://example.org/protocol-base-test/> { ?s ?p ?o } }"
    assert boolean(get(writable, ask)) is False


def test_bad_update_get(writable):
    """W3C bad_update_get: "invoke update operation with GET"."""
    refused(writable, lambda: get(writable, None, update="CLEAR ALL"))


def test_bad_multiple_updates(writable):
    """W3C bad_multiple_updates: "invoke update operation with more than one update string"."""
    refused(writable, lambda: update_form(writable, "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"))


def test_bad_update_wrong_media_type(writable):
    """W3C bad_update_wrong_media_type: "invoke update operation with a POST with media type that's
    not url-encoded or application/sparql-update".

    The W3C test wants a 4xx: the body's type is unknown, so 415 (as for queries).
    """
    refused(writable, lambda: update_direct(writable, "CLEAR NAMED", content_type="text/plain"),
            statuses=(415,))


def test_bad_update_missing_form_type(writable):
    """W3C bad_update_missing_form_type: "invoke update operation with url-encoded body, but
    without application/x-www-form-urlencoded media type".

    The W3C test wants a 4xx: a body without a type is refused with 415.
    """
    def send():
        return requests.post(writable.url + "/sparql", data=b"update=CLEAR%20NAMED", timeout=T)

    refused(writable, send, statuses=(415,))


def test_bad_update_non_utf8(writable):
    """W3C bad_update_non_utf8: "invoke update operation with direct POST, but with a non-UTF8
    encoding"."""
    refused(writable, lambda: update_direct(
        writable, "CLEAR NAMED".encode("utf-16"),
        content_type="application/sparql-update; charset=UTF-16"))


def test_bad_update_syntax(writable):
    """W3C bad_update_syntax: "invoke update operation with invalid update syntax"."""
    refused(writable, lambda: update_form(writable, "update=CLEAR%20XYZ"))


def test_bad_update_dataset_conflict(writable):
    """W3C bad_update_dataset_conflict: "invoke update with both
    using-graph-uri/using-named-graph-uri parameter and USING/WITH clause"."""
    text = ("PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\n"
            "WITH <http://example/addresses>\n"
            "DELETE { ?person foaf:givenName 'Bill' }\n"
            "INSERT { ?person foaf:givenName 'William' }\n"
            "WHERE {\n    ?person foaf:givenName 'Bill'\n}")
    refused(writable, lambda: update_direct(writable, text,
                                            using_named_graph_uri="http://example/people"))


# =============================================================================================
# 2. Content negotiation (protocol 2.1.5, 2.1.6)
# =============================================================================================

@pytest.mark.parametrize("accept", list(RESULT_TYPES))
def test_select_in_every_result_format(live, accept):
    """SELECT answers in SPARQL JSON, XML, CSV and TSV, each read back to the same values."""
    r = get(live, PREFIXES + "SELECT ?city ?notation ?label WHERE { ?city a ci:City ; "
                  "skos:notation ?notation ; skos:prefLabel ?label } ORDER BY ?notation",
            accept=accept)
    assert r.status_code == 200
    assert media_type(r) == accept
    assert "Accept" in r.headers.get("Vary", "")
    answer = rows(r)
    assert [str(row["notation"]) for row in answer] == CITIES
    assert [str(row["city"]) for row in answer] == [city(c) for c in CITIES]
    berlin = answer[CITIES.index("berlin")]
    assert isinstance(berlin["city"], rdflib.URIRef)
    if accept == "text/csv":  # CSV keeps only the lexical form (results-csv-tsv 2)
        assert str(berlin["label"]) == "Berlin"
    else:
        assert berlin["label"] == rdflib.Literal("Berlin", lang="en")


@pytest.mark.parametrize("accept", BOOLEAN_TYPES)
def test_ask_in_json_and_xml(live, accept):
    yes = PREFIXES + 'ASK { ?c a ci:City ; skos:notation "berlin" }'
    no = PREFIXES + 'ASK { ?c a ci:City ; skos:notation "paris" }'
    r = get(live, yes, accept=accept)
    assert media_type(r) == accept
    assert boolean(r) is True
    assert boolean(get(live, no, accept=accept)) is False


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_construct_in_every_rdf_format(live, accept):
    """CONSTRUCT answers in Turtle, N-Triples, JSON-LD and RDF/XML, read back by rdflib."""
    r = get(live, CITY_TRIPLES, accept=accept)
    assert media_type(r) == accept
    g = graph(r)
    assert len(g) == 2 * len(CITIES)
    assert sorted(str(o) for o in g.objects(None, SKOS.notation)) == CITIES
    assert (rdflib.URIRef(city("berlin")), SKOS.prefLabel,
            rdflib.Literal("Berlin", lang="en")) in g


def test_describe_in_every_rdf_format(live):
    """DESCRIBE answers in the four RDF syntaxes, and all four are the same graph."""
    query = f"DESCRIBE <{city('berlin')}>"
    graphs = {}
    for accept in RDF_TYPES:
        r = get(live, query, accept=accept)
        assert media_type(r) == accept
        graphs[accept] = graph(r)
    berlin = rdflib.URIRef(city("berlin"))
    turtle = graphs["text/turtle"]
    assert (berlin, SKOS.notation, rdflib.Literal("berlin")) in turtle
    assert (berlin, RDF.type, CI.City) in turtle
    for accept, g in graphs.items():
        assert isomorphic(g, turtle), accept


@pytest.mark.parametrize("accept, expected", [
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.8",
     "text/tab-separated-values"),
    ("*/*;q=0.1, text/csv", "text/csv"),
    ("application/sparql-results+json;q=0, application/sparql-results+xml;q=0.4",
     "application/sparql-results+xml"),
    ("text/turtle, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("*/*", "application/sparql-results+json"),
])
def test_accept_with_q_values_for_select(live, accept, expected):
    r = get(live, CITY_NOTATIONS, accept=accept)
    assert media_type(r) == expected
    assert column(r, "notation") == CITIES


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle;q=0.3, application/rdf+xml;q=0.9", "application/rdf+xml"),
    ("application/ld+json;q=0.5, application/n-triples;q=0.6", "application/n-triples"),
    ("text/*", "text/turtle"),
    ("application/sparql-results+json, application/ld+json;q=0.1", "application/ld+json"),
])
def test_accept_with_q_values_for_construct(live, accept, expected):
    r = get(live, CITY_TRIPLES, accept=accept)
    assert media_type(r) == expected
    assert sorted(str(o) for o in graph(r).objects(None, SKOS.notation)) == CITIES


@pytest.mark.parametrize("fmt, expected", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
])
def test_format_parameter_for_select(live, fmt, expected):
    """``format`` wins over Accept (a browser link can name a format)."""
    r = get(live, CITY_NOTATIONS, accept="application/sparql-results+json", format=fmt)
    assert media_type(r) == expected
    assert column(r, "notation") == CITIES
    r = post_form(live, CITY_NOTATIONS, format=fmt)
    assert media_type(r) == expected


@pytest.mark.parametrize("fmt, expected", [
    ("turtle", "text/turtle"), ("nt", "application/n-triples"),
    ("jsonld", "application/ld+json"), ("rdfxml", "application/rdf+xml"),
])
def test_format_parameter_for_construct(live, fmt, expected):
    r = get(live, CITY_TRIPLES, accept="text/turtle", format=fmt)
    assert media_type(r) == expected
    assert sorted(str(o) for o in graph(r).objects(None, SKOS.notation)) == CITIES


def test_unknown_format_parameter_is_400(live):
    r = get(live, CITY_NOTATIONS, format="yaml")
    assert r.status_code == 400
    assert "yaml" in r.text
    assert_cors(r)


@pytest.mark.parametrize("query, accept", [
    (CITY_NOTATIONS, "image/png"),
    (CITY_NOTATIONS, "text/turtle"),
    ("ASK {}", "application/rdf+xml"),
    (CITY_TRIPLES, "application/sparql-results+json"),
    (CITY_TRIPLES, "text/csv"),
    (CITY_NOTATIONS, "application/sparql-results+json;q=0, text/csv;q=0"),
])
def test_nothing_acceptable_is_406(live, query, accept):
    r = get(live, query, accept=accept)
    assert r.status_code == 406, r.text
    assert "offered" in r.text
    assert_cors(r)


def test_browser_gets_an_html_answer(live):
    """A browser (HTML preferred) gets the answer as a page, SELECT and CONSTRUCT alike."""
    for query in (CITY_NOTATIONS, CITY_TRIPLES, f"DESCRIBE <{city('berlin')}>", "ASK {}"):
        r = get(live, query, accept=BROWSER)
        assert r.status_code == 200, (query, r.text[:500])
        assert media_type(r) == "text/html"


# =============================================================================================
# 3. Dataset semantics (protocol 2.1.4, SPARQL 1.1 Query 13)
# =============================================================================================

def test_default_graph_is_the_union_of_the_named_graphs_as_a_set(live):
    distinct = rows(get(live, DISTINCT_TRIPLES))
    assert len({(r["s"], r["p"], r["o"]) for r in distinct}) == len(distinct)
    union = number(live, UNION_COUNT)
    assert union == len(distinct)
    # every quad of the store is in a named graph, and the union holds all of them
    assert number(live, ALL_QUADS) == len(live.app.extensions["crossinnov"].store) >= union > 1000
    # triples of two different graphs meet in the default graph
    both = (f"ASK {{ <{city('berlin')}> skos:notation 'berlin' . "
            f"<{city('rome')}> skos:notation 'rome' }}")
    assert boolean(get(live, PREFIXES + both)) is True


def test_from_replaces_the_union(live):
    berlin = city_graph("berlin")
    size = len(list(live.app.extensions["crossinnov"].store.quads(berlin)))
    assert size > 0
    assert number(live, f"SELECT (COUNT(*) AS ?n) FROM <{berlin}> WHERE {{ ?s ?p ?o }}") == size
    assert number(live, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{berlin}> {{ ?s ?p ?o }} }}") \
        == size
    notations = PREFIXES + f"SELECT ?n FROM <{berlin}> WHERE {{ ?c skos:notation ?n }}"
    assert column(get(live, notations), "n") == ["berlin"]
    # two FROM: their merge
    two = (f"SELECT ?n FROM <{berlin}> FROM <{city_graph('rome')}> "
           "WHERE { ?c skos:notation ?n } ORDER BY ?n")
    assert column(get(live, PREFIXES + two), "n") == ["berlin", "rome"]
    # a graph the store does not hold is empty (and is not fetched)
    assert number(live, "SELECT (COUNT(*) AS ?n) FROM <https://example.org/nothing> "
                        "WHERE { ?s ?p ?o }") == 0


def graph_size(server, graph: str) -> int:
    """How many triples one named graph holds (asked with GRAPH, not FROM)."""
    return number(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def test_from_named(live):
    query = (f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{city_graph('berlin')}> "
             f"FROM NAMED <{city_graph('rome')}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} "
             "GROUP BY ?g ORDER BY ?g")
    answer = {str(r["g"]): int(r["n"]) for r in rows(get(live, query))}
    assert answer == {city_graph(c): graph_size(live, city_graph(c)) for c in ("berlin", "rome")}
    assert min(answer.values()) > 0
    # with FROM NAMED alone the default graph is empty (SPARQL 1.1 Query 13.2)
    assert number(live, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{city_graph('berlin')}> "
                        "WHERE { ?s ?p ?o }") == 0
    # FROM and FROM NAMED together
    query = (PREFIXES + f"ASK FROM <{city_graph('linz')}> FROM NAMED <{city_graph('berlin')}> "
             "{ ?l skos:notation 'linz' GRAPH ?g { ?b skos:notation ?n } }")
    assert boolean(get(live, query)) is True
    query = (PREFIXES + f"ASK FROM <{city_graph('linz')}> FROM NAMED <{city_graph('berlin')}> "
             "{ GRAPH ?g { ?r skos:notation 'rome' } }")
    assert boolean(get(live, query)) is False


def test_protocol_dataset_overrides_the_query_dataset(live):
    """default-graph-uri / named-graph-uri replace FROM / FROM NAMED (protocol 2.1.4)."""
    notations = PREFIXES + (f"SELECT ?n FROM <{city_graph('berlin')}> "
                            "WHERE { ?c skos:notation ?n } ORDER BY ?n")
    assert column(get(live, notations), "n") == ["berlin"]
    assert column(get(live, notations, default_graph_uri=city_graph("rome")), "n") == ["rome"]
    assert column(post_form(live, notations, default_graph_uri=[city_graph("rome"),
                                                                city_graph("linz")]),
                  "n") == ["linz", "rome"]
    assert column(post_direct(live, notations, default_graph_uri=city_graph("warsaw")),
                  "n") == ["warsaw"]
    graphs = (f"SELECT DISTINCT ?g FROM NAMED <{city_graph('berlin')}> "
              "WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert column(get(live, graphs), "g") == [city_graph("berlin")]
    assert column(get(live, graphs, named_graph_uri=city_graph("tallinn")), "g") == \
        [city_graph("tallinn")]


@pytest.fixture(scope="module")
def shared_triple(serve):
    """A server that was asked to load one triple into two graphs: Berlin's notation also in
    Rome's graph (a TriG file, through crossinnov's loader, as every write goes)."""
    from crossinnov.ingest.files import read_rdf
    from crossinnov.loader import load_units
    from crossinnov.rdfio import FORMATS
    from crossinnov.validate import Validator
    from crossinnov.writes import Change

    import pyoxigraph as ox

    server = serve()
    store = server.app.extensions["crossinnov"].store
    quads = [q for g in (city_graph("berlin"), city_graph("rome")) for q in store.quads(g)]
    quads.append(ox.Quad(ox.NamedNode(city("berlin")),
                         ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation"),
                         ox.Literal("berlin"), ox.NamedNode(city_graph("rome"))))
    trig = ox.serialize(quads, format=ox.RdfFormat.TRIG)
    units = read_rdf(trig, FORMATS["trig"], store.iris, source="two-graphs.trig")
    report = load_units(store, units, Validator(), Change("load", store.iris.agent("test")))
    assert report.conforms, [r.as_text() for r in report.rejected]
    return server


def test_union_counts_a_triple_of_two_graphs_once(shared_triple):
    """pyoxigraph's union counts a triple once per graph that holds it (FIELD-NOTES); crossinnov
    keeps every triple in exactly one graph (that of its subject), so the union is a set."""
    distinct = len(rows(get(shared_triple, DISTINCT_TRIPLES)))
    assert number(shared_triple, ALL_QUADS) == distinct  # the triple was kept once
    assert number(shared_triple, UNION_COUNT) == distinct


def test_from_merge_counts_a_triple_of_two_graphs_once(shared_triple):
    """FROM lists are bags in pyoxigraph (FIELD-NOTES); SPARQL 1.1 Query 13.2.1 says the merge
    is a set. With each triple in one graph, the merge of distinct graphs is a set."""
    two = (f"SELECT (COUNT(*) AS ?n) FROM <{city_graph('berlin')}> FROM <{city_graph('rome')}> "
           "WHERE { ?s ?p ?o }")
    sizes = [graph_size(shared_triple, city_graph(c)) for c in ("berlin", "rome")]
    assert number(shared_triple, two) == sum(sizes) > 0


# =============================================================================================
# 4. Errors (protocol 2.1.7)
# =============================================================================================

def test_syntax_error_is_400_with_the_parser_message(live):
    query = "SELECT ?n\nWHERE {\n  ?c ?p ?n ) }"
    for r in (get(live, query), post_form(live, query), post_direct(live, query)):
        assert r.status_code == 400
        assert "syntax error" in r.text.lower()
        assert re.search(r"\bline 3, column 12\b", r.text), r.text  # where the ")" is
        assert_cors(r)


def test_two_query_parameters_are_400(live):
    url = live.url + "/sparql"
    both = requests.post(url, params={"query": "ASK {}"}, data={"query": "ASK {}"}, timeout=T)
    twice = requests.post(url, data=[("query", "ASK {}"), ("query", "ASK {}")], timeout=T)
    direct_and_url = requests.post(url, params={"query": "ASK {}"}, data=b"ASK {}", timeout=T,
                                   headers={"Content-Type": "application/sparql-query"})
    for r in (both, twice, direct_and_url):
        assert r.status_code == 400, r.text
        assert_cors(r)


def test_post_without_a_query_is_400(live):
    form = requests.post(live.url + "/sparql", data=b"", timeout=T,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    only_dataset = post_form(live, None, default_graph_uri=city_graph("berlin"))
    empty_direct = post_direct(live, "")
    for r in (form, only_dataset, empty_direct):
        assert r.status_code == 400, r.text
        assert "no query" in r.text
        assert_cors(r)


def test_non_utf8_is_400(live):
    url = live.url + "/sparql"
    in_url = requests.get(url + "?query=ASK%20%7B%7D%FF", timeout=T)
    in_form = requests.post(url, data=b"query=ASK%20%7B%3Fs%20%3Fp%20%22%FF%22%7D", timeout=T,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    latin1 = post_direct(live, 'ASK { ?s ?p "Café" }'.encode("latin-1"))
    for r in (in_url, in_form, latin1):
        assert r.status_code == 400, r.text
        assert "UTF-8" in r.text
        assert_cors(r)


@pytest.mark.parametrize("content_type", ["text/plain", "application/json",
                                          "application/sparql-results+json", "text/turtle"])
def test_unknown_body_type_is_415(live, content_type):
    r = post_direct(live, "ASK {}", content_type=content_type)
    assert r.status_code == 415
    assert "application/sparql-query" in r.text  # says what to send
    assert_cors(r)


def test_405_names_the_allowed_methods(live):
    r = requests.put(live.url + "/sparql", params={"query": "ASK {}"}, timeout=T)
    assert r.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in r.headers.get("Allow", "").split(",")}


def test_request_body_too_large_is_413(live):
    r = post_direct(live, "ASK {} #" + "x" * 1_100_000)
    assert r.status_code == 413
    assert_cors(r)


@pytest.fixture(scope="module")
def short(serve):
    return serve(MAX_QUERY_LENGTH=200)


def test_query_too_long_is_413(short):
    head = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } #"
    just = head + "x" * (200 - len(head))
    assert len(just) == 200
    assert number(short, just) > 1000  # 200 characters: answered
    too_long = just + "x"
    for r in (get(short, too_long), post_form(short, too_long), post_direct(short, too_long)):
        assert r.status_code == 413, r.text
        assert "200" in r.text
        assert_cors(r)


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def wait_for(self, n: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.connections < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.connections

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener():
    listen = Listener()
    yield listen
    listen.close()


def test_service_is_refused_and_nothing_is_fetched(live, listener, serve):
    # the listener sees connections (so that "none" below means something)
    socket.create_connection(("127.0.0.1", listener.port), timeout=5).close()
    assert listener.wait_for(1, 5) == 1
    listener.connections = 0

    url = listener.url
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        PREFIXES + f"SELECT * WHERE {{ ?c a ci:City .SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?c ?p ?o.SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?c ?p 'x'.SERVICE<{url}>{{ ?s ?p ?o }} }}",
        PREFIXES + f"SELECT * WHERE {{ ?c ?p ci:.SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?c ?p 1SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?c ?p 1 SERVICEsilent <{url}> {{ ?s ?p ?o }} }}",
        PREFIXES + f"SELECT * WHERE {{ ?c ?p ci:a\\# . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?c ?p ?o FILTER(?o != <{ID}\\u0041#>) SERVICE <{url}> "
        "{ ?s ?p ?o } }",
        f"SELECT * WHERE {{ ?c ?p ?a FILTER(?a<'b>') SERVICE <{url}> {{ ?s ?p ?o }} "
        "FILTER(?a != 'c') }",
    ]
    for query in queries:
        for r in (get(live, query), post_form(live, query), post_direct(live, query)):
            assert r.status_code == 400, (query, r.text)
            assert_cors(r)
    # FROM, FROM NAMED and the protocol's graph IRIs name graphs of the store: never fetched
    assert number(live, f"SELECT (COUNT(*) AS ?n) FROM <{url}> WHERE {{ ?s ?p ?o }}") == 0
    assert number(live, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{url}> "
                        "WHERE { GRAPH ?g { ?s ?p ?o } }") == 0
    assert number(live, UNION_COUNT, default_graph_uri=url, named_graph_uri=url) == 0
    # names that merely contain the word still work
    ok = PREFIXES + "SELECT ?service WHERE { ?service a ci:City ; skos:notation 'rome' }"
    assert column(get(live, ok), "service") == [city("rome")]
    ok = PREFIXES + "ASK { ?c a ci:City ; skos:notation ci:web.service }"
    assert boolean(get(live, ok)) is False
    assert listener.wait_for(1, 1.0) == 0

    # when SERVICE is allowed, the same query does reach the listener: the check above is real
    allowing = serve(ALLOW_SERVICE=True)
    get(allowing, queries[0])
    assert listener.wait_for(1, 10) >= 1


def test_update_is_403_and_the_store_untouched(writable):
    drop = "DROP ALL"
    for send in (lambda: get(writable, None, update=drop),
                 lambda: post_form(writable, None, update=drop),
                 lambda: update_direct(writable, drop),
                 lambda: get(writable, drop),  # an update sent as a query
                 lambda: post_form(writable, drop),
                 lambda: post_direct(writable, f"INSERT DATA {{ <{city('x')}> a <{CI}City> }}")):
        r = refused(writable, send, statuses=(403,))
        assert "read-only" in r.text


# =============================================================================================
# 5. Limits
# =============================================================================================

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def limited(serve):
    # an Oxigraph server goes on with a query its client left until its own limit stops it
    return serve(QUERY_TIMEOUT=1.5, QUERY_WORKERS=2, server_args=("--timeout-s", "2"))


def test_runaway_query_is_stopped_with_503(limited):
    wait_for_workers(limited, 2)
    started = time.monotonic()
    r = get(limited, RUNAWAY)
    took = time.monotonic() - started
    assert r.status_code == 503, r.text
    assert "time limit" in r.text and "1.5" in r.text
    assert_cors(r)
    assert took < 1.5 + 4.5, took
    # the server still answers, right away
    assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES

    # while another runaway runs, small queries are answered promptly
    wait_for_workers(limited, 2)
    with ThreadPoolExecutor(1) as executor:
        runaway = executor.submit(lambda: (get(limited, RUNAWAY), time.monotonic()))
        time.sleep(0.3)
        assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES
        answered = time.monotonic()
        # answered before the runaway was stopped: an order, not a time (a loaded machine
        # slows both alike)
        stopped, ended = runaway.result()
        assert stopped.status_code == 503 and answered < ended
    assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES


@pytest.mark.embedded_only(reason="query workers are how the embedded store stops a query; "
                                  "a SPARQL server stops its own")
def test_a_stopped_query_worker_is_killed_and_replaced(limited):
    pool = limited.app.extensions["crossinnov"].store.pool
    before = wait_for_pool(pool, 2)
    assert get(limited, RUNAWAY).status_code == 503
    # the stopped worker is really gone
    killed = before - set(pool.pids())
    assert len(killed) == 1
    for pid in killed:  # SIGKILLed, then reaped by the kernel (SIGCHLD ignored): give it time
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the stopped worker {pid} still exists after 10 s")
    # the other worker answers meanwhile
    assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES
    # a fresh worker takes the stopped one's place
    wait_for_pool(pool, 2, without=killed)
    for _ in range(4):  # both workers answer
        assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES


@pytest.fixture(scope="module")
def capped(serve):
    return serve(MAX_RESULT_ROWS=5)


def test_row_cap(capped):
    r = get(capped, CITY_NOTATIONS)
    assert r.headers["X-SPARQL-MaxRows"] == "5"
    assert "X-SPARQL-MaxRows" in r.headers.get("Access-Control-Expose-Headers", "")
    assert column(r, "notation") == CITIES[:5]
    assert "5 rows" in r.headers.get("Warning", "")
    csv = get(capped, CITY_NOTATIONS, accept="text/csv")
    assert csv.text.strip().splitlines() == ["notation", *CITIES[:5]]
    g = graph(get(capped, CITY_TRIPLES, accept="application/n-triples"))
    assert len(g) == 5
    # under the cap: all rows, no warning
    r = get(capped, CITY_NOTATIONS + " LIMIT 3")
    assert column(r, "notation") == CITIES[:3]
    assert r.headers["X-SPARQL-MaxRows"] == "5"
    assert "Warning" not in r.headers
    assert boolean(get(capped, "ASK { ?s ?p ?o }")) is True


#: a slow (finite) query of a few seconds, and the least count it answers
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
        "FILTER(STRLEN(STR(?c)) > STRLEN(STR(?f))) }", 1_000_000)


@pytest.fixture(scope="module")
def parallel(serve):
    return serve(QUERY_WORKERS=2, QUERY_TIMEOUT=60.0)


@pytest.mark.embedded_only(reason="about the embedded store's query workers; a SPARQL server "
                                  "has its own threads")
def test_two_workers_answer_in_parallel(parallel):
    """Two slow queries at once are both being answered at the same moment, by the two public
    workers (no timing: a loaded machine slows everything alike)."""
    pool = parallel.app.extensions["crossinnov"].store.pool
    wait_for_workers(parallel, 2)
    slow, least = SLOW
    seen_busy = threading.Event()

    def watch() -> None:
        while not seen_busy.is_set() and watching:
            if pool.status()["idle"]["public"] == 0:
                seen_busy.set()
            time.sleep(0.005)

    watching = True
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(2) as executor:
        answers = list(executor.map(lambda _: number(parallel, slow), range(2)))
    watching = False
    watcher.join(5)
    assert answers[0] == answers[1] and answers[0] > least
    assert seen_busy.is_set()  # both public workers were answering at once


# =============================================================================================
# 6. CORS, service description, query page
# =============================================================================================

def test_cors_on_every_response(live):
    url = live.url + "/sparql"
    responses = {
        "select": get(live, CITY_NOTATIONS),
        "construct": get(live, CITY_TRIPLES),
        "post form": post_form(live, "ASK {}"),
        "post direct": post_direct(live, "ASK {}"),
        "service description": get(live, None, accept="text/turtle"),
        "query page": get(live, None, accept=BROWSER),
        "400": get(live, "SELECT"),
        "403": get(live, None, update="CLEAR ALL"),
        "405": requests.delete(url, timeout=T),
        "406": get(live, CITY_NOTATIONS, accept="image/png"),
        "415": post_direct(live, "ASK {}", content_type="text/plain"),
        "404": requests.get(live.url + "/sparql/nothing", timeout=T),
    }
    for name, r in responses.items():
        assert r.headers.get("Access-Control-Allow-Origin") == "*", name


def test_cors_preflight(live):
    r = requests.options(live.url + "/sparql", timeout=T, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code in (200, 204)
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    methods = {m.strip().upper() for m in r.headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "POST"} <= methods
    headers = {h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"content-type", "accept"} <= headers


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_service_description(live, accept):
    """Without a query, an RDF client gets the SPARQL 1.1 Service Description."""
    r = get(live, None, accept=accept)
    assert media_type(r) == accept
    g = graph(r)
    services = set(g.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    (service,) = services
    endpoint = rdflib.URIRef(live.url + "/sparql")
    assert (service, SD.endpoint, endpoint) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    # the default graph's size is the number of triples the endpoint answers for it
    dataset = g.value(service, SD.defaultDataset)
    triples = g.value(g.value(dataset, SD.defaultGraph), VOID.triples)
    assert int(triples) == number(live, UNION_COUNT)


def test_browser_without_a_query_gets_the_query_page(live):
    r = get(live, None, accept=BROWSER)
    assert r.status_code == 200
    assert media_type(r) == "text/html"
    assert "<form" in r.text and "query" in r.text
