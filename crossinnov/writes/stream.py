"""A big dataset file into an empty embedded store, in bounded memory (a streaming load).

:func:`crossinnov.writes.load.load_units` holds every unit of a load in memory (and, for
a big file, a copy of the file in an in-memory store): about 4.4 GB at 100 000
organisations, far too much at 1 000 000. This path keeps only a batch of units at a time
and gives what that path gives (the same graphs, records, closure, changelog and
rejections, with the same messages):

1. Oxigraph's bulk loader fills the empty store with the file as it is, under the fill's
   marker (:class:`~crossinnov.stores.embedded.Fill`): the store of the load *is* the
   context of every check ("the types of what it references, from the same load"), and
   the refusals' declines are read from it. The store's own bookkeeping graphs of a dump
   are dropped at once.
2. The file is read again, batch by batch (:func:`batches`), in the order it holds its
   graphs; each batch is screened and checked as :func:`~crossinnov.writes.load.check_units`
   checks a load's first round, the rest of the load standing in the store.
3. While something was rejected, the units that reference what was just rejected (found
   in the store, wherever they are in the file) are read from the file again and checked
   without it, until nothing changes: the rounds of ``check_units``, across batches.
4. The accepted units' profile records are loaded, the rejected graphs removed, the
   closure computed in memory from the links alone and loaded, the change recorded; then
   the marker goes. Killed anywhere before that, the store is emptied on its next open.

It needs each unit to be one run of the file, in its own graph: every graph's quads
together (not resumed after another graph began) and every quad where
:func:`~crossinnov.ingest.files.quads_to_units` puts it. A file that breaks either raises
:class:`NotStreamable` (the fill undone), and the caller loads it the usual way.
"""

from __future__ import annotations

import gc
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from crossinnov.config import MEMORY_STORE
from crossinnov.formats import format_for_path
from crossinnov.ingest import FieldError, IngestError, Unit
from crossinnov.ingest.files import Placement, Rejected, quads_to_units
from crossinnov.namespaces import CI, RDF
from crossinnov.sparql.queries import QUERIES, values
from crossinnov.stores.base import Store
from crossinnov.stores.embedded import FILL_FILE_PREFIX, Fill, OxigraphStore
from crossinnov.validation.shacl import Validator, Violation, context_triples
from crossinnov.writes import load as loader
from crossinnov.writes.changes import (
    Change,
    new_profile_records,
    rebuild_closure,
    record,
    refused_links,
)

log = logging.getLogger(__name__)

#: dataset files from this size on are streamed into an empty store
STREAM_MIN_BYTES = 200 * 2**20
#: a batch ends after the graph that brings it to this many units or quads
BATCH_UNITS = 20_000
BATCH_QUADS = 400_000

Progress = loader.Progress


class NotStreamable(Exception):
    """The file cannot be read unit by unit (said why); load it the usual way."""


def stream_source(store: Store, paths: list[Path]) -> tuple[Path, ox.RdfFormat] | None:
    """The file to stream, when ``paths`` is one big dataset file (N-Quads or TriG, not
    compressed) and ``store`` an empty embedded store on disk; else None."""
    if len(paths) != 1 or not isinstance(store, OxigraphStore) or store.read_only \
            or store.location == MEMORY_STORE:
        return None
    path = Path(paths[0])
    fmt = format_for_path(path.name)
    if fmt is None or path.suffix == ".gz" or fmt.oxformat not in loader.DATASET_SYNTAXES:
        return None
    try:
        if path.stat().st_size < STREAM_MIN_BYTES or not store.is_empty():
            return None
    except OSError:
        return None
    return path, fmt.oxformat


def batches(path: Path, fmt: ox.RdfFormat, iris, *, wanted: set[ox.NamedNode] | None = None,
            max_units: int | None = None, max_quads: int | None = None) -> Iterator[list[Unit]]:
    """The units of a dataset file, a batch at a time, in the order of the file's graphs.

    Raises :class:`NotStreamable` when a graph's quads are not together in the file or a
    quad is not where :func:`quads_to_units` puts it (each batch is read by it as a whole),
    and :class:`IngestError` when the file cannot be parsed. ``wanted``: only these graphs
    (a file already read through once).
    """
    max_units = max_units or BATCH_UNITS
    max_quads = max_quads or BATCH_QUADS
    source = path.name
    seen: set = set()
    current, keep = None, False
    quads: list[ox.Quad] = []
    graphs = 0

    def units_of(part: list[ox.Quad]) -> list[Unit]:
        placement = Placement()
        units = quads_to_units(part, iris, source=source, placement=placement)
        if not placement.in_place:
            raise NotStreamable("some of its triples are not in the graph of their subject")
        return units

    try:
        for quad in ox.parse(path=str(path), format=fmt):
            g = quad.graph_name
            if g != current:
                if wanted is None:
                    if g in seen:
                        raise NotStreamable(f"the quads of graph {g} are not all together")
                    seen.add(g)
                if quads and (graphs >= max_units or len(quads) >= max_quads):
                    yield units_of(quads)
                    quads, graphs = [], 0
                current = g
                keep = wanted is None or g in wanted
                graphs += keep
            if keep:
                quads.append(quad)
    except SyntaxError as exc:
        raise IngestError(f"{source}: invalid {_syntax(path)}: {exc}") from exc
    except (ValueError, OSError) as exc:
        raise IngestError(f"{source}: cannot read {_syntax(path)}: {exc}") from exc
    if quads:
        yield units_of(quads)


