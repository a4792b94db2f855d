"""Errors as HTTP answers, in one place; CORS on every response.

Views raise library exceptions or :class:`HttpError`; the handlers below turn
them into a status code and a body the client can read: HTML for browsers,
JSON for clients that ask for JSON, plain text otherwise.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from crossinnov.analysis import AnalysisTooBig
from crossinnov.formats import negotiate
from crossinnov.sparql.answers import (
    PoolBusy,
    QueryOverMemory,
    QueryRejected,
    QueryTimeout,
    WorkerDied,
)
from crossinnov.sparql.protocol import ProtocolError
from crossinnov.stores.base import StoreError
from crossinnov.web.fairuse import Refused
from crossinnov.web.state import current
from crossinnov.writes.profiles import BodyError, Rejected
from crossinnov.writes.tokens import AuthError

log = logging.getLogger("crossinnov.web")


class HttpError(Exception):
    """An error with its HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, **extra) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 406: "Not acceptable", 409: "Conflict",
          410: "Gone", 412: "Precondition failed", 413: "Too large",
          415: "Unsupported media type", 422: "Unprocessable content",
          429: "Too many requests", 500: "Server error", 503: "Service unavailable"}

#: the failures of a query, as (status, message) makers; Retry-After where trying again helps
QUERY_FAILURES = (QueryRejected, QueryTimeout, QueryOverMemory, WorkerDied, PoolBusy, Refused)


