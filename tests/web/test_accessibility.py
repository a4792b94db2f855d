"""Accessibility: axe-core in headless Chromium finds no serious or critical violation.

axe-core is vendored (``tests/vendor/axe-core/axe.min.js``); it is injected into each
served page with Playwright and run on the whole document (WCAG 2.x A and AA rules and
axe's best practices). Only ``serious`` and ``critical`` findings fail a test; each is
printed with its rule id, impact, help and the offending nodes, so that a failure says
what to fix. The site's Content Security Policy forbids the inline script Playwright
injects, so the browser context bypasses it (``tests/security/test_headers.py`` checks
the pages under the CSP).

Chromium is launched as in ``tests/web/test_browser.py``; without it the tests are skipped,
unless ``CROSSINNOV_REQUIRE_BROWSER=1`` asks for them to fail instead.
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
AXE = Path(__file__).parents[1] / "vendor" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
#: the rules axe runs: WCAG 2.0-2.2 A and AA, and its best practices
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _missing(reason: str) -> None:
    if os.environ.get("CROSSINNOV_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CROSSINNOV_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    if not AXE.exists():
        _missing(f"{AXE} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, headless=True,
            viewport={"width": 1280, "height": 900}, bypass_csp=True)
        context.set_default_timeout(20_000)
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


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})""", TAGS)
    assert result["passes"] or result["violations"], "axe-core checked nothing"
    return result["violations"]


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    {target}: {summary[:300]}")
            lines.append(f"      {node['html'][:200]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    ... and {len(v['nodes']) - 10} more nodes")
    return "\n".join(lines)


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    bad = [v for v in violations if v["impact"] in FAILING]
    # every finding is printed (pytest shows it with -s, or with a failure)
    print(f"\n{what} ({page.url}): {len(violations)} axe violations")
    if violations:
        print(report(violations))
    assert not bad, f"{what}: serious or critical axe violations:\n{report(bad)}"


def open_page(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    page.wait_for_load_state("networkidle")


def example(prefix: str) -> str:
    return next(ex.text for ex in load_examples() if ex.name.startswith(prefix))


PAGES = {
    "home": "/",
    "query page, empty": "/sparql",
    "organisation page": "/id/organisation/municipality-of-lisbon",
    "city page": "/id/city/lisbon",
    "cluster report": "/reports/clusters",
    "partners page": "/partners",
    "profile form, empty": "/profiles/new",
    "sign-in page": "/login",
    "ontology page": "/ontology",
    "error page": "/id/organisation/no-such-organisation",
}


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_page_has_no_serious_violation(page, live_server, path):
    open_page(page, live_server.url + path)
    assert_accessible(page, path)


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_page_on_a_phone_has_no_serious_violation(page, live_server, path):
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, live_server.url + path)
    assert_accessible(page, f"{path} at 390 px")


def test_query_page_with_an_answer(page, live_server):
    open_page(page, live_server.url + "/sparql?" + urlencode({"query": example("09")}))
    page.wait_for_selector("#answer table")
    assert_accessible(page, "query page with an answer")


def test_query_page_with_an_error(page, live_server):
    open_page(page, live_server.url + "/sparql?" + urlencode({"query": "SELEC * WHERE { ?s ?p"}))
    assert_accessible(page, "query page with an error")


def test_query_page_after_running_a_query(page, live_server):
    """The answer the page's script puts in place, not only the server's."""
    open_page(page, live_server.url + "/sparql")
    picker = page.locator("#example-picker")
    if picker.count() and picker.is_visible():
        picker.select_option(index=1)
    page.locator("#run").click()
    page.wait_for_selector("#answer table, #answer .failed, #answer p")
    assert_accessible(page, "query page after running a query")


def test_profile_form_with_errors(page, live_server):
    open_page(page, live_server.url + "/profiles/new")
    page.fill("#id", "My Studio!")
    page.fill("#homepage", "www.studio.example")
    page.fill("#email", "studio-at-example")
    page.fill("#token", "not-a-valid-token-0123")
    page.click("form.profile-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert_accessible(page, "profile form with errors")


def test_sign_in_page_with_an_error(page, live_server):
    open_page(page, live_server.url + "/login")
    page.fill("#token", "not-a-valid-token-0123")
    page.click("form.profile-form button[type=submit]")
    page.wait_for_selector("#token-error")
    assert_accessible(page, "sign-in page with an error")
