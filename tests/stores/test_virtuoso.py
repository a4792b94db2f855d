"""What only Virtuoso 7 as the store needs from crossinnov.stores.remote (see
crossinnov.stores.virtuoso): its own graphs private, its JSON mended, answers it cut refused,
big and blank-node writes cut into operations it takes, honest errors of its updates.

Run only in a Virtuoso run (``CROSSINNOV_TEST_STORE=virtuoso``): what every backend does
alike is in ``test_store.py``.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import RUN_BACKEND, VIRTUOSO

from crossinnov.config import Settings
from crossinnov.sparql.answers import QueryRejected, QuerySpec
from crossinnov.stores import open_store
from crossinnov.stores.base import StoreError
from crossinnov.stores.virtuoso import OPERATION_TRIPLES, split_update

pytestmark = pytest.mark.skipif(RUN_BACKEND != VIRTUOSO,
                                reason="a Virtuoso run only (CROSSINNOV_TEST_STORE=virtuoso)")

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"


def quad(s: str, p: str, o, g: str = "g") -> ox.Quad:
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + p), o, ox.NamedNode(EX + g))


def test_virtuosos_own_graphs_are_private(store):
    """Set up as the README says (servers.py), the SPARQL user sees none of them."""
    assert store.virtuoso
    assert len(store) == 0 and store.named_graphs() == [] and list(store.quads()) == []
    assert not store.ask("ASK { ?s ?p ?o }")
    assert not store.ask(f"ASK {{ GRAPH <{VIRTRDF}> {{ ?s ?p ?o }} }}")


def test_a_count_of_nothing_is_zero(store):
    """Regression: with the pragmas that hide graphs per query (define
    input:default-graph-exclude), Virtuoso 7.2.5 counted 1 here."""
    store.add_quads([quad("a", "p", ox.NamedNode(EX + "b"))])
    query = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/g> "
             "{ ?t <http://example.org/p> <http://example.org/nowhere> } }")
    assert store.select(query)[0]["n"].value == "0"


def test_blank_nodes_and_booleans_are_read_as_rdf(store):
    """Virtuoso's JSON writes nodeID://b10000 (refused by the parser) and "1" for true."""
    head, true = ox.BlankNode(), ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
    store.add_quads([quad("s", "list", head),
                     ox.Quad(head, ox.NamedNode(EX + "first"), true, ox.NamedNode(EX + "g"))])
    rows = store.select("SELECT ?b ?v WHERE { ?s <http://example.org/list> ?b . "
                        "?b <http://example.org/first> ?v }")
    assert len(rows) == 1 and isinstance(rows[0]["b"], ox.BlankNode)
    assert rows[0]["v"] == true
    assert store.ask("ASK { FILTER(true) }") and not store.ask("ASK { FILTER(false) }")


def test_literals_keep_their_value(store):
    """Long literals, language tags, and the datatypes crossinnov writes, in their canonical
    form, come back as they went in (Virtuoso canonicalises others: "007" becomes "7")."""
    long = "é" * 100_000 + "\n" + "x" * 50_000
    values = [ox.Literal(long), ox.Literal(long, language="lt"),
              ox.Literal("Labas", language="en-gb"), ox.Literal("x"),
              ox.Literal("7", datatype=ox.NamedNode(XSD + "integer")),
              ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")),
              ox.Literal("2024-05-01", datatype=ox.NamedNode(XSD + "date")),
              ox.Literal("2024-05-01T10:00:00Z", datatype=ox.NamedNode(XSD + "dateTime")),
              ox.Literal("2024", datatype=ox.NamedNode(XSD + "gYear")),
              ox.Literal("2024-05", datatype=ox.NamedNode(XSD + "gYearMonth"))]
    quads = [quad(f"s{i}", "p", v) for i, v in enumerate(values)]
    store.add_quads(quads)
    assert sorted(map(str, store.quads())) == sorted(map(str, quads))


def test_a_write_past_virtuosos_parser_limit_is_cut_into_operations(store):
    """One INSERT DATA of some 5 000 triples makes Virtuoso's parser fail ("memory
    exhausted"): crossinnov cuts it (here a write of 3 graphs, one of 6 000 triples)."""
    quads = [quad(f"s{i}", "p", ox.Literal(str(i)), g=f"g{i % 3 and 1}") for i in range(6_000)]
    quads += [quad(f"b{i}", "p", ox.BlankNode(), g="blank") for i in range(2 * OPERATION_TRIPLES)]
    store.add_quads(quads)
    assert len(store) == len(quads)
    assert sorted(store.named_graphs()) == [EX + "blank", EX + "g0", EX + "g1"]
    assert len({q.object for q in store.quads(EX + "blank")}) == 2 * OPERATION_TRIPLES


def test_blank_nodes_stay_linked_across_a_cut():
    text = ("INSERT DATA { GRAPH <http://example.org/g> {\n"
            + "".join(f"<http://example.org/s{i}> <http://example.org/p> _:b{i % 7} .\n"
                      for i in range(30))
            + "_:b1 <http://example.org/q> _:b2 .\n} }")
    out = split_update(text, size=10)
    parsed = out.split(" ;\n")
    # b1 and b2 are linked: their triples are in one operation, never apart
    assert len(parsed) > 1
    assert sum("_:b1 " in op for op in parsed) == 1 and sum("_:b2 " in op for op in parsed) == 1
    assert all(op.startswith("INSERT {") and op.endswith("WHERE { }") for op in parsed)


def test_a_failing_update_says_what_may_have_been_applied(store):
    store.add_quads([quad("a", "b", ox.Literal("1"))])
    bad = (f"INSERT DATA {{ GRAPH <{EX}g2> {{ <{EX}a> <{EX}b> 2 }} }} ; "
           f"DROP GRAPH <{EX}never-made>")
    with pytest.raises(StoreError, match="may have been applied"):
        store.update(bad)
    with pytest.raises(StoreError, match="changed nothing"):  # refused before it ran
        store.update("INSERT DATA { GRAPH <http://example.org/g> { <a> <b> ")


@pytest.fixture(scope="module")
def capped(virtuoso_pool):
    """A Virtuoso that cuts answers at 50 rows (ResultSetMaxRows = 50), with 60 quads."""
    server = virtuoso_pool.dedicated(max_rows=50)
    store = open_store(Settings(store=server.query_url))
    store.add_quads([quad(f"s{i}", "p", ox.Literal(str(i))) for i in range(60)])
    return store


def test_an_answer_virtuoso_cut_is_an_error_not_a_short_answer(capped):
    with pytest.raises(StoreError, match="ResultSetMaxRows"):
        capped.select("SELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(StoreError, match="ResultSetMaxRows"):
        list(capped.quads())
    with pytest.raises(QueryRejected, match="ResultSetMaxRows"):
        capped.answer(QuerySpec("SELECT * WHERE { ?s ?p ?o }"))
    assert len(capped.select("SELECT * WHERE { ?s ?p ?o } LIMIT 40")) == 40
