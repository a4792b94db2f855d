"""/sparql answers kept until the next write: ETag, 304 on If-None-Match, and a write that
makes every kept answer stale at once (crossinnov.sparql.cache, Store.version)."""

from __future__ import annotations

import pytest

ADMIN = "admin-token-for-the-cache-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
JSON = {"Accept": "application/sparql-results+json"}
ACME = "https://w3id.org/crossinnov/id/organisation/cache-acme"
ASK_ACME = f"ASK {{ <{ACME}> ?p ?o }}"
PROFILE = {"id": "cache-acme", "name": "Cache Acme", "city": "vilnius", "sectors": ["design"]}


@pytest.fixture(scope="module")
def cache_app(make_app):
    return make_app(TOKEN=ADMIN)


@pytest.fixture
def web(cache_app):
    client = cache_app.test_client()
    yield client
    client.delete("/api/profiles/cache-acme", headers=AUTH)


def ask(web, query: str, **headers):
    return web.get("/sparql", query_string={"query": query}, headers={**JSON, **headers})


@pytest.mark.embedded_only(reason="a SPARQL server may be written by others: nothing is kept")
def test_a_repeated_query_is_answered_from_the_cache_without_running(web, cache_app,
                                                                      monkeypatch):
    crossinnov = cache_app.extensions["crossinnov"]
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    first = ask(web, query)
    assert first.status_code == 200 and first.headers.get("ETag")

    def not_again(*args, **kwargs):
        raise AssertionError("the query ran again")

    monkeypatch.setattr(crossinnov.store, "answer", not_again)
    hits = crossinnov.answers.hits
    second = ask(web, query)
    assert second.status_code == 200 and second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert crossinnov.answers.hits == hits + 1


@pytest.mark.embedded_only(reason="a SPARQL server may be written by others: nothing is kept")
def test_if_none_match_gets_304_and_nothing_runs(web, cache_app, monkeypatch):
    first = ask(web, "SELECT ?s WHERE { ?s a <https://w3id.org/crossinnov/ontology#City> }")
    tag = first.headers["ETag"]
    monkeypatch.setattr(cache_app.extensions["crossinnov"].store, "answer",
                        lambda *a, **k: pytest.fail("a 304 ran the query"))
    again = ask(web, "SELECT ?s WHERE { ?s a <https://w3id.org/crossinnov/ontology#City> }",
                **{"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    other = ask(web, "SELECT ?s WHERE { ?s a <https://w3id.org/crossinnov/ontology#City> }",
                **{"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


@pytest.mark.embedded_only(reason="a SPARQL server may be written by others: nothing is kept")
def test_a_write_makes_every_kept_answer_stale_at_once(web):
    before = ask(web, ASK_ACME)
    assert before.json["boolean"] is False
    assert ask(web, ASK_ACME).json["boolean"] is False  # now kept

    assert web.post("/api/profiles", json=PROFILE, headers=AUTH).status_code == 201
    after = ask(web, ASK_ACME)
    assert after.json["boolean"] is True
    assert after.headers["ETag"] != before.headers["ETag"]
    assert ask(web, ASK_ACME, **{"If-None-Match": before.headers["ETag"]}).status_code == 200

    assert web.delete("/api/profiles/cache-acme", headers=AUTH).status_code == 204
    gone = ask(web, ASK_ACME)
    assert gone.json["boolean"] is False and gone.headers["ETag"] != after.headers["ETag"]


def test_a_store_that_cannot_tell_its_version_gets_no_etag(web, cache_app, backend):
    answer = ask(web, "ASK { ?s ?p ?o }")
    assert answer.status_code == 200
    if cache_app.extensions["crossinnov"].store.version() is None:
        assert "ETag" not in answer.headers and backend != "embedded"
    else:
        assert answer.headers["ETag"] and backend == "embedded"


@pytest.mark.embedded_only(reason="a SPARQL server may be written by others: nothing is kept")
def test_a_post_is_kept_too_but_never_answered_304(web):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"
    got = web.post("/sparql", data={"query": query}, headers=JSON)
    tag = got.headers["ETag"]
    again = web.post("/sparql", data={"query": query}, headers={**JSON, "If-None-Match": tag})
    assert again.status_code == 200 and again.data == got.data
