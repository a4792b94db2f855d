"""Two ``crossinnov serve`` processes over one external store behave as one site.

Real processes over a real store: an Oxigraph server (in the embedded run and in an
``oxigraph-server`` run), or Virtuoso 7 in a ``virtuoso`` run. What one server writes the
other reads at once — profile JSON, search, /sparql, counts, reconciliation, partner
suggestions, the cluster report —, and the analysis runs once however many servers ask
(the lease kept in the store, :mod:`crossinnov.analysis.lease`); a lease left by a holder
that crashed ends and is taken. The lease lasts 3 s here, so the test takes seconds.

The tests of this module share the two servers and run in the order written.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import EMBEDDED, SERVER, VIRTUOSO, store_with_shipped_data
from servers import CrossinnovServer, Servers

from crossinnov.analysis.lease import Lease
from crossinnov.analysis.service import WRITE_MARGIN
from crossinnov.config import Settings
from crossinnov.stores import open_store

pytestmark = pytest.mark.slow

ADMIN = "admin-token-two-servers-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN}"}
LEASE_SECONDS = 3
SETTINGS = {"CROSSINNOV_TOKEN": ADMIN, "CROSSINNOV_ANALYSIS_LEASE_SECONDS": str(LEASE_SECONDS),
            # no run after each write: the tests ask for runs themselves
            "CROSSINNOV_ANALYSIS_DEBOUNCE": "3600", "CROSSINNOV_QUERY_TIMEOUT": "20",
            "CROSSINNOV_ANALYSIS_ENGINE": "networkx"}
ORG = {"id": "twin-studio", "name": "Twin Studio", "city": "vilnius",
       "sectors": ["design"], "collaboratesWith": ["pakmarkas"]}
#: the profile's own triples (the analysis keeps its scores until its next run)
COUNT_ORG = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/crossinnov/graph/"
             "organisation/twin-studio> { ?s ?p ?o } }")


class Site:
    """The store's URL and the two servers over it."""

    def __init__(self, store: str, a: CrossinnovServer, b: CrossinnovServer) -> None:
        self.store, self.a, self.b = store, a, b

    def settings(self) -> Settings:
        return Settings(store=self.store)


@pytest.fixture(scope="module")
def engine(store_backend) -> str:
    """The external store: Oxigraph server, or the run's server backend."""
    return SERVER if store_backend == EMBEDDED else store_backend


