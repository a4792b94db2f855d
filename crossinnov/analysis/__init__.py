"""The collaboration-network analysis: clusters, brokers, city scores — written back as linked data.

:func:`analyse` reads the network from the store (:mod:`.network`), finds
clusters (:mod:`.clusters`), measures brokerage (:mod:`.brokerage`), counts
every figure's base by kind of tie (:mod:`.tallies`, :mod:`.kinds`), and
replaces the analysis graph in one transaction with the results and a PROV
record of the run (:mod:`.rdf`). The cluster report reads only that graph.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.metadata
import os
import pickle
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import networkx as nx

from crossinnov import __version__
from crossinnov.analysis.brokerage import (
    add_bridges_with_events,
    bridges_with_events,
    measure,
)
from crossinnov.analysis.clusters import (
    city_scores,
    describe,
    detect,
    modularity,
    stable_iris,
    unique_labels,
)
from crossinnov.analysis.kinds import KINDS, brokerage_kinds
from crossinnov.analysis.network import Network, build_network, table
from crossinnov.analysis.rdf import write_result
from crossinnov.analysis.result import AnalysisResult
from crossinnov.analysis.tallies import Tally, count_ties, pairs_tally, share
from crossinnov.config import Settings
from crossinnov.sparql.queries import QUERIES
from crossinnov.stores.base import Store
from crossinnov.writes.changes import dataset_modified, now


def parameters(settings: Settings) -> dict[str, str]:
    """The settings a run depends on, as text (recorded with the run)."""
    from crossinnov.analysis.engines import igraph, use_igraph

    if use_igraph(settings.analysis_engine):
        engine = f"igraph {igraph.__version__} community_multilevel"
    else:
        engine = f"networkx {nx.__version__} louvain_communities"
    return {
        "algorithm": f"Louvain community detection ({engine})",
        "resolution": str(settings.analysis_resolution),
        "seed": str(settings.analysis_seed),
        "weight_collaboration": str(settings.weight_collaboration),
        "weight_unconfirmed_collaboration": str(settings.weight_unconfirmed_collaboration),
        "weight_practice": str(settings.weight_practice),
        "weight_practice_copartners": str(settings.weight_practice_copartners),
        "weight_event": str(settings.weight_event),
        "brokerage_ties": ", ".join(k.id for k in KINDS if k.key in brokerage_kinds(settings)),
        "rank_min_organisations": str(settings.rank_min_organisations),
        "rank_min_ties": str(settings.rank_min_ties),
        "betweenness": (f"exact up to {settings.betweenness_exact_limit} organisations, else "
                        f"estimated from {settings.betweenness_samples} sampled sources"),
        "role_detail": str(settings.role_detail_organisations),
    }


def software() -> str:
    parts = [f"crossinnov {__version__}"]
    for lib in ("networkx", "igraph", "pyoxigraph"):
        parts.append(f"{lib} {importlib.metadata.version(lib)}")
    return ", ".join(parts)


def previous_clusters(store: Store) -> dict[str, set[str]]:
    """The clusters of the last run stored, as cluster IRI -> member IRIs."""
    return {cluster: set(members.split(" ")) for cluster, members in table(
        store, QUERIES["analysis_cluster_members"], "cluster", "members",
        analysis=store.iris.analysis_graph) if members}


@dataclass
class Inputs:
    """What an analysis reads from the store (picklable, so it can be computed elsewhere)."""

    network: Network
    previous: dict[str, set[str]]
    modified: datetime | None
    started: datetime
    base: str


def gather(store: Store, settings: Settings) -> Inputs:
    """Read everything an analysis needs from the store."""
    started = now()
    with ThreadPoolExecutor(1, thread_name_prefix="crossinnov-gather") as reader:
        previous = reader.submit(previous_clusters, store)  # beside the network (grouped)
        network = build_network(store, settings)
        return Inputs(network, previous.result(), dataset_modified(store), started,
                      store.iris.base)


class Forked:
    """A function run in a forked copy of this process, its result sent back pickled.

    The copy shares this process's memory (copy-on-write): nothing is sent to it, and it
    runs beside this process on another core. It must only compute (it leaves by
    ``os._exit``: no store, no file is touched, nothing is flushed).
    """

    def __init__(self, function, *args) -> None:
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the copy (coverage does not follow it)
            os.close(read)
            try:
                try:
                    data = pickle.dumps(("ok", function(*args)), protocol=5)
                except BaseException as exc:  # noqa: BLE001 - reported by the parent
                    data = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
                with os.fdopen(write, "wb") as out:
                    out.write(data)
            finally:
                os._exit(0)
        os.close(write)
        self._read = read

    def result(self):
        """Wait for the copy and return its result (raise its error as a RuntimeError)."""
        with os.fdopen(self._read, "rb") as answer:
            self._read = None
            data = answer.read()
        os.waitpid(self.pid, 0)
        self.pid = None
        if not data:
            raise RuntimeError("the forked computation ended without a result")
        status, value = pickle.loads(data)
        if status != "ok":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        """Stop the copy if its result was never asked for."""
        if self._read is not None:
            os.close(self._read)
            self._read = None
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None


def can_fork() -> bool:
    """Whether this process may compute in a forked copy of itself: Linux (as the query
    workers, elsewhere a fork without exec is unsafe or missing), and this thread the only
    Python thread (a fork copies only the thread that asks)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def compute(inputs: Inputs, settings: Settings, *, parallel: bool = False) -> AnalysisResult:
    """Find clusters, brokers and city scores in a network (pure: reads and writes nothing).

    :param parallel: measure brokerage in a forked copy of this process, beside the
        clusters (the two share nothing); only where :func:`can_fork` (the command line,
        the web app's analysis process), else one after the other. The same results either
        way.
    """
    from crossinnov.iris import IRIs

    iris = IRIs(inputs.base)
    net = inputs.network
    kinds = brokerage_kinds(settings)
    options = dict(exact_limit=settings.betweenness_exact_limit,
                   samples=settings.betweenness_samples, seed=settings.analysis_seed,
                   engine=settings.analysis_engine, kinds=kinds)
    pending = None
    if parallel and can_fork():
        # the copy leaves out what events add to the pairs bridged: counted here, meanwhile
        pending = Forked(_measure, net, {**options, "events": False})
    try:
        return _compute(inputs, settings, iris, kinds, pending, options)
    finally:
        if pending is not None:
            pending.close()


