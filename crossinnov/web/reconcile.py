"""``/reconcile``: a W3C Reconciliation Service (API 0.2, what OpenRefine speaks) for organisations.

The protocol lives here; the matching is :mod:`crossinnov.reconcile`'s. Routes:

- ``GET /reconcile``: the manifest; with ``queries=`` (GET, or a POST form field) a batch
  of reconciliation queries; with ``extend=`` a data extension query;
- ``GET /reconcile/suggest/entity|type|property?prefix=...&cursor=N``: auto-completion;
- ``GET /reconcile/propose_properties?type=...&limit=N``: what ``extend`` can fetch;
- ``GET /reconcile/preview?id=...``: a small HTML card of one organisation.

Entities are organisations, their ids the short ids (the identifier space + id is the
IRI); their one type is ``ci:Organisation``. Every limit has a default; a request past
it, or malformed, gets a 400 with a message naming what is wrong, or a 413 when it holds
too many items (a batch larger than the manifest's ``batchSize``, as the specification
allows; too many ids to extend). JSONP, which the specification makes optional, is not
offered (CORS is, on every route).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Blueprint, Response, jsonify, render_template_string, request, url_for

from crossinnov import __version__
from crossinnov.namespaces import CI
from crossinnov.reconcile import (
    ORGANISATION_TYPE,
    PROPERTIES,
    Candidate,
    Index,
    Organisation,
    Query,
    build_index,
    fold,
)
from crossinnov.web.errors import HttpError
from crossinnov.web.state import current

bp = Blueprint("reconcile", __name__)

#: queries in one batch (the manifest's batchSize); a larger batch is a 413
MAX_BATCH = 100
#: candidates per query: the default, and the most a query's ``limit`` gets
DEFAULT_CANDIDATES, MAX_CANDIDATES = 5, 25
#: characters of a query's text; properties per query, values per property
MAX_TEXT, MAX_PROPERTIES, MAX_VALUES = 300, 20, 50
#: entities in one data extension query (413 beyond)
MAX_EXTEND_IDS = 500
#: suggestions per answer: the default and the most; the furthest cursor
DEFAULT_SUGGEST, MAX_SUGGEST, MAX_CURSOR = 10, 50, 10_000
MAX_PREFIX = 200
#: the Wikidata reconciliation service whose identifiers ``cityWikidata`` returns
WIKIDATA_SERVICE = "https://wikidata.reconci.link/en/api"
QUERY_FIELDS = ("query", "type", "limit", "properties", "type_strict")
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 200


def index() -> Index:
    """The organisations' index, rebuilt after every write (keyed by the data version)."""
    crossinnov = current()
    return crossinnov.caches.reconcile.get(crossinnov.data_version(),
                                           lambda: build_index(crossinnov.store))


def _show(value: object) -> str:
    """A value the client sent, for a message: quoted if text, as JSON if not, shortened."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text[:60] + "…" if len(text) > 60 else text
    return repr(text) if isinstance(value, str) else text


def _json(text: str, name: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise HttpError(400, f"{name} is not JSON: {exc.msg} at line {exc.lineno}, "
                             f"column {exc.colno}") from None
    except RecursionError:
        raise HttpError(400, f"{name} is nested too deeply to read") from None


def _whole(name: str, value: object, low: int, high: int | None = None) -> int:
    """An integer given as a number or as digits; 400 below ``low`` or above ``high``."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
            high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise HttpError(400, f"{name} must be a whole number {bound}, not {_show(value)}")
    return value


# --- reconciliation queries --------------------------------------------------------------------

def _values(where: str, given: object) -> tuple[str, ...]:
    """A property's values as texts: strings, numbers, booleans, or entities ``{id, name}``."""
    items = given if isinstance(given, list) else [given]
    if not items or len(items) > MAX_VALUES:
        raise HttpError(400, f"{where}: v must hold from 1 to {MAX_VALUES} values")
    texts: list[str] = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            texts.append(item["id"])
            if isinstance(item.get("name"), str):
                texts.append(item["name"])
        elif isinstance(item, bool):
            texts.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            texts.append(str(item))
        else:
            raise HttpError(400, f"{where}: a value must be a string, a number, a boolean or "
                                 f"an entity {{\"id\": ...}}, not {_show(item)}")
    return tuple(text[:MAX_TEXT] for text in texts)


