"""``/sparql`` beyond the W3C protocol tests: negotiation, errors, limits, CORS, the service
description; over real HTTP to real servers.

Every request goes through ``requests`` to an app served by waitress (the shared
read-only ``live_server``, or ``serve(...)`` for a setting under test), and every answer
is read back with an independent parser (rdflib for SPARQL results and RDF) and checked
for its values, not just its status. The W3C protocol tests are in
``test_sparql_protocol.py``, the dataset a query reads in ``test_sparql_dataset.py``, the
query workers behind the endpoint in ``stores/test_workers.py``.

Sections: 1. content negotiation; 2. errors; 3. limits; 4. CORS, the service description
and the query page.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import rdflib
import requests
from endpoint import (
    BOOLEAN_TYPES,
    BROWSER,
    CI,
    CITIES,
    CITY_NOTATIONS,
    CITY_TRIPLES,
    ID,
    PREFIXES,
    RDF_TYPES,
    RESULT_TYPES,
    RUNAWAY,
    SD,
    UNION_COUNT,
    VOID,
    Serve,
    T,
    assert_cors,
    boolean,
    city,
    city_graph,
    column,
    get,
    graph,
    media_type,
    number,
    post_direct,
    post_form,
    refused,
    rows,
    update_direct,
    wait_for_workers,
)
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS


@pytest.fixture(scope="module")
def serve(make_app):
    serve = Serve(make_app)
    yield serve
    serve.close()


@pytest.fixture(scope="module")
def live(live_server, app):
    """The shared read-only server, with its app at hand for the store's own counts."""
    live_server.app = app
    return live_server


@pytest.fixture(scope="module")
def writable(serve):
    """A server of its own for the update tests, so that a wrongly run update harms nobody."""
    return serve()


# =============================================================================================
# 1. Content negotiation (protocol 2.1.5, 2.1.6)
# =============================================================================================

def test_answers_have_a_length_and_the_connection_stays_open(live):
    """Answers are read whole before they are sent, so they carry Content-Length and a
    client may send its next query on the same connection (waitress closes the connection
    after a chunked response: a new TCP connection per query)."""
    import http.client
    import urllib.parse

    host, port = live.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    sockets = []
    for query in ("SELECT ?c WHERE { ?c a ci:City } LIMIT 3", "ASK { ?s ?p ?o }",
                  "CONSTRUCT { ?c a ci:City } WHERE { ?c a ci:City } LIMIT 2"):
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": PREFIXES + query}),
                     headers={"Accept": "application/sparql-results+json, text/turtle"})
        response = conn.getresponse()
        body = response.read()
        assert response.status == 200, body
        assert int(response.getheader("Content-Length")) == len(body)
        assert response.getheader("Transfer-Encoding") is None
        assert (response.getheader("Connection") or "").lower() != "close"
        sockets.append(conn.sock)
    conn.close()
    assert sockets[0] is not None and sockets[0] is sockets[1] is sockets[2]


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


def test_select_star_columns_come_in_the_querys_order_in_every_format(client):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    csv = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/csv"})
    assert csv.get_data(as_text=True).splitlines()[0] == "s,p,o"
    tsv = client.get("/sparql", query_string={"query": query},
                     headers={"Accept": "text/tab-separated-values"})
    assert tsv.get_data(as_text=True).splitlines()[0] == "?s\t?p\t?o"
    js = client.get("/sparql", query_string={"query": query},
                    headers={"Accept": "application/sparql-results+json"})
    assert js.json["head"]["vars"] == ["s", "p", "o"]
    xml = client.get("/sparql", query_string={"query": query},
                     headers={"Accept": "application/sparql-results+xml"})
    text = xml.get_data(as_text=True)
    assert text.index('name="s"') < text.index('name="p"') < text.index('name="o"')


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
# 2. Errors (protocol 2.1.7)
# =============================================================================================

def test_syntax_error_is_400_with_the_parser_message(live):
    query = "SELECT ?n\nWHERE {\n  ?c ?p ?n ) }"
    for r in (get(live, query), post_form(live, query), post_direct(live, query)):
        assert r.status_code == 400
        assert "syntax error" in r.text.lower()
        assert re.search(r"\bline 3, column 12\b", r.text), r.text  # where the ")" is
        assert_cors(r)


def test_the_endpoint_answers_a_syntax_error_in_words_with_where_and_how(client):
    query = "SELECT ?c WHERE {\n  ?o ci:basedIn ?c }"
    r = client.get("/sparql", query_string={"query": query},
                   headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert r.json["line"] == 2 and r.json["column"] == 6
    assert r.json["fix"] == "PREFIX ci: <https://w3id.org/crossinnov/ontology#>"
    assert r.json["message"].startswith("SPARQL syntax error at line 2, column 6: the prefix ci:")
    text = client.get("/sparql", query_string={"query": query}, headers={"Accept": "*/*"})  # curl
    assert text.status_code == 400 and "To mend it:\nPREFIX ci:" in text.get_data(as_text=True)


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
# 3. Limits
# =============================================================================================


@pytest.fixture(scope="module")
def limited(serve):
    # an Oxigraph server goes on with a query its client left until its own limit stops it
    return serve(QUERY_TIMEOUT=1.5, QUERY_WORKERS=2, server_args=("--timeout-s", "2"))


def test_runaway_query_is_stopped_with_503(limited):
    wait_for_workers(limited, 2)
    r = get(limited, RUNAWAY)  # it never ends by itself: only the time limit ends it
    assert r.status_code == 503, r.text
    assert "time limit" in r.text and "1.5" in r.text
    assert_cors(r)
    # the server still answers
    assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES

    # while another runaway runs, small queries are answered
    wait_for_workers(limited, 2)
    with ThreadPoolExecutor(1) as executor:
        runaway = executor.submit(get, limited, RUNAWAY)
        time.sleep(0.3)
        assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES
        # answered while the runaway still ran: an order, not a time (a loaded machine
        # slows both alike)
        assert not runaway.done()
        assert runaway.result().status_code == 503
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


# =============================================================================================
# 4. CORS, service description, query page
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
