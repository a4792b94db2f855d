"""`crossinnov serve` as a newcomer runs it: a real process, real HTTP, a clean stop.

``--store`` is a new folder, or a new Oxigraph server's URL under the server backend.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from servers import CrossinnovServer

pytestmark = pytest.mark.slow


def serve(store: str, folder: Path, *args: str,
          env_extra: dict[str, str] | None = None) -> CrossinnovServer:
    """``crossinnov serve`` as a newcomer starts it, in a session of its own (a test that
    kills it with SIGKILL takes whatever it started with it)."""
    return CrossinnovServer(store, folder, *args, env=env_extra, session=True)


def stopped(server: CrossinnovServer) -> tuple[int | None, str]:
    """Stop it cleanly (SIGTERM): its exit status and its log."""
    server.stop()
    return server.returncode, server.log_text()


def worker_processes(pid: int) -> list[int]:
    """The processes a server started: the query template (a multiprocessing spawn child), the
    workers forked from it, the analysis process: every descendant running spawn_main."""
    out = subprocess.run(["ps", "-ww", "-e", "-o", "pid=,ppid=,args="], capture_output=True,
                         text=True)
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.stdout.splitlines():
        child, parent, args = line.split(None, 2)
        children.setdefault(int(parent), []).append((int(child), args))
    found, todo = [], [pid]
    while todo:
        for child, args in children.get(todo.pop(), []):
            todo.append(child)
            if "spawn_main" in args:
                found.append(child)
    return found


def test_serve_fills_an_empty_store_answers_logs_and_stops_cleanly(tmp_path, new_store_location,
                                                                    backend):
    server = serve(new_store_location(), tmp_path / "serve-1", "--query-workers", "2",
                   "--timeout", "2")
    try:
        workers = worker_processes(server.process.pid)
        if backend == "embedded":
            assert len(workers) >= 2  # query workers (and the analysis process, if started)
        r = requests.get(server.url + "/sparql", params={"query": (
            "PREFIX ci: <https://w3id.org/crossinnov/ontology#> "
            "SELECT (COUNT(?p) AS ?n) WHERE { ?p a ci:GoodPractice }")},
            headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "12"
        home = requests.get(server.url + "/", timeout=30)
        assert home.ok and "text/html" in home.headers["Content-Type"]
        # a runaway query (it never ends by itself) is stopped with 503 and the server keeps
        # answering
        slow = requests.get(server.url + "/sparql", params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
            timeout=60)
        assert slow.status_code == 503 and "time limit" in slow.text
        assert requests.get(server.url + "/healthz", timeout=30).ok
    finally:
        code, log = stopped(server)
    assert code == 0, log
    lines = [line for line in log.splitlines() if "crossinnov.access" in line]
    assert any('"GET /sparql?query=' in line and " 200 " in line for line in lines)
    assert any('"GET /sparql?query=' in line and " 503 " in line for line in lines)
    assert any(re.search(r'"GET /" 200', line) for line in lines)
    for _ in range(50):
        alive = [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
        if not alive:
            break
        time.sleep(0.1)
    assert alive == [], "query workers outlived the server"


def test_serve_on_an_existing_store_does_not_reload(tmp_path, runner, new_store_location):
    from crossinnov.cli import main

    store = new_store_location()
    assert runner.invoke(main, ["load", "--store", store]).exit_code == 0
    profile = tmp_path / "p.json"
    profile.write_text('{"id": "kept", "name": "Kept Org", "city": "linz", "sectors": ["design"]}')
    assert runner.invoke(main, ["load", "--store", store, str(profile)]).exit_code == 0
    server = serve(store, tmp_path / "serve-2", "--query-workers", "1")
    try:
        r = requests.get(server.url + "/id/organisation/kept",
                         headers={"Accept": "text/turtle"}, timeout=30)
        assert r.ok and "Kept Org" in r.text
    finally:
        code, log = stopped(server)
    assert code == 0, log


def test_an_acknowledged_write_survives_kill_9(tmp_path, new_store_location):
    token = "durability-token-0123456789"
    store = new_store_location()
    server = serve(store, tmp_path / "serve-3", "--query-workers", "1",
                   env_extra={"CROSSINNOV_TOKEN": token})
    headers = {"Authorization": f"Bearer {token}"}
    written = []
    try:
        for i in range(5):
            r = requests.post(server.url + "/api/profiles", headers=headers, timeout=30, json={
                "id": f"durable-{i}", "name": f"Durable {i}", "city": "tallinn",
                "sectors": ["design"], "collaboratesWith": ["beepart"]})
            assert r.status_code == 201, r.text
            written.append(f"durable-{i}")
    finally:
        server.crash()  # SIGKILL right after the last 201: no clean shutdown
    server = serve(store, tmp_path / "serve-4", "--query-workers", "1")
    try:
        for slug in written:
            r = requests.get(f"{server.url}/api/profiles/{slug}", timeout=30)
            assert r.status_code == 200 and r.json()["collaboratesWith"] == ["beepart"]
        query = ("SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/crossinnov/id/organisation/"
                 "beepart> <https://w3id.org/crossinnov/ontology#collaboratesWith> ?p "
                 "FILTER(STRSTARTS(STR(?p), 'https://w3id.org/crossinnov/id/organisation/durable'))}")
        r = requests.get(server.url + "/sparql", params={"query": query}, timeout=30,
                         headers={"Accept": "application/sparql-results+json"})
        assert r.json()["results"]["bindings"][0]["n"]["value"] == "5"
    finally:
        code, log = stopped(server)
    assert code == 0, log


@pytest.mark.embedded_only(reason="the writers share the embedded store's syncs (group commit)")
def test_concurrent_uploads_all_land_and_survive_kill_9(tmp_path, new_store_location):
    """Uploads sent at once (they share syncs) are all acknowledged, and every one is still
    there after SIGKILL. (That a synced write survives a power cut too, played on the
    store's files, is in tests/stores/test_durability.py.)"""
    token = "durability-token-0123456789"
    store = new_store_location()
    server = serve(store, tmp_path / "serve-5", "--query-workers", "1", env_extra={
        "CROSSINNOV_TOKEN": token, "CROSSINNOV_ANALYSIS_DEBOUNCE": "3600"})
    headers = {"Authorization": f"Bearer {token}"}
    clients, each = 4, 4
    statuses: dict[str, int] = {}
    try:
        # the analysis of the new store runs now, not during the uploads
        assert requests.post(server.url + "/api/analysis?wait=600", headers=headers,
                             timeout=660).status_code == 200

        def client(k: int) -> None:
            with requests.Session() as session:
                for j in range(each):
                    slug = f"together-{k}-{j}"
                    r = session.post(server.url + "/api/profiles", headers=headers,
                                     timeout=120, json={
                                         "id": slug, "name": f"Together {k} {j}",
                                         "city": "tallinn", "sectors": ["design"],
                                         "collaboratesWith": ["beepart"]})
                    statuses[slug] = r.status_code

        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
    finally:
        server.crash()  # SIGKILL right after the last 201: no clean shutdown
    assert len(statuses) == clients * each and set(statuses.values()) == {201}, statuses
    server = serve(store, tmp_path / "serve-6", "--query-workers", "1")
    try:
        for slug in statuses:
            r = requests.get(f"{server.url}/api/profiles/{slug}", timeout=30)
            assert r.status_code == 200, slug
            assert r.json()["collaboratesWith"] == ["beepart"]
        query = ("SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/crossinnov/id/organisation/"
                 "beepart> <https://w3id.org/crossinnov/ontology#collaboratesWith> ?p "
                 "FILTER(STRSTARTS(STR(?p), 'https://w3id.org/crossinnov/id/organisation/"
                 "together'))}")
        r = requests.get(server.url + "/sparql", params={"query": query}, timeout=30,
                         headers={"Accept": "application/sparql-results+json"})
        assert r.json()["results"]["bindings"][0]["n"]["value"] == str(clients * each)
    finally:
        code, log_text = stopped(server)
    assert code == 0, log_text


def test_regression_a_server_answers_when_its_process_holds_over_1024_files(app):
    """Regression: waitress watched its sockets with select(), which never sees a socket
    numbered past 1 023; once the test process held that many files (every app's worker
    pipes), requests to a live server hung. Servers now use poll()."""
    from conftest import LiveServer

    held = [open(os.devnull) for _ in range(1100)]  # noqa: SIM115 - held open on purpose
    try:
        server = LiveServer(app, threads=1)
        try:
            assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
        finally:
            server.close()
    finally:
        for fh in held:
            fh.close()