def _properties(where: str, given: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(given, list) or len(given) > MAX_PROPERTIES:
        raise HttpError(400, f"{where}: properties must be a list of at most {MAX_PROPERTIES} "
                             "objects {\"pid\": ..., \"v\": ...}")
    out = []
    for item in given:
        if not isinstance(item, dict) or set(item) != {"pid", "v"}:
            raise HttpError(400, f"{where}: each property is an object with exactly pid and v, "
                                 f"not {_show(item)}")
        pid = item["pid"]
        if pid == "sector":
            pid = "sectors"
        if pid not in PROPERTIES:
            raise HttpError(400, f"{where}: there is no property {_show(pid)}; the properties "
                                 f"are {', '.join(PROPERTIES)}")
        out.append((pid, _values(f"{where}, property {pid}", item["v"])))
    return tuple(out)


def parse_query(key: str, given: object) -> Query:
    """Read one query of a batch (see the query batch schema); 400 on anything amiss."""
    where = f"query {_show(key)}"
    if not isinstance(given, dict):
        raise HttpError(400, f"{where} must be a JSON object such as {{\"query\": \"a name\"}}")
    unknown = [name for name in given if name not in QUERY_FIELDS]
    if unknown:
        raise HttpError(400, f"{where}: unknown field {_show(unknown[0])}; a query has "
                             f"{', '.join(QUERY_FIELDS)}")
    text = given.get("query", "")
    if not isinstance(text, str):
        raise HttpError(400, f"{where}: query must be a string, not {_show(text)}")
    if len(text) > MAX_TEXT:
        raise HttpError(400, f"{where}: query has {len(text)} characters; at most {MAX_TEXT}")
    properties = _properties(where, given.get("properties", []))
    if "query" not in given and not properties:
        raise HttpError(400, f"{where} needs a query text or at least one property")
    types = given.get("type", ())
    types = (types,) if isinstance(types, str) else types
    if not isinstance(types, list | tuple) or not all(isinstance(t, str) for t in types):
        raise HttpError(400, f"{where}: type must be a type id or a list of them")
    if given.get("type_strict", "any") not in ("any", "should", "all"):
        raise HttpError(400, f"{where}: type_strict must be any, should or all")
    limit = _whole(f"{where}: limit", given.get("limit", DEFAULT_CANDIDATES), 1)
    return Query(text, properties, min(limit, MAX_CANDIDATES), tuple(types))


def parse_batch(text: str) -> dict[str, Query]:
    """Read a batch of queries: a JSON object of queries by key."""
    batch = _json(text, "queries")
    if not isinstance(batch, dict):
        raise HttpError(400, "queries must be a JSON object of queries by key, such as "
                             "{\"q0\": {\"query\": \"Pakmarkas\"}}")
    if len(batch) > MAX_BATCH:
        raise HttpError(413, f"the batch has {len(batch)} queries; at most {MAX_BATCH} "
                             "(the manifest's batchSize)")
    return {key: parse_query(key, query) for key, query in batch.items()}


def candidate_json(candidate: Candidate) -> dict:
    org = candidate.organisation
    out: dict = {"id": org.id, "name": org.name}
    if org.summary():
        out["description"] = org.summary()
    out.update({"type": [ORGANISATION_TYPE], "score": candidate.score,
                "match": candidate.match,
                "features": [{"id": "name", "value": candidate.name_score},
                             *({"id": pid, "value": agreed}
                               for pid, agreed in candidate.agreement.items())]})
    return out


# --- data extension ----------------------------------------------------------------------------

def parse_extension(text: str) -> tuple[list[str], list[tuple[str, int]]]:
    """Read a data extension query: entity ids, and (property, most values; 0: all)."""
    given = _json(text, "extend")
    if not isinstance(given, dict) or not isinstance(given.get("ids"), list) or not isinstance(
            given.get("properties"), list):
        raise HttpError(400, "extend must be a JSON object {\"ids\": [...], \"properties\": "
                             "[{\"id\": ...}]}")
    ids = given["ids"]
    if len(ids) > MAX_EXTEND_IDS:
        raise HttpError(413, f"extend has {len(ids)} ids; at most {MAX_EXTEND_IDS}")
    if not all(isinstance(i, str) for i in ids):
        raise HttpError(400, "extend: every id must be a string")
    if len(given["properties"]) > len(PROPERTIES):
        raise HttpError(400, f"extend: at most {len(PROPERTIES)} properties")
    wanted: list[tuple[str, int]] = []
    for item in given["properties"]:
        pid = item.get("id") if isinstance(item, dict) else None
        if pid not in PROPERTIES:
            raise HttpError(400, f"extend: there is no property {_show(pid)}; the properties are "
                                 f"{', '.join(PROPERTIES)}")
        settings = item.get("settings") or {}
        if not isinstance(settings, dict) or set(settings) - {"limit"}:
            raise HttpError(400, f"extend: property {pid} takes one setting, limit, not "
                                 f"{_show(settings)}")
        limit = _whole(f"extend: the limit of {pid}", settings.get("limit", 0), 0)
        if pid not in {p for p, _ in wanted}:
            wanted.append((pid, limit))
    return ids, wanted


def _extension_value(pid: str, value) -> dict:
    if pid == "cityWikidata":
        return {"id": value.wikidata, "name": value.name}
    return {"str": value if isinstance(value, str) else value.name}


def extension_json(idx: Index, ids: list[str], wanted: list[tuple[str, int]]) -> dict:
    meta = []
    for pid, _ in wanted:
        column = {"id": pid, "name": PROPERTIES[pid].name}
        if pid == "cityWikidata":
            column["service"] = WIKIDATA_SERVICE
        meta.append(column)
    rows = {}
    for ident in ids:
        org = idx.get(ident)
        rows[ident] = {pid: [_extension_value(pid, v) for v in (
            idx.values(org, pid) if org else [])][:limit or None] for pid, limit in wanted}
    return {"meta": meta, "rows": rows}


# --- the service -------------------------------------------------------------------------------

def manifest() -> dict:
    root = url_for("reconcile.service", _external=True)
    view = url_for("resource.resource", kind="organisation", slug="ID", _external=True)
    return {
        "versions": ["0.2"],
        "name": "crossinnov: organisations of the Cross Innovation project",
        "identifierSpace": current().store.iris.base + "id/organisation/",
        "schemaSpace": CI.Organisation.value.rsplit("#", 1)[0] + "#",
        "serviceVersion": __version__,
        "defaultTypes": [ORGANISATION_TYPE],
        "view": {"url": view[:-2] + "{{id}}"},
        "preview": {"url": url_for("reconcile.preview", _external=True) + "?id={{id}}",
                    "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
        "suggest": {kind: {"service_url": root, "service_path": f"/suggest/{kind}"}
                    for kind in ("entity", "type", "property")},
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/propose_properties"},
            "property_settings": [{"name": "limit", "label": "Limit", "type": "number",
                                   "default": 0, "help_text": "The most values to fetch per "
                                                              "organisation (0: all)"}],
        },
        "batchSize": MAX_BATCH,
    }


@bp.route("/reconcile", methods=["GET", "POST"])
def service() -> Response:
    """The manifest, a batch of queries (``queries``) or a data extension (``extend``)."""
    given: Mapping[str, str] = request.values
    if "callback" in given:
        raise HttpError(400, "JSONP (callback) is not offered: this service answers every "
                             "origin by CORS")
    if "queries" in given and "extend" in given:
        raise HttpError(400, "send either queries or extend, not both")
    if "queries" in given:
        idx = index()
        return jsonify({key: {"result": [candidate_json(c) for c in idx.reconcile(query)]}
                        for key, query in parse_batch(given["queries"]).items()})
    if "extend" in given:
        ids, wanted = parse_extension(given["extend"])
        return jsonify(extension_json(index(), ids, wanted))
    if request.method == "POST":
        raise HttpError(400, "post a form (application/x-www-form-urlencoded) with a field "
                             "queries (a JSON batch of queries) or extend (a data extension "
                             "query)")
    return jsonify(manifest())


def _suggest_args() -> tuple[str, int, int]:
    prefix = request.args.get("prefix")
    if prefix is None:
        raise HttpError(400, "prefix is required: the text typed so far")
    if len(prefix) > MAX_PREFIX:
        raise HttpError(400, f"prefix may have at most {MAX_PREFIX} characters")
    cursor = _whole("cursor", request.args.get("cursor", "0"), 0, MAX_CURSOR)
    limit = _whole("limit", request.args.get("limit", str(DEFAULT_SUGGEST)), 1)
    return prefix, cursor, min(limit, MAX_SUGGEST)


@bp.get("/reconcile/suggest/entity")
def suggest_entity() -> Response:
    prefix, cursor, limit = _suggest_args()
    found = index().suggest(prefix)[cursor:cursor + limit]
    return jsonify({"result": [{"id": org.id, "name": org.name,
                                **({"description": org.summary()} if org.summary() else {}),
                                "notable": [ORGANISATION_TYPE]} for org in found]})


def _starts(prefix: str, *texts: str) -> bool:
    wanted = fold(prefix)
    return any(f" {wanted}" in f" {fold(text)}" for text in texts)


@bp.get("/reconcile/suggest/type")
def suggest_type() -> Response:
    prefix, cursor, limit = _suggest_args()
    types = [{**ORGANISATION_TYPE, "description": "An organisation of the Cross Innovation "
                                                  "project's cities (ci:Organisation)"}]
    found = [t for t in types if _starts(prefix, t["name"], t["id"], "ci:Organisation")]
    return jsonify({"result": found[cursor:cursor + limit]})


@bp.get("/reconcile/suggest/property")
def suggest_property() -> Response:
    prefix, cursor, limit = _suggest_args()
    found = [{"id": p.id, "name": p.name, "description": p.description}
             for p in PROPERTIES.values() if _starts(prefix, p.id, p.name)]
    return jsonify({"result": found[cursor:cursor + limit]})


@bp.get("/reconcile/propose_properties")
def propose_properties() -> Response:
    """The properties ``extend`` can fetch for a type (organisations: all of them)."""
    kind = request.args.get("type", "").strip()
    if kind and kind != ORGANISATION_TYPE["id"]:
        raise HttpError(400, f"there is no type {_show(kind)}; the one type is "
                             f"{ORGANISATION_TYPE['id']}")
    limit = request.args.get("limit")
    count = _whole("limit", limit, 1) if limit is not None else len(PROPERTIES)
    answer: dict = {"type": kind or ORGANISATION_TYPE["id"],
                    "properties": [{"id": p.id, "name": p.name, "description": p.description}
                                   for p in PROPERTIES.values()][:count]}
    if limit is not None:
        answer["limit"] = count
    return jsonify(answer)


PREVIEW = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ org.name }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ url_for('static', filename='style.css') }}"></head>
<body><main>
<p class="kind">Organisation{% if org.city %} · {{ org.city.name }}{% endif %}</p>
<p><strong><a href="{{ page }}" target="_blank" rel="noopener">{{ org.name }}</a></strong></p>
{% if org.sectors %}
<p class="small muted">{{ org.sectors | map(attribute='name') | join(', ') }}</p>
{% endif %}
{% if description %}<p class="small">{{ description }}</p>{% endif %}
{% for home in homes %}
<p class="small"><a class="ext" href="{{ home }}" target="_blank"
   rel="noopener noreferrer">{{ home }}</a></p>
{% endfor %}
</main></body></html>
"""


@bp.get("/reconcile/preview")
def preview() -> Response:
    """A small HTML card of one organisation, for the client's iframe (no script, no inline
    style: the site's own stylesheet)."""
    ident = request.args.get("id", "").strip()
    if not ident:
        raise HttpError(400, "id is required: an organisation's id")
    org: Organisation | None = index().get(ident)
    if org is None:
        raise HttpError(404, f"there is no organisation {_show(ident)}")
    text = org.description
    description = text if len(text) <= 240 else text[:240].rsplit(" ", 1)[0] + " …"
    page = url_for("resource.resource", kind="organisation", slug=org.id, _external=True)
    homes = [h for h in org.homepages if h.startswith(("http://", "https://"))]
    return Response(render_template_string(PREVIEW, org=org, page=page, homes=homes,
                                           description=description), mimetype="text/html")


@bp.after_app_request
def _preview_may_be_framed(response: Response) -> Response:
    """Let the preview, and only it, be shown in another site's iframe (as the API means it).

    The site's pages refuse framing (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``,
    set before this runs); a preview is read-only, with no form or action to trick anyone
    into, so it allows any frame ancestor and keeps every other rule of the policy.
    """
    if request.endpoint == "reconcile.preview" and response.mimetype == "text/html":
        policy = response.headers.get("Content-Security-Policy")
        if policy:
            response.headers["Content-Security-Policy"] = policy.replace(
                "frame-ancestors 'none'", "frame-ancestors *")
        response.headers.pop("X-Frame-Options", None)
    return response
