"""The profile form: same rules as the API, every error in one answer (a summary that links
to each field, and each error next to its field), typed values kept, a confirmation after
saving, and a sign-in page that says how to get a token."""

from __future__ import annotations

import os
import re
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
    assert r.status_code == 303 and r.headers["Location"] == "/id/organisation/studio-form?saved=1"
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


#: the new user's submission of the issue: seven mistakes, which took three rounds to see
SEVEN = {"name": "", "id": "My Studio!", "homepage": "www.studio.example", "founded": "19x3",
         "city": "", "email": "studio-at-example", "token": TOKEN}
SEVEN_FIELDS = ["name", "id", "city", "homepage", "email", "founded", "sectors"]


def summary_links(text: str) -> list[str]:
    """The fields the error summary links to, in order."""
    summary = text[text.index('id="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    return re.findall(r'<li><a href="#([^"]+)">', summary)


def test_seven_mistakes_are_all_reported_in_one_answer(form, form_app):
    before = set(form_app.extensions["crossinnov"].store.quads())
    r = form.post("/profiles/new", data=SEVEN)
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    # the summary: focusable, first in the content, one link per error in the form's order
    assert '<div class="error-summary" id="error-summary" tabindex="-1"' in text
    assert text.index('id="error-summary"') < text.index('<form method="post" class="profile-form"')
    assert summary_links(text) == SEVEN_FIELDS
    assert "7 problems" in text
    # each error next to its field, which points at it
    for field in SEVEN_FIELDS:
        assert f'id="{field}-error"' in text, field
        assert f'aria-describedby="{field}-error"' in text, field
        assert f'id="{field}"' in text, field  # the link's target exists
    for field in ["name", "id", "homepage", "email", "founded", "city"]:
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', text), field
    assert re.search(r'<input type="checkbox" name="sectors" value="[^"]+" id="sectors" '
                     r'aria-invalid="true"', text)
    assert 'value="My Studio!"' in text and 'value="www.studio.example"' in text
    assert set(form_app.extensions["crossinnov"].store.quads()) == before


def test_a_missing_token_and_the_field_errors_come_together(form, form_app):
    before = set(form_app.extensions["crossinnov"].store.quads())
    r = form.post("/profiles/new", data={**SEVEN, "token": ""})
    assert r.status_code == 401
    text = r.get_data(as_text=True)
    assert summary_links(text) == [*SEVEN_FIELDS, "token"]
    assert "operators of this site" in text
    assert set(form_app.extensions["crossinnov"].store.quads()) == before


def test_the_error_summary_names_a_wrong_choice_and_a_taken_id(form):
    assert form.post("/profiles/new", data=GOOD).status_code == 303
    r = form.post("/profiles/new", data={**GOOD, "themes": ["no-such-theme"],
                                         "email": "x@"})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert summary_links(text) == ["id", "email", "themes"]
    assert "is taken" in text and "no-such-theme" in text


def test_editing_lists_every_error_without_an_id_field(form):
    assert form.post("/profiles/new", data=GOOD).status_code == 303
    r = form.post("/profiles/studio-form/edit", data={"name": "", "homepage": "ftp://x",
                                                      "token": TOKEN})
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert summary_links(text) == ["name", "city", "homepage", "sectors"]
    assert 'id="id"' not in text


def test_after_saving_a_confirmation_links_to_the_page_and_to_edit_it(form):
    r = form.post("/profiles/new", data=GOOD)
    assert r.status_code == 303
    page = form.get(r.headers["Location"]).get_data(as_text=True)
    notice = page[page.index('id="saved"'):]
    notice = notice[:notice.index("</div>")]
    assert "The profile is saved" in notice and 'role="status"' in page
    assert 'href="/profiles/studio-form/edit"' in notice
    assert 'href="/id/organisation/studio-form"' in notice
    assert 'href="/api/profiles/studio-form"' in notice
    # the organisation page says nothing of the kind otherwise
    assert 'id="saved"' not in form.get("/id/organisation/studio-form").get_data(as_text=True)


