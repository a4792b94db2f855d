"""Read files (profile JSON, CSV of profiles, RDF in any of six syntaxes) into units.

Every reader returns ``(units, errors)``: a file that cannot be read at all
raises :class:`IngestError` (the CLI exits 2); a profile that is readable but
wrong becomes an error entry naming its row or id and field, and does not stop
the others.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from crossinnov.formats import RdfFormatSpec, format_for_path
from crossinnov.ingest import FieldError, IngestError, Unit
from crossinnov.ingest.profile import FIELDS, ProfileError, profile_to_unit
from crossinnov.iris import ANALYSIS_PREDICATES, IRIs
from crossinnov.namespaces import CI

LIST_FIELDS = [name for name, (_, _, is_list) in FIELDS.items() if is_list]
#: kinds of predicate that quads_to_units routes apart
ANALYSIS, UNCONFIRMED, COLLABORATES = 1, 2, 3


@dataclass
class Rejected:
    """A unit (or would-be unit) that was not accepted, with why."""

    label: str
    errors: list[FieldError]

    def as_text(self) -> str:
        return f"{self.label}: " + "; ".join(f"{e.field}: {e.message}"
                                             + (f" (value: {e.value!r})" if e.value not in
                                                (None, "") else "")
                                             for e in self.errors)


@dataclass
class Placement:
    """Whether a file's quads are all kept where the file puts them (filled by
    :func:`quads_to_units`): then a dataset loaded from the file as it is holds exactly
    the units' triples, once the ``dropped`` graphs (the store's own bookkeeping in a
    dump, left out whole) are taken away."""

    in_place: bool = True
    dropped: set[ox.NamedNode] = field(default_factory=set)


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise IngestError(f"{path}: not a readable gzip file: {exc}") from exc
    return data


def read_path(path: Path, iris: IRIs,
              placement: Placement | None = None) -> tuple[list[Unit], list[Rejected]]:
    """Read one file into units, choosing the reader by its extension.

    ``placement``: told whether the file's quads stay in their graphs (RDF files only;
    anything else is not in place)."""
    name = path.name.lower().removesuffix(".gz")
    if placement is not None and (name.endswith((".json", ".csv"))):
        placement.in_place = False
    if name.endswith(".json"):
        return read_json(read_bytes(path), iris, source=path.name)
    if name.endswith(".csv"):
        return read_profiles_csv(read_bytes(path), iris, source=path.name)
    fmt = format_for_path(name)
    if fmt is None:
        raise IngestError(f"{path}: unknown file type; use .json, .csv, .ttl, .nt, .nq, .trig, "
                          ".jsonld or .rdf (optionally .gz)")
    return read_rdf(read_bytes(path), fmt, iris, source=path.name, placement=placement), []


def read_json(data: bytes, iris: IRIs, *, source: str) -> tuple[list[Unit], list[Rejected]]:
    """Read a profile, a list of profiles, or (with ``@context``) JSON-LD."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise IngestError(f"{source}: not UTF-8 text: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise IngestError(f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                          f"{exc.msg}") from exc
    if isinstance(doc, dict) and ("@context" in doc or "@graph" in doc):
        from crossinnov.formats import RDF_FORMATS

        return read_rdf(data, RDF_FORMATS["jsonld"], iris, source=source), []
    items = doc if isinstance(doc, list) else [doc]
    labelled = [((f"{source} item {i}" if isinstance(doc, list) else source), item)
                for i, item in enumerate(items, start=1)]
    return profiles_to_units(labelled, iris)


def profiles_to_units(
    labelled: Iterable[tuple[str, Any]], iris: IRIs
) -> tuple[list[Unit], list[Rejected]]:
    """Convert labelled profiles into units, collecting the rejected ones."""
    units, rejected = [], []
    for label, item in labelled:
        try:
            unit = profile_to_unit(item, iris, label=label)
        except ProfileError as exc:
            ident = (item.get("id") or item.get("name")) if isinstance(item, dict) else None
            rejected.append(Rejected(f"{label} ({ident})" if ident else label, exc.errors))
            continue
        units.append(unit)
    return units, rejected


