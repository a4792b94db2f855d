"""What :class:`~crossinnov.stores.remote.RemoteStore` does differently for Virtuoso 7.

Found against Virtuoso open source 7.2.5 (Debian's ``virtuoso-opensource``), each
handled here or in ``remote.py``:

- its own graphs (the quad-map schema ``virtrdf#``, an LDP vocabulary, the endpoint's
  service description) are in the quad store, so a query without ``FROM`` would see
  them: the server is set up to keep them private (:func:`private_graphs_sql`, the
  README). Not with ``define input:default-graph-exclude`` or ``named-graph-exclude`` on
  every query: with either, 7.2.5 answers ``COUNT(*)`` of a ``GRAPH <g> { … }`` that
  matches nothing with 1;
- its JSON results write a blank node as ``nodeID://b10000`` (which pyoxigraph refuses)
  and ``true`` as ``"1"``: :func:`fix_json_results` mends both;
- it cuts a SELECT answer at ``ResultSetMaxRows`` (virtuoso.ini, 10 000 by default) and
  says so only in the ``X-SPARQL-MaxRows`` header; a query past
  ``MaxQueryExecutionTime`` gives a partial answer with ``X-SQL-State``: both are
  errors here (:func:`cut_answer`), never a short answer. CONSTRUCT answers and Graph
  Store reads are cut silently, so whole-graph reads go through SELECT;
- its SPARQL parser fails ("memory exhausted") on an ``INSERT DATA`` of some 5 000
  triples, and refuses blank nodes in ``INSERT DATA``: :func:`split_update` cuts such
  blocks into operations of at most :data:`OPERATION_TRIPLES` quads, those with blank
  nodes into ``INSERT { … } WHERE { }`` (each blank node's triples in one operation, one
  graph per operation: a template of two GRAPH blocks fails there);
- it adds a request's ``default-graph-uri`` to the query's ``FROM`` instead of replacing
  it, takes every graph where a dataset has no default or no named graph, and describes
  a resource by the triples pointing at it: :func:`adapt_query`;
- it commits each operation of an update request on its own: a request that fails
  part-way keeps the operations before the failing one (not fixable over HTTP).

Elsewhere: computed booleans come back as ``xsd:integer`` (read with
:func:`crossinnov.stores.base.truth`), and ``xsd:dateTime`` fractions as 3 or 6 digits
(:func:`crossinnov.writes.changes.datetime_literal` writes a form it keeps).
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from crossinnov.sparql.queries import quads_block
from crossinnov.sparql.text import tokens

#: the graph group whose graphs are private (Virtuoso's own name for it)
PRIVATE_GRAPHS = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: most quads in one INSERT DATA / DELETE DATA operation sent to Virtuoso
OPERATION_TRIPLES = 1000
#: headers by which Virtuoso says an answer is not whole
CUT_HEADERS = ("X-SPARQL-MaxRows", "X-SQL-State")


def private_graphs_sql(graphs: list[str]) -> str:
    """SQL (for ``isql-vt``, as dba) that makes ``graphs`` (Virtuoso's own, listed on a new
    database) private: the SPARQL user neither sees nor writes them, and may read and write
    every other graph."""
    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    return " ".join([f"DB.DBA.RDF_GRAPH_GROUP_CREATE({quoted(PRIVATE_GRAPHS)}, 1);",
                     *(f"DB.DBA.RDF_GRAPH_GROUP_INS({quoted(PRIVATE_GRAPHS)}, {quoted(g)});"
                       for g in graphs),
                     "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 7);",
                     "DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0, 1);"])


#: a graph that is never written: naming it makes a set of graphs empty for Virtuoso
NO_GRAPH = "urn:x-crossinnov:no-graph"


def adapt_query(sparql: str, default_graph: list[str] | None, named_graphs: list[str] | None
                ) -> tuple[str, list[str] | None, list[str] | None]:
    """The query and protocol dataset to send Virtuoso for SPARQL 1.1's meaning of them.

    - a request's dataset replaces the query's (Virtuoso would add the two), and an empty
      part of it (no default graph, no named graphs) is empty (Virtuoso would take every
      graph): :data:`NO_GRAPH` stands for none;
    - a query with ``FROM`` and no ``FROM NAMED`` has no named graphs (and one with only
      ``FROM NAMED`` an empty default graph): the missing clause names :data:`NO_GRAPH`;
    - ``DESCRIBE`` is the resource's concise bounded description, as Oxigraph's (Virtuoso's
      own describe mode gave only the triples pointing at it).
    """
    if default_graph is not None or named_graphs is not None:
        sparql = without_dataset_clause(sparql)
        default_graph = default_graph or [NO_GRAPH]
        named_graphs = named_graphs or [NO_GRAPH]
    else:
        sparql = _complete_dataset(sparql)
    code = [t for t in tokens(sparql) if t[0] not in ("space", "comment")]
    words = [sparql[start:end].upper() for kind, start, end in code if kind == "word"]
    if "DESCRIBE" in words:
        sparql = f'define sql:describe-mode "CBD" {sparql}'
    return sparql, default_graph, named_graphs


def _complete_dataset(sparql: str) -> str:
    code = [t for t in tokens(sparql) if t[0] not in ("space", "comment")]
    default = named = False
    last = None
    for i, (kind, start, end) in enumerate(code):
        if kind == "word" and sparql[start:end].upper() == "FROM":
            is_named = (i + 1 < len(code)
                        and sparql[code[i + 1][1]:code[i + 1][2]].upper() == "NAMED")
            named, default = named or is_named, default or not is_named
            target = code[i + 2] if is_named else code[i + 1] if i + 1 < len(code) else None
            if target is not None and target[0] in ("iri", "pname"):
                last = target[2]
    if last is None or (default and named):
        return sparql
    missing = f" FROM NAMED <{NO_GRAPH}>" if default else f" FROM <{NO_GRAPH}>"
    return sparql[:last] + missing + sparql[last:]


def without_dataset_clause(sparql: str) -> str:
    """Return the query with its ``FROM`` and ``FROM NAMED`` clauses blanked (positions kept):
    Virtuoso adds a protocol's ``default-graph-uri`` to the query's ``FROM`` where the
    SPARQL 1.1 Protocol (2.1.4) has it replace them."""
    code = [t for t in tokens(sparql) if t[0] not in ("space", "comment")]
    out = list(sparql)
    i = 0
    while i < len(code):
        kind, start, end = code[i]
        if kind == "word" and sparql[start:end].upper() == "FROM":
            last = i + 1
            if last < len(code) and sparql[code[last][1]:code[last][2]].upper() == "NAMED":
                last += 1
            if last < len(code) and code[last][0] in ("iri", "pname"):
                out[start:code[last][2]] = " " * (code[last][2] - start)
                i = last
        i += 1
    return "".join(out)


_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_BOOLEAN = re.compile(rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,'
                      rb'\s*"value"\s*:\s*")([01])"')


def fix_json_results(data: bytes) -> bytes:
    """Mend Virtuoso's SPARQL JSON results: blank node ids without ``nodeID://``, booleans
    as ``true``/``false`` rather than ``1``/``0``."""
    data = _BNODE.sub(rb"\1", data)
    return _BOOLEAN.sub(lambda m: m.group(1) + (b'true"' if m.group(2) == b"1" else b'false"'),
                        data)


def cut_answer(headers) -> str | None:
    """Say why an answer is not whole, from Virtuoso's headers; None when it is whole."""
    for name in CUT_HEADERS:
        value = headers.get(name)
        if value is not None:
            if name == "X-SPARQL-MaxRows":
                return (f"Virtuoso cut the answer at {value} rows (ResultSetMaxRows in "
                        "virtuoso.ini): raise it")
            message = headers.get("X-SQL-Message") or ""
            return f"Virtuoso gave a partial answer ({value}: {message})".strip()
    return None


