"""The query workers behind ``/sparql`` (crossinnov.stores.workers): a stopped query's worker
is killed and replaced, and two workers answer at once. Over real HTTP to a served app.

The limits a worker keeps (memory, answer size, no network) are in
``security/test_worker_limits.py``; the served store's own reads and writes in
``test_served.py``.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from endpoint import (
    CITIES,
    CITY_NOTATIONS,
    RUNAWAY,
    Serve,
    column,
    get,
    number,
    wait_for_pool,
    wait_for_workers,
)

from crossinnov.stores import workers


@pytest.fixture(scope="module")
def serve(make_app):
    serve = Serve(make_app)
    yield serve
    serve.close()


@pytest.fixture(scope="module")
def limited(serve):
    return serve(QUERY_TIMEOUT=1.5, QUERY_WORKERS=2)


@pytest.mark.embedded_only(reason="query workers are how the embedded store stops a query; "
                                  "a SPARQL server stops its own")
def test_a_stopped_query_worker_is_killed_and_replaced(limited):
    pool = limited.app.extensions["crossinnov"].store.pool
    before = wait_for_pool(pool, 2)
    assert get(limited, RUNAWAY).status_code == 503
    # the stopped worker is really gone
    killed = before - set(pool.pids())
    assert len(killed) == 1
    for pid in killed:  # SIGKILLed, then reaped by the kernel (SIGCHLD ignored): give it time
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"the stopped worker {pid} still exists after 10 s")
    # the other worker answers meanwhile
    assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES
    # a fresh worker takes the stopped one's place
    wait_for_pool(pool, 2, without=killed)
    for _ in range(4):  # both workers answer
        assert column(get(limited, CITY_NOTATIONS), "notation") == CITIES


#: a slow (finite) query of a few seconds, and the least count it answers
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
        "FILTER(STRLEN(STR(?c)) > STRLEN(STR(?f))) }", 1_000_000)


@pytest.fixture(scope="module")
def parallel(serve):
    return serve(QUERY_WORKERS=2, QUERY_TIMEOUT=60.0)


@pytest.mark.embedded_only(reason="about the embedded store's query workers; a SPARQL server "
                                  "has its own threads")
def test_two_workers_answer_in_parallel(parallel):
    """Two slow queries at once are both being answered at the same moment, by the two public
    workers (no timing: a loaded machine slows everything alike)."""
    pool = parallel.app.extensions["crossinnov"].store.pool
    wait_for_workers(parallel, 2)
    slow, least = SLOW
    seen_busy = threading.Event()

    def watch() -> None:
        while not seen_busy.is_set() and watching:
            if pool.status()["idle"]["public"] == 0:
                seen_busy.set()
            time.sleep(0.005)

    watching = True
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    with ThreadPoolExecutor(2) as executor:
        answers = list(executor.map(lambda _: number(parallel, slow), range(2)))
    watching = False
    watcher.join(5)
    assert answers[0] == answers[1] and answers[0] > least
    assert seen_busy.is_set()  # both public workers were answering at once


#: a query that makes its worker take memory (200 000 rows of decoded terms, sorted), and
#: the one answer it gives
GREEDY = ("SELECT ?c WHERE { { SELECT ?c ?f WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 200000 } } "
          "ORDER BY DESC(STR(?c)) DESC(STR(?f)) LIMIT 1")


@pytest.fixture(scope="module")
def recycling(serve):
    return serve(QUERY_WORKERS=1, WORKER_RECYCLE_MB=1, WORKER_RECYCLE_IDLE=0.5)


@pytest.fixture(scope="module")
def keeping(serve):
    return serve(QUERY_WORKERS=1, WORKER_RECYCLE_MB=0)


@pytest.mark.embedded_only(reason="about the embedded store's query workers")
@pytest.mark.parametrize("server, replaced", [("recycling", True), ("keeping", False)])
def test_a_worker_that_kept_memory_after_its_answer_is_replaced(server, replaced, request,
                                                                monkeypatch):
    """A worker that holds more than WORKER_RECYCLE_MB of private memory after an answer is
    replaced by a fresh fork once it has been idle a while (the answer is whole); with 0 it
    stays. The public worker's pid tells which."""
    monkeypatch.setattr(workers, "RECYCLE_CHECK_SLOWER_THAN", 0.0)  # every answer looked at
    served = request.getfixturevalue(server)
    pool = served.app.extensions["crossinnov"].store.pool
    before = wait_for_pool(pool, 1)
    public = {w.pid for w in pool._workers if w.lane == "public"}  # noqa: SLF001
    first = column(get(served, GREEDY), "c")
    assert len(first) == 1
    assert column(get(served, CITY_NOTATIONS), "notation") == CITIES  # answered meanwhile
    if replaced:
        after = wait_for_pool(pool, 1, without=public)
        assert pool.status()["recycled"] >= 1
        assert after - before  # a new worker
    else:
        assert wait_for_pool(pool, 1) == before
        assert pool.status()["recycled"] == 0
    assert column(get(served, GREEDY), "c") == first  # the same answer from either


