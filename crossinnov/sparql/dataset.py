"""The dataset a query runs against, and the one rule every store follows for it.

SPARQL 1.1 (§13.2) lets a query name its dataset (``FROM``/``FROM NAMED``) and
the protocol lets a request name it (``default-graph-uri``/``named-graph-uri``).
Where neither does, crossinnov's default graph is **the union of the named
graphs** (every triple lives in exactly one named graph, so the union is a set).
This module is the only place that rule is written; the embedded store, the
query workers and the remote store all ask it.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from crossinnov.sparql.text import has_dataset_clause


def given(default_graph: list[str] | None, named_graphs: list[str] | None) -> bool:
    """Whether the caller names a dataset (which then replaces the query's own)."""
    return default_graph is not None or named_graphs is not None


def union_default(sparql: str, default_graph: list[str] | None = None,
                  named_graphs: list[str] | None = None) -> bool:
    """Whether the default graph is the union of the named graphs for this query."""
    return not given(default_graph, named_graphs) and not has_dataset_clause(sparql)


def oxigraph_dataset(sparql: str, default_graph: list[str] | None = None,
                     named_graphs: list[str] | None = None) -> dict[str, Any]:
    """Keyword arguments of ``pyoxigraph.Store.query`` for the rule.

    pyoxigraph ignores ``FROM`` when ``use_default_graph_as_union`` is set, so the
    union is asked for only when the query names no dataset itself.
    """
    if given(default_graph, named_graphs):
        return {"default_graph": [ox.NamedNode(g) for g in default_graph or []],
                "named_graphs": [ox.NamedNode(g) for g in named_graphs or []]}
    if union_default(sparql):
        return {"use_default_graph_as_union": True}
    return {}


def protocol_fields(sparql: str, default_graph: list[str] | None = None,
                    named_graphs: list[str] | None = None, *,
                    union_parameter: str | None = None) -> list[tuple[str, str]]:
    """SPARQL 1.1 Protocol fields that state the dataset to a server.

    ``union_parameter`` is the server's own switch for the union default graph
    (Oxigraph server: ``union-default-graph``); other servers are configured to
    use the union by default (see the README's "Outgrowing one machine").
    """
    if given(default_graph, named_graphs):
        return ([("default-graph-uri", g) for g in default_graph or []]
                + [("named-graph-uri", g) for g in named_graphs or []])
    if union_parameter and union_default(sparql):
        return [(union_parameter, "")]
    return []
