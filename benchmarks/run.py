#!/usr/bin/env python
"""crossinnov benchmark: the same generated graph through crossinnov and the engines people
would pick instead, measured side by side in one run.

    python benchmarks/run.py                      # 10 000 and 100 000 organisations
    python benchmarks/run.py --sizes 10000 --runs 3 --markdown results.md
    python benchmarks/run.py --sizes 1000000 --engines crossinnov --mix everyday

Per size it generates a graph (``crossinnov generate --seed 1``), loads it with
``crossinnov load`` (and, for comparison, with pyoxigraph's bulk loader into a
throw-away folder), runs ``crossinnov analyse``, then asks the query mixes
(``--mix``: the research workload in ``benchmarks/workload/`` and the everyday
queries in ``benchmarks/everyday/``) of every chosen engine (``--engines``):
crossinnov's ``/sparql`` over HTTP (``crossinnov serve`` with its answer cache
off, so that every answer is computed as Oxigraph server's is; queries start
once its processes are idle after start), Oxigraph server (``serve-read-only``
on the same store folder, ``union-default-graph``), pyoxigraph in-process on
that folder and in memory, and rdflib in memory (the last two load pyoxigraph's
dump of the store). Then throughput with 4 concurrent clients, each from a
loopback address of its own (workload q1; crossinnov and Oxigraph server), and,
when crossinnov is chosen: the N-Quads dump over HTTP (vs pyoxigraph's dump),
the cluster report page, profile uploads, and the memory of ``crossinnov
serve`` -- the sum of PSS and the sum of RSS over its process tree (query
workers share pages, which RSS counts once per process) after start, at its
peak while the queries and the throughput test run (sampled every 2 s or more,
the same sampling running while Oxigraph server is asked), at its peak during
the dump, and at the end. ``crossinnov load`` and ``analyse`` get their peak
memory too (their process tree sampled, and the largest process's peak RSS
from ``wait4``). Last, with the workload mix, ``crossinnov serve`` is started
again with its answer cache on and each workload query is asked three ways:
first (computed), again (kept answer) and with ``If-None-Match`` (304).

It prints, per size and mix, a table of query medians with each engine's
geometric mean, crossinnov's ratio to each other engine (geometric mean of the
per-query ratios) and its worst per-query ratio, checked against the targets
(Oxigraph server: workload <= 0.4x, everyday <= 0.6x, no query above 1.5x);
then a table of the other measures, the kept-answers table, and notes, with the
machine, versions and load average. Sections that need an engine that was not
chosen are skipped and say so. pyoxigraph's dump is made when pyoxigraph in
memory or rdflib needs it, or, for the dump comparison, when crossinnov and
another engine are chosen; the bulk-load comparison always runs.

Every engine gets ``--cap`` seconds per query (crossinnov through its own limit,
``CROSSINNOV_QUERY_TIMEOUT``, set to the cap; Oxigraph server and the
in-process engines are stopped and restarted past it). A query over the cap is
reported as ``>cap`` and counts as the cap in the means and ratios, which makes
a ratio against an engine that missed an upper bound (the real ratio is
smaller), and the missing engine's mean a lower bound.

Not part of the test run; run it by hand on a quiet machine.
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
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIXES = {"workload": sorted((HERE / "workload").glob("*.rq")),
         "everyday": sorted((HERE / "everyday").glob("*.rq"))}
THROUGHPUT_QUERY = HERE / "workload" / "q1_orgs_per_city.rq"
TOKEN = "benchmark-admin-token"
BIN = Path(sys.executable).parent
#: seconds above which an answer is not timed again
SLOW = 10.0
#: seconds between two memory samples of the servers (one sample reads every process's
#: /proc/PID/smaps_rollup, which costs the kernel some ms per GB mapped)
SERVE_SAMPLING = 2.0
#: seconds between two memory samples of `crossinnov load` and `crossinnov analyse`
COMMAND_SAMPLING = 0.5
#: command-line engine names and the column each gets, in table order
ENGINES = {"crossinnov": "crossinnov /sparql", "oxigraph-server": "Oxigraph server",
           "pyoxigraph-disk": "pyoxigraph disk", "pyoxigraph-memory": "pyoxigraph memory",
           "rdflib": "rdflib memory"}
OURS = ENGINES["crossinnov"]
OXIGRAPH = ENGINES["oxigraph-server"]
#: crossinnov / Oxigraph server, geometric mean of per-query ratios, per mix
TARGETS = {"workload": 0.4, "everyday": 0.6}
#: no query slower than this many times Oxigraph server's time
WORST_TARGET = 1.5


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


def query_form(text: str) -> str:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    for word in body.upper().split():
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word
    return "SELECT"


# --- memory ------------------------------------------------------------------------------

@dataclass
class Memory:
    """Memory of a process tree in MB: the sum of PSS and the sum of RSS over its processes."""

    pss: float = 0.0
    rss: float = 0.0

    def peak(self, other: Memory) -> Memory:
        return Memory(max(self.pss, other.pss), max(self.rss, other.rss))

    def __str__(self) -> str:
        return f"{self.pss:,.0f} / {self.rss:,.0f}"


def children_map() -> dict[int, list[int]]:
    """Every process's children, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def process_tree(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """A process and all its descendants."""
    children = children_map() if children is None else children
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += children.get(p, [])
    return tree


