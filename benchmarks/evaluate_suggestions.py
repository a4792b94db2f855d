"""Are the partner suggestions any good? A link-prediction evaluation, run by hand.

Hides a seeded 10 % of the collaboration ties (and, apart, every tie of a seeded 5 % of the
organisations: the cold start), ranks the candidates of each organisation that lost one with
the product's partner ranking and with the classic baselines, and prints AUC, precision@k
and recall@k, macro-averaged over those organisations, as a Markdown table. What is hidden
and how it is scored: crossinnov/analysis/evaluate.py.

    python benchmarks/evaluate_suggestions.py                      # 1 000, 10 000, shipped data
    python benchmarks/evaluate_suggestions.py --sizes 1000 --no-shipped
    python benchmarks/evaluate_suggestions.py --ablations          # also the product's parts
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterable

import networkx as nx
from tqdm import tqdm

from crossinnov import __version__
from crossinnov.analysis import evaluate as ev
from crossinnov.analysis.network import build_network
from crossinnov.config import Settings
from crossinnov.stores import open_store
from crossinnov.stores.base import Store

SPLITS = {"hide 10 %": "ties", "cold start 5 %": "cold"}
BASELINES = ("common neighbours", "Jaccard", "Adamic-Adar", "resource allocation",
             "preferential attachment")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000],
                        help="generated graphs to evaluate, by organisations (default: "
                             "1000 10000)")
    parser.add_argument("--shipped", action=argparse.BooleanOptionalAction, default=True,
                        help="evaluate the shipped (real) data too (default: yes)")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the generated graphs, the hiding and the tie-breaks")
    parser.add_argument("--share", type=float, default=0.10, help="share of ties hidden")
    parser.add_argument("--cold-share", type=float, default=0.05,
                        help="share of organisations whose every tie is hidden")
    parser.add_argument("--k", type=int, default=10, help="the k of precision@k, recall@k")
    parser.add_argument("--repeats", type=int, default=1,
                        help="splits per generated graph (seeds seed, seed+1, ...)")
    parser.add_argument("--shipped-repeats", type=int, default=50,
                        help="splits of the shipped data, which is small (default: 50)")
    parser.add_argument("--ablations", action="store_true",
                        help="also rank with parts of the product's score (its own code, "
                             "other weights): not the product, to see what its parts do")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def generated_store(n: int, seed: int, settings: Settings) -> Store:
    from crossinnov.generate import Generator, Plan

    store = open_store(settings)
    store.add_quads(Generator(Plan(n, seed), store.iris).quads(), bulk=True)
    return store


def shipped_store(settings: Settings) -> Store:
    """The shipped data in memory, built from data/sources as ``crossinnov load`` builds it."""
    from crossinnov.writes.changes import Change, replace_units
    from crossinnov.writes.load import shipped_units

    store = open_store(settings)
    units, _ = shipped_units(store)
    replace_units(store, units, Change("load", store.iris.agent("cli")))
    return store


def chosen_methods(settings: Settings, ablations: bool) -> dict[str, ev.Method]:
    out = ev.methods(settings)
    if ablations:
        out["(ablation) product, no same-city part"] = ev.product(
            settings.replace(partner_weight_same_city=0.0))
        out["(ablation) product, proximity part only"] = ev.product(settings.replace(
            partner_weight_complementary=0.0, partner_weight_seeks=0.0,
            partner_weight_themes=0.0, partner_weight_same_city=0.0))
    return out


def run_dataset(name: str, store: Store, settings: Settings, args, methods,
                progress: Callable[[Iterable, str], Iterable]) -> tuple[str, list[dict]]:
    """Every split of one dataset: a line describing it, and one row per split and method."""
    full = build_network(store, settings)
    ties = len(ev.working_ties(full))
    repeats = args.shipped_repeats if name == "shipped data" else args.repeats
    rows, said = [], []
    for split_name, kind in SPLITS.items():
        pooled: dict[str, list[ev.Scores]] = {m: [] for m in methods}
        hidden = 0
        for r in range(repeats):
            seed = args.seed + r
            split = (ev.random_split(store, settings, full, share=args.share, seed=seed)
                     if kind == "ties" else
                     ev.cold_start_split(store, settings, full, share=args.cold_share,
                                         seed=seed))
            hidden += split.hidden_ties
            label = f"{name}, {split_name}" + (f" ({r + 1}/{repeats})" if repeats > 1 else "")
            per = ev.evaluate(split, methods, seed=seed, k=args.k,
                              progress=lambda it, label=label: progress(it, label))
            for method, scores in per.items():
                pooled[method].extend(scores)
        results = ev.summarise(pooled)
        rows += [{"dataset": name, "split": split_name, "result": r} for r in results]
        said.append(f"{split_name}: {hidden / repeats:,.{1 if repeats > 1 else 0}f} ties hidden"
                    + (f" per split, {repeats} splits" if repeats > 1 else "")
                    + f", {results[0].organisations:,} organisations evaluated")
    line = (f"- {name}: {len(full.organisations):,} organisations, {ties:,} collaboration "
            f"ties; {'; '.join(said)}")
    return line, rows


def verdicts(rows: list[dict], k: int) -> list[str]:
    """The product against the best baseline (precision@k) and against random (AUC)."""
    out = []
    for dataset, split in dict.fromkeys((r["dataset"], r["split"]) for r in rows):
        found = {r["result"].method: r["result"] for r in rows
                 if (r["dataset"], r["split"]) == (dataset, split)}
        me, chance = found["product"], found["random"]
        best = max((r for m, r in found.items() if m in BASELINES),
                   key=lambda r: r.precision)
        out.append(f"- {dataset}, {split}: product precision@{k} {me.precision:.4f} vs best "
                   f"baseline ({best.method}) {best.precision:.4f}: "
                   f"{'beats it' if me.precision > best.precision else 'does not beat it'}; "
                   f"AUC {me.auc:.3f} vs random {chance.auc:.3f}")
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, crossinnov {__version__}, networkx "
            f"{nx.__version__}; load average at start {load}")


def table(rows: list[dict], k: int) -> str:
    head = ["dataset", "split", "method", "organisations evaluated", "AUC", f"precision@{k}",
            f"recall@{k}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * 4]
    for row in rows:
        r = row["result"]
        cells = [row["dataset"], row["split"],
                 f"**{r.method}**" if r.method == "product" else r.method, f"{r.organisations:,}",
                 f"{r.auc:.3f}", f"{r.precision:.4f}", f"{r.recall:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.time()
    settings = Settings(store=":memory:")
    methods = chosen_methods(settings, args.ablations)

    def progress(it: Iterable, label: str) -> Iterable:
        items = list(it)
        return items if args.no_progress else tqdm(items, desc=label, file=sys.stderr,
                                                   leave=False, mininterval=1.0)

    print("# Partner suggestions: link-prediction evaluation\n")
    given = sys.argv[1:] if argv is None else argv
    print(f"Command: `python {shlex.join(['benchmarks/evaluate_suggestions.py', *given])}`")
    print(f"Seed {args.seed}; {args.share:.0%} of collaboration ties hidden; cold start "
          f"{args.cold_share:.0%} of organisations; k = {args.k}.")
    print(f"Machine: {machine()}.")
    weights = ", ".join(f"{p} {getattr(settings, 'partner_weight_' + p)}"
                        for p in ("complementary", "seeks", "themes", "proximity",
                                  "same_city"))
    print(f"Product weights (defaults): {weights}.\n")
    rows, lines = [], []
    datasets = [(f"generated {n:,}", n) for n in args.sizes]
    if args.shipped:
        datasets.append(("shipped data", None))
    for name, n in datasets:
        began = time.time()
        store = (generated_store(n, args.seed, settings) if n is not None
                 else shipped_store(settings))
        with store:
            line, found = run_dataset(name, store, settings, args, methods, progress)
        rows += found
        lines.append(f"{line}; {time.time() - began:.0f} s")
    print("Datasets (time: building the graph, hiding, ranking, scoring):")
    print("\n".join(lines) + "\n")
    print(table(rows, args.k) + "\n")
    print("\n".join(verdicts(rows, args.k)))
    print(f"\nTotal time {time.time() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