def one_worker_in_memory(serve, monkeypatch, *, delay: float, **settings):
    """A server with one query worker on an in-memory replica that is replaced past 1 MB
    private, looked at ``delay`` seconds after writes: (server, store, its worker's pid)."""
    monkeypatch.setattr(workers, "WRITES_CHECK_DELAY", delay)
    server = serve(QUERY_WORKERS=1, WORKER_RECYCLE_MB=1, **settings)
    store = server.app.extensions["crossinnov"].store
    if store.pool.replicas != "memory":
        pytest.skip("the workers read the disk: a write copies nothing into them")
    return server, store, wait_for_pool(store.pool, 1)


@pytest.mark.embedded_only(reason="about the embedded store's query workers")
def test_workers_that_writes_made_grow_are_replaced_without_any_query(serve, monkeypatch):
    """Every write is applied to every worker's replica, which copies the pages it changes
    (about 5 MB a profile per worker at 100 000). With no query after the writes, nothing
    looked at the workers before; now every worker is looked at WRITES_CHECK_DELAY after a
    write, and one holding more than WORKER_RECYCLE_MB is replaced once idle."""
    server, store, before = one_worker_in_memory(serve, monkeypatch, delay=0.2,
                                                 WORKER_RECYCLE_IDLE=0.3)
    time.sleep(1.5)
    assert set(store.pool.pids()) == before  # no write, no query: nobody looked
    store.update("INSERT DATA { GRAPH <urn:test:written> { <urn:test:a> <urn:test:b> "
                 + " ".join(f'"{i:05d}{"x" * 200}", ' for i in range(2000)) + '"last" } }')
    after = wait_for_pool(store.pool, 1, without=before, timeout=30)
    assert store.pool.status()["recycled"] >= 1 and not after & before
    assert get(server, "ASK { GRAPH <urn:test:written> { <urn:test:a> <urn:test:b> \"last\" } }"
               ).json()["boolean"] is True  # the fresh workers have the write


@pytest.mark.embedded_only(reason="about the embedded store's query workers")
def test_workers_are_looked_at_once_a_burst_of_writes_has_paused(serve, monkeypatch):
    """The look after writes costs CPU (20-30 ms per GB of a worker): it waits until no
    write has come for WRITES_CHECK_DELAY, so a burst of uploads never shares the machine
    with it; then the grown workers are replaced."""
    _, store, before = one_worker_in_memory(serve, monkeypatch, delay=2.0,
                                            WORKER_RECYCLE_IDLE=0)
    for i in range(60):  # 3 s of writes, 0.05 s apart: longer than the delay
        store.update("INSERT DATA { GRAPH <urn:test:burst> { <urn:test:a> <urn:test:n> "
                     f"{i} }} }}")
        time.sleep(0.05)
    assert set(store.pool.pids()) == before  # not looked at during the burst
    assert store.pool.status()["recycled"] == 0
    wait_for_pool(store.pool, 1, without=before, timeout=30)  # looked at after it


def test_private_memory_sees_pages_copied_from_the_parent():
    """What recycling watches: a forked process that writes to pages it inherited resident
    copies them. Its private memory grows by what it wrote; its resident size does not
    (the pages were resident, shared, already), so a rule on the resident size misses
    exactly how a worker grows when a query walks the replica."""
    size = 64 * 2**20
    inherited = bytearray(size)
    for at in range(0, size, 4096):  # resident in this process before the fork
        inherited[at] = 1
    go_r, go_w = os.pipe()
    done_r, done_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.read(go_r, 1)
            for at in range(0, size, 4096):
                inherited[at] = 2
            os.write(done_w, b"x")
            os.read(go_r, 1)
        finally:
            os._exit(0)
    try:
        time.sleep(0.2)
        rss, private = workers._rss(pid), workers.private_memory(pid)  # noqa: SLF001
        os.write(go_w, b"x")
        assert os.read(done_r, 1) == b"x"
        rss_after, private_after = workers._rss(pid), workers.private_memory(pid)  # noqa: SLF001
    finally:
        os.write(go_w, b"x")
        os.waitpid(pid, 0)
        for fd in (go_r, go_w, done_r, done_w):
            os.close(fd)
    assert private_after - private >= size * 0.9
    assert rss_after - rss < size * 0.2
    assert workers.private_memory(pid) is None  # gone


