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
``/organisations``, ``/practices``      search and browse (+ ``.json``, ``.csv``)
``/partners``, ``/api/partners``       partner search for anyone (+ ``/partners.csv``)
``/reconcile`` (+ ``/suggest/...``)     W3C Reconciliation API 0.2 (OpenRefine)
``/favicon.ico``, ``/ontology.ttl``    the icon; the ontology in one syntax (also ``.jsonld`` ...)
=====================================  ==============================================
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from crossinnov.config import field_types, load_settings
from crossinnov.web import errors, security, state

#: a ``test_config`` key that names the instance file (as ``CROSSINNOV_CONFIG`` does)
CONFIG_KEY = "CONFIG"


def create_app(test_config: dict[str, Any] | None = None, *,
               instance_path: str | os.PathLike[str] | None = None) -> Flask:
    """Create the app; its settings are read as :func:`crossinnov.config.load_settings` reads
    them: defaults, then the instance file (``CROSSINNOV_CONFIG``, or ``crossinnov.cfg`` in
    the instance folder), then ``CROSSINNOV_*``, then ``test_config``.

    ``test_config`` holds setting names in upper case (``QUERY_TIMEOUT``), ``CONFIG``
    (the instance file), and other Flask keys (``TESTING``, ``FILL_EMPTY_STORE``...),
    which pass through as they are. A bad setting raises
    :class:`~crossinnov.config.SettingsError` here, never later.
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    given = dict(test_config or {})
    config_file = given.pop(CONFIG_KEY, None)
    names = {name.upper() for name in field_types()}
    loaded = load_settings(config_file=config_file, instance_path=app.instance_path,
                           overrides={k.lower(): v for k, v in given.items() if k in names})
    app.config.from_mapping(state.START_DEFAULTS)
    app.config.update(loaded.extra)
    app.config.update({k: v for k, v in given.items() if k not in names})
    app.config.update({k.upper(): v for k, v in loaded.settings.as_dict().items()})
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.json.sort_keys = False
    proxies = loaded.settings.trusted_proxies
    if proxies:  # only then are X-Forwarded-For/-Proto/-Host believed
        app.wsgi_app = ProxyFix(app.wsgi_app,  # type: ignore[method-assign]
                                x_for=proxies, x_proto=proxies, x_host=proxies)

    state.init_app(app, loaded.settings)

    from crossinnov.web import api, dumps, forms, lists, pages, reconcile, reports, resource, sparql

    app.register_blueprint(pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resource.bp)
    app.register_blueprint(dumps.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(forms.bp)
    app.register_blueprint(lists.bp)
    app.register_blueprint(reconcile.bp)

    errors.init_app(app)
    security.init_app(app)
    return app


__all__ = ["create_app"]
