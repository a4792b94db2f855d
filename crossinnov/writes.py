"""Write to the store: whole graphs replaced in one transaction, links kept symmetric, changes logged.

Every write is one SPARQL Update request (one transaction in Oxigraph and in
any SPARQL 1.1 server that runs a request atomically) made of:

1. the new content of each graph it touches (``DROP`` then ``INSERT DATA``);
2. the inverse ``ci:collaboratesWith`` links of the organisations concerned,
   recomputed in the closure graph (see ``queries/closure_for.ru``);
3. a PROV activity in the changelog graph, and the dataset's new
   ``dcterms:modified`` (which the dumps' ETags follow).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from crossinnov.ingest import Unit
from crossinnov.iris import IRIs
from crossinnov.namespaces import CI, DCTERMS, FOAF, PROV, RDF, RDFS, XSD
from crossinnov.queries import QUERIES, term, triples_block, values
from crossinnov.store import Store

ACTIONS = ("create", "replace", "delete", "load", "analysis")

#: the most changed triples written as one update by replace_big_graph
MAX_DIFFERENCE = 200_000


def now() -> datetime:
    return datetime.now(UTC)


def datetime_literal(moment: datetime) -> ox.Literal:
    """An xsd:dateTime in UTC, written as Oxigraph stores it (no trailing zeros in the
    fraction of a second), so that it reads back equal to what was written."""
    text = moment.isoformat(timespec="microseconds").replace("+00:00", "")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return ox.Literal(f"{whole}.{fraction}Z" if fraction else f"{whole}Z", datatype=XSD.dateTime)


@dataclass
class Change:
    """What a write does, for the changelog."""

    action: str
    agent: ox.NamedNode
    graphs: list[ox.NamedNode] = field(default_factory=list)
    label: str = ""
    at: datetime = field(default_factory=now)

    def triples(self, store: Store) -> tuple[ox.NamedNode, list[ox.Triple]]:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}")
        stamp = self.at.strftime("%Y%m%dt%H%M%S%fz") + "-" + secrets.token_hex(3)
        node = store.iris.activity(stamp)
        when = datetime_literal(self.at)
        triples = [
            ox.Triple(node, RDF.type, PROV.Activity),
            ox.Triple(node, DCTERMS.type, ox.Literal(self.action)),
            ox.Triple(node, RDFS.label, ox.Literal(self.label or self.action)),
            ox.Triple(node, PROV.startedAtTime, when),
            ox.Triple(node, PROV.endedAtTime, when),
            ox.Triple(node, PROV.wasAssociatedWith, self.agent),
        ]
        link = PROV.invalidated if self.action == "delete" else PROV.generated
        triples += [ox.Triple(node, link, g) for g in self.graphs]
        return node, triples


def profile_record(graph: ox.NamedNode, org: ox.NamedNode, agent: ox.NamedNode,
                   created: datetime, modified: datetime) -> list[ox.Triple]:
    """Return the record of a stored profile: its graph as a document, when and by whom."""
    return [
        ox.Triple(graph, RDF.type, PROV.Entity),
        ox.Triple(graph, RDF.type, FOAF.Document),
        ox.Triple(graph, FOAF.primaryTopic, org),
        ox.Triple(graph, DCTERMS.created, datetime_literal(created)),
        ox.Triple(graph, DCTERMS.modified, datetime_literal(modified)),
        ox.Triple(graph, PROV.generatedAtTime, datetime_literal(modified)),
        ox.Triple(graph, PROV.wasAttributedTo, agent),
    ]


def created_of(store: Store, graph: ox.NamedNode) -> datetime | None:
    """Return when a profile graph was first written, if it records it."""
    for quad in store.quads(graph.value):
        if quad.subject == graph and quad.predicate == DCTERMS.created:
            return datetime.fromisoformat(quad.object.value.replace("Z", "+00:00"))
    return None


def organisations_in(units: Iterable[Unit], iris: IRIs) -> list[ox.NamedNode]:
    """Return the organisations whose collaboration links a set of units may change."""
    out: dict[str, ox.NamedNode] = {}
    for unit in units:
        for t in unit.triples:
            if t.predicate == CI.collaboratesWith:
                for node in (t.subject, t.object):
                    if isinstance(node, ox.NamedNode):
                        out[node.value] = node
        for node in unit.focus:
            parsed = iris.parse_resource(node.value)
            if parsed and parsed[0] == "organisation":
                out[node.value] = node
    return [out[k] for k in sorted(out)]


def replace_units(store: Store, units: list[Unit], change: Change,
                  *, old_organisations: Iterable[ox.NamedNode] = ()) -> ox.NamedNode:
    """Replace the graphs of ``units`` in one transaction; return the change's activity IRI.

    :param old_organisations: organisations the replaced graphs used to link to,
        whose inverse links must be recomputed too
    """
    operations = [
        QUERIES.render("replace_graph", graph=term(u.graph), triples=triples_block(u.triples))
        for u in units
    ]
    orgs = {o.value: o for o in [*organisations_in(units, store.iris), *old_organisations]}
    if orgs:
        operations.append(QUERIES.render(
            "closure_for", closure=term(store.iris.closure_graph),
            orgs=values(orgs[k] for k in sorted(orgs))))
    change.graphs = [u.graph for u in units]
    activity, record = change.triples(store)
    operations.append(_record(store, change, record))
    store.update(" ;\n".join(operations))
    return activity


def replace_big_graph(store: Store, unit: Unit, change: Change) -> ox.NamedNode:
    """Replace one big graph (no blank nodes) cheaply; return the activity IRI.

    A graph replaced whole as SPARQL text costs its size twice (Oxigraph deletes
    and parses quad by quad, and servers cap an update's size), yet a re-run of
    the analysis mostly writes back what is there. So: against an empty graph,
    the triples are added through the store's quad path (one transaction in
    Oxigraph, the Graph Store Protocol on a server); otherwise one update
    removes what is gone and inserts what is new, atomically. When most of the
    graph changed, it is replaced in two steps (drop, then add), each one
    transaction: readers see the old graph, briefly none, then the new one.
    """
    old = {q.triple for q in store.quads(unit.graph.value)}
    new = set(unit.triples)
    change.graphs = [unit.graph]
    activity, record_triples = change.triples(store)
    record = _record(store, change, record_triples)
    removed, added = old - new, new - old
    if old and len(removed) + len(added) <= MAX_DIFFERENCE:
        store.update(QUERIES.render("change_graph", graph=term(unit.graph),
                                    removed=triples_block(sorted(removed, key=str)),
                                    added=triples_block(sorted(added, key=str)))
                     + " ;\n" + record)
        return activity
    if old:
        store.update(QUERIES.render("drop_graph", graph=term(unit.graph)))
    store.add_quads(unit.quads())
    store.update(record)
    return activity


def delete_organisation(store: Store, org: ox.NamedNode, graph: ox.NamedNode,
                        change: Change) -> ox.NamedNode:
    """Remove an organisation's graph and every collaboration link to it, in one transaction."""
    change.graphs = [graph]
    activity, record = change.triples(store)
    operations = [
        QUERIES.render("drop_graph", graph=term(graph)),
        QUERIES.render("remove_links_to", orgs=values([org])),
        _record(store, change, record),
    ]
    store.update(" ;\n".join(operations))
    return activity


def rebuild_closure(store: Store) -> None:
    """Recompute the whole closure graph (after a bulk load)."""
    store.update(QUERIES.render("closure_all", closure=term(store.iris.closure_graph)))


def record(store: Store, change: Change) -> ox.NamedNode:
    """Record a change that was written by other means (the bulk loader)."""
    activity, record_triples = change.triples(store)
    store.update(_record(store, change, record_triples))
    return activity


def _record(store: Store, change: Change, record_triples: list[ox.Triple]) -> str:
    return QUERIES.render(
        "record_change",
        changelog=term(store.iris.changelog_graph),
        dataset=term(store.iris.dataset),
        time=term(datetime_literal(change.at)),
        activity=triples_block(record_triples),
    )


def dataset_modified(store: Store) -> datetime | None:
    """Return when the data last changed, or None for a store never written by crossinnov."""
    rows = store.select(QUERIES["dataset_modified"], dataset=store.iris.dataset)
    if not rows:
        return None
    return datetime.fromisoformat(rows[0]["modified"].value.replace("Z", "+00:00"))