def test_the_sign_in_page_says_how_an_organisation_gets_its_token(form):
    text = form.get("/login").get_data(as_text=True)
    assert 'id="get-a-token"' in text and "operators of this site" in text
    assert "CROSSINNOV_TOKEN_FILE" in text and "TOKEN organisation-id" in text
    assert "At least 16 characters" in text and "letters and digits" in text
    assert "Keep it secret" in text
    # the form links there, and says what a token looks like
    page = form.get("/profiles/new").get_data(as_text=True)
    assert 'href="/login#get-a-token"' in page and "at least 16" in page
    # a failed sign-in: the error is linked to the field
    r = form.post("/login", data={"token": "wrong-token-0123456789"})
    text = r.get_data(as_text=True)
    assert r.status_code == 401 and 'href="#token"' in text and 'id="token-error"' in text
    assert 'aria-describedby="token-hint token-error"' in text


CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def form_server(form_app):
    from conftest import LiveServer

    server = LiveServer(form_app)
    yield server
    server.close()


@pytest.fixture
def browser_page(tmp_path):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CROSSINNOV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=ARGS)
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        yield page
        context.close()
        assert not errors, f"JavaScript errors: {errors}"


def focused(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


@pytest.mark.browser
def test_the_error_summary_takes_focus_and_its_links_move_to_the_fields(browser_page,
                                                                         form_server):
    page = browser_page
    page.goto(form_server.url + "/profiles/new")
    page.fill("#id", "My Studio!")
    page.fill("#homepage", "www.studio.example")
    page.fill("#founded", "19x3")
    page.fill("#email", "studio-at-example")
    page.fill("#token", TOKEN)
    page.click("form.profile-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    page.wait_for_function("document.activeElement && document.activeElement.id == 'error-summary'")
    links = page.locator("#error-summary a")
    assert links.count() == 7
    assert [links.nth(i).get_attribute("href") for i in range(7)] == [
        f"#{f}" for f in SEVEN_FIELDS]
    for field in ("email", "sectors", "name", "city"):
        page.locator(f"#error-summary a[href='#{field}']").click()
        assert focused(page) == field
        assert page.locator(f"#{field}").is_visible()
    # typed values are kept, and the field's error is what a screen reader hears with it
    assert page.input_value("#email") == "studio-at-example"
    assert page.get_attribute("#email", "aria-describedby") == "email-error"
    # keyboard: from the summary, Tab reaches its first link, Enter moves to the name field
    page.locator("#error-summary").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#name"
    page.keyboard.press("Enter")
    assert focused(page) == "name"


@pytest.mark.browser
def test_a_person_fills_the_form_fixes_a_mistake_and_lands_on_the_page(browser_page,
                                                                        form_server):
    page = browser_page
    page.goto(form_server.url + "/profiles/new")
    page.fill("#name", "Studio Form")
    page.fill("#id", "studio-form")
    page.select_option("#city", "tallinn")
    page.check("input[name=sectors][value=design]")
    page.fill("input[data-filter]", "beep")
    page.check("input[name=collaboratesWith][value=beepart]")
    page.fill("#email", "studio-at-example.org")  # the mistake
    page.fill("#token", TOKEN)
    page.click("form.profile-form button[type=submit]")
    error = page.locator("#email-error")
    assert "name@example.org" in error.inner_text()
    assert page.input_value("#name") == "Studio Form"
    assert page.is_checked("input[name=sectors][value=design]")
    page.fill("#email", "studio@example.org")
    page.fill("#token", TOKEN)
    page.click("form.profile-form button[type=submit]")
    try:
        page.wait_for_url("**/id/organisation/studio-form?saved=1")
        assert page.locator("h1").inner_text() == "Studio Form"
        assert "Beepart" in page.content()
        assert "The profile is saved" in page.locator("#saved").inner_text()
        page.locator("#saved").get_by_role("link", name="Edit the profile").click()
        page.wait_for_url("**/profiles/studio-form/edit")
        assert page.input_value("#name") == "Studio Form"
    finally:
        page.request.delete(form_server.url + "/api/profiles/studio-form",
                            headers={"Authorization": f"Bearer {TOKEN}"})
