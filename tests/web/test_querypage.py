"""The query page without a browser (crossinnov.web.querypage): the example queries, each
answering; the answer as a table with local links and downloads that keep the dataset; a
failing query kept with its error. In Chromium: ``test_query_page_browser.py``.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode, urlsplit

import pytest
import rdflib
from htmlpage import BROWSER, assert_links_local, get_page

from crossinnov.web.querypage import load_examples


def test_example_queries_have_title_and_question():
    examples = load_examples()
    assert 8 <= len(examples) <= 10
    for ex in examples:
        lines = ex.text.splitlines()
        assert lines[0].startswith("# title: ") and lines[1].startswith("# question: ")
        assert ex.title and ex.question.endswith(("?", ")"))


@pytest.mark.parametrize("example", load_examples(), ids=lambda ex: ex.name)
def test_every_example_query_returns_rows(client, example):
    response = client.get("/sparql?" + urlencode({"query": example.text, "format": "json"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    if response.mimetype == "application/sparql-results+json":
        assert len(response.json["results"]["bindings"]) >= 1
    else:
        graph = rdflib.Graph().parse(data=response.data, format="json-ld")
        assert len(graph) >= 1
    page = get_page(client, "/sparql?" + urlencode({"query": example.text}))
    count = int(re.search(r"([\d,]+) (?:rows?|triples?)", page.by_id["answer"]).group(1)
                .replace(",", ""))
    assert count >= 1
    assert page.markup.count("<tr>") >= 2


def test_query_page_offers_examples_without_javascript(client):
    page = get_page(client, "/sparql")
    assert "<textarea" in page.markup and 'name="query"' in page.markup
    for ex in load_examples():
        href = page.href_of(ex.title)
        parts = urlsplit(href)
        assert parts.path == "/sparql" and "query=" in parts.query
        assert ex.question in page.text


def test_query_answer_is_a_table_with_local_links_and_downloads(client):
    query = next(ex.text for ex in load_examples() if ex.name.startswith("09"))
    page = get_page(client, "/sparql?" + urlencode({"query": query}))
    assert html.escape(query, quote=False) in page.markup  # kept in the editor
    assert page.href_of("Fab Lab LX (FabLab Lisboa)") == "/id/practice/fab-lab-lx"
    assert "12 rows" in page.by_id["answer"]
    assert_links_local(page)
    downloads = {label: href for href, label in page.links if label in ("CSV", "JSON")}
    csv_response = client.get(downloads["CSV"])
    assert csv_response.mimetype == "text/csv"
    assert "Fab Lab LX (FabLab Lisboa)" in csv_response.get_data(as_text=True)
    assert client.get(downloads["JSON"]).mimetype == "application/sparql-results+json"


def test_ask_and_construct_answers(client):
    ask = get_page(client, "/sparql?" + urlencode(
        {"query": "ASK { ?s a <https://w3id.org/crossinnov/ontology#GoodPractice> }"}))
    assert "Yes" in ask.by_id["answer"]
    no = get_page(client, "/sparql?" + urlencode({"query": "ASK { ?s a <urn:x:nothing> }"}))
    assert "No" in no.by_id["answer"]
    construct = get_page(client, "/sparql?" + urlencode({"query": (
        "CONSTRUCT { ?p <https://w3id.org/crossinnov/ontology#operatedBy> ?o } WHERE "
        "{ ?p <https://w3id.org/crossinnov/ontology#operatedBy> ?o }")}))
    answer = construct.by_id["answer"]
    assert "12 triples" in answer and "subject" in answer and "predicate" in answer
    assert "Turtle" in answer


def test_query_syntax_error_is_400(client):
    response = client.get("/sparql?" + urlencode({"query": "SELEKT nothing"}),
                          headers={"Accept": BROWSER})
    assert response.status_code == 400


def test_a_failing_query_keeps_its_text_on_the_query_page(client):
    query = "SELECT * WHERE { ?s ?p }"
    r = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/html"})
    assert r.status_code == 400 and r.mimetype == "text/html"
    text = r.get_data(as_text=True)
    assert "SPARQL syntax error" in text and "SELECT * WHERE { ?s ?p }" in text
    assert "Accept" in r.headers["Vary"]


def test_download_links_keep_the_dataset(client):
    graph = "https://w3id.org/crossinnov/graph/city/berlin"
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }",
                                            "default-graph-uri": graph},
                   headers={"Accept": "text/html"})
    assert r.status_code == 200
    links = [a for a in r.get_data(as_text=True).split('href="')[1:] if "format=csv" in a]
    assert links and f"default-graph-uri={graph}" in links[0]
