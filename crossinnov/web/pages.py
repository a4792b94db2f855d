"""The site's own pages: home, ontology documentation, shapes, health check."""

from __future__ import annotations

from dataclasses import dataclass, field

import rdflib
from flask import Blueprint, Response, jsonify, render_template, request
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from crossinnov.namespaces import CI
from crossinnov.publish import negotiate
from crossinnov.queries import QUERIES
from crossinnov.resources import ontology_path, shapes_paths
from crossinnov.web.describe import counts
from crossinnov.web.state import current
from crossinnov.web.views import COUNTRIES, make_link

bp = Blueprint("pages", __name__)

#: the classes counted on the home page, in the order shown
HOME_COUNTS = ((CI.Organisation, "organisations"), (CI.GoodPractice, "good practices"),
               (CI.Event, "events"), (CI.City, "cities"), (CI.Sector, "sectors"))


def home_context() -> dict:
    """Gather the home page: counts, cities and sub-themes, from the store."""
    store = current().store
    numbers = counts()
    by_class = dict(numbers["classes"])
    cities = [{"city": make_link(r["city"].value, r["label"].value if "label" in r else None),
               "country": COUNTRIES.get(r["country"].value, r["country"].value)
               if "country" in r else None,
               "organisations": int(r["organisations"].value),
               "practices": int(r["practices"].value)}
              for r in store.select(QUERIES["page_home_cities"])]
    themes = [{"theme": make_link(r["theme"].value, r["label"].value if "label" in r else None),
               "definition": r["definition"].value if "definition" in r else None,
               "practices": int(r["practices"].value)}
              for r in store.select(QUERIES["page_home_themes"])]
    return {"stats": [(by_class.get(c.value, 0), label) for c, label in HOME_COUNTS],
            "triples": numbers["triples"], "cities": cities, "themes": themes}


@bp.route("/")
def home() -> str:
    return render_template("home.html", **home_context())


# --- ontology documentation ---------------------------------------------------------------------

KINDS = {OWL.Class: "class", RDFS.Class: "class", OWL.ObjectProperty: "object property",
         OWL.DatatypeProperty: "datatype property", OWL.AnnotationProperty: "annotation property",
         RDF.Property: "property"}
PROPERTY_ORDER = ["object property", "datatype property", "annotation property", "property"]
CHARACTERISTICS = {OWL.SymmetricProperty: "symmetric", OWL.AsymmetricProperty: "asymmetric",
                   OWL.TransitiveProperty: "transitive", OWL.FunctionalProperty: "functional",
                   OWL.InverseFunctionalProperty: "inverse functional",
                   OWL.ReflexiveProperty: "reflexive", OWL.IrreflexiveProperty: "irreflexive"}
META = ((rdflib.DCTERMS.title, "Title"), (OWL.versionInfo, "Version"),
        (OWL.versionIRI, "Version IRI"), (rdflib.DCTERMS.created, "Created"),
        (rdflib.DCTERMS.modified, "Modified"), (rdflib.DCTERMS.creator, "Creator"),
        (rdflib.DCTERMS.license, "Licence"), (RDFS.seeAlso, "See also"))


@dataclass
class Term:
    """One class or property of the ontology, as documented."""

    iri: str
    name: str
    kind: str
    label: str | None = None
    comment: str | None = None
    characteristics: list[str] = field(default_factory=list)
    domain: list[list] = field(default_factory=list)  # alternatives: each a list of "A or B"
    range: list[list] = field(default_factory=list)
    supers: list = field(default_factory=list)
    subs: list = field(default_factory=list)
    used_in: list = field(default_factory=list)  # for classes: properties with it as domain


def _one(graph: rdflib.Graph, subject, predicate) -> str | None:
    values = sorted(graph.objects(subject, predicate),
                    key=lambda o: (getattr(o, "language", None) not in ("en", None), str(o)))
    return str(values[0]) if values else None


def _classes_of(graph: rdflib.Graph, node) -> list:
    """Return a class expression as the list of its alternatives (unions give several)."""
    union = graph.value(node, OWL.unionOf)
    if union is not None:
        return [make_link(str(m)) for m in Collection(graph, union)]
    return [make_link(str(node))] if isinstance(node, rdflib.URIRef) else []