def tree_memory(pid: int, children: dict[int, list[int]] | None = None) -> Memory:
    """PSS and RSS summed over a process tree (``/proc/PID/smaps_rollup``), in MB.

    Forked or spawned workers share pages (copy-on-write, shared libraries, a shared
    file mapping): the RSS sum counts such a page once per process that maps it, the
    PSS sum splits it between them, so it counts every page once.
    """
    pss = rss = 0
    for p in process_tree(pid, children):
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:  # gone, or a zombie
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return Memory(pss * 1024 / 1e6, rss * 1024 / 1e6)


def tree_nice(pid: int) -> dict[int, int]:
    """How many processes of a tree run at each nice value (a higher one: less CPU when
    other processes compete for it)."""
    counts: dict[int, int] = {}
    for p in process_tree(pid):
        try:
            nice = int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[16])
        except (OSError, IndexError, ValueError):
            continue
        counts[nice] = counts.get(nice, 0) + 1
    return counts


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by a process tree's living processes."""
    ticks = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_warm(healthz: str, timeout: float = 3600.0, *, analysis: bool = False) -> float:
    """Wait while crossinnov's ``/healthz`` says its workers' in-memory replica is loading
    (``workers.warming``) and, with ``analysis``, while an analysis runs or is due (a
    restart on a store holding uploaded profiles runs one); return the seconds waited (0
    when there was nothing to wait for)."""
    start = time.perf_counter()
    waited = 0.0
    while waited < timeout:
        with urllib.request.urlopen(healthz, timeout=60) as answer:
            health = json.load(answer)
        workers = health.get("workers") or {}
        run = health.get("analysis") or {}
        busy = analysis and (run.get("running") or run.get("pending")
                             or run.get("scheduled") is not None)
        if not workers.get("warming") and not busy:
            return waited
        time.sleep(2.0)
        waited = time.perf_counter() - start
    return waited


def wait_idle(pid: int, timeout: float = 300.0) -> float:
    """Wait until a process tree has used < 5 % of a core for two seconds in a row (a
    server's background work after start, such as an index build, is done); return the
    seconds waited (``timeout`` if it never went quiet)."""
    start = time.perf_counter()
    quiet, before = 0, tree_cpu_seconds(pid)
    while time.perf_counter() - start < timeout:
        time.sleep(1.0)
        now = tree_cpu_seconds(pid)
        quiet = quiet + 1 if now - before < 0.05 else 0
        before = now
        if quiet >= 2:
            break
    return time.perf_counter() - start


class Sampler:
    """The peak memory of process trees, sampled in a thread every ``interval`` seconds
    from ``start()`` to ``stop()`` (one sample at each end).

    Reading smaps_rollup walks the page tables of every process (some ms per GB), so
    the pause between samples grows to 20 times the last sample's cost when that is
    longer: the sampling takes at most about 5 % of one core.
    """

    def __init__(self, pids: dict[str, int], interval: float) -> None:
        self.pids, self.interval = pids, interval
        self.peaks = {name: Memory() for name in pids}
        self.samples, self.spent = 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> float:
        began = time.perf_counter()
        children = children_map()
        for name, pid in self.pids.items():
            self.peaks[name] = self.peaks[name].peak(tree_memory(pid, children))
        self.samples += 1
        cost = time.perf_counter() - began
        self.spent += cost
        return cost

    def _run(self) -> None:
        pause = self.interval
        while not self._stop.wait(pause):
            pause = max(self.interval, 20 * self.sample())

    def start(self) -> Sampler:
        self.sample()
        self._thread.start()
        return self

    def stop(self, last_sample: bool = True) -> None:
        self._stop.set()
        self._thread.join()
        if last_sample:
            self.sample()

    def cost(self) -> str:
        return (f"{self.samples} samples, {self.spent / max(1, self.samples) * 1000:.0f} ms each "
                "on average")


@dataclass
class Command:
    seconds: float
    peak: Memory  # sampled over the process tree
    max_rss: float  # MB: the largest single process's peak RSS (wait4's ru_maxrss)
    #: the last line the command wrote, when it failed and that was allowed
    failed: str | None = None


def run_measured(*args: str, env: dict | None = None, allow_fail: bool = False) -> Command:
    """Run a command to completion (fail loudly, unless ``allow_fail``); return its wall time
    and peak memory.

    The process tree is sampled every ``COMMAND_SAMPLING`` s for the PSS and RSS sums; the
    child is reaped with ``wait4``, whose ``ru_maxrss`` is the largest peak RSS of one
    process among the child and the descendants it waited for (a maximum, not a sum).
    """
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        process = subprocess.Popen(args, env={**os.environ, **(env or {})}, stdout=log,
                                   stderr=subprocess.STDOUT)
        sampler = Sampler({"command": process.pid}, COMMAND_SAMPLING).start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop(last_sample=False)  # the process is gone
        failed = None
        if process.returncode != 0:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-3000:]
            if not allow_fail:
                raise SystemExit(f"{' '.join(args)} failed ({process.returncode}):\n{tail}")
            failed = (tail.strip().splitlines() or ["(no output)"])[-1]
    return Command(seconds, sampler.peaks["command"], usage.ru_maxrss * 1024 / 1e6, failed)


