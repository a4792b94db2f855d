"""``/id/{kind}/{slug}``: every minted IRI dereferences here (Cool URIs, 200 + ``Vary: Accept``).

HTML for browsers, RDF (Turtle, JSON-LD, N-Triples, RDF/XML) by ``Accept`` or
by a suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``). The RDF holds the
resource's own triples, the labels of what it links to, and what links to it.
The IRIs in the answer are always the configured base, whatever host serves them.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, make_response, request

from crossinnov.iris import KINDS, SCHEMES, InvalidSlug
from crossinnov.publish import GRAPH_TYPES, negotiate
from crossinnov.web.describe import describe_resource, serialize
from crossinnov.web.state import current

bp = Blueprint("resource", __name__)

SUFFIXES = {"ttl": "turtle", "jsonld": "jsonld", "nt": "ntriples", "rdf": "xml", "json": "jsonld"}
OFFERED = ["text/html", "text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml"]


def _choose(ext: str | None) -> str | None:
    """Return an RDF format name, or None for HTML."""
    if ext is not None:
        if ext not in SUFFIXES:
            abort(404)
        return SUFFIXES[ext]
    chosen = negotiate(request.headers.get("Accept"), OFFERED)
    if chosen is None:
        abort(406)
    return None if chosen == "text/html" else GRAPH_TYPES[chosen]


def _answer(kind: str, iri: ox.NamedNode, ext: str | None) -> Response:
    store = current().store
    triples = describe_resource(store, iri)
    if not any(t.subject == iri for t in triples):
        abort(404)
    fmt = _choose(ext)
    if fmt is None:
        from crossinnov.web.views import render_resource

        response = make_response(render_resource(kind, iri, triples))
    else:
        data, media = serialize(triples, fmt, store)
        response = Response(data, mimetype=media)
    if ext is None:
        response.vary.add("Accept")
    return response


@bp.route("/id/<kind>/<slug>")
def resource(kind: str, slug: str) -> Response:
    if kind not in KINDS:
        abort(404)
    slug, _, ext = slug.partition(".")
    try:
        iri = current().store.iris.resource(kind, slug)
    except InvalidSlug:
        abort(404)
    return _answer(kind, iri, ext or None)


@bp.route("/scheme/<name>")
def scheme(name: str) -> Response:
    name, _, ext = name.partition(".")
    if name not in SCHEMES:
        abort(404)
    return _answer("scheme", current().store.iris.scheme(name), ext or None)