def ontology_doc(graph: rdflib.Graph) -> dict:
    """Document every class and property defined in the ontology namespace."""
    ns = CI._NS
    terms: dict[str, Term] = {}
    for rdf_type, kind in KINDS.items():
        for s in graph.subjects(RDF.type, rdf_type):
            if isinstance(s, rdflib.URIRef) and str(s).startswith(ns) and str(s) not in terms:
                terms[str(s)] = Term(str(s), str(s)[len(ns):], kind)
    for iri, t in terms.items():
        node = rdflib.URIRef(iri)
        t.label, t.comment = _one(graph, node, RDFS.label), _one(graph, node, RDFS.comment)
        t.characteristics = sorted(name for c, name in CHARACTERISTICS.items()
                                   if (node, RDF.type, c) in graph)
        t.domain = [_classes_of(graph, d) for d in graph.objects(node, RDFS.domain)]
        t.range = [_classes_of(graph, r) for r in graph.objects(node, RDFS.range)]
        up = RDFS.subClassOf if t.kind == "class" else RDFS.subPropertyOf
        t.supers = sorted((make_link(str(o)) for o in graph.objects(node, up)
                           if isinstance(o, rdflib.URIRef)), key=lambda x: x.label)
        t.subs = sorted((make_link(str(s)) for s in graph.subjects(up, node)
                         if str(s) in terms), key=lambda x: x.label)
    for t in terms.values():
        for alternatives in t.domain:
            for cls in alternatives:
                if cls.iri in terms:
                    terms[cls.iri].used_in.append(make_link(t.iri))
    ontology = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    meta = []
    if ontology is not None:
        for prop, label in META:
            for value in sorted(graph.objects(ontology, prop), key=str):
                is_iri = isinstance(value, rdflib.URIRef)
                meta.append((label, make_link(str(value), str(value)) if is_iri else str(value)))
    ordered = sorted(terms.values(), key=lambda t: t.name)
    return {
        "ontology_iri": str(ontology) if ontology is not None else None,
        "description": _one(graph, ontology, rdflib.DCTERMS.description) if ontology else None,
        "title": _one(graph, ontology, rdflib.DCTERMS.title) if ontology else None,
        "meta": meta, "namespace": ns,
        "prefix": _one(graph, ontology, rdflib.URIRef("http://purl.org/vocab/vann/"
                                                      "preferredNamespacePrefix")) or "ci",
        "classes": [t for t in ordered if t.kind == "class"],
        "properties": sorted((t for t in ordered if t.kind != "class"),
                             key=lambda t: (PROPERTY_ORDER.index(t.kind), t.name)),
    }


def _ontology_context() -> dict:
    """Return the ontology documentation, parsed once per version of the file."""
    path = ontology_path()
    key = (str(path), path.stat().st_mtime_ns)
    cache = current().extra.setdefault("ontology-doc", {})
    if key not in cache:
        graph = rdflib.Graph()
        graph.parse(path, format="turtle")
        cache.clear()
        cache[key] = ontology_doc(graph)
    return cache[key]


@bp.route("/ontology")
def ontology() -> Response:
    chosen = negotiate(request.headers.get("Accept"), ["text/html", "text/turtle"])
    if chosen == "text/turtle":
        response = Response(ontology_path().read_bytes(), mimetype="text/turtle")
    else:
        response = Response(render_template("ontology.html", **_ontology_context()),
                            mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.route("/shapes")
def shapes() -> Response:
    body = b"\n".join(p.read_bytes() for p in shapes_paths())
    return Response(body, mimetype="text/turtle")


@bp.route("/healthz")
def healthz() -> Response:
    """200 while the store answers; never waits behind a query (it asks the durable store)."""
    crossinnov = current()
    health = crossinnov.store.health()
    body = {"status": "ok" if health["store"] else "empty", "quads": len(crossinnov.store),
            **{k: v for k, v in health.items() if k != "store"},
            "sparql": crossinnov.gate.status()}
    return jsonify(body)
