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
from dataclasses import dataclass
from urllib.parse import parse_qs

from flask import Blueprint, Response, request

from crossinnov.publish import (
    FORMAT_ALIASES,
    GRAPH_MEDIA,
    GRAPH_TYPES,
    RESULT_MEDIA,
    RESULT_TYPES,
    negotiate,
)
from crossinnov.rdfio import WELL_KNOWN_PREFIXES, prefixes_for
from crossinnov.sparqlerrors import explain
from crossinnov.sparqltext import looks_like_update, nesting_depth, query_form, uses_service
from crossinnov.web.errors import HttpError
from crossinnov.web.security import client_key
from crossinnov.web.state import current
from crossinnov.workers import PUBLIC, Answer, QueryRejected, QuerySpec

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
#: most bytes of an answer shown as a page (the downloads hold up to the endpoint's limit)
HTML_MAX_BYTES = 8_000_000


@dataclass
class ProtocolRequest:
    """A query request as the protocol defines it (section 2.1)."""

    query: str | None
    default_graph: list[str]
    named_graphs: list[str]
    format: str | None


def _params(raw: bytes | str) -> dict[str, list[str]]:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    return parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")


def read_protocol_request() -> ProtocolRequest:
    """Read query, dataset and format from GET or POST the way the protocol says, or raise."""
    try:
        url = _params(request.query_string)
    except UnicodeDecodeError:
        raise HttpError(400, "the request URL is not valid UTF-8") from None
    params = url
    body_query: str | None = None
    if request.method == "POST":
        mime = request.mimetype
        raw = request.get_data(cache=True)
        if mime == FORM:
            try:
                body = _params(raw)
            except UnicodeDecodeError:
                raise HttpError(400, "the form body is not valid UTF-8") from None
            if "query" in url and "query" in body:
                raise HttpError(400, "the query is given both in the URL and in the body")
            params = {**url, **body} if "query" in body else {**body, **url}
        elif mime == DIRECT:
            try:
                body_query = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise HttpError(400, "the query is not valid UTF-8") from None
            if "query" in url:
                raise HttpError(400, "a query in the body must not also be given in the URL")
        elif mime == UPDATE:
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
        else:
            raise HttpError(415, f"unsupported content type {mime or '(none)'}: send "
                                 f"{FORM} or {DIRECT}")
    if "update" in params:
        if "query" in params or body_query is not None:
            # SPARQL 1.1 Protocol 2.1.4/2.2.4: a request with both is malformed
            raise HttpError(400, "a request carries either a query or an update, not both")
        raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
    queries = params.get("query", [])
    if len(queries) > 1:
        raise HttpError(400, "more than one query parameter")
    query = body_query if body_query is not None else (queries[0] if queries else None)
    if request.method == "POST" and not query:
        raise HttpError(400, "no query in the request")
    formats = params.get("format") or params.get("output") or [None]
    return ProtocolRequest(query, params.get("default-graph-uri", []),
                           params.get("named-graph-uri", []), formats[0])


def choose_formats(req: ProtocolRequest, form: str | None) -> tuple[str, str]:
    """Return (result format, graph format) for the answer: ``format`` first, then Accept.

    ``html`` is one of them when a browser asks for a page.
    """
    accept = request.headers.get("Accept")
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if req.format:
        key = req.format.strip().lower()
        if key in RESULT_TYPES or key in GRAPH_TYPES:
            result, graph = RESULT_TYPES.get(key), GRAPH_TYPES.get(key)
        elif key in FORMAT_ALIASES:
            result, graph = FORMAT_ALIASES[key]
        else:
            raise HttpError(400, f"unknown format {req.format!r}")
        if (graph if graph_form else result) is None:
            kind = "graph (CONSTRUCT, DESCRIBE)" if graph_form else "SELECT or ASK"
            raise HttpError(400, f"format {req.format!r} cannot hold a {kind} answer")
        return result or "json", graph or "turtle"
    offered = ([*GRAPH_MEDIA.values()] if graph_form else [*RESULT_MEDIA.values()])
    offered += ["text/html", "application/json", "application/xml"]
    if graph_form:
        offered.append("text/plain")  # N-Triples
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise HttpError(406, "none of the accepted media types can hold this answer; "
                             f"offered: {', '.join(offered)}")
    if chosen == "text/html":
        return "html", "html"
    return RESULT_TYPES.get(chosen, "json"), GRAPH_TYPES.get(chosen, "turtle")


def check_query(query: str) -> None:
    """Refuse, before any parser sees it, a query this endpoint will not run."""
    settings = current().settings
    depth = nesting_depth(query)
    if depth > settings.max_query_depth:
        raise HttpError(400, f"the query is nested {depth} levels deep (brackets, braces, and "
                             f"chains of ! or ^); this endpoint allows "
                             f"{settings.max_query_depth}")
    if uses_service(query) and not settings.allow_service:
        raise HttpError(400, "federated queries (SERVICE) are disabled on this endpoint")
    if looks_like_update(query):
        raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    req = read_protocol_request()
    if req.query is None:
        return _no_query(req)
    crossinnov = current()
    if len(req.query) > crossinnov.settings.max_query_length:
        raise HttpError(413, "the query is longer than "
                             f"{crossinnov.settings.max_query_length} characters")
    form = query_form(req.query)
    result_format, graph_format = choose_formats(req, form)
    html = result_format == "html"
    dataset = bool(req.default_graph or req.named_graphs)
    spec = QuerySpec(
        req.query,
        req.default_graph if dataset else None,
        req.named_graphs if dataset else None,
        None,
        "json" if html else result_format,
        # the query page reads graph answers back as N-Triples (crossinnov.served.parse_answer);
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
    answer = run_public(spec)
    media = GRAPH_MEDIA[answer.format] if answer.kind == "graph" else RESULT_MEDIA[answer.format]
    response = Response(answer.chunks, mimetype=media)
    if media.startswith("text/") or media.endswith(("json", "xml")):
        response.mimetype_params["charset"] = "utf-8"
    limit_headers(response, answer, spec)
    response.vary.add("Accept")
    return response


def run_public(spec: QuerySpec) -> Answer:
    """Check and run a query for a member of the public: through the gate, in the public lane.

    The checks of the text are inside the gate too: scanning a long hostile query costs
    time, and a client gets no more of it than of the workers.
    """
    crossinnov = current()
    with crossinnov.gate.admit(client_key()):
        check_query(spec.sparql)
        try:
            return crossinnov.store.answer(spec, lane=PUBLIC)
        except QueryRejected as exc:
            if exc.kind == "syntax":  # in words, at the token at fault (crossinnov.sparqlerrors)
                known = {**WELL_KNOWN_PREFIXES, **(spec.prefixes or {})}
                exc.explained = explain(spec.sparql, str(exc), known)
            raise


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
    from crossinnov.web.describe import service_description

    body, media = service_description(fmt)
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
