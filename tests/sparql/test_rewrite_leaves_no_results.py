"""Regression: the NOT EXISTS rewrite reads the query with rdflib, whose parser (pyparsing)
leaves exceptions in reference cycles; their tracebacks held the frames of the caller's
stack, and so the pyoxigraph answer a caller then held in a local (``Store.select``'s).
Whichever thread collected those cycles later dropped that answer, which pyoxigraph
forbids outside the thread that made it: "PyQuerySolutions is unsendable, but is being
dropped on another thread", logged at every stop of ``crossinnov serve`` after a cluster
report, and the answer (and what it holds of the store) leaked."""

from __future__ import annotations

import gc
import sys
import threading

import pyoxigraph as ox

from crossinnov.config import Settings
from crossinnov.sparql.rewrite import optimise
from crossinnov.stores import open_store

EX = "http://example.org/"


def test_a_rewritten_query_run_in_one_thread_leaves_nothing_for_another_to_drop(monkeypatch):
    store = open_store(Settings(store=":memory:"))
    store.add_quads([ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"),
                             ox.NamedNode(f"{EX}o{i % 3}"), ox.NamedNode(f"{EX}g"))
                     for i in range(30)])
    # a text of its own: the rewrite is remembered per text, and this one must be read now
    query = (f"SELECT ?s WHERE {{ ?s <{EX}p> ?o FILTER NOT EXISTS {{ ?s <{EX}q> ?o }} }} "
             f"# {id(store)}")
    assert optimise(query) != query  # the rewrite (and its rdflib read) happens for it
    optimise.cache_clear()
    problems: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook",
                        lambda report: problems.append(f"{report.exc_value}"))
    gc.collect()
    rows: list = []
    worker = threading.Thread(target=lambda: rows.append(store.select(query)))
    worker.start()
    worker.join()
    assert len(rows[0]) == 30
    gc.collect()  # here, in another thread than the query's
    assert problems == []
