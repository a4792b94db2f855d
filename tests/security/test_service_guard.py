"""Regression tests for the SERVICE guard (crossinnov.sparql.text.uses_service).

Each bypass below made pyoxigraph 0.5 call a URL while ``uses_service`` said False; one
test per bypass, named after what it guards, and one test that runs them all against
Oxigraph with a local listener, to show that each is a real call and not a curiosity.
Queries that only mention the word (strings, variables, IRIs, local names, comments) must
still be accepted.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from crossinnov.sparql.text import has_dataset_clause, strip_literals, uses_service

#: about the text of queries, not a store: once per run is enough
pytestmark = pytest.mark.embedded_only(reason="about query text; no store involved")

ANYWHERE = "http://127.0.0.1:9/"
EXAMPLES = Path(__file__).parents[2] / "crossinnov" / "sparql" / "queries" / "examples"

# name -> query; URL stands for an HTTP listener's IRI
BYPASSES = {
    # Oxigraph matches keywords without a word boundary: SERVICE :a
    "keyword_glued_to_prefixed_name": "PREFIX : <URL> SELECT * WHERE { SERVICE:a { ?s ?p ?o } }",
    # "service" + the prefixed name Type:foo
    "prefix_starting_with_service": "PREFIX Type: <URL> SELECT * WHERE "
                                    "{ serviceType:foo { ?s ?p ?o } }",
    "keyword_glued_to_longer_prefix": "PREFIX x: <URL> SELECT * WHERE { SERVICEx:a { ?s ?p ?o } }",
    # the local name goes on after U+00B7 (not \w), so "\#" is an escape, not a comment
    "middle_dot_then_escaped_hash": "PREFIX ex: <http://x/> SELECT * WHERE "
                                    "{ ?s ?p ex:a\u00b7b\\#c SERVICE <URL> { } }",
    "combining_mark_then_escaped_hash": "PREFIX ex: <http://x/> SELECT * WHERE "
                                        "{ ?s ?p ex:a\u0300\\#c SERVICE <URL> { } }",
    "last_combining_mark_then_escaped_hash": "PREFIX ex: <http://x/> SELECT * WHERE "
                                             "{ ?s ?p ex:a\u036f\\#c SERVICE <URL> { } }",
    "undertie_then_escaped_hash": "PREFIX ex: <http://x/> SELECT * WHERE "
                                  "{ ?s ?p ex:a\u203fb\\#c SERVICE <URL> { } }",
    "character_tie_then_escaped_hash": "PREFIX ex: <http://x/> SELECT * WHERE "
                                       "{ ?s ?p ex:a\u2040b\\#c SERVICE <URL> { } }",
    # "<" is less-than here, so "#>" starts a comment
    "less_than_read_as_iri": "PREFIX : <URL> SELECT * WHERE { FILTER(1<2)SERVICE:a#>\n{ } }",
    # one "<" is an IRI (a VALUES row), the next less-than: no single reading sees SERVICE
    "iri_then_less_than_with_quote": "BASE <http://b/> PREFIX : <URL> SELECT * WHERE { "
                                     "VALUES (?a ?b) { (1 2) (<x> <y'z>) } "
                                     "FILTER(?a<?b)SERVICE:a#'>\n{ } }",
    # found while fuzzing: a boolean, a number, punctuation glued to the keyword
    "keyword_glued_to_boolean": "SELECT * WHERE { ?s ?p trueSERVICE<URL>{} }",
    "keyword_after_boolean_and_dot": "PREFIX : <URL> SELECT * WHERE { ?s ?p true.SERVICE:a{} }",
    "keyword_glued_to_number": "SELECT * WHERE { ?s ?p 1SERVICE<URL>{} }",
    "keyword_glued_after_dot": "SELECT * WHERE { ?s ?p ?o.SERVICE<URL>{} }",
    "keyword_glued_after_brace": "SELECT * WHERE { {}SERVICE<URL>{} }",
    # Oxigraph's PN_LOCAL takes one "."-group: ex:a.b then .SERVICE
    "second_dot_group_of_local_name": "PREFIX ex: <http://x/> SELECT * WHERE "
                                      "{ ?s ?p ex:a.b.SERVICE<URL>{} }",
    # <http://[::1]> + SERVICE is no IRI, so Oxigraph reads ex: then SERVICE
    "local_name_of_a_prefix_that_cannot_take_one": "PREFIX ex: <http://[::1]> SELECT * WHERE "
                                                   "{ ?s ?p ex:SERVICE<URL>{} }",
}

# for SPARQL 1.1 engines that replace \u escapes first (rdflib, Jena); Oxigraph rejects it
CODEPOINT_ESCAPED = "SELECT * WHERE { \\u0053ERVICE <URL> { } }"

ONLY_TEXT = [
    "SELECT * WHERE { ?s ?p 'SERVICE <http://x/> { }' }",
    'SELECT * WHERE { ?s ?p """\nSERVICE <http://x/> { }\n""" }',
    "SELECT ?service WHERE { ?s ?p ?service . ?s $serviceX ?o }",
    "SELECT * WHERE { ?s <http://x/service> ?o . ?s ?p <http://x/a#SERVICE> }",
    "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ex:a.service }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ex:a\u00b7service }",
    "SELECT * WHERE { _:service ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } # no service here",
    "# SERVICE <http://x/> { }\nSELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, 'service')) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < <http://x/service>) }",
    # an authority-only IRI elsewhere does not make every local name suspect
    "PREFIX schema: <https://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o "
    "FILTER(?s != <http://example.org>) }",
]


