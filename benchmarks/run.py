#!/usr/bin/env python
"""crossinnov benchmark: the same generated graph through crossinnov and the engines people
would pick instead, measured side by side in one run.

    python benchmarks/run.py                      # 10 000 and 100 000 organisations
    python benchmarks/run.py --sizes 10000 --runs 3 --markdown results.md

Per size it measures load (`crossinnov load` vs pyoxigraph's bulk loader), the
analysis (`crossinnov analyse`), dumps (`/dumps/crossinnov.nq` vs pyoxigraph's
dump), the research-query mix in ``benchmarks/workload/`` (crossinnov's
``/sparql`` over HTTP, Oxigraph server, pyoxigraph in-process on disk and in
memory, rdflib in memory), throughput with 4 concurrent clients, the cluster
report page, profile uploads, and the memory of ``crossinnov serve``. It prints
one table of medians and ratios with the machine, versions and load average.

Not part of the test run; run it by hand on a quiet machine. Every engine but
crossinnov (which has its own limit, 30 s by default) gets ``--cap`` seconds per
query; a query over it is reported as ``>cap`` and its process is restarted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOAD = sorted((HERE / "workload").glob("*.rq"))
TOKEN = "benchmark-admin-token"
BIN = Path(sys.executable).parent
#: seconds above which an answer is not timed again
SLOW = 10.0


def cli(name: str) -> str:
    """A console script of this environment (crossinnov, oxigraph)."""
    local = BIN / name
    return str(local) if local.exists() else (shutil.which(name) or name)


# --- small helpers -----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def run_cli(*args: str, env: dict | None = None) -> float:
    """Run a command to completion and return its wall time; fail loudly."""
    start = time.perf_counter()
    done = subprocess.run(args, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
        rss[int(entry.name)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total / 1e6


def query_form(text: str) -> str:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for word in body.upper().split():
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word
    return "SELECT"


# --- engines -----------------------------------------------------------------------------

@dataclass
class Outcome:
    seconds: float | None  # None: did not answer within the cap
    rows: int | None = None
    note: str = ""


class HttpEngine:
    """A SPARQL 1.1 Protocol endpoint, asked by POST (form-encoded) on a kept-alive connection."""

    def __init__(self, name: str, url: str, extra: list[tuple[str, str]] | None = None,
                 cap: float = 60.0) -> None:
        self.name, self.url, self.extra, self.cap = name, url, extra or [], cap
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path

    def connection(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.cap + 30)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def ask(self, text: str, conn: http.client.HTTPConnection | None = None) -> Outcome:
        form = query_form(text)
        accept = ("application/n-triples" if form in ("CONSTRUCT", "DESCRIBE")
                  else "application/sparql-results+json")
        body = urllib.parse.urlencode([("query", text), *self.extra])
        own = conn is None
        conn = conn or self.connection()
        start = time.perf_counter()
        try:
            conn.request("POST", self.path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
            response = conn.getresponse()
            data = response.read()
        except TimeoutError:
            return Outcome(None, note="client timeout")
        finally:
            if own:
                conn.close()
        seconds = time.perf_counter() - start
        if response.status == 503:
            return Outcome(None, note="503 (time limit)")
        if response.status != 200:
            return Outcome(None, note=f"HTTP {response.status}: {data[:200]!r}")
        if seconds > self.cap:
            return Outcome(None, note="over the cap")
        if accept == "application/n-triples":
            return Outcome(seconds, sum(1 for line in data.splitlines() if line.strip()))
        return Outcome(seconds, len(json.loads(data)["results"]["bindings"]))

    def close(self) -> None:
        pass


def _open_engine(kind: str, source: str):
    """Open an engine; return a function that runs a query and returns its row count."""
    if kind == "rdflib":
        import rdflib

        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(source, format="nquads")

        def run(text: str) -> int:
            result = dataset.query(text)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                return len(result.graph)
            return len(list(result))

        return run
    import pyoxigraph as ox

    if kind == "pyoxigraph-disk":
        store = ox.Store.read_only(source)
    else:
        store = ox.Store()
        store.bulk_load(path=source, format=ox.RdfFormat.N_QUADS)
    return lambda text: sum(1 for _ in store.query(text, use_default_graph_as_union=True))


def _engine_worker(kind: str, source: str, cap: float, fork: bool, conn) -> None:
    """Child process: open an engine once, then answer queries.

    With ``fork`` each query runs in a fork of this process, which shares the
    loaded data (copy-on-write) and is killed when it runs past the cap, so a
    slow query does not cost a reload (rdflib takes minutes to load 2 M quads).
    """
    start = time.perf_counter()
    run = _open_engine(kind, source)
    conn.send(("ready", time.perf_counter() - start))
    while (text := conn.recv()) is not None:
        if not fork:  # the parent kills this process past the cap
            began = time.perf_counter()
            rows = run(text)
            conn.send((time.perf_counter() - began, rows))
            continue
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:  # the fork: run one query, report, leave
            os.close(reader)
            began = time.perf_counter()
            rows = run(text)
            os.write(writer, json.dumps([time.perf_counter() - began, rows]).encode())
            os._exit(0)
        os.close(writer)
        deadline = time.monotonic() + cap
        while time.monotonic() < deadline:
            if os.waitpid(child, os.WNOHANG) != (0, 0):
                break
            time.sleep(0.01)
        else:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            os.close(reader)
            conn.send(None)
            continue
        with os.fdopen(reader, "rb") as fh:
            data = fh.read()
        conn.send(tuple(json.loads(data)) if data else None)


class ProcessEngine:
    """An engine in a child process, stopped when a query runs past the cap."""

    def __init__(self, name: str, kind: str, source: str, cap: float) -> None:
        self.name, self.kind, self.source, self.cap = name, kind, source, cap
        self.process = None
        self.open_seconds: float | None = None

    def ask(self, text: str, conn=None) -> Outcome:
        if self.process is None:
            ctx = mp.get_context("spawn")
            self.conn, child = ctx.Pipe()
            self.process = ctx.Process(target=_engine_worker,
                                       args=(self.kind, self.source, self.cap,
                                             self.kind == "rdflib", child), daemon=True)
            self.process.start()
            self.open_seconds = self.conn.recv()[1]
        self.conn.send(text)
        if not self.conn.poll(self.cap + 5):
            self.process.kill()  # the only way to stop a running query in these engines
            self.process.join()
            self.process = None
            return Outcome(None, note="over the cap")
        answer = self.conn.recv()
        if answer is None:
            return Outcome(None, note="over the cap")
        return Outcome(answer[0], answer[1])

    def connection(self):
        return None

    def close(self) -> None:
        if self.process is not None:
            self.conn.send(None)
            self.process.join(timeout=30)
            if self.process.is_alive():
                self.process.kill()
            self.process = None


# --- servers -----------------------------------------------------------------------------

class Server:
    """A server process on a free port, stopped (with its children) at the end."""

    def __init__(self, args: list[str], ready_url: str, env: dict | None = None,
                 log: Path | None = None) -> None:
        self.log = open(log or os.devnull, "wb")
        start = time.perf_counter()
        self.process = subprocess.Popen(args, env={**os.environ, **(env or {})},
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.time() + 1800
        while time.time() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise SystemExit(f"{args[0]} exited early with {code}; see {log}")
            try:
                parts = urllib.parse.urlsplit(ready_url)
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
                conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
                if conn.getresponse().status < 500:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"{args[0]} did not come up")
        self.startup = time.perf_counter() - start

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def throughput(engine: HttpEngine, text: str, clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second answered (200) by ``clients`` threads asking ``text`` for ``seconds``."""
    done = [0] * clients
    failed = [0] * clients
    stop_at = time.perf_counter() + seconds

    def client(i: int) -> None:
        conn = engine.connection()
        while time.perf_counter() < stop_at:
            outcome = engine.ask(text, conn)
            if outcome.seconds is None:
                failed[i] += 1
                conn.close()
                conn = engine.connection()
            else:
                done[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - start), sum(failed)


