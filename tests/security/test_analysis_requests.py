"""Analysis on demand: no queue of runs, organisation tokens limited, clear errors."""

from __future__ import annotations

import threading

import pytest

ADMIN = "admin-token-for-analysis-0123456789"
ORG_TOKEN = "org-token-for-beepart-0123456789"
ANALYSIS_RUNS = """PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT (COUNT(?a) AS ?n) WHERE { ?a a prov:Activity ; dcterms:type "analysis" }"""


@pytest.fixture(scope="module")
def analysis_app(make_app, tmp_path_factory):
    token_file = tmp_path_factory.mktemp("tokens") / "tokens.txt"
    token_file.write_text(f"{ORG_TOKEN} beepart\n")
    return make_app(TOKEN=ADMIN, TOKEN_FILE=str(token_file), ANALYSIS_MIN_INTERVAL=3600.0)


def runs(app) -> int:
    store = app.extensions["crossinnov"].store
    return int(store.select(ANALYSIS_RUNS)[0]["n"].value)


def post(client, token: str, wait: str = "60"):
    return client.post("/api/analysis", query_string={"wait": wait},
                       headers={"Authorization": f"Bearer {token}"})


def test_many_requests_at_once_make_at_most_one_run_and_one_pending(analysis_app):
    client = analysis_app.test_client()
    service = analysis_app.extensions["crossinnov"].analysis
    before = runs(analysis_app)
    statuses: list[int] = []
    seen: list[dict] = []

    def ask() -> None:
        r = post(client, ADMIN, wait="0")
        statuses.append(r.status_code)
        seen.append(service.status())

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert set(statuses) <= {200, 202}, statuses
    # wait for what was asked to end
    assert post(client, ADMIN, wait="120").status_code == 200
    done = runs(analysis_app) - before
    # twelve requests while one run went on: that run, one pending run, and the last request's
    assert 1 <= done <= 3, done
    assert service.status() == {"running": False, "pending": False, "scheduled": None,
                                "last_error": None, "elsewhere": None}


def test_an_organisation_token_may_ask_once_per_interval(analysis_app):
    client = analysis_app.test_client()
    first = post(client, ORG_TOKEN)
    assert first.status_code in (200, 202), first.json
    again = post(client, ORG_TOKEN)
    assert again.status_code == 429, again.json
    assert int(again.headers["Retry-After"]) > 3000
    assert "once every 3600 s" in again.json["message"]
    # the admin is not limited
    assert post(client, ADMIN).status_code == 200
    assert post(client, ADMIN).status_code == 200


@pytest.mark.parametrize("wait", ["inf", "1e300", "-1", "nan", "ten", "601"])
def test_wait_out_of_range_is_400_not_500(analysis_app, wait):
    r = post(analysis_app.test_client(), ADMIN, wait=wait)
    assert r.status_code == 400, r.data
    assert "wait must be" in r.json["message"]


def test_analysis_without_token_is_401(analysis_app):
    r = analysis_app.test_client().post("/api/analysis")
    assert r.status_code == 401
