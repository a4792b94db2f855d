"""Write to the store: whole graphs replaced in one transaction, links symmetric, changes logged.

Every write is one SPARQL Update request (one transaction in Oxigraph and in
any SPARQL 1.1 server that runs a request atomically) made of:

1. the new content of each graph it touches (``DROP`` then ``INSERT DATA``);
2. the links other graphs state and the write takes away (see below), each
   graph so changed with a changelog entry of its own;
3. when it writes good practices, the ties they imply (operator and partner: one
   ``ci:DerivedTie`` per pair and practice, ``prov:wasDerivedFrom`` the practice),
   recomputed in the graph of derived ties (``queries/derived_ties_for.ru``);
4. the inverse ``ci:collaboratesWith`` links of the organisations concerned,
   recomputed in the closure graph, each marked ``ci:collaborationUnconfirmedBy``
   (one side states it, the other does not), and the links of their derived ties
   that no organisation states (a statement wins; see ``queries/closure_add.ru``);
5. a PROV activity in the changelog graph, and the dataset's new
   ``dcterms:modified`` (which the dumps' ETags follow).

A practice's operator and partners never find the collaboration written into their
own graphs as if they had stated it (the graph says no more than the sources): it
is derived, and shown and counted as derived.

Writes change only what they say: a write changes its own graphs, the closure
graph and the graph of derived ties (derived, never stated) and the changelog,
and nothing else, with two exceptions, both logged as an ``unlink`` activity per
graph changed
(``prov:generated`` the graph, ``prov:wasInformedBy`` the write), the graph's
record moved to the time of the change:

- deleting organisation X removes every other graph's ``ci:collaboratesWith X``
  (:func:`delete_organisation`); the delete activity ``prov:invalidated`` both
  X's graph and X itself, the tombstone behind ``410 Gone`` (:func:`deletion_of`);
- Y declining X (``Y ci:declinesCollaborationWith X`` in Y's profile) removes
  X's statement ``X ci:collaboratesWith Y`` from X's graph (:func:`replace_units`);
  X cannot state it again while Y declines it (:func:`refused_links`).
"""

from __future__ import annotations

import functools
import io
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from crossinnov.ingest import FieldError, Unit
from crossinnov.iris import IRIs
from crossinnov.namespaces import CI, DCTERMS, FOAF, PROV, RDF, RDFS, XSD
from crossinnov.sparql.queries import QUERIES, term, triples_block, values
from crossinnov.stores.base import Store

#: what a changelog activity did (its dcterms:type); "unlink" is a link removed from a graph
#: by someone else's delete or refusal (see the module's docstring)
ACTIONS = ("create", "replace", "delete", "load", "analysis", "unlink")

#: the most changed triples written as one update by replace_big_graph
MAX_DIFFERENCE = 200_000
#: the most triples replace_big_graph adds in one transaction (and then flushes): Oxigraph
#: holds what it writes in memory until it is flushed, about 900 bytes a quad (measured at
#: 100 000 organisations: 860 000 quads, 760 MB), and the text they are parsed from too
ADD_CHUNK = 100_000
#: up to this many organisations, the closure around them is cleared one organisation at a
#: time (index look-ups); beyond, by one join that reads the whole closure graph
CLOSURE_ONE_BY_ONE = 64


def now() -> datetime:
    return datetime.now(UTC)


@functools.lru_cache(maxsize=256)  # a load of 100 000 profiles stamps each with the same time
def datetime_literal(moment: datetime) -> ox.Literal:
    """An xsd:dateTime in UTC, written as Oxigraph stores it (no trailing zeros in the
    fraction of a second) and as Virtuoso 7 does (3 digits when the microseconds are whole
    milliseconds, else 6), so that it reads back equal to what was written on both: a
    fraction that would differ (1, 2, 4 or 5 digits) is moved on by one microsecond."""
    text = moment.isoformat(timespec="microseconds").replace("+00:00", "")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) in (1, 2, 4, 5):
        fraction = f"{int(fraction.ljust(6, '0')) + 1:06d}"
    return ox.Literal(f"{whole}.{fraction}Z" if fraction else f"{whole}Z", datatype=XSD.dateTime)


@dataclass
class Change:
    """What a write does, for the changelog."""

    action: str
    agent: ox.NamedNode
    graphs: list[ox.NamedNode] = field(default_factory=list)
    label: str = ""
    at: datetime = field(default_factory=now)
    #: resources (not graphs) a delete removed: named ``prov:invalidated`` for their tombstones
    invalidated: list[ox.NamedNode] = field(default_factory=list)
    #: the activity that caused this one (``prov:wasInformedBy``)
    informed_by: ox.NamedNode | None = None

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
        triples += [ox.Triple(node, PROV.invalidated, r) for r in self.invalidated]
        if self.informed_by is not None:
            triples.append(ox.Triple(node, PROV.wasInformedBy, self.informed_by))
        return node, triples


