#!/usr/bin/env python
"""/sparql answered again from the answer cache, and by 304: timed by hand over HTTP.

    python benchmarks/answer_cache.py                          # 10 000 organisations
    python benchmarks/answer_cache.py --organisations 100000 --runs 20

Generates a graph (``crossinnov generate``), loads it (``crossinnov load``) into a store
folder under ``--workdir`` (both kept for the next run), starts ``crossinnov serve`` on
a free port, and for each workload query (``benchmarks/workload/*.rq``) times: the first
answer (computed by a query worker), the same request again (the answer cache), and the
same request with ``If-None-Match`` (304, nothing run). Medians of ``--runs`` requests;
prints a Markdown table. Speed is measured here, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOAD = HERE / "workload"
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crossinnov(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("crossinnov")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "crossinnov.cli", *args]


def prepare(workdir: Path, organisations: int) -> Path:
    graph = workdir / f"generated-{organisations}.nq"
    store = workdir / f"store-{organisations}"
    if not graph.exists():
        subprocess.run(crossinnov("generate", "--organisations", str(organisations),
                                  "--seed", "1", "-o", str(graph)), check=True)
    if not store.exists():
        subprocess.run(crossinnov("load", "--store", str(store), str(graph)), check=True)
    return store


def get(url: str, headers: dict[str, str]) -> tuple[int, float, Message]:
    request = urllib.request.Request(url, headers=headers)
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
            status, found = response.status, response.headers
    except urllib.error.HTTPError as exc:
        exc.read()
        status, found = exc.code, exc.headers
    return status, time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="requests timed per row")
    parser.add_argument("--workdir", type=Path, default=Path("bench-work"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    store = prepare(args.workdir, args.organisations)
    port = free_port()
    server = subprocess.Popen(crossinnov("serve", "--store", str(store), "--port", str(port)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if get(base + "/healthz", {})[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        rows = []
        for path in sorted(WORKLOAD.glob("q*.rq")):
            url = base + "/sparql?" + urllib.parse.urlencode({"query": path.read_text()})
            status, first, headers = get(url, {"Accept": ACCEPT})
            tag = headers.get("ETag")
            again = [get(url, {"Accept": ACCEPT})[1] for _ in range(args.runs)]
            if tag:
                checks = [get(url, {"Accept": ACCEPT, "If-None-Match": tag})
                          for _ in range(args.runs)]
                statuses = {s for s, _, _ in checks}
                not_modified = f"{statistics.median(t for _, t, _ in checks) * 1000:.1f}" \
                    + ("" if statuses == {304} else f" ({statuses})")
            else:
                not_modified = "no ETag"
            rows.append((path.stem, status, f"{first * 1000:.0f}",
                         f"{statistics.median(again) * 1000:.1f}", not_modified))
    finally:
        server.terminate()
        server.wait(timeout=60)
    print(f"\n{args.organisations} organisations, {args.runs} requests per median\n")
    print("| query | status | first (ms) | again, from the cache (ms) | If-None-Match → 304 (ms) |")
    print("|---|---|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


if __name__ == "__main__":
    main()
