"""A fast first pass over big loads: which focus nodes might break a shape?

pySHACL judges every unit crossinnov writes, but it is pure Python: a few
milliseconds per organisation, minutes for a load of 100 000. The screen
compiles the shapes into SPARQL queries, one per constraint, that find every
focus node that *might* violate it, and runs them all at once over the whole
batch in an in-memory Oxigraph store. Only the units it flags go to pySHACL,
which gives the verdict and the messages; a unit it does not flag conforms.

The screen is sound by construction, never exact: every check errs on the side
of flagging (an ill-formed literal, an unknown cast, a regex error, a
comparison that cannot be made all flag the node), and a shape that uses a
constraint component it does not compile flags all of its focus nodes. Shapes
with targets other than ``sh:targetClass`` turn the screen off entirely.
The queries are generated from the shapes' own constants (IRIs and literals
written with ``n3()``), never from data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD
from rdflib.namespace import SH

#: casts Oxigraph evaluates, used to check that a literal is well-formed for its datatype
CASTS = {XSD.string, XSD.boolean, XSD.integer, XSD.decimal, XSD.double, XSD.float,
         XSD.date, XSD.dateTime, XSD.gYear}
#: predicates of a shape that are not constraints
IGNORED = {SH.flags, SH.message, SH.name, SH.description, SH.severity, SH.order, SH.group, SH.path,
           SH.targetClass, SH.property, SH.sparql, SH.deactivated, SH.defaultValue}
#: kinds of target other than sh:targetClass (neither the screen nor the targeted check know them)
OTHER_TARGETS = (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


def other_targets(shapes: rdflib.Graph) -> bool:
    """True when some shape targets by something other than its class."""
    return any(next(shapes.subject_objects(p), None) is not None for p in OTHER_TARGETS)


class Unscreenable(Exception):
    """The shapes use something the screen cannot check soundly."""


@dataclass(frozen=True)
class Check:
    """One query: the focus nodes it returns (as ?this) might violate ``shape``."""

    shape: str
    query: str


def _value_violation(shapes: rdflib.Graph, shape, component: rdflib.URIRef, param) -> str | None:
    """A SPARQL expression over ``?v`` that is true when ``?v`` might break the constraint."""
    if component == SH.datatype:
        return f"!({_well_typed(param)})"
    if component == SH.nodeKind:
        kinds = {SH.IRI: "!isIRI(?v)", SH.Literal: "!isLiteral(?v)", SH.BlankNode: "!isBlank(?v)",
                 SH.BlankNodeOrIRI: "isLiteral(?v)", SH.BlankNodeOrLiteral: "isIRI(?v)",
                 SH.IRIOrLiteral: "isBlank(?v)"}
        return kinds.get(param)
    if component == SH.minLength:
        return f"isBlank(?v) || STRLEN(STR(?v)) < {int(param)}"
    if component == SH.maxLength:
        return f"isBlank(?v) || STRLEN(STR(?v)) > {int(param)}"
    if component == SH.pattern:
        flags = shapes.value(shape, SH.flags)
        flag = f", {rdflib.Literal(str(flags)).n3()}" if flags is not None else ""
        pattern = rdflib.Literal(str(param)).n3()
        return f"isBlank(?v) || !COALESCE(REGEX(STR(?v), {pattern}{flag}), false)"
    if component == SH["in"]:
        members = list(rdflib.collection.Collection(shapes, param))
        return "!(" + " || ".join(f"sameTerm(?v, {m.n3()})" for m in members) + ")" \
            if members else "true"
    if component == SH.minInclusive:
        return f"!COALESCE(?v >= {param.n3()}, false)"
    if component == SH.maxInclusive:
        return f"!COALESCE(?v <= {param.n3()}, false)"
    if component == SH.minExclusive:
        return f"!COALESCE(?v > {param.n3()}, false)"
    if component == SH.maxExclusive:
        return f"!COALESCE(?v < {param.n3()}, false)"
    if component == SH["or"]:
        # only the common "a day or a year" form: members that each hold one sh:datatype
        options = []
        for member in rdflib.collection.Collection(shapes, param):
            constraints = {p for p in shapes.predicates(member) if p != RDF.type}
            if constraints != {SH.datatype}:
                return None
            options.append(_well_typed(shapes.value(member, SH.datatype)))
        return "!(" + " || ".join(options) + ")" if options else "true"
    return None


def _well_typed(datatype) -> str:
    dt = datatype.n3()
    test = f"isLiteral(?v) && sameTerm(datatype(?v), {dt})"
    if datatype in CASTS:
        test += f" && COALESCE(sameTerm({dt}(STR(?v)), ?v), false)"
    elif datatype != RDF.langString:
        test += " && false"  # cannot check its lexical form here: let pySHACL decide
    return test


class Screen:
    """The compiled checks of a shapes graph.

    Checks are merged per (target class, path): one scan of the focus nodes and
    their values tests every count and value constraint on that path at once.
    Instances of a class are found through the subclass closure computed from
    the data given (``«instance ?x <C>»`` in a check stands for it).
    """

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.prefixes = "\n".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>"
            for d in shapes.objects(None, SH.declare))
        self.prefixes += f"\nPREFIX rdf: <{RDF}>\nPREFIX rdfs: <{RDFS}>\n"
        if other_targets(shapes):
            raise Unscreenable("shapes use targets other than sh:targetClass")
        self.shapes = shapes
        self.paths: dict[tuple, dict[str, list]] = {}
        self.checks: list[Check] = []
        for shape, target in sorted(shapes.subject_objects(SH.targetClass)):
            if not self._active(shape):
                continue
            focus = f"«instance ?this {target.n3()}»"
            self._compile(shape, target, focus, own=True)
        for (target, path), merged in self.paths.items():
            self.checks += self._path_checks(target, path, merged)

    def _active(self, node) -> bool:
        return (node, SH.deactivated, rdflib.Literal(True)) not in self.shapes

    def _compile(self, shape, target, focus: str, *, own: bool) -> None:
        shapes, name = self.shapes, str(shape)
        everyone = Check(name, f"SELECT DISTINCT ?this WHERE {{ {focus} }}")
        path = shapes.value(shape, SH.path)
        if path is not None and not isinstance(path, rdflib.URIRef):
            self.checks.append(everyone)  # a complex path: pySHACL checks all focus nodes
            return
        merged = self.paths.setdefault((target, path), {"min": [], "max": [], "cond": [],
                                                        "class": []})
        for predicate, param in shapes.predicate_objects(shape):
            if predicate in IGNORED or not str(predicate).startswith(str(SH)):
                continue
            if predicate == SH.minCount and path is not None:
                merged["min"].append(int(param))
            elif predicate == SH.maxCount and path is not None:
                merged["max"].append(int(param))
            elif predicate == SH["class"]:
                merged["class"].append(param)
            elif predicate in (SH.hasValue, SH.uniqueLang):
                query = self._special(predicate, param, path, focus)
                self.checks.append(Check(name, query) if query else everyone)
            else:
                condition = _value_violation(shapes, shape, predicate, param)
                if condition is None:
                    self.checks.append(everyone)  # not compiled: pySHACL checks all focus nodes
                else:
                    merged["cond"].append(condition)
        if not own:
            # a property shape's own SPARQL constraints or nested shapes are not compiled
            if next(shapes.objects(shape, SH.sparql), None) is not None or \
                    next(shapes.objects(shape, SH.property), None) is not None:
                self.checks.append(everyone)
            return
        for sparql in shapes.objects(shape, SH.sparql):
            if not self._active(sparql):
                continue
            select = str(shapes.value(sparql, SH.select) or "")
            if not select or any(v in select for v in ("$PATH", "$shapesGraph", "$currentShape")):
                self.checks.append(everyone)
                continue
            inner = select.replace("$this", "?this")
            query = f"SELECT DISTINCT ?this WHERE {{ {focus} {{ {inner} }} }}"
            self.checks.append(Check(name, query))
        for prop in shapes.objects(shape, SH.property):
            if self._active(prop):
                self._compile(prop, target, focus, own=False)

    def _special(self, predicate, param, path, focus: str) -> str | None:
        if predicate == SH.hasValue:
            if path is None:
                return (f"SELECT DISTINCT ?this WHERE {{ {focus} "
                        f"FILTER(!sameTerm(?this, {param.n3()})) }}")
            return (f"SELECT DISTINCT ?this WHERE {{ {focus} "
                    f"FILTER NOT EXISTS {{ ?this {path.n3()} {param.n3()} }} }}")
        if path is None:
            return None
        if not param.toPython():
            return "SELECT ?this WHERE { FILTER(false) }"
        return (f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {path.n3()} ?a , ?b . "
                "FILTER(isLiteral(?a) && LANG(?a) != \"\" && !sameTerm(?a, ?b) "
                "&& LCASE(LANG(?a)) = LCASE(LANG(?b))) }")

    @staticmethod
    def _path_checks(target, path, merged) -> list[Check]:
        name = f"{target} {path}"
        focus = f"«instance ?this {target.n3()}»"
        values = f"?this {path.n3()} ?v ." if path is not None else "BIND(?this AS ?v)"
        checks = []
        for cls in merged["class"]:
            checks.append(Check(name, f"SELECT DISTINCT ?this WHERE {{ {{ {focus} {values} }} "
                                      f"MINUS {{ «instance ?v {cls.n3()}» }} }}"))
        having = []
        if merged["min"]:
            having.append(f"COUNT(DISTINCT ?v) < {max(merged['min'])}")
        if merged["max"]:
            having.append(f"COUNT(DISTINCT ?v) > {min(merged['max'])}")
        if merged["cond"]:
            condition = " || ".join(f"({c})" for c in merged["cond"])
            having.append(f"SUM(IF(BOUND(?v) && COALESCE({condition}, true), 1, 0)) > 0")
        if having:
            # every focus node, with each of its values (or none: then ?v is unbound)
            rows = f"{focus} OPTIONAL {{ {values} }}" if path is not None else f"{focus} {values}"
            checks.append(Check(name, f"SELECT ?this WHERE {{ {rows} }} "
                                      f"GROUP BY ?this HAVING ({' || '.join(having)})"))
        return checks

    def flagged(self, triples: Iterable[ox.Triple]) -> set[ox.NamedNode | ox.BlankNode]:
        """Return the nodes that might not conform, given all the data they are judged on."""
        store = ox.Store()
        store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return self.flagged_in(store)

    def flagged_in(self, store: ox.Store, *,
                   union: bool = False) -> set[ox.NamedNode | ox.BlankNode]:
        """:meth:`flagged` over the data of ``store``: its default graph, or with ``union``
        all its graphs (each triple in one graph only: a triple held twice would count
        twice where a shape counts)."""
        dataset = {"use_default_graph_as_union": True} if union else {}
        below: dict[str, set[str]] = {}
        for row in store.query(self.prefixes + SUBCLASSES, **dataset):
            below.setdefault(row["super"].value, set()).add(row["sub"].value)
        counter = iter(range(1_000_000))

        def instance(match: re.Match) -> str:
            var, cls = match.group(1), match.group(2)
            classes = {cls[1:-1]} | below.get(cls[1:-1], set())
            k = f"?_class{next(counter)}"
            listed = " ".join(ox.NamedNode(c).__str__() for c in sorted(classes))
            return f"VALUES {k} {{ {listed} }} {var} rdf:type {k} ."

        def run(query: str) -> list:
            return [row["this"] for row in store.query(query, **dataset)
                    if row["this"] is not None]

        queries = [self.prefixes + INSTANCE_TOKEN.sub(instance, c.query) for c in self.checks]
        # Oxigraph evaluates without holding the GIL: the checks run side by side
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            return {node for nodes in pool.map(run, queries) for node in nodes}


#: a class and its subclasses (rdfs:subClassOf*), in the data being screened
SUBCLASSES = "SELECT ?super ?sub WHERE { ?sub rdfs:subClassOf+ ?super }"
INSTANCE_TOKEN = re.compile(r"«instance (\?\w+) (<[^>]+>)»")
