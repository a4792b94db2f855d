"""Run one query on a pyoxigraph store and write its answer as messages.

The same function answers in the web process (the embedded store) and in the
query workers (their in-memory replicas), so both follow one dataset rule
(:mod:`crossinnov.sparql.dataset`) and one way of writing answers
(:mod:`crossinnov.sparql.results`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from crossinnov.sparql.answers import Failed, Message, QuerySpec
from crossinnov.sparql.dataset import oxigraph_dataset
from crossinnov.sparql.results import write_answer
from crossinnov.sparql.rewrite import optimise


def run(store: ox.Store, spec: QuerySpec):
    """Evaluate ``spec`` on ``store`` (lazily: the result is read as it is written)."""
    kwargs: dict[str, Any] = oxigraph_dataset(spec.sparql, spec.default_graph, spec.named_graphs)
    if spec.bindings:
        kwargs["substitutions"] = {ox.Variable(k): v for k, v in spec.bindings.items()}
    if spec.base_iri:
        kwargs["base_iri"] = spec.base_iri
    return query(store, spec.sparql, **kwargs)


def query(store: ox.Store, sparql: str, **kwargs: Any):
    """``store.query`` of the text with its equivalent NOT EXISTS written as MINUS
    (:mod:`crossinnov.sparql.rewrite`: Oxigraph runs a NOT EXISTS once per row). Should
    Oxigraph refuse the rewritten text, the text as written runs, and its error is the one
    reported."""
    text = optimise(sparql)
    if text is sparql or text == sparql:
        return store.query(sparql, **kwargs)
    try:
        return store.query(text, **kwargs)
    except SyntaxError:
        return store.query(sparql, **kwargs)


def answer(store: ox.Store, spec: QuerySpec, emit: Callable[[Message], None]) -> None:
    """Run one query; emit its :class:`~crossinnov.sparql.answers.Message` stream."""
    try:
        result = run(store, spec)
    except SyntaxError as exc:
        emit(Failed("syntax", str(exc)))
        return
    except MemoryError:
        emit(Failed("memory", "the query ran out of memory"))
        return
    except Exception as exc:  # evaluation errors surface as various types
        emit(Failed("evaluation", f"{type(exc).__name__}: {exc}"))
        return
    write_answer(result, spec, emit)
