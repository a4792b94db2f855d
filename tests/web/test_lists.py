"""The browse lists (/organisations, /practices and their .json twins), /partners, the header.

Expected rows are read with plain SPARQL over the shipped data (never with the lists'
own queries), so a test fails when a list leaves out, repeats or invents a row.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from htmlpage import BROWSER, Page, get_page

CI = "https://w3id.org/crossinnov/ontology#"
BASE = "https://w3id.org/crossinnov/"
PREFIXES = (f"PREFIX ci: <{CI}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX schema: <https://schema.org/> PREFIX dcterms: <http://purl.org/dc/terms/> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ")
TOKEN = "lists-admin-token-0123456789"
CLASSES = {"organisations": "ci:Organisation", "practices": "ci:GoodPractice"}


def ids(store, where: str) -> set[str]:
    """The ids of the items ``?x`` that a SPARQL pattern finds."""
    return {r["x"].value.rsplit("/", 1)[1]
            for r in store.select(PREFIXES + f"SELECT DISTINCT ?x WHERE {{ {where} }}")}


def every_row(client, path: str, **params) -> list[dict]:
    """All rows of a JSON list, page after page, by following ``next``."""
    rows, cursor, pages = [], None, 0
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = client.get(path, query_string=query)
        assert r.status_code == 200, r.get_data(as_text=True)
        rows += r.json["results"]
        cursor, pages = r.json["next"], pages + 1
        if cursor is None:
            return rows
        assert pages < 100


def table_rows(markup: str) -> list[tuple[str, str]]:
    """(href, name) of the first cell of each row of a list page's table."""
    body = markup.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in markup else ""
    return [(href, html.unescape(name)) for href, name in
            re.findall(r'<tr>\s*<td><a href="([^"]+)">([^<]*)</a></td>', body)]


@pytest.fixture
def store(app):
    return app.extensions["crossinnov"].store


# --- counts -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["organisations", "practices"])
def test_a_list_holds_every_item_once(client, store, kind):
    expected = ids(store, f"?x a {CLASSES[kind]}")
    assert len(expected) >= 12
    r = client.get(f"/{kind}.json", query_string={"limit": 500})
    assert r.json["total"] == len(expected)
    listed = [row["id"] for row in r.json["results"]]
    assert sorted(listed) == sorted(expected)
    # in name order (case-insensitive), as the page shows them
    names = [row["name"].lower() for row in r.json["results"]]
    assert names == sorted(names)
    page = get_page(client, f"/{kind}")
    assert f"{len(expected)} {'organisations' if kind == 'organisations' else 'good practices'}" \
        in page.by_id["results-heading"]


def test_rows_carry_name_city_sectors_and_a_link(client, store):
    (row,) = [r for r in client.get("/organisations.json?limit=500").json["results"]
              if r["id"] == "pakmarkas"]
    assert row["name"] == "PakMarkas (JSC)" and row["iri"] == BASE + "id/organisation/pakmarkas"
    assert row["city"] == "vilnius"
    assert set(row["sectors"]) == ids(store, f"<{BASE}id/organisation/pakmarkas> ci:inSector ?x")
    assert client.get(row["url"], headers={"Accept": BROWSER}).status_code == 200
    page = get_page(client, "/organisations?q=pakmarkas")
    assert page.href_of("PakMarkas (JSC)") == "/id/organisation/pakmarkas"
    assert page.href_of("Vilnius") == "/organisations?city=vilnius"


def test_facet_counts_are_the_counts_of_the_filtered_rows(client, store):
    facets = client.get("/organisations.json").json["facets"]
    for city in ("tallinn", "berlin", "vilnius"):
        assert facets["city"][city] == len(ids(
            store, f"?x a ci:Organisation ; ci:basedIn/skos:notation {city!r}"))
    creative = ids(store, "?x a ci:Organisation ; ci:inSector/skos:broader* "
                          f"<{BASE}id/sector/creative-industries>")
    assert facets["sector"]["creative-industries"] == len(creative)
    # counted within the filters in use
    facets = client.get("/organisations.json?city=berlin").json["facets"]
    assert set(facets["city"]) == {"berlin"}
    assert sum(facets["city"].values()) == len(ids(store, "?x ci:basedIn/skos:notation 'berlin'"
                                                          " ; a ci:Organisation"))


