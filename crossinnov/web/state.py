"""What the web app holds: settings, the store, and the validator, wired in by ``init_app``.

Everything lives in ``app.extensions["crossinnov"]`` (one :class:`Crossinnov`
per app, never a module global); views reach it with :func:`current`.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from collections import defaultdict
from dataclasses import dataclass, field

from flask import Flask, current_app

from crossinnov.analysis.lease import lease_for
from crossinnov.analysis.network import Network, build_network
from crossinnov.analysis.partners import Suggestion, suggest_for
from crossinnov.analysis.service import AnalysisService
from crossinnov.config import Settings
from crossinnov.publish.describe import data_version, void_counts
from crossinnov.reconcile import Index
from crossinnov.report import Report
from crossinnov.search import SearchIndex
from crossinnov.sparql.cache import AnswerCache
from crossinnov.stores import open_store
from crossinnov.stores.base import Store
from crossinnov.stores.embedded import OxigraphStore
from crossinnov.stores.remote import RemoteStore
from crossinnov.validation.shacl import Validator
from crossinnov.versioned import Versioned
from crossinnov.web.fairuse import Interval, PublicGate
from crossinnov.writes.profiles import Profiles
from crossinnov.writes.tokens import Tokens

log = logging.getLogger("crossinnov.web")


@dataclass
class Caches:
    """What the app computes once per version of the data (or of a file), typed."""

    #: the dataset's counts (home page, VoID)
    counts: Versioned[dict] = field(default_factory=Versioned)
    #: the number of quads /healthz reports (counting takes seconds on a large store)
    quads: Versioned[int] = field(default_factory=Versioned)
    #: the cluster report of the latest analysis run
    report: Versioned[Report] = field(default_factory=Versioned)
    #: the collaboration network partner suggestions rank from
    partners: Versioned[Network] = field(default_factory=Versioned)
    #: the reconciliation service's name index
    reconcile: Versioned[Index] = field(default_factory=Versioned)
    #: the ontology's documentation page and its RDF renderings (per format)
    ontology_doc: Versioned[dict] = field(default_factory=Versioned)
    ontology_rdf: defaultdict[str, Versioned[bytes]] = field(
        default_factory=lambda: defaultdict(Versioned))


@dataclass
class Crossinnov:
    """The app's resources: one per app, in ``app.extensions["crossinnov"]``."""

    settings: Settings
    store: Store
    tokens: Tokens
    #: every profile write goes through it; it tells its listeners (the analysis)
    profiles: Profiles
    analysis: AnalysisService
    #: admits the public /sparql queries (per client, bounded queue)
    gate: PublicGate
    #: how often an organisation's token may ask for an analysis run
    analysis_interval: Interval
    #: the full-text and facet index, kept in step with the store's changelog
    search: SearchIndex
    #: /sparql answers, until the next write (keyed by the store's version)
    answers: AnswerCache
    caches: Caches = field(default_factory=Caches)
    #: the thread that builds the search index as the app starts (see warm_search)
    warming: threading.Thread | None = None

    def data_version(self) -> str:
        """The tag every write changes (the key of every cache)."""
        return data_version(self.store)[1]

    def partner_network(self) -> Network:
        """The network partner suggestions rank from, built once per data version."""
        return self.caches.partners.get(self.data_version(),
                                        lambda: build_network(self.store, self.settings))

    def suggestions(self, slug: str, limit: int) -> list[Suggestion] | None:
        """Partner suggestions for the organisation ``slug``; None when there is none such."""
        try:
            return suggest_for(self.store, self.settings, slug, limit=limit,
                               net=self.partner_network())
        except ValueError:  # not an id at all
            return None

    def quads(self) -> int:
        """The number of quads, counted once per version of the store (each time for a
        store that has no version: an external one, which other programs may write)."""
        version = self.store.version()
        if version is None:
            return len(self.store)
        return self.caches.quads.get(version, lambda: len(self.store))

    def counts(self) -> dict:
        """The dataset's counts (VoID, home page), computed once per data version."""
        return self.caches.counts.get(self.data_version(), lambda: void_counts(self.store))

    def close(self) -> None:
        self.analysis.close()
        self.store.close()


#: Flask keys that are not settings: what the app does when it starts
START_DEFAULTS = {"FILL_EMPTY_STORE": True, "ANALYSE_ON_START": True}


