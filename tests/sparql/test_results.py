"""The result writers (crossinnov.sparql.results): every answer they write is read back by an
independent parser (rdflib) to the values the query found, in SPARQL JSON, XML, CSV and TSV
and in the RDF syntaxes; an answer cut at ``max_rows`` or ``max_bytes`` says so (``cut``)
and is still well formed.

Answers are written as a query worker writes them: a pyoxigraph store evaluates the query
(:func:`crossinnov.sparql.evaluate.answer`) and the messages are gathered into an answer
(:func:`crossinnov.sparql.answers.collect_answer`).
"""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.query import Result

from crossinnov.formats import RDF_FORMATS
from crossinnov.sparql.answers import (
    Answer,
    Chunk,
    Done,
    Failed,
    Head,
    QueryRejected,
    QuerySpec,
    collect_answer,
)
from crossinnov.sparql.evaluate import answer
from crossinnov.sparql.results import column_order, write_answer

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = ox.NamedNode(EX + "graph")
#: a label with what each syntax must escape: a comma, quotes, a newline, a tab, markup
AWKWARD = 'Café, "quoted"\nsecond\tline <b>&amp;</b>'
SELECT = (f"PREFIX ex: <{EX}> SELECT ?item ?label ?size ?missing WHERE {{ "
          "?item ex:label ?label . OPTIONAL { ?item ex:size ?size } "
          "OPTIONAL { ?item ex:nothing ?missing } } ORDER BY ?label")
CONSTRUCT = (f"PREFIX ex: <{EX}> CONSTRUCT {{ ?item ex:named ?label }} "
             "WHERE { ?item ex:label ?label }")
