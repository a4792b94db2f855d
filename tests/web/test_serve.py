"""`crossinnov serve` as a newcomer runs it: a real process, real HTTP, a clean stop.

``--store`` is a new folder, or a new Oxigraph server's URL under the server backend.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.slow


def crossinnov_command() -> list[str]:
    exe = shutil.which("crossinnov", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "crossinnov.cli"]


class ServeProcess:
    def __init__(self, store: str, *args: str, env_extra: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
        env.update(env_extra or {})
        self.proc = subprocess.Popen(
            [*crossinnov_command(), "serve", "--port", "0", "--store", store, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            start_new_session=True)
        # "crossinnov serving STORE at URL", printed once the app is ready (STORE may be a URL)
        line = self.proc.stdout.readline()
        match = re.search(r" at (http://127\.0\.0\.1:\d+)/", line)
        if not match:
            self.proc.kill()
            raise AssertionError(f"no URL printed: {line!r} {self.proc.stderr.read()}")
        self.url = match.group(1)
        for _ in range(100):
            try:
                if requests.get(self.url + "/healthz", timeout=5).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return self.proc.returncode, err


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


def test_serve_fills_an_empty_store_answers_logs_and_stops_cleanly(new_store_location, backend):
    server = ServeProcess(new_store_location(), "--query-workers", "2", "--timeout", "2")
    try:
        workers = worker_processes(server.proc.pid)
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
        code, log = server.stop()
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
    server = ServeProcess(store, "--query-workers", "1")
    try:
        r = requests.get(server.url + "/id/organisation/kept",
                         headers={"Accept": "text/turtle"}, timeout=30)
        assert r.ok and "Kept Org" in r.text
    finally:
        code, log = server.stop()
    assert code == 0, log


def test_an_acknowledged_write_survives_kill_9(new_store_location):
    token = "durability-token-0123456789"
    store = new_store_location()
    server = ServeProcess(store, "--query-workers", "1", env_extra={"CROSSINNOV_TOKEN": token})
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
        server.proc.kill()  # SIGKILL right after the last 201: no clean shutdown
        server.proc.wait(timeout=30)
        # the test's own cleanup: whatever the killed server left behind goes too
        try:
            os.killpg(server.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.proc.communicate(timeout=30)
    server = ServeProcess(store, "--query-workers", "1")
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
        code, log = server.stop()
    assert code == 0, log


@pytest.mark.embedded_only(reason="a power cut is played on the store's own files")
def test_concurrent_uploads_all_land_and_survive_kill_9_and_a_lost_log(new_store_location):
    """Uploads sent at once (they share flushes) are all acknowledged, and every one is
    still there after SIGKILL and a power cut: the write-ahead log files, which a power
    cut may lose, are deleted before the store is opened again, so only what the flushes
    wrote to the store's files is left (a write acknowledged before its flush is lost)."""
    token = "durability-token-0123456789"
    store = new_store_location()
    server = ServeProcess(store, "--query-workers", "1", env_extra={
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
        server.proc.kill()  # SIGKILL right after the last 201: no clean shutdown
        server.proc.wait(timeout=30)
        try:
            os.killpg(server.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.proc.communicate(timeout=30)
    assert len(statuses) == clients * each and set(statuses.values()) == {201}, statuses
    logs = list(Path(store).glob("*.log"))
    assert logs, "the store keeps a write-ahead log"
    for log in logs:
        log.unlink()
    server = ServeProcess(store, "--query-workers", "1")
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
        code, log_text = server.stop()
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
