"""``/sparql``: the SPARQL 1.1 Protocol for queries (https://www.w3.org/TR/sparql11-protocol/).

Read-only: updates are refused (403) and the store is not touched. Each query
runs in a query worker under the time limit (503 when it is overrun), with a
cap on result rows and on query length; federated ``SERVICE`` is refused unless
allowed. Without a query, a browser gets the query page and an RDF client the
SPARQL Service Description (https://www.w3.org/TR/sparql11-service-description/).
"""

from __future__ import annotations

import re
import time

from flask import Blueprint, Response, request

from crossinnov.formats import (
    FORMAT_ALIASES,
    GRAPH_MEDIA,
    GRAPH_TYPES,
    RESULT_MEDIA,
    WELL_KNOWN_PREFIXES,
    negotiate,
    prefixes_for,
)
from crossinnov.publish.describe import service_description
from crossinnov.sparql.answers import Answer, QueryRejected, QuerySpec
from crossinnov.sparql.cache import etag, key_of
from crossinnov.sparql.errors import explain
from crossinnov.sparql.protocol import ProtocolRequest, choose_formats, parse_request
from crossinnov.sparql.text import (
    QueryTooDeep,
    check_depth,
    looks_like_update,
    query_form,
    uses_service,
)
from crossinnov.stores.base import PUBLIC
from crossinnov.web.errors import HttpError
from crossinnov.web.security import client_key
from crossinnov.web.state import current

bp = Blueprint("sparql", __name__)

#: most bytes of an answer shown as a page (the downloads hold up to the endpoint's limit)
HTML_MAX_BYTES = 8_000_000


def check_query(query: str) -> None:
    """Refuse, before any parser sees it, a query this endpoint will not run."""
    settings = current().settings
    try:
        check_depth(query, settings.max_query_depth)
    except QueryTooDeep as exc:
        raise HttpError(400, f"the query is nested {exc.depth} levels deep (brackets, braces, "
                             f"and chains of ! or ^); this endpoint allows {exc.limit}") from None
    if uses_service(query) and not settings.allow_service:
        raise HttpError(400, "federated queries (SERVICE) are disabled on this endpoint")
    if looks_like_update(query):
        raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    req = parse_request(request.method, request.query_string, request.mimetype,
                        request.get_data(cache=True) if request.method == "POST" else b"")
    if req.query is None:
        return _no_query(req)
    crossinnov = current()
    if len(req.query) > crossinnov.settings.max_query_length:
        raise HttpError(413, "the query is longer than "
                             f"{crossinnov.settings.max_query_length} characters")
    form = query_form(req.query)
    result_format, graph_format = choose_formats(req.format, request.headers.get("Accept"), form)
    html = result_format == "html"
    dataset = bool(req.default_graph or req.named_graphs)
    spec = QuerySpec(
        req.query,
        req.default_graph if dataset else None,
        req.named_graphs if dataset else None,
        None,
        "json" if html else result_format,
        # the query page reads graph answers back as N-Triples (stores.served.parse_answer);
        # Turtle here made every CONSTRUCT/DESCRIBE asked for as HTML fail with a 500
        # (SPARQL 1.1 Protocol 2.1.5/2.1.6: a CONSTRUCT/DESCRIBE answer in the negotiated format)
        "ntriples" if html else graph_format,
        crossinnov.settings.max_result_rows,
        prefixes_for(crossinnov.store.iris),
        # relative IRIs resolve against the endpoint (SPARQL 1.1 Query 4.1.1.1)
        request.base_url,
        max_bytes=(min(HTML_MAX_BYTES, crossinnov.settings.max_result_bytes) if html
                   else crossinnov.settings.max_result_bytes),
    )
    if html:
        return _html_answer(req, spec)
    version = crossinnov.store.version()
    key = None if version is None else key_of(spec)
    tag = None if key is None else etag(key, version)
    if tag is not None and request.method in ("GET", "HEAD") \
            and request.if_none_match.contains_weak(tag):
        # RFC 9110 13.1.2: the client holds this very answer; nothing is run
        not_modified = Response(status=304)
        not_modified.set_etag(tag)
        not_modified.vary.add("Accept")
        return not_modified
    answer = run_public(spec, key, version)
    media = GRAPH_MEDIA[answer.format] if answer.kind == "graph" else RESULT_MEDIA[answer.format]
    response = Response(answer.chunks, mimetype=media)
    if answer.complete and answer.size is not None:
        # the whole answer is read before it is sent: its length lets the connection stay
        # open (waitress closes it after every chunked response)
        response.content_length = answer.size
    if media.startswith("text/") or media.endswith(("json", "xml")):
        response.mimetype_params["charset"] = "utf-8"
    limit_headers(response, answer, spec)
    if tag is not None:
        response.set_etag(tag)
    response.vary.add("Accept")
    return response