# --- engines -----------------------------------------------------------------------------

@dataclass
class Outcome:
    seconds: float | None  # None: did not answer within the cap, or failed
    rows: int | None = None  # rows, triples, or 1/0 for an ASK's true/false
    note: str = ""

    @property
    def missed(self) -> bool:
        """Over the cap (not a failure)."""
        return self.seconds is None and ("cap" in self.note or "timeout" in self.note
                                         or "time limit" in self.note)


class HttpEngine:
    """A SPARQL 1.1 Protocol endpoint, asked by POST (form-encoded): each question on a new
    connection, opened before the clock starts (the same for every engine), unless ``ask``
    is given one to keep (the throughput clients keep theirs alive).

    ``restart`` is called when the client gives up on an answer (``grace`` seconds past the
    cap): a server that does not stop a query itself would go on computing it.
    """

    def __init__(self, name: str, url: str, extra: list[tuple[str, str]] | None = None,
                 cap: float = 60.0, grace: float = 30.0,
                 restart: Callable[[], None] | None = None) -> None:
        self.name, self.url, self.extra, self.cap = name, url, extra or [], cap
        self.grace, self.restart = grace, restart
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path

    def connection(self, source: str | None = None) -> http.client.HTTPConnection:
        """A connection; ``source``: the local address it comes from (a loopback address
        of its own makes a client count as another client for per-client limits)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.cap + self.grace,
                                          source_address=(source, 0) if source else None)
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
            if self.restart is not None:
                self.restart()
            return Outcome(None, note="client timeout past the cap")
        finally:
            if own:
                conn.close()
        seconds = time.perf_counter() - start
        if response.status == 503:
            return Outcome(None, note="503 (time limit = cap)")
        if response.status != 200:
            return Outcome(None, note=f"HTTP {response.status}: {data[:200]!r}")
        if seconds > self.cap:
            return Outcome(None, note="over the cap")
        cut = response.getheader("X-SPARQL-Truncated")
        note = f"answer cut ({cut})" if cut else ""
        if accept == "application/n-triples":
            return Outcome(seconds, sum(1 for line in data.splitlines() if line.strip()), note)
        answer = json.loads(data)
        if "boolean" in answer:  # ASK
            return Outcome(seconds, int(answer["boolean"]), note)
        return Outcome(seconds, len(answer["results"]["bindings"]), note)

    def close(self) -> None:
        pass


def _open_engine(kind: str, source: str):
    """Open an engine; return a function that runs a query and returns its row count
    (triples for CONSTRUCT/DESCRIBE, 1/0 for ASK)."""
    if kind == "rdflib":
        import rdflib

        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(source, format="nquads")

        def run(text: str) -> int:
            result = dataset.query(text)
            if result.type in ("CONSTRUCT", "DESCRIBE"):
                return len(result.graph)
            if result.type == "ASK":
                return int(bool(result.askAnswer))
            return len(list(result))

        return run
    import pyoxigraph as ox

    if kind == "pyoxigraph-disk":
        store = ox.Store.read_only(source)
    else:
        store = ox.Store()
        store.bulk_load(path=source, format=ox.RdfFormat.N_QUADS)

    def run_ox(text: str) -> int:
        result = store.query(text, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return int(bool(result))
        return sum(1 for _ in result)

    return run_ox


def _answer(run, text: str) -> tuple:
    began = time.perf_counter()
    try:
        rows = run(text)
    except Exception as exc:  # noqa: BLE001 - reported as the query's outcome
        return ("error", f"{type(exc).__name__}: {exc}"[:200])
    return (time.perf_counter() - began, rows)


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
            conn.send(_answer(run, text))
            continue
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:  # the fork: run one query, report, leave
            os.close(reader)
            os.write(writer, json.dumps(_answer(run, text)).encode())
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
        self.open_seconds: list[float] = []  # one per (re)start

    def ask(self, text: str, conn=None) -> Outcome:
        if self.process is None:
            ctx = mp.get_context("spawn")
            self.conn, child = ctx.Pipe()
            self.process = ctx.Process(target=_engine_worker,
                                       args=(self.kind, self.source, self.cap,
                                             self.kind == "rdflib", child), daemon=True)
            self.process.start()
            self.open_seconds.append(self.conn.recv()[1])
        self.conn.send(text)
        if not self.conn.poll(self.cap + 5):
            self.process.kill()  # the only way to stop a running query in these engines
            self.process.join()
            self.process = None
            return Outcome(None, note="over the cap")
        answer = self.conn.recv()
        if answer is None:
            return Outcome(None, note="over the cap")
        if answer[0] == "error":
            return Outcome(None, note=answer[1])
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
        self.args, self.ready_url, self.env, self.log_path = args, ready_url, env, log
        self.restarts = 0
        self.startup = self._start()

    def _start(self) -> float:
        self.log = open(self.log_path or os.devnull, "ab")
        start = time.perf_counter()
        self.process = subprocess.Popen(self.args, env={**os.environ, **(self.env or {})},
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.time() + 3600
        parts = urllib.parse.urlsplit(self.ready_url)
        while time.time() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise SystemExit(f"{self.args[0]} exited early with {code}; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
                conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""))
                if conn.getresponse().status < 500:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise SystemExit(f"{self.args[0]} did not come up")
        return time.perf_counter() - start

    @property
    def pid(self) -> int:
        return self.process.pid

    def restart(self) -> None:
        """Stop and start again (same port): how a running query is stopped in a server
        that has no time limit of its own."""
        self.stop()
        self.restarts += 1
        self._start()

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


def throughput(engine: HttpEngine, text: str, clients: int, seconds: float) -> tuple[float, int]:
    """Requests per second answered (200) by ``clients`` threads asking ``text`` for ``seconds``.

    Each client connects from a loopback address of its own (127.0.0.2, .3, ...), as
    separate users would: crossinnov limits the queries of one client address.
    """
    done = [0] * clients
    failed = [0] * clients
    stop_at = time.perf_counter() + seconds

    def client(i: int) -> None:
        source = f"127.0.0.{i + 2}"
        conn = engine.connection(source)
        while time.perf_counter() < stop_at:
            outcome = engine.ask(text, conn)
            if outcome.seconds is None:
                failed[i] += 1
                conn.close()
                conn = engine.connection(source)
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


def kept_answers(port: int, texts: dict[str, str], runs: int) -> list[tuple[str, ...]]:
    """Each query by GET three ways: the first answer (computed by a query worker), the
    same request again (the answer cache), and with ``If-None-Match`` (304, nothing run);
    medians of ``runs`` requests for the last two."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def get(text: str, tag: str | None = None) -> tuple[int, float, str | None]:
        form = query_form(text)
        headers = {"Accept": "application/n-triples" if form in ("CONSTRUCT", "DESCRIBE")
                   else "application/sparql-results+json"}
        if tag:
            headers["If-None-Match"] = tag
        start = time.perf_counter()
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": text}),
                     headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start, response.getheader("ETag")

    rows = []
    for name, text in texts.items():
        status, first, tag = get(text)
        if status != 200:
            rows.append((name, f"HTTP {status}", "", ""))
            continue
        again = [get(text) for _ in range(runs)]
        checks = [get(text, tag) for _ in range(runs)] if tag else []
        statuses = {s for s, _, _ in again} | {s for s, _, _ in checks}
        not_modified = (f"{statistics.median(t for _, t, _ in checks) * 1000:.1f}"
                        if checks else "no ETag")
        if statuses - {200, 304}:
            not_modified += f" (statuses {sorted(statuses)})"
        rows.append((name, f"{first * 1000:.0f}",
                     f"{statistics.median(t for _, t, _ in again) * 1000:.1f}", not_modified))
    conn.close()
    return rows


