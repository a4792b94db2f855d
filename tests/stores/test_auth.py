"""HTTP authentication to an external store (crossinnov.stores.http.Credentials): Digest as
Virtuoso's ``/sparql-auth`` asks for it, Basic as a proxy in front of a server asks for it
(nginx's ``auth_basic``, say), given by settings and never shown.

The servers are real: a Virtuoso of the session's pool with a user of its own (as the README
sets one up), and a WSGI proxy checking Basic credentials in front of it. They run in a
Virtuoso run (``CROSSINNOV_TEST_STORE=virtuoso``); what needs no server runs in every run.
"""

from __future__ import annotations

import base64
import http.client
import urllib.parse

import pytest
from conftest import RUN_BACKEND, SERVER, VIRTUOSO, LiveServer

from crossinnov.config import DEFAULT_BASE, Settings, SettingsError
from crossinnov.iris import IRIs
from crossinnov.stores import credentials, open_store
from crossinnov.stores.base import StoreError
from crossinnov.stores.http import Credentials, _digest
from crossinnov.stores.remote import RemoteStore

EX = "http://example.org/"
INSERT = f'INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> "x" }} }}'
USER, PASSWORD = "crossinnov", "a-password-nobody-sees"

virtuoso_run = pytest.mark.skipif(RUN_BACKEND != VIRTUOSO,
                                  reason="a Virtuoso run only (CROSSINNOV_TEST_STORE=virtuoso)")


# --- Digest by the book (RFC 7616, section 3.9.1) -------------------------------------------

RFC_CHALLENGE = {"realm": "http-auth@example.org", "qop": "auth, auth-int",
                 "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                 "opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"}
RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize("algorithm, response", [
    ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
    ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
])
def test_digest_answers_the_rfc_example(algorithm, response, monkeypatch):
    monkeypatch.setattr("crossinnov.stores.http.secrets.token_hex", lambda n: RFC_CNONCE)
    header = _digest({**RFC_CHALLENGE, "algorithm": algorithm}, "Mufasa", "Circle of Life",
                     "GET", "/dir/index.html", "00000001")
    assert f'response="{response}"' in header
    assert 'uri="/dir/index.html"' in header and "qop=auth, nc=00000001" in header
    assert f'opaque="{RFC_CHALLENGE["opaque"]}"' in header


def test_a_stale_or_new_nonce_is_worth_asking_again_the_same_is_not():
    creds = Credentials("u", "p", "digest")
    assert creds.needs_challenge and creds.header("GET", "/") is None
    first = 'Digest realm="r", nonce="n1", qop="auth"'
    assert creds.challenged([first]) is True
    assert not creds.needs_challenge
    one, two = creds.header("GET", "/"), creds.header("GET", "/")
    assert "nc=00000001" in one and "nc=00000002" in two  # the nonce count grows
    assert creds.challenged([first]) is False  # refused with the nonce it gave: wrong password
    assert creds.challenged(['Digest realm="r", nonce="n1", stale=true']) is True
    assert creds.challenged(['Basic realm="r"']) is False


# --- settings -------------------------------------------------------------------------------

def test_credentials_come_from_settings_in_pairs_and_are_never_shown():
    assert credentials(Settings()) is None
    creds = credentials(Settings(store_user=USER, store_password=PASSWORD, store_auth="digest"))
    assert (creds.user, creds.scheme) == (USER, "digest")
    shown = repr(Settings(store_user=USER, store_password=PASSWORD, token="t" * 20)) + repr(creds)
    assert PASSWORD not in shown and "t" * 20 not in shown
    with pytest.raises(StoreError, match="STORE_USER is set but STORE_PASSWORD is not"):
        credentials(Settings(store_user=USER))
    with pytest.raises(StoreError, match="STORE_PASSWORD is set but STORE_USER is not"):
        credentials(Settings(store_password=PASSWORD))
    with pytest.raises(SettingsError, match="CROSSINNOV_STORE_AUTH: expected one of basic, digest"):
        Settings.from_env({"CROSSINNOV_STORE_AUTH": "ntlm"})


def test_a_password_in_the_store_url_is_refused():
    for url in (f"http://{USER}:{PASSWORD}@127.0.0.1:1/sparql", f"http://{USER}@127.0.0.1:1/q"):
        with pytest.raises(StoreError, match="CROSSINNOV_STORE_PASSWORD") as caught:
            open_store(Settings(store=url))
        assert PASSWORD not in str(caught.value)


# --- against real servers -------------------------------------------------------------------

@pytest.fixture(scope="module")
def virtuoso(virtuoso_pool):
    """A Virtuoso of its own with a user for crossinnov: allowed to update, reading public
    graphs only (as the README sets it up); the public /sparql user may not update."""
    server = virtuoso_pool.dedicated()
    for statement in (f"DB.DBA.USER_CREATE('{USER}', '{PASSWORD}')",
                      f'grant SPARQL_UPDATE to "{USER}"',
                      f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 7)",
                      f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{USER}', 0, 1)",
                      'revoke SPARQL_UPDATE from "SPARQL"'):
        server.isql(statement)
    return server


def remote(url: str, creds: Credentials | None) -> RemoteStore:
    return RemoteStore(url, IRIs(DEFAULT_BASE), credentials=creds)


