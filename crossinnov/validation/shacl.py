"""Validate data against the SHACL shapes in ``shapes/`` (https://www.w3.org/TR/shacl/).

One entry point, :meth:`Validator.validate`, returns a :class:`Report` holding
the conformance flag, the SHACL results graph, a readable text, and each
violation as plain values (focus node, path, value, message).

Writes validate just the unit being written plus the ``rdf:type`` (and sector
hierarchy) of the resources it references, fetched from the store
(:func:`context_triples`) - never the whole graph.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from pyshacl import ShapesGraph
from pyshacl.graph_abstraction import DataGraph
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery

from crossinnov.formats import from_rdflib, to_rdflib
from crossinnov.resources import ontology_path, shapes_paths
from crossinnov.sparql.queries import QUERIES, values
from crossinnov.validation.screen import Screen, Unscreenable, other_targets

# pySHACL switches process-wide rdflib settings while it validates
# (pyshacl/monkey, rdflib_bool_patch), so validations in one process must not
# overlap. The hazard is process-wide, so the lock is too.
_PYSHACL_LOCK = threading.Lock()


@dataclass(frozen=True)
class Violation:
    """One SHACL result in plain values."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str = "Violation"
    shape: str | None = None

    def as_text(self) -> str:
        where = f" ({self.path.rsplit('#', 1)[-1].rsplit('/', 1)[-1]})" if self.path else ""
        value = f" [value: {self.value}]" if self.value is not None else ""
        return f"{self.focus}{where}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of validating some data."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)
    graph: rdflib.Graph | None = None

    @property
    def text(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        lines = [f"Does not conform: {len(self.violations)} problem(s)."]
        lines += ["- " + v.as_text() for v in self.violations]
        return "\n".join(lines)


class _PreparedQueryGraph(rdflib.Graph):
    """An rdflib Graph that parses each distinct SPARQL text once.

    pySHACL runs a SHACL-SPARQL constraint once per focus node, with the same
    text and ``$this`` bound, through the data graph's ``query``; rdflib would
    parse the text again each time (about 20 ms). The cache belongs to one
    :class:`Validator` and holds one entry per constraint.
    """

    def __init__(self, prepared: dict[str, Any]) -> None:
        super().__init__()
        self._prepared = prepared

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            prepared = self._prepared.get(query_object)
            if prepared is None:
                prepared = self._prepared[query_object] = prepareQuery(query_object)
            query_object = prepared
        return super().query(query_object, *args, **kwargs)


class Validator:
    """The crossinnov shapes, loaded once, applied to small data graphs."""

    def __init__(self, shapes: rdflib.Graph | None = None) -> None:
        if shapes is None:
            shapes = rdflib.Graph()
            for path in shapes_paths():
                shapes.parse(path, format="turtle")
        self.shapes = shapes
        self._shapes_graph = ShapesGraph(shapes)
        self._shapes_graph.shapes  # noqa: B018 - builds the shape objects now, not on first use
        self._prepared: dict[str, Any] = {}
        # class hierarchy of the ontology, so sh:class sees subclasses
        self.hierarchy = rdflib.Graph()
        ontology = rdflib.Graph().parse(ontology_path(), format="turtle")
        for triple in ontology.triples((None, rdflib.RDFS.subClassOf, None)):
            if isinstance(triple[2], rdflib.URIRef):
                self.hierarchy.add(triple)
        # node shapes by the class they target; None if any shape targets otherwise
        self._class_targets: dict[rdflib.URIRef, set[str]] | None = {}
        for shape, cls in shapes.subject_objects(SH.targetClass):
            self._class_targets.setdefault(cls, set()).add(str(shape))
        if other_targets(shapes):
            self._class_targets = None
        try:
            self.screen: Screen | None = Screen(shapes)
        except Unscreenable:
            self.screen = None

    def might_violate(self, triples: Iterable[ox.Triple]) -> set[ox.NamedNode | ox.BlankNode]:
        """The nodes of ``triples`` the fast screen cannot clear (:mod:`.screen`).

        ``triples`` is everything the nodes are judged on: their own triples and
        the types of what they reference. Without a screen every node is returned.
        """
        triples = [*triples, *from_rdflib(self.hierarchy)]
        if self.screen is None:
            return {t.subject for t in triples}
        return self.screen.flagged(triples)

    def might_violate_in(self, store: ox.Store,
                         extra: Iterable[ox.Triple] = ()) -> set[ox.NamedNode | ox.BlankNode]:
        """:meth:`might_violate` of the triples of every graph of ``store`` and ``extra``.

        ``store`` holds each triple in one graph only (a load's units, each in its own);
        ``extra`` and the class hierarchy are added to its default graph for the
        screen, where no graph holds them yet, and taken away again.
        """
        added = []
        for t in [*extra, *from_rdflib(self.hierarchy)]:
            if next(store.quads_for_pattern(t.subject, t.predicate, t.object, None), None) is None:
                quad = ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                store.add(quad)
                added.append(quad)
        try:
            if self.screen is None:
                return {q.subject for q in store}
            return self.screen.flagged_in(store, union=True)
        finally:
            for quad in added:
                store.remove(quad)

    def validate(
        self,
        data: rdflib.Graph | Iterable[ox.Triple],
        *,
        focus: Iterable[ox.NamedNode] | None = None,
    ) -> Report:
        """Validate ``data`` (optionally only the ``focus`` nodes) against the shapes."""
        graph = _PreparedQueryGraph(self._prepared)
        if isinstance(data, rdflib.Graph):
            graph += data
        else:
            to_rdflib(data, graph)
        graph += self.hierarchy
        if focus is None:
            return self._run(graph, {})
        groups = self._shapes_for([rdflib.URIRef(f.value) for f in focus], graph)
        if groups is None:  # shapes with other kinds of target: let pySHACL find them
            return self._run(graph, {"focus_nodes": [rdflib.URIRef(f.value) for f in focus]})
        reports = [self._run(graph, {"focus_nodes": nodes, "use_shapes": shapes})
                   for shapes, nodes in groups.items()]
        if not reports:
            return Report(True)
        merged = rdflib.Graph()
        for report in reports:
            merged += report.graph
        violations = sorted((v for r in reports for v in r.violations),
                            key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
        return Report(all(r.conforms for r in reports), violations, merged)

    def _shapes_for(self, nodes: list[rdflib.URIRef], graph: rdflib.Graph):
        """Group focus nodes by the node shapes that target them (``sh:targetClass``).

        pySHACL, told both the shapes and the focus nodes, checks just those
        shapes on just those nodes, instead of finding every shape's targets in
        the data graph first (most of the cost of checking one profile). Returns
        None when some shape has another kind of target.
        """
        if self._class_targets is None:
            return None
        groups: dict[tuple[str, ...], list[rdflib.URIRef]] = {}
        for node in nodes:
            classes = set()
            for cls in graph.objects(node, rdflib.RDF.type):
                classes |= set(graph.transitive_objects(cls, rdflib.RDFS.subClassOf))
            shapes = tuple(sorted({s for c in classes for s in self._class_targets.get(c, ())}))
            if shapes:
                groups.setdefault(shapes, []).append(node)
        return groups

    def _run(self, graph: rdflib.Graph, options: dict) -> Report:
        with _PYSHACL_LOCK:
            run = pyshacl.Validator(DataGraph.from_rdflib(graph), shacl_graph=self.shapes, options={
                # the graph is built for this call, so pySHACL may work on it in place
                # (a clone would also drop the prepared-query cache)
                "inplace": True, "allow_warnings": True, **options,
            })
            # the shapes, parsed into pySHACL's shape objects once per Validator: building
            # them again is most of the cost of checking one profile
            run.shacl_graph = self._shapes_graph
            conforms, results, _text = run.run()
        return Report(bool(conforms), _violations(results), results)


def merge_reports(graphs: Iterable[rdflib.Graph], conforms: bool) -> rdflib.Graph:
    """Merge pySHACL results graphs into one ``sh:ValidationReport`` (SHACL section 3.6).

    Every ``sh:ValidationResult`` is kept as pySHACL wrote it (focus node, path,
    value, source shape and constraint component, message); the reports they
    hang from become one, whose ``sh:conforms`` is ``conforms``.
    """
    merged = rdflib.Graph()
    merged.bind("sh", SH)
    report = rdflib.BNode()
    merged.add((report, rdflib.RDF.type, SH.ValidationReport))
    merged.add((report, SH.conforms, rdflib.Literal(conforms)))
    for graph in graphs:
        reports = set(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
        for s, p, o in graph:
            if s in reports:
                if p == SH.result:
                    merged.add((report, SH.result, o))
            else:
                merged.add((s, p, o))
    return merged


def _violations(results: rdflib.Graph) -> list[Violation]:
    out = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        def one(pred: rdflib.URIRef, _r: rdflib.term.Node = result) -> str | None:
            value = results.value(_r, pred)
            return None if value is None else str(value)

        out.append(
            Violation(
                focus=one(SH.focusNode) or "",
                path=one(SH.resultPath),
                value=one(SH.value),
                message=one(SH.resultMessage) or "does not satisfy a shape",
                severity=(one(SH.resultSeverity) or "").rsplit("#", 1)[-1] or "Violation",
                shape=one(SH.sourceShape),
            )
        )
    out.sort(key=lambda v: (v.focus, v.path or "", v.message, v.value or ""))
    return out


def referenced_iris(triples: Iterable[ox.Triple]) -> set[ox.NamedNode]:
    """Return the IRIs a unit's triples point at (objects), except vocabulary terms."""
    out = set()
    for t in triples:
        if isinstance(t.object, ox.NamedNode) and t.predicate.value != str(rdflib.RDF.type):
            out.add(t.object)
    return out


def context_triples(store, iris: Iterable[ox.NamedNode]) -> list[ox.Triple]:
    """Return what the shapes need to know about referenced resources, from the store.

    That is their ``rdf:type`` (for ``sh:class`` checks and the existence of
    collaborators); nothing else of the graph is read.
    """
    nodes = sorted(iris, key=lambda n: n.value)
    triples: list[ox.Triple] = []
    for start in range(0, len(nodes), 500):
        chunk = nodes[start:start + 500]
        query = QUERIES.render("types_of", resources=values(chunk))
        for row in store.select(query):
            triples.append(ox.Triple(row["s"], ox.NamedNode(str(rdflib.RDF.type)), row["type"]))
    return triples
