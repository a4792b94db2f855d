"""Fair use: a crowd at /sparql cannot keep the rest of the site waiting.

The soak runs the worst queries from many clients (each its own loopback
address, as separate machines would be) against a real WSGI server, and checks
that the pages, the health check, static files and profile writes keep
answering within seconds, with no 5xx, while the crowd gets 200, 429 or 503.
Bounds are seconds, never ratios of times.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest
from conftest import LiveServer

from crossinnov.web.fairuse import PublicGate, Refused

ADMIN = "admin-token-for-the-soak-0123456789"
#: the worst query of the issue: a three-way cartesian product, counted
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: what a probe may take while the crowd runs (generous: a loaded 2-core machine)
PROBE_BOUND = 5.0


def request(url: str, path: str, *, method: str = "GET", body: bytes | None = None,
            headers: dict | None = None, source: str = "127.0.0.1",
            timeout: float = 60.0) -> tuple[int, dict, bytes]:
    """One HTTP request from a chosen loopback address (a client of its own)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                      source_address=(source, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def sparql_path(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


# --- the gate on its own --------------------------------------------------------------------

def test_gate_refuses_a_clients_third_query_with_429():
    gate = PublicGate(slots=4, queue=4, per_client=2, wait=5)
    with gate.admit("a"), gate.admit("a"):
        with pytest.raises(Refused) as refused:
            with gate.admit("a"):
                pass
        assert refused.value.status == 429 and refused.value.retry_after >= 1
        with gate.admit("b"):  # another client is not held back
            pass
    with gate.admit("a"):  # the client's slots came back
        pass


def test_gate_queue_is_bounded_and_answers_503_beyond():
    gate = PublicGate(slots=1, queue=1, per_client=5, wait=30)
    holding, release = threading.Event(), threading.Event()

    def hold(client: str) -> None:
        with gate.admit(client):
            holding.set()
            release.wait(10)

    first = threading.Thread(target=hold, args=("a",))
    first.start()
    holding.wait(5)
    waiter = threading.Thread(target=lambda: gate.admit("b").__enter__())
    waiter.start()
    deadline = time.monotonic() + 5
    while gate.status()["waiting"] < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(Refused) as refused:  # one running, one waiting: the third is refused
        with gate.admit("c"):
            pass
    assert refused.value.status == 503 and refused.value.retry_after >= 1
    release.set()
    first.join(5)
    waiter.join(5)


def test_gate_wait_is_bounded():
    gate = PublicGate(slots=1, queue=3, per_client=5, wait=0.3)
    with gate.admit("a"):
        with pytest.raises(Refused) as refused:
            with gate.admit("b"):
                pass
    assert refused.value.status == 503 and "0.3" in str(refused.value)
    assert gate.status() == {"running": 0, "waiting": 0, "clients": 0}


# --- the soak -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def crowded(make_app):
    app = make_app(TOKEN=ADMIN, QUERY_WORKERS=2, INTERNAL_WORKERS=1, QUERY_TIMEOUT=8.0,
                   SPARQL_PER_CLIENT=2, SPARQL_QUEUE=4, SPARQL_QUEUE_WAIT=3.0)
    server = LiveServer(app, threads=16)
    server.app = app
    yield server
    server.close()


@pytest.mark.slow
@pytest.mark.parametrize("clients", [4, 8])
def test_site_keeps_answering_while_a_crowd_runs_the_worst_query(crowded, clients):
    stop = threading.Event()
    statuses: list[int] = []
    lock = threading.Lock()

    def attacker(number: int) -> None:
        source = f"127.0.0.{10 + number}"
        while not stop.is_set():
            try:
                status, _, _ = request(crowded.url, sparql_path(CARTESIAN), source=source,
                                       headers={"Accept": "application/sparql-results+json"})
            except OSError:
                status = -1
            with lock:
                statuses.append(status)
            if status in (429, 503):
                time.sleep(0.05)

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # let the crowd fill the workers and the queue
    probes: dict[str, list[tuple[int, float]]] = {}

    def probe(name: str, **kwargs) -> None:
        started = time.monotonic()
        status, _, body = request(crowded.url, **kwargs)
        took = time.monotonic() - started
        probes.setdefault(name, []).append((status, took))
        assert status < 500, (name, status, body[:300])
        assert took < PROBE_BOUND, (name, took)

    try:
        deadline = time.monotonic() + 12
        round_ = 0
        while time.monotonic() < deadline:
            round_ += 1
            probe("healthz", path="/healthz")
            probe("organisation page", path="/id/organisation/beepart",
                  headers={"Accept": "text/html"})
            probe("static file", path="/static/style.css")
            profile = {"id": "soak-org", "name": f"Soak Org {round_}", "city": "vilnius",
                       "sectors": ["design"]}
            probe("profile write", path="/api/profiles/soak-org" if round_ > 1 else
                  "/api/profiles", method="PUT" if round_ > 1 else "POST",
                  body=json.dumps(profile).encode(),
                  headers={"Authorization": f"Bearer {ADMIN}",
                           "Content-Type": "application/json"})
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    request(crowded.url, "/api/profiles/soak-org", method="DELETE",
            headers={"Authorization": f"Bearer {ADMIN}"})
    # the crowd got answers a client can act on, never a server error
    assert statuses and set(statuses) <= {200, 429, 503}, sorted(set(statuses))
    assert 503 in statuses  # the queries ran into the time limit or the full queue
    for name in ("healthz", "organisation page", "static file", "profile write"):
        assert len(probes[name]) >= 3, probes
        assert all(status in (200, 201) for status, _ in probes[name]), (name, probes[name])


@pytest.mark.slow
def test_a_clients_extra_queries_get_429_with_retry_after(crowded):
    results: list[tuple[int, dict]] = []

    def ask() -> None:
        status, headers, _ = request(crowded.url, sparql_path(CARTESIAN), source="127.0.0.77")
        results.append((status, headers))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
        time.sleep(0.05)
    for t in threads:
        t.join(60)
    too_many = [h for s, h in results if s == 429]
    assert len(too_many) >= 2, [s for s, _ in results]
    assert all(int(h["Retry-After"]) >= 1 for h in too_many)
    assert all(s in (429, 503) for s, _ in results)
