"""Write query answers in the SPARQL result formats, streamed and capped.

SELECT and ASK answers are written here (JSON, XML, CSV, TSV; see
https://www.w3.org/TR/sparql11-results-json/, https://www.w3.org/TR/rdf-sparql-XMLres/,
https://www.w3.org/TR/sparql11-results-csv-tsv/) so that a row cap can stop a
large answer; graph answers (CONSTRUCT, DESCRIBE) are written by pyoxigraph
from a capped triple iterator. Every writer yields ``bytes`` chunks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from crossinnov.formats import RDF_FORMATS
from crossinnov.sparql.answers import Chunk, Done, Failed, Head, Message, QuerySpec
from crossinnov.sparql.text import star_order

CHUNK = 64 * 1024


#: the largest piece of an answer sent on at once (a huge single value goes in pieces)
PIECE = 1024 * 1024


@dataclass
class Capped:
    """Counts rows and bytes of an answer, and stops it before either limit is passed.

    ``cut`` says which limit stopped it: ``"rows"`` or ``"bytes"`` (None: whole).
    """

    limit: int
    max_bytes: int | None = None
    count: int = 0
    size: int = 0
    cut: str | None = None

    def admit(self, size: int, reserve: int = 0) -> bool:
        """Whether one more item of ``size`` bytes fits (with ``reserve`` bytes still to come
        after the items); counts it if so."""
        if self.count >= self.limit:
            self.cut = "rows"
            return False
        if self.max_bytes is not None and self.size + size + reserve > self.max_bytes:
            self.cut = "bytes"
            return False
        self.count += 1
        self.size += size
        return True


class ChunkWriter:
    """A binary file-like object that passes what is written on in chunks of about 64 KB
    (never more than :data:`PIECE` bytes at once)."""

    def __init__(self, emit: Callable[[bytes], None]) -> None:
        self._emit = emit
        self._buf: list[bytes] = []
        self._size = 0
        #: bytes written so far
        self.total = 0

    def write(self, data: bytes | str) -> int:
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._buf.append(bytes(data))
        self._size += len(data)
        self.total += len(data)
        if self._size >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            data = b"".join(self._buf)
            self._buf, self._size = [], 0
            for start in range(0, len(data), PIECE):
                self._emit(data[start:start + PIECE])


# JSON --------------------------------------------------------------------------------------

def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _json_head(names: list[str]) -> str:
    return '{"head":{"vars":' + json.dumps(names) + '},"results":{"bindings":['


def _json_fragment(term) -> str:
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


def _json_row(keys: list[str], values: list, first: bool) -> str:
    cells = ",".join(key + value for key, value in zip(keys, values, strict=True)
                     if value is not None)
    return ("{" if first else ",{") + cells + "}"


def _json_keys(names: list[str]) -> list[str]:
    return [json.dumps(name, ensure_ascii=False) + ":" for name in names]


# XML ---------------------------------------------------------------------------------------

def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return ("<triple><subject>" + _xml_term(term.subject) + "</subject><predicate>"
                + _xml_term(term.predicate) + "</predicate><object>" + _xml_term(term.object)
                + "</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


_XML_HEAD = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
             "<head>")


def _xml_head(names: list[str]) -> str:
    return (_XML_HEAD + "".join(f"<variable name={quoteattr(n)}/>" for n in names)
            + "</head><results>")


def _xml_keys(names: list[str]) -> list[str]:
    return [f"<binding name={quoteattr(name)}>" for name in names]


def _xml_row(keys: list[str], values: list, first: bool) -> str:
    return ("<result>" + "".join(key + value + "</binding>"
                                 for key, value in zip(keys, values, strict=True)
                                 if value is not None) + "</result>\n")


# CSV and TSV --------------------------------------------------------------------------------

def _csv_cell(term) -> str:
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, ox.NamedNode | ox.Literal):
        text = term.value
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _tsv_cell(term) -> str:
    # TSV cells are RDF terms in Turtle/N-Triples syntax, which pyoxigraph writes
    return str(term).replace("\t", "\\t")


def _csv_head(names: list[str]) -> str:
    return ",".join(names) + "\r\n"


def _csv_row(keys: list[str], values: list, first: bool) -> str:
    return ",".join(value or "" for value in values) + "\r\n"


def _tsv_head(names: list[str]) -> str:
    return "\t".join("?" + n for n in names) + "\n"


def _tsv_row(keys: list[str], values: list, first: bool) -> str:
    return "\t".join(value or "" for value in values) + "\n"


# entry points -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Syntax:
    """How one result format writes a SELECT answer."""

    head: Callable[[list[str]], str]  # the text before the rows
    keys: Callable[[list[str]], list[str]]  # per variable, what a row writes before a value
    term: Callable[[object], str]  # one bound value
    row: Callable[[list[str], list, bool], str]  # one row, from the keys and written values
    tail: str  # the text after the rows


_SELECT_WRITERS = {
    "json": _Syntax(_json_head, _json_keys, _json_fragment, _json_row, "]}}"),
    "xml": _Syntax(_xml_head, _xml_keys, _xml_term, _xml_row, "</results></sparql>\n"),
    "csv": _Syntax(_csv_head, list, _csv_cell, _csv_row, ""),
    "tsv": _Syntax(_tsv_head, list, _tsv_cell, _tsv_row, ""),
}
#: written values remembered per answer (the same IRIs and labels come back row after row)
TERM_MEMO = 50_000


def column_order(names: list[str], query: str) -> list[str]:
    """The answer's variables in the order the query shows them (``SELECT *``: as they first
    appear in it; anything else: as the projection lists them, which is the engine's order)."""
    order = star_order(query)
    if not order:
        return names
    rank = {name: i for i, name in enumerate(order)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), names.index(n)))


