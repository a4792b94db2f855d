"""The cluster report as a person sees it: headless Chromium renders the page and its figures."""

from __future__ import annotations

import os
import shutil

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


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


def test_report_renders_with_its_figures(browser, analysed_server):
    page = browser.new_page()
    page.goto(analysed_server.url + "/reports/clusters")
    assert page.locator("h1").inner_text() == "Clusters of cross-innovation"
    images = page.locator("img")
    assert images.count() >= 3
    page.wait_for_load_state("networkidle")
    widths = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
    assert all(w > 100 for w in widths), widths
    # the cluster table sorts when its head is clicked (progressive enhancement)
    head = page.locator("#clusters + table th", has_text="members")
    head.click()
    sizes = page.evaluate("""Array.from(document.querySelectorAll('#clusters + table tbody tr'))
        .map(r => parseInt(r.cells[1].textContent))""")
    assert sizes == sorted(sizes)
    # a practice link leads to its linked-data page
    page.locator("a", has_text="Fab Lab LX").first.click()
    page.wait_for_load_state()
    assert "/id/practice/fab-lab-lx" in page.url
    page.close()
