"""Real Oxigraph server processes, for the tests that use an external SPARQL store.

``oxigraph serve`` (the PyPI package ``oxigraph``, a test dependency) starts in
about 40 ms, so every store a test asks for is a server of its own, on a folder
of its own: nothing is shared between tests, and nothing needs resetting.
:class:`Servers` starts them and stops every one it started (killed and waited
for, so that none outlives the test run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
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


class OxigraphServer:
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
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self._answers():
                return True
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"oxigraph serve did not answer in {START_TIMEOUT:g} s: "
                           f"{self._log_tail()}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as r:
                return r.status == 200
        except (urllib.error.URLError, OSError):
            return False

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
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


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