# --- update requests ---------------------------------------------------------------------------

_TOKEN = re.compile(r'''
    (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<comment>\#[^\n]*)
  | (?P<data>\b(?P<verb>INSERT|DELETE)\s+DATA\b)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<space>\s+)
  | (?P<other>[^\s"'<#{}]+|\S)
''', re.X | re.I | re.S)


def _data_blocks(sparql: str):
    """Yield (verb, start, end, content start, content end) of each INSERT/DELETE DATA."""
    tokens = _TOKEN.finditer(sparql)
    for token in tokens:
        if token.group("data") is None:
            continue
        verb, start = token.group("verb").upper(), token.start()
        opening = next((t for t in tokens if t.lastgroup not in ("space", "comment")), None)
        if opening is None or opening.group("open") is None:
            return
        depth = 1
        for inner in tokens:
            if inner.group("open") is not None:
                depth += 1
            elif inner.group("close") is not None:
                depth -= 1
                if depth == 0:
                    yield verb, start, inner.end(), opening.end(), inner.start()
                    break
        else:
            return


def _components(quads: list[ox.Quad]) -> list[list[ox.Quad]]:
    """Group quads with blank nodes so that each blank node's quads are in one group."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for q in quads:
        nodes = [t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
    groups: dict = {}
    for q in quads:
        node = q.subject if isinstance(q.subject, ox.BlankNode) else q.object
        groups.setdefault((q.graph_name, find(node)), []).append(q)
    return list(groups.values())


def _packed(groups: list[list[ox.Quad]], size: int) -> list[list[ox.Quad]]:
    out: list[list[ox.Quad]] = []
    for group in groups:
        if out and len(out[-1]) + len(group) <= size:
            out[-1].extend(group)
        else:
            out.append(list(group))
    return out


def _operations(verb: str, quads: list[ox.Quad], size: int) -> list[str]:
    plain = [q for q in quads
             if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)]
    blank = [q for q in quads
             if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)]
    ops = [f"{verb} DATA {{\n{quads_block(plain[i:i + size])}\n}}"
           for i in range(0, len(plain), size)]
    # one graph per operation: Virtuoso 7.2.5 fails on a template of constants with two
    # GRAPH blocks ("string_output_string needs a string output")
    by_graph: dict = {}
    for group in _components(blank):
        by_graph.setdefault(group[0].graph_name, []).append(group)
    ops += [f"INSERT {{\n{quads_block(packed)}\n}} WHERE {{ }}"
            for groups in by_graph.values() for packed in _packed(groups, size)]
    return ops


def split_update(sparql: str, size: int = OPERATION_TRIPLES) -> str:
    """Return the update request with every INSERT DATA / DELETE DATA that Virtuoso cannot
    take (over ``size`` quads, or blank nodes in INSERT DATA) cut into operations it takes.

    Blocks that are not plain N-Triples/TriG (prefixed names, say) are left as they are.
    """
    if "DATA" not in sparql.upper():
        return sparql
    pieces, done = [], 0
    for verb, start, end, inner_start, inner_end in _data_blocks(sparql):
        content = sparql[inner_start:inner_end]
        if content.count("\n") <= size and "_:" not in content:
            continue  # small, and no blank node label: Virtuoso takes it as it is
        try:
            quads = list(ox.parse(content.encode("utf-8"), format=ox.RdfFormat.TRIG))
        except SyntaxError:
            continue
        has_blank = any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
                        for q in quads)
        if len(quads) <= size and not (has_blank and verb == "INSERT"):
            continue
        if verb == "DELETE" and has_blank:
            continue  # not SPARQL; the server says so
        pieces += [sparql[done:start], " ;\n".join(_operations(verb, quads, size))]
        done = end
    if not pieces:
        return sparql
    pieces.append(sparql[done:])
    return "".join(pieces)
