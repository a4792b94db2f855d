"""Validate units against the shapes, then write the good ones: the one path every write takes.

The CLI's ``load`` and ``validate``, and the web API, all call
:func:`check_units`, so a file the CLI accepts is accepted by the API and the
other way round.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox
import rdflib

from crossinnov.config import MEMORY_STORE
from crossinnov.formats import format_for_path
from crossinnov.ingest import FieldError, IngestError, Unit
from crossinnov.ingest.files import Placement, Rejected, read_path
from crossinnov.ingest.profile import FIELD_OF_PROPERTY, FIELDS
from crossinnov.ingest.shipped import build_shipped, ontology_unit
from crossinnov.iris import IRIs
from crossinnov.namespaces import CI, RDF
from crossinnov.sparql.queries import values
from crossinnov.stores.base import Store
from crossinnov.stores.embedded import Fill, OxigraphStore
from crossinnov.stores.remote import RemoteStore
from crossinnov.validation.shacl import (
    Validator,
    Violation,
    context_triples,
    merge_reports,
    referenced_iris,
)
from crossinnov.writes.changes import (
    Change,
    created_of,
    new_profile_records,
    rebuild_closure,
    record,
    refused_links,
    replace_units,
    with_profile_record,
)

#: above this many triples a load goes through the bulk loader instead of one transaction
BULK_THRESHOLD = 200_000
#: units validated together in one pySHACL call (its focus-node check is quadratic in this)
CHECK_CHUNK = 250
#: from this many units a check runs in one process per core
PARALLEL_CHECK_MIN = 4_000
#: from this many units a check first runs the SPARQL screen (crossinnov.validation.screen)
SCREEN_MIN = 500

Progress = Callable[[int], None]


@dataclass
class LoadReport:
    """What a load or a validation did."""

    accepted: list[Unit] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False
    #: (graphs, triples) accepted, for a load that does not keep its units
    #: (:mod:`crossinnov.writes.stream`)
    counted: tuple[int, int] | None = None

    @property
    def graphs(self) -> int:
        """How many graphs (units) were accepted."""
        return self.counted[0] if self.counted is not None else len(self.accepted)

    @property
    def triples(self) -> int:
        if self.counted is not None:
            return self.counted[1]
        return sum(len(u.triples) for u in self.accepted)

    @property
    def conforms(self) -> bool:
        return not self.rejected


def violation_errors(violations: Iterable[Violation], iris: IRIs) -> list[FieldError]:
    """Turn SHACL violations into field errors named and valued like the profile JSON.

    The path becomes the JSON field (``ci:basedIn`` -> ``city``); a value that is
    a minted IRI becomes the short id the user typed (``.../id/city/paris`` -> ``paris``).
    The errors come sorted (field, value, message): pySHACL's order of results changes
    from one process to the next, and a message must not.
    """
    out = []
    for v in violations:
        name = FIELD_OF_PROPERTY.get(v.path or "", None)
        if name is None and v.path:
            name = v.path.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        value: object = v.value
        parsed = iris.parse_resource(v.value) if v.value else None
        if parsed:
            value = parsed[1]
        out.append(FieldError(name or "(profile)", value, v.message))
    return sorted(out, key=lambda e: (e.field, str(e.value), e.message))


def check_units(
    store: Store,
    units: list[Unit],
    validator: Validator,
    *,
    progress: Progress | None = None,
    staged: ox.Store | None = None,
) -> tuple[list[Unit], list[Rejected]]:
    """Validate units (each with what it references) and split them into accepted and rejected.

    Referenced resources are known from the batch itself or from the store. A
    unit that points at a rejected one is checked again without it, until
    nothing changes. A unit restating a collaboration the other side declines
    is rejected too (:func:`crossinnov.writes.changes.refused_links`).

    :param staged: an in-memory store holding exactly the units' triples, each unit's in
        its own graph (:func:`stage`): the screen of a big batch runs on it instead of on
        a store of its own
    """
    known, refs, stated, declined = scan(units)
    refused = refused_links(store, units, (stated, declined))
    in_batch = set(known)
    wanted: set[ox.NamedNode] = set().union(*refs)
    context = context_triples(store, [n for n in wanted if n not in in_batch])
    for t in context:
        known.setdefault(t.subject, []).append(t)

    # units whose JSON already failed are out of the context from the start
    rejected: dict[int, list[Violation]] = {i: [] for i, u in enumerate(units) if u.problems}
    candidates = list(range(len(units)))
    while candidates:
        excluded = {f for i in rejected for f in units[i].focus}
        # the staged store holds every unit: it can stand for the first round only
        everyone = staged is not None and len(candidates) == len(units)
        newly = _check(units, refs, candidates, known, excluded, validator, progress,
                       (staged, [t for t in context if t.subject not in excluded])
                       if everyone else None)
        fresh = {i for i in newly if i not in rejected}
        for i, violations in newly.items():
            rejected.setdefault(i, []).extend(violations)
        if not fresh:
            break
        # re-check units that reference what was just rejected
        gone = {f for i in fresh for f in units[i].focus}
        candidates = [i for i in range(len(units)) if i not in rejected and refs[i] & gone]
        progress = None
    for i in refused:
        rejected.setdefault(i, [])
    accepted = [u for i, u in enumerate(units) if i not in rejected]
    failed = [Rejected(units[i].label, merge_errors(units[i].problems,
                                                    violation_errors(v, store.iris)
                                                    + refused.get(i, [])))
              for i, v in sorted(rejected.items())]
    return accepted, failed


def scan(units: list[Unit]) -> tuple[dict[ox.NamedNode, list[ox.Triple]],
                                      list[set[ox.NamedNode]], list, set]:
    """In one pass over a batch that may hold millions of triples: the ``rdf:type`` triples
    the batch gives (by subject), what each unit points at (as
    :func:`~crossinnov.validation.shacl.referenced_iris`), the collaborations stated
    (unit index, stater, named) and the ones declined (pairs)."""
    known: dict[ox.NamedNode, list[ox.Triple]] = {}
    refs: list[set[ox.NamedNode]] = []
    stated, declined = [], set()
    rdf_type, named = RDF.type, ox.NamedNode
    collaborates, declines_link = CI.collaboratesWith, CI.declinesCollaborationWith
    for i, unit in enumerate(units):
        pointed = set()
        for t in unit.triples:
            s, p, o = t
            if p == rdf_type:
                if isinstance(s, named):
                    known.setdefault(s, []).append(t)
                continue
            if isinstance(o, named):
                pointed.add(o)
                if p == collaborates and isinstance(s, named):
                    stated.append((i, s, o))
            if p == declines_link:
                declined.add((s, o))
        refs.append(pointed)
    return known, refs, stated, declined


def shacl_report(store: Store, units: list[Unit], rejected: set[str],
                 validator: Validator, *, conforms: bool) -> rdflib.Graph:
    """pySHACL's own results for the rejected units, merged into one validation report.

    Each rejected unit is validated again as :func:`check_units` judged it: with the
    types of what it references, from the accepted units of the batch or the store.
    Units rejected before the shapes saw them (unreadable fields, refused links)
    add no SHACL results; the report still says the batch does not conform.
    """
    accepted = [u for u in units if u.label not in rejected]
    known: dict[ox.NamedNode, list[ox.Triple]] = {}
    for unit in accepted:
        for t in unit.triples:
            if t.predicate == RDF.type and isinstance(t.subject, ox.NamedNode):
                known.setdefault(t.subject, []).append(t)
    graphs = []
    for unit in units:
        if unit.label not in rejected:
            continue
        wanted = referenced_iris(unit.triples)
        context = [t for node in wanted for t in known.get(node, ())]
        context += context_triples(store, [n for n in wanted if n not in known])
        graphs.append(validator.validate(unit.triples + context, focus=unit.focus).graph)
    return merge_reports((g for g in graphs if g is not None), conforms=conforms)


def merge_errors(problems: list[FieldError], found: list[FieldError]) -> list[FieldError]:
    """Merge a unit's own problems (JSON shape) with what the shapes found, without repeats.

    A field left out of the triples because its JSON was wrong can make the shapes
    say it is missing (a name is required, a sector is required): that says the
    same thing twice and is dropped. So is any shape finding about a one-valued
    field that already has a problem. A list field keeps the shapes' findings
    about its other items (a bad id and an unknown one are two errors).
    """
    out: list[FieldError] = []
    seen: set[str] = set()

    def add(error: FieldError) -> None:
        # values may be lists or objects, so they are compared by their JSON; a set, since a
        # hostile body can carry tens of thousands of errors
        key = json.dumps([error.field, error.value, error.message], sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(error)

    for problem in problems:
        add(problem)
    flagged = {p.field for p in problems}
    for error in found:
        if error.field in flagged:
            spec = FIELDS.get(error.field)
            one_valued = spec is None or not spec[2]
            if error.value is None or one_valued:
                continue
        add(error)
    return out


def _check(units, refs, indexes, known, excluded, validator, progress,
           staged=None) -> dict[int, list[Violation]]:
    """Validate the units at ``indexes`` in chunks, each with the types of what it references.

    A chunk's data graph is its units' triples plus the ``rdf:type`` of the
    resources they point at (from the batch, unless rejected, or from the
    store), so its size does not grow with the batch. ``refs[i]``: what unit ``i``
    references. ``staged``: (a store holding every unit, the context from the store
    outside ``excluded``) for the screen, when ``indexes`` are all the units.
    """
    if len(indexes) >= SCREEN_MIN:
        # big batches: only what the SPARQL screen cannot clear goes to pySHACL
        if staged is not None:
            suspects = validator.might_violate_in(*staged)
        else:
            everything = [t for i in indexes for t in units[i].triples]
            everything += [t for node, ts in known.items() if node not in excluded for t in ts]
            suspects = validator.might_violate(everything)
        cleared = [i for i in indexes if not any(f in suspects for f in units[i].focus)]
        indexes = [i for i in indexes if any(f in suspects for f in units[i].focus)]
        if progress:
            progress(len(cleared))
    jobs = []
    for start in range(0, len(indexes), CHECK_CHUNK):
        chunk = indexes[start:start + CHECK_CHUNK]
        triples = [t for i in chunk for t in units[i].triples]
        referenced = set().union(*(refs[i] for i in chunk))
        triples += [t for node in referenced - excluded for t in known.get(node, ())]
        jobs.append((chunk, triples, [f for i in chunk for f in units[i].focus]))
    out: dict[int, list[Violation]] = {}
    for (chunk, _, _), violations in zip(jobs, check_chunks(validator, jobs), strict=True):
        owner = {f.value: i for i in chunk for f in units[i].focus}
        for v in violations:
            # pySHACL reports only the focus nodes it was given, each owned by one unit
            out.setdefault(owner[v.focus], []).append(v)
        if progress:
            progress(len(chunk))
    return out


def check_chunks(validator: Validator, jobs: list) -> Iterable[list[Violation]]:
    """Yield each job's violations, in order; big batches use one process per core.

    pySHACL is pure Python and holds the GIL, so only processes run it in
    parallel; each worker loads the same shapes once.
    """
    workers = min(os.cpu_count() or 1, len(jobs))
    if len(jobs) * CHECK_CHUNK < PARALLEL_CHECK_MIN or workers < 2:
        for _, triples, focus in jobs:
            yield validator.validate(triples, focus=focus).violations
        return
    shapes = validator.shapes.serialize(format="nt")
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=_start_check_worker, initargs=(shapes,)) as pool:
        yield from pool.map(_check_in_worker, [(t, f) for _, t, f in jobs])


_worker_validator: Validator | None = None


def _start_check_worker(shapes: str) -> None:
    global _worker_validator  # one per worker process, set once when it starts
    import rdflib

    _worker_validator = Validator(rdflib.Graph().parse(data=shapes, format="nt"))


def _check_in_worker(job) -> list[Violation]:
    triples, focus = job
    assert _worker_validator is not None
    return _worker_validator.validate(triples, focus=focus).violations


def recorded(store: Store, unit: Unit, change: Change, existing: set[str] | None = None) -> Unit:
    """Add the profile record (created, modified, by whom) to a profile unit; others unchanged.

    ``existing``, the store's graph names when known, saves a lookup for new graphs.
    """
    known = existing is None or unit.graph.value in existing
    return with_profile_record(unit, change, created_of(store, unit.graph) if known else None)


def write_units(store: Store, units: list[Unit], change: Change) -> None:
    """Write accepted units (their profile records added): one transaction; into a remote
    store, big loads through its bulk loader (one request would be too big for a server)."""
    if not units:
        return
    if not _is_big(units) or not isinstance(store, RemoteStore):
        replace_units(store, units, change)
        return
    existing = set(store.named_graphs())
    stale = [u for u in units if u.graph.value in existing]
    if stale:  # the bulk loader only adds: clear the graphs that are being replaced
        from crossinnov.sparql.queries import QUERIES, term

        for start in range(0, len(stale), 1000):
            store.update(" ;\n".join(QUERIES.render("drop_graph", graph=term(u.graph))
                                     for u in stale[start:start + 1000]))
    store.add_quads((q for u in units for q in u.quads()), bulk=True)
    rebuild_closure(store)
    change.graphs = []
    record(store, change)


def _is_big(units: list[Unit]) -> bool:
    return sum(len(u.triples) for u in units) > BULK_THRESHOLD


def fills(store: Store, units: list[Unit]) -> bool:
    """True when ``units`` are to fill an empty embedded store (:func:`fill_store`)."""
    return (isinstance(store, OxigraphStore) and not store.read_only and _is_big(units)
            and store.is_empty())


def stage(units: list[Unit], iris: IRIs) -> OxigraphStore:
    """An in-memory store holding the units' triples, each unit's in its graph."""
    staged = OxigraphStore(None, iris)
    native = staged.native
    for unit in units:
        native.extend(ox.Quad(*t, unit.graph) for t in unit.triples)
    return staged


def fill_store(store: OxigraphStore, staged: OxigraphStore, units: list[Unit],
               accepted: list[Unit], change: Change, filling: Fill | None = None,
               dropped: Iterable[ox.NamedNode] = (),
               records: list[ox.Quad] | None = None, records_given: bool = False) -> None:
    """Write the accepted units of a big load into an empty store, as :func:`write_units`
    would, but prepared in memory and written with the bulk loader.

    ``staged`` (:func:`stage`) holds every unit of ``units``: the rejected ones are taken
    out, the profile records of the ``accepted`` ones put in (``records``, when made
    already: :func:`~crossinnov.writes.changes.new_profile_records`), then the closure
    and the changelog are made there by the updates that :func:`write_units` runs on a
    store (:func:`rebuild_closure`, :func:`record`), and the result written with
    :meth:`OxigraphStore.fill`: an interrupted fill leaves the store empty, as it was.

    ``filling``: a fill that has already been given every unit of ``units``, as staged
    (:func:`load_units` starts it before the check, to write while checking), or the
    file they come from plus the graphs ``dropped`` (:func:`prefill`), and with
    ``records_given`` the ``records``. When nothing was rejected, those graphs are
    removed and what the steps above add (the records unless given, the closure, the
    changelog) is written after it; otherwise it is undone and the store filled anew.
    """
    native = staged.native
    taken = {id(u) for u in accepted}
    for unit in units:
        if id(unit) not in taken:
            native.remove_graph(unit.graph)
    if records is None:
        records = new_profile_records(accepted, change)  # the store was empty
    made = [store.iris.closure_graph, store.iris.derived_ties_graph, store.iris.changelog_graph]
    # the units as loaded, plus what is added, is the staged store when no unit was taken
    # out or lives in a graph the updates below replace (and the additions share no blank
    # node with the units: each load names its blank nodes anew; checked below)
    keep = filling is not None and len(accepted) == len(units) \
        and not {u.graph for u in units} & set(made)
    added = ox.Store()  # what the store gets beyond the units (and the records given)
    if not (keep and records_given):
        native.extend(records)
        if keep:
            added.extend(records)
    # neither the closure nor the changelog reads the records (closure_all.ru, record_change.ru)
    rebuild_closure(staged)
    change.graphs = []
    record(staged, change)
    if keep and not native.query(SHARED_BLANK_NODES.replace("$graphs", values(made))):
        for graph in made:
            added.extend(native.quads_for_pattern(None, None, None, graph))
        filling.wait()  # type: ignore[union-attr]
        for graph in dropped:
            store.native.remove_graph(graph)
        filling.add(added)  # type: ignore[union-attr]
        filling.finish()  # type: ignore[union-attr]
        return
    if filling is not None:
        filling.undo()
    if keep and records_given:
        native.extend(records)
    store.fill(native)


#: whether the graphs the store makes itself hold a blank node
SHARED_BLANK_NODES = """ASK { VALUES ?g { $graphs } GRAPH ?g { ?s ?p ?o }
                            FILTER(isBlank(?s) || isBlank(?o)) }"""


@dataclass
class Prefill:
    """A load's file, bulk-loaded as it is into an empty store while it is read and checked.

    Started by :func:`prefill`; :func:`load_units` keeps it when the file's units turn
    out to be what the file holds (``placement``), all accepted, else undoes it.
    """

    filling: Fill
    #: the file in memory, read by Oxigraph at the same time (the units' staged store when
    #: they are what the file holds: :func:`stage` need not make it again)
    copy: _Background
    placement: Placement = field(default_factory=Placement)

    def staged(self, iris: IRIs) -> OxigraphStore:
        """The file in memory less the ``dropped`` graphs: the units' triples, each unit's
        in its graph, when ``placement`` is in place."""
        out = OxigraphStore(None, iris)
        out._store = self.copy.result()  # noqa: SLF001 - a new in-memory store of its own
        for graph in self.placement.dropped:
            out.native.remove_graph(graph)
        return out

    def undo(self) -> None:
        self.copy.join()
        if not self.filling.done:
            self.filling.undo()


#: files from this size on are bulk-loaded into an empty store while they are read
PREFILL_MIN_BYTES = 16 * 2**20


def prefill(store: Store, paths: list[Path]) -> Prefill | None:
    """Start loading a big RDF dataset file into an empty on-disk store, as it is.

    Only one uncompressed file in a syntax of named graphs (N-Quads, TriG): there its
    graphs can be the units' own. Returns None when that cannot be.
    """
    if len(paths) != 1 or not isinstance(store, OxigraphStore) or store.read_only \
            or store.location == MEMORY_STORE:
        return None
    path = Path(paths[0])
    fmt = format_for_path(path.name)
    if fmt is None or path.suffix == ".gz" or fmt.oxformat not in DATASET_SYNTAXES:
        return None
    try:
        if path.stat().st_size < PREFILL_MIN_BYTES or not store.is_empty():
            return None
    except OSError:
        return None
    filling = store.start_fill()
    try:
        filling.load_file(path, fmt.oxformat, background=True)
    except BaseException:
        filling.undo()
        raise
    return Prefill(filling, _Background(lambda: _read_into_memory(path, fmt.oxformat)))


def _read_into_memory(path: Path, fmt: ox.RdfFormat) -> ox.Store:
    memory = ox.Store()
    memory.load(path=str(path), format=fmt, lenient=True)
    return memory


DATASET_SYNTAXES = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)


def load_units(
    store: Store,
    units: list[Unit],
    validator: Validator,
    change: Change,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    early: Prefill | None = None,
) -> LoadReport:
    """Validate then write units; with ``strict``, one rejection writes nothing.

    A big load into an empty embedded store is staged in memory, checked there and
    written with the bulk loader while it is checked (:func:`fill_store`); any other
    load is written in one transaction (:func:`write_units`). Both write the same graphs.

    ``early``: the units' file, already being loaded into the (then empty) store as it
    is (:func:`prefill`); kept when it holds just the units, undone otherwise.
    """
    filling = records = None
    try:
        if early is not None:  # the store was empty when the file began to fill it
            fresh = _is_big(units)
            if fresh and early.placement.in_place:
                filling = early.filling
            else:
                early.undo()
        else:
            fresh = fills(store, units)
        staged = None
        if fresh:
            # the file as Oxigraph read it, when it holds just the units (no quad made again)
            staged = early.staged(store.iris) if filling else stage(units, store.iris)  # type: ignore[union-attr]
        if staged is not None and filling is None:
            # written while it is checked: kept if every unit is accepted, else undone
            filling = store.start_fill()  # type: ignore[attr-defined]
            filling.add(staged.native, background=True)
        records = None
        if filling is not None:
            # the records of every unit, made while the screen runs and written after the
            # units: what the store gets when all are accepted (else the fill is undone)
            records = _Background(lambda: _give_records(units, change, filling))
        # while the store fills, the checks see it as it was: empty
        accepted, rejected = check_units(OxigraphStore(None, store.iris) if filling else store,
                                         units, validator, progress=progress,
                                         staged=staged.native if staged else None)
        every = records.result() if records is not None else None
        report = LoadReport(accepted, rejected)
        if rejected and strict:
            return report
        if staged is not None:
            # the store was empty (it is being filled now): every profile is new to it
            given = every is not None and len(accepted) == len(units)
            new_records = every if given else new_profile_records(accepted, change)
            if sum(len(u.triples) for u in accepted) + len(new_records) > BULK_THRESHOLD:
                fill_store(store, staged, units, accepted, change,  # type: ignore[arg-type]
                           filling, early.placement.dropped if early and filling is early.filling
                           else (), new_records,
                           records_given=given)
                report.written = bool(accepted)
                return report
            existing: set[str] | None = set()
        else:
            existing = set(store.named_graphs()) if len(accepted) > 1 else None
        recorded_units = [recorded(store, u, change, existing) for u in accepted]
        if filling is not None:
            filling.undo()
        staged = None
        write_units(store, recorded_units, change)
    finally:
        if records is not None:
            records.join()
        if filling is not None and not filling.done:
            filling.undo()
        if early is not None:
            early.undo()
    report.written = bool(accepted)
    return report


def _give_records(units: list[Unit], change: Change, filling: Fill) -> list[ox.Quad]:
    every = new_profile_records(units, change)  # the store was empty
    part = ox.Store()
    part.extend(every)
    filling.add(part, background=True)
    return every


class _Background:
    """A function run in a thread (Python work while the screen runs outside the GIL)."""

    def __init__(self, work: Callable[[], object]) -> None:
        self._out: list = []

        def run() -> None:
            try:
                self._out.append((True, work()))
            except BaseException as exc:  # handed to result()
                self._out.append((False, exc))

        self._thread = threading.Thread(target=run, name="crossinnov-load", daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def result(self):
        self.join()
        ok, value = self._out[0]
        if not ok:
            raise value
        return value


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a big load makes millions of objects that
    live until it ends (quads, triples, units; no cycles among them), and each collection
    would walk them all again (a third of the time of reading 100 000 organisations)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_paths(paths: Iterable[Path], iris,
               placement: Placement | None = None) -> tuple[list[Unit], list[Rejected]]:
    """Read files into units; an unreadable file raises IngestError.

    ``placement``: told whether the files' quads all stay in their graphs
    (:func:`crossinnov.ingest.files.quads_to_units`)."""
    units: list[Unit] = []
    rejected: list[Rejected] = []
    for path in paths:
        u, r = read_path(Path(path), iris, placement)
        units += u
        rejected += r
    graphs = [u.graph.value for u in units]
    if len(set(graphs)) != len(graphs):
        seen: set[str] = set()
        dupes = sorted({g for g in graphs if g in seen or seen.add(g)})
        raise IngestError(f"the same graph is given twice in this load: {', '.join(dupes[:5])}")
    return units, rejected


def shipped_units(store: Store) -> tuple[list[Unit], list[str]]:
    """Return the shipped data (and ontology) under the store's base, with build warnings."""
    units, warnings = build_shipped(store.iris)
    return [ontology_unit(store.iris), *units], warnings