def test_the_template_loads_what_a_first_query_needs_before_it_forks():
    """A fresh fork (a worker replaced after a runaway query or after it grew) should not
    pay for loading rdflib's SPARQL grammar (0.1-0.3 s: the NOT EXISTS rewrite checks its
    work with it) on its first query: the template loads it, and the forks share it."""
    import subprocess
    import sys

    script = """
import sys
import pyoxigraph as ox
from crossinnov.stores.workers import Replica, warm_up
store = ox.Store()
store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"),
                  ox.NamedNode("http://e/g")))
before = "rdflib.plugins.sparql.parser" in sys.modules
warm_up(Replica(store))
print(before, "rdflib.plugins.sparql.parser" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["False", "True"]


@pytest.mark.embedded_only(reason="about the embedded store's query workers")
def test_a_grown_worker_kept_busy_is_kept_until_it_rests(recycling, monkeypatch):
    """Replaced at once, a worker would copy again what its next query walks; kept while
    answers follow each other closely, it is replaced once it has been idle
    WORKER_RECYCLE_IDLE (here 0.5 s; each answer comes well within it)."""
    monkeypatch.setattr(workers, "RECYCLE_CHECK_SLOWER_THAN", 0.0)  # every answer looked at
    pool = recycling.app.extensions["crossinnov"].store.pool
    wait_for_pool(pool, 1)
    public = {w.pid for w in pool._workers if w.lane == "public"}  # noqa: SLF001
    recycled = pool.status()["recycled"]
    deadline = time.monotonic() + 2.0  # four times the idle time
    asked = 0
    while time.monotonic() < deadline:  # busy: each answer within the idle time of the last
        asked += 1  # each text once: answers kept by the app would not reach the worker
        assert len(column(get(recycling, f"{GREEDY} # {asked}"), "c")) == 1
        assert {w.pid for w in pool._workers if w.lane == "public"} == public  # noqa: SLF001
    assert pool.status()["recycled"] == recycled
    after = wait_for_pool(pool, 1, without=public)  # then it rests, and is replaced
    assert after and pool.status()["recycled"] > recycled


@pytest.mark.embedded_only(reason="only the embedded store's queries run in workers")
def test_a_worker_that_ended_while_idle_is_replaced_before_a_query_reaches_it(serve):
    """A worker killed from outside while idle (the OOM killer, an operator) costs no query
    an error: the next query finds it gone, has it replaced, and is answered by another."""
    import signal

    server = serve(QUERY_WORKERS=1)
    pool = server.app.extensions["crossinnov"].store.pool
    before = wait_for_pool(pool, 1)
    for pid in before:
        os.kill(pid, signal.SIGKILL)
    for pid in before:
        while workers._rss(pid) is not None:
            time.sleep(0.05)
    assert column(get(server, CITY_NOTATIONS), "notation") == CITIES  # the public lane
    store = server.app.extensions["crossinnov"].store
    assert store.ask("ASK { ?s ?p ?o }")  # the internal lane (pages, the API)
    assert not wait_for_pool(pool, 1) & before


@pytest.mark.embedded_only(reason="only the embedded store's queries run in workers")
def test_the_start_check_of_the_analysis_survives_a_worker_that_fails_it(serve, caplog):
    """At start, whether the analysis is current is read through a worker; a worker that
    does not answer (stopped here; it is replaced) must not end the start with it."""
    import signal

    from crossinnov.web.state import analysis_is_stale

    server = serve(QUERY_WORKERS=1, QUERY_TIMEOUT=1)
    store = server.app.extensions["crossinnov"].store
    expected = analysis_is_stale(store)
    for pid in wait_for_pool(store.pool, 1):
        os.kill(pid, signal.SIGSTOP)
    with caplog.at_level("WARNING", logger="crossinnov.web"):
        assert analysis_is_stale(store, attempts=1) is False  # given up after one: no raise
    assert "could not be read (attempt 1 of 1)" in caplog.text
    for pid in store.pool.pids():  # the replaced worker's successor, and the other one
        os.kill(pid, signal.SIGSTOP)
    assert analysis_is_stale(store) is expected  # asked again: the next successor answers
    for pid in store.pool.pids():
        os.kill(pid, signal.SIGCONT)


def test_a_worker_is_seen_ended_or_alive_with_over_1024_files_open():
    """Regression: the idle check used select(), which raises for a descriptor past 1 023;
    taken for "ended", every worker was replaced as soon as it was forked, without end (a
    test process holding many apps' pipes hung). The check uses poll()."""
    import resource
    import signal
    import socket
    import subprocess

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"at most {hard} open files allowed")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    child = subprocess.Popen(["sleep", "60"])
    ours, theirs = socket.socketpair()
    held = []
    try:
        while not held or held[-1] < 1100:  # the worker's pidfd opens past 1 023
            held.append(os.dup(ours.fileno()))
        worker = workers.Worker(child.pid, ours.detach(), "public")
        assert worker._pidfd is None or worker._pidfd > 1023  # noqa: SLF001
        assert not worker.ended()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        deadline = time.monotonic() + 10
        while not worker.ended() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.ended()
        worker.kill()
    finally:
        for fd in held:
            os.close(fd)
        theirs.close()
        if child.poll() is None:
            child.kill()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.embedded_only(reason="about the embedded store's query workers")
