#!/usr/bin/env python
"""FILTER NOT EXISTS as written vs as crossinnov.sparql.rewrite turns it into MINUS, run by hand.

    python benchmarks/not_exists.py                       # 10 000 organisations, seed 1
    python benchmarks/not_exists.py --graph /tmp/g10k.nq --cap 120 --runs 3

Loads a generated graph (``crossinnov generate``; made first if the file is missing) into a
pyoxigraph in-memory store in a child process, then times each workload query that holds
a ``FILTER NOT EXISTS`` (q5, q6) as written and as rewritten by
:func:`crossinnov.sparql.rewrite.not_exists_to_minus`, with the default graph as the union
of the named graphs (as crossinnov queries), plus q5b, the workload's hand-written MINUS
form of q5, for reference. A query over ``--cap`` seconds is stopped (its process killed
and the graph loaded again) and shown as ``>cap``. Answers are compared by row count and a
digest of the sorted rows. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from crossinnov.sparql.rewrite import not_exists_to_minus

HERE = Path(__file__).resolve().parent
WORKLOAD = HERE / "workload"
QUERIES = ("q5_sector_local_only.rq", "q6_partner_of_partner.rq")
REFERENCE = {"q5_sector_local_only.rq": "q5b_sector_local_only_minus.rq"}
#: seconds above which a query is not run again
SLOW = 10.0


def _worker(path: str, conn) -> None:
    """Child process: load the graph once, then answer queries sent on ``conn``."""
    import pyoxigraph as ox

    began = time.perf_counter()
    store = ox.Store()
    store.load(path=path, format=ox.RdfFormat.N_QUADS)
    conn.send((time.perf_counter() - began, len(store)))
    while (text := conn.recv()) is not None:
        began = time.perf_counter()
        result = store.query(text, use_default_graph_as_union=True)
        names = result.variables
        rows = sorted(repr(tuple(str(solution[v]) for v in names)) for solution in result)
        elapsed = time.perf_counter() - began
        digest = hashlib.sha1("\n".join(rows).encode()).hexdigest()[:10]
        conn.send((elapsed, len(rows), digest))


class Engine:
    """pyoxigraph in a child process, killed when a query runs past the cap."""

    def __init__(self, path: Path, cap: float) -> None:
        self.path, self.cap = path, cap
        self.process = None
        self.loads: list[tuple[float, int]] = []

    def ask(self, text: str) -> tuple[float, int, str] | None:
        if self.process is None:
            ctx = mp.get_context("spawn")
            self.conn, child = ctx.Pipe()
            self.process = ctx.Process(target=_worker, args=(str(self.path), child),
                                       daemon=True)
            self.process.start()
            self.loads.append(self.conn.recv())
        self.conn.send(text)
        if not self.conn.poll(self.cap):
            self.process.kill()  # the only way to stop a running pyoxigraph query
            self.process.join()
            self.process = None
            return None
        return self.conn.recv()

    def close(self) -> None:
        if self.process is not None:
            self.conn.send(None)
            self.process.join(timeout=30)
            if self.process.is_alive():
                self.process.kill()
            self.process = None


def measure(engine: Engine, text: str, runs: int) -> dict:
    times: list[float] = []
    rows = digest = None
    for _ in range(runs):
        answer = engine.ask(text)
        if answer is None:
            return {"seconds": None, "rows": rows, "digest": digest, "runs": len(times)}
        elapsed, rows, digest = answer
        times.append(elapsed)
        if elapsed > SLOW:
            break
    return {"seconds": statistics.median(times), "rows": rows, "digest": digest,
            "runs": len(times)}


def graph_file(path: Path, organisations: int, seed: int) -> Path:
    if not path.exists():
        local = Path(sys.executable).parent / "crossinnov"
        command = [str(local) if local.exists() else "crossinnov", "generate",
                   "--organisations", str(organisations), "--seed", str(seed), "-o", str(path)]
        print("making the graph:", " ".join(command), file=sys.stderr)
        subprocess.run(command, check=True)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--graph", type=Path, default=None,
                        help="N-Quads file (default: /tmp/g{organisations}-s{seed}.nq)")
    parser.add_argument("--cap", type=float, default=120.0, help="seconds per query")
    parser.add_argument("--runs", type=int, default=3, help="runs per query (median)")
    args = parser.parse_args(argv)
    path = graph_file(args.graph or Path(f"/tmp/g{args.organisations}-s{args.seed}.nq"),
                      args.organisations, args.seed)

    engine = Engine(path, args.cap)
    lines = []
    try:
        for name in QUERIES:
            original = (WORKLOAD / name).read_text(encoding="utf-8")
            rewritten = not_exists_to_minus(original)
            forms = [("rewritten (MINUS)", rewritten), ("as written (NOT EXISTS)", original)]
            if rewritten == original:
                forms = forms[1:]
            if name in REFERENCE:
                forms.append((f"hand-written ({REFERENCE[name][:3]})",
                              (WORKLOAD / REFERENCE[name]).read_text(encoding="utf-8")))
            results = [(form, measure(engine, text, args.runs)) for form, text in forms]
            base = next((r["seconds"] for f, r in results if f.startswith("as written")), None)
            for form, r in results:
                seconds = r["seconds"]
                shown = f">{args.cap:g}" if seconds is None else f"{seconds:.3f}"
                if seconds is None or base is None:
                    ratio = "n/a" if seconds is not None else "-"
                else:
                    ratio = f"{base / seconds:.1f}x"
                if base is None and seconds is not None and not form.startswith("as written"):
                    ratio = f">{args.cap / seconds:.0f}x"
                rows = "-" if r["rows"] is None else r["rows"]
                lines.append(f"| {name[:-3]} | {form} | {rows} | {r['digest'] or '-'} | {shown}"
                             f" | {r['runs']} | {ratio} |")
    finally:
        engine.close()
    load_seconds, quads = engine.loads[0]
    print(f"\n{args.organisations} organisations (seed {args.seed}): {quads} quads, loaded in "
          f"{load_seconds:.1f} s; pyoxigraph in memory, default graph = union; "
          f"Python {platform.python_version()}, {platform.machine()}\n")
    print("| query | form | rows | answer digest | median s | runs | speed-up |")
    print("|---|---|---:|---|---:|---:|---:|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