@dataclass
class Failure:
    """How a failed query is answered: status, message in words, headers, and for a syntax
    error where it is (``line``, ``column``) and what would mend it (``fix``)."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    details: dict = field(default_factory=dict)


def describe_failure(exc: Exception) -> Failure:
    """Return how to answer a failed query."""
    settings = current().settings
    if isinstance(exc, QueryRejected):
        explained = getattr(exc, "explained", None)
        if explained is not None:
            where = (f" at line {explained.line}, column {explained.column}"
                     if explained.line else "")
            details = {k: v for k, v in explained.as_dict().items() if k != "message"}
            return Failure(400, f"SPARQL syntax error{where}: {explained.message}",
                           details=details)
        prefix = "SPARQL syntax error" if exc.kind == "syntax" else "the query failed"
        return Failure(400, f"{prefix}: {exc}")
    if isinstance(exc, QueryTimeout):
        return Failure(503, f"{exc} (time limit: {settings.query_timeout:g} s). Narrow the "
                            "query, add a LIMIT, or run it on a dump.")
    if isinstance(exc, QueryOverMemory):
        return Failure(503, f"{exc}. Sorting, grouping and DISTINCT over large joins hold "
                            "their rows in memory: narrow the query, or run it on a dump.")
    if isinstance(exc, WorkerDied):
        return Failure(503, f"{exc}; try again", {"Retry-After": "1"})
    if isinstance(exc, PoolBusy):
        return Failure(503, f"the store is busy: {exc}; try again shortly", {"Retry-After": "5"})
    if isinstance(exc, Refused):
        return Failure(exc.status, str(exc), {"Retry-After": str(exc.retry_after)})
    raise TypeError(f"not a query failure: {exc!r}")


#: most errors listed in one answer (the answer says how many there are)
MAX_ERRORS = 100
#: most characters of a rejected value echoed back
MAX_ECHO = 200


def _shown(error: dict) -> dict:
    """An error as sent back: a long value is cut (the client sent it; it need not get it back)."""
    value = error.get("value")
    if isinstance(value, str) and len(value) > MAX_ECHO:
        error = {**error, "value": value[:MAX_ECHO] + f"… ({len(value)} characters)"}
    elif not isinstance(value, str | int | float | bool | type(None)):
        text = str(value)
        error = {**error, "value": text if len(text) <= MAX_ECHO else text[:MAX_ECHO] + "…"}
    return error


def error_response(status: int, message: str, **extra) -> Response:
    """Return an error in the form the client prefers (JSON first under ``/api/``)."""
    offered = ["text/plain", "application/json", "text/html"]
    if request.path.startswith("/api/"):
        offered = ["application/json", "text/plain", "text/html"]
    chosen = negotiate(request.headers.get("Accept"), offered)
    if chosen == "text/html":
        body = render_template("error.html", status=status,
                               title=TITLES.get(status, "Error"), message=message)
        response = Response(body, status=status, mimetype="text/html")
    elif chosen == "application/json" or (chosen is None and extra):
        response = jsonify({"status": status, "message": message, **extra})
        response.status_code = status
    else:
        fix = f"\n\nTo mend it:\n{extra['fix']}" if extra.get("fix") else ""
        response = Response(message + fix + "\n", status=status, mimetype="text/plain")
    return response


def init_app(app: Flask) -> None:

    @app.errorhandler(AuthError)
    def _auth(exc: AuthError):
        response = jsonify({"status": exc.status, "message": str(exc)})
        response.status_code = exc.status
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="crossinnov"'
        if exc.retry_after is not None:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(BodyError)
    def _body(exc: BodyError):
        response = jsonify({"status": exc.status, "message": str(exc)})
        response.status_code = exc.status
        return response

    @app.errorhandler(Rejected)
    def _rejected(exc: Rejected):
        errors = [_shown(e.as_dict()) for e in exc.errors[:MAX_ERRORS]]
        message = str(exc) if len(exc.errors) <= MAX_ERRORS else (
            f"{len(exc.errors)} errors; the first {MAX_ERRORS} are listed")
        body = {"status": exc.status, "message": message[:MAX_ECHO * 4] or "rejected",
                "errors": errors, "count": len(exc.errors)}
        response = jsonify(body)
        response.status_code = exc.status
        return response

    @app.errorhandler(HttpError)
    def _http_error(exc: HttpError):
        return error_response(exc.status, exc.message, **exc.extra)

    @app.errorhandler(ProtocolError)
    def _protocol_error(exc: ProtocolError):
        return error_response(exc.status, exc.message)

    @app.errorhandler(QueryRejected)
    @app.errorhandler(QueryTimeout)
    @app.errorhandler(QueryOverMemory)
    @app.errorhandler(WorkerDied)
    @app.errorhandler(PoolBusy)
    @app.errorhandler(Refused)
    def _query_failed(exc: Exception):
        failure = describe_failure(exc)
        response = error_response(failure.status, failure.message, **failure.details)
        response.headers.update(failure.headers)
        return response

    @app.errorhandler(AnalysisTooBig)
    def _too_big(exc: AnalysisTooBig):  # a report computed for the occasion, say
        return error_response(503, str(exc))

    @app.errorhandler(StoreError)
    def _store(exc: StoreError):
        log.error("store error: %s", exc)
        return error_response(503, f"the store cannot answer: {exc}")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        messages = {404: "There is nothing at this address.",
                    405: f"{request.method} is not allowed here.",
                    413: "The request body is too large."}
        response = error_response(exc.code or 500,
                                  messages.get(exc.code or 500, exc.description or "error"))
        allow = exc.get_response().headers.get("Allow")
        if allow:  # RFC 9110 15.5.6: a 405 names the methods that are allowed
            response.headers["Allow"] = allow
        return response

    @app.after_request
    def _cors(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = (
            "ETag, Last-Modified, Location, Content-Disposition, Retry-After, X-SPARQL-MaxRows, "
            "X-SPARQL-MaxBytes, X-SPARQL-Truncated, Warning")
        if request.method == "OPTIONS":
            # the route's own methods, as Flask's automatic OPTIONS answer lists them
            response.headers["Access-Control-Allow-Methods"] = response.headers.get(
                "Allow", "GET, HEAD, OPTIONS")
            response.headers["Access-Control-Allow-Headers"] = (
                "Accept, Authorization, Content-Type, If-None-Match, If-Modified-Since")
            response.headers["Access-Control-Max-Age"] = "86400"
        return response
