"""Named SPARQL queries, one ``.rq`` file each, loaded by name.

Values enter a query in one of two ways, never by pasting user text:

- bound: ``store.select(QUERIES["org_profile"], org=NamedNode(...))`` substitutes
  the variable ``?org`` (pyoxigraph substitutions, SEP-0007);
- serialised by the library: a ``$name`` placeholder in the file is replaced
  by terms that pyoxigraph writes in SPARQL/N-Triples syntax (:func:`values`,
  :func:`term`), for lists of values and for updates, which take no bindings.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

_DIR = Path(__file__).resolve().parent

Term = ox.NamedNode | ox.Literal | ox.BlankNode


class Serialised(str):
    """SPARQL text written by pyoxigraph from RDF terms (safe to place in a query)."""


def term(value: Term) -> Serialised:
    """Return one term written in SPARQL syntax by pyoxigraph (escaped by the library)."""
    if not isinstance(value, ox.NamedNode | ox.Literal | ox.BlankNode):
        raise TypeError(f"expected an RDF term, got {type(value).__name__}")
    return Serialised(str(value))


def number(value: int) -> Serialised:
    """Return a non-negative integer for LIMIT/OFFSET (anything else is refused)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TypeError(f"expected a non-negative int, got {value!r}")
    return Serialised(str(value))


def values(terms: Iterable[Term]) -> Serialised:
    """Return terms separated by spaces, for a ``VALUES ?x { $name }`` block."""
    return Serialised(" ".join(term(t) for t in terms))


def triples_block(triples: Iterable[ox.Triple]) -> Serialised:
    """Return triples as N-Triples (valid inside ``INSERT DATA { GRAPH <g> { ... } }``)."""
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    return Serialised(data.decode("utf-8"))


def quads_block(quads: Iterable[ox.Quad]) -> Serialised:
    """Return quads as ``GRAPH <g> { N-Triples }`` blocks (valid inside ``INSERT DATA { ... }``).

    Quads of the default graph are written outside any ``GRAPH`` block.
    """
    by_graph: dict[ox.NamedNode | ox.BlankNode | ox.DefaultGraph, list[ox.Triple]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name, []).append(quad.triple)
    parts = []
    for graph, triples in by_graph.items():
        block = triples_block(triples)
        parts.append(block if isinstance(graph, ox.DefaultGraph)
                     else f"GRAPH {term(graph)} {{\n{block}}}")
    return Serialised("\n".join(parts))


class QueryLibrary:
    """The ``.rq`` files of this folder, read once."""

    def __init__(self, folder: Path = _DIR) -> None:
        self._texts = {
            p.stem: p.read_text(encoding="utf-8")
            for p in sorted([*folder.glob("*.rq"), *folder.glob("*.ru")])
        }

    def __getitem__(self, name: str) -> str:
        return self._texts[name]

    def names(self) -> list[str]:
        return sorted(self._texts)

    def render(self, name: str, **parts: Serialised) -> str:
        """Return query ``name`` with its ``$placeholders`` filled by library-serialised terms."""
        for key, part in parts.items():
            if not isinstance(part, Serialised):
                raise TypeError(f"{key}: pass terms through term()/values(), not raw text")
        # full-line comments describe the placeholders; drop them so that only the
        # query itself is filled in
        body = "\n".join(line for line in self._texts[name].splitlines()
                         if not line.lstrip().startswith("#"))
        return string.Template(body).substitute(parts)


QUERIES = QueryLibrary()

__all__ = ["QUERIES", "QueryLibrary", "Serialised", "number", "quads_block", "term",
           "triples_block", "values"]