# --- filters ------------------------------------------------------------------------------------

def listed(client, path: str, **params) -> set[str]:
    return {row["id"] for row in every_row(client, path, **params)}


def test_filters_or_within_a_field_and_across_fields(client, store):
    org = "?x a ci:Organisation . "
    vilnius = ids(store, org + "?x ci:basedIn/skos:notation 'vilnius'")
    assert listed(client, "/organisations.json", city="vilnius") == vilnius
    design = ids(store, org + f"?x ci:inSector <{BASE}id/sector/design>")
    ict = ids(store, org + f"?x ci:inSector <{BASE}id/sector/ict>")
    assert design and ict and design != ict
    # OR within one field (repeated parameter), AND across fields
    assert listed(client, "/organisations.json", sector=["design", "ict"]) == design | ict
    assert listed(client, "/organisations.json", city="vilnius", sector=["design", "ict"]) == (
        vilnius & (design | ict))
    assert listed(client, "/organisations.json", city=["vilnius", "berlin"]) == vilnius | ids(
        store, org + "?x ci:basedIn/skos:notation 'berlin'")
    # a full IRI does as well as a short id
    assert listed(client, "/organisations.json", city=BASE + "id/city/vilnius") == vilnius


def test_a_top_sector_finds_its_narrower_sectors(client, store):
    growth = ids(store, "?x a ci:GoodPractice ; ci:inSector/skos:broader* "
                        f"<{BASE}id/sector/other-growth-sectors>")
    assert growth and listed(client, "/practices.json", sector="other-growth-sectors") == growth


def test_theme_filter_on_practices(client, store):
    for theme in ("brokerage", "smart-incentives"):
        expected = ids(store, f"?x a ci:GoodPractice ; ci:addressesTheme <{BASE}id/theme/{theme}>")
        assert expected and listed(client, "/practices.json", theme=theme) == expected


def test_text_finds_words_whatever_the_case_and_ranks_names_first(client, store):
    expected = ids(store, "?x a ci:Organisation . "
                          "?x schema:name|schema:alternateName|rdfs:label|dcterms:description"
                          "|schema:keywords ?t FILTER(REGEX(STR(?t), '\\\\bberlin', 'i'))")
    named = ids(store, "?x a ci:Organisation ; schema:name ?n "
                       "FILTER(CONTAINS(LCASE(?n), 'berlin'))")
    assert len(named) >= 2 and named <= expected
    rows = every_row(client, "/organisations.json", q="BERLIN")
    assert {r["id"] for r in rows} == expected
    assert {r["id"] for r in rows[:len(named)]} == named  # a name outranks a description
    assert listed(client, "/organisations.json", q="  berlin ") == expected
    assert listed(client, "/organisations.json", q="no such name anywhere") == set()
    page = get_page(client, "/organisations?q=no+such+name+anywhere")
    assert "No organisations match" in page.text


@pytest.mark.parametrize("query, word", [
    ("city=paris", "city"), ("sector=underwater-basketry", "sector"), ("theme=x", "sub-theme"),
    ("limit=0", "limit"), ("limit=501", "limit"), ("limit=ten", "limit"),
    ("cursor=not-a-cursor", "cursor"), ("q=" + "x" * 201, "q")])
def test_a_bad_parameter_is_a_400_that_says_which(client, query, word):
    for path in ("/organisations", "/practices.json"):
        r = client.get(f"{path}?{query}", headers={"Accept": "application/json"})
        assert r.status_code == 400, query
        assert word in r.json["message"]
    r = client.get(f"/organisations?{query}", headers={"Accept": BROWSER})
    assert r.status_code == 400 and r.mimetype == "text/html"


# --- paging -------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, params", [
    ("/organisations.json", {}), ("/organisations.json", {"sector": "creative-industries"}),
    ("/practices.json", {}), ("/organisations.json", {"q": "a"})])
