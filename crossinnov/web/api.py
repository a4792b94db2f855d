"""``/api``: organisations write and read their own profiles (JSON, or RDF by content type).

Writes need ``Authorization: Bearer <token>``. Every error says what is wrong
and changes nothing: 400 unreadable body (with line and column), 415
unsupported type, 422 violations as ``{"errors": [{"field", "value", "message"}]}``,
409 id taken, 404 unknown profile, 412 stale ``If-Match``, 413 body too large.
A 422 lists every error of the body at once: the JSON's own (types, ids, lengths)
and the SHACL shapes' findings on the rest, merged without repeats, each under
its JSON field (and a taken id among them, which alone is a 409).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from crossinnov.formats import GRAPH_TYPES, OFFERED_RDF_MEDIA, negotiate
from crossinnov.iris import InvalidSlug, check_slug
from crossinnov.publish.describe import serialize
from crossinnov.sparql.queries import QUERIES, number
from crossinnov.stores.base import truth
from crossinnov.web.access import holder
from crossinnov.web.state import current
from crossinnov.writes.profiles import BodyError, Rejected, Stored, jsonld_context, read_body

bp = Blueprint("api", __name__)

PROFILE_OFFERED = ["application/json", *OFFERED_RDF_MEDIA]


def _known_slug(slug: str) -> str:
    """Return ``slug`` if it can name a profile; else 404 (ids are lower case)."""
    try:
        check_slug(slug)
    except InvalidSlug:
        hint = f"; ids are lower case: did you mean {slug.lower()!r}?" if (
            slug != slug.lower() and _valid(slug.lower())) else ""
        raise Rejected(404, [], f"there is no profile {slug[:100]!r}{hint}") from None
    return slug


def _valid(slug: str) -> bool:
    try:
        check_slug(slug)
    except InvalidSlug:
        return False
    return True


def _profile_response(stored: Stored, status: int = 200) -> Response:
    response = jsonify(stored.profile)
    response.status_code = status
    response.set_etag(stored.etag)
    if stored.modified:
        response.last_modified = stored.modified
    return response


@bp.post("/api/profiles")
def create() -> Response:
    who = holder()
    crossinnov = current()
    unit = read_body(request.get_data(), request.content_type or "", crossinnov.store.iris,
                     label="profile")
    stored = crossinnov.profiles.create(unit, who)
    response = _profile_response(stored, 201)
    response.headers["Location"] = stored.iri.value
    return response


@bp.get("/api/profiles/<slug>")
def read(slug: str) -> Response:
    crossinnov = current()
    stored = crossinnov.profiles.get(_known_slug(slug))
    if stored is None:
        raise crossinnov.profiles.missing(slug)
    chosen = negotiate(request.headers.get("Accept"), PROFILE_OFFERED)
    if chosen in (None, "application/json"):
        response = _profile_response(stored)
    else:
        data, media = serialize(stored.triples, GRAPH_TYPES[chosen], crossinnov.store)
        response = Response(data, mimetype=media)
        response.set_etag(stored.etag)
    response.vary.add("Accept")
    return response.make_conditional(request)


@bp.put("/api/profiles/<slug>")
def replace(slug: str) -> Response:
    who = holder()
    _known_slug(slug)
    crossinnov = current()
    unit = read_body(request.get_data(), request.content_type or "", crossinnov.store.iris,
                     slug=slug, label="profile")
    stored = crossinnov.profiles.replace(slug, unit, who, if_match=request.headers.get("If-Match"))
    return _profile_response(stored)


@bp.delete("/api/profiles/<slug>")
def delete(slug: str) -> Response:
    who = holder()
    _known_slug(slug)
    crossinnov = current()
    crossinnov.profiles.delete(slug, who, if_match=request.headers.get("If-Match"))
    return Response(status=204)


def _page() -> tuple[int, int]:
    try:
        limit = min(max(int(request.args.get("limit", 100)), 0), 1000)
        offset = max(int(request.args.get("offset", 0)), 0)
    except ValueError:
        raise BodyError(400, "limit and offset must be whole numbers") from None
    return limit, offset


@bp.get("/api/profiles")
def listing() -> Response:
    store = current().store
    limit, offset = _page()
    rows = store.select(QUERIES.render("profiles_list", limit=number(limit),
                                       offset=number(offset)))
    prefix = store.iris.base + "id/organisation/"
    return jsonify([{"id": r["org"].value.removeprefix(prefix), "iri": r["org"].value,
                     "name": r["name"].value, "city": r["city"].value if "city" in r else None,
                     "profiled": truth(r["profiled"])} for r in rows])


@bp.get("/api/changes")
def changes() -> Response:
    store = current().store
    limit, offset = _page()
    rows = store.select(QUERIES.render("changes", limit=number(limit), offset=number(offset)),
                        changelog=store.iris.changelog_graph)
    return jsonify([{"activity": r["activity"].value, "time": r["time"].value,
                     "action": r["action"].value, "agent": r["agent"].value,
                     "label": r["label"].value if "label" in r else None,
                     "graphs": r["graphs"].value.split() if "graphs" in r else []}
                    for r in rows])


@bp.get("/context.jsonld")
def context() -> Response:
    response = jsonify(jsonld_context(current().store.iris))
    response.mimetype = "application/ld+json"
    return response