# --- the run -----------------------------------------------------------------------------

@dataclass
class SizeResult:
    organisations: int
    engines: list[str]  # column names, in table order
    quads: int = 0
    #: what ``quads`` counts
    counted: str = "quads generated"
    #: measure, crossinnov, other, ratio
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: mix -> query -> engine -> outcome
    queries: dict[str, dict[str, dict[str, Outcome]]] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)
    #: query, first, again, 304
    kept: list[tuple[str, ...]] = field(default_factory=list)
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
    return Outcome(statistics.median(times), first.rows, first.note)


def profile_body(i: int, organisations: int) -> bytes:
    partners = [f"org-{(i * 7919) % organisations:06d}", f"org-{(i * 104729) % organisations:06d}"]
    return json.dumps({
        "id": f"benchmark-upload-{i:04d}", "name": f"Benchmark upload {i}", "city": "tallinn",
        "sectors": ["design", "ict"], "themes": ["brokerage"],
        "description": "A profile written by the benchmark.",
        "homepage": "https://example.org/", "founded": 2011,
        "collaboratesWith": sorted(set(partners)), "seeksPartnersIn": ["manufacturing"],
    }).encode()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ask_mixes(res: SizeResult, engine, texts: dict[str, dict[str, str]], runs: int) -> None:
    began = time.perf_counter()
    res.notes.append(f"{engine.name}: queries began with a load average of {load_average()}")
    for mix, queries in texts.items():
        for name, text in queries.items():
            res.queries[mix].setdefault(name, {})[engine.name] = median_outcome(engine, text, runs)
    res.notes[-1] += f", took {time.perf_counter() - began:.0f} s"


def serve_command(store_dir: Path, port: int) -> list[str]:
    return [cli("crossinnov"), "serve", "--store", str(store_dir), "--port", str(port)]


def serve_env(cap: float, cache: bool) -> dict[str, str]:
    env = {"CROSSINNOV_TOKEN": TOKEN, "CROSSINNOV_ANALYSIS_DEBOUNCE": "3600",
           "CROSSINNOV_QUERY_TIMEOUT": f"{cap:g}"}
    if not cache:
        env["CROSSINNOV_ANSWER_CACHE_MB"] = "0"
    return env


