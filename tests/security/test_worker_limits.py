"""The limits a query meets: memory, answer size, nesting, and no network for the workers.

Each test names the attack it guards against (issue: "A public endpoint that
cannot be turned against its host or taken down").
"""

from __future__ import annotations

import json

import pytest
import requests
from conftest import LiveServer

from crossinnov.sparql.answers import QueryRejected, QuerySpec

T = 60
JSON = "application/sparql-results+json"
#: ORDER BY over a cartesian product: every row is held in memory to be sorted
MEMORY_HOG = ("SELECT ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1")
#: one cell holding every literal of the graph, many times over
HUGE_CELL = ("SELECT (GROUP_CONCAT(STR(?o); separator=' ') AS ?all) "
             "WHERE { ?s ?p ?o FILTER(!isBlank(?o)) VALUES ?n { 1 2 3 4 5 6 7 8 } }")


def embedded_only(store_backend: str) -> None:
    if store_backend != "embedded":
        pytest.skip("query workers are the embedded store's; a SPARQL server has its own limits")


@pytest.fixture(scope="module")
def limited(make_app):
    app = make_app(QUERY_WORKERS=1, INTERNAL_WORKERS=1, WORKER_MEMORY_MB=64,
                   QUERY_TIMEOUT=30.0, MAX_RESULT_BYTES=20_000)
    server = LiveServer(app)
    server.app = app
    yield server
    server.close()


def get(server, query: str, accept: str = JSON, **params) -> requests.Response:
    return requests.get(server.url + "/sparql", params={"query": query, **params},
                        headers={"Accept": accept}, timeout=T)


def test_a_query_past_the_memory_limit_is_stopped_with_503(limited, store_backend):
    embedded_only(store_backend)
    pool = limited.app.extensions["crossinnov"].store.pool
    before = set(pool.pids())
    r = get(limited, MEMORY_HOG)
    assert r.status_code == 503, r.text[:300]
    assert "64 MB" in r.text and "memory" in r.text
    # the worker that held it is gone, a fork took its place at once, and the site answers
    after = set(pool.pids())
    assert before - after and len(after) == len(before)
    ok = get(limited, "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }")
    assert ok.status_code == 200


