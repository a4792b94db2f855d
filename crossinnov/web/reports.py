"""Cluster reports, the analysis trigger, and partner suggestions on the web.

``GET /reports/clusters`` (HTML, inside the site's pages) and
``/reports/clusters.json`` show the latest analysis stored in the analysis graph,
read with SPARQL (the web process never builds the whole network for it);
``/reports/clusters/figures/{name}.svg`` its figures, drawn when first asked for
(a cluster's page shows its own); ``POST /api/analysis`` re-runs it now (token);
``GET /api/organisations/{slug}/partners?limit=N`` suggests partners.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from crossinnov.report import Report, build_report, filters
from crossinnov.sparql.queries import QUERIES
from crossinnov.web.access import holder
from crossinnov.web.state import current
from crossinnov.writes.profiles import BodyError

# the report's templates live with the report (the static report folder renders them too)
bp = Blueprint("reports", __name__, template_folder="../report/templates")
for _name, _filter in filters().items():  # the report's number formats, as the static page's
    bp.add_app_template_filter(_filter, _name)
log = logging.getLogger("crossinnov.web")


def local_link(iri: str) -> str:
    base = current().store.iris.base
    return "/" + iri[len(base):] if iri.startswith(base) else iri


def _report() -> Report:
    """The report for the latest stored run, built once per run and data version."""
    crossinnov = current()
    store = crossinnov.store
    runs = store.select(QUERIES["report_run"], analysis=store.iris.analysis_graph)
    key = (runs[0]["run"].value if runs else None, crossinnov.data_version())
    return crossinnov.caches.report.get(key, lambda: build_report(
        store.scans(), crossinnov.settings, link=local_link,
        figure_base=url_for("reports.figure", name="x")[:-1],
        data_url=url_for("reports.clusters_json"),
        render=lambda **context: render_template("report_site.html", **context)))


@bp.get("/reports/clusters")
def clusters_html() -> Response:
    return Response(_report().html, mimetype="text/html")


@bp.get("/reports/clusters.json")
def clusters_json() -> Response:
    return Response(_report().json(), mimetype="application/json")


@bp.get("/reports/clusters/figures/<name>")
def figure(name: str) -> Response:
    svg = _report().figures.get(name) if name.endswith(".svg") else None
    if svg is None:
        abort(404)
    return Response(svg, mimetype="image/svg+xml")


#: the longest a client may ask POST /api/analysis to wait for the run, in seconds
MAX_WAIT = 600.0


def _wait_seconds() -> float:
    text = request.args.get("wait", "60")
    try:
        wait = float(text)
    except ValueError:
        wait = math.nan
    if not math.isfinite(wait) or not 0 <= wait <= MAX_WAIT:
        raise BodyError(400, f"wait must be a number of seconds from 0 to {MAX_WAIT:g}, "
                             f"not {text[:40]!r}")
    return wait


@bp.post("/api/analysis")
def run_analysis() -> Response:
    """Ask for a run: it starts now, or after the one going on (at most one waits).

    Organisation tokens may ask once per ``analysis_min_interval``; the admin's is not
    limited. 200 with the run when it ends within ``wait`` seconds, else 202. Over a store
    shared by several servers: 202 ``elsewhere`` when another server holds the analysis
    lease (its result is what every server shows), 200 ``current`` when the stored run came
    after every write.
    """
    wait = _wait_seconds()
    who = holder()
    crossinnov = current()
    if not who.is_admin:
        crossinnov.analysis_interval.check(who.name)
    service = crossinnov.analysis
    outcome = service.wait(service.request(), wait)
    if outcome is None:
        response = jsonify({"status": "running", **service.status(),
                            "report": url_for("reports.clusters_json")})
        response.status_code = 202
        response.headers["Location"] = url_for("reports.clusters_json")
        return response
    if outcome.elsewhere is not None:  # another server holds the lease: it runs there
        response = jsonify({"status": "elsewhere", **outcome.elsewhere.as_dict(),
                            "report": url_for("reports.clusters_json")})
        response.status_code = 202
        response.headers["Location"] = url_for("reports.clusters_json")
        return response
    if outcome.current is not None:  # the stored run came after every write: none was needed
        return jsonify({"status": "current", "run": outcome.current,
                        "report": url_for("reports.clusters_html")})
    if outcome.error is not None:
        log.error("analysis failed: %s", outcome.error)
        response = jsonify({"status": "failed", "message": "the analysis run failed: "
                                                           f"{outcome.error}"})
        response.status_code = 503
        return response
    info = outcome.info
    return jsonify({"status": "done", "run": info.run, "clusters": info.clusters,
                    "organisations": info.organisations, "seconds": round(info.seconds, 3),
                    "report": url_for("reports.clusters_html")})


@bp.get("/api/organisations/<slug>/partners")
def partners(slug: str) -> Response:
    crossinnov = current()
    try:
        limit = min(max(int(request.args.get("limit", 10)), 1), 100)
    except ValueError:
        raise BodyError(400, "limit must be a whole number from 1 to 100") from None
    suggestions = crossinnov.suggestions(slug, limit)
    if suggestions is None:
        abort(404)
    return jsonify({"organisation": crossinnov.store.iris.organisation(slug).value,
                    "method": "see crossinnov.analysis.partners: weighted sum of network "
                              "proximity, the same city, sought sectors, shared sub-themes, "
                              "complementary sectors; each part 0 to 1, the score 0 to 1",
                    "suggestions": [s.as_dict() for s in suggestions]})
