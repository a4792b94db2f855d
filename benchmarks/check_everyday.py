#!/usr/bin/env python
"""Check the query mixes: each answers, non-empty, the same through crossinnov and Oxigraph server.

    python benchmarks/check_everyday.py                       # everyday mix, 2 000 organisations
    python benchmarks/check_everyday.py --organisations 10000 --mix both

Generates a graph (``crossinnov generate --seed 1``), loads it into a fresh store
folder under ``--workdir`` with ``crossinnov load``, runs ``crossinnov analyse``
(as ``benchmarks/run.py`` does, so the analysis graph is there), then serves the
store both ways -- ``crossinnov serve`` (answer cache off) and Oxigraph server
(``serve-read-only``, ``union-default-graph``) -- asks every query once of each,
and prints a table of row counts (triples for CONSTRUCT/DESCRIBE, true/false for
ASK). Exits 1 when a query fails, answers nothing (an empty result, or false),
or gets different counts from the two. Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from run import (
    MIXES,
    HttpEngine,
    Server,
    cli,
    free_port,
    query_form,
    run_cli,
    serve_command,
    serve_env,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--mix", choices=["workload", "everyday", "both"], default="everyday")
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per query")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get(
        "TMPDIR", "/tmp")) / "crossinnov-check")
    args = parser.parse_args()
    mixes = ["workload", "everyday"] if args.mix == "both" else [args.mix]
    work, n = args.workdir, args.organisations
    work.mkdir(parents=True, exist_ok=True)
    data, store = work / f"generated-{n}.nq", work / f"store-{n}"
    if not data.exists():
        run_cli(cli("crossinnov"), "generate", "--organisations", str(n), "--seed", "1",
                "-o", str(data))
    if store.exists():
        import shutil

        shutil.rmtree(store)
    print(f"loading {n} organisations and analysing ...", file=sys.stderr, flush=True)
    run_cli(cli("crossinnov"), "load", "--store", str(store), str(data))
    run_cli(cli("crossinnov"), "analyse", "--store", str(store))

    port, oxport = free_port(), free_port()
    serve = Server(serve_command(store, port), f"http://127.0.0.1:{port}/healthz",
                   env=serve_env(args.cap, cache=False), log=work / "serve.log")
    oxserver = Server([cli("oxigraph"), "serve-read-only", "--location", str(store),
                       "--bind", f"127.0.0.1:{oxport}"],
                      f"http://127.0.0.1:{oxport}/query?query=ASK%7B%7D",
                      log=work / "oxigraph.log")
    ours = HttpEngine("crossinnov", f"http://127.0.0.1:{port}/sparql", cap=args.cap)
    theirs = HttpEngine("oxigraph", f"http://127.0.0.1:{oxport}/query",
                        [("union-default-graph", "")], cap=args.cap, grace=5.0,
                        restart=oxserver.restart)
    problems = 0
    lines = [f"{n:,} organisations", "",
             "| query | form | crossinnov /sparql | Oxigraph server | verdict |",
             "|---|---|---:|---:|---|"]
    try:
        for mix in mixes:
            for path in MIXES[mix]:
                text = path.read_text()
                form = query_form(text)
                a, b = ours.ask(text), theirs.ask(text)

                def show(outcome, form=form):
                    if outcome.rows is None:
                        return f"fail ({outcome.note})"
                    count = ("true" if outcome.rows else "false") if form == "ASK" \
                        else str(outcome.rows)
                    return count + (f" ({outcome.note})" if outcome.note else "")

                if a.rows is None or b.rows is None:
                    verdict = "FAILED"
                elif a.rows != b.rows:
                    verdict = "DIFFERENT"
                elif a.rows == 0:
                    verdict = "EMPTY"
                else:
                    verdict = "same"
                problems += verdict != "same"
                lines.append(f"| {path.stem} | {form} | {show(a)} | {show(b)} | {verdict} |")
                print(lines[-1], file=sys.stderr, flush=True)
    finally:
        serve.stop()
        oxserver.stop()
    print("\n".join(lines))
    print(f"\n{problems} problem(s)" if problems else "\nall the same, none empty")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
