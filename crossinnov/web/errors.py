"""Errors as HTTP answers, in one place; CORS on every response.

Views raise library exceptions or :class:`HttpError`; the handlers below turn
them into a status code and a body the client can read: HTML for browsers,
JSON for clients that ask for JSON, plain text otherwise.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from crossinnov.publish import negotiate
from crossinnov.store import StoreError
from crossinnov.workers import QueryRejected, QueryTimeout, WorkerDied

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
          413: "Too large", 415: "Unsupported media type", 422: "Unprocessable content",
          500: "Server error", 503: "Service unavailable"}


def error_response(status: int, message: str, **extra) -> Response:
    """Return an error in the form the client prefers."""
    chosen = negotiate(request.headers.get("Accept"),
                       ["text/plain", "application/json", "text/html"])
    if chosen == "text/html":
        body = render_template("error.html", status=status,
                               title=TITLES.get(status, "Error"), message=message)
        response = Response(body, status=status, mimetype="text/html")
    elif chosen == "application/json" or extra:
        response = jsonify({"status": status, "message": message, **extra})
        response.status_code = status
    else:
        response = Response(message + "\n", status=status, mimetype="text/plain")
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def _http_error(exc: HttpError):
        return error_response(exc.status, exc.message, **exc.extra)

    @app.errorhandler(QueryTimeout)
    def _timeout(exc: QueryTimeout):
        limit = app.extensions["crossinnov"].settings.query_timeout
        return error_response(503, f"{exc} (time limit: {limit:g} s). Narrow the query, add "
                                   "a LIMIT, or run it on a dump.")

    @app.errorhandler(QueryRejected)
    def _rejected(exc: QueryRejected):
        prefix = "SPARQL syntax error" if exc.kind == "syntax" else "query failed"
        return error_response(400, f"{prefix}: {exc}")

    @app.errorhandler(WorkerDied)
    def _died(exc: WorkerDied):
        return error_response(503, f"{exc}; it is being restarted, try again")

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
            "ETag, Last-Modified, Location, Content-Disposition, X-SPARQL-MaxRows, Warning")
        if request.method == "OPTIONS":
            # the route's own methods, as Flask's automatic OPTIONS answer lists them
            response.headers["Access-Control-Allow-Methods"] = response.headers.get(
                "Allow", "GET, HEAD, OPTIONS")
            response.headers["Access-Control-Allow-Headers"] = (
                "Accept, Authorization, Content-Type, If-None-Match, If-Modified-Since")
            response.headers["Access-Control-Max-Age"] = "86400"
        return response
