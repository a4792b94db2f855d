#!/usr/bin/env python
"""``crossinnov analyse``, phase by phase, on a copy of a loaded store, run by hand.

    python benchmarks/analyse_phases.py STORE            # copies STORE, analyses the copy
    python benchmarks/analyse_phases.py STORE --in-place # the store itself (it is written)
    python benchmarks/analyse_phases.py STORE --serial   # brokerage after the clusters

Runs what :func:`crossinnov.analysis.analyse` runs — gather, compute, write — timing
each phase and the main steps inside them (wall clock and this process's CPU time; the
CPU time of a forked copy computing beside it is not counted in ``cpu``), and prints
them as JSON with the peak memory of this process. The store is written (the analysis
graph): without ``--in-place`` a copy in a temporary folder is, and removed after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import crossinnov.analysis as analysis
import crossinnov.analysis.rdf as rdf
from crossinnov.config import Settings
from crossinnov.stores import open_store

STEPS = {analysis: ("build_network", "previous_clusters", "detect", "modularity", "describe",
                    "count_ties", "measure", "pairs_tally"),
         rdf: ("result_lines", "replace_big_graph")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--in-place", action="store_true")
    parser.add_argument("--serial", action="store_true", help="no forked copy for brokerage")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        location = args.store
        if not args.in_place:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            location = folder / "store"
            shutil.copytree(args.store, location)
        print(json.dumps(run(str(location), parallel=not args.serial), indent=1))


def run(location: str, *, parallel: bool) -> dict:
    times: dict[str, list[float]] = {}

    def timed(module, name: str) -> None:
        function = getattr(module, name)

        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                total = times.setdefault(name, [0.0, 0.0])
                total[0] += time.perf_counter() - wall
                total[1] += time.process_time() - cpu

        setattr(module, name, wrapper)

    for module, names in STEPS.items():
        for name in names:
            timed(module, name)
    phases: dict[str, list[float]] = {}

    resident: dict[str, int] = {}

    def phase(name, function, *args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        phases[name] = [time.perf_counter() - wall, time.process_time() - cpu]
        resident[name] = rss_mb()
        return result

    settings = Settings.from_env().replace(store=location)
    wall, cpu = time.perf_counter(), time.process_time()
    with analysis.collection_paused():
        store = phase("open", open_store, settings)
        inputs = phase("gather", analysis.gather, store, settings)
        result = phase("compute", analysis.compute, inputs, settings, parallel=parallel)
        phase("write", analysis.write_result, store, result)
    phase("close", store.close)
    phases["total"] = [time.perf_counter() - wall, time.process_time() - cpu]
    rounded = lambda d: {k: f"wall {v[0]:6.2f} s, cpu {v[1]:6.2f} s"  # noqa: E731
                         for k, v in d.items()}
    return {"store": location, "organisations": result.nodes, "ties": result.edges,
            "clusters": len(result.clusters), "parallel": parallel and analysis.can_fork(),
            "phases": rounded(phases), "steps": rounded(times),
            "resident_mb_after": resident,
            "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "python": sys.version.split()[0]}


def rss_mb() -> int:
    """This process's resident memory now, in MB."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() // 2**20


if __name__ == "__main__":
    main()
