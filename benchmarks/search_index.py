"""How fast the search index (crossinnov.search) builds and answers, run by hand.

    python benchmarks/search_index.py                 # 10 000 and 100 000 organisations
    python benchmarks/search_index.py --sizes 1000

For each size: a generated graph in an in-memory store, the index built from it, then
the mean time of a text search and of a facet filter (each asked 20 times). Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import time

from crossinnov.config import Settings
from crossinnov.generate import Generator, Plan
from crossinnov.search import SearchIndex, SearchQuery
from crossinnov.stores import open_store

CREATIVE = "https://w3id.org/crossinnov/id/sector/creative-industries"
REPEATS = 20


def measure(n: int, seed: int) -> dict:
    store = open_store(Settings(store=":memory:"))
    store.add_quads(Generator(Plan(n, seed), store.iris).quads(), bulk=True)
    index = SearchIndex(store)
    started = time.perf_counter()
    index.sync()
    built = time.perf_counter() - started
    out = {"organisations": n, "build s": built}
    for name, query in (("text search", SearchQuery(q="design studio")),
                        ("facet filter", SearchQuery(filters={"sector": (CREATIVE,)}))):
        started = time.perf_counter()
        for _ in range(REPEATS):
            result = index.search(query)
        out[f"{name} ms"] = (time.perf_counter() - started) / REPEATS * 1000
        out[f"{name} rows"] = result.total
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| organisations | build | text search (rows) | facet filter (rows) |")
    print("|---:|---:|---:|---:|")
    for n in args.sizes:
        m = measure(n, args.seed)
        print(f"| {n:,} | {m['build s']:.1f} s | {m['text search ms']:.1f} ms "
              f"({m['text search rows']:,}) | {m['facet filter ms']:.1f} ms "
              f"({m['facet filter rows']:,}) |", flush=True)


if __name__ == "__main__":
    main()