def _measure(net: Network, options: dict) -> dict:
    return measure(net, **options)


def _compute(inputs: Inputs, settings: Settings, iris, kinds: tuple[str, ...],
             pending: Forked | None, options: dict) -> AnalysisResult:
    net = inputs.network
    graph = net.graph
    communities = detect(graph, resolution=settings.analysis_resolution,
                         seed=settings.analysis_seed, engine=settings.analysis_engine)
    q = modularity(graph, communities, settings.analysis_resolution)
    groups = [c for c in communities if len(c) >= 2]
    described = [describe(net, members, "") for members in groups]
    cluster_iris = stable_iris(iris, [c.members for c in described], inputs.previous)
    for cluster, iri in zip(described, cluster_iris, strict=True):
        cluster.iri = iri
    unique_labels(net, described)
    membership = {m: c.iri for c in described for m in c.members}
    tally, by_cluster, by_city = count_ties(net, membership)
    for cluster in described:
        cluster.tally = by_cluster.get(cluster.iri, Tally())
        cluster.tally.check(settings.rank_min_organisations, settings.rank_min_ties)
    unconnected = sorted(n for c in communities if len(c) == 1 for n in c)
    cities = city_scores(net, by_city, settings.rank_min_organisations, settings.rank_min_ties)
    practices = {p: pairs_tally(net, practice.members) for p, practice in net.practices.items()}
    events = {e: pairs_tally(net, event.participants) for e, event in net.events.items()}
    if pending is None:
        brokers = _measure(net, options)
    else:
        found = bridges_with_events(net, kinds)
        brokers = pending.result()
        add_bridges_with_events(brokers, found)
    run = iris.analysis_node("run", inputs.started.strftime("%Y%m%dt%H%M%S%fz"))
    return AnalysisResult(
        run=run.value, started=inputs.started, ended=now(), parameters=parameters(settings),
        software=software(), input_modified=inputs.modified, nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(), modularity=q,
        cross_sector_share=share(tally.all.cross_sector, tally.all.sector_known),
        cross_city_share=share(tally.all.cross_city, tally.all.city_known),
        clusters=described, unconnected=unconnected, brokers=brokers, cities=cities,
        network=net, brokerage_kinds=kinds, tally=tally, practices=practices, events=events,
        min_organisations=settings.rank_min_organisations, min_ties=settings.rank_min_ties)