def load_generated(n: int, args, work: Path, res: SizeResult, say) -> tuple[Path, Command]:
    """Generate the graph of ``n`` organisations (unless kept), bulk-load it with pyoxigraph
    and load it with ``crossinnov load``, timing both; return the store's folder and the
    load's measure."""
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
    load = run_measured(cli("crossinnov"), "load", "--store", str(store_dir), str(data))
    res.rows.append(("load (s)", f"{load.seconds:.1f}", f"{t_bulk:.1f} (pyoxigraph bulk_load)",
                     f"{load.seconds / t_bulk:.2f}x"))
    return store_dir, load


def measure_size(n: int, args, work: Path) -> SizeResult:
    chosen = [key for key in ENGINES if key in args.engines]
    res = SizeResult(n, [ENGINES[key] for key in chosen])
    say = lambda msg: print(f"[{n}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    skipped = lambda key: f"skipped ({key} not chosen)"  # noqa: E731
    texts = {mix: {p.stem: p.read_text() for p in MIXES[mix]} for mix in args.mix}
    for mix, queries in texts.items():
        res.queries[mix] = {}
        res.forms.update({name: query_form(text) for name, text in queries.items()})
    import pyoxigraph as ox

    load = None
    if args.loaded is not None:  # loaded (and timed) apart: only what follows is measured
        store_dir = args.loaded
        probe = ox.Store.read_only(str(store_dir))
        res.quads, res.counted = len(probe), "quads in the loaded store"
        del probe
        res.rows.append(("load (s)", f"measured apart (--loaded {store_dir})", "", ""))
    else:
        store_dir, load = load_generated(n, args, work, res, say)
    say("crossinnov analyse")
    # refused when it would not fit in memory (ANALYSIS_MEMORY_SHARE): said in the table
    analyse = run_measured(cli("crossinnov"), "analyse", "--store", str(store_dir),
                           allow_fail=True)
    res.rows.append(("analyse (s)", f"{analyse.seconds:.1f}" if analyse.failed is None
                     else f"not run: {analyse.failed}", "", ""))
    for label, command in (("load", load), ("analyse", analyse)):
        if command is None:
            continue
        res.rows.append((f"`crossinnov {label}` peak memory: PSS / RSS sum of its processes; "
                         "largest process (MB)", f"{command.peak}; {command.max_rss:,.0f}", "", ""))

    dump_path = work / f"dump-{n}.nq"
    t_dump_ox = None
    if ("pyoxigraph-memory" in chosen or "rdflib" in chosen
            or ("crossinnov" in chosen and len(chosen) > 1)):
        say("pyoxigraph dump")

        def dump() -> None:
            s = ox.Store.read_only(str(store_dir))
            with open(dump_path, "wb") as fh:
                s.dump(fh, ox.RdfFormat.N_QUADS)

        t_dump_ox, _ = timed(dump)

    # queries through the in-process engines (one at a time, before the servers start)
    sources = {"pyoxigraph-disk": str(store_dir), "pyoxigraph-memory": str(dump_path),
               "rdflib": str(dump_path)}
    opening = {"pyoxigraph-disk": "open the store folder read-only",
               "pyoxigraph-memory": "bulk-load the dump into memory",
               "rdflib": "parse the dump into a Dataset"}
    for key in ("pyoxigraph-disk", "pyoxigraph-memory", "rdflib"):
        if key not in chosen:
            continue
        engine = ProcessEngine(ENGINES[key], key, sources[key], args.cap)
        say(f"queries: {engine.name}")
        ask_mixes(res, engine, texts, args.runs)
        engine.close()
        times = engine.open_seconds
        res.rows.append((f"{engine.name}: {opening[key]} (s)", "", f"{times[0]:.1f}"
                         + (f" (and {len(times) - 1} restarts after the cap)"
                            if len(times) > 1 else ""), ""))

    if "crossinnov" not in chosen and "oxigraph-server" not in chosen:
        return res

    # the servers: crossinnov serve and Oxigraph server over the same store folder
    serve = oxserver = ours = theirs = None
    servers = {}
    try:
        if "crossinnov" in chosen:
            port = free_port()
            say("starting crossinnov serve (answer cache off)")
            serve = Server(serve_command(store_dir, port), f"http://127.0.0.1:{port}/healthz",
                           env=serve_env(args.cap, cache=False), log=work / f"serve-{n}.log")
            servers["crossinnov"] = serve.pid
            # on a big store the workers read the disk while the in-memory replica loads
            # (REPLICA_WARM_QUADS): the queries are timed once it is in
            warm = wait_warm(f"http://127.0.0.1:{port}/healthz")
            if warm:
                res.rows.append(("serve: in-memory replica in place after (s)",
                                 f"{serve.startup + warm:.1f}", "", ""))
            settled = wait_idle(serve.pid)
            res.notes.append(f"crossinnov serve: ready (healthz) in {serve.startup:.1f} s"
                             + (f", its workers reading memory {warm:.0f} s later" if warm
                                else "")
                             + f", then {settled:.0f} s until its processes were idle "
                             "(background work after start, such as the search index); "
                             "queries began then")
            nices = tree_nice(serve.pid)
            res.notes.append("crossinnov serve's processes by nice value: " + ", ".join(
                f"{count} at {nice}" for nice, count in sorted(nices.items()))
                + f" (the other engines run at {os.nice(0)}, the benchmark's own: on a machine "
                "busy with other work, a process at a higher nice value gets a smaller share "
                "of the CPU)")
            ours = HttpEngine(OURS, f"http://127.0.0.1:{port}/sparql", cap=args.cap)
        if "oxigraph-server" in chosen:
            oxport = free_port()
            say("starting oxigraph serve-read-only")
            oxserver = Server([cli("oxigraph"), "serve-read-only", "--location", str(store_dir),
                               "--bind", f"127.0.0.1:{oxport}"],
                              f"http://127.0.0.1:{oxport}/query?query=ASK%7B%7D",
                              log=work / f"oxigraph-{n}.log")
            servers["oxigraph"] = oxserver.pid
            theirs = HttpEngine(OXIGRAPH, f"http://127.0.0.1:{oxport}/query",
                                [("union-default-graph", "")], cap=args.cap, grace=5.0,
                                restart=oxserver.restart)
        res.rows.append(("serve ready (s)",
                         f"{serve.startup:.1f}" if serve else skipped("crossinnov"),
                         f"{oxserver.startup:.1f} (Oxigraph server)" if oxserver
                         else skipped("oxigraph-server"), ""))
        after_start = {name: tree_memory(pid) for name, pid in servers.items()}

        # the query phase: both servers sampled throughout, so both bear the sampling's cost
        sampler = Sampler(servers, SERVE_SAMPLING).start()
        for engine in (ours, theirs):
            if engine is not None:
                say(f"queries: {engine.name}")
                ask_mixes(res, engine, texts, args.runs)
        say("throughput")
        q1 = THROUGHPUT_QUERY.read_text()
        rps = {}
        for key, engine in (("crossinnov", ours), ("oxigraph", theirs)):
            if engine is not None:
                rps[key], failed = throughput(engine, q1, 4, args.seconds)
                if failed:
                    res.notes.append(f"throughput: {failed} failed requests ({engine.name})")
        if oxserver is not None:  # a restart after the cap started a new process
            sampler.pids["oxigraph"] = oxserver.pid
        sampler.stop()
        res.rows.append(("q1 throughput, 4 clients (req/s)",
                         f"{rps['crossinnov']:.1f}" if "crossinnov" in rps
                         else skipped("crossinnov"),
                         f"{rps['oxigraph']:.2f} (Oxigraph server)" if "oxigraph" in rps
                         else skipped("oxigraph-server"),
                         f"{rps['crossinnov'] / rps['oxigraph']:.1f}x"
                         if len(rps) == 2 and rps["oxigraph"] else ""))
        if oxserver is not None and oxserver.restarts:
            res.notes.append(f"Oxigraph server was restarted {oxserver.restarts} times, each "
                             "after a query past the cap (it does not stop a query itself)")

        def memory_row(label: str, ours_mem: Memory | None, theirs_mem: Memory | None,
                       other: str | None = None) -> None:
            if other is None:
                other = (f"{theirs_mem} (Oxigraph server)" if theirs_mem
                         else skipped("oxigraph-server"))
            res.rows.append((f"serve memory {label}: PSS / RSS sum, all processes (MB)",
                             str(ours_mem) if ours_mem else skipped("crossinnov"), other, ""))

        memory_row("after start (once idle)", after_start.get("crossinnov"),
                   after_start.get("oxigraph"))
        memory_row(f"peak during queries and throughput (sampled every ≥ {SERVE_SAMPLING:g} s)",
                   sampler.peaks.get("crossinnov"), sampler.peaks.get("oxigraph"))
        res.notes.append(f"memory sampling during the query phase: {sampler.cost()} "
                         f"(the process tree{'s' if len(servers) > 1 else ''} of "
                         f"{' and '.join(servers)}, from /proc/PID/smaps_rollup)")

        if serve is None:
            res.rows.append(("crossinnov sections (dump, report page, uploads)",
                             skipped("crossinnov"), "", ""))
            return res

        say("dump over HTTP")
        dumping = Sampler({"crossinnov": serve.pid}, 0.5).start()

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
        dumping.stop()
        res.rows.append(("dump N-Quads (s)", f"{t_dump_http:.1f}",
                         f"{t_dump_ox:.1f} (pyoxigraph dump)" if t_dump_ox is not None
                         else "skipped (no other engine chosen)",
                         f"{t_dump_http / t_dump_ox:.2f}x" if t_dump_ox else ""))
        res.notes.append(f"dump: {size / 1e6:.0f} MB streamed over HTTP")
        memory_row("peak during the dump (sampled every 0.5 s)", dumping.peaks["crossinnov"],
                   None, "")

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
        if latencies:
            latencies.sort()
            p95 = latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)]
            res.rows.append((f"profile upload p50 / p95 (ms), {len(latencies)} uploads",
                             f"{statistics.median(latencies) * 1000:.0f} / {p95 * 1000:.0f}",
                             "", ""))
        if set(statuses) != {201}:
            res.notes.append(f"upload statuses: {statuses}")
        memory_row("at the end (after the dump, report page and uploads)",
                   tree_memory(serve.pid), tree_memory(oxserver.pid) if oxserver else None)
    finally:
        for server in (serve, oxserver):
            if server is not None:
                server.stop()

    if "workload" in texts and not args.no_kept_answers:
        port = free_port()
        say("kept answers: crossinnov serve again, answer cache on")
        cached = Server(serve_command(store_dir, port), f"http://127.0.0.1:{port}/healthz",
                        env=serve_env(args.cap, cache=True), log=work / f"serve-{n}.log")
        try:
            warm = wait_warm(f"http://127.0.0.1:{port}/healthz", analysis=True)
            settled = wait_idle(cached.pid)
            res.rows.append(("serve ready again, answer cache on (s)", f"{cached.startup:.1f}",
                             "", ""))
            res.notes.append(f"kept answers: serve restarted on the same store (now also "
                             f"holding the profiles uploaded above); its replica and the "
                             f"analysis of those profiles done {warm:.0f} s after ready, "
                             f"then idle {settled:.0f} s later")
            res.kept = kept_answers(port, texts["workload"], args.runs)
        finally:
            cached.stop()
    return res