SELECT_FORMATS = ["json", "xml", "csv", "tsv"]
GRAPH_FORMATS = ["turtle", "ntriples", "jsonld", "xml"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Four items: an IRI with an awkward French label and a size, a blank node with a
    typed number, and two plain ones; all in one named graph."""
    store = ox.Store()

    def add(s, p, o) -> None:
        store.add(ox.Quad(s, ox.NamedNode(EX + p), o, GRAPH))

    a, b = ox.NamedNode(EX + "a"), ox.BlankNode("b")
    add(a, "label", ox.Literal(AWKWARD, language="fr"))
    add(a, "size", ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")))
    add(b, "label", ox.Literal("blank"))
    add(b, "size", ox.Literal("3.5", datatype=ox.NamedNode(XSD + "decimal")))
    for name in ("c", "d"):
        add(ox.NamedNode(EX + name), "label", ox.Literal(f"item {name}"))
    return store


def ask(store: ox.Store, sparql: str, **spec) -> tuple[Answer, list]:
    """Run a query as a worker does; return the whole answer and the messages it came in."""
    messages: list = []
    answer(store, QuerySpec(sparql, **spec), messages.append)
    return collect_answer(messages), messages


def read_back(data: bytes, fmt: str) -> list[dict[str, rdflib.term.Node]]:
    """The rows of a SPARQL results document, parsed by rdflib (unbound values left out)."""
    result = Result.parse(io.BytesIO(data), format=fmt)
    return [{str(v): row[i] for i, v in enumerate(result.vars) if row[i] is not None}
            for row in result]


@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_select_reads_back_to_the_values_found(store, fmt):
    whole, _ = ask(store, SELECT, select_format=fmt)
    assert (whole.kind, whole.format, whole.cut, whole.rows) == ("solutions", fmt, None, 4)
    data = whole.read()
    assert whole.size == len(data)
    rows = read_back(data, fmt)
    assert len(rows) == 4
    labels = [str(r["label"]) for r in rows]
    assert labels == sorted([AWKWARD, "blank", "item c", "item d"])
    awkward = rows[labels.index(AWKWARD)]
    assert str(awkward["item"]) == EX + "a"
    assert all("missing" not in r for r in rows)  # unbound stays unbound, in every format
    blank = rows[labels.index("blank")]
    if fmt == "csv":  # CSV keeps lexical forms only (SPARQL 1.1 results CSV/TSV, 2)
        assert str(awkward["size"]) == "42" and str(blank["size"]) == "3.5"
        assert str(blank["item"]).startswith("_:")
    else:
        assert isinstance(awkward["item"], rdflib.URIRef)
        assert awkward["label"] == rdflib.Literal(AWKWARD, lang="fr")
        assert awkward["size"] == rdflib.Literal(42)
        assert isinstance(blank["item"], rdflib.BNode)
        assert blank["size"] == rdflib.Literal("3.5", datatype=rdflib.XSD.decimal)
        assert rows[labels.index("item c")]["label"] == rdflib.Literal("item c")


@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_rows_are_cut_at_max_rows_and_the_answer_says_so(store, fmt):
    cut, messages = ask(store, SELECT, select_format=fmt, max_rows=2)
    assert (cut.cut, cut.truncated, cut.rows) == ("rows", True, 2)
    assert isinstance(messages[0], Head) and isinstance(messages[-1], Done)
    assert messages[-1].cut == "rows" and messages[-1].rows == 2
    rows = read_back(cut.read(), fmt)
    assert [str(r["label"]) for r in rows] == sorted([AWKWARD, "blank", "item c", "item d"])[:2]


@pytest.mark.parametrize("fmt", SELECT_FORMATS)
def test_rows_are_cut_before_max_bytes_and_the_answer_stays_well_formed(store, fmt):
    whole, _ = ask(store, SELECT, select_format=fmt)
    full = whole.read()
    limit = len(full) - 1  # the last row cannot fit
    cut, _ = ask(store, SELECT, select_format=fmt, max_bytes=limit)
    data = cut.read()
    assert cut.cut == "bytes" and cut.truncated
    assert len(data) <= limit and cut.size == len(data)
    rows = read_back(data, fmt)
    assert 0 < len(rows) == cut.rows < 4
    assert rows == read_back(full, fmt)[:len(rows)]


def test_an_answer_that_fits_exactly_is_not_cut(store):
    whole, _ = ask(store, SELECT, select_format="json")
    exact, _ = ask(store, SELECT, select_format="json", max_bytes=whole.size, max_rows=4)
    assert exact.cut is None and exact.rows == 4 and exact.read() == whole.read()


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("query,expected", [
    (f"ASK {{ ?s <{EX}size> 42 }}", True),
    (f"ASK {{ ?s <{EX}size> 43 }}", False),
])
def test_ask_reads_back_to_its_boolean(store, fmt, query, expected):
    result, _ = ask(store, query, select_format=fmt)
    assert result.kind == "boolean"
    assert Result.parse(io.BytesIO(result.read()), format=fmt).askAnswer is expected


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_construct_reads_back_to_the_same_graph(store, fmt):
    result, _ = ask(store, CONSTRUCT, graph_format=fmt, prefixes={"ex": EX})
    assert (result.kind, result.format, result.cut) == ("graph", fmt, None)
    parsed = rdflib.Graph().parse(data=result.read(), format=RDF_FORMATS[fmt].rdflib_name)
    expected = rdflib.Graph()
    for quad in store.quads_for_pattern(None, ox.NamedNode(EX + "label"), None, None):
        subject = (rdflib.URIRef(quad.subject.value) if isinstance(quad.subject, ox.NamedNode)
                   else rdflib.BNode())
        label = rdflib.Literal(quad.object.value, lang=quad.object.language)
        expected.add((subject, rdflib.URIRef(EX + "named"), label))
    assert len(parsed) == 4 and isomorphic(parsed, expected)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_construct_is_cut_at_max_rows_and_max_bytes(store, fmt):
    rows, _ = ask(store, CONSTRUCT, graph_format=fmt, max_rows=3)
    parsed = rdflib.Graph().parse(data=rows.read(), format=RDF_FORMATS[fmt].rdflib_name)
    assert rows.cut == "rows" and rows.rows == 3 and len(parsed) == 3
    small, _ = ask(store, CONSTRUCT, graph_format=fmt, max_bytes=4096 + 300)
    data = small.read()
    parsed = rdflib.Graph().parse(data=data, format=RDF_FORMATS[fmt].rdflib_name)
    assert small.cut == "bytes" and len(data) <= 4096 + 300
    assert len(parsed) == small.rows < 4


def test_select_star_columns_are_in_the_querys_order():
    assert column_order(["a", "b", "z"], "SELECT * WHERE { ?z ?a ?b }") == ["z", "a", "b"]
    assert column_order(["a", "z"], "SELECT ?z ?a WHERE { ?a ?p ?z }") == ["a", "z"]
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"), GRAPH))
    csv, _ = ask(store, "SELECT * WHERE { ?zebra ?apple ?mango }", select_format="csv")
    assert csv.read().decode().splitlines()[0] == "zebra,apple,mango"


def test_an_error_while_the_answer_is_written_fails_it():
    """Evaluation is lazy: an error that comes while rows are read fails the answer, which is
    never handed out short."""
    def triples():
        yield ox.Triple(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("o"))
        raise RuntimeError("the engine gave up")

    messages: list = []
    write_answer(triples(), QuerySpec("CONSTRUCT {} WHERE {}"), messages.append)
    assert isinstance(messages[0], Head) and isinstance(messages[-1], Failed)
    assert not any(isinstance(m, Done) for m in messages)
    assert messages[-1].kind == "evaluation" and "the engine gave up" in messages[-1].message
    with pytest.raises(QueryRejected, match="the engine gave up"):
        collect_answer(messages)


def test_a_huge_value_is_sent_in_pieces(store):
    """One value bigger than a chunk is still sent in pieces of at most 1 MB."""
    big = ox.Store()
    big.add(ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"),
                    ox.Literal("x" * 3_000_000), GRAPH))
    messages: list = []
    answer(big, QuerySpec("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }"), messages.append)
    chunks = [m.data for m in messages if isinstance(m, Chunk)]
    assert len(chunks) >= 3 and max(len(c) for c in chunks) <= 1024 * 1024
    (row,) = read_back(b"".join(chunks), "json")
    assert len(str(row["o"])) == 3_000_000