def test_workers_that_end_as_they_start_give_an_error_not_an_endless_fork(serve, monkeypatch):
    """Were every fresh worker gone by the time a query looks (a broken engine, no memory),
    the query must not fork replacements for ever: after a few it is answered with an
    error (503), and the pool works again once workers live."""
    server = serve(QUERY_WORKERS=1)
    pool = server.app.extensions["crossinnov"].store.pool
    wait_for_pool(pool, 1)
    monkeypatch.setattr(workers.Worker, "ended", lambda self: True)
    response = get(server, CITY_NOTATIONS)  # not the time limit's 503: the bound's
    assert response.status_code == 503
    assert "ended before they answered" in response.text
    monkeypatch.undo()
    assert column(get(server, CITY_NOTATIONS), "notation") == CITIES



_HEAP_SCRIPT = """
import sys
from multiprocessing import Pipe, reduction
from multiprocessing.connection import Connection
import pyoxigraph as ox
from crossinnov.sparql.answers import Done, QuerySpec
from crossinnov.stores import workers

if sys.argv[1] == "main-thread":  # the control: the worker loop in the fork's main thread
    workers.in_own_arena = lambda fn, *args: fn(*args)
e = "http://example.org/"
lines = []
for i in range(50000):  # a replica, parsed as the template's is: the parser leaves gaps
    s = f"<{e}org/{i}>"
    lines.append(f'{s} <{e}name> "Organisation {i}" <{e}g/{i}> .')
    lines.append(f"{s} <{e}partner> <{e}org/{(i * 7919) % 50000}> <{e}g/{i}> .")
    lines.append(f"{s} <{e}city> <{e}city/{i % 40}> <{e}g/{i}> .")
store = ox.Store()
store.bulk_extend(ox.parse(input="\\n".join(lines), format=ox.RdfFormat.N_QUADS))
del lines
ours, theirs = Pipe()
workers._fork_worker(workers.Replica(store), theirs, 0, None)
kind, pid = ours.recv()
conn = Connection(reduction.recv_handle(ours))
org = f"<{e}org/42>"
spec = QuerySpec(sparql=f"CONSTRUCT {{ {org} ?p ?o . ?o <{e}name> ?n . ?s ?q {org} }} WHERE "
                        f"{{ {{ {org} ?p ?o OPTIONAL {{ ?o <{e}name> ?n }} }} UNION "
                        f"{{ ?s ?q {org} }} }}")

def lookups(count):
    for ident in range(count):
        conn.send(("query", ident, spec))
        while True:
            _, items = conn.recv()
            if any(isinstance(item, Done) for item in items):
                break
            assert not any(type(item).__name__ == "Failed" for item in items), items

lookups(50)  # what any first queries allocate once
before = workers.private_memory(pid)
lookups(1000)
print(workers.private_memory(pid) - before)
conn.send(("stop",))
"""


@pytest.mark.embedded_only(reason="about the embedded store's query workers")
def test_point_lookups_do_not_copy_the_template_heap_into_a_worker(tmp_path):
    """A forked worker that allocated from the heap it shares with the template put each
    query's short-lived allocations in the gaps between the replica's pages, copying a few
    more pages per query: 1 000 point lookups left ~240 KB each of private memory in a
    worker at 100 000 organisations (236 MB; recycling replaced it every ~1 000 lookups).
    A worker's queries now run in a thread with a malloc arena of its own, whose few pages
    serve every query. The control runs the same worker in the fork's main thread."""
    import subprocess
    import sys

    def copied(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", _HEAP_SCRIPT, mode], capture_output=True,
                              text=True, timeout=300, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        return int(done.stdout.split()[-1])

    in_thread, in_main = copied("as-served"), copied("main-thread")
    assert in_main > 8 * 2**20, f"the control copied only {in_main / 2**20:.1f} MB"
    assert in_thread < 2 * 2**20, f"1 000 lookups copied {in_thread / 2**20:.1f} MB"