def _query(name: str, base: str = ANYWHERE) -> str:
    return BYPASSES[name].replace("URL", base)


# --- one test per bypass --------------------------------------------------------------------

def test_service_keyword_glued_to_prefixed_name_is_caught():
    """Regression: ``SERVICE:a`` (the keyword glued to a prefixed name) was not seen."""
    assert uses_service(_query("keyword_glued_to_prefixed_name"))


def test_prefix_that_starts_with_service_is_caught():
    """Regression: ``serviceType:foo`` is ``service Type:foo`` to Oxigraph; the guard took it
    for a name."""
    assert uses_service(_query("prefix_starting_with_service"))


def test_service_keyword_glued_to_a_longer_prefix_is_caught():
    """Regression: ``SERVICEx:a`` (the keyword glued to a longer prefix) was not seen."""
    assert uses_service(_query("keyword_glued_to_longer_prefix"))


@pytest.mark.parametrize("name", [
    "middle_dot_then_escaped_hash", "combining_mark_then_escaped_hash",
    "last_combining_mark_then_escaped_hash", "undertie_then_escaped_hash",
    "character_tie_then_escaped_hash",
])
def test_escaped_hash_after_a_name_character_outside_w_is_no_comment(name):
    """Regression: after a name character outside ``\\w``, the guard took the escaped ``\\#``
    for the start of a comment and missed the SERVICE after it."""
    assert uses_service(_query(name))


def test_less_than_read_as_an_iri_does_not_hide_service():
    """Regression: a less-than read as an IRI hid the SERVICE after it."""
    assert uses_service(_query("less_than_read_as_iri"))


def test_an_iri_then_a_less_than_do_not_hide_service_between_readings():
    """Regression: an IRI then a less-than hid SERVICE from every single reading."""
    assert uses_service(_query("iri_then_less_than_with_quote"))


@pytest.mark.parametrize("name", [
    "keyword_glued_to_boolean", "keyword_after_boolean_and_dot", "keyword_glued_to_number",
    "keyword_glued_after_dot", "keyword_glued_after_brace",
])
def test_service_keyword_glued_to_the_token_before_is_caught(name):
    """Regression: the keyword glued to a boolean, a number, a dot or a brace was not seen."""
    assert uses_service(_query(name))


def test_second_dot_group_of_a_local_name_is_code_for_oxigraph():
    """Regression: ``ex:a.b.SERVICE`` was one local name here, code for Oxigraph."""
    assert uses_service(_query("second_dot_group_of_local_name"))


def test_local_name_of_a_prefix_it_cannot_extend_is_read_as_code():
    """Regression: ``ex:SERVICE`` after ``PREFIX ex: <http://[::1]>`` is code for Oxigraph."""
    assert uses_service(_query("local_name_of_a_prefix_that_cannot_take_one"))


def test_codepoint_escaped_service_keyword_is_caught():
    assert uses_service(CODEPOINT_ESCAPED.replace("URL", ANYWHERE))


# --- what must still pass --------------------------------------------------------------------

@pytest.mark.parametrize("query", ONLY_TEXT)
def test_service_only_as_text_is_accepted(query):
    assert not uses_service(query)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.rq")), ids=lambda path: path.stem)
def test_example_queries_are_not_federated(path):
    assert not uses_service(path.read_text(encoding="utf-8"))


def test_plain_service_calls_are_still_caught():
    assert uses_service("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }")
    assert uses_service("SELECT * { SERVICE SILENT ?endpoint { ?s ?p ?o } }")
    assert uses_service("select * {\nservice\n<http://x/sparql>{}}")


def test_blanked_text_keeps_every_position():
    query = "PREFIX a\u00b7b: <http://x/> SELECT * { ?s a\u00b7b:c\\#d 'x' # c\n FILTER(?a<?b) }"
    blanked = strip_literals(query)
    assert len(blanked) == len(query)
    assert [i for i, c in enumerate(blanked) if c == "{"] == [query.index("{")]
    assert not has_dataset_clause(query)


# --- the bypasses are real: Oxigraph calls the listener ----------------------------------------

@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_each_bypass_makes_oxigraph_call_out(listener, name):
    """If this fails, Oxigraph changed; the guard tests above must keep passing anyway."""
    base = f"http://127.0.0.1:{listener.server_address[1]}/"
    before = listener.calls
    list(ox.Store().query(_query(name, base)))
    assert listener.calls > before