@pytest.mark.parametrize("limit", [1, 5, 7])
def test_paging_has_no_gaps_or_duplicates(client, path, params, limit):
    whole = client.get(path, query_string={**params, "limit": 500}).json
    assert whole["next"] is None
    rows = every_row(client, path, **params, limit=limit)
    assert [r["id"] for r in rows] == [r["id"] for r in whole["results"]]
    assert len(rows) == whole["total"]


def test_pages_link_to_the_next_and_the_first(client):
    page = get_page(client, "/organisations?limit=4&city=tallinn")
    nxt = page.href_of("Next page →")
    assert parse_qs(urlsplit(nxt).query)["city"] == ["tallinn"]
    second = get_page(client, nxt)
    first_names = [n for _, n in table_rows(page.markup)]
    second_names = [n for _, n in table_rows(second.markup)]
    assert len(first_names) == 4 and second_names and not set(first_names) & set(second_names)
    assert "First page" not in page.text
    assert second.href_of("← First page") == "/organisations?city=tallinn&limit=4"


def test_a_cursor_survives_a_profile_added_before_it(make_app):
    app = make_app(TOKEN=TOKEN)
    client = app.test_client()
    first = client.get("/organisations.json?limit=10").json
    # a new organisation whose name sorts before every row of the second page
    r = client.post("/api/profiles", headers={"Authorization": f"Bearer {TOKEN}"},
                    json={"id": "aaa-first", "name": "AAA First Studio", "city": "rome",
                          "sectors": ["design"]})
    assert r.status_code == 201, r.json
    rest = every_row(client, "/organisations.json", limit=10, cursor=first["next"])
    seen = [row["id"] for row in first["results"] + rest]
    assert len(seen) == len(set(seen)) == first["total"]  # nothing repeated, nothing skipped
    assert "aaa-first" not in seen
    assert client.get("/organisations.json?limit=1").json["results"][0]["id"] == "aaa-first"


# --- the JSON twin -------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["", "limit=7", "city=tallinn", "sector=design&sector=ict",
                                   "q=city", "theme=brokerage"])
@pytest.mark.parametrize("kind", ["organisations", "practices"])
def test_the_json_twin_has_the_page_rows(client, kind, query):
    page = get_page(client, f"/{kind}?{query}")
    data = client.get(f"/{kind}.json?{query}").json
    assert table_rows(page.markup) == [(r["url"], r["name"]) for r in data["results"]]
    assert f"{data['total']} " in page.by_id["results-heading"]
    twin = page.href_of("JSON")
    assert twin.startswith(f"/{kind}.json")
    assert client.get(twin).json == data
    if data["next"]:
        nxt = parse_qs(urlsplit(page.href_of("Next page →")).query)
        assert nxt["cursor"] == [data["next"]]


def test_filter_form_keeps_what_was_chosen(client):
    page = get_page(client, "/organisations?city=berlin&sector=music&q=club")
    markup = page.markup
    assert re.search(r'name="city" value="berlin" checked', markup)
    assert re.search(r'name="sector" value="music" checked', markup)
    assert not re.search(r'name="city" value="rome" checked', markup)
    assert 'id="list-q" name="q" type="search" value="club"' in markup
    assert "Berlin" in page.text and "Remove the filter Berlin" in markup


# --- partners -----------------------------------------------------------------------------------

def test_partners_page_is_a_search_for_anyone(client, store):
    page = get_page(client, "/partners")
    assert "How the suggestions are made" in page.text and "Find partners" in page.text
    # the filters of a partner search, "seeks partners in" first
    filters = page.markup.split('class="list-filters"', 1)[1].split("</form>", 1)[0]
    titles = re.findall(r"<summary>([^<]+)", filters)
    assert [t.strip() for t in titles] == ["Seeks partners in", "Sector", "City", "Sub-theme",
                                           "Kind of organisation"]
    assert {n for _, n in table_rows(page.markup)} <= {
        r["name"] for r in client.get("/organisations.json?limit=500").json["results"]}
    assert "as an organisation to see the partners suggested for it" in page.text
    data = client.get("/api/partners?limit=500").json
    assert data["total"] == len(ids(store, "?x a ci:Organisation"))
    assert set(data["facets"]) == {"seeks", "sector", "city", "theme", "kind"}


