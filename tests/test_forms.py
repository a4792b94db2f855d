"""The profile form: same rules as the API, errors next to their field, typed values kept."""

from __future__ import annotations

import os
import shutil

import pytest

TOKEN = "form-admin-token-0123456789"


@pytest.fixture(scope="module")
def form_app(make_app):
    return make_app(TOKEN=TOKEN)


@pytest.fixture
def form(form_app):
    client = form_app.test_client()
    yield client
    client.delete("/api/profiles/studio-form", headers={"Authorization": f"Bearer {TOKEN}"})


GOOD = {"name": "Studio Form", "id": "studio-form", "city": "tallinn",
        "sectors": ["design", "fashion"], "themes": ["brokerage"], "collaboratesWith": ["beepart"],
        "description": "Line one\r\nLine two", "founded": "2001", "token": TOKEN}


def test_the_form_offers_the_controlled_values(form):
    text = form.get("/profiles/new").get_data(as_text=True)
    for value in ('value="vilnius"', 'value="design"', 'value="brokerage"',
                  'value="innovation-interface-berlin-2014"', 'value="pakmarkas"'):
        assert value in text


def test_a_mistake_is_shown_next_to_its_field_and_what_was_typed_is_kept(form, form_app):
    before = set(form_app.extensions["crossinnov"].store.quads())
    r = form.post("/profiles/new", data={**GOOD, "email": "studio@", "founded": "2090"})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert 'id="email-error"' in text and "name@example.org" in text
    assert 'id="founded-error"' in text and "in the future" in text
    assert 'value="studio@"' in text and 'value="Studio Form"' in text
    assert 'value="fashion" checked' in text and 'value="beepart" checked' in text
    assert "Line one\nLine two" in text
    assert set(form_app.extensions["crossinnov"].store.quads()) == before
    r = form.post("/profiles/new", data=GOOD)
    assert r.status_code == 303 and r.headers["Location"] == "/id/organisation/studio-form"
    profile = form.get("/api/profiles/studio-form").json
    assert profile["description"] == "Line one\nLine two" and profile["founded"] == 2001


def test_the_token_is_required_and_checked(form):
    r = form.post("/profiles/new", data={**GOOD, "token": ""})
    assert r.status_code == 401 and 'id="token-error"' in r.get_data(as_text=True)
    r = form.post("/profiles/new", data={**GOOD, "token": "not-the-token-0123456789"})
    assert r.status_code == 401


def test_sign_in_sets_a_strict_cookie_then_edit(form):
    assert form.post("/profiles/new", data=GOOD).status_code == 303
    r = form.post("/login", data={"token": TOKEN, "next": "/profiles/studio-form/edit"})
    assert r.status_code == 303 and r.headers["Location"] == "/profiles/studio-form/edit"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = form.get("/profiles/studio-form/edit").get_data(as_text=True)
    assert 'value="Studio Form"' in page and "You are signed in" in page
    r = form.post("/profiles/studio-form/edit", data={"name": "Studio Form Renamed",
                                                      "city": "rome", "sectors": ["music"]})
    assert r.status_code == 303
    assert form.get("/api/profiles/studio-form").json == {
        "id": "studio-form", "name": "Studio Form Renamed", "city": "rome", "sectors": ["music"]}
    # a bad token at sign-in is refused, and sign-in never redirects off-site
    assert form.post("/login", data={"token": "wrong-token-0123456789"}).status_code == 401
    r = form.post("/login", data={"token": TOKEN, "next": "//evil.example/"})
    assert r.headers["Location"] == "/profiles/new"


def test_a_post_from_another_site_is_refused(form, form_app):
    before = set(form_app.extensions["crossinnov"].store.quads())
    r = form.post("/profiles/new", data=GOOD, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    assert set(form_app.extensions["crossinnov"].store.quads()) == before


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
def test_a_person_fills_the_form_fixes_a_mistake_and_lands_on_the_page(form_app, tmp_path):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CROSSINNOV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed")
    from conftest import LiveServer
    from playwright.sync_api import sync_playwright

    server = LiveServer(form_app)
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True,
                args=["--headless", "--no-sandbox", "--disable-gpu",
                      "--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run"])
            page = context.new_page()
            page.goto(server.url + "/profiles/new")
            page.fill("#name", "Studio Form")
            page.fill("#id", "studio-form")
            page.select_option("#city", "tallinn")
            page.check("input[name=sectors][value=design]")
            page.fill("input[data-filter]", "beep")
            page.check("input[name=collaboratesWith][value=beepart]")
            page.fill("#email", "studio-at-example.org")  # the mistake
            page.fill("#token", TOKEN)
            page.click("button[type=submit]")
            error = page.locator("#email-error")
            assert "name@example.org" in error.inner_text()
            assert page.input_value("#name") == "Studio Form"
            assert page.is_checked("input[name=sectors][value=design]")
            page.fill("#email", "studio@example.org")
            page.fill("#token", TOKEN)
            page.click("button[type=submit]")
            page.wait_for_url("**/id/organisation/studio-form")
            assert page.locator("h1").inner_text() == "Studio Form"
            assert "Beepart" in page.content()
            context.close()
    finally:
        server.close()