# --- the tables --------------------------------------------------------------------------

def fmt(outcome: Outcome | None, cap: float) -> str:
    if outcome is None:
        return "-"
    if outcome.seconds is None:
        return f">{cap:g}" if outcome.missed else "fail"
    text = (f"{outcome.seconds * 1000:.0f}" if outcome.seconds < 10
            else f"{outcome.seconds:.1f} s")
    return text + (" (cut)" if outcome.note.startswith("answer cut") else "")


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def charged(outcome: Outcome, cap: float) -> float | None:
    """Seconds a query counts for in means and ratios: its time, the cap when it was missed,
    nothing when it failed."""
    if outcome.seconds is not None:
        return max(outcome.seconds, 1e-6)
    return cap if outcome.missed else None


def rows_cell(name: str, by_engine: dict[str, Outcome], form: str) -> tuple[str, str | None]:
    """The rows column, and a note when the engines disagree."""
    answered = {e: o.rows for e, o in by_engine.items() if o.rows is not None}
    counts = set(answered.values())
    show = (lambda r: ("true" if r else "false")) if form == "ASK" else str
    if len(counts) <= 1:
        return ("/".join(show(r) for r in counts) or "-"), None
    cell = " / ".join(f"{show(r)} ({e})" for e, r in answered.items())
    return "≠ " + cell, f"{name}: the engines disagree: {cell}"