@dataclass(frozen=True)
class Unlink:
    """A ``subject ci:collaboratesWith target`` stated in ``graph`` that a write takes away."""

    graph: ox.NamedNode
    subject: ox.NamedNode
    target: ox.NamedNode


@dataclass(frozen=True)
class Deletion:
    """The changelog's record that a resource was deleted (its tombstone)."""

    resource: ox.NamedNode
    activity: ox.NamedNode
    at: datetime


def with_profile_record(unit: Unit, change: Change, created: datetime | None) -> Unit:
    """Add the record of a stored profile to its unit: the graph as a document, when
    (``created``, else now; modified now) and by whom. The one place it is built: the
    profile API, the forms and ``crossinnov load`` all write it through here.
    Units that are not profiles (no ``ci:ProfiledOrganisation``) come back unchanged.
    """
    if not unit.focus or ox.Triple(unit.focus[0], RDF.type, CI.ProfiledOrganisation) \
            not in unit.triples:
        return unit
    record = _profile_record(unit.graph, unit.focus[0], change.agent, created or change.at,
                             change.at)
    return Unit(unit.graph, unit.triples + record, unit.focus, unit.label)


def _profile_record(graph: ox.NamedNode, org: ox.NamedNode, agent: ox.NamedNode,
                    created: datetime, modified: datetime) -> list[ox.Triple]:
    return [ox.Triple(graph, p, o) for p, o in _record_pairs(org, agent, created, modified)]


def _record_pairs(org: ox.NamedNode, agent: ox.NamedNode, created: datetime,
                  modified: datetime) -> list[tuple[ox.NamedNode, ox.Term]]:
    """What a profile graph's record says of the graph (predicate, object)."""
    return [
        (RDF.type, PROV.Entity),
        (RDF.type, FOAF.Document),
        (FOAF.primaryTopic, org),
        (DCTERMS.created, datetime_literal(created)),
        (DCTERMS.modified, datetime_literal(modified)),
        (PROV.generatedAtTime, datetime_literal(modified)),
        (PROV.wasAttributedTo, agent),
    ]


def new_profile_records(units: Iterable[Unit], change: Change) -> list[ox.Quad]:
    """The records :func:`with_profile_record` adds to ``units`` that are new to the store
    (``created`` None), as quads of their graphs: for a big load, without a unit each."""
    rdf_type, profiled = RDF.type, CI.ProfiledOrganisation
    placeholder = ox.NamedNode("urn:x-crossinnov:organisation")
    pairs = _record_pairs(placeholder, change.agent, change.at, change.at)
    out: list[ox.Quad] = []
    for unit in units:
        if not unit.focus or ox.Triple(unit.focus[0], rdf_type, profiled) not in unit.triples:
            continue
        graph, org = unit.graph, unit.focus[0]
        out += [ox.Quad(graph, p, org if o == placeholder else o, graph) for p, o in pairs]
    return out


def recorded_time(triples: Iterable[ox.Triple], graph: ox.NamedNode,
                  prop: ox.NamedNode) -> datetime | None:
    """When a profile graph's record says it was created or modified (``prop``), if it does."""
    for t in triples:
        if t.subject == graph and t.predicate == prop:
            return datetime.fromisoformat(t.object.value.replace("Z", "+00:00"))
    return None


def created_of(store: Store, graph: ox.NamedNode) -> datetime | None:
    """Return when a profile graph was first written, if it records it."""
    return recorded_time((q.triple for q in store.quads(graph.value)), graph, DCTERMS.created)


#: what a good practice says of the organisations that run and partner it (derived ties)
PRACTICE_LINKS = (CI.operatedBy, CI.hasPartner)


def organisations_in(units: Iterable[Unit], iris: IRIs) -> list[ox.NamedNode]:
    """Return the organisations whose collaboration links a set of units may change."""
    out: dict[str, ox.NamedNode] = {}
    for unit in units:
        for t in unit.triples:
            if t.predicate in (CI.collaboratesWith, CI.declinesCollaborationWith):
                for node in (t.subject, t.object):
                    if isinstance(node, ox.NamedNode):
                        out[node.value] = node
            elif t.predicate in PRACTICE_LINKS and isinstance(t.object, ox.NamedNode):
                out[t.object.value] = t.object
        for node in unit.focus:
            parsed = iris.parse_resource(node.value)
            if parsed and parsed[0] == "organisation":
                out[node.value] = node
    return [out[k] for k in sorted(out)]


