"""The SPARQL 1.1 Protocol's query operation read from a request (crossinnov.sparql.protocol),
without a web server: what :func:`parse_request` takes from a GET, a POST form and a POST
direct, what it refuses and with which status, and which answer format
:func:`choose_formats` picks.

The same requests over real HTTP are in ``web/test_sparql_protocol.py`` (the W3C tests)
and ``web/test_sparql_endpoint.py``.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from crossinnov.sparql.protocol import ProtocolError, choose_formats, parse_request

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
G1, G2, G3 = "http://example.org/g1", "http://example.org/g2", "http://example.org/g3"
QUERY = "SELECT * WHERE { ?s ?p 'café' }"


def refused(status: int, *request) -> str:
    with pytest.raises(ProtocolError) as caught:
        parse_request(*request)
    assert caught.value.status == status, caught.value.message
    return caught.value.message


# --- parse_request: what a request asks --------------------------------------------------------

def test_get_reads_the_query_its_dataset_and_format_from_the_url():
    url = urlencode([("query", QUERY), ("default-graph-uri", G1), ("default-graph-uri", G2),
                     ("named-graph-uri", G3), ("format", "csv")])
    request = parse_request("GET", url, "", b"")
    assert request.query == QUERY
    assert (request.default_graph, request.named_graphs) == ([G1, G2], [G3])
    assert request.format == "csv"


def test_get_without_a_query_is_no_query_not_an_error():
    """The endpoint answers it with the service description or the query page."""
    request = parse_request("GET", "", "", b"")
    assert request.query is None and request.default_graph == [] and request.format is None


def test_output_is_read_as_format():
    assert parse_request("GET", urlencode({"query": QUERY, "output": "tsv"}), "", b"").format \
        == "tsv"


def test_post_form_reads_the_body_and_keeps_the_urls_dataset():
    body = urlencode([("query", QUERY), ("named-graph-uri", G1)]).encode()
    request = parse_request("POST", urlencode({"default-graph-uri": G2}), FORM, body)
    assert request.query == QUERY
    assert (request.default_graph, request.named_graphs) == ([G2], [G1])


def test_post_direct_reads_the_body_as_utf8_and_the_dataset_from_the_url():
    request = parse_request("POST", urlencode({"default-graph-uri": G1}), DIRECT,
                            QUERY.encode("utf-8"))
    assert request.query == QUERY and request.default_graph == [G1]


# --- parse_request: what it refuses --------------------------------------------------------------

def test_a_query_and_an_update_together_are_400():
    message = refused(400, "GET", urlencode({"query": QUERY, "update": "CLEAR ALL"}), "", b"")
    assert "not both" in message
    refused(400, "POST", "", FORM, urlencode({"query": QUERY, "update": "CLEAR ALL"}).encode())
    refused(400, "POST", urlencode({"update": "CLEAR ALL"}), DIRECT, QUERY.encode())


@pytest.mark.parametrize("request_", [
    ("GET", urlencode({"update": "CLEAR ALL"}), "", b""),
    ("POST", "", FORM, b"update=CLEAR+ALL"),
    ("POST", "", "application/sparql-update", b"CLEAR ALL"),
], ids=["get", "post form", "post direct"])
def test_an_update_is_403_the_endpoint_is_read_only(request_):
    assert "read-only" in refused(403, *request_)


@pytest.mark.parametrize("mimetype", ["text/plain", "application/json", ""])
def test_a_body_of_another_type_is_415_and_says_what_to_send(mimetype):
    message = refused(415, "POST", "", mimetype, b"query=ASK%20%7B%7D")
    assert FORM in message and DIRECT in message
    assert (mimetype or "(none)") in message


@pytest.mark.parametrize("request_", [
    ("GET", urlencode([("query", QUERY), ("query", "ASK {}")]), "", b""),
    ("POST", "", FORM, urlencode([("query", QUERY), ("query", "ASK {}")]).encode()),
], ids=["get", "post form"])
def test_two_queries_are_400(request_):
    assert "more than one" in refused(400, *request_)


@pytest.mark.parametrize("request_", [
    ("POST", urlencode({"query": QUERY}), FORM, urlencode({"query": QUERY}).encode()),
    ("POST", urlencode({"query": QUERY}), DIRECT, QUERY.encode()),
], ids=["form and url", "direct and url"])
def test_a_query_in_the_body_and_in_the_url_is_400(request_):
    refused(400, *request_)


@pytest.mark.parametrize("request_", [
    ("POST", "", FORM, b""),
    ("POST", "", DIRECT, b""),
    ("POST", urlencode({"default-graph-uri": G1}), FORM, b"format=json"),
], ids=["empty form", "empty body", "only a dataset"])
def test_a_post_without_a_query_is_400(request_):
    assert "no query" in refused(400, *request_)


@pytest.mark.parametrize("request_", [
    ("GET", b"query=ASK%20%7B%7D%FF", "", b""),
    ("POST", "", FORM, b"query=ASK%20%7B%3Fs%20%3Fp%20%22%FF%22%7D"),
    ("POST", "", DIRECT, 'ASK { ?s ?p "Café" }'.encode("latin-1")),
], ids=["url", "form", "direct"])
def test_text_that_is_not_utf8_is_400(request_):
    assert "UTF-8" in refused(400, *request_)


# --- choose_formats ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,form,expected", [
    ("csv", "SELECT", ("csv", "turtle")),
    ("tsv", "ASK", ("tsv", "turtle")),
    ("xml", "SELECT", ("xml", "xml")),
    ("nt", "CONSTRUCT", ("json", "ntriples")),
    ("jsonld", "DESCRIBE", ("json", "jsonld")),
    ("text/turtle", "CONSTRUCT", ("json", "turtle")),
    ("html", "SELECT", ("html", "html")),
])
def test_the_format_parameter_beats_accept(fmt, form, expected):
    assert choose_formats(fmt, "application/sparql-results+json, text/turtle", form) == expected


@pytest.mark.parametrize("accept,form,expected", [
    ("text/csv;q=0.5, application/sparql-results+xml", "SELECT", "xml"),
    ("application/sparql-results+json;q=0.2, text/tab-separated-values;q=0.8", "SELECT", "tsv"),
    ("*/*", "SELECT", "json"),
    (None, "ASK", "json"),
])
def test_accept_picks_the_result_format(accept, form, expected):
    assert choose_formats(None, accept, form)[0] == expected


@pytest.mark.parametrize("accept,expected", [
    ("text/turtle;q=0.3, application/rdf+xml;q=0.9", "xml"),
    ("application/ld+json;q=0.5, application/n-triples;q=0.6", "ntriples"),
    ("text/plain", "ntriples"),
    ("text/*", "turtle"),
])
def test_accept_picks_the_graph_format(accept, expected):
    assert choose_formats(None, accept, "CONSTRUCT")[1] == expected


def test_a_browser_gets_html():
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert choose_formats(None, browser, "SELECT") == ("html", "html")
    assert choose_formats(None, browser, "DESCRIBE") == ("html", "html")


@pytest.mark.parametrize("accept,form", [
    ("image/png", "SELECT"),
    ("text/turtle", "SELECT"),
    ("application/rdf+xml", "ASK"),
    ("application/sparql-results+json", "CONSTRUCT"),
    ("text/csv", "DESCRIBE"),
    ("application/sparql-results+json;q=0, text/csv;q=0", "SELECT"),
])
def test_406_when_nothing_accepted_can_hold_the_answer(accept, form):
    with pytest.raises(ProtocolError) as caught:
        choose_formats(None, accept, form)
    assert caught.value.status == 406 and "offered" in caught.value.message


@pytest.mark.parametrize("fmt,form,words", [
    ("yaml", "SELECT", "unknown format"),
    ("csv", "CONSTRUCT", "cannot hold a graph"),
    ("turtle", "SELECT", "cannot hold a SELECT or ASK"),
])
def test_a_format_that_is_unknown_or_wrong_for_the_query_is_400(fmt, form, words):
    with pytest.raises(ProtocolError) as caught:
        choose_formats(fmt, None, form)
    assert caught.value.status == 400 and words in caught.value.message
