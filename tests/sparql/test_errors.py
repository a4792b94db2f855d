"""Syntax errors in words (crossinnov.sparql.errors): each common mistake named at its token,
the same message every run. How the endpoint answers with them is in
``web/test_sparql_endpoint.py``.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from crossinnov.formats import WELL_KNOWN_PREFIXES
from crossinnov.sparql.errors import explain, undeclared_prefixes, with_caret


def parser_message(query: str) -> str:
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(query)
    return str(caught.value)


def explained(query: str):
    return explain(query, parser_message(query))


def test_an_undeclared_well_known_prefix_gets_the_line_to_add():
    query = "SELECT ?o WHERE {\n  ?s ci:basedIn ?o ;\n     skos:prefLabel ?l }"
    e = explained(query)
    assert (e.line, e.column) == (2, 6)  # the first use, not the end of the query
    assert "ci:, skos:" in e.message and "not declared" in e.message
    assert e.fix == ("PREFIX ci: <https://w3id.org/crossinnov/ontology#>\n"
                     "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>")
    # and the fix mends it
    ox.Store().query(e.fix + "\n" + query)


def test_an_unknown_prefix_is_named_without_a_guess():
    e = explained("SELECT * WHERE { ?s foo:bar ?o }")
    assert "foo:" in e.message and e.fix is None and e.column == 21


def test_a_declared_prefix_is_not_reported():
    assert undeclared_prefixes("PREFIX ci: <x:y#> SELECT * WHERE { ?s ci:a ?o }") == []
    # a prefix-looking text in a string, an IRI or a comment is not a use
    assert undeclared_prefixes('SELECT * WHERE { ?s <a:b> "c:d" } # e:f') == []


def test_a_misspelt_query_form_is_named_with_a_suggestion():
    e = explained("SELEC * WHERE { ?s ?p ?o }")
    assert (e.line, e.column) == (1, 1)
    assert "'SELEC'" in e.message and "did you mean SELECT" in e.message
    assert "CONSTRUCT" in e.message  # the choices, not just the parser's first guess


def test_an_unknown_word_is_named_with_a_suggestion():
    e = explained("SELECT * WHERE { ?s ?p ?o } LIMT 5")
    assert (e.line, e.column) == (1, 29) and "did you mean LIMIT" in e.message


def test_an_open_string_and_an_open_brace_point_where_they_open():
    e = explained('SELECT * WHERE {\n  ?s ?p "abc }')
    assert (e.line, e.column) == (2, 9) and "not closed" in e.message
    e = explained("SELECT * WHERE { ?s ?p ?o ")
    assert (e.line, e.column) == (1, 16) and "never closed" in e.message
    e = explained("SELECT * WHERE { ?s ?p ?o } }")
    assert (e.line, e.column) == (1, 29) and "closes nothing" in e.message


def test_an_iri_with_a_space_is_named():
    e = explained("SELECT * WHERE { ?s <http://example.org/a b> ?o }")
    assert e.column == 21 and "no spaces" in e.message


def test_group_by_with_an_unbound_variable_says_what_to_do():
    e = explained("PREFIX ci: <https://w3id.org/crossinnov/ontology#>\n"
                  "SELECT ?x WHERE { ?x a ci:Organisation } GROUP BY ?y")
    assert "GROUP BY" in e.message and "aggregated" in e.message


def test_the_expected_list_is_stable_and_readable():
    query = "SELECT * WHERE {\n ?s ?p ?o .\n FILTER(?o = ) }"
    messages = {explained(query).message for _ in range(5)}
    assert len(messages) == 1  # the same words every time
    (message,) = messages
    assert "an expression" in message and "\\u{" not in message and "..=" not in message


def test_every_well_known_prefix_has_a_namespace():
    for name in ("ci", "schema", "skos", "dcterms", "org", "prov", "rdf", "rdfs", "xsd", "dcat",
                 "void", "sh", "owl", "foaf"):
        assert WELL_KNOWN_PREFIXES[name].startswith("http")


def test_caret_points_under_the_column():
    query = "SELECT * WHERE {\n  ?s ci:basedIn ?o }"
    lines = with_caret(query, explained(query)).splitlines()
    assert lines[0].startswith("line 2, column 6:")
    assert lines[1] == "    ?s ci:basedIn ?o }"
    assert lines[2] == "  " + " " * 5 + "^"
