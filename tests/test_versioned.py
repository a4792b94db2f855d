"""One value per version (crossinnov.versioned): kept while the version stands, computed again
when it changes, computed once when many threads ask at once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from crossinnov.reconcile import build_index
from crossinnov.versioned import Versioned


def test_the_cache_rebuilds_only_when_the_version_changes(loaded_store):
    built = []

    def build(store):
        built.append(store)
        return build_index(store)

    cache = Versioned()
    first = cache.get("v1", lambda: build(loaded_store))
    assert cache.get("v1", lambda: build(loaded_store)) is first and len(built) == 1
    assert cache.get("v2", lambda: build(loaded_store)) is not first and len(built) == 2


def test_a_version_of_none_is_a_version_like_any_other():
    """Before anything is computed the cache holds no value: even the version None (a store
    never written to) is computed once, then kept."""
    cache: Versioned[list] = Versioned()
    calls = []
    first = cache.get(None, lambda: calls.append(1) or ["value"])
    assert first == ["value"] and calls == [1]
    assert cache.get(None, lambda: calls.append(1) or ["other"]) is first and calls == [1]


def test_threads_asking_at_once_share_one_computation():
    cache: Versioned[object] = Versioned()
    computing, release = threading.Event(), threading.Event()
    calls = []

    def compute() -> object:
        calls.append(threading.get_ident())
        computing.set()
        release.wait(30)  # the others ask while this one computes
        return object()

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(cache.get, "v1", compute)
        assert computing.wait(30)
        others = [pool.submit(cache.get, "v1", compute) for _ in range(3)]
        assert not any(f.done() for f in others)  # they wait for the one computing
        release.set()
        values = {id(f.result(30)) for f in [first, *others]}
    assert len(calls) == 1 and len(values) == 1