@pytest.fixture(scope="module")
def site(engine, tmp_path_factory, shipped_quads, request):
    root: Path = tmp_path_factory.mktemp("two-servers")
    servers = Servers(root / "store")
    if engine == VIRTUOSO:
        location = request.getfixturevalue("virtuoso_pool").dedicated().query_url
    else:
        location = servers.start("--timeout-s", "20").query_url
    store_with_shipped_data(location, shipped_quads)
    # both start at once; the shipped data has no analysis, so both ask for one on start
    started: dict[str, CrossinnovServer] = {}

    def start(name: str) -> None:
        started[name] = CrossinnovServer(location, root / name, "--query-workers", "1",
                                         env=SETTINGS)

    threads = [threading.Thread(target=start, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        assert set(started) == {"a", "b"}, "a server did not start"
        yield Site(location, started["a"], started["b"])
    finally:
        for server in started.values():
            server.stop()
        servers.close()


def analysis_runs(site: Site) -> int:
    """How many analysis runs the changelog records."""
    with open_store(site.settings()) as store:
        rows = store.select("PREFIX dcterms: <http://purl.org/dc/terms/> "
                            "SELECT (COUNT(?a) AS ?n) WHERE { GRAPH ?g { ?a dcterms:type ?t } "
                            "FILTER(STR(?t) = 'analysis') }")
        return int(rows[0]["n"].value)


def lease_holders(site: Site) -> list[str]:
    with open_store(site.settings()) as store:
        return [h.id for h in Lease(store, LEASE_SECONDS).holders()]


def wait_until(check, timeout: float = 30.0, pause: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(pause)


def settled(site: Site) -> bool:
    """Neither server runs an analysis or has one to run, and no lease is held."""
    return not lease_holders(site) and all(
        not (s["running"] or s["pending"] or soon(s)) and s["last_error"] is None
        for s in (status_of(site.a), status_of(site.b)))


def soon(status: dict) -> bool:
    """A run is due within the test's time (the writes' debounce is an hour: not those)."""
    return status["scheduled"] is not None and status["scheduled"] < 600


def status_of(server: CrossinnovServer) -> dict:
    """The server's analysis service, as /healthz says: running, pending, scheduled (in how
    many seconds a run is due: after a write, or to look at the lease again), last error,
    the lease's holder when it last looked (if another)."""
    return requests.get(server.url + "/healthz", timeout=30).json()["analysis"]


def sparql_count(server: CrossinnovServer, query: str) -> int:
    r = requests.get(server.url + "/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert r.ok, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def void_triples(server: CrossinnovServer) -> int:
    r = requests.get(server.url + "/.well-known/void",
                     headers={"Accept": "application/n-triples"}, timeout=30)
    assert r.ok, r.text
    triples = ox.parse(r.content, format=ox.RdfFormat.N_TRIPLES)
    return next(int(t.object.value) for t in triples
                if t.predicate.value == "http://rdfs.org/ns/void#triples"
                and t.subject.value == "https://w3id.org/crossinnov/dataset")


def search(server: CrossinnovServer, text: str) -> list[str]:
    r = requests.get(server.url + "/organisations.json", params={"q": text}, timeout=30)
    assert r.ok, r.text
    return [row["id"] for row in r.json()["results"]]


def reconciled(server: CrossinnovServer, name: str) -> list[str]:
    r = requests.get(server.url + "/reconcile",
                     params={"queries": json.dumps({"q0": {"query": name}})}, timeout=30)
    assert r.ok, r.text
    return [c["name"] for c in r.json()["q0"]["result"]]


def partners_of(server: CrossinnovServer, slug: str) -> int:
    return requests.get(server.url + f"/api/organisations/{slug}/partners", timeout=30
                        ).status_code


def report_run(server: CrossinnovServer) -> str | None:
    r = requests.get(server.url + "/reports/clusters.json", timeout=30)
    assert r.ok, r.text
    return r.json()["run"]["iri"]


# --- the tests, in order ------------------------------------------------------------------------

def test_both_servers_asked_on_start_and_the_analysis_ran_once(site):
    assert wait_until(lambda: analysis_runs(site) >= 1, 60), "no analysis ran after the start"
    assert wait_until(lambda: settled(site), 60)
    assert analysis_runs(site) == 1


def test_a_profile_written_through_one_is_read_through_the_other_at_once(site):
    a, b = site.a, site.b
    # every cache of B filled before the write
    before_void = void_triples(b)
    assert search(b, "twin studio") == []
    assert "Twin Studio" not in reconciled(b, "Twin Studio")
    assert partners_of(b, "twin-studio") == 404
    assert sparql_count(b, COUNT_ORG) == 0
    r = requests.post(a.url + "/api/profiles", json=ORG, headers=AUTH, timeout=30)
    assert r.status_code == 201, r.text
    got = requests.get(b.url + "/api/profiles/twin-studio", timeout=30)
    assert got.ok and got.json()["name"] == "Twin Studio"
    assert search(b, "twin studio") == ["twin-studio"]
    assert sparql_count(b, COUNT_ORG) > 0
    assert void_triples(b) > before_void
    assert "Twin Studio" in reconciled(b, "Twin Studio")
    assert partners_of(b, "twin-studio") == 200
    # the same number of quads, written within the same second: still seen
    renamed = {**ORG, "name": "Twin Studio Renamed"}
    r = requests.put(a.url + "/api/profiles/twin-studio", json=renamed, headers=AUTH, timeout=30)
    assert r.ok, r.text
    assert requests.get(b.url + "/api/profiles/twin-studio", timeout=30).json()["name"] \
        == "Twin Studio Renamed"
    assert search(b, "renamed") == ["twin-studio"]
    assert "Twin Studio Renamed" in reconciled(b, "Twin Studio Renamed")


def test_both_ask_for_the_analysis_at_once_and_it_runs_once(site):
    runs = analysis_runs(site)  # the profile written above made the stored analysis old
    shown = {report_run(site.a), report_run(site.b)}  # both reports cached
    assert len(shown) == 1
    # a write just before a run counts as one it may have missed (it may commit after the
    # run read the store): the run after it would be followed by one more
    time.sleep(WRITE_MARGIN.total_seconds())
    answers: dict[str, requests.Response] = {}
    barrier = threading.Barrier(2)

    def ask(name: str, server: CrossinnovServer) -> None:
        barrier.wait()
        answers[name] = requests.post(server.url + "/api/analysis", params={"wait": 60},
                                      headers=AUTH, timeout=120)

    threads = [threading.Thread(target=ask, args=p) for p in (("a", site.a), ("b", site.b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(150)
    statuses = sorted(answers[n].json()["status"] for n in ("a", "b"))
    assert statuses in (["done", "elsewhere"], ["current", "done"]), \
        {n: answers[n].text for n in answers}
    for answer in answers.values():
        if answer.json()["status"] == "elsewhere":
            assert answer.status_code == 202 and answer.json()["holder"]
    assert wait_until(lambda: settled(site), 60)
    assert analysis_runs(site) == runs + 1
    # both serve the one result, whichever ran it
    assert report_run(site.a) == report_run(site.b) not in shown


def test_a_delete_through_one_is_gone_on_the_other(site):
    a, b = site.a, site.b
    # every cache of A filled before the delete
    assert search(a, "twin") == ["twin-studio"]
    assert sparql_count(a, COUNT_ORG) > 0
    assert "Twin Studio Renamed" in reconciled(a, "Twin Studio Renamed")
    assert partners_of(a, "twin-studio") == 200
    before_void = void_triples(a)
    r = requests.delete(b.url + "/api/profiles/twin-studio", headers=AUTH, timeout=30)
    assert r.status_code in (200, 204), r.text
    assert requests.get(a.url + "/api/profiles/twin-studio", timeout=30).status_code == 410
    assert search(a, "twin") == []
    assert sparql_count(a, COUNT_ORG) == 0
    assert "Twin Studio Renamed" not in reconciled(a, "Twin Studio Renamed")
    assert partners_of(a, "twin-studio") == 404
    assert void_triples(a) < before_void


def test_a_lease_left_by_a_crashed_holder_ends_and_is_taken(site):
    runs = analysis_runs(site)  # the delete above made the stored analysis old
    time.sleep(WRITE_MARGIN.total_seconds())
    with open_store(site.settings()) as store:
        crashed = Lease(store, LEASE_SECONDS, holder="crashed-host:1:dead")
        assert crashed.acquire() is None  # and never renewed nor given back
    r = requests.post(site.a.url + "/api/analysis", params={"wait": 30}, headers=AUTH,
                      timeout=60)
    assert r.status_code == 202 and r.json()["status"] == "elsewhere", r.text
    assert r.json()["holder"] == "crashed-host:1:dead"
    # the server looks again, and once the lease has ended, takes it and runs
    assert wait_until(lambda: analysis_runs(site) == runs + 1, LEASE_SECONDS * 5)
    assert wait_until(lambda: settled(site), 60)
    assert analysis_runs(site) == runs + 1


def test_the_command_line_takes_the_lease_too(site, runner):
    """`crossinnov analyse` over the shared store stops while a server runs the analysis."""
    from crossinnov.cli import main

    runs = analysis_runs(site)
    with open_store(site.settings()) as store:
        running = Lease(store, 60, holder="busy-server:2:beef")
        assert running.acquire() is None
        try:
            refused = runner.invoke(main, ["analyse", "--store", site.store])
            assert refused.exit_code == 1
            assert "running on busy-server:2:beef" in refused.output
            assert analysis_runs(site) == runs
        finally:
            running.release()
    done = runner.invoke(main, ["analyse", "--store", site.store])
    assert done.exit_code == 0, done.output
    assert analysis_runs(site) == runs + 1 and not lease_holders(site)


def descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (the analysis process a server spawned)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        except OSError:
            continue
        children = [int(c) for c in text.split()]
        found += children
        todo += children
    return found


def test_a_server_killed_during_its_run_leaves_a_lease_that_ends_and_is_taken(site):
    """Last: server A is killed (SIGKILL) while it holds the lease; B takes it once it ends."""
    import os
    import signal

    a, b = site.a, site.b
    r = requests.post(a.url + "/api/profiles", headers=AUTH, timeout=30,
                      json={"id": "after-crash", "name": "After Crash", "city": "rome",
                            "sectors": ["design"]})
    assert r.status_code == 201, r.text
    time.sleep(WRITE_MARGIN.total_seconds())
    runs = analysis_runs(site)
    r = requests.post(a.url + "/api/analysis", params={"wait": 0}, headers=AUTH, timeout=30)
    assert r.status_code == 202 and r.json()["status"] == "running", r.text
    holders = wait_until(lambda: lease_holders(site), 30, 0.02)
    assert holders, "server A did not take the lease"
    assert a.process is not None
    pid = a.process.pid
    under = descendants(pid)
    os.kill(pid, signal.SIGKILL)
    for child in under:  # its analysis process, if it had started it
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
    a.process.wait(10)
    assert analysis_runs(site) == runs, "server A wrote its run before it was killed"
    asked = requests.post(b.url + "/api/analysis", params={"wait": 30}, headers=AUTH,
                          timeout=60)
    assert asked.status_code == 202 and asked.json()["holder"] == holders[0], asked.text
    # B looks again, and once A's lease has ended, takes it and runs
    assert wait_until(lambda: analysis_runs(site) == runs + 1, LEASE_SECONDS * 5)
    assert wait_until(lambda: not lease_holders(site) and not status_of(b)["running"]
                      and not soon(status_of(b)), 60)
    assert report_run(b) is not None and search(b, "after crash") == ["after-crash"]