def practices_in(units: Iterable[Unit], iris: IRIs) -> list[ox.NamedNode]:
    """Return the good practices a set of units writes, whose derived ties must be redone."""
    out: dict[str, ox.NamedNode] = {}
    for unit in units:
        for node in unit.focus:
            parsed = iris.parse_resource(node.value)
            if parsed and parsed[0] == "practice":
                out[node.value] = node
        for t in unit.triples:
            if t.predicate in PRACTICE_LINKS and isinstance(t.subject, ox.NamedNode):
                out[t.subject.value] = t.subject
    return [out[k] for k in sorted(out)]


def replace_units(store: Store, units: list[Unit], change: Change,
                  *, old_organisations: Iterable[ox.NamedNode] = ()) -> ox.NamedNode:
    """Replace the graphs of ``units`` in one transaction; return the change's activity IRI.

    A unit's ``ci:declinesCollaborationWith`` takes the declined organisation's
    statement of the link out of its graph (with a changelog entry for that graph).
    The ties derived from the good practices among the units are redone, and the
    closure around every organisation they joined before or join now.

    :param old_organisations: organisations the replaced graphs used to link to,
        whose inverse links must be recomputed too
    """
    operations = [
        QUERIES.render("replace_graph", graph=term(u.graph), triples=triples_block(u.triples))
        for u in units
    ]
    unlinks = declined_statements(store, units)
    practices = practices_in(units, store.iris)
    orgs = {o.value: o for o in [*organisations_in(units, store.iris), *old_organisations,
                                 *(u.subject for u in unlinks),
                                 *tie_members(store, practices)]}
    change.graphs = [u.graph for u in units]
    activity, record = change.triples(store)
    removals, unlinked = _unlink(store, unlinks, change, activity, "declined")
    operations += removals
    if practices:
        operations.append(QUERIES.render(
            "derived_ties_for", derived=term(store.iris.derived_ties_graph),
            practices=values(practices)))
    operations += closure_operations(store, [orgs[k] for k in sorted(orgs)])
    operations.append(_record(store, change, record + unlinked))
    store.update(" ;\n".join(operations))
    return activity


def closure_operations(store: Store, orgs: list[ox.NamedNode]) -> list[str]:
    """Return the operations that redo the closure graph around ``orgs`` (see the module's
    docstring): take out every inferred link to or from them, put back what still holds.

    For a few organisations (a profile write) the links are taken out one organisation
    at a time, each named in the patterns, which the store answers from its indexes;
    the join of ``closure_clear.ru`` reads the whole closure graph (30-80 ms at 100 000
    organisations, on the disk and again on every query worker), which only pays for
    many.
    """
    if not orgs:
        return []
    closure = term(store.iris.closure_graph)
    if len(orgs) <= CLOSURE_ONE_BY_ONE:
        operations = [QUERIES.render("closure_clear_one", closure=closure, org=term(o))
                      for o in orgs]
    else:
        operations = [QUERIES.render("closure_clear", closure=closure, orgs=values(orgs))]
    operations.append(QUERIES.render("closure_add", closure=closure,
                                     derived=term(store.iris.derived_ties_graph),
                                     orgs=values(orgs)))
    return operations


def tie_members(store: Store, practices: list[ox.NamedNode]) -> list[ox.NamedNode]:
    """Return the organisations the ties derived from ``practices`` join now (before a write)."""
    if not practices:
        return []
    rows = store.select(QUERIES.render("practice_tie_members",
                                       derived=term(store.iris.derived_ties_graph),
                                       practices=values(practices)))
    return [r["org"] for r in rows if isinstance(r.get("org"), ox.NamedNode)]


def declined_statements(store: Store, units: list[Unit]) -> list[Unlink]:
    """Return the statements of other graphs that the units' refusals take away.

    ``Y ci:declinesCollaborationWith X`` in a unit takes ``X ci:collaboratesWith Y``
    out of every graph that states it, except the units' own (replaced anyway).
    """
    pairs = {(t.subject, t.object) for u in units for t in u.triples
             if t.predicate == CI.declinesCollaborationWith
             and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)}
    if not pairs:
        return []
    own = {u.graph for u in units}
    decliners = sorted({y for y, _ in pairs}, key=lambda n: n.value)
    rows = store.select(QUERIES.render("links_to", orgs=values(decliners),
                                       closure=term(store.iris.closure_graph)))
    return [Unlink(r["g"], r["s"], r["o"]) for r in rows
            if (r["o"], r["s"]) in pairs and r["g"] not in own]