def test_an_answer_past_the_size_limit_is_cut_and_says_so(limited):
    r = get(limited, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert r.status_code == 200
    assert r.headers["X-SPARQL-Truncated"] == "bytes"
    assert r.headers["X-SPARQL-MaxBytes"] == "20000"
    assert "size limit" in r.headers["Warning"]
    assert len(r.content) <= 20_000
    rows = r.json()["results"]["bindings"]  # still well formed
    assert 0 < len(rows) < 1000
    for accept in ("text/csv", "text/tab-separated-values", "application/sparql-results+xml"):
        cut = get(limited, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", accept=accept)
        assert cut.headers["X-SPARQL-Truncated"] == "bytes" and len(cut.content) <= 20_000
    for accept in ("application/n-triples", "text/turtle", "application/ld+json",
                   "application/rdf+xml"):
        graph = get(limited, "CONSTRUCT WHERE { ?s ?p ?o }", accept=accept)
        assert graph.headers["X-SPARQL-Truncated"] == "bytes", accept
        assert 0 < len(graph.content) <= 20_000, accept


def test_an_answer_under_the_limits_says_nothing_is_cut(limited):
    r = get(limited, "SELECT ?s WHERE { ?s a ?t } LIMIT 3")
    assert "X-SPARQL-Truncated" not in r.headers and "Warning" not in r.headers
    assert r.headers["X-SPARQL-MaxRows"] and r.headers["X-SPARQL-MaxBytes"]


def test_a_single_huge_cell_is_cut_not_a_500(limited):
    r = get(limited, HUGE_CELL)
    assert r.status_code == 200
    assert r.headers["X-SPARQL-Truncated"] == "bytes"
    assert r.json()["results"]["bindings"] == []
    page = get(limited, HUGE_CELL, accept="text/html")
    assert page.status_code == 200
    assert "size limit" in page.text  # the page says so in words


def test_a_big_streamed_answer_still_says_it_was_cut(make_app):
    """Regression: cut answers bigger than what used to be buffered said nothing (the header
    came only on small answers)."""
    app = make_app(MAX_RESULT_ROWS=2000)
    client = app.test_client()
    r = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"},
                   headers={"Accept": JSON})
    assert r.headers["X-SPARQL-Truncated"] == "rows"
    assert len(r.json["results"]["bindings"]) == 2000


@pytest.mark.parametrize("name,query", [
    ("parentheses", "SELECT * WHERE { FILTER(" + "(" * 20_000 + "1" + ")" * 20_000 + ") }"),
    ("groups", "SELECT * WHERE " + "{ " * 20_000 + "}" * 20_000),
    ("path parentheses", "SELECT * WHERE { ?s " + "(" * 20_000 + "<p>" + ")" * 20_000 + " ?o }"),
    ("negation chain", "SELECT * WHERE { FILTER(" + "!" * 20_000 + "true) }"),
])
def test_deep_nesting_is_refused_with_400_before_parsing(limited, name, query):
    r = requests.post(limited.url + "/sparql", data=query.encode(), timeout=T,
                      headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    assert r.status_code == 400, r.text[:200]
    assert "64" in r.text and "deep" in r.text
    assert get(limited, "ASK { ?s ?p ?o }").status_code == 200


def test_query_workers_have_no_network_when_service_is_off(limited, listener, store_backend):
    """The second wall: a SERVICE call that got past the text check reaches nothing."""
    embedded_only(store_backend)
    store = limited.app.extensions["crossinnov"].store
    if store.pool.network != "isolated":
        pytest.skip(f"the operating system gave no network namespace: {store.pool.network}")
    before = listener.calls
    with pytest.raises(QueryRejected):
        store.answer(QuerySpec(f"SELECT * WHERE {{ SERVICE <{listener.base}> {{ ?s ?p ?o }} }}"))
    assert listener.calls == before
    health = requests.get(limited.url + "/healthz", timeout=T).json()
    assert health["workers"]["network"] == "isolated"


def test_service_reaches_the_network_when_allowed(make_app, listener, store_backend):
    embedded_only(store_backend)
    app = make_app(ALLOW_SERVICE=True)
    before = listener.calls
    r = app.test_client().get("/sparql", headers={"Accept": JSON}, query_string={
        "query": f"SELECT * WHERE {{ SERVICE <{listener.base}sparql> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 200, r.text
    assert json.loads(r.data)["results"]["bindings"] == [{}]
    assert listener.calls == before + 1 and listener.paths[-1] == "/sparql"


def _wall_in_child(conn) -> None:
    import resource

    from crossinnov.stores.workers import ADDRESS_SPACE_FACTOR, WALL_SLACK, _Wall

    limit = 256 * 2**20
    wall = _Wall(limit)
    wall.raise_if_needed()
    first = resource.getrlimit(resource.RLIMIT_AS)[0]
    near = abs(first - (wall.vm_size() + ADDRESS_SPACE_FACTOR * limit)) <= WALL_SLACK
    wall.raise_if_needed()  # nothing moved: the same wall
    same = resource.getrlimit(resource.RLIMIT_AS)[0] == first
    grown = bytearray(4 * WALL_SLACK)  # the worker grows past the slack: the wall follows
    wall.raise_if_needed()
    moved = resource.getrlimit(resource.RLIMIT_AS)[0] - first
    try:
        bytearray(ADDRESS_SPACE_FACTOR * limit + 2 * WALL_SLACK)  # past the wall: refused
        refused = False
    except MemoryError:
        refused = True
    conn.send((near, same, moved >= 3 * WALL_SLACK, refused, len(grown)))


def test_a_workers_address_space_wall_follows_its_size_and_stops_what_passes_it():
    """A worker's wall is its size plus a few memory limits; set again only when the size
    has moved (``WALL_SLACK``), and an allocation past it fails as MemoryError (which the
    worker answers as "over memory") instead of taking the machine's memory."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    ours, theirs = ctx.Pipe()
    child = ctx.Process(target=_wall_in_child, args=(theirs,))
    child.start()
    assert ours.poll(60)
    near, same, moved, refused, _ = ours.recv()
    child.join(10)
    assert near and same and moved and refused
