"""What the web app holds: settings, the store, and the validator, wired in by ``init_app``.

Everything lives in ``app.extensions["crossinnov"]`` (one :class:`Crossinnov`
per app, never a module global); views reach it with :func:`current`.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field, fields

from flask import Flask, current_app

from crossinnov.analysis.service import AnalysisService
from crossinnov.auth import Tokens
from crossinnov.config import Settings
from crossinnov.profiles import Profiles
from crossinnov.remote import RemoteStore
from crossinnov.store import OxigraphStore, Store, open_store
from crossinnov.validate import Validator
from crossinnov.web.fairuse import Interval, PublicGate

log = logging.getLogger("crossinnov.web")


@dataclass
class Crossinnov:
    """The app's resources."""

    settings: Settings
    store: Store
    tokens: Tokens
    profiles: Profiles
    analysis: AnalysisService
    #: admits the public /sparql queries (per client, bounded queue)
    gate: PublicGate
    #: how often an organisation's token may ask for an analysis run
    analysis_interval: Interval
    extra: dict = field(default_factory=dict)
    #: called after every successful write (the analysis re-runs from there)
    on_write: list = field(default_factory=list)

    def notify_write(self) -> None:
        for callback in self.on_write:
            callback()

    def close(self) -> None:
        self.analysis.close()
        self.store.close()


def settings_from_config(config) -> Settings:
    """Build Settings from a Flask config (keys are the setting names in upper case)."""
    values = {}
    for f in fields(Settings):
        key = f.name.upper()
        if key in config and config[key] is not None:
            values[f.name] = config[key]
    return Settings(**values)


def default_config() -> dict:
    """Every setting's default, as Flask config keys."""
    defaults = {f.name.upper(): getattr(Settings(), f.name) for f in fields(Settings)}
    defaults["FILL_EMPTY_STORE"] = True
    defaults["ANALYSE_ON_START"] = True
    return defaults


def open_served_store(settings: Settings, *, fill_empty: bool) -> Store:
    """Open the store for serving: fill it if empty, then give its reads the time limit.

    An embedded store gets query workers in front of it (they stop a query for
    real); an external SPARQL store gets a deadline on its reads.
    """
    store = open_store(settings)
    if fill_empty and len(store) == 0:
        fill_with_shipped_data(store)
    if isinstance(store, OxigraphStore):
        from crossinnov.served import ServedStore
        from crossinnov.workers import PoolLimits

        limits = PoolLimits(public=public_slots(settings), internal=settings.internal_workers,
                            memory=settings.worker_memory_mb * 2**20 or None,
                            allow_service=settings.allow_service)
        return ServedStore(store, limits, settings.query_timeout)
    if isinstance(store, RemoteStore):
        return store.limited(settings.query_timeout)
    return store


def public_slots(settings: Settings) -> int:
    """How many public queries run at once: the public query workers (one per core)."""
    return max(1, settings.query_workers or os.cpu_count() or 1)


def fill_with_shipped_data(store: Store) -> None:
    """Load the shipped data (validated, as ``crossinnov load`` does) into an empty store."""
    from crossinnov.loader import load_units, shipped_units
    from crossinnov.validate import Validator
    from crossinnov.writes import Change

    units, _ = shipped_units(store)
    report = load_units(store, units, Validator(),
                        Change("load", store.iris.agent("serve"), label="shipped data"))
    store.flush()
    log.info("empty store filled with the shipped data: %d graphs", len(report.accepted))


def init_app(app: Flask) -> None:
    """Open the store named by the app's config and keep it in ``app.extensions``."""
    settings = settings_from_config(app.config)
    tokens = Tokens.from_settings(settings)
    store = open_served_store(settings, fill_empty=app.config.get("FILL_EMPTY_STORE", True))
    profiles = Profiles(store, Validator())
    analysis = AnalysisService(store, settings)
    gate = PublicGate(slots=public_slots(settings), queue=settings.sparql_queue,
                      per_client=settings.sparql_per_client, wait=settings.sparql_queue_wait)
    crossinnov = Crossinnov(settings, store, tokens, profiles, analysis, gate,
                            Interval(settings.analysis_min_interval, "an analysis"))
    crossinnov.on_write.append(analysis.schedule)
    app.extensions["crossinnov"] = crossinnov
    warm_search(crossinnov)
    if app.config.get("ANALYSE_ON_START", True) and analysis_is_stale(store):
        analysis.start()


def warm_search(crossinnov: Crossinnov) -> None:
    """Build the search index in the background, so that the first search does not wait
    for it (about 20 s at 100 000 organisations); a search before it is done waits."""
    from crossinnov.search import SearchIndex

    index = SearchIndex(crossinnov.store)
    crossinnov.extra["search"] = index

    def build() -> None:
        try:
            index.sync()
        except Exception as exc:  # the app may be closing; the first search builds it then
            log.warning("the search index was not built in advance: %s", exc)

    threading.Thread(target=build, daemon=True, name="crossinnov-search-warm").start()


def analysis_is_stale(store: Store) -> bool:
    """True when no analysis is stored, or some other write came after the last one."""
    from crossinnov.queries import QUERIES, number

    latest = store.select(QUERIES.render("changes", limit=number(1), offset=number(0)),
                          changelog=store.iris.changelog_graph)
    return not latest or latest[0]["action"].value != "analysis"


def current() -> Crossinnov:
    """Return the resources of the app handling the current request."""
    return current_app.extensions["crossinnov"]