@virtuoso_run
def test_digest_writes_reach_virtuosos_sparql_auth(virtuoso):
    url = virtuoso.url + "/sparql-auth"
    store = remote(url, Credentials(USER, PASSWORD, "digest"))
    assert store.virtuoso and store.gsp_url.endswith("/sparql-graph-crud-auth")
    store.update(f"DROP SILENT GRAPH <{EX}g>")
    store.update(INSERT)
    store.update(INSERT.replace('"x"', '"y"'))  # the kept challenge, a higher nonce count
    assert len(store) == 2 and store.named_graphs() == [EX + "g"]  # Virtuoso's own: private
    public = remote(virtuoso.url + "/sparql", None)
    assert len(public) == 2  # read by anyone
    with pytest.raises(StoreError):
        public.update(INSERT.replace('"x"', '"z"'))  # written by the user only
    assert len(store) == 2


@virtuoso_run
@pytest.mark.parametrize("creds, words", [
    (None, "asks for a user name and password: set CROSSINNOV_STORE_USER"),
    (Credentials(USER, "wrong", "digest"), f"refused the credentials of user '{USER}'"),
    (Credentials(USER, PASSWORD, "basic"), f"refused the credentials of user '{USER}'"),
])
def test_missing_or_wrong_credentials_are_refused_in_words_and_change_nothing(
        virtuoso, creds, words):
    store = remote(virtuoso.url + "/sparql-auth", creds)
    before = len(remote(virtuoso.url + "/sparql", None))
    with pytest.raises(StoreError, match=words) as caught:
        store.update(INSERT.replace('"x"', '"never"'))
    assert "changed nothing" in str(caught.value)
    assert "wrong" not in str(caught.value) and PASSWORD not in str(caught.value)
    assert len(remote(virtuoso.url + "/sparql", None)) == before


class BasicProxy:
    """A WSGI proxy that lets through only requests with the right Basic credentials (as
    nginx's ``auth_basic`` in front of a SPARQL server), forwarding them to ``upstream``."""

    def __init__(self, upstream: str, user: str, password: str) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.seen: list[str | None] = []

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == "/healthz":  # the proxy's own, for LiveServer
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        given = environ.get("HTTP_AUTHORIZATION")
        self.seen.append(given)
        if given != self.expected:
            start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="sparql"'),
                                                ("Content-Type", "text/plain")])
            return [b"who are you?"]
        body = environ["wsgi.input"].read() or None  # waitress has read a chunked one whole
        target = environ["PATH_INFO"] + (f"?{environ['QUERY_STRING']}"
                                         if environ.get("QUERY_STRING") else "")
        headers = {k: environ[e] for k, e in (("Content-Type", "CONTENT_TYPE"),
                                              ("Accept", "HTTP_ACCEPT")) if environ.get(e)}
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port,
                                                timeout=60)
        try:
            connection.request(environ["REQUEST_METHOD"], target, body=body, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
            kept = [(k, v) for k, v in answer.getheaders()
                    if k.lower() in ("content-type", "x-sparql-maxrows")]
        finally:
            connection.close()
        start_response(f"{answer.status} {answer.reason}", kept)
        return [data]


@virtuoso_run
def test_basic_credentials_pass_a_proxy_that_asks_for_them(virtuoso):
    """Virtuoso's /sparql behind a Basic-checking proxy: with the settings' credentials every
    request (queries, updates) passes; without them, a 401 said in words."""
    proxy = BasicProxy(virtuoso.url, USER, PASSWORD)
    server = LiveServer(proxy)
    try:
        settings = Settings(store=server.url + "/sparql", store_user=USER,
                            store_password=PASSWORD, store_auth="basic")
        store = open_store(settings)
        assert len(store) >= 0
        with pytest.raises(StoreError, match="asks for a user name and password"):
            len(open_store(Settings(store=server.url + "/sparql")))
        assert proxy.seen[0] == proxy.expected and proxy.seen[-1] is None
    finally:
        server.close()


@pytest.mark.skipif(RUN_BACKEND != SERVER,
                    reason="an Oxigraph server run only (CROSSINNOV_TEST_STORE=oxigraph-server)")
def test_basic_credentials_pass_a_proxy_in_front_of_oxigraph_server(store):
    """Oxigraph server has no access control: behind a proxy asking for Basic, every kind of
    request crossinnov makes passes with the credentials, the streamed Graph Store POST
    of a bulk add (chunked, sent once) among them."""
    import pyoxigraph as ox

    upstream = urllib.parse.urlsplit(store.query_url)
    proxy = BasicProxy(f"{upstream.scheme}://{upstream.netloc}", USER, PASSWORD)
    server = LiveServer(proxy)
    try:
        through = open_store(Settings(store=server.url + "/query", store_user=USER,
                                      store_password=PASSWORD))
        quads = [ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(str(i)),
                         ox.NamedNode(EX + "g")) for i in range(50)]
        through.add_quads(quads, bulk=True)  # the Graph Store endpoint, streamed
        through.update(INSERT)  # the update endpoint
        assert len(through) == len(store) == 51  # the query endpoint
        assert sum(1 for _ in through.quads(EX + "g")) == 51  # the Graph Store, read
        assert proxy.seen and all(seen == proxy.expected for seen in proxy.seen)
    finally:
        server.close()
