"""The site's own pages: home, ontology (documentation and RDF), shapes, favicon, health check.

``/ontology`` is HTML for browsers and RDF by ``Accept`` (Turtle, JSON-LD, N-Triples,
RDF/XML), with ``Vary: Accept``; ``/ontology.ttl``, ``.jsonld``, ``.nt`` and ``.rdf``
are its fixed-format twins. ``/favicon.ico`` is the site's icon, cached for long.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
)
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from crossinnov.formats import (
    GRAPH_TYPES,
    OFFERED_RDF,
    OFFERED_RDF_MEDIA,
    RDF_FORMATS,
    STANDARD_PREFIXES,
    WELL_KNOWN_PREFIXES,
    negotiate,
)
from crossinnov.namespaces import CI
from crossinnov.resources import ontology_path, shapes_paths
from crossinnov.sparql.queries import QUERIES
from crossinnov.web.state import current
from crossinnov.web.views import COUNTRIES, make_link

bp = Blueprint("pages", __name__)

#: the classes counted on the home page, in the order shown, each with where its count links:
#: an endpoint of the site (with its arguments), or a section of the home page ("#id")
HOME_COUNTS = ((CI.Organisation, "organisations", ("lists.organisations", {})),
               (CI.GoodPractice, "good practices", ("lists.practices", {})),
               (CI.Event, "events", "#events"), (CI.City, "cities", "#cities"),
               (CI.Sector, "sectors", ("resource.scheme", {"name": "sectors"})))
#: how many events the home page lists (the latest)
HOME_EVENTS = 12


def home_context() -> dict:
    """Gather the home page: counts (each a link), cities, sub-themes and the latest events."""
    from flask import url_for

    from crossinnov.sparql.queries import number
    from crossinnov.web.views import date_in_words

    store = current().store
    numbers = current().counts()
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
    events: dict[str, dict] = {}
    total_events = 0
    for r in store.select(QUERIES.render("list_events", limit=number(HOME_EVENTS))):
        total_events = int(r["total"].value)
        if "event" in r and r["event"].value not in events:
            events[r["event"].value] = {
                "event": make_link(r["event"].value, r["name"].value if "name" in r else None),
                "city": make_link(r["city"].value, r["cityName"].value if "cityName" in r
                                  else None) if "city" in r else None,
                "when": date_in_words(r.get("start"), r.get("end"))}
    stats = [(by_class.get(c.value, 0), label,
              target if isinstance(target, str) else url_for(target[0], **target[1]))
             for c, label, target in HOME_COUNTS]
    return {"stats": stats, "triples": numbers["triples"], "cities": cities, "themes": themes,
            "events": list(events.values()), "total_events": total_events}


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

    def compute() -> dict:
        return ontology_doc(rdflib.Graph().parse(path, format="turtle"))

    return current().caches.ontology_doc.get((str(path), path.stat().st_mtime_ns), compute)


#: the ontology's RDF formats (names of crossinnov.formats.RDF_FORMATS)
ONTOLOGY_FORMATS = OFFERED_RDF
#: ``/ontology.{suffix}`` -> format name
ONTOLOGY_SUFFIXES = {RDF_FORMATS[name].extension: name for name in ONTOLOGY_FORMATS}
#: the JSON-LD of the ontology is compacted with these prefixes
ONTOLOGY_CONTEXT = {**STANDARD_PREFIXES, "rdf": WELL_KNOWN_PREFIXES["rdf"],
                    "vann": WELL_KNOWN_PREFIXES["vann"]}


def ontology_rdf(fmt: str) -> tuple[bytes, str]:
    """Return the ontology in an RDF format (a name of RDF_FORMATS) and its media type.

    Turtle is the file itself; the others are made from it once per version of the file.
    """
    path = ontology_path()
    if fmt == "turtle":
        return path.read_bytes(), "text/turtle"

    def compute() -> bytes:
        if fmt == "jsonld":  # compact, with the usual prefixes: readable as plain JSON
            graph = rdflib.Graph().parse(path, format="turtle")
            return graph.serialize(format="json-ld", context=ONTOLOGY_CONTEXT,
                                   auto_compact=True).encode("utf-8")
        triples = [q.triple for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)]
        return ox.serialize(triples, format=RDF_FORMATS[fmt].oxformat)

    version = (str(path), path.stat().st_mtime_ns)
    return current().caches.ontology_rdf[fmt].get(version, compute), RDF_FORMATS[fmt].media_type


@bp.route("/ontology")
def ontology() -> Response:
    chosen = negotiate(request.headers.get("Accept"),
                       ["text/html", *OFFERED_RDF_MEDIA, "application/json"])
    if chosen is not None and chosen != "text/html":
        data, media = ontology_rdf(GRAPH_TYPES[chosen])
        # a client asking for plain JSON gets JSON-LD labelled as what it asked for
        response = Response(data, mimetype="application/json" if chosen == "application/json"
                            else media)
    else:
        response = Response(render_template("ontology.html", **_ontology_context()),
                            mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.route("/ontology.<suffix>")
def ontology_file(suffix: str) -> Response:
    if suffix not in ONTOLOGY_SUFFIXES:
        abort(404)
    data, media = ontology_rdf(ONTOLOGY_SUFFIXES[suffix])
    return Response(data, mimetype=media)


#: how long browsers may keep the site's icon without asking again (30 days)
FAVICON_MAX_AGE = 30 * 24 * 3600


@bp.route("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers and crawlers look for it (an ICO of 16, 32, 48 px)."""
    data = (Path(current_app.static_folder or "") / "favicon.ico").read_bytes()
    response = Response(data, mimetype="image/x-icon")
    response.set_etag(hashlib.sha1(data).hexdigest()[:16])
    response.cache_control.public = True
    response.cache_control.max_age = FAVICON_MAX_AGE
    return response.make_conditional(request)


@bp.route("/shapes")
def shapes() -> Response:
    body = b"\n".join(p.read_bytes() for p in shapes_paths())
    return Response(body, mimetype="text/turtle")


@bp.route("/healthz")
def healthz() -> Response:
    """200 while the store answers; never waits behind a query (it asks the durable store).

    ``analysis`` is this server's analysis service: running, pending, its last error, and
    (over a store several servers share) who held the analysis lease when it last looked.
    """
    crossinnov = current()
    health = crossinnov.store.health()
    body = {"status": "ok" if health["store"] else "empty", "quads": crossinnov.quads(),
            **{k: v for k, v in health.items() if k != "store"},
            "sparql": crossinnov.gate.status(), "analysis": crossinnov.analysis.status()}
    return jsonify(body)
