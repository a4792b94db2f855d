"""Real SPARQL server processes (Oxigraph, Virtuoso), for the tests that use an external store.

``oxigraph serve`` (the PyPI package ``oxigraph``, a test dependency) starts in
about 40 ms, so every store a test asks for is a server of its own, on a folder
of its own: nothing is shared between tests, and nothing needs resetting.
:class:`Servers` starts them and stops every one it started (killed and waited
for, so that none outlives the test run).

Virtuoso (``virtuoso-t``, Debian's ``virtuoso-opensource``) takes about three seconds to
start: :class:`VirtuosoPool` keeps a few for the whole session and clears one for each store
a test asks for.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

#: how long a server may take to answer its first request
START_TIMEOUT = 30.0
#: free ports picked in turn when another process takes the one chosen first
PORT_ATTEMPTS = 5


def oxigraph_binary() -> str:
    """Return the ``oxigraph`` command: next to this Python first (the venv), then on PATH."""
    here = shutil.which("oxigraph", path=os.path.dirname(sys.executable))
    found = here or shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph server command is missing: pip install "
                           "'oxigraph>=0.5.13,<0.6' (it is in the test extras)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A server process of the tests: its log and how it is stopped."""

    log_path: Path
    process: subprocess.Popen | None
    query_url: str
    #: seconds it is given to end after SIGTERM, before SIGKILL
    grace = 10.0

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def _wait(self, name: str, timeout: float, pause: float) -> bool:
        """Wait for the process just started to answer: True; False if it ended (its port
        was taken); past ``timeout``, stopped and an error raised."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self._answers():
                return True
            time.sleep(pause)
        self.stop()
        raise RuntimeError(f"{name} did not answer in {timeout:g} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-500:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and wait for it."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=self.grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class OxigraphServer(ServerProcess):
    """One ``oxigraph serve`` process on a folder, bound to a free port of 127.0.0.1."""

    def __init__(self, location: Path, *extra_args: str) -> None:
        self.location = location
        self.location.mkdir(parents=True, exist_ok=True)
        self.log_path = location.parent / f"{location.name}.log"
        self.process: subprocess.Popen | None = None
        for _ in range(PORT_ATTEMPTS):
            self.port = _free_port()
            if self._start(extra_args):
                return
        raise RuntimeError(f"oxigraph serve did not start: {self._log_tail()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        """The query endpoint: what ``--store`` takes (update and GSP URLs are derived)."""
        return self.url + "/query"

    def _start(self, extra_args: tuple[str, ...]) -> bool:
        """Start on ``self.port``; False if the process ended (the port was taken)."""
        command = [oxigraph_binary(), "serve", "--location", str(self.location),
                   "--bind", f"127.0.0.1:{self.port}", *extra_args]
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)
        return self._wait("oxigraph serve", START_TIMEOUT, 0.01)



class Servers:
    """Starts Oxigraph servers, each on a new folder under ``root``; stops them all at close."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._started: list[OxigraphServer] = []
        self._count = 0

    def start(self, *extra_args: str) -> OxigraphServer:
        self._count += 1
        server = OxigraphServer(self.root / f"oxigraph-{self._count}", *extra_args)
        self._started.append(server)
        return server

    def close(self) -> None:
        while self._started:
            self._started.pop().stop()


# --- Virtuoso ----------------------------------------------------------------------------------

#: virtuoso.ini of a test server: its own folder, two free ports, small memory. The
#: [SPARQL] limits are raised so that no answer of the tests is cut (RemoteStore refuses an
#: answer Virtuoso cut, see crossinnov.stores.virtuoso).
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 4000
MaxDirtyBuffers = 3000
ThreadsPerQuery = 1
AsyncQueueMaxThreads = 2
MaxQueryMem = 256M

