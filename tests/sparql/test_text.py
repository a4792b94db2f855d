"""The SPARQL text scanner (crossinnov.sparql.text): what a query's text says, found before it
runs: a dataset clause, SERVICE, an update, its form, the order of ``SELECT *``'s columns,
and where bound values go for a remote server.

The SERVICE guard and the nesting depth, against hostile text, are in ``security/``.
"""

from __future__ import annotations

import pytest

from crossinnov.sparql.text import (
    has_dataset_clause,
    inject_values,
    looks_like_update,
    query_form,
    star_order,
    strip_literals,
    uses_service,
)


@pytest.mark.parametrize("query,expected", [
    ("SELECT * FROM <http://ex/g> WHERE { ?s ?p ?o }", True),
    ("select * from named <http://ex/g> where { graph ?g { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s ?p 'FROM here' }", False),
    ("SELECT * WHERE { ?s <http://ex/FROM> ?from }", False),
    ("PREFIX from: <http://ex/> SELECT * WHERE { ?s from:x ?o }", False),
    ("# FROM <x>\nSELECT * WHERE { ?s ?p ?o }", False),
    ('SELECT * WHERE { ?s ?p """\nFROM <x>\n""" }', False),
])
def test_dataset_clause_detection(query, expected):
    assert has_dataset_clause(query) is expected


def test_service_update_and_form_detection():
    assert uses_service("SELECT * { SERVICE <http://ex/sparql> { ?s ?p ?o } }")
    assert not uses_service("SELECT * { ?s ?p 'SERVICE' }")
    assert looks_like_update("DROP ALL")
    assert looks_like_update("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:b 1 }")
    assert not looks_like_update("SELECT * WHERE { ?s ?p 'delete me' . ?s ex:insert ?o }")
    assert query_form("PREFIX select: <http://ex/> CONSTRUCT { ?s ?p ?o } WHERE { "
                      "{ SELECT ?s WHERE { ?s ?p ?o } } }") == "CONSTRUCT"
    assert query_form("ask {}") == "ASK"


@pytest.mark.parametrize("query,expected", [
    ("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
     "SELECT ?s ?p ?o WHERE { VALUES (?g) { (<http://x/>) }  GRAPH ?g { ?s ?p ?o } }"),
    ('PREFIX a: <http://{x}/> CONSTRUCT { ?g ?p "{" } WHERE { ?g ?p "}" }',
     'PREFIX a: <http://{x}/> CONSTRUCT { ?g ?p "{" } WHERE { VALUES (?g) { (<http://x/>) }  '
     '?g ?p "}" }'),
    ("# a { comment\nASK { ?g a ?t }",
     "# a { comment\nASK { VALUES (?g) { (<http://x/>) }  ?g a ?t }"),
])
def test_bound_values_open_the_where_group(query, expected):
    """Regression: positions were taken in a text whose tokens had shrunk to one space each,
    so the VALUES block landed inside a word (``WHER VALUES ... E``)."""
    assert inject_values(query, {"g": "<http://x/>"}) == expected


@pytest.mark.parametrize("query,expected", [
    ("SELECT * WHERE { ?s ?p ?o }", ["s", "p", "o"]),
    ("select distinct * where { ?zebra ?p ?apple . ?apple ?q ?zebra }",
     ["zebra", "p", "apple", "q"]),
    ("PREFIX ex: <http://ex/> BASE <http://b/> SELECT * { ?b ex:p $a }", ["b", "a"]),
    # variables in strings, IRIs and comments are not variables
    ("SELECT * WHERE { ?o ?p '?hidden' # ?comment\n ?s <http://ex/?x> ?o }", ["o", "p", "s"]),
    ("SELECT ?b ?a WHERE { ?a ?p ?b }", None),
    ("ASK { ?s ?p ?o }", None),
    ("CONSTRUCT { ?s ?p ?o } WHERE { SELECT * { ?s ?p ?o } }", None),
])
def test_star_order_is_the_order_variables_first_appear(query, expected):
    assert star_order(query) == expected


def test_strip_literals_keeps_every_position():
    query = 'SELECT ?s WHERE { ?s <http://ex/p> "a { b" . # } comment\n ex:x ?p ?o }'
    stripped = strip_literals(query)
    assert len(stripped) == len(query)
    assert "{ b" not in stripped and "comment" not in stripped and "http" not in stripped
    assert stripped.index("WHERE") == query.index("WHERE")
    # only the two braces of the group are left, where they were
    assert [i for i, c in enumerate(stripped) if c in "{}"] == [
        query.index("{"), len(query) - 1]


def test_inject_values_without_bindings_leaves_the_query_alone():
    query = "SELECT * WHERE { ?s ?p ?o }"
    assert inject_values(query, {}) is query
    with pytest.raises(ValueError, match="no group pattern"):
        inject_values("DESCRIBE <http://ex/a>", {"s": "<http://ex/a>"})