def run_analysis(store: Store, settings: Settings, *, parallel: bool = False
                 ) -> AnalysisResult:
    """Compute the analysis from the store's current data (writes nothing).

    :raises AnalysisTooBig: see :func:`check_memory`
    """
    check_memory(store, settings)
    return compute(gather(store, settings), settings, parallel=parallel)


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything).

    A run builds millions of objects that live until its end and makes next to no reference
    cycles: the collector would only walk them again and again (seconds at 100 000
    organisations). The collector is process-wide: for a process doing one thing at a time
    (the command line), not for the web app's threads.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: memory an analysis takes per quad of the store, in bytes, counted high. Measured with
#: the compact network (PSS summed over its processes, sampled every 0.5 s, on this 2-core
#: 23.5 GB machine): 361 at 100 000 generated organisations (2.7 M quads, a first run:
#: 977 MB), 286 for a re-run (3.6 M quads with the analysis graph: 1 019 MB), 283 at
#: 1 000 000 (27.0 M quads, a first run: 7 309 MB, 17.5 min). Before the compact network,
#: 740 at 100 000 and more than 1 160 at 1 000 000 (22.3 GB and rising)
ANALYSIS_BYTES_PER_QUAD = 450


class AnalysisTooBig(RuntimeError):
    """An analysis that would take more of the memory available than the settings allow."""


def analysed_quads(store: Store) -> int:
    """The quads an analysis reads: the store's, less its analysis graph (the results of the
    last run, which the next one replaces without reading them into its network: at
    1 000 000 organisations 8.4 M of 35.4 M)."""
    rows = store.of_record().select(QUERIES["graph_size"], graph=store.iris.analysis_graph)
    return len(store) - (int(rows[0]["n"].value) if rows else 0)


def check_memory(store: Store, settings: Settings, available: int | None = None) -> None:
    """Refuse, before reading anything, an analysis whose estimated memory (the store's
    quads outside its analysis graph, :func:`analysed_quads`, times
    :data:`ANALYSIS_BYTES_PER_QUAD`) passes ``analysis_memory_share`` of the
    memory available: it would push the machine (and the server beside it) out of memory.

    :raises AnalysisTooBig: with the figures and the setting that lifts it
    """
    share = settings.analysis_memory_share
    if not share:
        return
    if available is None:
        from crossinnov.stores.workers import available_memory

        available = available_memory()
    if available is None:
        return
    quads = analysed_quads(store)
    need = quads * ANALYSIS_BYTES_PER_QUAD
    if need > share * available:
        mb = 2**20
        raise AnalysisTooBig(
            f"the analysis of {quads} quads would need about {need // mb} MB of memory "
            f"({ANALYSIS_BYTES_PER_QUAD} bytes per quad, measured), more than "
            f"{share:g} of the {available // mb} MB available; it was not run. Run it on a "
            "machine with more memory, or set CROSSINNOV_ANALYSIS_MEMORY_SHARE (0: no check)")


def analyse(store: Store, settings: Settings) -> AnalysisResult:
    """Run the analysis and replace the analysis graph with its results, in one transaction.

    Over an external store it first takes the analysis lease (:mod:`.lease`), as the web
    servers sharing the store do, and writes nothing if it lost it meanwhile.

    :raises AnalysisTooBig: see :func:`check_memory`
    :raises LeaseHeld: another process runs the analysis on the store
    """
    from crossinnov.analysis.lease import held, lease_for

    with held(lease_for(store, settings.analysis_lease_seconds)) as still_held, \
            collection_paused():
        result = run_analysis(store, settings, parallel=True)
        if still_held is not None and not still_held():
            raise RuntimeError("the analysis lease was lost during the run (another process "
                               "took it): its result was not written")
        write_result(store, result)
    return result


__all__ = ["AnalysisResult", "AnalysisTooBig", "analyse", "check_memory", "run_analysis"]
