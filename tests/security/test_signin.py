"""Sign-in: local redirects only, same-site posts only, failed tokens throttled, a safe cookie."""

from __future__ import annotations

import itertools

import pytest

from crossinnov.config import Settings
from crossinnov.web.security import safe_next

TOKEN = "signin-admin-token-0123456789"
WRONG = "wrong-token-0123456789abc"
DEFAULT = "/profiles/new"
ALLOWED = Settings().token_failures_allowed  # failed attempts allowed per client


@pytest.fixture(scope="module")
def signin_app(make_app):
    return make_app(TOKEN=TOKEN)


@pytest.fixture(scope="module")
def proxied_app(make_app):
    """An app behind one reverse proxy it trusts (X-Forwarded-* believed)."""
    return make_app(TOKEN=TOKEN, TRUSTED_PROXIES=1)


@pytest.fixture(scope="module")
def addresses():
    """A new client address for each test that counts failures."""
    return (f"192.0.2.{n}" for n in itertools.count(1))


def client_at(app, address: str):
    """A test client whose requests come from ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def client(signin_app, addresses):
    return client_at(signin_app, next(addresses))


# --- next --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["/", "/profiles/acme/edit", "/id/organisation/acme?x=1#top",
                                   "/a/b/../c", "/%2F%2Fevil.example"])
def test_safe_next_keeps_a_local_path(value):
    assert safe_next(value, DEFAULT) == value


@pytest.mark.parametrize("value", [
    None, "", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "/\t/evil.example/",
    "/\n/evil.example/", "/\r/evil.example/", "\t//evil.example/", "/ /evil.example", " /x",
    "/x y", "/x\x00", "/x\x7f", "/x\u00a0y", "/\u2028x", "https://evil.example/",
    "http:/evil.example", "javascript:alert(1)", "evil.example/x", "x", "/é",
    "/x\r\nSet-Cookie: a=b", "/" + "a" * 3000, ["/"]])
def test_safe_next_refuses_anything_that_could_leave_the_site(value):
    assert safe_next(value, DEFAULT) == DEFAULT


def test_next_with_tab_does_not_redirect_off_site(client):
    r = client.post("/login", data={"token": TOKEN, "next": "/\t/other.host/x"})
    assert r.status_code == 303 and r.headers["Location"] == DEFAULT


def test_next_with_backslash_does_not_redirect_off_site(client):
    r = client.post("/login", data={"token": TOKEN, "next": "/\\other.host/x"})
    assert r.status_code == 303 and r.headers["Location"] == DEFAULT


def test_next_with_cr_lf_is_not_a_500_and_splits_no_header(client):
    r = client.post("/login", data={"token": TOKEN, "next": "/x\r\nSet-Cookie: evil=1"})
    assert r.status_code == 303 and r.headers["Location"] == DEFAULT
    assert all("evil" not in v for v in r.headers.getlist("Set-Cookie"))
    r = client.get("/login?next=/x%0D%0ASet-Cookie:%20evil=1")
    assert r.status_code == 200 and f'value="{DEFAULT}"' in r.get_data(as_text=True)


def test_next_on_the_sign_in_page_is_only_ever_local(client):
    page = client.get("/login?next=%2F%09%2Fother.host%2F").get_data(as_text=True)
    assert f'name="next" value="{DEFAULT}"' in page
    page = client.get("/login?next=/profiles/acme/edit").get_data(as_text=True)
    assert 'name="next" value="/profiles/acme/edit"' in page


def test_a_local_next_is_followed(client):
    r = client.post("/login", data={"token": TOKEN, "next": "/profiles/acme/edit"})
    assert r.status_code == 303 and r.headers["Location"] == "/profiles/acme/edit"


# --- cross-site posts --------------------------------------------------------------------------

@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Origin": "null"},
                                     {"Referer": "https://evil.example/page"},
                                     {"Origin": "http://localhost.evil.example"}])
def test_a_cross_site_sign_in_is_refused_and_sets_no_cookie(client, headers):
    r = client.post("/login", data={"token": TOKEN}, headers=headers)
    assert r.status_code == 403 and "another site" in r.get_data(as_text=True)
    assert "Set-Cookie" not in r.headers


def test_a_cross_site_sign_out_is_refused_and_keeps_the_cookie(client):
    assert client.post("/login", data={"token": TOKEN}).status_code == 303
    r = client.post("/logout", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "another site" in r.get_data(as_text=True)
    assert "Set-Cookie" not in r.headers
    assert client.get_cookie("crossinnov_token") is not None
    r = client.post("/logout", headers={"Origin": "http://localhost"})
    assert r.status_code == 303 and client.get_cookie("crossinnov_token") is None


def test_a_same_site_sign_in_with_origin_or_referer_works(client):
    r = client.post("/login", data={"token": TOKEN}, headers={"Origin": "http://localhost"})
    assert r.status_code == 303
    r = client.post("/login", data={"token": TOKEN},
                    headers={"Referer": "http://localhost/login?next=/"})
    assert r.status_code == 303


# --- throttling --------------------------------------------------------------------------------

def test_failed_sign_ins_are_throttled_with_retry_after(client):
    for _ in range(ALLOWED):
        assert client.post("/login", data={"token": WRONG}).status_code == 401
    for token in (WRONG, TOKEN):  # every further attempt, even with the right token
        r = client.post("/login", data={"token": token})
        assert r.status_code == 429
        assert 0 < int(r.headers["Retry-After"]) <= 300
        assert "too many failed token attempts" in r.get_data(as_text=True)
        assert "Set-Cookie" not in r.headers


def test_failed_tokens_in_the_profile_form_are_throttled(client):
    data = {"name": "Throttled Org", "city": "linz", "sectors": ["design"]}
    for _ in range(ALLOWED):
        r = client.post("/profiles/new", data={**data, "token": WRONG})
        assert r.status_code == 401
    r = client.post("/profiles/new", data={**data, "token": TOKEN})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    text = r.get_data(as_text=True)
    assert 'id="token-error"' in text and "too many failed token attempts" in text


def test_one_client_being_throttled_does_not_hold_back_another(signin_app, addresses):
    bad = client_at(signin_app, next(addresses))
    good = client_at(signin_app, next(addresses))
    for _ in range(ALLOWED + 1):
        bad.post("/login", data={"token": WRONG})
    assert bad.post("/login", data={"token": TOKEN}).status_code == 429
    assert good.post("/login", data={"token": TOKEN}).status_code == 303


def test_failed_api_bearer_tokens_are_throttled_with_json(signin_app, addresses):
    client = client_at(signin_app, next(addresses))
    wrong = {"Authorization": f"Bearer {WRONG}"}
    for _ in range(ALLOWED):
        assert client.post("/api/profiles", json={}, headers=wrong).status_code == 401
    r = client.post("/api/profiles", json={}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json["status"] == 429 and "too many failed token attempts" in r.json["message"]


def test_the_app_throttles_as_its_settings_say(make_app):
    app = make_app(TOKEN=TOKEN, TOKEN_FAILURES_ALLOWED=2, TOKEN_FAILURE_WINDOW=60)
    client = client_at(app, "192.0.2.250")
    for _ in range(2):
        assert client.post("/login", data={"token": WRONG}).status_code == 401
    r = client.post("/login", data={"token": TOKEN})
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 60


def test_forwarded_for_is_ignored_without_a_trusted_proxy(signin_app, addresses):
    """A client cannot escape its count by inventing X-Forwarded-For."""
    client = client_at(signin_app, next(addresses))
    for n in range(ALLOWED):
        client.post("/login", data={"token": WRONG}, headers={"X-Forwarded-For": f"10.9.0.{n}"})
    r = client.post("/login", data={"token": TOKEN}, headers={"X-Forwarded-For": "10.9.1.1"})
    assert r.status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(proxied_app):
    client = client_at(proxied_app, "127.0.0.1")
    for _ in range(ALLOWED):
        client.post("/login", data={"token": WRONG}, headers={"X-Forwarded-For": "198.51.100.1"})
    r = client.post("/login", data={"token": TOKEN}, headers={"X-Forwarded-For": "198.51.100.1"})
    assert r.status_code == 429
    r = client.post("/login", data={"token": TOKEN}, headers={"X-Forwarded-For": "198.51.100.2"})
    assert r.status_code == 303


def test_ipv6_clients_count_by_their_64_network(signin_app):
    first = client_at(signin_app, "2001:db8:1:2::1")
    second = client_at(signin_app, "2001:db8:1:2::ffff")
    for _ in range(ALLOWED):
        first.post("/login", data={"token": WRONG})
    assert second.post("/login", data={"token": TOKEN}).status_code == 429


# --- the cookie --------------------------------------------------------------------------------

def _cookie(response) -> str:
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie")
                 if c.startswith("crossinnov_token=")]
    return cookie


def test_the_cookie_is_httponly_strict_and_not_secure_over_http(client):
    cookie = _cookie(client.post("/login", data={"token": TOKEN}))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie


def test_the_cookie_is_secure_over_https(signin_app, addresses):
    client = client_at(signin_app, next(addresses))
    r = client.post("/login", data={"token": TOKEN}, base_url="https://localhost")
    cookie = _cookie(r)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_forwarded_proto_is_ignored_without_a_trusted_proxy(client):
    r = client.post("/login", data={"token": TOKEN}, headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in _cookie(r)


def test_the_cookie_is_secure_behind_a_trusted_tls_proxy(proxied_app):
    client = client_at(proxied_app, "127.0.0.1")
    r = client.post("/login", data={"token": TOKEN},
                    headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
                             "X-Forwarded-Host": "data.example.org",
                             "Origin": "https://data.example.org"})
    assert r.status_code == 303
    assert "Secure" in _cookie(r)