def write_solutions(result: ox.QuerySolutions, fmt: str, cap: Capped, out: ChunkWriter,
                    query: str = "") -> None:
    """Write a SELECT answer as ``fmt`` (json, xml, csv or tsv), within ``cap``'s limits.

    Each row is written whole or not at all, so a cut answer is still well formed.
    """
    variables = [v.value for v in result.variables]
    names = column_order(variables, query)
    order = [variables.index(name) for name in names]
    syntax = _SELECT_WRITERS[fmt]
    keys = syntax.keys(names)
    start, end = syntax.head(names).encode("utf-8"), syntax.tail.encode("utf-8")
    out.write(start)
    cap.size += len(start)
    written: dict = {}  # value -> its text in this syntax
    for solution in result:
        values = tuple(solution)
        cells = []
        for i in order:
            value = values[i]
            if value is not None:
                text = written.get(value)
                if text is None:
                    text = syntax.term(value)
                    if len(written) < TERM_MEMO:
                        written[value] = text
                value = text
            cells.append(value)
        data = syntax.row(keys, cells, cap.count == 0).encode("utf-8")
        if not cap.admit(len(data), len(end)):
            break
        out.write(data)
    out.write(end)
    out.flush()


def write_boolean(value: bool, fmt: str, out: ChunkWriter) -> None:
    """Write an ASK answer as ``fmt``."""
    word = "true" if value else "false"
    text = {
        "json": '{"head":{},"boolean":' + word + "}",
        "xml": _XML_HEAD + "</head><boolean>" + word + "</boolean></sparql>\n",
        "csv": "_askResult\r\n" + word + "\r\n",
        "tsv": "?_askResult\n" + word + "\n",
    }[fmt]
    out.write(text)
    out.flush()


def _term_size(term) -> int:
    if isinstance(term, ox.Triple):
        return _term_size(term.subject) + _term_size(term.predicate) + _term_size(term.object)
    if isinstance(term, ox.Literal):
        return len(term.value) + len(term.language or term.datatype.value) + 6
    return len(term.value) + 3


#: how many bytes a syntax writes per byte of a triple's terms, at most (escapes, keys)
SIZE_FACTOR = {ox.RdfFormat.JSON_LD: 2.5, ox.RdfFormat.RDF_XML: 2.5}
#: bytes a graph answer may need besides its triples: prefixes, the opening and the end
GRAPH_RESERVE = 4096


def write_triples(triples: Iterable[ox.Triple], fmt: ox.RdfFormat, cap: Capped, out: ChunkWriter,
                  prefixes: dict[str, str] | None = None) -> None:
    """Write a graph answer in an RDF syntax, within ``cap``'s limits.

    pyoxigraph writes as it reads the (capped) iterator, so memory stays flat. The
    serializer's output is not seen triple by triple, so each triple is counted
    by an upper bound of what the syntax writes for it (its terms' lengths, times
    :data:`SIZE_FACTOR`), and the answer stops before that bound passes the limit.
    """
    factor = SIZE_FACTOR.get(fmt, 1.25)

    def admitted() -> Iterator[ox.Triple]:
        for triple in triples:
            if not cap.admit(int((_term_size(triple) + 8) * factor), GRAPH_RESERVE):
                return
            yield triple

    kwargs = {"prefixes": prefixes} if prefixes and fmt in (ox.RdfFormat.TURTLE,
                                                             ox.RdfFormat.TRIG) else {}
    ox.serialize(admitted(), out, fmt, **kwargs)
    out.flush()


def write_answer(result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple],
                 spec: QuerySpec, emit: Callable[[Message], None]) -> None:
    """Write a query's result as ``spec`` asks, cut at ``spec.max_rows`` and ``spec.max_bytes``.

    Emits a :class:`Head`, :class:`Chunk` values and a :class:`Done`, or a
    :class:`Failed` when reading the result fails.
    """
    out = ChunkWriter(lambda data: emit(Chunk(data)))
    cap = Capped(spec.max_rows, spec.max_bytes)
    try:
        if isinstance(result, ox.QueryBoolean):
            emit(Head("boolean", spec.select_format))
            write_boolean(bool(result), spec.select_format, out)
        elif isinstance(result, ox.QuerySolutions):
            emit(Head("solutions", spec.select_format))
            write_solutions(result, spec.select_format, cap, out, spec.sparql)
        else:
            emit(Head("graph", spec.graph_format))
            write_triples(result, RDF_FORMATS[spec.graph_format].oxformat, cap, out, spec.prefixes)
    except Exception as exc:  # evaluation is lazy: its errors come while the answer is written
        emit(Failed("evaluation", f"{type(exc).__name__}: {exc}"))
        return
    emit(Done(cap.count, cap.cut, out.total))
