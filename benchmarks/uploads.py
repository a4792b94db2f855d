#!/usr/bin/env python
"""Profile uploads (``POST /api/profiles``) timed over HTTP, and where one upload's time goes.

    python benchmarks/uploads.py --store /path/to/store-100000            # serve + phases
    python benchmarks/uploads.py --store DIR --only http --clients 4      # 4 uploaders too
    python benchmarks/uploads.py --store DIR --only phases --split        # the transaction split

The store should have been analysed (``crossinnov analyse``), as ``benchmarks/run.py``'s
is when it uploads: ``serve`` starts the analysis of a store that has none, and the
uploads would be timed beside it. Before the uploads the server builds its search index
(a search waits for it) and then gets ``--pause`` seconds of quiet. The store folder is
never written: it is copied under ``--workdir`` first (the copy is removed at the end
unless ``--keep``). Two measurements, each on its own fresh copy:

``http``
    ``crossinnov serve`` on the copy (``CROSSINNOV_ANALYSIS_DEBOUNCE=3600``, so no
    analysis runs meanwhile), then as ``benchmarks/run.py`` does: ``--uploads`` profiles
    (``run.profile_body``) after 2 warm-ups on one connection, p50 / p95, and the CPU
    the server process and its query workers spent per upload. With ``--clients N``
    (N > 1), N threads then upload ``--uploads`` profiles each at once, each on its own
    connection: throughput, p50 / p95.
``phases``
    The same app in this process (``create_app`` under waitress on a free port, same
    settings), every phase of the write path wrapped with a timer: each phase's own time
    (time in the phases it calls is counted there, not twice), median and p95 per
    upload; what no phase covers (HTTP, Flask, the token, the JSON answer) is
    "HTTP and the rest". With ``--split`` the one write transaction is run as its
    operations one by one (not atomic: only for this measurement, on the copy) to show
    the transaction's parts. With ``--clients N``, N uploaders at once afterwards:
    throughput, p50 / p95, and how many syncs of its log the disk ran per upload.

Speed is measured here, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import math
import os
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import TOKEN, Server, cli, free_port, profile_body  # noqa: E402

ENV = {"CROSSINNOV_TOKEN": TOKEN, "CROSSINNOV_ANALYSIS_DEBOUNCE": "3600"}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def tree_cpu(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of a process ("server") and of its descendants ("workers")."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
        cpu[int(entry.name)] = used
    total, todo = 0.0, list(children.get(pid, []))
    while todo:
        p = todo.pop()
        total += cpu.get(p, 0.0)
        todo += children.get(p, [])
    return {"server": cpu.get(pid, 0.0), "workers": total}


def cpu_note(before: dict[str, float], after: dict[str, float], count: int) -> str:
    return ", ".join(f"{k} {ms((after[k] - before[k]) / count)} ms" for k in before) \
        + " of CPU per upload"


def settle(port: int, pause: float) -> None:
    """Wait for the start's background work: the search index (a search waits for it)."""
    conn = connect(port)
    conn.request("GET", "/organisations.json?limit=1")
    conn.getresponse().read()
    conn.close()
    time.sleep(pause)


def copy_store(store: Path, workdir: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix="uploads-", dir=workdir)) / "store"
    shutil.copytree(store, target)
    return target


