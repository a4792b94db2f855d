"""nesting_depth and check_depth (crossinnov.sparql.text): how deep a query nests, found
before any parser sees it.

Oxigraph's parser recurses once (or more) per nesting level, and about 20 000 nested
parentheses, groups, path parentheses or ``!`` overflow its stack and take the process
down; the endpoint refuses such a query instead (400, naming the depth and the limit). No
test here hands such a query to Oxigraph.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crossinnov.sparql.text import (
    QueryTooDeep,
    check_depth,
    has_dataset_clause,
    nesting_depth,
    strip_literals,
    uses_service,
)

#: about the text of queries, not a store: once per run is enough
pytestmark = pytest.mark.embedded_only(reason="about query text; no store involved")

EXAMPLES = Path(__file__).parents[2] / "crossinnov" / "sparql" / "queries" / "examples"
DEEP = 20_000


@pytest.mark.parametrize("query,depth", [
    ("SELECT * {}", 1),
    ("SELECT * { { } }", 2),
    ("SELECT * { {} {} {} }", 2),
    ("SELECT * { FILTER((1)) }", 3),
    ("ASK { ?s ?p [ ?q ( 1 ( 2 ) ) ] }", 4),
    ("SELECT * { ?s (<p>/(<q>|<r>)) ?o }", 3),
    # prefix operators in a row: each is a level
    ("SELECT * { FILTER(!!!?x) }", 5),
    ("SELECT * { FILTER(- -1 - 2) }", 4),
    ("SELECT * { FILTER(?a != ?b && !?c) }", 3),
    ("SELECT * { ?s !(^<p>) ?o }", 4),
    ("SELECT * { ?s ?p '1'^^<http://www.w3.org/2001/XMLSchema#int> }", 1),
    # quoted triples and triple terms (RDF 1.2, which Oxigraph 0.5 reads)
    ("SELECT * { ?s ?p << ?a ?b << ?c ?d ?e >> >> }", 3),
    ("SELECT * { ?s ?p <<( ?a ?b ?c )>> }", 3),
    # brackets in strings, IRIs, comments and names are text
    ("SELECT * { ?s ?p '(((' . ?s ?p \"\"\"{{{\"\"\" . ?s <http://x/((((> ?o # ((((\n }", 1),
    ("PREFIX ex: <http://x/> SELECT * { ?s ex:a\\(\\(\\( ?o }", 1),
    # "<" that may be less-than: the deeper reading counts
    ("SELECT * { FILTER(?a<(((((>) }", 7),
    ("", 0),
])
def test_depth_of_small_queries_is_exact(query, depth):
    assert nesting_depth(query) == depth


@pytest.mark.parametrize("query,depth", [
    ("SELECT * { FILTER(" + "(" * DEEP + "1" + ")" * DEEP + ") }", DEEP + 2),
    ("SELECT * " + "{" * DEEP + "}" * DEEP, DEEP),
    ("SELECT * { ?s " + "(" * DEEP + "<http://x/p>" + ")" * DEEP + " ?o }", DEEP + 1),
    ("SELECT * { FILTER(" + "!" * DEEP + "true) }", DEEP + 2),
    ("SELECT * { ?s " + "!" * DEEP + "<http://x/p> ?o }", DEEP + 1),
    ("SELECT * { FILTER(" + "!(" * DEEP + "true" + ")" * DEEP + ") }", 2 * DEEP + 2),
    ("SELECT * { ?s ?p " + "[ ?q " * DEEP + "1" + " ]" * DEEP + " }", DEEP + 1),
    ("SELECT * { FILTER(" + "-" * DEEP + "1) }", DEEP + 2),
])
def test_depth_of_deep_queries(query, depth):
    assert nesting_depth(query) == depth


def test_unclosed_brackets_count_and_closed_ones_do_not_add_up():
    assert nesting_depth("SELECT * { " + "(" * 500) == 501
    assert nesting_depth("SELECT * { " + "{ } " * 500 + "}") == 2


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.rq")), ids=lambda path: path.stem)
def test_example_queries_nest_a_little(path):
    assert 1 <= nesting_depth(path.read_text(encoding="utf-8")) <= 8


def test_check_depth_names_the_depth_and_the_limit():
    query = "SELECT * { FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }"
    assert check_depth(query, 302) == 302
    with pytest.raises(QueryTooDeep) as raised:
        check_depth(query, 100)
    assert raised.value.depth == 302 and raised.value.limit == 100
    assert "302" in str(raised.value) and "100" in str(raised.value)
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("unit", ["'", '"', "<", "\\", "#", ":", "(", "{", "!", "'''x", "<(", "a.",
                                  "e:", "?", "_:", "\\u", "(?a<'>", "(?a<#>\n", "(?a<(>"])
def test_pathological_text_is_scanned(unit):
    """A 100 000-character text of any shape: each function returns (linear time; no
    backtracking regex, no recursion)."""
    text = unit * (100_000 // len(unit))
    assert nesting_depth(text) >= 0
    uses_service(text)
    has_dataset_clause(text)
    assert len(strip_literals(text)) == len(strip_literals(text, 1)) == len(text)
