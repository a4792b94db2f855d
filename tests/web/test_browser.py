"""The site in a real browser: headless Debian Chromium driven by Playwright.

Launched exactly as /work/shared/FIELD-NOTES.md says (never ``playwright
install``). Without /usr/bin/chromium the tests are skipped, unless
``CROSSINNOV_REQUIRE_BROWSER=1`` asks for them to fail instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest

from crossinnov.web.querypage import load_examples

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _missing(reason: str) -> None:
    if os.environ.get("CROSSINNOV_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CROSSINNOV_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """A Chromium context with a fresh profile folder, closed after the module."""
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"


def test_from_home_page_to_an_organisation(page, live_server):
    page.goto(live_server.url + "/")
    assert "Where the creative industries meet" in page.locator("h1").inner_text()
    page.locator("#cities").get_by_role("link", name="Lisbon").click()
    page.wait_for_url("**/id/city/lisbon")
    assert page.locator("h1").inner_text() == "Lisbon"
    page.locator("#organisations").get_by_role("link", name="Municipality of Lisbon").click()
    page.wait_for_url("**/id/organisation/municipality-of-lisbon")
    assert page.locator("h1").inner_text() == "Municipality of Lisbon"
    assert page.locator("#iri").inner_text() == (
        "https://w3id.org/crossinnov/id/organisation/municipality-of-lisbon")
    practices = page.locator("#practices")
    assert "Fab Lab LX (FabLab Lisboa)" in practices.inner_text()
    practices.get_by_role("link", name="Fab Lab LX (FabLab Lisboa)").click()
    page.wait_for_url("**/id/practice/fab-lab-lx")
    assert page.locator("#who li").count() == 5


def test_query_page_runs_a_picked_example(page, live_server):
    page.goto(live_server.url + "/sparql")
    picker = page.locator("#example-picker")
    assert picker.is_visible()  # shown by the script
    picker.select_option(label="Good practices on brokerage, by city")
    assert "brokerage" in page.locator("#query").input_value()
    page.locator("#run").click()
    page.wait_for_selector("#answer table.results")
    rows = page.locator("#answer table.results tbody tr")
    assert rows.count() >= 1
    assert "Design Transfer Bonus" in rows.first.inner_text()
    assert "brokerage" in page.locator("#query").input_value()  # the query stays in the editor
    assert page.locator("#answer").get_by_role("link", name="CSV").is_visible()


def test_query_editor_runs_with_ctrl_enter(page, live_server):
    page.goto(live_server.url + "/sparql")
    page.locator(".cm-content").click()  # the CodeMirror editor over the form's textarea
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    # typed on one line: the editor indents new lines and closes brackets as one types
    page.keyboard.type("PREFIX ci: <https://w3id.org/crossinnov/ontology#> "
                       "SELECT ?city WHERE { ?city a ci:City")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#answer table.results")
    assert page.locator("#answer table.results tbody tr").count() == 11


def test_pages_fit_a_phone_screen(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    answer = "/sparql?" + urlencode({"query": load_examples()[6].text})
    for path in ("/", "/id/city/tallinn", "/id/practice/fab-lab-lx", "/ontology", "/sparql",
                 "/dumps/", answer):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path[:40]} scrolls sideways by {overflow}px on a phone"


# --- the header: navigation, menu, search --------------------------------------------------------

NAV_LINKS = ("Query", "Organisations", "Practices", "Partners", "Clusters", "Downloads",
             "Ontology", "Add your organisation", "Sign in")


def _scrolls_sideways(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_header_on_a_wide_screen_shows_every_link(page, live_server):
    page.goto(live_server.url + "/practices")
    nav = page.get_by_role("navigation", name="Site")
    for name in NAV_LINKS:
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    assert not page.locator("details.site-menu > summary").is_visible()  # no "Menu" button
    assert nav.locator("[aria-current=page]").inner_text() == "Practices"
    nav.get_by_role("link", name="Clusters").click()
    page.wait_for_url("**/reports/clusters")
    assert page.get_by_role("navigation", name="Site").locator(
        "[aria-current=page]").inner_text() == "Clusters"


def test_header_on_a_phone_folds_into_a_menu(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    menu = page.get_by_text("Menu", exact=True)
    nav = page.get_by_role("navigation", name="Site")
    assert menu.is_visible() and not nav.is_visible()
    search = page.get_by_role("searchbox", name="Search organisations (names, descriptions)")
    assert search.is_visible()  # the search stays in view
    menu.click()
    for name in NAV_LINKS:
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    assert _scrolls_sideways(page) <= 0
    page.keyboard.press("Escape")
    assert not nav.is_visible()
    menu.click()
    nav.get_by_role("link", name="Partners").click()
    page.wait_for_url("**/partners")
    assert page.locator("h1").inner_text() == "Find partners"


def test_header_on_a_phone_works_without_javascript(page, live_server):
    page.route("**/*.js", lambda route: route.abort())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/organisations")
    nav = page.get_by_role("navigation", name="Site")
    for name in NAV_LINKS:
        assert nav.get_by_role("link", name=name, exact=True).is_visible(), name
    assert _scrolls_sideways(page) <= 0
    page.get_by_text("Menu", exact=True).click()  # folds it, as a <details> does
    assert not nav.is_visible()


def test_site_search_and_filters_in_the_browser(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/")
    search = page.get_by_role("searchbox", name="Search organisations (names, descriptions)")
    search.fill("berlin")
    search.press("Enter")
    page.wait_for_url("**/organisations?q=berlin")
    rows = page.locator("table.list-table tbody tr")
    assert rows.count() >= 2
    assert "berlin" in rows.first.locator("td").first.inner_text().lower()  # names first
    page.goto(live_server.url + "/practices")
    page.locator("details.facet summary", has_text="City").click()  # folded on a phone
    page.get_by_role("checkbox", name="Lisbon").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/practices?**city=lisbon**")
    assert "Fab Lab LX" in page.locator("table.list-table").inner_text()
    assert _scrolls_sideways(page) <= 0


def test_new_pages_fit_a_phone_screen(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/organisations", "/practices?sector=design", "/partners",
                 "/partners?organisation=pakmarkas", "/organisations?q=zzzz"):
        page.goto(live_server.url + path)
        assert _scrolls_sideways(page) <= 0, f"{path} scrolls sideways on a phone"
        page.get_by_text("Menu", exact=True).click()
        assert _scrolls_sideways(page) <= 0, f"{path} with its menu open scrolls sideways"
