"""The cluster report as a person sees it: headless Chromium renders the page and its figures,
on a wide screen and on a phone, served by the site and opened from a static folder."""

from __future__ import annotations

import os
import shutil

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CROSSINNOV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            args=ARGS, headless=True)
        yield context
        context.close()


@pytest.fixture(scope="module")
def analysed_server(make_app):
    from conftest import LiveServer

    app = make_app()
    app.extensions["crossinnov"].analysis.run_now()
    server = LiveServer(app)
    yield server
    server.close()


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text
            else None)
    yield page
    page.close()
    assert not errors, f"errors in the page: {errors}"


def fits(page) -> None:
    """No horizontal scroll, and every figure drawn."""
    page.wait_for_load_state("networkidle")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    images = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
    assert images and all(w > 100 for w in images), images


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_is_a_page_of_the_site_at_any_width(page, analysed_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(analysed_server.url + "/reports/clusters")
    assert page.locator("h1").inner_text() == "Clusters of cross-innovation"
    fits(page)
    # the site's header and its links, visible at this width
    nav = page.locator("header.site nav[aria-label=Site]")
    menu = page.locator("details.site-menu > summary")
    if menu.is_visible():  # a narrow screen: the links are behind "Menu"
        menu.click()
    for name in ("Query", "Downloads", "Ontology", "Clusters"):
        link = nav.get_by_role("link", name=name)
        assert link.is_visible()
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    # the headline number says its base and its definition
    summary = page.locator("ul.headline").inner_text()
    assert "of ties join the creative industries with other growth sectors" in summary
    assert "creative industries only" in summary
    # a city without enough data says so in its row
    assert page.locator("tr.not-enough").first.inner_text().count("not enough data") >= 1


def test_tables_sort_and_links_lead_to_the_data(page, analysed_server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(analysed_server.url + "/reports/clusters")
    page.locator("#cluster-table th", has_text="members").click()
    sizes = page.evaluate("""Array.from(document.querySelectorAll('#cluster-table tbody tr'))
        .map(r => parseInt(r.cells[2].textContent))""")
    assert sizes == sorted(sizes)
    # a practice's link leads to its linked-data page
    page.locator("#practice-list ~ ul a", has_text="Fab Lab LX").first.click()
    page.wait_for_load_state()
    assert "/id/practice/fab-lab-lx" in page.url


@pytest.mark.parametrize("width", WIDTHS)
def test_a_cluster_page_shows_its_figure(page, analysed_server, width):
    import requests

    data = requests.get(analysed_server.url + "/reports/clusters.json", timeout=30).json()
    cluster = data["clusters"][0]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(analysed_server.url + f"/id/cluster/{cluster['id']}")
    fits(page)
    assert cluster["reason"] in page.locator(".resource-head").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_static_report_folder_works_without_a_server(page, runner, tmp_path, width,
                                                         new_store_location):
    from crossinnov.cli import main

    store = new_store_location()
    assert runner.invoke(main, ["load", "--store", store]).exit_code == 0
    assert runner.invoke(main, ["analyse", "--store", store]).exit_code == 0
    out = tmp_path / "report"
    assert runner.invoke(main, ["report", "--store", store, "-o", str(out)]).exit_code == 0
    page.set_viewport_size({"width": width, "height": 900})
    page.goto((out / "index.html").as_uri())
    fits(page)
    # the site's look (its stylesheet was found) and the sorting script
    border = page.evaluate(
        "getComputedStyle(document.querySelector('header.site')).borderBottomStyle")
    assert border == "solid"
    page.locator("#cluster-table th", has_text="members").click()
    assert page.locator("#cluster-table th[data-dir]").count() == 1