def _syntax(path: Path) -> str:
    spec = format_for_path(path.name)
    return spec.name if spec else "RDF"


def _filled(filling: Fill, path: Path) -> None:
    """Wait for the file to be in the store; a file the bulk loader cannot read is an
    :class:`IngestError`, as when it is read."""
    try:
        filling.wait()
    except SyntaxError as exc:
        raise IngestError(f"{path.name}: invalid {_syntax(path)}: {exc}") from exc


class _Verdicts:
    """What the rounds found, by graph: enough to report and to write, not the units."""

    def __init__(self) -> None:
        self.labels: dict[ox.NamedNode, str] = {}
        self.violations: dict[ox.NamedNode, list[Violation]] = {}
        self.refused: dict[ox.NamedNode, list[FieldError]] = {}
        #: how many triples each unit rejected held
        self.sizes: dict[ox.NamedNode, int] = {}
        #: the focus nodes of the units rejected by the shapes (out of every later context)
        self.excluded: set[ox.NamedNode] = set()

    def rejected(self, iris) -> list[Rejected]:
        out = []
        for graph in sorted({*self.violations, *self.refused}, key=lambda g: g.value):
            errors = loader.violation_errors(self.violations.get(graph, []), iris)
            out.append(Rejected(self.labels[graph],
                                loader.merge_errors([], errors + self.refused.get(graph, []))))
        return out


def _judge(store: OxigraphStore, units: list[Unit], validator: Validator,
           excluded: set[ox.NamedNode], progress: Progress | None,
           first: bool) -> dict[int, list[Violation]]:
    """Check ``units`` as :func:`~crossinnov.writes.load.check_units` checks a round, the rest
    of the load being in ``store``: each with the types of what it references (the units'
    own, else the store's), but those of the ``excluded`` nodes. ``first``: every unit of
    the batch, screened in a store of its own."""
    known, refs, _, _ = loader.scan(units)
    wanted = set().union(*refs) - set(known)
    context = [t for t in context_triples(store, wanted) if t.subject not in excluded]
    for t in context:
        known.setdefault(t.subject, []).append(t)
    staged = None
    if first and len(units) >= loader.SCREEN_MIN:
        batch = ox.Store()
        batch.extend(ox.Quad(*t, unit.graph) for unit in units for t in unit.triples)
        staged = (batch, context)
    return loader._check(units, refs, list(range(len(units))), known,  # noqa: SLF001
                         excluded, validator, progress, staged)


#: the graphs holding a triple (other than a type) that points at some nodes
REFERRING_GRAPHS = """SELECT DISTINCT ?g WHERE {
  VALUES ?o { $nodes }
  GRAPH ?g { ?s ?p ?o }
  FILTER(?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)
}"""


def _referring(store: OxigraphStore, nodes: set[ox.NamedNode]) -> set[ox.NamedNode]:
    ordered = sorted(nodes, key=lambda n: n.value)
    out: set[ox.NamedNode] = set()
    for start in range(0, len(ordered), 500):
        query = REFERRING_GRAPHS.replace("$nodes", values(ordered[start:start + 500]))
        out |= {row["g"] for row in store.native.query(query)}
    return out


def stream_load(store: OxigraphStore, path: Path, fmt: ox.RdfFormat, validator: Validator,
                change: Change, *, strict: bool = False,
                progress: Progress | None = None) -> loader.LoadReport:
    """Load one big dataset file into an empty embedded store in bounded memory (see the
    module's docstring); with ``strict``, one rejection writes nothing. Raises
    :class:`NotStreamable` (the store left empty) when the file's units are not runs of
    their own graphs."""
    filling = store.start_fill()
    try:
        filling.load_file(path, fmt, background=True)
        report = _stream(store, filling, path, fmt, validator, change, strict, progress)
    except BaseException:
        filling.undo()
        raise
    if not report.written:
        filling.undo()
    return report