def query_table(mix: str, res: SizeResult, cap: float) -> list[str]:
    queries, engines = res.queries[mix], res.engines
    kinds = "; ".join(f"{f}: {sum(1 for q in queries if res.forms[q] == f)}"
                      for f in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
                      if any(res.forms[q] == f for q in queries))
    lines = [f"#### {mix} mix ({len(queries)} queries; {kinds})", "",
             "| query | " + " | ".join(engines) + " | rows |",
             "|---|" + "---:|" * len(engines) + "---:|"]
    findings = []
    for name, by_engine in queries.items():
        cell, note = rows_cell(name, by_engine, res.forms[name])
        if note:
            findings.append(note)
        findings += [f"{name}: {engine} failed: {o.note}" for engine, o in by_engine.items()
                     if o.seconds is None and not o.missed]
        missed = [engine for engine, o in by_engine.items() if o.missed]
        if missed:
            findings.append(f"{name}: over the cap for {', '.join(missed)}; counted as "
                            f"{cap:g} s")
        lines.append(f"| {name} | " + " | ".join(fmt(by_engine.get(e), cap) for e in engines)
                     + f" | {cell} |")
    means = []
    for engine in engines:
        values = [charged(by[engine], cap) for by in queries.values() if engine in by]
        missed = sum(1 for by in queries.values() if engine in by and by[engine].missed)
        failed = sum(1 for v in values if v is None)
        values = [v for v in values if v is not None]
        means.append("-" if not values else f"**{geomean(values) * 1000:.0f}**"
                     + (f" (≥, {missed} at cap)" if missed else "")
                     + (f" ({failed} failed, left out)" if failed else ""))
    lines.append("| **geometric mean (ms)** | " + " | ".join(means) + " | |")
    lines.append("")
    if OURS not in engines or len(engines) < 2:
        return lines + [f"- {d}" for d in findings] + ([""] if findings else [])
    lines += ["| crossinnov / ... | geo. mean of per-query ratios | worst query (ratio) | "
              f"queries above {WORST_TARGET:g}x | target |", "|---|---:|---|---:|---|"]
    for other in engines[1:]:
        ratios = {}
        for name, by in queries.items():
            if other in by and OURS in by:
                a, b = charged(by[OURS], cap), charged(by[other], cap)
                if a is not None and b is not None:
                    ratios[name] = a / b
        if not ratios:
            continue
        mean = geomean(list(ratios.values()))
        worst = max(ratios, key=ratios.get)
        above = sum(1 for r in ratios.values() if r > WORST_TARGET)
        target = ""
        if other == OXIGRAPH and mix in TARGETS:
            target = (f"mean ≤ {TARGETS[mix]:g}x: {'met' if mean <= TARGETS[mix] else 'missed'}; "
                      f"worst ≤ {WORST_TARGET:g}x: "
                      f"{'met' if ratios[worst] <= WORST_TARGET else 'missed'}")
        lines.append(f"| {other} | {mean:.2f}x | {worst} ({ratios[worst]:.2f}x) | {above} | "
                     f"{target} |")
    lines += ["", "A query over the cap counts as the cap (`>N`): a ratio against an engine "
              "that missed is an upper bound, a mean with misses a lower bound; a query both "
              "missed counts 1.0x; a failure is left out."]
    lines += [f"- {d}" for d in findings]
    return lines + [""]


