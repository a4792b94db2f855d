"""Security headers on every answer, a Content Security Policy the pages live with, CORS kept."""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources

import pytest

EVERY_ANSWER = ["/", "/healthz", "/sparql", "/sparql?query=ASK%7B%7D", "/dumps/",
                "/.well-known/void", "/ontology", "/static/style.css", "/static/site.js",
                "/id/organisation/pakmarkas", "/id/organisation/no-such-thing",
                "/api/profiles/no-such-thing", "/login", "/profiles/new", "/no/such/page"]
PAGES = ["/", "/sparql", "/dumps/", "/ontology", "/id/organisation/pakmarkas", "/login",
         "/profiles/new", "/no/such/page"]
DIRECTIVES = ["default-src 'self'", "img-src 'self' data: https://tile.openstreetmap.org",
              "frame-ancestors 'none'",
              "base-uri 'self'", "form-action 'self'", "object-src 'none'"]
# (a script element of JSON data is data, not code: the policy does not apply to it)
INLINE_CODE = re.compile(r'<script(?![^>]*\b(?:src=|type="application/json"))[^>]*>|<style\b'
                         r"|\son[a-z]+\s*=|\sstyle\s*=",
                         re.IGNORECASE)


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize("path", EVERY_ANSWER)
def test_every_answer_has_nosniff_and_keeps_cors(client, path):
    r = client.get(path, headers={"Accept": "text/html"} if "." not in path else {})
    r.close()
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_a_csp_without_inline_code_and_no_framing(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.mimetype == "text/html"
    policy = r.headers["Content-Security-Policy"]
    for directive in DIRECTIVES:
        assert directive in policy
    parsed = directives(policy)
    for name in ("script-src", "style-src"):
        assert parsed[name][0] == "'self'"
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*",
                    "data:"} & set(parsed[name])
    # scripts only from the site; styles from the site and, for the <style> elements that
    # CodeMirror and Cytoscape add, this page's own nonce (fresh on every answer)
    assert parsed["script-src"] == ["'self'"]
    assert all(v.startswith("'nonce-") for v in parsed["style-src"][1:])
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_data_answers_carry_no_page_headers(client):
    r = client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and "Content-Security-Policy" not in r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_an_options_preflight_keeps_cors(client):
    r = client.options("/sparql", headers={"Origin": "https://elsewhere.example",
                                           "Access-Control-Request-Method": "POST"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]


def _templates():
    for package in ("crossinnov.web", "crossinnov.report"):
        folder = resources.files(package).joinpath("templates")
        for item in folder.iterdir():
            if item.name.endswith(".html"):
                yield package, item


@pytest.mark.parametrize("package,template", list(_templates()),
                         ids=lambda v: getattr(v, "name", v))
def test_templates_hold_no_inline_code_the_policy_does_not_allow(package, template):
    found = INLINE_CODE.findall(template.read_text(encoding="utf-8"))
    assert found == [], f"move inline code of {template.name} into a static file: {found}"


# --- in a real browser -------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CROSSINNOV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            args=ARGS, headless=True)
        context.set_default_timeout(20_000)
        yield context
        context.close()


@pytest.fixture
def watched_page(browser_context):
    """A page whose CSP violations and script errors fail the test."""
    page = browser_context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.add_init_script("""document.addEventListener('securitypolicyviolation', e =>
        console.error('Content Security Policy violation: ' + e.violatedDirective + ' '
                      + e.blockedURI));""")
    yield page
    page.close()
    assert problems == []


@pytest.mark.browser
def test_the_home_page_works_under_the_csp(watched_page, live_server):
    watched_page.goto(live_server.url + "/")
    watched_page.wait_for_load_state("networkidle")
    assert watched_page.locator("h1").is_visible()
    skip = watched_page.evaluate("getComputedStyle(document.querySelector('a.skip')).position")
    assert skip == "absolute"  # the stylesheet applied


@pytest.mark.browser
def test_the_query_page_works_under_the_csp(watched_page, live_server):
    watched_page.goto(live_server.url + "/sparql")
    picker = watched_page.locator("#example-picker")
    assert picker.is_visible()  # shown by query.js: the script ran
    picker.select_option(index=1)
    watched_page.locator("#run").click()
    watched_page.wait_for_selector("#answer table.results")


@pytest.mark.browser
def test_the_profile_form_works_under_the_csp(watched_page, live_server):
    watched_page.goto(live_server.url + "/profiles/new")
    box = watched_page.locator("input[data-filter='#collaborators']")
    assert box.is_visible()  # shown by forms.js: the script ran
    box.fill("beep")
    labels = watched_page.locator("#collaborators label:visible")
    assert 1 <= labels.count() < 10
    watched_page.goto(live_server.url + "/login")
    assert watched_page.locator("#token").is_visible()


@pytest.mark.browser
def test_the_cluster_report_works_under_the_csp(watched_page, live_server):
    watched_page.goto(live_server.url + "/reports/clusters")
    watched_page.wait_for_load_state("networkidle")
    border = watched_page.evaluate(
        "getComputedStyle(document.querySelector('section.box')).borderTopStyle")
    assert border == "solid"  # the report's own style sheet applied
    head = watched_page.locator("#cluster-table th", has_text="members")
    head.click()
    sizes = watched_page.evaluate("""Array.from(document.querySelectorAll(
        '#cluster-table tbody tr')).map(r => parseInt(r.cells[2].textContent))""")
    assert len(sizes) > 1 and sizes == sorted(sizes)  # the report's own script ran


@pytest.mark.browser
def test_signing_in_and_out_works_in_a_browser(watched_page, make_app):
    """Chromium's own Origin headers pass the same-site check; the cookie comes and goes."""
    from conftest import LiveServer

    token = "browser-admin-token-0123456789"
    server = LiveServer(make_app(TOKEN=token))
    try:
        page = watched_page
        page.goto(server.url + "/login?next=/profiles/new")
        page.fill("#token", token)
        page.click("form.profile-form button[type=submit]")  # not the header's search
        page.wait_for_url("**/profiles/new")
        assert "You are signed in" in page.content()
        cookies = {c["name"]: c for c in page.context.cookies(server.url)}
        assert cookies["crossinnov_token"]["httpOnly"] is True
        assert cookies["crossinnov_token"]["sameSite"] == "Strict"
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(server.url + "/")
        assert "crossinnov_token" not in {c["name"] for c in page.context.cookies(server.url)}
    finally:
        server.close()


def test_the_style_nonce_is_fresh_per_answer_and_given_to_the_page(client):
    """A nonce that repeated would let a stored <style> through; the page's scripts read it
    from the meta element to give it to the styles CodeMirror and Cytoscape add."""
    seen = []
    for _ in range(2):
        r = client.get("/sparql", headers={"Accept": "text/html"})
        nonce = directives(r.headers["Content-Security-Policy"])["style-src"][1]
        value = nonce.removeprefix("'nonce-").removesuffix("'")
        assert f'<meta name="csp-nonce" content="{value}">' in r.get_data(as_text=True)
        seen.append(value)
    assert seen[0] != seen[1] and len(seen[0]) >= 16