[HTTPServer]
ServerPort = {http_port}
ServerRoot = {folder}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def virtuoso_binaries() -> tuple[str, str]:
    """Return the ``virtuoso-t`` and ``isql-vt`` commands (Debian's virtuoso-opensource)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if not server or not isql:
        raise RuntimeError("Virtuoso is missing: apt-get install virtuoso-opensource")
    return server, isql


class VirtuosoServer(ServerProcess):
    """One ``virtuoso-t`` process on a folder, its SQL and HTTP ports free ports of 127.0.0.1,
    the SPARQL user allowed to update (``grant SPARQL_UPDATE to "SPARQL"``)."""

    #: seconds it is given to end after SIGTERM (it writes its checkpoint)
    grace = 20.0

    def __init__(self, location: Path, *, max_rows: int = 1_000_000) -> None:
        self.location = location
        self.location.mkdir(parents=True, exist_ok=True)
        self.log_path = location / "virtuoso.out"
        self.max_rows = max_rows
        self.process: subprocess.Popen | None = None
        for _ in range(PORT_ATTEMPTS):
            self.sql_port, self.http_port = _free_port(), _free_port()
            if self.sql_port != self.http_port and self._start():
                self._grant()
                return
        raise RuntimeError(f"virtuoso-t did not start: {self._log_tail()}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """The SPARQL endpoint (queries and updates); the graph CRUD endpoint is derived."""
        return self.url + "/sparql"

    def _start(self) -> bool:
        server, _ = virtuoso_binaries()
        for stale in self.location.glob("virtuoso*"):
            stale.unlink()
        (self.location / "virtuoso.ini").write_text(VIRTUOSO_INI.format(
            folder=self.location, sql_port=self.sql_port, http_port=self.http_port,
            max_rows=self.max_rows))
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen([server, "-f", "-c", "virtuoso.ini"],
                                            cwd=self.location, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log)
        return self._wait("virtuoso-t", START_TIMEOUT * 2, 0.05)

    def isql(self, statement: str) -> str:
        """Run one SQL statement as dba (``isql-vt``); return its output."""
        _, isql = virtuoso_binaries()
        done = subprocess.run([isql, str(self.sql_port), "dba", "dba", f"exec={statement}"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql-vt {statement!r}: {done.stdout} {done.stderr}")
        return done.stdout

    def _grant(self) -> None:
        """Let the SPARQL user update, and make Virtuoso's own graphs (those of the new
        database) private, as the README says."""
        from crossinnov.stores.virtuoso import private_graphs_sql

        self.isql('grant SPARQL_UPDATE to "SPARQL";')
        query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
        request = urllib.request.Request(self.query_url + "?" + query,
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            graphs = [row["g"]["value"] for row in json.load(answer)["results"]["bindings"]]
        self.own_graphs = graphs
        self.isql(private_graphs_sql(graphs))

    def clear(self) -> None:
        """Drop every graph the SPARQL user sees, so that the next test finds it empty."""
        from crossinnov.iris import IRIs
        from crossinnov.stores.remote import RemoteStore

        store = RemoteStore(self.query_url, IRIs("https://w3id.org/crossinnov/"))
        graphs = store.named_graphs()
        for start in range(0, len(graphs), 500):
            store.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs[start:start + 500]))


class VirtuosoPool:
    """Virtuoso servers shared by the tests of a session: it takes seconds to start one, so a
    test's stores are servers of the pool cleared for it (its first store the first server,
    its second the second...); :meth:`dedicated` gives one to keep (an app's)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._shared: list[VirtuosoServer] = []
        self._kept: list[VirtuosoServer] = []

    def _new(self, **kw) -> VirtuosoServer:
        return VirtuosoServer(self.root / f"virtuoso-{len(self._shared) + len(self._kept) + 1}",
                              **kw)

    def lease(self, index: int) -> VirtuosoServer:
        """The ``index``-th shared server (0 first), emptied."""
        while len(self._shared) <= index:
            self._shared.append(self._new())
        server = self._shared[index]
        server.clear()
        return server

    def dedicated(self, **kw) -> VirtuosoServer:
        server = self._new(**kw)
        self._kept.append(server)
        return server

    def close(self) -> None:
        for server in self._shared + self._kept:
            server.stop()
        self._shared, self._kept = [], []


# --- crossinnov serve ---------------------------------------------------------------------------

def crossinnov_command() -> list[str]:
    """The ``crossinnov`` command of this Python (the venv's), or the module."""
    exe = shutil.which("crossinnov", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "crossinnov.cli"]


class CrossinnovServer(ServerProcess):
    """One ``crossinnov serve`` process on a free port over ``store``, its log in ``folder``.

    ``env`` is added to this process's environment, less its ``CROSSINNOV_*`` variables
    (the developer's own store and settings stay out). With ``session``, it runs in a
    session of its own, so that :meth:`crash` kills everything it started (its workers).
    """

    #: a clean stop closes the store and waits for the query workers
    grace = 30.0

    def __init__(self, store: str, folder: Path, *args: str,
                 env: dict[str, str] | None = None, session: bool = False) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "serve.log"
        self.session = session
        #: the exit status, once stopped
        self.returncode: int | None = None
        environ = {k: v for k, v in os.environ.items() if not k.startswith("CROSSINNOV_")}
        environ.update(env or {})
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [*crossinnov_command(), "serve", "--port", "0", "--store", store, *args],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, env=environ,
                start_new_session=session)
        # "crossinnov serving STORE at URL", printed once the app is ready
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        found = line.rsplit(" at ", 1)[-1].strip().rstrip("/") if " at http" in line else ""
        if not found:
            self.stop()
            raise RuntimeError(f"crossinnov serve did not start: {line!r} {self._log_tail()}")
        self.url = found
        self.query_url = found + "/sparql"
        if not self._wait("crossinnov serve", START_TIMEOUT * 2, 0.05):
            raise RuntimeError(f"crossinnov serve ended: {self._log_tail()}")

    def stop(self) -> None:
        process = self.process
        super().stop()
        self._ended(process)

    def crash(self) -> None:
        """SIGKILL, no clean stop (a power cut, the OOM killer); in a session of its own,
        whatever it started goes too."""
        process, self.process = self.process, None
        if process is None:
            return
        process.kill()
        process.wait(timeout=30)
        if self.session:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        self._ended(process)

    def _ended(self, process: subprocess.Popen | None) -> None:
        if process is not None:
            self.returncode = process.returncode
            if process.stdout is not None:
                process.stdout.close()

    def log_text(self) -> str:
        """All it logged (the access log among it)."""
        return self.log_path.read_text(errors="replace")