def refused_links(store: Store, units: list[Unit],
                  links: tuple[list, set] | None = None) -> dict[int, list[FieldError]]:
    """Return, by unit index, the links the units state that the other side declines.

    ``X ci:collaboratesWith Y`` while Y declines X (in the store, or in a unit of
    the same batch, which then replaces what the store holds for Y) is refused:
    a 422 on ``collaboratesWith``.
    """
    stated, declined = links if links is not None else collaboration_links(units)
    if not stated:
        return {}
    rewritten = {f for u in units for f in u.focus}
    declines = {(r["decliner"], r["declined"]) for r in store.select(QUERIES["declined_links"])
                if r["decliner"] not in rewritten}
    declines |= declined
    out: dict[int, list[FieldError]] = {}
    for i, subject, target in stated:
        if (target, subject) in declines:
            who = _short(store.iris, target)
            out.setdefault(i, []).append(FieldError(
                "collaboratesWith", who,
                f"{who} has declined a collaboration with {_short(store.iris, subject)} "
                "(declinesCollaborationWith in its own profile): remove it from "
                "collaboratesWith"))
    return out


def collaboration_links(units: list[Unit]) -> tuple[list, set]:
    """The units' stated collaborations ``(unit index, X, Y)`` (IRIs both) and declined
    pairs ``(Y, X)``, for :func:`refused_links`, in one pass over their triples."""
    collaborates, declines_link, named = CI.collaboratesWith, CI.declinesCollaborationWith, \
        ox.NamedNode
    stated, declined = [], set()
    for i, u in enumerate(units):
        for t in u.triples:
            p = t.predicate
            if p == collaborates:
                if isinstance(t.subject, named) and isinstance(t.object, named):
                    stated.append((i, t.subject, t.object))
            elif p == declines_link:
                declined.add((t.subject, t.object))
    return stated, declined


def _short(iris: IRIs, node: ox.NamedNode) -> str:
    parsed = iris.parse_resource(node.value)
    return parsed[1] if parsed else node.value


def _unlink(store: Store, unlinks: list[Unlink], change: Change, activity: ox.NamedNode,
            why: str) -> tuple[list[str], list[ox.Triple]]:
    """Return the operations that take ``unlinks`` away, and a changelog activity per graph.

    Each graph changed gets its own ``unlink`` activity (``prov:generated`` it,
    ``prov:wasInformedBy`` the write) and, when it is a profile, its record moved
    to the time of the change.
    """
    by_graph: dict[str, list[Unlink]] = {}
    for u in unlinks:
        by_graph.setdefault(u.graph.value, []).append(u)
    operations: list[str] = []
    record: list[ox.Triple] = []
    for key in sorted(by_graph):
        items = by_graph[key]
        graph = items[0].graph
        triples = [ox.Triple(u.subject, CI.collaboratesWith, u.target) for u in items]
        operations.append(QUERIES.render("delete_data", graph=term(graph),
                                         triples=triples_block(triples)))
        operations.append(QUERIES.render("touch_record", graph=term(graph),
                                         time=term(datetime_literal(change.at))))
        names = ", ".join(f"{_short(store.iris, u.subject)} -> {_short(store.iris, u.target)}"
                          for u in items)
        entry = Change("unlink", change.agent, [graph], at=change.at, informed_by=activity,
                       label=f"remove the collaboration link {names} ({why})")
        record += entry.triples(store)[1]
    return operations, record


class WriteStopped(RuntimeError):
    """A stepwise write was asked to stop between its steps (the server is stopping)."""