def read_profiles_csv(data: bytes, iris: IRIs, *, source: str) -> tuple[list[Unit], list[Rejected]]:
    """Read a CSV of profiles: one per row, the JSON field names as columns.

    List fields (sectors, themes, ...) hold ids separated by ``;``; ``founded`` a year.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{source}: not UTF-8 text: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    known = set(FIELDS) | {"id"}
    if not reader.fieldnames or "name" not in reader.fieldnames:
        raise IngestError(f"{source}: line 1: a CSV of profiles needs a header with at least "
                          f"'name' (columns: {', '.join(sorted(known))})")
    unknown = [c for c in reader.fieldnames if c not in known]
    if unknown:
        raise IngestError(f"{source}: line 1: unknown column(s) {', '.join(unknown)}")
    rows = []
    for row in reader:
        item: dict[str, Any] = {}
        for key, value in row.items():
            if key is None:
                raise IngestError(f"{source}: line {reader.line_num}: more cells than columns")
            value = (value or "").strip()
            if not value:
                continue
            if key in LIST_FIELDS:
                item[key] = [v.strip() for v in value.split(";") if v.strip()]
            elif key == "founded":
                item[key] = int(value) if value.isascii() and value.isdigit() else value
            else:
                item[key] = value
        rows.append((f"{source} line {reader.line_num}", item))
    return profiles_to_units(rows, iris)


def parse_rdf(data: bytes, fmt: RdfFormatSpec, *, source: str) -> list[ox.Quad]:
    """Parse RDF with pyoxigraph; a syntax error becomes an IngestError with its position."""
    try:
        return list(ox.parse(data, format=fmt.oxformat))
    except SyntaxError as exc:
        raise IngestError(f"{source}: invalid {fmt.name}: {exc}") from exc
    except (ValueError, OSError) as exc:
        raise IngestError(f"{source}: cannot read {fmt.name}: {exc}") from exc


def read_rdf(data: bytes, fmt: RdfFormatSpec, iris: IRIs, *, source: str,
             placement: Placement | None = None) -> list[Unit]:
    """Read RDF into units, one per named graph (see :func:`quads_to_units`)."""
    return quads_to_units(parse_rdf(data, fmt, source=source), iris, source=source,
                          placement=placement)


def quads_to_units(quads: list[ox.Quad], iris: IRIs, *, source: str,
                   placement: Placement | None = None) -> list[Unit]:
    """Group quads into the units of the graphs they belong in.

    Every triple goes to the graph of its subject (:meth:`IRIs.graph_for`) and
    blank nodes to the graph of the resource that points at them, whatever graph
    a file puts them in: so each triple is kept in exactly one graph and the
    union default graph stays a set, whatever is loaded. The store's own
    bookkeeping in a dump (changelog, inverse collaborations) is skipped: the
    store keeps its own history and recomputes the inverses. Triples about
    anything that is not a crossinnov resource are rejected, by subject.

    A dump in a triple syntax (Turtle, N-Triples, RDF/XML) holds the union graph,
    where the inverse of a one-sided collaboration cannot be told from a stated
    one but by its mark: ``X ci:collaborationUnconfirmedBy Y`` says that
    ``Y ci:collaboratesWith X`` is inferred. Both are left out, so that Y is not
    made to state what only X said. Likewise the ties derived from good practices
    (``ci:DerivedTie``, which the store recomputes from the practices): their
    organisations' ``ci:collaboratesWith`` links are taken for derived, not stated (a
    triple syntax cannot tell which; TriG and N-Quads keep who said what).

    ``placement`` (:class:`Placement`) is told whether every quad kept stays in the graph
    the file gives it, and which bookkeeping graphs were left out whole.
    """
    skip = {iris.changelog_graph, iris.closure_graph, iris.derived_ties_graph}
    derived_prefix = iris.derived_ties_graph.value + "#"
    # the terms compared with every quad, made once (a namespace makes a new node each time)
    unconfirmed, collaborates, tie_between = (CI.collaborationUnconfirmedBy,
                                              CI.collaboratesWith, CI.tieBetween)
    blank = ox.BlankNode
    inferred: set = set()
    between: dict[ox.NamedNode | ox.BlankNode, list] = defaultdict(list)
    for q in quads:
        p = q.predicate
        if (p == unconfirmed or p == tie_between) and q.graph_name not in skip:
            if p == unconfirmed:
                inferred.add((q.object, q.subject))
            else:
                between[q.subject].append(q.object)
    for pair in between.values():
        if len(pair) == 2:
            inferred |= {(pair[0], pair[1]), (pair[1], pair[0])}
    # the predicates routed apart, told by one lookup per quad
    special: dict[ox.NamedNode, int] = {ox.NamedNode(p): ANALYSIS for p in ANALYSIS_PREDICATES}
    special |= {unconfirmed: UNCONFIRMED, collaborates: COLLABORATES}
    changelog = iris.changelog_graph.value
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    foreign: dict[str, list[ox.Triple]] = defaultdict(list)
    bnode_owner: dict[ox.BlankNode, str] = {}
    # the graph of each subject's triples (None: skipped), and of its analysis triples
    graph_of: dict[ox.NamedNode, str | None] = {}
    analysis_graph_of: dict[ox.NamedNode, str] = {}
    # the named subjects of each graph: a unit's focus is its resource, when a subject
    subjects: dict[str, set[str]] = defaultdict(set)
    node_of: dict[str, ox.NamedNode] = {}  # each graph's name as a node, made once
    pending: list[ox.Quad] = []
    in_place, dropped = True, set()
    for quad in quads:
        s, p, o, g = quad
        if g in skip:
            dropped.add(g)
            continue
        if type(s) is blank:
            pending.append(quad)
            continue
        kind = special.get(p)
        if kind == UNCONFIRMED or (kind == COLLABORATES and (s, o) in inferred):
            in_place = False
            continue
        if kind == ANALYSIS:
            graph = analysis_graph_of.get(s)
            if graph is None:
                graph = _route(iris, s.value, p.value, derived_prefix, subjects)
                if graph is None:  # skipped whatever the predicate: remembered as skipped
                    graph_of[s] = None
                    in_place = False
                    continue
                analysis_graph_of[s] = graph
        else:
            graph = graph_of.get(s, "")
            if graph == "":  # one lookup per subject, not per triple
                graph = graph_of[s] = _route(iris, s.value, None, derived_prefix, subjects)
            if graph is None:
                in_place = False
                continue
        if graph == changelog:
            foreign[s.value].append(quad.triple)
            in_place = False
            continue
        by_graph[graph].append(quad.triple)
        if in_place:
            node = node_of.get(graph)
            if node is None:
                node = node_of[graph] = ox.NamedNode(graph)
            in_place = g == node
        if type(o) is blank:
            bnode_owner.setdefault(o, graph)
    for _ in range(len(pending) + 1):  # nested blank nodes: follow ownership
        rest = []
        for quad in pending:
            owner = bnode_owner.get(quad.subject)  # type: ignore[arg-type]
            if owner is None:
                rest.append(quad)
                continue
            by_graph[owner].append(quad.triple)
            in_place = in_place and quad.graph_name == ox.NamedNode(owner)
            if isinstance(quad.object, ox.BlankNode):
                bnode_owner.setdefault(quad.object, owner)
        if len(rest) == len(pending):
            break
        pending = rest
    for quad in pending:  # blank nodes nobody points at
        foreign[str(quad.subject)].append(quad.triple)
        in_place = False
    if placement is not None:
        placement.in_place = placement.in_place and in_place
        placement.dropped |= dropped
    units = []
    for graph, triples in sorted(by_graph.items()):
        focus = []
        parsed = iris.resource_of_graph(graph)
        if parsed:
            node = iris.resource(*parsed)
            if node.value in subjects[graph]:
                focus.append(node)
        label = f"{source}: graph <{graph}>"
        units.append(Unit(ox.NamedNode(graph), list(dict.fromkeys(triples)), focus, label))
    for subject, triples in sorted(foreign.items()):
        problem = FieldError("(subject)", subject, "is not a resource of crossinnov: subjects "
                             f"must be IRIs under {iris.base}id/ (or ontology terms)")
        units.append(Unit(iris.changelog_graph, triples, [], f"{source}: triples about {subject}",
                          [problem]))
    return units


def _route(iris: IRIs, subject: str, predicate: str | None, derived_prefix: str,
           subjects: dict[str, set[str]]) -> str | None:
    """The graph of the triples about ``subject`` (with ``predicate``), or None when the
    store makes them itself (derived ties, the changelog's own subjects); noted in
    ``subjects`` under that graph."""
    if subject.startswith(derived_prefix):
        return None  # a derived tie: recomputed by the store from the practices
    if iris.is_bookkeeping(subject):
        return None
    graph = iris.graph_for(subject, predicate).value
    subjects[graph].add(subject)
    return graph