def open_served_store(settings: Settings, *, fill_empty: bool) -> Store:
    """Open the store for serving: fill it if empty, then give its reads the time limit.

    An embedded store gets query workers in front of it (they stop a query for
    real); an external SPARQL store gets a deadline on its reads.
    """
    store = open_store(settings)
    if fill_empty and store.is_empty():
        fill_with_shipped_data(store)
    if isinstance(store, OxigraphStore):
        from crossinnov.stores.served import ServedStore
        from crossinnov.stores.workers import PoolLimits

        limits = PoolLimits(public=public_slots(settings), internal=settings.internal_workers,
                            memory=settings.worker_memory_mb * 2**20 or None,
                            recycle=settings.worker_recycle_mb * 2**20 or None,
                            recycle_idle=settings.worker_recycle_idle,
                            allow_service=settings.allow_service,
                            replicas=settings.replicas,
                            replica_share=settings.replica_memory_share,
                            warm_from=settings.replica_warm_quads)
        return ServedStore(store, limits, settings.query_timeout)
    if isinstance(store, RemoteStore):
        return store.limited(settings.query_timeout)
    return store


def public_slots(settings: Settings) -> int:
    """How many public queries run at once: the public query workers (one per core)."""
    return max(1, settings.query_workers or os.cpu_count() or 1)


def fill_with_shipped_data(store: Store) -> None:
    """Load the shipped data (validated, as ``crossinnov load`` does) into an empty store."""
    from crossinnov.validation.shacl import Validator
    from crossinnov.writes.changes import Change
    from crossinnov.writes.load import load_units, shipped_units

    units, _ = shipped_units(store)
    report = load_units(store, units, Validator(),
                        Change("load", store.iris.agent("serve"), label="shipped data"))
    store.flush()
    log.info("empty store filled with the shipped data: %d graphs", len(report.accepted))


def init_app(app: Flask, settings: Settings) -> None:
    """Open the store ``settings`` name and keep the app's resources in ``app.extensions``."""
    tokens = Tokens.from_settings(settings)
    store = open_served_store(settings, fill_empty=app.config.get("FILL_EMPTY_STORE", True))
    profiles = Profiles(store, Validator())
    # servers that share an external store run the analysis once: the one holding the lease
    # kept in the store (an embedded store has one process, and needs none)
    analysis = AnalysisService(store, settings,
                               lease=lease_for(store, settings.analysis_lease_seconds))
    gate = PublicGate(slots=public_slots(settings), queue=settings.sparql_queue,
                      per_client=settings.sparql_per_client, wait=settings.sparql_queue_wait)
    profiles.on_write(analysis.schedule)
    crossinnov = Crossinnov(settings, store, tokens, profiles, analysis, gate,
                            Interval(settings.analysis_min_interval, "an analysis"),
                            SearchIndex(store),
                            AnswerCache(settings.answer_cache_mb * 2**20,
                                        settings.answer_cache_entry_mb * 2**20))
    app.extensions["crossinnov"] = crossinnov
    crossinnov.warming = warm_search(crossinnov.search)
    if app.config.get("ANALYSE_ON_START", True) and analysis_is_stale(store):
        analysis.start()


def warm_search(index: SearchIndex) -> threading.Thread:
    """Build the search index in the background, so that the first search does not wait
    for it (about 20 s at 100 000 organisations); a search before it is done waits."""

    def build() -> None:
        try:
            index.sync()
        except Exception as exc:  # the app may be closing; the first search builds it then
            log.warning("the search index was not built in advance: %s", exc)
            del exc
            gc.collect()  # pyoxigraph answers a failure left in cycles: drop them in this thread

    thread = threading.Thread(target=build, daemon=True, name="crossinnov-search-warm")
    thread.start()
    return thread


def analysis_is_stale(store: Store, attempts: int = 2) -> bool:
    """True when no analysis is stored, or some other write came after the last one, or
    the last one's graph lacks its run (its write was stopped with the server).

    Asked once at start: a query worker that ends under it (it is replaced at once) or a
    pool still busy is asked again, ``attempts`` times in all; then the start goes on
    without an analysis (the next write schedules one) rather than failing.
    """
    from crossinnov.sparql.answers import PoolBusy, QueryTimeout, WorkerDied
    from crossinnov.sparql.queries import QUERIES, number

    for attempt in range(1, attempts + 1):
        try:
            latest = store.select(QUERIES.render("changes", limit=number(1), offset=number(0)),
                                  changelog=store.iris.changelog_graph)
            if not latest or latest[0]["action"].value != "analysis":
                return True
            # a run stopped with the server in the middle of a stepwise write left the graph
            # without the run (its own lines go in last), and no changelog entry
            return not store.select(QUERIES["report_run"],
                                    analysis=store.iris.analysis_graph)
        except (WorkerDied, PoolBusy, QueryTimeout) as exc:
            log.warning("whether the analysis is current could not be read (attempt %d of "
                        "%d): %s", attempt, attempts, exc)
            continue
    return False


def current() -> Crossinnov:
    """Return the resources of the app handling the current request."""
    return current_app.extensions["crossinnov"]
