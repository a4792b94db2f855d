"""``/id/{kind}/{slug}``: every minted IRI dereferences here (Cool URIs, 200 + ``Vary: Accept``).

HTML for browsers, RDF (Turtle, JSON-LD, N-Triples, RDF/XML) by ``Accept`` or
by a suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``); a client that asks for plain
``application/json`` gets the JSON-LD, labelled ``application/json`` as it asked
(always with ``Vary: Accept``). The RDF holds the
resource's own triples, the labels of what it links to, and what links to it.
The IRIs in the answer are always the configured base, whatever host serves them.

A resource that is gone (no ``rdf:type`` left) and that the changelog records as
deleted answers ``410 Gone`` (RFC 9110 15.5.11), from the moment the delete is
acknowledged: a page for browsers, its tombstone in RDF for RDF clients (the
delete activity, ``prov:invalidated`` it, and when), plain text otherwise. A
later profile with the same id makes it live again. Results of an analysis run
before the delete (scores, cluster membership) do not keep it alive.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, abort, make_response, render_template, request

from crossinnov.formats import GRAPH_TYPES, OFFERED_RDF_MEDIA, RDF_FORMATS, negotiate
from crossinnov.iris import KINDS, SCHEMES, InvalidSlug
from crossinnov.namespaces import PROV, RDF, RDFS
from crossinnov.publish.describe import describe_resource, serialize
from crossinnov.web.state import current
from crossinnov.writes.changes import Deletion, datetime_literal, deletion_of

bp = Blueprint("resource", __name__)

#: ``/id/{kind}/{slug}.{suffix}`` -> RDF format name (``.json`` is JSON-LD labelled as JSON)
SUFFIXES = {RDF_FORMATS[name].extension: name for name in ("turtle", "jsonld", "ntriples", "xml")}
SUFFIXES["json"] = "jsonld"
OFFERED = ["text/html", *OFFERED_RDF_MEDIA, "application/json"]


def _choose(ext: str | None) -> tuple[str | None, str | None]:
    """Return an RDF format name (None for HTML) and the media type to label it with
    (None: the format's own)."""
    if ext is not None:
        if ext not in SUFFIXES:
            abort(404)
        return SUFFIXES[ext], None
    chosen = negotiate(request.headers.get("Accept"), OFFERED)
    if chosen is None:
        abort(406)
    if chosen == "text/html":
        return None, None
    return GRAPH_TYPES[chosen], ("application/json" if chosen == "application/json" else None)


def _answer(kind: str, iri: ox.NamedNode, ext: str | None) -> Response:
    store = current().store
    triples = describe_resource(store, iri)
    if kind in KINDS and not any(t.subject == iri and t.predicate == RDF.type for t in triples):
        slug = iri.value.rsplit("/", 1)[1]
        gone = deletion_of(store, iri, store.iris.graph(kind, slug))
        if gone is not None:
            return _gone(gone, ext)
    if not any(t.subject == iri for t in triples):
        abort(404)
    fmt, label = _choose(ext)
    if fmt is None:
        from crossinnov.web.views import render_resource

        response = make_response(render_resource(kind, iri, triples))
    else:
        data, media = serialize(triples, fmt, store)
        response = Response(data, mimetype=label or media)
    if ext is None:
        response.vary.add("Accept")
    return response


def _gone(gone: Deletion, ext: str | None) -> Response:
    """410 Gone for a deleted resource: HTML, its tombstone in RDF, or plain text."""
    when = gone.at.isoformat(timespec="seconds").replace("+00:00", "Z")
    message = (f"{gone.resource.value} was deleted at {when} ({gone.activity.value}); "
               "it is no longer described here.")
    label = None
    if ext is not None:
        if ext not in SUFFIXES:
            abort(404)
        fmt: str | None = SUFFIXES[ext]
    else:
        chosen = negotiate(request.headers.get("Accept"), [*OFFERED, "text/plain"])
        fmt = (None if chosen == "text/html" else "text" if chosen in (None, "text/plain")
               else GRAPH_TYPES[chosen])
        label = "application/json" if chosen == "application/json" else None
    if fmt is None:
        body = render_template("error.html", status=410, title="Gone", message=message)
        response = Response(body, status=410, mimetype="text/html")
    elif fmt == "text":
        response = Response(message + "\n", status=410, mimetype="text/plain")
    else:
        time = datetime_literal(gone.at)
        tombstone = [
            ox.Triple(gone.activity, RDF.type, PROV.Activity),
            ox.Triple(gone.activity, PROV.invalidated, gone.resource),
            ox.Triple(gone.activity, PROV.endedAtTime, time),
            ox.Triple(gone.resource, PROV.wasInvalidatedBy, gone.activity),
            ox.Triple(gone.resource, PROV.invalidatedAtTime, time),
            ox.Triple(gone.resource, RDFS.comment, ox.Literal(message, language="en")),
        ]
        data, media = serialize(tombstone, fmt, current().store)
        response = Response(data, status=410, mimetype=label or media)
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
