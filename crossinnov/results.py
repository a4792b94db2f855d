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

from crossinnov.workers import Answer, QueryRejected, QuerySpec

RESULT_MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
CHUNK = 64 * 1024


@dataclass
class Capped:
    """Counts what passes through and stops after ``limit`` items."""

    limit: int
    count: int = 0
    truncated: bool = False

    def wrap(self, items: Iterable) -> Iterator:
        for item in items:
            if self.count >= self.limit:
                self.truncated = True
                return
            self.count += 1
            yield item


class ChunkWriter:
    """A binary file-like object that passes what is written on in chunks of about 64 KB."""

    def __init__(self, emit: Callable[[bytes], None]) -> None:
        self._emit = emit
        self._buf: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | str) -> int:
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._buf.append(bytes(data))
        self._size += len(data)
        if self._size >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            self._emit(b"".join(self._buf))
            self._buf, self._size = [], 0


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


def _json_select(names: list[str], rows: Iterable) -> Iterator[str]:
    yield '{"head":{"vars":' + json.dumps(names) + '},"results":{"bindings":['
    first = True
    for solution in rows:
        binding = {}
        for name in names:
            value = solution[name]
            if value is not None:
                binding[name] = _json_term(value)
        yield ("" if first else ",") + json.dumps(binding, ensure_ascii=False)
        first = False
    yield "]}}"


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


def _xml_select(names: list[str], rows: Iterable) -> Iterator[str]:
    yield _XML_HEAD + "".join(f"<variable name={quoteattr(n)}/>" for n in names)
    yield "</head><results>"
    for solution in rows:
        cells = []
        for name in names:
            value = solution[name]
            if value is not None:
                cells.append(f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>")
        yield "<result>" + "".join(cells) + "</result>\n"
    yield "</results></sparql>\n"


# CSV and TSV --------------------------------------------------------------------------------

def _csv_cell(term) -> str:
    if term is None:
        return ""
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
    return "" if term is None else str(term).replace("\t", "\\t")


def _csv_select(names: list[str], rows: Iterable) -> Iterator[str]:
    yield ",".join(names) + "\r\n"
    for solution in rows:
        yield ",".join(_csv_cell(solution[n]) for n in names) + "\r\n"


def _tsv_select(names: list[str], rows: Iterable) -> Iterator[str]:
    yield "\t".join("?" + n for n in names) + "\n"
    for solution in rows:
        yield "\t".join(_tsv_cell(solution[n]) for n in names) + "\n"


# entry points -----------------------------------------------------------------------------

_SELECT_WRITERS = {"json": _json_select, "xml": _xml_select, "csv": _csv_select,
                   "tsv": _tsv_select}


def write_solutions(result: ox.QuerySolutions, fmt: str, cap: Capped, out: ChunkWriter) -> None:
    """Write a SELECT answer as ``fmt`` (json, xml, csv or tsv), at most ``cap.limit`` rows."""
    names = [v.value for v in result.variables]
    for part in _SELECT_WRITERS[fmt](names, cap.wrap(result)):
        out.write(part)
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


def write_triples(triples: Iterable[ox.Triple], fmt: ox.RdfFormat, cap: Capped, out: ChunkWriter,
                  prefixes: dict[str, str] | None = None) -> None:
    """Write a graph answer in an RDF syntax, at most ``cap.limit`` triples.

    pyoxigraph writes as it reads the (capped) iterator, so memory stays flat.
    """
    kwargs = {"prefixes": prefixes} if prefixes and fmt in (ox.RdfFormat.TURTLE,
                                                             ox.RdfFormat.TRIG) else {}
    ox.serialize(cap.wrap(triples), out, fmt, **kwargs)
    out.flush()


def write_answer(result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple],
                 spec: QuerySpec, emit: Callable[[tuple], None]) -> None:
    """Write a query's result as ``spec`` asks, capped at ``spec.max_rows``.

    Emits ``("head", kind, format)``, ``("chunk", bytes)``..., ``("done", meta)``,
    or ``("error", "evaluation", message)`` when reading the result fails.
    """
    from crossinnov.rdfio import FORMATS

    out = ChunkWriter(lambda data: emit(("chunk", data)))
    cap = Capped(spec.max_rows)
    try:
        if isinstance(result, ox.QueryBoolean):
            emit(("head", "boolean", spec.select_format))
            write_boolean(bool(result), spec.select_format, out)
        elif isinstance(result, ox.QuerySolutions):
            emit(("head", "solutions", spec.select_format))
            write_solutions(result, spec.select_format, cap, out)
        else:
            emit(("head", "graph", spec.graph_format))
            write_triples(result, FORMATS[spec.graph_format].oxformat, cap, out, spec.prefixes)
    except Exception as exc:  # evaluation is lazy: its errors come while the answer is written
        emit(("error", "evaluation", f"{type(exc).__name__}: {exc}"))
        return
    emit(("done", {"rows": cap.count, "truncated": cap.truncated}))


def collect_answer(messages: list[tuple]) -> Answer:
    """Return the whole answer that :func:`write_answer` emitted, or raise its error."""
    for message in (messages[0], messages[-1]):
        if message[0] == "error":
            raise QueryRejected(message[1], message[2])
    _, kind, fmt = messages[0]
    meta = messages[-1][1]
    chunks = [m[1] for m in messages if m[0] == "chunk"]
    return Answer(kind, fmt, iter(chunks), True, meta["rows"], meta["truncated"])
