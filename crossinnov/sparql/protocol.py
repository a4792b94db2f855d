"""The SPARQL 1.1 Protocol's query operation, read from a request (no Flask here).

:func:`parse_request` reads the query, the dataset (``default-graph-uri``,
``named-graph-uri``) and the format from a GET or POST as section 2.1 of
https://www.w3.org/TR/sparql11-protocol/ says, refusing what it calls malformed;
:func:`choose_formats` picks the answer's format from ``format=`` or ``Accept``.
The web layer turns :class:`ProtocolError` into its HTTP status.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from crossinnov.formats import (
    FORMAT_ALIASES,
    GRAPH_MEDIA,
    GRAPH_TYPES,
    RESULT_MEDIA,
    RESULT_TYPES,
    negotiate,
)


class ProtocolError(Exception):
    """A request the endpoint answers with an error status, and why in words."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
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


def parse_request(method: str, query_string: bytes | str, mimetype: str,
                  raw: bytes) -> ProtocolRequest:
    """Read query, dataset and format from a GET or POST the way the protocol says.

    :raises ProtocolError: a request the protocol calls malformed (400), an update
        (403: the endpoint is read-only), or a body of another media type (415)
    """
    try:
        url = _params(query_string)
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request URL is not valid UTF-8") from None
    params = url
    body_query: str | None = None
    if method == "POST":
        mime = mimetype
        if mime == FORM:
            try:
                body = _params(raw)
            except UnicodeDecodeError:
                raise ProtocolError(400, "the form body is not valid UTF-8") from None
            if "query" in url and "query" in body:
                raise ProtocolError(400, "the query is given both in the URL and in the body")
            params = {**url, **body} if "query" in body else {**body, **url}
        elif mime == DIRECT:
            try:
                body_query = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ProtocolError(400, "the query is not valid UTF-8") from None
            if "query" in url:
                raise ProtocolError(400, "a query in the body must not also be given in the URL")
        elif mime == UPDATE:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is refused")
        else:
            raise ProtocolError(415, f"unsupported content type {mime or '(none)'}: send "
                                 f"{FORM} or {DIRECT}")
    if "update" in params:
        if "query" in params or body_query is not None:
            # SPARQL 1.1 Protocol 2.1.4/2.2.4: a request with both is malformed
            raise ProtocolError(400, "a request carries either a query or an update, not both")
        raise ProtocolError(403, "this endpoint is read-only: SPARQL Update is refused")
    queries = params.get("query", [])
    if len(queries) > 1:
        raise ProtocolError(400, "more than one query parameter")
    query = body_query if body_query is not None else (queries[0] if queries else None)
    if method == "POST" and not query:
        raise ProtocolError(400, "no query in the request")
    formats = params.get("format") or params.get("output") or [None]
    return ProtocolRequest(query, params.get("default-graph-uri", []),
                           params.get("named-graph-uri", []), formats[0])


def choose_formats(fmt: str | None, accept: str | None, form: str | None) -> tuple[str, str]:
    """Return (result format, graph format) for the answer: ``format`` first, then Accept.

    ``html`` is one of them when a browser asks for a page.
    """
    graph_form = form in ("CONSTRUCT", "DESCRIBE")
    if fmt:
        key = fmt.strip().lower()
        if key in RESULT_TYPES or key in GRAPH_TYPES:
            result, graph = RESULT_TYPES.get(key), GRAPH_TYPES.get(key)
        elif key in FORMAT_ALIASES:
            result, graph = FORMAT_ALIASES[key]
        else:
            raise ProtocolError(400, f"unknown format {fmt!r}")
        if (graph if graph_form else result) is None:
            kind = "graph (CONSTRUCT, DESCRIBE)" if graph_form else "SELECT or ASK"
            raise ProtocolError(400, f"format {fmt!r} cannot hold a {kind} answer")
        return result or "json", graph or "turtle"
    offered = ([*GRAPH_MEDIA.values()] if graph_form else [*RESULT_MEDIA.values()])
    offered += ["text/html", "application/json", "application/xml"]
    if graph_form:
        offered.append("text/plain")  # N-Triples
    chosen = negotiate(accept, offered)
    if chosen is None:
        raise ProtocolError(406, "none of the accepted media types can hold this answer; "
                             f"offered: {', '.join(offered)}")
    if chosen == "text/html":
        return "html", "html"
    return RESULT_TYPES.get(chosen, "json"), GRAPH_TYPES.get(chosen, "turtle")