def run_public(spec: QuerySpec, key: str | None = None, version: str | None = None) -> Answer:
    """Check and run a query for a member of the public: through the gate, in the public lane.

    An answer the cache holds for the store's present version is sent again without
    running anything (its text passed the checks when it was first run). The checks of
    the text are inside the gate too: scanning a long hostile query costs time, and a
    client gets no more of it than of the workers.
    """
    crossinnov = current()
    if key is None or version is None:  # not worked out by the caller
        version = crossinnov.store.version()
        key = None if version is None else key_of(spec)
    if key is not None:
        cached = crossinnov.answers.get(key, version)
        if cached is not None:
            return cached
    with crossinnov.gate.admit(client_key()):
        check_query(spec.sparql)
        try:
            answer = crossinnov.store.answer(spec, lane=PUBLIC)
        except QueryRejected as exc:
            if exc.kind == "syntax":  # in words, at the token at fault (crossinnov.sparql.errors)
                known = {**WELL_KNOWN_PREFIXES, **(spec.prefixes or {})}
                exc.explained = explain(spec.sparql, str(exc), known)
            raise
    return answer if key is None else crossinnov.answers.put(key, version, answer)


def limit_headers(response: Response, answer: Answer, spec: QuerySpec) -> None:
    """Say the limits, and whether this answer was cut by one of them."""
    response.headers["X-SPARQL-MaxRows"] = str(spec.max_rows)
    response.headers["X-SPARQL-MaxBytes"] = str(spec.max_bytes)
    if answer.cut:
        response.headers["X-SPARQL-Truncated"] = answer.cut
        limit = ("the result row limit" if answer.cut == "rows" else
                 f"the result size limit of {spec.max_bytes} bytes")
        response.headers["Warning"] = (f'199 - "answer cut at {answer.rows} rows ({limit})"')


def _html_answer(req: ProtocolRequest, spec: QuerySpec) -> Response:
    """A browser's answer: the query page, with the query kept even when it fails."""
    from crossinnov.web.errors import QUERY_FAILURES, Failure, describe_failure
    from crossinnov.web.querypage import render_answer, render_error

    started = time.perf_counter()
    try:
        answer = run_public(spec)
    except HttpError as exc:
        failure = Failure(exc.status, exc.message)
    except QUERY_FAILURES as exc:
        failure = describe_failure(exc)
    else:
        failure = None
    if failure is not None:
        response = Response(render_error(req.query, failure), status=failure.status,
                            mimetype="text/html", headers=failure.headers)
    else:
        dataset = {"default-graph-uri": req.default_graph, "named-graph-uri": req.named_graphs}
        response = Response(render_answer(req.query, answer,
                                          {k: v for k, v in dataset.items() if v},
                                          max_bytes=spec.max_bytes or 0,
                                          seconds=time.perf_counter() - started),
                            mimetype="text/html")
        limit_headers(response, answer, spec)
    response.vary.add("Accept")
    return response


def _no_query(req: ProtocolRequest) -> Response:
    accept = request.headers.get("Accept")
    chosen = negotiate(accept, ["text/html", *GRAPH_MEDIA.values()])
    if chosen == "text/html" and req.format is None:
        from crossinnov.web.querypage import query_page

        return query_page()
    fmt = GRAPH_TYPES.get(chosen or "text/turtle", "turtle")
    if req.format:
        fmt = FORMAT_ALIASES.get(req.format.lower(), (None, "turtle"))[1] or "turtle"
    crossinnov = current()
    body, media = service_description(crossinnov.store, request.url_root, fmt,
                                      allow_service=crossinnov.settings.allow_service)
    response = Response(body, mimetype=media)
    response.vary.add("Accept")
    return response


@bp.get("/sparql/complete")
def complete() -> Response:
    """The query editor's completion of resource ids: ``?prefix=organisation&q=bee``."""
    from flask import jsonify

    from crossinnov.web.querypage import complete as ids

    prefix = request.args.get("prefix", "")[:40]
    text = request.args.get("q", "")[:100]
    if not re.fullmatch(r"[a-z0-9-]*", text.lower()):
        return jsonify([])
    response = jsonify(ids(prefix, text))
    response.cache_control.max_age = 60
    return response