def replace_big_graph(store: Store, graph: ox.NamedNode, lines: list[str],
                      change: Change, proceed: Callable[[], bool] | None = None
                      ) -> ox.NamedNode:
    """Replace one big graph (no blank nodes) cheaply; return the activity IRI.

    :param lines: the graph's new triples as N-Triples lines (without line ends), written
        as pyoxigraph writes them: a line written otherwise is a difference (rewritten,
        never wrong)

    A graph replaced whole as SPARQL text costs its size twice (Oxigraph deletes
    and parses quad by quad, and servers cap an update's size), yet a re-run of
    the analysis mostly writes back what is there. So: against an empty graph,
    the triples are added through the store's quad path (the Graph Store Protocol
    on a server), :data:`ADD_CHUNK` triples per transaction, the first lines last;
    otherwise one update removes what is gone and inserts what is new, atomically.
    When most of the graph changed, it is replaced in steps (drop, then add): readers
    see the old graph, briefly none or part of the new one (without its first lines),
    then the new one. The stored graph is compared as N-Triples text (no RDF term
    object per value), line by line.

    :param proceed: asked before the drop and before each chunk of a stepwise write; when it
        answers False the write stops there (:class:`WriteStopped`), leaving the graph
        without its first lines, so a whole write is never taken for done (a server that
        stops need not wait for, nor close its store under, a write of millions of quads)
    """
    # "\n" ends a line: literals hold it escaped (splitlines() would also cut at U+2028).
    # The stored lines are read one at a time against the new ones (no set of them): what
    # is left of ``added`` is new, what is not found in it is gone (a graph's lines are
    # distinct); past MAX_DIFFERENCE gone, they are only counted
    stored = 0
    added = set(lines)
    removed: list[str] | None = []
    for raw in io.BytesIO(store.graph_ntriples(graph.value)):
        line = raw.decode("utf-8").removesuffix("\n")
        if not line:
            continue
        stored += 1
        if line in added:
            added.discard(line)
        elif removed is not None:
            removed.append(line)
            if len(removed) > MAX_DIFFERENCE:
                removed = None
    change.graphs = [graph]
    activity, record_triples = change.triples(store)
    record = _record(store, change, record_triples)
    if stored and removed is not None and len(removed) + len(added) <= MAX_DIFFERENCE:
        # written again by pyoxigraph from the parsed lines: only its own text enters an update
        store.update(QUERIES.render("change_graph", graph=term(graph),
                                    removed=triples_block(_parsed(sorted(removed))),
                                    added=triples_block(_parsed(sorted(added))))
                     + " ;\n" + record)
        return activity
    del added, removed

    def step() -> None:
        if proceed is not None and not proceed():
            raise WriteStopped(f"the write of {graph.value} was stopped between its steps: "
                               "the graph is incomplete until it is written again")

    step()
    if stored:
        store.update(QUERIES.render("drop_graph", graph=term(graph)))
    # added ADD_CHUNK lines at a time, one transaction each (a transaction of millions of
    # quads is held in memory whole), from the last lines to the first: the first lines
    # (an analysis run's own) are there only once all the others are
    named = f" {term(graph)} ."
    for end in range(len(lines), 0, -ADD_CHUNK):
        step()
        quads = "\n".join([line[:-2] + named for line in lines[max(0, end - ADD_CHUNK):end]])
        store.add_quads(ox.parse(quads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
        del quads
        # the embedded store keeps what it writes in memory tables until they are flushed:
        # 860 000 quads added grew it by 760 MB (flushed after each chunk: by 100 MB)
        store.flush()
    store.update(record)
    return activity


def _parsed(lines: list[str]) -> list[ox.Triple]:
    data = "\n".join(lines).encode("utf-8")
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def delete_organisation(store: Store, org: ox.NamedNode, graph: ox.NamedNode,
                        change: Change) -> ox.NamedNode:
    """Remove an organisation's graph, and every link to it, in one transaction.

    Every other graph that states ``ci:collaboratesWith org`` loses that triple
    and gets a changelog entry of its own; the delete activity invalidates the
    graph and the organisation (its tombstone: the IRI then answers 410 Gone).
    """
    closure = store.iris.closure_graph
    rows = store.select(QUERIES.render("links_to", orgs=values([org]), closure=term(closure)))
    unlinks = [Unlink(r["g"], r["s"], r["o"]) for r in rows if r["g"] != graph]
    change.graphs = [graph]
    change.invalidated = [org]
    activity, record = change.triples(store)
    removals, unlinked = _unlink(store, unlinks, change, activity,
                                 f"{_short(store.iris, org)} was deleted")
    operations = [
        QUERIES.render("drop_graph", graph=term(graph)),
        *removals,
        # the closure around org: every inverse or derived link to or from it goes, none
        # comes back (its graph is gone); its derived ties stay, facts about the practices
        *closure_operations(store, [org]),
        _record(store, change, record + unlinked),
    ]
    store.update(" ;\n".join(operations))
    return activity


def deletion_of(store: Store, resource: ox.NamedNode, graph: ox.NamedNode) -> Deletion | None:
    """Return the latest delete of a resource (or of its graph) the changelog records."""
    rows = store.select(QUERIES["resource_deleted"], changelog=store.iris.changelog_graph,
                        resource=resource, graph=graph)
    if not rows:
        return None
    at = datetime.fromisoformat(rows[0]["time"].value.replace("Z", "+00:00"))
    return Deletion(resource, rows[0]["activity"], at)


def rebuild_closure(store: Store) -> None:
    """Recompute the derived ties and the whole closure graph (after a bulk load)."""
    store.update(QUERIES.render("closure_all", closure=term(store.iris.closure_graph),
                                derived=term(store.iris.derived_ties_graph)))


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
