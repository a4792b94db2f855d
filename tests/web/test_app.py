"""The app as a whole (crossinnov.web): it fills an empty store on either backend, and every
answer allows other origins.
"""

from __future__ import annotations

import pytest
from conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Both backends, whatever ``CROSSINNOV_TEST_STORE`` says."""
    return request.param


def test_the_web_app_fills_an_empty_store(settings):
    """Regression: an empty external store was served empty (only a folder was filled)."""
    from crossinnov.web import create_app

    app = create_app({"STORE": settings.store, "QUERY_WORKERS": 1, "TESTING": True,
                      "ANALYSE_ON_START": False})
    try:
        store = app.extensions["crossinnov"].store
        assert store.ask("ASK { ?p a <https://w3id.org/crossinnov/ontology#GoodPractice> }")
        page = app.test_client().get("/id/city/linz", headers={"Accept": "text/turtle"})
        assert page.status_code == 200
    finally:
        app.extensions["crossinnov"].close()


def test_cors_everywhere(client):
    for path in ["/", "/healthz", "/dumps/", "/id/city/rome", "/id/city/nowhere", "/sparql"]:
        assert client.get(path).headers["Access-Control-Allow-Origin"] == "*", path
