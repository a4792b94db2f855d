"""The site's own pages: home, ontology documentation, shapes, health check."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from crossinnov.publish import negotiate
from crossinnov.resources import ontology_path, shapes_paths
from crossinnov.web.describe import counts
from crossinnov.web.state import current

bp = Blueprint("pages", __name__)


@bp.route("/")
def home() -> str:
    return render_template("home.html", counts=counts())


@bp.route("/ontology")
def ontology() -> Response:
    chosen = negotiate(request.headers.get("Accept"), ["text/html", "text/turtle"])
    if chosen == "text/turtle":
        response = Response(ontology_path().read_bytes(), mimetype="text/turtle")
    else:
        response = Response(render_template("ontology.html"), mimetype="text/html")
    response.vary.add("Accept")
    return response


@bp.route("/shapes")
def shapes() -> Response:
    body = b"\n".join(p.read_bytes() for p in shapes_paths())
    return Response(body, mimetype="text/turtle")


@bp.route("/healthz")
def healthz() -> Response:
    store = current().store
    ok = store.ask("ASK { ?s ?p ?o }")
    response = jsonify({"status": "ok" if ok else "empty", "quads": len(store)})
    response.status_code = 200
    return response
