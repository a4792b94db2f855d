"""``/sparql`` against the W3C SPARQL 1.1 Protocol tests, one table of requests.

The cases are the W3C protocol tests (https://w3c.github.io/rdf-tests/sparql/sparql11/protocol/),
each named after its W3C test; a test that makes more than one request is more than one row
(``name: what this row checks``). The data the W3C tests read from kasei.us is replaced by
graphs of our own store (said in each row's ``note``). The update tests are refused (the
endpoint is read-only), each against a server of its own, and the store is checked to be
exactly as it was.

Each row is a request (method, URL parameters, body, its content type, Accept) and what must
come back: the status, the media type, words of the body, and the answer's value read back
with rdflib (a boolean, a column, or a check of the graph). One parametrised test runs them
all, over real HTTP to an app served by waitress.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import rdflib
import requests
from endpoint import (
    BOOLEAN_TYPES,
    CITIES,
    CITY_NOTATIONS,
    PREFIXES,
    RDF_TYPES,
    RESULT_TYPES,
    UNION_COUNT,
    Serve,
    T,
    assert_cors,
    boolean,
    city,
    city_graph,
    column,
    graph,
    graph_size,
    media_type,
    refused,
    rows,
)
from rdflib.namespace import SKOS

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
KASEI = "http://kasei.us/2009/09/sparql/data/"
BERLIN, ROME, LINZ = city_graph("berlin"), city_graph("rome"), city_graph("linz")


@dataclass(frozen=True)
class Case:
    """One request of a W3C protocol test, and what its answer must be."""

    name: str
    method: str = "GET"
    #: the URL's parameters, in order (a name may repeat)
    params: tuple[tuple[str, str], ...] = ()
    #: the request body: bytes, sent with ``content_type`` (None: no Content-Type header)
    body: bytes | None = None
    content_type: str | None = None
    accept: str | None = None
    status: int | tuple[int, ...] = 200
    #: media types the answer may have (None: not checked)
    media: tuple[str, ...] | None = None
    #: the answer of an ASK
    boolean: bool | None = None
    #: (variable, values) a SELECT answers, in order
    column: tuple[str, list[str]] | None = None
    #: words the body holds (case-insensitive)
    says: tuple[str, ...] = ()
    #: any other check of the answer: check(response, server)
    check: Callable[[requests.Response, object], None] | None = None
    #: an update: sent to a server of its own, whose store must be left exactly as it was
    update: bool = False
    note: str = ""


def query_get(name, query, *, params=(), **expected) -> Case:
    return Case(name, "GET", (("query", query), *params), **expected)


def query_form(name, query, *, params=(), **expected) -> Case:
    """POST with URL-encoded parameters; ``params`` stay in the URL."""
    return Case(name, "POST", params, urlencode({"query": query}).encode(), FORM, **expected)


def query_direct(name, query: str | bytes, *, params=(), content_type=DIRECT, **expected) -> Case:
    body = query.encode("utf-8") if isinstance(query, str) else query
    return Case(name, "POST", params, body, content_type, **expected)


def update_direct(name, text: str | bytes, *, params=(), content_type=UPDATE,
                  status=(400, 403), **expected) -> Case:
    body = text.encode("utf-8") if isinstance(text, str) else text
    return Case(name, "POST", params, body, content_type, status=status, update=True,
                **expected)


def update_form(name, body: str, *, status=(400, 403), **expected) -> Case:
    return Case(name, "POST", (), body.encode("ascii"), FORM, status=status, update=True,
                **expected)


def dataset(default: tuple[str, ...] = (), named: tuple[str, ...] = ()) -> tuple:
    return (tuple(("default-graph-uri", g) for g in default)
            + tuple(("named-graph-uri", g) for g in named))


# --- checks of answers that are more than a boolean or a column ----------------------------------

def one_row_with_value_1(response, server) -> None:
    (row,) = rows(response)
    assert row["value"] == rdflib.Literal(1)


def empty_graph(response, server) -> None:
    assert len(graph(response)) == 0


def berlin_described(response, server) -> None:
    g = graph(response)
    assert (rdflib.URIRef(city("berlin")), SKOS.notation, rdflib.Literal("berlin")) in g


def one_constructed_triple(response, server) -> None:
    g = graph(response)
    assert len(g) == 1
    ((s, p, o),) = list(g)
    assert o == rdflib.Literal(1)
    assert str(s).startswith("http") and str(s).endswith("s")  # resolved against a base


def each_pattern_in_its_graph(response, server) -> None:
    (row,) = rows(response)
    assert (str(row["g1"]), str(row["g2"])) == (BERLIN, ROME)


def the_default_graph_is_linz_alone(response, server) -> None:
    (row,) = rows(response)
    assert int(row["n"]) == graph_size(server, LINZ) > 0


def where_the_parser_stopped(response, server) -> None:
    assert re.search(r"\bline 1, column \d+", response.text), response.text


def no_content_type_was_sent(response, server) -> None:
    assert "Content-Type" not in response.request.headers


# --- the W3C update requests ---------------------------------------------------------------------

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
W3C_BASE_TEST = ("CLEAR GRAPH <http://example.org/protocol-base-test/> ;\n"
                 "INSERT DATA { GRAPH <http://example.org/protocol-base-test/> "
                 "{ <http://example.org/s> <http://example.org/p> <test> } }")
W3C_DATASET_CONFLICT = ("PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\n"
                        "WITH <http://example/addresses>\n"
                        "DELETE { ?person foaf:givenName 'Bill' }\n"
                        "INSERT { ?person foaf:givenName 'William' }\n"
                        "WHERE {\n    ?person foaf:givenName 'Bill'\n}")


# --- the table -----------------------------------------------------------------------------------

IN_BERLIN = dataset((BERLIN,))
ADAPTED = "the W3C request's default-graph-uri (kasei.us data0.rdf) is the graph of Berlin"
BERLIN_AND_ROME = f"ASK {{ <{city('berlin')}> a ?type . <{city('rome')}> a ?type . }}"
BOTH_NAMED = (f"ASK {{ GRAPH ?g1 {{ <{city('berlin')}> a ?type }} "
              f"GRAPH ?g2 {{ <{city('rome')}> a ?type }} }}")
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
FULL = (f"ASK {{ <{city('linz')}> a ?type "
        f"GRAPH ?g1 {{ <{city('berlin')}> a ?type }} "
        f"GRAPH ?g2 {{ <{city('rome')}> a ?type }} }}")
WHICH = (f"SELECT DISTINCT ?g1 ?g2 WHERE {{ GRAPH ?g1 {{ <{city('berlin')}> a ?t }} "
         f"GRAPH ?g2 {{ <{city('rome')}> a ?t }} }}")
FROM_LINZ = (f"ASK FROM <{LINZ}> {{ GRAPH ?g1 {{ <{city('berlin')}> a ?type }} "
             f"GRAPH ?g2 {{ <{city('rome')}> a ?type }} }}")
ROME_FROM_BERLIN = f"ASK FROM <{BERLIN}> {{ <{city('rome')}> ?p ?o }}"
PLZEN = PREFIXES + 'ASK { ?c skos:editorialNote ?note FILTER(CONTAINS(?note, "Plzeň")) }'
RESULTS, RDF, BOOLEANS = tuple(RESULT_TYPES), tuple(RDF_TYPES), BOOLEAN_TYPES
REFUSED = (400, 403)

CASES = [
    # query via URL-encoded POST, via GET, via POST directly (protocol 2.1.1-2.1.3)
    query_form("query_post_form", "ASK {}", params=IN_BERLIN, boolean=True, note=ADAPTED),
    query_form("query_post_form: a real query's values", CITY_NOTATIONS,
               column=("notation", CITIES)),
    query_get("query_get", "ASK {}", params=IN_BERLIN, boolean=True, note=ADAPTED),
    query_get("query_get: a real query's values", CITY_NOTATIONS, column=("notation", CITIES)),
    query_direct("query_post_direct", "ASK {}", boolean=True),
    query_direct("query_post_direct: the body is UTF-8", PLZEN, boolean=True,
                 note="a non-ASCII literal must match the data (protocol 2.1.3)"),
    query_direct("query_post_direct: a real query's values", CITY_NOTATIONS,
                 column=("notation", CITIES)),
    # the dataset given by the protocol (2.1.4); kasei.us data1/2/3.rdf are Berlin, Rome, Linz
    query_direct("query_dataset_default_graph", f"ASK {{ <{city('berlin')}> ?p ?o }}",
                 params=IN_BERLIN, boolean=True,
                 note="the default graph kasei.us data1.rdf is the graph of Berlin"),
    query_direct("query_dataset_default_graph: that graph alone",
                 f"ASK {{ <{city('rome')}> ?p ?o }}", params=IN_BERLIN, boolean=False),
    query_get("query_dataset_default_graphs_get", BERLIN_AND_ROME,
              params=dataset((BERLIN, ROME)), boolean=True,
              note="a type both Berlin and Rome have: their merge is the default graph"),
    query_get("query_dataset_default_graphs_get: one graph is not both", BERLIN_AND_ROME,
              params=IN_BERLIN, boolean=False),
    query_direct("query_dataset_default_graphs_post", BERLIN_AND_ROME,
                 params=dataset((BERLIN, ROME)), boolean=True),
    query_direct("query_dataset_default_graphs_post: one graph is not both", BERLIN_AND_ROME,
                 params=dataset((ROME,)), boolean=False),
    query_direct("query_dataset_named_graphs_post", BOTH_NAMED,
                 params=dataset(named=(BERLIN, ROME)), boolean=True),
    query_direct("query_dataset_named_graphs_post: one named graph is not both", BOTH_NAMED,
                 params=dataset(named=(BERLIN,)), boolean=False),
    query_direct("query_dataset_named_graphs_post: only those graphs", GRAPHS,
                 params=dataset(named=(BERLIN, ROME)), column=("g", [BERLIN, ROME])),
    query_get("query_dataset_named_graphs_get", BOTH_NAMED,
              params=dataset(named=(BERLIN, ROME)), boolean=True),
    query_get("query_dataset_named_graphs_get: one named graph is not both", BOTH_NAMED,
              params=dataset(named=(ROME,)), boolean=False),
    query_get("query_dataset_named_graphs_get: only those graphs", GRAPHS,
              params=dataset(named=(BERLIN, ROME)), column=("g", [BERLIN, ROME])),
    query_direct("query_dataset_full", FULL, params=dataset((LINZ,), (BERLIN, ROME)),
                 boolean=True, note="default graph data3.rdf is Linz, named data1/2 Berlin, Rome"),
    query_direct("query_dataset_full: which graph answered which pattern", WHICH,
                 params=dataset((LINZ,), (BERLIN, ROME)), check=each_pattern_in_its_graph),
    query_get("query_dataset_full: nothing else in the default graph", UNION_COUNT,
              params=dataset((LINZ,)), check=the_default_graph_is_linz_alone),
    query_direct("query_dataset_full: Linz is not in the default graph of Berlin", FULL,
                 params=dataset((BERLIN,), (LINZ, ROME)), boolean=False),
    query_direct("query_multiple_dataset", FROM_LINZ, params=dataset(named=(BERLIN, ROME)),
                 boolean=True, note="FROM data3.rdf is FROM Linz; the named graphs (one "
                 "parameter with an encoded '&' in the W3C request) are two parameters"),
    query_direct("query_multiple_dataset: the query's own dataset has no named graphs",
                 FROM_LINZ, boolean=False),
    query_direct("query_multiple_dataset: FROM alone", ROME_FROM_BERLIN, boolean=False),
    query_direct("query_multiple_dataset: the protocol's default graph replaces FROM",
                 ROME_FROM_BERLIN, params=dataset((ROME,)), boolean=True),
    # the answer's content type (2.1.5, 2.1.6)
    query_direct("query_content_type_select", "SELECT (1 AS ?value) {}", params=IN_BERLIN,
                 media=RESULTS, check=one_row_with_value_1, note=ADAPTED),
    query_direct("query_content_type_ask", "ASK {}", params=IN_BERLIN, media=BOOLEANS,
                 boolean=True, note=ADAPTED),
    query_direct("query_content_type_describe", "DESCRIBE <http://example.org/>",
                 params=IN_BERLIN, media=RDF, check=empty_graph,
                 note=ADAPTED + "; http://example.org/ is described by nothing there"),
    query_direct("query_content_type_describe: Berlin is described",
                 f"DESCRIBE <{city('berlin')}>", params=IN_BERLIN, media=RDF,
                 check=berlin_described),
    query_direct("query_content_type_construct", "CONSTRUCT { <s> <p> 1 } WHERE {}",
                 params=IN_BERLIN, media=RDF, check=one_constructed_triple, note=ADAPTED),
    # malformed query requests (2.1.7)
    Case("bad_query_method", "PUT", (("query", "ASK {}"), *IN_BERLIN), content_type=FORM,
         status=405, says=("PUT",), note=ADAPTED),
    Case("bad_query_method: DELETE", "DELETE", (("query", "ASK {}"), *IN_BERLIN),
         content_type=FORM, status=405, says=("DELETE",)),
    Case("bad_multiple_queries", "GET", (("query", "ASK {}"), ("query", "SELECT * {}")),
         status=400, says=("more than one",)),
    query_direct("bad_query_wrong_media_type", "ASK {}", content_type="text/plain", status=415,
                 says=("text/plain",)),
    query_direct("bad_query_missing_form_type", b"query=ASK%20%7B%7D", content_type=None,
                 status=415, check=no_content_type_was_sent),
    query_direct("bad_query_missing_direct_type", b"ASK {}", content_type=None, status=415,
                 check=no_content_type_was_sent),
    query_direct("bad_query_non_utf8", "ASK {}".encode("utf-16"),  # with a byte order mark
                 content_type=DIRECT + "; charset=UTF-16", status=400, says=("UTF-8",)),
    query_get("bad_query_syntax", "ASK {", status=400, says=("syntax",),
              check=where_the_parser_stopped),
    # updates: the endpoint is read-only, so each is refused and the store left as it was
    update_direct("update_dataset_default_graph", W3C_INSERT_DEFAULT,
                  params=(("using-graph-uri", KASEI + "data1.rdf"),), status=403,
                  says=("read-only",)),
    update_direct("update_dataset_default_graphs", W3C_DROP_AND_INSERT,
                  params=(("using-graph-uri", KASEI + "data1.rdf"),
                          ("using-graph-uri", KASEI + "data2.rdf"))),
    update_direct("update_dataset_named_graphs", W3C_DROP_AND_INSERT,
                  params=(("using-named-graph-uri", KASEI + "data1.rdf"),
                          ("using-named-graph-uri", KASEI + "data2.rdf"))),
    update_direct("update_dataset_full", W3C_DROP_AND_INSERT,
                  params=(("using-graph-uri", KASEI + "data1.rdf"),
                          ("using-named-graph-uri", KASEI + "data2.rdf"))),
    update_form("update_post_form", "update=CLEAR+ALL", status=403, says=("read-only",)),
    update_direct("update_post_direct", "CLEAR ALL", status=403, says=("read-only",)),
    update_direct("update_base_uri", W3C_BASE_TEST,
                  note="the graph is not created: the store is left as it was"),
    Case("bad_update_get", "GET", (("update", "CLEAR ALL"),), status=REFUSED, update=True),
    update_form("bad_multiple_updates", "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"),
    update_direct("bad_update_wrong_media_type", "CLEAR NAMED", content_type="text/plain",
                  status=415, note="an unknown body type is refused with 415, as for queries"),
    update_direct("bad_update_missing_form_type", b"update=CLEAR%20NAMED", content_type=None,
                  status=415, check=no_content_type_was_sent),
    update_direct("bad_update_non_utf8", "CLEAR NAMED".encode("utf-16"),
                  content_type=UPDATE + "; charset=UTF-16"),
    update_form("bad_update_syntax", "update=CLEAR%20XYZ"),
    update_direct("bad_update_dataset_conflict", W3C_DATASET_CONFLICT,
                  params=(("using-named-graph-uri", "http://example/people"),)),
]


@pytest.fixture(scope="module")
def serve(make_app):
    serve = Serve(make_app)
    yield serve
    serve.close()


@pytest.fixture(scope="module")
def live(live_server, app):
    """The shared read-only server, with its app at hand."""
    live_server.app = app
    return live_server


@pytest.fixture(scope="module")
def writable(serve):
    """A server of its own for the update tests, so that a wrongly run update harms nobody."""
    return serve()


def send(server, case: Case) -> requests.Response:
    headers = {}
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    if case.accept is not None:
        headers["Accept"] = case.accept
    return requests.request(case.method, server.url + "/sparql", params=list(case.params),
                            data=case.body, headers=headers, timeout=T)


#: the tests of the W3C protocol manifest (protocol/manifest.ttl)
W3C_TESTS = {
    "query_post_form", "query_get", "query_post_direct", "query_dataset_default_graph",
    "query_dataset_default_graphs_get", "query_dataset_default_graphs_post",
    "query_dataset_named_graphs_post", "query_dataset_named_graphs_get", "query_dataset_full",
    "query_multiple_dataset", "query_content_type_select", "query_content_type_ask",
    "query_content_type_describe", "query_content_type_construct", "bad_query_method",
    "bad_multiple_queries", "bad_query_wrong_media_type", "bad_query_missing_form_type",
    "bad_query_missing_direct_type", "bad_query_non_utf8", "bad_query_syntax",
    "update_dataset_default_graph", "update_dataset_default_graphs",
    "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
    "update_post_direct", "update_base_uri", "bad_update_get", "bad_multiple_updates",
    "bad_update_wrong_media_type", "bad_update_missing_form_type", "bad_update_non_utf8",
    "bad_update_syntax", "bad_update_dataset_conflict",
}


def test_the_table_has_every_w3c_protocol_test_and_no_other():
    assert {case.name.split(":")[0] for case in CASES} == W3C_TESTS
    assert len({case.name for case in CASES}) == len(CASES)


def case_id(case: Case) -> str:
    return case.name.replace(": ", "--").replace(" ", "_")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_w3c_protocol(case: Case, live, writable):
    server = writable if case.update else live
    if case.update:
        response = refused(server, lambda: send(server, case),
                           statuses=(case.status,) if isinstance(case.status, int)
                           else case.status)
    else:
        response = send(server, case)
        statuses = (case.status,) if isinstance(case.status, int) else case.status
        assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert_cors(response)
    if case.media is not None:
        assert media_type(response) in case.media, response.headers
    for words in case.says:
        assert words.lower() in response.text.lower(), response.text[:500]
    if case.boolean is not None:
        assert boolean(response) is case.boolean
    if case.column is not None:
        name, values = case.column
        assert column(response, name) == values
    if case.check is not None:
        case.check(response, server)