# --- the run -----------------------------------------------------------------------------

@dataclass
class SizeResult:
    organisations: int
    quads: int = 0
    #: measure, crossinnov, other, ratio
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    queries: dict[str, dict[str, Outcome]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def median_outcome(engine, text: str, runs: int) -> Outcome:
    """One warm-up, then the median of ``runs`` timed answers (a slow first answer stands alone)."""
    first = engine.ask(text)
    if first.seconds is None or first.seconds > SLOW:
        return first  # a slow answer is measured once: caches do not matter at that scale
    times = []
    for _ in range(runs):
        outcome = engine.ask(text)
        if outcome.seconds is None:
            return outcome
        times.append(outcome.seconds)
    return Outcome(statistics.median(times), first.rows)


def profile_body(i: int, organisations: int) -> bytes:
    partners = [f"org-{(i * 7919) % organisations:06d}", f"org-{(i * 104729) % organisations:06d}"]
    return json.dumps({
        "id": f"benchmark-upload-{i:04d}", "name": f"Benchmark upload {i}", "city": "tallinn",
        "sectors": ["design", "ict"], "themes": ["brokerage"],
        "description": "A profile written by the benchmark.",
        "homepage": "https://example.org/", "founded": 2011,
        "collaboratesWith": sorted(set(partners)), "seeksPartnersIn": ["manufacturing"],
    }).encode()


def measure_size(n: int, args, work: Path) -> SizeResult:
    res = SizeResult(n)
    say = lambda msg: print(f"[{n}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    data = work / f"generated-{n}.nq"
    if not data.exists():
        say("generating")
        run_cli(cli("crossinnov"), "generate", "--organisations", str(n), "--seed", "1",
                "-o", str(data))

    # load: the bulk loader in-process vs `crossinnov load` (validated, closure, changelog)
    import pyoxigraph as ox

    bulk_dir, store_dir = work / f"bulk-{n}", work / f"store-{n}"
    for d in (bulk_dir, store_dir):
        shutil.rmtree(d, ignore_errors=True)
    say("pyoxigraph bulk load")

    def bulk() -> int:
        s = ox.Store(str(bulk_dir))
        s.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        s.flush()
        count = len(s)
        del s
        return count

    t_bulk, res.quads = timed(bulk)
    shutil.rmtree(bulk_dir, ignore_errors=True)
    say("crossinnov load")
    t_load = run_cli(cli("crossinnov"), "load", "--store", str(store_dir), str(data))
    res.rows.append(("load (s)", f"{t_load:.1f}", f"{t_bulk:.1f} (pyoxigraph bulk_load)",
                     f"{t_load / t_bulk:.2f}x"))

    say("crossinnov analyse")
    t_analyse = run_cli(cli("crossinnov"), "analyse", "--store", str(store_dir))
    res.rows.append(("analyse (s)", f"{t_analyse:.1f}", "", ""))

    say("pyoxigraph dump")
    dump_path = work / f"dump-{n}.nq"

    def dump() -> None:
        s = ox.Store.read_only(str(store_dir))
        with open(dump_path, "wb") as fh:
            s.dump(fh, ox.RdfFormat.N_QUADS)

    t_dump_ox, _ = timed(dump)

    # queries through the in-process engines (one at a time, before the servers start)
    texts = {p.stem: p.read_text() for p in WORKLOAD}
    engines = [ProcessEngine("pyoxigraph disk", "pyoxigraph-disk", str(store_dir), args.cap),
               ProcessEngine("pyoxigraph memory", "pyoxigraph-memory", str(dump_path), args.cap)]
    if not args.skip_rdflib:
        engines.append(ProcessEngine("rdflib memory", "rdflib", str(dump_path), args.cap))
    for engine in engines:
        say(f"queries: {engine.name}")
        for name, text in texts.items():
            res.queries.setdefault(name, {})[engine.name] = median_outcome(engine, text, args.runs)
        engine.close()
        res.notes.append(f"{engine.name}: opened in {engine.open_seconds:.1f} s")

    # the servers: crossinnov serve and Oxigraph server over the same store folder
    port = free_port()
    say("starting crossinnov serve")
    serve = Server([cli("crossinnov"), "serve", "--store", str(store_dir), "--port", str(port)],
                   f"http://127.0.0.1:{port}/healthz",
                   env={"CROSSINNOV_TOKEN": TOKEN, "CROSSINNOV_ANALYSIS_DEBOUNCE": "3600"},
                   log=work / f"serve-{n}.log")
    res.notes.append(f"crossinnov serve ready in {serve.startup:.1f} s "
                     f"(replicas loaded into its query workers)")
    oxport = free_port()
    say("starting oxigraph serve-read-only")
    oxserver = Server([cli("oxigraph"), "serve-read-only", "--location", str(store_dir),
                       "--bind", f"127.0.0.1:{oxport}"],
                      f"http://127.0.0.1:{oxport}/query?query=ASK%7B%7D",
                      log=work / f"oxigraph-{n}.log")
    try:
        ours = HttpEngine("crossinnov /sparql", f"http://127.0.0.1:{port}/sparql", cap=args.cap)
        theirs = HttpEngine("oxigraph server", f"http://127.0.0.1:{oxport}/query",
                            [("union-default-graph", "")], cap=args.cap)
        for engine in (ours, theirs):
            say(f"queries: {engine.name}")
            for name, text in texts.items():
                res.queries[name][engine.name] = median_outcome(engine, text, args.runs)

        say("throughput")
        q1 = texts["q1_orgs_per_city"]
        ours_rps, ours_failed = throughput(ours, q1, 4, args.seconds)
        theirs_rps, theirs_failed = throughput(theirs, q1, 4, args.seconds)
        res.rows.append(("q1 throughput, 4 clients (req/s)", f"{ours_rps:.1f}",
                         f"{theirs_rps:.2f} (oxigraph server)",
                         f"{ours_rps / theirs_rps:.1f}x" if theirs_rps else "inf"))
        if ours_failed or theirs_failed:
            res.notes.append(f"throughput failures: crossinnov {ours_failed}, "
                             f"oxigraph {theirs_failed}")

        say("dump over HTTP")
        before = tree_rss_mb(serve.pid)
        peak = [before]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak[0] = max(peak[0], tree_rss_mb(serve.pid))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample)
        sampler.start()

        def http_dump() -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            conn.request("GET", "/dumps/crossinnov.nq")
            response = conn.getresponse()
            size = 0
            while chunk := response.read(1 << 20):
                size += len(chunk)
            conn.close()
            return size

        t_dump_http, size = timed(http_dump)
        sampling.set()
        sampler.join()
        res.rows.append(("dump N-Quads (s)", f"{t_dump_http:.1f}",
                         f"{t_dump_ox:.1f} (pyoxigraph dump)", f"{t_dump_http / t_dump_ox:.2f}x"))
        res.notes.append(f"dump: {size / 1e6:.0f} MB streamed; serve memory {before:.0f} MB "
                         "before, "
                         f"{peak[0]:.0f} MB peak during the dump")

        say("report page")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        page_times = []
        for _ in range(3):
            start = time.perf_counter()
            conn.request("GET", "/reports/clusters", headers={"Accept": "text/html"})
            response = conn.getresponse()
            response.read()
            page_times.append(time.perf_counter() - start)
            if response.status != 200:
                res.notes.append(f"/reports/clusters answered {response.status}")
        res.rows.append(("cluster report page (s)", f"{statistics.median(page_times):.2f}", "", ""))

        say("uploads")
        latencies, statuses = [], {}
        for i in range(args.uploads + 2):  # the first two warm the path up, uncounted
            start = time.perf_counter()
            conn.request("POST", "/api/profiles", body=profile_body(i, n), headers={
                "Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
            response = conn.getresponse()
            response.read()
            if i >= 2:
                latencies.append(time.perf_counter() - start)
            statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()
        latencies.sort()
        p95 = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)]
        res.rows.append(("profile upload p50 / p95 (ms)",
                         f"{statistics.median(latencies) * 1000:.0f} / {p95 * 1000:.0f}", "", ""))
        if set(statuses) != {201}:
            res.notes.append(f"upload statuses: {statuses}")
        res.rows.append(("crossinnov serve memory, all processes (MB)",
                         f"{tree_rss_mb(serve.pid):.0f}", f"{tree_rss_mb(oxserver.pid):.0f} "
                         "(oxigraph server)", ""))
    finally:
        serve.stop()
        oxserver.stop()
    return res


# --- the table ---------------------------------------------------------------------------

def fmt(outcome: Outcome | None, cap: float) -> str:
    if outcome is None:
        return "-"
    if outcome.seconds is None:
        return f">{cap:.0f}" if "cap" in outcome.note or "timeout" in outcome.note \
            else f"fail ({outcome.note})"
    return f"{outcome.seconds * 1000:.0f}" if outcome.seconds < 10 else f"{outcome.seconds:.1f} s"


ENGINES = ["crossinnov /sparql", "oxigraph server", "pyoxigraph disk", "pyoxigraph memory",
           "rdflib memory"]


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def table(res: SizeResult, cap: float) -> list[str]:
    lines = [f"### {res.organisations:,} organisations ({res.quads:,} quads generated)", "",
             "Query medians in ms (or s); `>N`: over the cap (crossinnov: its own 30 s limit).", "",
             "| query | " + " | ".join(ENGINES) + " | rows |",
             "|---|" + "---:|" * len(ENGINES) + "---:|"]
    for name, by_engine in res.queries.items():
        rows = {o.rows for o in by_engine.values() if o.rows is not None}
        lines.append(f"| {name} | " + " | ".join(fmt(by_engine.get(e), cap) for e in ENGINES)
                     + f" | {'/'.join(str(r) for r in sorted(rows))} |")
    # geometric means over the queries every engine answered; a miss counts as the cap (a bound)
    means = []
    for engine in ENGINES:
        values = [by.get(engine).seconds if by.get(engine) and by[engine].seconds is not None
                  else cap for by in res.queries.values() if engine in by]
        missed = sum(1 for by in res.queries.values()
                     if engine in by and by[engine].seconds is None)
        means.append("-" if not values else f"{geomean(values) * 1000:.0f}"
                      + (f" (≥, {missed} at cap)" if missed else ""))
    lines.append("| **geometric mean (ms)** | " + " | ".join(means) + " | |")
    ours = [by["crossinnov /sparql"] for by in res.queries.values() if "crossinnov /sparql" in by]
    for other in ENGINES[1:]:
        pairs = [(by["crossinnov /sparql"].seconds or cap, by[other].seconds or cap)
                 for by in res.queries.values() if other in by and "crossinnov /sparql" in by]
        if pairs and ours:
            ratio = geomean([a / b for a, b in pairs])
            lines.append(f"| crossinnov / {other} (geo. mean of per-query ratios) | "
                         + f"{ratio:.2f}x" + " |" * len(ENGINES) + " |")
    lines += ["", "| measure | crossinnov | other | ratio |", "|---|---:|---:|---:|"]
    lines += [f"| {m} | {a} | {b} | {r} |" for m, a, b, r in res.rows]
    lines += [""] + [f"- {note}" for note in res.notes] + [""]
    return lines


def machine() -> list[str]:
    versions = []
    for package in ("crossinnov", "pyoxigraph", "oxigraph", "rdflib", "pyshacl", "networkx",
                    "igraph", "flask", "waitress"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{package} (not installed)")
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    mem = next((int(line.split()[1]) // 1024 for line in
                Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), 0)
    return [f"- machine: {os.cpu_count()} cores ({cpu}), {mem / 1024:.1f} GB RAM, "
            f"{platform.system()} {platform.release()}",
            f"- Python {platform.python_version()}; " + ", ".join(versions),
            f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=3,
                        help="timed runs per query (after a warm-up)")
    parser.add_argument("--cap", type=float, default=60.0,
                        help="seconds per query for other engines")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the throughput test")
    parser.add_argument("--uploads", type=int, default=40, help="profiles uploaded per size")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get(
        "TMPDIR", "/tmp")) / "crossinnov-benchmark")
    parser.add_argument("--skip-rdflib", action="store_true", help="leave rdflib out (slow)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    title = "## crossinnov benchmark, " + time.strftime("%Y-%m-%d %H:%M %Z")
    lines = [title, ""] + machine() + [""]
    started = time.perf_counter()
    for n in args.sizes:
        lines += table(measure_size(n, args, args.workdir), args.cap)
    lines += [f"- load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"whole run {(time.perf_counter() - started) / 60:.1f} min"]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