def table(res: SizeResult, cap: float, runs: int) -> list[str]:
    lines = [f"### {res.organisations:,} organisations ({res.quads:,} {res.counted})", "",
             f"Query medians in ms (or s) of {runs} timed runs after a warm-up (a first answer "
             f"over {SLOW:g} s is measured once); `>{cap:g}`: over the cap; crossinnov's "
             "answer cache off.", ""]
    for mix in res.queries:
        lines += query_table(mix, res, cap)
    lines += ["| measure | crossinnov | other | ratio |", "|---|---:|---:|---:|"]
    lines += [f"| {m} | {a} | {b} | {r} |" for m, a, b, r in res.rows]
    if res.kept:
        lines += ["", "Kept answers (workload; `crossinnov serve` with its answer cache on, GET; "
                  f"medians of {runs} requests):", "",
                  "| query | first (ms) | again, kept (ms) | If-None-Match → 304 (ms) |",
                  "|---|---:|---:|---:|"]
        lines += ["| " + " | ".join(row) + " |" for row in res.kept]
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
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Engines: " + ", ".join(ENGINES) + ". Mixes: " + ", ".join(
            f"{mix} ({len(paths)} queries in benchmarks/{mix}/)" for mix, paths in MIXES.items()))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000],
                        help="organisations to generate, one run per size (default: 10000 "
                        "100000)")
    parser.add_argument("--engines", nargs="+", choices=list(ENGINES), default=list(ENGINES),
                        metavar="ENGINE", help="engines to measure (default: all); without "
                        "crossinnov, its sections are skipped")
    parser.add_argument("--mix", choices=["workload", "everyday", "both"], default="both",
                        help="query mix(es) to ask (default: both, one table each)")
    parser.add_argument("--runs", type=int, default=3,
                        help="timed runs per query, after a warm-up (default: 3)")
    parser.add_argument("--cap", type=float, default=60.0,
                        help="seconds per query, every engine (crossinnov's query time limit "
                        "is set to it; default: 60)")
    parser.add_argument("--seconds", type=float, default=15.0,
                        help="length of the throughput test in seconds (default: 15)")
    parser.add_argument("--uploads", type=int, default=40, help="profiles uploaded per size, "
                        "after two uncounted (default: 40)")
    parser.add_argument("--loaded", type=Path, default=None, metavar="STORE",
                        help="a store folder `crossinnov load` already filled with the "
                             "generated graph of the one size given (loaded and timed apart, "
                             "for sizes where a load takes long): generating and loading "
                             "are skipped; it is written to (analysis, uploads)")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get(
        "TMPDIR", "/tmp")) / "crossinnov-benchmark",
                        help="generated graphs (kept), stores, dumps and server logs "
                        "(default: $TMPDIR/crossinnov-benchmark)")
    parser.add_argument("--skip-rdflib", action="store_true",
                        help="leave rdflib out (slow to load); same as not naming it in --engines")
    parser.add_argument("--no-kept-answers", action="store_true",
                        help="do not restart crossinnov serve with its answer cache on for the "
                        "kept-answers table")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    if args.skip_rdflib and "rdflib" in args.engines:
        args.engines = [e for e in args.engines if e != "rdflib"]
    args.mix = ["workload", "everyday"] if args.mix == "both" else [args.mix]
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.loaded is not None and len(args.sizes) != 1:
        parser.error("--loaded measures one size: give it with --sizes N")

    title = "## crossinnov benchmark, " + time.strftime("%Y-%m-%d %H:%M %Z")
    lines = [title, ""] + machine() + [
        f"- engines: {', '.join(args.engines)}; mixes: {', '.join(args.mix)}; "
        f"cap {args.cap:g} s; {args.runs} runs; throughput {args.seconds:g} s; "
        f"{args.uploads} uploads", ""]
    started = time.perf_counter()
    for n in args.sizes:
        lines += table(measure_size(n, args, args.workdir), args.cap, args.runs)
    lines += [f"- load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
              f"whole run {(time.perf_counter() - started) / 60:.1f} min"]
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")


if __name__ == "__main__":
    main()