def test_partners_page_shows_the_api_suggestions(client):
    api = client.get("/api/organisations/pakmarkas/partners?limit=10").json["suggestions"]
    assert api
    page = get_page(client, "/partners?organisation=pakmarkas")
    assert "Partners for PakMarkas (JSC)" in page.markup.split("</title>")[0]
    section = page.by_id["suggestions"]
    assert "Suggested for" in section and "PakMarkas (JSC)" in section
    names = [label for href, label in page.links if href.startswith("/id/organisation/")
             and label in section and label != "PakMarkas (JSC)"][:len(api)]
    assert names == [s["name"] for s in api]
    for s in api:
        assert s["reasons"][0] in section


def test_partners_page_for_an_unknown_organisation(client):
    page = get_page(client, "/partners?organisation=no-such-org", status=404)
    assert "no organisation with the id" in page.text
    get_page(client, "/partners?organisation=Not%20An%20Id", status=404)


# --- the header and the home page ---------------------------------------------------------------

NAV = {"Query": "/sparql", "Organisations": "/organisations", "Practices": "/practices",
       "Partners": "/partners", "Clusters": "/reports/clusters", "Downloads": "/dumps/",
       "Ontology": "/ontology", "Add your organisation": "/profiles/new"}


def nav_of(page: Page) -> str:
    return page.markup.split('aria-label="Site"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize("path", ["/", "/organisations", "/id/city/tallinn", "/dumps/"])
def test_every_header_link_opens(client, path):
    page = get_page(client, path)
    nav = nav_of(page)
    for label, href in NAV.items():
        assert f'href="{href}"' in nav, label
        assert client.get(href, headers={"Accept": BROWSER}).status_code == 200, href
    assert "Sign in" in nav and "Sign out" not in nav
    search = re.search(r'<form class="site-search" role="search" method="get" '
                       r'action="/organisations">(.*?)</form>', page.markup, re.S)
    assert search and '<label for="site-search-q"' in search.group(1)
    assert 'id="site-search-q" name="q"' in search.group(1)


@pytest.mark.parametrize("path, label", [("/organisations", "Organisations"),
                                         ("/practices", "Practices"), ("/partners", "Partners"),
                                         ("/sparql", "Query"), ("/dumps/", "Downloads"),
                                         ("/ontology", "Ontology"),
                                         ("/reports/clusters", "Clusters"),
                                         ("/profiles/new", "Add your organisation"),
                                         ("/login", "Sign in")])
def test_the_current_page_is_marked(client, path, label):
    nav = nav_of(get_page(client, path))
    current = re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)</a>', nav)
    assert current == [label]


def test_sign_out_shows_with_the_cookie(app):
    client = app.test_client()
    client.set_cookie("crossinnov_token", "x" * 20)
    nav = nav_of(get_page(client, "/"))
    assert "Sign out" in nav and 'action="/logout"' in nav and "Sign in" not in nav


def test_site_search_goes_to_the_organisation_list(client):
    page = get_page(client, "/organisations?q=tallinn")
    assert 'id="site-search-q" name="q" type="search"' in page.markup
    assert 'value="tallinn"' in page.markup.split('role="search"', 1)[1].split("</form>", 1)[0]
    names = [n for _, n in table_rows(page.markup)]
    assert names and "tallinn" in names[0].lower()  # the best match first


def test_home_page_counts_link_to_lists(client, store):
    page = get_page(client, "/")
    stats = page.markup.split('class="stats"', 1)[1].split("</ul>", 1)[0]
    links = dict((label.split(" ", 1)[1], href) for href, label in Page(stats).links)
    assert links["organisations"] == "/organisations"
    assert links["good practices"] == "/practices"
    assert links["events"] == "#events" and "events" in page.by_id
    assert links["cities"] == "#cities"
    assert links["sectors"] == "/scheme/sectors"
    for href in links.values():
        if href.startswith("/"):
            assert client.get(href, headers={"Accept": BROWSER}).status_code == 200, href
    for event in ids(store, "?x a ci:Event"):
        assert f"/id/event/{event}" in page.hrefs()
