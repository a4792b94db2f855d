"""The crossinnov web app: ``create_app(config)`` builds it; every route is registered below.

URL space (see the interface document for the contract):

=====================================  ==============================================
``/``                                  home page
``/sparql``                            SPARQL 1.1 Protocol endpoint and query page
``/id/{kind}/{slug}`` (+ ``.ttl`` ...)   a resource: HTML or RDF by Accept
``/scheme/{name}``                     a SKOS concept scheme
``/ontology``, ``/shapes``             the ontology (HTML docs or Turtle), the SHACL shapes
``/dumps/``, ``/dumps/{file}``         dump list (HTML, DCAT) and the dumps themselves
``/.well-known/void``                  VoID description
``/healthz``                           200 when the store answers
``/api/profiles`` (+ ``/{slug}``)        write and read profiles (token for writes)
``/api/changes``                       the changelog of writes, as JSON
``/context.jsonld``                    the JSON-LD context of profile JSON
``/reports/clusters`` (+ ``.json``)      the cluster report of the latest analysis
``/api/analysis``                      POST: re-run the network analysis now (token)
``/api/organisations/{slug}/partners`` partner suggestions, JSON
``/profiles/new``, ``/profiles/{slug}/edit``, ``/login``  the profile form for people
=====================================  ==============================================
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from crossinnov.web import errors, state


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``instance/crossinnov.cfg``, then ``CROSSINNOV_*``, then
    ``test_config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(state.default_config())
    app.config.from_pyfile("crossinnov.cfg", silent=True)
    app.config.from_prefixed_env("CROSSINNOV")
    if test_config:
        app.config.update(test_config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.sort_keys = False

    state.init_app(app)

    from crossinnov.web import api, dumps, forms, pages, reports, resource, sparql

    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resource.bp)
    app.register_blueprint(dumps.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(forms.bp)

    errors.init_app(app)
    api.init_app(app)
    return app


__all__ = ["create_app"]