def upload(conn: http.client.HTTPConnection, body: bytes) -> tuple[int, float]:
    start = time.perf_counter()
    conn.request("POST", "/api/profiles", body=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - start


def connect(port: int) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.connect()
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def sequential(port: int, count: int, n: int, first: int = 0
               ) -> tuple[list[float], dict[int, int]]:
    """``count`` uploads after 2 warm-ups on one connection: latencies and statuses."""
    conn = connect(port)
    latencies, statuses = [], defaultdict(int)
    for i in range(first, first + count + 2):
        status, seconds = upload(conn, profile_body(i, n))
        statuses[status] += 1
        if i >= first + 2:
            latencies.append(seconds)
    conn.close()
    return latencies, dict(statuses)


def concurrent(port: int, clients: int, count: int, n: int, first: int
               ) -> tuple[float, list[float], dict[int, int]]:
    """``clients`` threads, ``count`` uploads each, at once: wall time, latencies, statuses."""
    latencies: list[float] = []
    statuses: dict[int, int] = defaultdict(int)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        conn = connect(port)
        barrier.wait()
        for j in range(count):
            status, seconds = upload(conn, profile_body(first + k * count + j, n))
            with lock:
                latencies.append(seconds)
                statuses[status] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, dict(statuses)


def report(name: str, latencies: list[float], statuses: dict[int, int]) -> None:
    print(f"{name}: {len(latencies)} uploads, p50 {ms(statistics.median(latencies))} ms, "
          f"p95 {ms(p95(latencies))} ms, max {ms(max(latencies))} ms"
          + (f"; statuses {statuses}" if statuses else ""), flush=True)


def measure_http(args, store: Path) -> None:
    copy = copy_store(store, args.workdir)
    n = args.organisations
    port = free_port()
    try:
        server = Server([cli("crossinnov"), "serve", "--store", str(copy), "--port", str(port)],
                        f"http://127.0.0.1:{port}/healthz", env=ENV,
                        log=copy.parent / "serve.log")
        print(f"crossinnov serve ready in {server.startup:.1f} s ({copy})", flush=True)
        try:
            settle(port, args.pause)
            pooled: list[float] = []
            for r in range(args.rounds):
                if r:
                    time.sleep(args.pause)
                print(f"load average before: {os.getloadavg()[0]:.1f}")
                before = tree_cpu(server.pid)
                latencies, statuses = sequential(port, args.uploads, n, first=100 * r)
                after = tree_cpu(server.pid)
                report("one client", latencies, statuses)
                print("one client: " + cpu_note(before, after, len(latencies) + 2))
                pooled += latencies
            if args.rounds > 1:
                report(f"one client, {args.rounds} rounds", pooled, {})
            if args.clients > 1:
                time.sleep(args.pause)
                before = tree_cpu(server.pid)
                wall, latencies, statuses = concurrent(port, args.clients, args.uploads, n,
                                                       first=1000)
                after = tree_cpu(server.pid)
                report(f"{args.clients} clients", latencies, statuses)
                print(f"{args.clients} clients: {len(latencies) / wall:.1f} uploads/s "
                      f"({len(latencies)} in {wall:.2f} s); "
                      + cpu_note(before, after, len(latencies)))
            print(f"load average after: {os.getloadavg()[0]:.1f}")
        finally:
            server.stop()
    finally:
        if not args.keep:
            shutil.rmtree(copy.parent, ignore_errors=True)


# --- phases ------------------------------------------------------------------------------

class Phases:
    """Self time per phase, per request thread: nested phases are not counted twice."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.samples: list[dict[str, float]] = []

    def begin(self) -> None:
        self.local.times = defaultdict(float)
        self.local.stack = []

    def end(self) -> dict[str, float]:
        return dict(self.local.times)

    def active(self) -> bool:
        return getattr(self.local, "stack", None) is not None

    @contextlib.contextmanager
    def phase(self, name: str):
        if not self.active():
            yield
            return
        stack = self.local.stack
        stack.append(0.0)  # time spent in nested phases
        start = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - start
            nested = stack.pop()
            self.local.times[name] += elapsed - nested
            if stack:
                stack[-1] += elapsed

    def wrap(self, owner, attr: str, name) -> None:
        """Time ``owner.attr`` as phase ``name`` (a string, or a function of the call)."""
        original = getattr(owner, attr)
        phases = self

        def timed(*a, **kw):
            label = name(*a, **kw) if callable(name) else name
            with phases.phase(label):
                return original(*a, **kw)

        timed.__wrapped__ = original  # type: ignore[attr-defined]
        setattr(owner, attr, timed)


#: syncs (before them: flushes) the disk store ran (see instrument)
FLUSHES = [0]
FLUSHES_LOCK = threading.Lock()


def instrument(phases: Phases, split: bool) -> None:
    """Wrap the write path's steps (module attributes, as the callers look them up)."""
    from crossinnov.stores import served, workers
    from crossinnov.stores.embedded import OxigraphStore
    from crossinnov.validation import shacl
    from crossinnov.web import api
    from crossinnov.writes import changes, load, profiles

    local = phases.local

    def get_label(*_a, **_k) -> str:
        return "read back the profile" if getattr(local, "written", False) \
            else "existence check (get)"

    phases.wrap(api, "read_body", "parse the body")
    phases.wrap(profiles.Profiles, "get", get_label)
    phases.wrap(load, "refused_links", "check: declines query")
    phases.wrap(load, "context_triples", "check: types of references (query)")
    phases.wrap(shacl.Validator, "validate", "check: pySHACL")
    phases.wrap(profiles, "check_units", "check: the rest")
    phases.wrap(profiles, "with_profile_record", "build the change")
    phases.wrap(changes, "declined_statements", "build the change: declines query")
    phases.wrap(changes, "tie_members", "build the change")
    phases.wrap(profiles, "replace_units", "build the change")
    phases.wrap(served.ServedStore, "update", "write lock, version")
    phases.wrap(workers.WorkerPool, "broadcast", "broadcast to the workers")
    phases.wrap(workers.WorkerPool, "broadcast_quads", "broadcast to the workers")
    phases.wrap(OxigraphStore, "flush", "flush")
    if hasattr(OxigraphStore, "sync"):  # the write-ahead log synced, the flush later
        phases.wrap(OxigraphStore, "sync", "sync (the write-ahead log)")
    # how many syncs (before: flushes) the disk really ran (writers share them: group
    # commit)
    native = next(name for name in ("_sync_log_now", "_flush_now", "flush")
                  if hasattr(OxigraphStore, name))
    counted = getattr(OxigraphStore, native)

    def count_flush(self, *a, **kw):
        with FLUSHES_LOCK:
            FLUSHES[0] += 1
        return counted(self, *a, **kw)

    setattr(OxigraphStore, native, count_flush)
    phases.wrap(profiles.Profiles, "_sync", "listeners")

    original_update = OxigraphStore.update

    def update(self, sparql: str) -> None:
        local.written = True
        recorded = getattr(local, "rendered", [])
        local.rendered = []
        ops = next((recorded[i:] for i in range(len(recorded))
                    if " ;\n".join(text for _, text in recorded[i:]) == sparql), None)
        if split and ops:
            for name, text in ops:
                with phases.phase(f"transaction: {name}"):
                    original_update(self, text)
            return
        with phases.phase("disk transaction"):
            original_update(self, sparql)

    OxigraphStore.update = update

    # which operations make up the write: record what changes.py renders
    queries = changes.QUERIES
    original_render = queries.render

    def render(name: str, **kw) -> str:
        text = original_render(name, **kw)
        if phases.active():
            if not hasattr(local, "rendered"):
                local.rendered = []
            local.rendered.append((name, text))
        return text

    queries.render = render  # type: ignore[method-assign]


def measure_phases(args, store: Path) -> None:
    import waitress

    from crossinnov.web import create_app
    from crossinnov.web.server import AccessLog

    copy = copy_store(store, args.workdir)
    n = args.organisations
    phases = Phases()
    instrument(phases, args.split)
    os.environ.update(ENV)
    started = time.perf_counter()
    app = create_app({"STORE": str(copy)})
    print(f"app ready in {time.perf_counter() - started:.1f} s ({copy})", flush=True)
    view = app.view_functions["api.create"]

    def timed_view(*a, **kw):
        with phases.phase("the view's rest (token, answer)"):
            return view(*a, **kw)

    app.view_functions["api.create"] = timed_view
    wsgi = AccessLog(app)
    collected = [0.0, 0.0]  # seconds in Python's garbage collector; when the last began

    def on_gc(stage: str, info: dict) -> None:
        if stage == "start":
            collected[1] = time.perf_counter()
        else:
            collected[0] += time.perf_counter() - collected[1]

    gc.callbacks.append(on_gc)

    def measured(environ, start_response):
        if environ.get("REQUEST_METHOD") != "POST":
            return wsgi(environ, start_response)
        phases.begin()
        phases.local.written = False
        phases.local.rendered = []
        before = collected[0]
        try:
            return list(wsgi(environ, start_response))
        finally:
            times = phases.end()
            phases.local.stack = None
            server_times.append(times)
            gc_times.append(collected[0] - before)

    server_times: list[dict[str, float]] = []
    gc_times: list[float] = []
    port = free_port()
    server = waitress.create_server(measured, host="127.0.0.1", port=port, threads=16,
                                    asyncore_use_poll=True)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        settle(port, args.pause)
        latencies, statuses = sequential(port, args.uploads, n)
        report("one client, in process", latencies, statuses)
        samples = server_times[2:]  # the warm-ups
        names = []
        for sample in samples:
            names += [k for k in sample if k not in names]
        rows = []
        for name in names:
            values = [s.get(name, 0.0) for s in samples]
            rows.append((name, statistics.median(values), p95(values),
                         statistics.mean(values)))
        rest = [lat - sum(s.values()) for lat, s in zip(latencies, samples, strict=True)]
        rows.append(("HTTP and the rest", statistics.median(rest), p95(rest),
                     statistics.mean(rest)))
        rows.append(("total (client)", statistics.median(latencies), p95(latencies),
                     statistics.mean(latencies)))
        collections = gc_times[2:]
        rows.append(("(of which Python's GC, in the phases)", statistics.median(collections),
                     p95(collections), statistics.mean(collections)))
        width = max(len(r[0]) for r in rows)
        print(f"\n| {'phase'.ljust(width)} | p50 ms | p95 ms | mean ms |")
        print(f"|{'-' * (width + 2)}|-------:|-------:|--------:|")
        for name, p50, p95_, mean in rows:
            print(f"| {name.ljust(width)} | {ms(p50):>6} | {ms(p95_):>6} | {ms(mean):>7} |")
        if args.clients > 1:
            time.sleep(args.pause)
            flushes = FLUSHES[0]
            wall, latencies, statuses = concurrent(port, args.clients, args.uploads, n,
                                                   first=1000)
            report(f"\n{args.clients} clients, in process", latencies, statuses)
            print(f"{args.clients} clients: {len(latencies) / wall:.1f} uploads/s; "
                  f"{(FLUSHES[0] - flushes) / len(latencies):.2f} syncs (before: flushes) per "
                  "upload")
    finally:
        time.sleep(1)  # the request threads finish with the connections the clients closed
        server.close()
        app.extensions["crossinnov"].close()
        if not args.keep:
            shutil.rmtree(copy.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True,
                        help="a loaded store folder (copied, never written)")
    parser.add_argument("--organisations", type=int, default=100_000,
                        help="organisations in the store (the bodies link to org-NNNNNN)")
    parser.add_argument("--pause", type=float, default=5.0,
                        help="seconds of quiet after the search index is built")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()),
                        help="where the copy goes")
    parser.add_argument("--uploads", type=int, default=40, help="timed uploads (per client)")
    parser.add_argument("--rounds", type=int, default=1, choices=range(1, 10),
                        help="http: rounds of one-client uploads (each after 2 warm-ups)")
    parser.add_argument("--clients", type=int, default=1,
                        help="also upload from this many clients at once")
    parser.add_argument("--only", choices=("http", "phases"), help="one measurement only")
    parser.add_argument("--split", action="store_true",
                        help="phases: run the write transaction's operations one by one")
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    args = parser.parse_args()
    if args.only != "phases":
        measure_http(args, args.store)
    if args.only != "http":
        measure_phases(args, args.store)


if __name__ == "__main__":
    main()
