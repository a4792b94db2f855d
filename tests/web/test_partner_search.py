"""Partner search for anyone (/partners, /api/partners, CSV) over a store that is written to.

The index behind the search must follow every write made through the API (create,
replace, delete) at once; a signed-in organisation sees its own suggestions beside the
search; and in Chromium a visitor without an account finds design firms in Vilnius that
seek ICT partners from the home page.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import LiveServer
from test_browser import browser_context, page  # noqa: F401 (Chromium fixtures)

ADMIN = "partner-search-admin-token-0123"
ORG_TOKEN = "partner-search-org-token-456789"
STUDIO = {"id": "vilnius-chair-studio", "name": "Vilnius Chair Studio", "city": "vilnius",
          "sectors": ["design"], "seeksPartnersIn": ["ict"],
          "description": "Chairs and furniture for hospitals, looking for sensor makers."}
AUTH = {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture(scope="module")
def writable(make_app, tmp_path_factory):
    tokens = tmp_path_factory.mktemp("tokens") / "tokens.txt"
    tokens.write_text(f"{ORG_TOKEN} {STUDIO['id']}\n")
    app = make_app(TOKEN=ADMIN, TOKEN_FILE=str(tokens), ANALYSIS_DEBOUNCE=3600.0)
    client = app.test_client()
    r = client.post("/api/profiles", json=STUDIO, headers=AUTH)
    assert r.status_code == 201, r.json
    return app


def ids(client, query: str) -> list[str]:
    r = client.get(f"/api/partners?{query}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return [row["id"] for row in r.json["results"]]


def test_a_new_profile_is_found_by_every_filter_at_once(writable):
    client = writable.test_client()
    assert ids(client, "seeks=ict&city=vilnius&sector=design") == [STUDIO["id"]]
    # a top concept takes in its narrower sectors, for what is sought too
    assert STUDIO["id"] in ids(client, "seeks=other-growth-sectors&sector=creative-industries")
    assert ids(client, "q=sensor+HOSPITALS") == [STUDIO["id"]]
    data = client.get("/api/partners?city=vilnius").json
    assert data["facets"]["seeks"]["ict"] >= 1
    row = next(r for r in data["results"] if r["id"] == STUDIO["id"])
    assert row["seeks"] == ["ict"] and row["sectors"] == ["design"] and row["city"] == "vilnius"


def test_replace_and_delete_reach_the_search_at_once(writable):
    client = writable.test_client()
    slug = "short-lived-org"
    body = {"id": slug, "name": "Short Lived Org", "city": "rome", "sectors": ["music"],
            "seeksPartnersIn": ["finance"]}
    assert client.post("/api/profiles", json=body, headers=AUTH).status_code == 201
    assert ids(client, "q=short+lived") == [slug]
    r = client.put(f"/api/profiles/{slug}", headers=AUTH,
                   json={**body, "name": "Renamed Ensemble", "seeksPartnersIn": ["tourism"]})
    assert r.status_code == 200, r.json
    assert ids(client, "q=short+lived") == []
    assert ids(client, "q=renamed+ensemble") == [slug]
    assert slug not in ids(client, "seeks=finance") and slug in ids(client, "seeks=tourism")
    assert client.delete(f"/api/profiles/{slug}", headers=AUTH).status_code == 204
    assert ids(client, "q=renamed") == []
    assert client.get("/organisations.json?q=renamed").json["total"] == 0


def test_csv_download_has_every_row_of_the_search(writable):
    client = writable.test_client()
    whole = client.get("/api/partners?sector=creative-industries&limit=500").json
    for url in ("/partners.csv?sector=creative-industries",
                "/api/partners?sector=creative-industries&format=csv"):
        r = client.get(url)
        assert r.status_code == 200 and r.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
        assert [row["id"] for row in rows] == [row["id"] for row in whole["results"]]
        assert len(rows) == whole["total"]
    r = client.get("/api/partners?sector=creative-industries",
                   headers={"Accept": "text/csv"})
    assert r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(
        client.get("/organisations.csv?limit=3").get_data(as_text=True))))
    assert len(rows) == 3 and set(rows[0]) >= {"id", "name", "city", "sectors", "seeks", "iri"}


def test_a_signed_in_organisation_sees_its_suggestions_beside_the_search(writable):
    client = writable.test_client()
    anonymous = client.get("/partners").get_data(as_text=True)
    assert 'id="suggestions"' not in anonymous and "Sign in" in anonymous
    client.set_cookie("crossinnov_token", ORG_TOKEN)
    signed_in = client.get("/partners").get_data(as_text=True)
    assert 'id="suggestions"' in signed_in and "Suggested for you" in signed_in
    api = client.get(f"/api/organisations/{STUDIO['id']}/partners").json["suggestions"]
    for s in api[:3]:
        assert s["name"].replace("&", "&amp;") in signed_in
    # a token that is not valid shows no one's suggestions
    client.set_cookie("crossinnov_token", "not-a-valid-token-at-all-0000")
    assert 'id="suggestions"' not in client.get("/partners").get_data(as_text=True)


@pytest.mark.parametrize("query, word", [
    ("seeks=nowhere", "sector sought"), ("kind=castle", "kind of organisation"),
    ("city=" + "&city=".join(["vilnius"] * 51), "at most 50"), ("cursor=%5B1%5D", "cursor"),
    ("limit=0", "limit")])
def test_bad_partner_search_parameters_are_400_with_the_field(writable, query, word):
    r = writable.test_client().get(f"/api/partners?{query}",
                                   headers={"Accept": "application/json"})
    assert r.status_code == 400 and word in r.json["message"]


@pytest.mark.browser
def test_a_visitor_finds_design_firms_in_vilnius_seeking_ict(writable, page):  # noqa: F811
    server = LiveServer(writable)
    try:
        page.goto(server.url + "/")
        page.get_by_role("navigation", name="Site").get_by_role("link", name="Partners").click()
        page.wait_for_url("**/partners")
        filters = page.locator("form.list-filters")
        def facet(title: str):
            found = filters.locator(f'details.facet:has(> summary:text-matches("^{title}"))')
            if not found.evaluate("d => d.open"):  # a folded field opens with its summary
                found.locator("summary").click()
            return found

        facet("Seeks partners in").get_by_role("checkbox", name="ICT").check()
        facet("Sector").get_by_role("checkbox", name="Design").first.check()
        facet("City").get_by_role("checkbox", name="Vilnius").check()
        filters.get_by_role("button", name="Show").click()
        page.wait_for_url("**seeks=ict**")
        table = page.locator("table.list-table")
        assert "Vilnius Chair Studio" in table.inner_text()
        assert page.locator("table.list-table tbody tr").count() == 1
        assert "1 organisation found" in page.locator("#results-heading").inner_text()
    finally:
        server.close()


def test_the_index_is_built_when_the_app_starts_before_any_search(make_app):
    """The first search must not wait for the index (about 20 s at 100 000 organisations):
    the app builds it in the background as it starts."""
    crossinnov = make_app().extensions["crossinnov"]
    assert not crossinnov.warming.is_alive()  # the factory waited for it
    assert crossinnov.search.version is not None and crossinnov.search.counts()["organisation"]
