"""The query page in Chromium: the editor completes, a mistake is shown in words where it is,
the layout holds in every state at 1280 and 390 px, and the answer is a table, a chart, a
map or a network; and the same page without JavaScript."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import LiveServer

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CI = "PREFIX ci: <https://w3id.org/crossinnov/ontology#>\n"
SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
PER_CITY = (CI + SKOS + "SELECT ?city (COUNT(?o) AS ?n) WHERE {\n  ?o ci:basedIn ?c . "
            "?c skos:prefLabel ?city\n} GROUP BY ?city ORDER BY DESC(?n)")
CITIES = CI + "SELECT ?c (COUNT(?o) AS ?n) WHERE { ?o ci:basedIn ?c } GROUP BY ?c"
TIES = CI + "CONSTRUCT { ?a ci:collaboratesWith ?b } WHERE { ?a ci:collaboratesWith ?b }"
NO_PREFIX = "SELECT DISTINCT ?c WHERE {\n  ?o ci:basedIn ?c\n}"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(make_app):
    app = make_app(QUERY_TIMEOUT=2.0)
    server = LiveServer(app)
    yield server
    server.close()


@pytest.fixture
def open_page(chromium, site):
    pages = []

    def open_(query: str | None = None, *, width: int = 1280, script: bool = True, **params):
        context = chromium.new_context(viewport={"width": width, "height": 900},
                                       java_script_enabled=script)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda exc: page.problems.append(str(exc)))
        page.on("console", lambda m: page.problems.append(m.text)
                if "Content Security Policy" in m.text else None)
        url = site.url + "/sparql" + ("?" + urlencode({"query": query, **params}) if query
                                      else "")
        page.goto(url, wait_until="networkidle")
        pages.append(page)
        return page

    yield open_
    for page in pages:
        assert page.problems == [], page.problems
        page.context.close()


def fits(page) -> None:
    """No sideways scroll, and the Run button is where a click lands."""
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator("#run").bounding_box()
    y = box["y"] + box["height"] / 2
    page.evaluate(f"window.scrollTo(0, {max(0, y - 200)})")
    box = page.locator("#run").bounding_box()
    hit = page.evaluate(f"document.elementFromPoint({box['x'] + box['width'] / 2}, "
                        f"{box['y'] + box['height'] / 2}).id")
    assert hit == "run"
    assert box["width"] > 60  # not squeezed into a column


@pytest.mark.parametrize("width", [1280, 390])
def test_the_layout_holds_in_every_state(open_page, width):
    states = {"empty": None, "answer": PER_CITY, "error": NO_PREFIX, "nothing": CI +
              "SELECT ?x WHERE { ?x a ci:NoSuchClass }", "timeout": RUNAWAY}
    for state, query in states.items():
        page = open_page(query, width=width)
        fits(page)
        editor = page.locator(".cm-editor").bounding_box()
        assert editor["width"] > width * 0.5, state  # the editor keeps its width
        if query:  # the answer (or why not) comes right under the editor
            answer = page.locator("#answer").bounding_box()
            assert 0 < answer["y"] - (editor["y"] + editor["height"]) < 200, state
    assert "time limit" in page.locator("#error-message").inner_text()


def test_a_missing_prefix_is_explained_marked_and_mended(open_page):
    page = open_page(NO_PREFIX)
    message = page.locator("#error-message").inner_text()
    assert "line 2, column 6" in message and "ci: is not declared" in message
    assert "PREFIX ci: <https://w3id.org/crossinnov/ontology#>" in message
    # marked in the editor, on the line at fault
    mark = page.locator(".cm-lintRange-error").first
    assert mark.inner_text().strip().startswith("c")
    assert page.locator(".cm-gutter-lint .cm-lint-marker-error").count() == 1
    page.click("#apply-fix")
    page.wait_for_load_state("networkidle")
    assert "Answer" in page.locator("#answer h2").inner_text()
    assert page.locator("table.results tbody tr").count() == 11


def test_the_editor_completes_prefixes_terms_and_ids(open_page):
    page = open_page()
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type(CI + "SELECT * WHERE { ?o a ci:Organ")
    page.keyboard.press("Control+Space")
    options = page.locator(".cm-tooltip-autocomplete li")
    options.first.wait_for()
    assert "ci:Organisation" in options.all_inner_texts()[0]
    page.keyboard.press("Escape")
    page.keyboard.type("isation . ?o ci:collaboratesWith organisation:beep")
    page.keyboard.press("Control+Space")
    options.first.wait_for()
    assert any("organisation:beepart" in t for t in options.all_inner_texts())
    page.wait_for_timeout(300)  # CodeMirror takes Enter only once the list has been seen
    page.keyboard.press("Enter")  # take it
    assert "organisation:beepart" in page.locator(".cm-content").inner_text()
    # and Ctrl+Enter runs the query (the undeclared organisation: prefix is then explained)
    page.keyboard.press("Control+Enter")
    page.wait_for_load_state("networkidle")
    assert "organisation: is not declared" in page.locator("#error-message").inner_text()


def test_syntax_is_highlighted(open_page):
    page = open_page(PER_CITY)
    keyword = page.locator(".cm-content span", has_text="SELECT").first
    assert keyword.evaluate("e => getComputedStyle(e).fontWeight") == "600"


@pytest.mark.parametrize("query,view,element", [
    (PER_CITY, "chart", "canvas"),
    (CITIES, "map", ".leaflet-interactive"),
    (TIES, "network", "canvas"),
])
def test_answers_have_views_and_links_that_restore_them(open_page, query, view, element):
    page = open_page(query)
    page.click(f"#tab-{view}")
    page.locator(f"#view-{view} {element}").first.wait_for()
    assert page.locator("#view-table").is_hidden()
    share = page.locator("#share-link").get_attribute("href")
    assert f"view={view}" in share
    again = open_page(query, view=view)
    again.locator(f"#view-{view} {element}").first.wait_for()
    assert again.locator(f"#tab-{view}").get_attribute("aria-selected") == "true"
    assert "rows in" in again.locator(".row-count").inner_text() or "triples in" in \
        again.locator(".row-count").inner_text()


def test_the_map_marks_every_city_of_the_answer(open_page):
    page = open_page(CITIES, view="map")
    page.locator("#view-map .leaflet-interactive").first.wait_for()
    assert page.locator("#view-map path.leaflet-interactive").count() == 11


def test_the_table_sorts_by_a_column(open_page):
    page = open_page(PER_CITY)
    page.click("table.results th:nth-child(3) button")
    counts = [int(t) for t in page.locator("table.results tbody td:nth-child(3)")
              .all_inner_texts()]
    assert counts == sorted(counts)


def test_the_page_works_without_javascript(open_page):
    page = open_page(NO_PREFIX, script=False)
    assert page.locator("textarea#query").is_visible()
    assert "ci: is not declared" in page.locator("#error-message").inner_text()
    page.click("#apply-fix")  # a plain link with the line added
    page.wait_for_load_state("networkidle")
    assert page.locator("table.results tbody tr").count() == 11
    page.fill("textarea#query", PER_CITY)
    page.click("#run")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.results tbody tr").first.inner_text().split()[1] == "Tallinn"