def _stream(store: OxigraphStore, filling: Fill, path: Path, fmt: ox.RdfFormat,
            validator: Validator, change: Change, strict: bool,
            progress: Progress | None) -> loader.LoadReport:
    iris = store.iris
    verdicts = _Verdicts()
    no_store = OxigraphStore(None, iris)  # refused_links is given every decline itself
    declines: set | None = None
    records = tempfile.NamedTemporaryFile(dir=store.location,  # noqa: SIM115 - closed below
                                          prefix=FILL_FILE_PREFIX, suffix=".nq")
    units_read = triples_read = 0
    links = ox.Store()  # what the closure is made from, of the units accepted
    began = time.monotonic()

    def phase(what: str) -> None:
        log.info("%s: %s after %.1f s", path.name, what, time.monotonic() - began)

    try:
        for units in batches(path, fmt, iris):
            if declines is None:  # the load is in the store from here on
                _filled(filling, path)
                phase("the file is in the store")
                for graph in (iris.changelog_graph, iris.closure_graph, iris.derived_ties_graph):
                    store.native.remove_graph(graph)  # a dump's bookkeeping: made anew
                declines = {(r["decliner"], r["declined"])
                            for r in store.select(QUERIES["declined_links"])}
            units_read += len(units)
            newly = _judge(store, units, validator, set(), progress, first=True)
            stated = [(i, s, o) for i, s, o in _stated(units)]
            refused = refused_links(no_store, units, (stated, declines))
            for i, unit in enumerate(units):
                if i in newly or i in refused:
                    verdicts.labels[unit.graph] = unit.label
                    verdicts.sizes[unit.graph] = len(unit.triples)
                if i in newly:
                    verdicts.violations[unit.graph] = newly[i]
                    verdicts.excluded.update(unit.focus)
                if i in refused:
                    verdicts.refused[unit.graph] = refused[i]
            good = [u for i, u in enumerate(units) if i not in newly]
            links.extend(_closure_inputs(good))
            triples_read += sum(len(u.triples) for u in units)
            ox.serialize(new_profile_records(good, change), records, ox.RdfFormat.N_QUADS)
            del units, good, newly
            gc.collect()  # pySHACL's graphs hold cycles, and the load pauses the collector
            phase(f"{units_read} graphs checked")
        if declines is None:  # an empty file
            _filled(filling, path)
        fresh = set(verdicts.excluded)
        while fresh:  # the rounds: units that point at what was just rejected, checked again
            again = _referring(store, fresh) - verdicts.violations.keys()
            fresh = set()
            if not again:
                break
            for units in batches(path, fmt, iris, wanted=again):
                newly = _judge(store, units, validator, verdicts.excluded, None, first=False)
                for i, violations in newly.items():
                    graph = units[i].graph
                    verdicts.labels[graph] = units[i].label
                    verdicts.sizes[graph] = len(units[i].triples)
                    verdicts.violations[graph] = violations
                    fresh.update(units[i].focus)
                gc.collect()
            verdicts.excluded |= fresh
            phase(f"a round checked {len(again)} graphs again")
        rejected = verdicts.rejected(iris)
        gone = set(verdicts.labels)
        report = loader.LoadReport([], rejected, counted=(
            units_read - len(gone), triples_read - sum(verdicts.sizes.values())))
        if (rejected and strict) or units_read == len(gone):
            return report
        records.flush()
        filling.load_file(Path(records.name), ox.RdfFormat.N_QUADS)
        phase("the records are in the store")
        for graph in sorted(gone, key=lambda g: g.value):
            store.native.remove_graph(graph)
            links.remove_graph(graph)
        _fill_closure(store, links, filling)
        phase("the closure is in the store")
        change.graphs = []
        record(store, change)
        filling.finish()
        phase("done")
        report.written = True
        return report
    finally:
        records.close()


def _stated(units: list[Unit]):
    collaborates, named = CI.collaboratesWith, ox.NamedNode
    for i, unit in enumerate(units):
        for t in unit.triples:
            if t.predicate == collaborates and isinstance(t.subject, named) \
                    and isinstance(t.object, named):
                yield i, t.subject, t.object


#: what the closure and the derived ties are made from (closure_all.ru reads nothing else)
CLOSURE_INPUTS = frozenset((CI.collaboratesWith, CI.declinesCollaborationWith, CI.operatedBy,
                            CI.hasPartner))


def _closure_inputs(units: list[Unit]) -> Iterator[ox.Quad]:
    """The quads of ``units`` that the closure and the derived ties are made from: the links
    (:data:`CLOSURE_INPUTS`) and who is an organisation."""
    inputs, rdf_type, organisation = CLOSURE_INPUTS, RDF.type, CI.Organisation
    for unit in units:
        for s, p, o in unit.triples:
            if p in inputs or (p == rdf_type and o == organisation):
                yield ox.Quad(s, p, o, unit.graph)


def _fill_closure(store: OxigraphStore, links: ox.Store, filling: Fill) -> None:
    """Make the closure and the derived ties (:func:`rebuild_closure`) in memory, from the
    accepted units' links alone (``links``, in their graphs), and load them."""
    made = OxigraphStore(None, store.iris)
    made._store = links  # noqa: SLF001 - an in-memory store of its own
    rebuild_closure(made)
    out = ox.Store()
    for graph in (store.iris.closure_graph, store.iris.derived_ties_graph):
        out.extend(links.quads_for_pattern(None, None, None, graph))
    filling.add(out)
